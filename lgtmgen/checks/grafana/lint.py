"""Dashboard lint in the spirit of Grafana's dashboard-linter, PromQL read through promql-parser."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import promql_parser

from lgtmgen.checks.grafana.ids import (
    COUNTER_RATE,
    EXTERNAL_SERIES,
    LEGACY_PANEL,
    OTHER_TENANT_SERIES,
    PANEL_DATASOURCE,
    PANEL_TITLE,
    PANEL_UNIT,
    PROMQL_SYNTAX,
    RATE_INTERVAL,
    UNRECORDED_SERIES,
    UNSENT_SERIES,
)
from lgtmgen.checks.grafana.schema import MODERN_PANELS, panels_of
from lgtmgen.checks.grafana.tenants import SeriesScope, TenantSeries
from lgtmgen.promql import COUNTER_SUFFIXES, RATE_FUNCTIONS, match_operator
from lgtmgen.promql import parse as parse_promql

UNITLESS_PANELS = frozenset({"text", "logs", "traces"})
RANGE_FUNCTIONS = RATE_FUNCTIONS

# `$__rate_interval` becomes a duration nothing else uses, so the parsed range tells it apart.
_RATE_SENTINEL = "7777s"
_GRAFANA_INTERVALS = re.compile(r"\$__(interval|range|interval_ms|range_s|range_ms)\b|\$\{__(interval|range)\}")
_VARIABLE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:[a-z]+)?\}|\$[A-Za-z_][A-Za-z0-9_]*")


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


def promql_problems(
    expr: str,
    recorded: frozenset[str] | None = None,
    declared: frozenset[str] = frozenset(),
    tenant: TenantSeries | None = None,
) -> list[tuple[str, str]]:
    """(check id, message) of lint findings in one PromQL target.

    With `recorded` (the record names of the bundle), a name with a colon that no rule records
    is a finding: the panel would stay empty. A name in `declared` (read by PromQL the catalog
    declares) is the user's to record elsewhere: an `EXTERNAL_SERIES` finding, a warning. With
    the `tenant` the target's datasource reads, a name must be recorded in that tenant (or reach
    it through a remote write): one recorded only in other tenants is an `OTHER_TENANT_SERIES`.
    """
    try:
        parsed = parse_promql(substitute_variables(expr))
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
            if ":" in name and recorded is not None:
                found += _recorded_problems(name, _fixed_matchers(node), recorded, declared, tenant)
            elif name and tenant is not None and tenant.lacks_raw(name, matchers := _fixed_matchers(node)):
                message = f"{_shown(name, matchers)} reaches tenant {tenant.tenant}, which this query's datasource reads"
                found.append((UNSENT_SERIES, message + ", through no remote write of the bundle: the panel shows no data"))
    return found


def _shown(name: str, matchers: tuple[tuple[str, str, str], ...]) -> str:
    inner = ", ".join(f"{label}{op}{json.dumps(value)}" for label, op, value in matchers)
    return f"{name}{{{inner}}}" if inner else name




def _fixed_matchers(node: Any) -> tuple[tuple[str, str, str], ...]:
    """The selector's matchers whose value is written out (not a Grafana variable), as label, operator, value."""
    if node.matchers.or_matchers:
        return ()
    return tuple(
        (m.name, match_operator(m.op), m.value) for m in node.matchers.matchers if "grafana_variable" not in m.value
    )


def _recorded_problems(
    name: str,
    matchers: tuple[tuple[str, str, str], ...],
    recorded: frozenset[str],
    declared: frozenset[str],
    tenant: TenantSeries | None,
) -> list[tuple[str, str]]:
    if tenant is not None and tenant.holds(name, matchers):
        return []
    if tenant is None and name in recorded:
        return []
    if name in declared:
        return [(EXTERNAL_SERIES, f"{name}, read by a query of the catalog, must be recorded outside the bundle")]
    if tenant is None or name not in recorded:
        return [(UNRECORDED_SERIES, f"{name} is not recorded by any rule file of the bundle")]
    selector = _shown(name, matchers)
    holders = tenant.recorded_elsewhere(name, matchers)
    if not holders:
        message = f"{selector} is recorded by no rule of tenant {tenant.tenant}, which this query's datasource reads"
        return [(UNRECORDED_SERIES, message + ", nor of another tenant: the rules of that name record other label values")]
    message = f"{selector} is recorded only in tenant {', '.join(holders)}, not in tenant {tenant.tenant}"
    return [(OTHER_TENANT_SERIES, message + ", which this query's datasource reads: the panel shows no data")]


MIXED_UID = "-- Mixed --"


def _variable_datasources(panel: dict[str, Any]) -> bool:
    """The panel's queries read datasource variables: the panel's, or each query's own on a Mixed panel."""
    uid = str((panel.get("datasource") or {}).get("uid", ""))
    if uid == MIXED_UID:
        return all(str((t.get("datasource") or {}).get("uid", "")).startswith("$") for t in panel.get("targets", []))
    return uid.startswith("$")


def datasource_defaults(doc: dict[str, Any]) -> dict[str, str]:
    """The datasource uid each datasource variable of a dashboard defaults to, by variable name."""
    templating = doc.get("templating")
    variables = templating.get("list") if isinstance(templating, dict) else None
    defaults = {}
    for variable in variables if isinstance(variables, list) else []:
        if isinstance(variable, dict) and variable.get("type") == "datasource":
            current = variable.get("current")
            value = current.get("value") if isinstance(current, dict) else None
            if isinstance(value, str):
                defaults[str(variable.get("name"))] = value
    return defaults


_REFERENCE = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\}|([A-Za-z_][A-Za-z0-9_]*))$")


def read_tenant(uid: str, defaults: dict[str, str], scope: SeriesScope | None) -> TenantSeries | None:
    """The tenant a query on datasource `uid` (a uid, or a variable at its default) reads; None when unknown."""
    if scope is None:
        return None
    if (reference := _REFERENCE.match(uid)) is not None:
        uid = defaults.get(reference.group(1) or reference.group(2), "")
    return scope.tenant_of(uid)


def lint_problems(
    doc: dict[str, Any],
    recorded: frozenset[str] | None = None,
    declared: frozenset[str] = frozenset(),
    scope: SeriesScope | None = None,
) -> list[tuple[str, str, str]]:
    """(check id, path, message) of dashboard-linter findings (`declared` as in `promql_problems`;
    `scope`: the tenant each datasource reads, for the recorded names)."""
    found = []
    defaults = datasource_defaults(doc) if scope is not None else {}
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
        if targets and not _variable_datasources(panel):
            found.append((PANEL_DATASOURCE, where, f"panel {panel.get('title')!r} does not use a datasource variable"))
        for index, target in enumerate(targets):
            datasource = target.get("datasource") or panel.get("datasource") or {}
            if isinstance(datasource, dict) and datasource.get("type") == "prometheus" and "expr" in target:
                tenant = read_tenant(str(datasource.get("uid", "")), defaults, scope)
                problems = promql_problems(str(target["expr"]), recorded, declared, tenant)
                found += [(c, f"{where}.targets[{index}]", m) for c, m in problems]
    return found

