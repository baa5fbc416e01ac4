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


def _outage_length(plan: SLOPlan) -> int:
    """How long the errors of a full outage last: until the fastest page must have fired (Workbook time + e)."""
    pair = fast_pair(plan)
    assert pair is not None
    e = plan.evaluation_interval
    return math.floor((pair.factor * plan.error_budget * pair.long + e) / e) * e


def _own_checks(plan: SLOPlan, start: int, low_traffic: bool) -> tuple[tuple[int, bool], ...]:
    """An outage's check times from `start` and whether its page must fire then: not before the
    outage, by the Workbook time + e (unless below the event floor), not a short window after."""
    pair = fast_pair(plan)
    assert pair is not None
    e, end = plan.evaluation_interval, start + _outage_length(plan)
    return ((start - e, False), (end, not low_traffic)) + (() if low_traffic else ((end + pair.short + e, False),))


def _outage_traffic(plan: SLOPlan, start: int, until: int, low_traffic: bool) -> Traffic:
    e, fired = plan.evaluation_interval, _outage_length(plan)
    per_step = per_step_events(plan, low_traffic)
    return traffic_of(e, [(start // e, per_step, 0.0), (fired // e, per_step, per_step), ((until - start - fired) // e, per_step, 0.0)])


def _expected_at(model: RuleModel, pair: BurnWindow, at: int, page_expected: bool) -> tuple[tuple[BurnWindow, ...], list[str]]:
    verdict = model.verdict(at // model.e)
    ties = [f"{t} at {format_duration(at)}" for t in verdict.ties]
    return ((pair,) if page_expected else ()) + tuple(others_firing(verdict, pair)), ties


def _outage(plan: SLOPlan, layout: Layout, start: int, low_traffic: bool) -> Outcome:
    pair = fast_pair(plan)
    assert pair is not None
    times = _own_checks(plan, start, low_traffic)
    traffic = _outage_traffic(plan, start, start + _outage_length(plan) + pair.short + plan.evaluation_interval, low_traffic)
    model = RuleModel(plan, traffic, layout.shape)
    checks, ties = [], []
    for at, page_expected in times:
        burns, tied = _expected_at(model, pair, at, page_expected)
        ties += tied
        checks.append((at, burns))
    return Outcome(traffic, start, tuple(checks), tuple(ties))


_OUTAGES: dict[tuple[Any, ...], Outcome] = {}
_MEMO_LIMIT = 100_000
"""Entries of each scenario memo (keyed per SLO shape, so a catalog has few): a process that
builds many catalogs (a test run, a server) does not keep them all."""


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
        if len(_OUTAGES) >= _MEMO_LIMIT:
            _OUTAGES.clear()
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
        # Every long window holds only the STEADY_CHECK of traffic there is: twice the event floor in
        # that time, so that a burn high enough to page is never a tie with `min_events`.
        per_step = max(per_step_events(plan), math.ceil(2 * plan.slo.alerting.min_events * e / STEADY_CHECK))
        traffic = traffic_of(e, [(STEADY_CHECK // e, per_step, per_step * burn * plan.error_budget)])
        found = _STEADY[key] = (traffic, RuleModel(plan, traffic, layout.shape).verdict(STEADY_CHECK // e))
    return found


@dataclass(frozen=True, slots=True)
class Staggered:
    """Full outages of several SLOs of one service in one test, one after the other.

    Per SLO (in the order given): its traffic, when its outage starts, and its
    expected burn conditions at every check time of the test (`times`).
    """

    traffics: tuple[Traffic, ...]
    starts: tuple[int, ...]
    times: tuple[int, ...]
    expected: tuple[tuple[tuple[BurnWindow, ...], ...], ...]
    """expected[k][n]: the conditions of SLO k expected firing at times[n]."""


_STAGGERED: dict[tuple[Any, ...], Staggered | None] = {}


def staggered_outages(slos: list[tuple[SLOPlan, Layout]]) -> Staggered | None:
    """One test's full outages of every SLO in `slos`, each starting when the previous one has paged.

    promtool evaluates every rule of a service's file at every step of every
    test, whichever SLO the test is about, so separate outage tests cost the sum
    of their steps (each with its own clean history, hours long) and one staggered
    test the longest history plus every SLO's outage (minutes each). Each
    SLO starts its outage one evaluation after the previous one's page check
    (an SLO whose rules read another's series would page too early or too late),
    keeps the very expectations of its own outage test at its own check times
    (else None: the caller tests them apart), and is expected, at the other
    SLOs' check times, to raise what the rule model computes (a tie there:
    None as well).
    Outages below the event floor are not staggered: their tests check nothing
    after the outage, so the model was never held to promtool there.
    """
    key = tuple(shape_key(plan, layout) for plan, layout in slos)
    if key in _STAGGERED:
        return _STAGGERED[key]
    if len(_STAGGERED) >= _MEMO_LIMIT:
        _STAGGERED.clear()
    found = _STAGGERED[key] = _stagger(slos)
    return found


def _stagger(slos: list[tuple[SLOPlan, Layout]]) -> Staggered | None:
    outcomes = [outage_outcome(plan, layout, False) for plan, layout in slos]
    if any(o.ties for o in outcomes):
        return None  # their own tests name the ties
    e = slos[0][0].evaluation_interval
    starts, start = [], max(o.start for o in outcomes)
    for plan, _ in slos:
        starts.append(start)
        start += _outage_length(plan) + e
    own = [_own_checks(plan, at, False) for (plan, _), at in zip(slos, starts, strict=True)]
    until = max(at for checks in own for at, _ in checks)
    times = tuple(sorted({at for checks in own for at, _ in checks}))
    traffics, expected = [], []
    for (plan, layout), at, checks, outcome in zip(slos, starts, own, outcomes, strict=True):
        pair = fast_pair(plan)
        assert pair is not None
        traffic = _outage_traffic(plan, at, until, False)
        model = RuleModel(plan, traffic, layout.shape)
        page_expected = dict(checks)
        per_time = []
        for t in times:
            if t in page_expected:
                burns, tied = _expected_at(model, pair, t, page_expected[t])
            else:
                verdict = model.verdict(t // e)
                burns, tied = verdict.firing, list(verdict.ties)
            if tied:
                return None
            per_time.append(burns)
        mine = tuple((t - at + outcome.start, burns) for t, burns in zip(times, per_time, strict=True) if t in page_expected)
        if mine != outcome.checks:
            return None
        traffics.append(traffic)
        expected.append(tuple(per_time))
    return Staggered(tuple(traffics), tuple(starts), times, tuple(expected))


__all__ = [
    "STEADY_CHECK",
    "Outcome",
    "Staggered",
    "full_history",
    "outage_outcome",
    "per_step_events",
    "staggered_outages",
    "steady_outcome",
    "traffic_of",
]
