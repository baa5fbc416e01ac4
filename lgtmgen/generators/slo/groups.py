"""Rule groups of SLOs by evaluation speed, each within Mimir's 20 rules a group.

fast (the evaluation interval): base-window event counts from the raw series,
the windows of the fastest page condition and that page. slow (5m): every
other burn-rate window, their alerts and the absent-metrics ticket. hourly:
hourly event totals, the period's ratio, the budget and its exhaustion ticket.
"""

from __future__ import annotations

from typing import Any

from lgtmgen.catalog.models.base import format_duration
from lgtmgen.generators.slo.alerts import absent_alert, burn_alert, exhausted_alert
from lgtmgen.generators.slo.records import (
    HOUR,
    SLOW_INTERVAL,
    errors_record,
    identity_selector,
    ratio_record,
    rule_windows,
    scaled,
    total_record,
    window_ratio,
)
from lgtmgen.plan import SLOPlan
from lgtmgen.render import render_shared
from lgtmgen.sli import event_counts

MAX_RULES_PER_GROUP = 20
Rule = dict[str, Any]


def _record(name: str, expr: str, plan: SLOPlan) -> Rule:
    return {"record": name, "expr": expr, "labels": dict(plan.identity)}


def fast_rules(plan: SLOPlan, grafana_url: str) -> list[Rule]:
    base = plan.base_window
    counts = event_counts(plan, format_duration(base))
    rules = [
        _record(total_record(base), counts.total, plan),
        _record(errors_record(base), counts.errors, plan),
    ]
    windows = rule_windows(plan)
    rules += [_record(ratio_record(w), window_ratio(plan, w), plan) for w in windows.fast]
    if windows.pair is not None:
        rules.append(burn_alert(plan, windows.pair, grafana_url))
    return rules


def slow_rules(plan: SLOPlan, grafana_url: str) -> list[Rule]:
    windows = rule_windows(plan)
    rules = [_record(ratio_record(w), window_ratio(plan, w), plan) for w in windows.slow]
    alerting = plan.slo.alerting
    for burn in plan.windows:
        wanted = alerting.page if burn.severity == "page" else alerting.ticket
        if wanted and burn != windows.pair:
            rules.append(burn_alert(plan, burn, grafana_url))
    if alerting.absent:
        rules.append(absent_alert(plan, grafana_url))
    return rules


def hourly_rules(plan: SLOPlan, grafana_url: str) -> list[Rule]:
    base = plan.base_window
    sel = identity_selector(plan)
    rules = [
        _record(name(HOUR), f"avg_over_time({name(base)}{{{sel}}}[1h]) * {scaled(HOUR, base)}", plan)
        for name in (errors_record, total_record)
    ]
    rules += [
        _record(ratio_record(plan.period), window_ratio(plan, plan.period), plan),
        _record("slo:objective:ratio", f"vector({plan.objective!r})", plan),
        _record("slo:error_budget:ratio", f"vector({plan.error_budget!r})", plan),
        _record("slo:period:seconds", f"vector({plan.period})", plan),
        _record(
            "slo:error_budget_remaining:ratio",
            f"1 - {ratio_record(plan.period)}{{{sel}}} / {plan.error_budget!r}",
            plan,
        ),
    ]
    if plan.slo.alerting.budget_exhausted:
        rules.append(exhausted_alert(plan, grafana_url))
    return rules


SPEEDS = (
    ("fast", fast_rules, None),
    ("slow", slow_rules, SLOW_INTERVAL),
    ("hourly", hourly_rules, HOUR),
)


def _pack(name: str, interval: int, per_slo: list[list[Rule]]) -> list[dict[str, Any]]:
    """Fill groups in order without splitting one SLO's rules across groups."""
    chunks: list[list[Rule]] = []
    for rules in per_slo:
        if not rules:
            continue
        if chunks and len(chunks[-1]) + len(rules) <= MAX_RULES_PER_GROUP:
            chunks[-1].extend(rules)
        else:
            chunks.append(list(rules))
    return [
        {
            "name": name if len(chunks) == 1 else f"{name}:{n}",
            "interval": format_duration(interval),
            "rules": chunk,
        }
        for n, chunk in enumerate(chunks, start=1)
    ]


_MEMO: dict[tuple[tuple[int, ...], str, str], tuple[tuple[SLOPlan, ...], list[dict[str, Any]]]] = {}
_MEMO_LIMIT = 200_000


def slo_rule_groups(plans: list[SLOPlan], grafana_url: str, owner: str) -> list[dict[str, Any]]:
    """Every rule of `plans` in groups named ``slo:<owner>:<speed>[:n]``, at most 20 rules each.

    Four generators (rule files, PrometheusRule objects, Mimir ruler, federation)
    need the same groups; they are built once per SLO set and shared, read-only.
    The memo keeps the plans it was keyed on alive, so an id is never reused.
    """
    key = (tuple(map(id, plans)), grafana_url, owner)
    hit = _MEMO.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], plans, strict=True)):
        return hit[1]
    groups = [render_shared(group) for group in _build_groups(plans, grafana_url, owner)]
    if len(_MEMO) >= _MEMO_LIMIT:
        _MEMO.clear()
    _MEMO[key] = (tuple(plans), groups)
    return groups


def _build_groups(plans: list[SLOPlan], grafana_url: str, owner: str) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for speed, build, fixed_interval in SPEEDS:
        by_interval: dict[int, list[list[Rule]]] = {}
        for plan in plans:
            interval = max(fixed_interval or 0, plan.evaluation_interval)
            by_interval.setdefault(interval, []).append(build(plan, grafana_url))
        for interval, per_slo in sorted(by_interval.items()):
            suffix = "" if len(by_interval) == 1 else f"-{format_duration(interval)}"
            groups += _pack(f"slo:{owner}:{speed}{suffix}", interval, per_slo)
    return groups
