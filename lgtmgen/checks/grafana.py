"""The `grafana` check: dashboards against Grafana's JSON Schemas, and dashboard lint.

Schema: the dashboard against `dashboard.jsonschema.json`; each panel's options
and custom field config against its panel type's schema; each target against
its datasource's query schema (all from `specs/upstream/grafana-dashboard-schema`).

Lint, in the spirit of Grafana's dashboard-linter: every panel has a title;
every panel showing numbers has a unit; every panel with queries uses a
datasource template variable; every PromQL target parses (Grafana variables
substituted first); counters are read through rate, irate or increase; and
those range functions use `$__rate_interval`; every recorded series a
dashboard reads (a name with a colon) is recorded by a rule file of the bundle;
uids are unique and every `/d/<uid>` link names a dashboard of the bundle.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from functools import cache
from typing import Any

import promql_parser
import yaml
from jsonschema import Draft7Validator  # type: ignore[import-untyped]

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import CheckContext
from lgtmgen.checks.reference import specs_dir
from lgtmgen.diagnostics import Diagnostic, Location

SCHEMA = "grafana/schema"
UNREADABLE = "grafana/unreadable"
LEGACY_PANEL = "grafana/legacy-panel"
PANEL_TITLE = "grafana/panel-title"
PANEL_UNIT = "grafana/panel-unit"
PANEL_DATASOURCE = "grafana/panel-datasource"
PROMQL_SYNTAX = "grafana/promql-syntax"
COUNTER_RATE = "grafana/counter-without-rate"
RATE_INTERVAL = "grafana/rate-interval"
UNRECORDED_SERIES = "grafana/unrecorded-series"
DUPLICATE_UID = "grafana/duplicate-uid"
BROKEN_LINK = "grafana/broken-dashboard-link"
RULE_ROLES = (Role.PROMETHEUS_RULES, Role.MIMIR_RULES, Role.LOKI_RULES)

MODERN_PANELS = {
    "timeseries": "timeseries", "stat": "stat", "gauge": "gauge", "bargauge": "bargauge", "table": "table",
    "text": "text", "logs": "logs", "nodeGraph": "nodegraph", "heatmap": "heatmap", "traces": None,
}
QUERY_SCHEMAS = {"prometheus": ("prometheus", "Dataquery"), "loki": ("loki", "dataquery"), "tempo": ("tempo", "Dataquery")}
UNITLESS_PANELS = frozenset({"text", "logs", "traces"})
RANGE_FUNCTIONS = frozenset({"rate", "irate", "increase"})
COUNTER_SUFFIXES = ("_total", "_count", "_sum", "_bucket")

# `$__rate_interval` becomes a duration nothing else uses, so the parsed range tells it apart.
_RATE_SENTINEL = "7777s"
_GRAFANA_INTERVALS = re.compile(r"\$__(interval|range|interval_ms|range_s|range_ms)\b|\$\{__(interval|range)\}")
_DASHBOARD_URL = re.compile(r"/d/([A-Za-z0-9_-]+)")
_VARIABLE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:[a-z]+)?\}|\$[A-Za-z_][A-Za-z0-9_]*")


@cache
def _definitions(name: str) -> dict[str, Any]:
    path = specs_dir() / "grafana-dashboard-schema" / f"{name}.jsonschema.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


@cache
def _validator(name: str, definition: str) -> Draft7Validator:
    schema = _definitions(name)
    return Draft7Validator({"$ref": f"#/definitions/{definition}", "definitions": schema["definitions"]})


def _errors(validator: Draft7Validator, value: Any, where: str) -> list[tuple[str, str]]:
    found = []
    for error in sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path))):
        path = where + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        path = path.lstrip(".")
        found.append((path, error.message))
    return found


def panels_of(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every panel with its JSON path, rows' collapsed panels included."""
    for index, panel in enumerate(doc.get("panels", [])):
        yield f"panels[{index}]", panel
        for inner, child in enumerate(panel.get("panels", [])):
            yield f"panels[{index}].panels[{inner}]", child


def schema_problems(doc: Any) -> list[tuple[str, str]]:
    """(path, message) of every place `doc` breaks Grafana's dashboard, panel or query schemas."""
    if not isinstance(doc, dict) or not isinstance(doc.get("panels"), list):
        return _errors(_validator("dashboard", "Dashboard"), doc, "")
    # Panels one by one: the schema's panel-or-row `oneOf` alone would only say "not valid".
    found = _errors(_validator("dashboard", "Dashboard"), {**doc, "panels": []}, "")
    for index, panel in enumerate(doc["panels"]):
        definition = "RowPanel" if isinstance(panel, dict) and panel.get("type") == "row" else "Panel"
        found += _errors(_validator("dashboard", definition), panel, f"panels[{index}]")
    for where, panel in panels_of(doc):
        kind = panel.get("type")
        schema = MODERN_PANELS.get(str(kind))
        if kind == "row":
            continue
        if schema:
            definitions = _definitions(schema)["definitions"]
            if "Options" in definitions:
                found += _errors(_validator(schema, "Options"), panel.get("options", {}), f"{where}.options")
            custom = panel.get("fieldConfig", {}).get("defaults", {}).get("custom")
            if "FieldConfig" in definitions and custom is not None:
                found += _errors(_validator(schema, "FieldConfig"), custom, f"{where}.fieldConfig.defaults.custom")
        elif kind == "traces" and panel.get("options"):
            found.append((f"{where}.options", "the traces panel takes no options"))
        for index, target in enumerate(panel.get("targets", [])):
            plugin = str((target.get("datasource") or panel.get("datasource") or {}).get("type", ""))
            if plugin in QUERY_SCHEMAS:
                found += _errors(_validator(*QUERY_SCHEMAS[plugin]), target, f"{where}.targets[{index}]")
    return found


def substitute_variables(expr: str) -> str:
    """PromQL with Grafana's variables replaced by values the parser accepts."""
    text = expr.replace("${__rate_interval}", _RATE_SENTINEL).replace("$__rate_interval", _RATE_SENTINEL)
    text = _GRAFANA_INTERVALS.sub("5m", text)
    return _VARIABLE.sub("grafana_variable", text)


def _walk(node: Any, in_range_function: str | None = None) -> Iterator[tuple[Any, str | None]]:
    yield node, in_range_function
    if isinstance(node, promql_parser.Call):
        name = node.func.name
        for arg in node.args:
            yield from _walk(arg, name if name in RANGE_FUNCTIONS else None)
    elif isinstance(node, promql_parser.MatrixSelector):
        yield from _walk(node.vector_selector, in_range_function)
    elif isinstance(node, promql_parser.BinaryExpr):
        yield from _walk(node.lhs)
        yield from _walk(node.rhs)
    elif isinstance(
        node,
        promql_parser.AggregateExpr | promql_parser.ParenExpr | promql_parser.UnaryExpr | promql_parser.SubqueryExpr,
    ):
        yield from _walk(node.expr)


def promql_problems(expr: str, recorded: frozenset[str] | None = None) -> list[tuple[str, str]]:
    """(check id, message) of lint findings in one PromQL target.

    With `recorded` (the record names of the bundle), a name with a colon that no rule records
    is a finding: the panel would stay empty.
    """
    try:
        parsed = promql_parser.parse(substitute_variables(expr))
    except ValueError as exc:
        return [(PROMQL_SYNTAX, f"PromQL does not parse: {exc}")]
    found = []
    sentinel = timedelta(seconds=int(_RATE_SENTINEL[:-1]))
    for node, range_function in _walk(parsed):
        if isinstance(node, promql_parser.Call) and node.func.name in RANGE_FUNCTIONS:
            ranges = [a.range for a in node.args if isinstance(a, promql_parser.MatrixSelector)]
            if any(r != sentinel for r in ranges):
                found.append((RATE_INTERVAL, f"{node.func.name}() should use [$__rate_interval]"))
        if isinstance(node, promql_parser.VectorSelector):
            name = node.name or ""
            if ":" not in name and name.endswith(COUNTER_SUFFIXES) and range_function is None:
                found.append((COUNTER_RATE, f"counter {name} is read without rate() or increase()"))
            if ":" in name and recorded is not None and name not in recorded:
                found.append((UNRECORDED_SERIES, f"{name} is not recorded by any rule file of the bundle"))
    return found


def lint_problems(doc: dict[str, Any], recorded: frozenset[str] | None = None) -> list[tuple[str, str, str]]:
    """(check id, path, message) of dashboard-linter findings."""
    found = []
    for where, panel in panels_of(doc):
        kind = panel.get("type")
        if kind == "row":
            continue
        if kind not in MODERN_PANELS:
            found.append((LEGACY_PANEL, where, f"panel type {kind!r} is not a modern Grafana panel"))
        if not str(panel.get("title", "")).strip():
            found.append((PANEL_TITLE, where, "panel has no title"))
        if kind not in UNITLESS_PANELS and not panel.get("fieldConfig", {}).get("defaults", {}).get("unit"):
            found.append((PANEL_UNIT, where, f"panel {panel.get('title')!r} has no unit"))
        targets = panel.get("targets", [])
        uid = str((panel.get("datasource") or {}).get("uid", ""))
        if targets and not uid.startswith("$"):
            found.append((PANEL_DATASOURCE, where, f"panel {panel.get('title')!r} does not use a datasource variable"))
        for index, target in enumerate(targets):
            plugin = (target.get("datasource") or panel.get("datasource") or {}).get("type")
            if plugin == "prometheus" and "expr" in target:
                problems = promql_problems(str(target["expr"]), recorded)
                found += [(c, f"{where}.targets[{index}]", m) for c, m in problems]
    return found


def dashboard_problems(doc: Any, file: str, recorded: frozenset[str] | None = None) -> list[Diagnostic]:
    """Every schema and lint finding of one dashboard document, as diagnostics."""
    found = [
        Diagnostic(SCHEMA, message, location=Location(file), path=path or None)
        for path, message in schema_problems(doc)
    ]
    if isinstance(doc, dict):
        found += [Diagnostic(c, m, location=Location(file), path=p) for c, p, m in lint_problems(doc, recorded)]
    return found


def recorded_series(ctx: CheckContext) -> frozenset[str] | None:
    """Record names of every rule file in the bundle; None when the bundle has no rule files."""
    files = ctx.by_role(*RULE_ROLES)
    if not files:
        return None
    names: set[str] = set()
    for bundle_file in files:
        try:
            doc = yaml.safe_load(bundle_file.absolute.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        groups = doc.get("groups", []) if isinstance(doc, dict) else []
        for group in groups if isinstance(groups, list) else []:
            for rule in group.get("rules", []) if isinstance(group, dict) else []:
                if isinstance(rule, dict) and "record" in rule:
                    names.add(str(rule["record"]))
    return frozenset(names)


def _links(doc: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for index, link in enumerate(doc.get("links", [])):
        yield f"links[{index}]", str(link.get("url", ""))
    for where, panel in panels_of(doc):
        for index, link in enumerate(panel.get("links", [])):
            yield f"{where}.links[{index}]", str(link.get("url", ""))


def cross_dashboard_problems(docs: dict[str, Any]) -> list[Diagnostic]:
    """Uids are unique across the bundle, and every `/d/<uid>` link names a dashboard of it."""
    found = []
    owner: dict[str, str] = {}
    for file, doc in sorted(docs.items()):
        uid = str(doc.get("uid", "")) if isinstance(doc, dict) else ""
        if uid in owner:
            found.append(Diagnostic(DUPLICATE_UID, f"uid {uid!r} is also the uid of {owner[uid]}", location=Location(file)))
        owner.setdefault(uid, file)
    for file, doc in sorted(docs.items()):
        if not isinstance(doc, dict):
            continue
        for where, url in _links(doc):
            match = _DASHBOARD_URL.search(url)
            if match and match.group(1) not in owner:
                found.append(
                    Diagnostic(BROKEN_LINK, f"{url} names no dashboard of the bundle", location=Location(file), path=where)
                )
    return found


class GrafanaDashboardCheck:
    """Grafana dashboards against the pinned JSON Schemas and the lint rules."""

    name = "grafana"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        recorded = recorded_series(ctx)
        docs: dict[str, Any] = {}
        for bundle_file in ctx.by_role(Role.GRAFANA_DASHBOARD):
            try:
                docs[bundle_file.path] = json.loads(bundle_file.absolute.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                found.append(Diagnostic(UNREADABLE, f"cannot read dashboard: {exc}", location=Location(bundle_file.path)))
        for path, doc in docs.items():
            found += dashboard_problems(doc, path, recorded)
        return found + cross_dashboard_problems(docs)
