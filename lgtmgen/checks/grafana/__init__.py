"""The `grafana` check: dashboards against Grafana's JSON Schemas, and dashboard lint.

Schema: the dashboard against `dashboard.jsonschema.json`; each panel's options
and custom field config against its panel type's schema; each target against
its datasource's query schema (all from `specs/upstream/grafana-dashboard-schema`).

Lint, in the spirit of Grafana's dashboard-linter: every panel has a title;
every panel showing numbers has a unit; every panel with queries uses a
datasource template variable; every PromQL target parses (Grafana variables
substituted first); counters are read through rate, irate or increase; and
those range functions use `$__rate_interval`; every recorded series a
dashboard reads (a name with a colon) is recorded by a rule file of the bundle,
except the names the catalog's own PromQL reads (the manifest's
`declared_series`), which only warn: the user records those; and recorded in the
tenant the query's datasource reads (the variable's default datasource, and the
tenant its `X-Scope-OrgID` header names: `grafana.tenants`), not only in another
tenant; a raw series (no colon) a query reads reaches its tenant through some cluster's
remote write, when the bundle configures clusters; every Prometheus datasource's tenant
header names a tenant of the bundle's Mimir;
uids are unique and every `/d/<uid>` link names a dashboard of the bundle;
datasource uids that dashboards default to, or that provisioned datasources
link to, are provisioned by the bundle.
"""

from __future__ import annotations

import json
from typing import Any

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import CheckContext
from lgtmgen.checks.grafana.bundle import (
    cross_dashboard_problems,
    datasource_problems,
    recorded_series,
)
from lgtmgen.checks.grafana.ids import (
    BROKEN_LINK,
    COUNTER_RATE,
    DUPLICATE_UID,
    EXTERNAL_SERIES,
    LEGACY_PANEL,
    OTHER_TENANT_SERIES,
    PANEL_DATASOURCE,
    PANEL_TITLE,
    PANEL_UNIT,
    PROMQL_SYNTAX,
    RATE_INTERVAL,
    SCHEMA,
    UNKNOWN_DATASOURCE,
    UNKNOWN_TENANT,
    UNREADABLE,
    UNRECORDED_SERIES,
    UNSENT_SERIES,
)
from lgtmgen.checks.grafana.lint import lint_problems, promql_problems, substitute_variables
from lgtmgen.checks.grafana.schema import schema_problems
from lgtmgen.checks.grafana.tenants import SeriesScope, series_scope
from lgtmgen.checks.passed_runs import lint_digest, reused_note
from lgtmgen.diagnostics import Diagnostic, Location, Severity

# The catalog's queries may read rules recorded elsewhere (a platform's, kube-prometheus-stack's):
# the bundle cannot know they exist, so it says so without failing.
_SEVERITY = {EXTERNAL_SERIES: Severity.WARNING}
PASSED_KIND = "grafana-dashboards-passed"
_HINTS = {EXTERNAL_SERIES: "make sure the Prometheus or Mimir tenant the dashboard reads records it"}


def dashboard_problems(
    doc: Any,
    file: str,
    recorded: frozenset[str] | None = None,
    declared: frozenset[str] = frozenset(),
    scope: SeriesScope | None = None,
) -> list[Diagnostic]:
    """Every schema and lint finding of one dashboard document, as diagnostics."""
    found = [
        Diagnostic(SCHEMA, message, location=Location(file), path=path or None)
        for path, message in schema_problems(doc)
    ]
    if isinstance(doc, dict):
        warned: set[str] = set()
        for c, p, m in lint_problems(doc, recorded, declared, scope):
            if c == EXTERNAL_SERIES:
                # Once per series and dashboard: each capacity signal reads its usage in three targets.
                if m in warned:
                    continue
                warned.add(m)
            severity = _SEVERITY.get(c, Severity.ERROR)
            found.append(Diagnostic(c, m, severity=severity, location=Location(file), path=p, hint=_HINTS.get(c)))
    return found



class GrafanaDashboardCheck:
    """Grafana dashboards against the pinned JSON Schemas and the lint rules."""

    name = "grafana"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        scope = series_scope(ctx)  # first: the records of the ruler files it reads are then read once
        recorded = recorded_series(ctx)
        scope = scope if recorded is not None else None
        # A dashboard without schema or lint findings is remembered by its bytes and what the lint
        # held it to (the recorded and declared series, each tenant's); the cross-dashboard checks always run.
        passed = ctx.remembered(PASSED_KIND)
        series = "\n".join(sorted(recorded)) if recorded is not None else "<no rule files>"
        tenants = scope.context if scope is not None else "<no tenants>"
        context = f"{PASSED_KIND}\0{series}\0{tenants}\0" + "\n".join(sorted(ctx.declared_series))
        docs: dict[str, Any] = {}
        digests: dict[str, str] = {}
        for bundle_file in ctx.by_role(Role.GRAFANA_DASHBOARD):
            try:
                data = bundle_file.absolute.read_bytes()
                docs[bundle_file.path] = json.loads(data.decode("utf-8"))
            except (OSError, ValueError) as exc:
                found.append(Diagnostic(UNREADABLE, f"cannot read dashboard: {exc}", location=Location(bundle_file.path)))
                continue
            if passed:
                digests[bundle_file.path] = lint_digest(data, context)
        reused = 0
        for path, doc in docs.items():
            if passed and passed.passed(digests[path]):
                reused += 1
                continue
            problems = dashboard_problems(doc, path, recorded, ctx.declared_series, scope)
            found += problems
            if passed and not problems:
                passed.remember([digests[path]])
        if reused:
            found.append(
                reused_note("grafana/passed-before", reused, len(docs), "dashboards had no schema or lint finding (with these series)")
            )
        return found + cross_dashboard_problems(docs) + datasource_problems(ctx, docs) + _unknown_tenants(scope)


def _unknown_tenants(scope: SeriesScope | None) -> list[Diagnostic]:
    """Prometheus datasources whose tenant header names no tenant of the bundle's Mimir."""
    return [
        Diagnostic(
            UNKNOWN_TENANT,
            f"datasource {name!r} sends X-Scope-OrgID from {source}, which names no tenant of the bundle's Mimir: "
            "its panels read a tenant nothing writes to",
            location=Location(file),
        )
        for file, name, source in (scope.unmapped if scope is not None else ())
    ]


__all__ = [
    "BROKEN_LINK",
    "COUNTER_RATE",
    "DUPLICATE_UID",
    "EXTERNAL_SERIES",
    "LEGACY_PANEL",
    "OTHER_TENANT_SERIES",
    "PANEL_DATASOURCE",
    "PANEL_TITLE",
    "PANEL_UNIT",
    "PROMQL_SYNTAX",
    "RATE_INTERVAL",
    "SCHEMA",
    "UNKNOWN_DATASOURCE",
    "UNKNOWN_TENANT",
    "UNRECORDED_SERIES",
    "UNSENT_SERIES",
    "GrafanaDashboardCheck",
    "dashboard_problems",
    "promql_problems",
    "substitute_variables",
]
