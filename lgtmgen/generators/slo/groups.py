"""Rule groups of SLOs by evaluation speed, each within Mimir's 20 rules a group.

fast (the evaluation interval): base-window event counts from the raw series,
the windows of the fastest page condition and that page. slow (5m): every
other burn-rate window, their alerts and the absent-metrics ticket. hourly:
hourly event totals, the period's ratio, the budget and its exhaustion ticket.
"""

from __future__ import annotations

from collections.abc import Callable, Sized
from typing import Any, TypeVar

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
    window_ratios,
)
from lgtmgen.plan import SLOPlan
from lgtmgen.render import render_shared
from lgtmgen.sli import event_counts

MAX_RULES_PER_GROUP = 20
Rule = dict[str, Any]


def _record(name: str, expr: str, labels: dict[str, str]) -> Rule:
    # The records of one builder share one labels mapping (read-only, like all generated
    # data): at 10,000 services a fresh one per record held about 80 MiB more.
    return {"record": name, "expr": expr, "labels": labels}


def fast_rules(plan: SLOPlan, grafana_url: str) -> list[Rule]:
    base = plan.base_window
    counts = event_counts(plan, format_duration(base))
    labels = plan.identity
    rules = [
        _record(total_record(base), counts.total, labels),
        _record(errors_record(base), counts.errors, labels),
    ]
    windows = rule_windows(plan)
    rules += [_record(ratio_record(w), ratio, labels) for w, ratio in window_ratios(plan, windows.fast)]
    if windows.pair is not None:
        rules.append(burn_alert(plan, windows.pair, grafana_url))
    return rules


def slow_rules(plan: SLOPlan, grafana_url: str) -> list[Rule]:
    windows = rule_windows(plan)
    labels = plan.identity
    rules = [_record(ratio_record(w), ratio, labels) for w, ratio in window_ratios(plan, windows.slow)]
    alerting = plan.slo.alerting
    for burn in plan.windows:
        if plan.raises(burn) and burn != windows.pair:
            rules.append(burn_alert(plan, burn, grafana_url))
    if alerting.absent:
        rules.append(absent_alert(plan, grafana_url))
    return rules


def hourly_rules(plan: SLOPlan, grafana_url: str) -> list[Rule]:
    base = plan.base_window
    sel = identity_selector(plan)
    labels = plan.identity
    rules = [
        _record(name(HOUR), f"avg_over_time({name(base)}{{{sel}}}[1h]) * {scaled(HOUR, base)}", labels)
        for name in (errors_record, total_record)
    ]
    rules += [
        _record(ratio_record(plan.period), window_ratio(plan, plan.period), labels),
        _record("slo:objective:ratio", f"vector({plan.objective!r})", labels),
        _record("slo:error_budget:ratio", f"vector({plan.error_budget!r})", labels),
        _record("slo:period:seconds", f"vector({plan.period})", labels),
        _record(
            "slo:error_budget_remaining:ratio",
            f"1 - {ratio_record(plan.period)}{{{sel}}} / {plan.error_budget!r}",
            labels,
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


Part = TypeVar("Part", bound=Sized)


def _pack(parts: list[Part]) -> list[list[Part]]:
    """Fill groups in order without splitting one SLO's rules (a part) across groups."""
    chunks: list[list[Part]] = []
    size = 0
    for part in parts:
        if not len(part):
            continue
        if chunks and size + len(part) <= MAX_RULES_PER_GROUP:
            chunks[-1].append(part)
            size += len(part)
        else:
            chunks.append([part])
            size = len(part)
    return chunks


def _layout(plans: list[SLOPlan], owner: str, part: Callable[[int, SLOPlan], Part]) -> list[tuple[str, int, list[Part]]]:
    """(name, interval, parts) of every group, in order.

    `part(speed, plan)` is the plan's rules at SPEEDS[speed]; only its length decides
    the layout, so the names can be laid out from counts (`slo_rule_group_names`).
    """
    found: list[tuple[str, int, list[Part]]] = []
    for index, (speed, _build, fixed_interval) in enumerate(SPEEDS):
        by_interval: dict[int, list[Part]] = {}
        for plan in plans:
            interval = max(fixed_interval or 0, plan.evaluation_interval)
            by_interval.setdefault(interval, []).append(part(index, plan))
        for interval, parts in sorted(by_interval.items()):
            suffix = "" if len(by_interval) == 1 else f"-{format_duration(interval)}"
            name = f"slo:{owner}:{speed}{suffix}"
            chunks = _pack(parts)
            found += [(name if len(chunks) == 1 else f"{name}:{n}", interval, chunk) for n, chunk in enumerate(chunks, start=1)]
    return found


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
    return [
        {"name": name, "interval": format_duration(interval), "rules": [rule for rules in parts for rule in rules]}
        for name, interval, parts in _layout(plans, owner, lambda speed, plan: SPEEDS[speed][1](plan, grafana_url))
    ]


def slo_rule_group_names(plans: list[SLOPlan], owner: str) -> list[str]:
    """The names of `slo_rule_groups(plans, ..., owner)` in order, from rule counts: without building the rules."""
    return [name for name, _, _ in _layout(plans, owner, lambda speed, plan: range(rule_counts(plan)[speed]))]


_SHAPES: dict[tuple[Any, ...], tuple[tuple[int, ...], frozenset[str]]] = {}
_SHAPES_LIMIT = 100_000


def _shape(plan: SLOPlan) -> tuple[tuple[int, ...], frozenset[str]]:
    """The rule count at each speed of SPEEDS and the recorded names of `plan`'s rules.

    Both follow from the rule windows (`rule_windows`, keyed here on its inputs) and
    the alerting switches, not from names or the SLI, so the rules of one SLO of each
    shape are built and counted.
    """
    alerting = plan.slo.alerting
    key = (
        plan.windows, plan.base_window, plan.error_budget, plan.evaluation_interval, plan.period,
        alerting.page, alerting.ticket, alerting.absent, alerting.budget_exhausted,
    )
    found = _SHAPES.get(key)
    if found is None:
        if len(_SHAPES) >= _SHAPES_LIMIT:
            _SHAPES.clear()
        built = [build(plan, "") for _speed, build, _interval in SPEEDS]
        records = frozenset(rule["record"] for rules in built for rule in rules if "record" in rule)
        found = _SHAPES[key] = (tuple(len(rules) for rules in built), records)
    return found


def rule_counts(plan: SLOPlan) -> tuple[int, ...]:
    """How many rules `plan` has at each speed of SPEEDS (for the test files, which need only
    the group names)."""
    return _shape(plan)[0]


def record_names(plan: SLOPlan) -> frozenset[str]:
    """The names `plan`'s rules record (for federation, which needs only the names)."""
    return _shape(plan)[1]
