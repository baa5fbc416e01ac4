"""SLO test scenarios as data: traffic and, per check time, the alerts the rule model expects.

Scenarios depend on an SLO's shape (objective, windows, period, alerting
switches, input kind), not on its names, so their outcomes are computed once
per shape and shared: 3,000 SLOs of three shapes cost three model runs each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lgtmgen.catalog.models.base import format_duration
from lgtmgen.generators.slo.feeds import Layout, Traffic, floor_events_per_step
from lgtmgen.generators.slo.model import RuleModel, Verdict
from lgtmgen.generators.slo.records import HOUR, SLOW_INTERVAL, fast_pair, uses_hourly
from lgtmgen.plan import BurnWindow, SLOPlan

STEADY_CHECK = 2 * SLOW_INTERVAL
"""Steady traffic makes every window's ratio exact from the first full base window on."""


def traffic_of(e: int, segments: list[tuple[int, float, float]]) -> Traffic:
    total, errors = [0.0], [0.0]
    for steps, per_step, errors_per_step in segments:
        total += [per_step] * steps
        errors += [errors_per_step] * steps
    return Traffic(e, tuple(total), tuple(errors))


def per_step_events(plan: SLOPlan, low: bool = False) -> float:
    """Events per evaluation step: twice the event floor over the shortest long window (a quarter, if `low`)."""
    if low:
        pair = fast_pair(plan) or plan.windows[0]
        return plan.slo.alerting.min_events * plan.evaluation_interval / (4 * pair.long)
    return float(max(10, floor_events_per_step(plan)))


def shape_key(plan: SLOPlan, layout: Layout) -> tuple[Any, ...]:
    """Everything a scenario's traffic and expected alerts depend on: SLOs of one shape share them."""
    a = plan.slo.alerting
    return (
        plan.objective, plan.period, plan.windows, plan.evaluation_interval,
        a.min_events, a.page, a.ticket, a.budget_exhausted, layout.shape,
    )


def full_history(plan: SLOPlan) -> int:
    """Clean traffic that fills every window shorter than a day (and the period, if shorter), plus B."""
    windows = [w for b in plan.windows for w in (b.long, b.short) if not uses_hourly(w)]
    if not uses_hourly(plan.period):
        windows.append(plan.period)
    return math.ceil(max(windows) / HOUR) * HOUR + plan.base_window


@dataclass(frozen=True, slots=True)
class Outcome:
    """A scenario's traffic and, per check time, the burn conditions expected firing."""

    traffic: Traffic
    start: int
    checks: tuple[tuple[int, tuple[BurnWindow, ...]], ...]
    ties: tuple[str, ...]


def _outage(plan: SLOPlan, layout: Layout, start: int, low_traffic: bool) -> Outcome:
    pair = fast_pair(plan)
    assert pair is not None
    e = plan.evaluation_interval
    fired = math.floor((pair.factor * plan.error_budget * pair.long + e) / e) * e
    end = start + fired
    resolved = end + pair.short + e
    per_step = per_step_events(plan, low_traffic)
    segments = [(start // e, per_step, 0.0), (fired // e, per_step, per_step), ((resolved - end) // e, per_step, 0.0)]
    traffic = traffic_of(e, segments)
    model = RuleModel(plan, traffic, layout.shape)
    checks, ties = [], []
    times = ((start - e, False), (end, not low_traffic)) + (() if low_traffic else ((resolved, False),))
    for at, page_expected in times:
        verdict = model.verdict(at // e)
        ties += [f"{t} at {format_duration(at)}" for t in verdict.ties]
        checks.append((at, ((pair,) if page_expected else ()) + tuple(others_firing(verdict, pair))))
    return Outcome(traffic, start, tuple(checks), tuple(ties))


_OUTAGES: dict[tuple[Any, ...], Outcome] = {}


def outage_outcome(plan: SLOPlan, layout: Layout, low_traffic: bool) -> Outcome:
    """The shortest whole-hour history whose expectations equal those after a full history.

    promtool's cost grows with the steps of a test, so a test starts its outage
    as early as it can without changing any expected alert: the model is run
    with the full history (every window shorter than a day filled) and with
    shorter ones.
    """
    key = (*shape_key(plan, layout), low_traffic)
    found = _OUTAGES.get(key)
    if found is None:
        e = plan.evaluation_interval
        full = math.ceil(full_history(plan) / e) * e
        found = reference = _outage(plan, layout, full, low_traffic)
        pair = fast_pair(plan)
        assert pair is not None
        first = math.ceil(pair.long / HOUR) * HOUR + plan.base_window
        for start in range(math.ceil(first / e) * e, full, HOUR):
            shorter = _outage(plan, layout, start, low_traffic)
            if shorter.checks == tuple((at - full + start, burns) for at, burns in reference.checks):
                found = shorter
                break
        _OUTAGES[key] = found
    return found


def others_firing(verdict: Verdict, page: BurnWindow | None) -> list[BurnWindow]:
    return [b for b in verdict.firing if b != page]


_STEADY: dict[tuple[Any, ...], tuple[Traffic, Verdict]] = {}


def steady_outcome(plan: SLOPlan, layout: Layout, burn: float) -> tuple[Traffic, Verdict]:
    """Traffic with errors at `burn` times the budget rate, and the alerts at `STEADY_CHECK` (shared per shape)."""
    key = (*shape_key(plan, layout), burn)
    found = _STEADY.get(key)
    if found is None:
        e = plan.evaluation_interval
        per_step = per_step_events(plan)
        traffic = traffic_of(e, [(STEADY_CHECK // e, per_step, per_step * burn * plan.error_budget)])
        found = _STEADY[key] = (traffic, RuleModel(plan, traffic, layout.shape).verdict(STEADY_CHECK // e))
    return found


__all__ = ["STEADY_CHECK", "Outcome", "full_history", "outage_outcome", "per_step_events", "steady_outcome", "traffic_of"]
