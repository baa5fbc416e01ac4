"""Checks across the whole catalog: uniqueness, references, PromQL syntax and functions."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from lgtmgen.catalog.models import WINDOW_PLACEHOLDER, Catalog, CustomSLI, EventsSLI
from lgtmgen.catalog.positions import PathStep, format_path, locate, source_line
from lgtmgen.diagnostics import Diagnostic, Severity
from lgtmgen.promql import (
    PROMETHEUS_RELEASE,
    counter_reads,
    keeps_label,
    selector_error,
    syntax_error,
    unsupported_calls,
)

PROMQL_SYNTAX = "catalog/promql-syntax"
CUSTOM_WITHOUT_CLUSTER = "catalog/custom-sli-without-cluster"
CUSTOM_RATE = "catalog/custom-sli-rate"
CUSTOM_CLUSTER_MISMATCH = "catalog/custom-sli-cluster-mismatch"
PER_SECOND_FUNCTIONS = frozenset({"rate", "irate"})
PROMQL_EXPERIMENTAL = "catalog/promql-experimental"
PROMQL_UNKNOWN_FUNCTION = "catalog/promql-unknown-function"


class Reporter:
    """Collects semantic findings, placing each at the catalog position of its path."""

    def __init__(self, document: Any, lines: Mapping[str, list[str]]) -> None:
        self.document = document
        self.lines = lines
        self.found: list[Diagnostic] = []

    def where(self, path: list[PathStep], *, key: bool = False) -> str:
        location = locate(self.document, path, key=key).location
        return str(location) if location else format_path(path)

    def add(
        self,
        check: str,
        message: str,
        path: list[PathStep],
        *,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
        key: bool = False,
    ) -> None:
        place = locate(self.document, path, key=key)
        location = place.location
        self.found.append(
            Diagnostic(
                check,
                message + place.note(),
                severity=severity,
                location=location,
                path=format_path(path),
                source_line=source_line(self.lines, location),
                hint=hint,
            )
        )


def report_unsupported_calls(report: Reporter, expr: str, path: list[PathStep], field: str) -> None:
    """Report each function or aggregation of `expr` (valid PromQL) that the target Prometheus refuses as
    the bundle runs it: promql-parser accepts them, promtool and the running Prometheus would not."""
    for call in unsupported_calls(expr):
        report.add(
            PROMQL_EXPERIMENTAL if call.experimental else PROMQL_UNKNOWN_FUNCTION,
            f"{field}: {call.describe()}",
            path,
            hint=f"write the query with the functions Prometheus {PROMETHEUS_RELEASE} has without feature flags",
        )


def _report_clusters(report: Reporter, clustered: dict[str, bool], path: list[PathStep]) -> None:
    """A custom SLI's queries keep `cluster` all, or none (a warning), never some: the SLO's ratios
    divide series of equal labels, so a count without `cluster` matches no count with it, and every
    cluster's ratio stays 0 (errors alone: `or 0 * total`) or is never computed: no alert can fire."""
    with_cluster = [field for field, kept in clustered.items() if kept]
    for field, kept in clustered.items():
        if kept:
            continue
        if with_cluster:
            report.add(
                CUSTOM_CLUSTER_MISMATCH,
                f"{field}: the query's result has no `cluster` label but {' and '.join(with_cluster)}'s has: the "
                "SLO divides series of the same labels, so these counts match none of the others and no "
                "burn-rate alert can fire",
                [*path, field],
                hint="aggregate every query of the SLI by cluster, e.g. sum by (cluster) (increase(x_total[{{window}}]))",
            )
        else:
            # Sloth's and OpenSLO's queries are `sum(rate(...))`: imported, they merge every cluster.
            report.add(
                CUSTOM_WITHOUT_CLUSTER,
                f"{field}: the query's result has no `cluster` label: the SLO is measured over every "
                "cluster at once, so one cluster's outage is diluted by the others, and the absent "
                "ticket and min_events cannot tell clusters apart",
                [*path, field],
                severity=Severity.WARNING,
                hint="aggregate by cluster, e.g. sum by (cluster) (increase(x_total[{{window}}]))",
            )


def _report_per_second(report: Reporter, field: str, functions: list[str], path: list[PathStep], min_events: int) -> None:
    """A custom SLI counted with rate(): its ratio (and so every burn alert) is right, but the SLO's
    event records (`slo:sli_events:increase5m`) hold per-second rates, so whatever reads them as
    counts (a runbook's query, a user's) is off by the window's seconds; `min_events` most of all, which then holds back every
    burn alert until the rate reaches the floor (an error)."""
    calls = " and ".join(f"{name}()" for name in functions)
    if min_events:
        consequence = (
            f"min_events: {min_events} is compared with that rate, so no burn-rate alert fires below "
            f"{min_events} events a second"
        )
    else:
        consequence = "the ratio and burn alerts are right, but the event records hold rates, not counts"
    report.add(
        CUSTOM_RATE,
        f"{field}: the query counts with {calls}, a per-second rate, where the SLO's records hold event "
        f"counts over the window: {consequence}",
        path,
        severity=Severity.ERROR if min_events else Severity.WARNING,
        hint=f"count the events with increase(...[{WINDOW_PLACEHOLDER}]) instead",
    )


DomainCheck = Callable[[Catalog, "Reporter"], None]
"""A semantic check of one area (alerting, logs, ...): reports through the Reporter.

Area checks are listed in `lgtmgen.catalog.area_checks.AREA_CHECKS`.
"""


def _suggest(name: str, known: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def _unique(report: Reporter, section: str, names: list[str], what: str) -> None:
    first: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in first:
            report.add(
                "catalog/duplicate-name",
                f"{what} {name!r} is declared twice (first at {report.where([section, first[name], 'name'])})",
                [section, index, "name"],
            )
        else:
            first[name] = index


def _reference(
    report: Reporter, path: list[PathStep], name: str, known: set[str], what: str
) -> None:
    if name not in known:
        report.add(
            "catalog/unknown-reference",
            f"unknown {what} {name!r}",
            path,
            hint=reference_hint(name, known, what),
        )


def reference_hint(name: str, known: Iterable[str], what: str) -> str:
    """The hint of a name that refers to nothing: the nearest declared name, else the declared ones."""
    known = set(known)
    return _suggest(name, known) or _declared(known, what)


def _declared(known: set[str], what: str) -> str:
    """The names a reference may use, for a hint when none is close to what was written."""
    if not known:
        return f"no {what} is declared: add it to the {what}s section"
    shown = sorted(known)
    more = f" and {len(shown) - 8} more" if len(shown) > 8 else ""
    return f"declared {what}s: {', '.join(shown[:8])}{more}"


def check_catalog(
    catalog: Catalog,
    document: Any,
    lines: Mapping[str, list[str]],
    also_known: Mapping[str, set[str]] | None = None,
) -> list[Diagnostic]:
    """Every cross-reference and uniqueness problem of the catalog, all at once.

    `also_known` names, per section, entries that exist but failed validation
    (and were left out of `catalog`), so references to them are not reported twice.
    """
    known = also_known or {}
    report = Reporter(document, lines)
    _unique(report, "environments", [e.name for e in catalog.environments], "environment")
    _unique(report, "teams", [t.name for t in catalog.teams], "team")
    _unique(report, "tenants", [t.name for t in catalog.tenants], "tenant")
    _unique(report, "clusters", [c.name for c in catalog.clusters], "cluster")
    _unique(report, "services", [s.name for s in catalog.services], "service")

    environments = {e.name for e in catalog.environments} | known.get("environments", set())
    teams = {t.name for t in catalog.teams} | known.get("teams", set())
    tenants = {t.name for t in catalog.tenants} | known.get("tenants", set())
    clusters = {c.name for c in catalog.clusters} | known.get("clusters", set())
    services = {s.name for s in catalog.services} | known.get("services", set())

    for index, team in enumerate(catalog.teams):
        if not team.notify.model_dump(exclude_none=True):
            report.add(
                "catalog/no-notification-target",
                f"team {team.name!r} has no notification target; its alerts would reach nobody",
                ["teams", index, "notify"],
            )
        if team.escalate_to is not None and not team.escalate_to.model_dump(exclude_none=True):
            report.add(
                "catalog/no-notification-target",
                f"team {team.name!r} has an escalate_to without a target; its escalated pages "
                "would reach nobody beyond its chat",
                ["teams", index, "escalate_to"],
            )
    for index, cluster in enumerate(catalog.clusters):
        if environments:
            _reference(report, ["clusters", index, "environment"], cluster.environment, environments, "environment")
        if cluster.tenant is not None:
            _reference(report, ["clusters", index, "tenant"], cluster.tenant, tenants, "tenant")

    for index, service in enumerate(catalog.services):
        base: list[PathStep] = ["services", index]
        _reference(report, [*base, "team"], service.team, teams, "team")
        _reference(report, [*base, "tenant"], service.tenant, tenants, "tenant")
        for n, cluster_name in enumerate(service.clusters):
            _reference(report, [*base, "clusters", n], cluster_name, clusters, "cluster")
        for n, dependency in enumerate(service.depends_on):
            if dependency == service.name:
                report.add(
                    "catalog/self-dependency",
                    f"service {service.name!r} depends on itself",
                    [*base, "depends_on", n],
                )
            else:
                _reference(report, [*base, "depends_on", n], dependency, services, "service")
        slo_names: dict[str, int] = {}
        for n, slo in enumerate(service.slos):
            slo_path: list[PathStep] = [*base, "slos", n]
            if slo.name in slo_names:
                report.add(
                    "catalog/duplicate-name",
                    f"SLO {slo.name!r} is declared twice in service {service.name!r} "
                    f"(first at {report.where([*base, 'slos', slo_names[slo.name], 'name'])})",
                    [*slo_path, "name"],
                )
            slo_names.setdefault(slo.name, n)
            _check_sli_queries(report, slo.sli, [*slo_path, "sli"], slo.alerting.min_events)
    from lgtmgen.catalog.area_checks import AREA_CHECKS

    for area_check in AREA_CHECKS:
        area_check(catalog, report)
    return report.found


def _check_sli_queries(report: Reporter, sli: object, path: list[PathStep], min_events: int) -> None:
    if isinstance(sli, EventsSLI):
        for field in ("good", "bad", "total"):
            text = getattr(sli, field)
            if text is not None and (problem := selector_error(text)):
                report.add(PROMQL_SYNTAX, f"{field}: {problem}", [*path, field])
    elif isinstance(sli, CustomSLI):
        clustered: dict[str, bool] = {}
        for field in ("good_query", "bad_query", "total_query"):
            text = getattr(sli, field)
            if text is None:
                continue
            if WINDOW_PLACEHOLDER not in text:
                report.add(
                    "catalog/missing-window-placeholder",
                    f"{field}: the query has no {WINDOW_PLACEHOLDER} placeholder for the range",
                    [*path, field],
                    hint=f"write the range as [{WINDOW_PLACEHOLDER}], e.g. increase(x_total[{WINDOW_PLACEHOLDER}])",
                )
                continue
            query = text.replace(WINDOW_PLACEHOLDER, "5m")
            if problem := syntax_error(query):
                report.add(PROMQL_SYNTAX, f"{field}: {problem}", [*path, field])
                continue
            report_unsupported_calls(report, query, [*path, field], field)
            if (kept := keeps_label(query, "cluster")) is not None:
                clustered[field] = kept
            if per_second := sorted(counter_reads(query).rate_functions & PER_SECOND_FUNCTIONS):
                _report_per_second(report, field, per_second, [*path, field], min_events)
        _report_clusters(report, clustered, path)
