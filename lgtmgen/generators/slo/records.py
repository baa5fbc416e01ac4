"""Recorded SLO series and the cheap long-window formulas built on them.

The fast group records, every evaluation interval, the error and total events
of the base window B (the shortest burn-rate window) from the raw series. A
longer window W is derived without reading raw series again, by averaging
rather than summing, so the result does not depend on how often the inputs
were sampled (promtool samples every group at one interval; a restart or a
skipped evaluation drops samples in production):

    events(W) = events_B(t) + avg_over_time(events_B[W - B] offset B) * (W - B) / B

The first term is exact for the latest B; the older part averages rolling
B-long counts (steady traffic: exact; a step change: seen up to B/2 late in the
older part). The windows of the fastest page are exact instead, as a sum of
back-to-back slices

    events(W) = events_B(t) + events_B(t - B) + ... + events_B(t - W + B)

so the page is never slower than the straightforward rate over W (needed only
when the page's detection time exceeds B; sooner, the first form is exact).
Windows of a day or more read hourly totals (recorded once an hour):

    events(W) = avg_over_time(events_1h[W]) * W / 1h

so the 30-day period reads 720 samples, not 86,400, and a window that holds
71 or 73 hourly samples (alignment) or fewer (a restart) still counts W.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from lgtmgen.catalog.models.base import format_duration
from lgtmgen.plan import BurnWindow, SLOPlan
from lgtmgen.slices import fastest_page, needs_slices, sliceable

HOUR = 3600
HOURLY_FROM = 86400
"""Windows at least this long are averaged from the hourly records (whole hours or not: the average
times W / 1h counts W either way, to within the hour the hourly records lag)."""
SLOW_INTERVAL = 300


def errors_record(window: int) -> str:
    return f"slo:sli_error_events:increase{format_duration(window)}"


def total_record(window: int) -> str:
    return f"slo:sli_events:increase{format_duration(window)}"


def ratio_record(window: int) -> str:
    return f"slo:sli_error:ratio_rate{format_duration(window)}"


def identity_selector(plan: SLOPlan) -> str:
    return plan.identity_selector


def uses_hourly(window: int) -> bool:
    return window >= HOURLY_FROM


@dataclass(frozen=True, slots=True)
class RuleWindows:
    """Which windows an SLO's rules record and how: the same for every SLO of one shape.

    `pair` is the fastest page condition (`fast_pair`), `fast` and `slow` the
    ratio windows of the fast and slow groups, `exact` the windows summed from
    back-to-back base-window slices (`exact_slices`).
    """

    pair: BurnWindow | None
    fast: tuple[int, ...]
    slow: tuple[int, ...]
    exact: frozenset[int]


def rule_windows(plan: SLOPlan) -> RuleWindows:
    """The windows of `plan`'s rules, computed once per shape (every rule and test reads them, many times)."""
    return _rule_windows(
        plan.windows, plan.slo.alerting.page, plan.base_window, plan.error_budget, plan.evaluation_interval, plan.period
    )


@functools.lru_cache(maxsize=1024)
def _rule_windows(
    windows: tuple[BurnWindow, ...], page: bool, base: int, error_budget: float, interval: int, period: int
) -> RuleWindows:
    pair = fastest_page(windows, page)
    fast = tuple(sorted({base, *((pair.short, pair.long) if pair else ())}))
    every = {w for b in windows for w in (b.long, b.short)}
    slow = tuple(sorted(every - set(fast) - {period}))
    sliced = needs_slices(pair, base, error_budget)
    exact = frozenset(w for w in fast if sliced and sliceable(w, base, interval))
    return RuleWindows(pair, fast, slow, exact)


def exact_slices(plan: SLOPlan, window: int) -> bool:
    """Whether `window` is summed from back-to-back base-window slices.

    Only the fastest page's windows need it, and only when its detection time
    at a full outage exceeds the base window: sooner, every error is still in
    the exact latest slice.
    """
    return window in rule_windows(plan).exact


def window_events(plan: SLOPlan, record: str, window: int) -> str:
    """Events over `window` from the recorded base-window counts named `record`."""
    return _window_events(plan, record, window, window in rule_windows(plan).exact)


def _window_events(plan: SLOPlan, record: str, window: int, exact: bool) -> str:
    base = plan.base_window
    sel = f"{record}{format_duration(base)}{{{identity_selector(plan)}}}"
    if window == base:
        return sel
    if exact:
        slices = [f"({sel} offset {format_duration(k * base)} or 0 * {sel})" for k in range(1, window // base)]
        return "(" + " + ".join([sel, *slices]) + ")"
    if uses_hourly(window):
        hourly = f"{record}{format_duration(HOUR)}{{{identity_selector(plan)}}}"
        return f"(avg_over_time({hourly}[{format_duration(window)}]) * {scaled(window, HOUR)})"
    older = f"avg_over_time({sel}[{format_duration(window - base)}] offset {format_duration(base)})"
    return f"({sel} + ({older} * {scaled(window - base, base)} or 0 * {sel}))"


@functools.lru_cache(maxsize=1024)
def scaled(window: int, slice_: int) -> str:
    """How many `slice_`-long slices fill `window`, as a PromQL number."""
    return repr(round(window / slice_, 12)).removesuffix(".0")


def window_ratio(plan: SLOPlan, window: int) -> str:
    return _window_ratio(plan, window, window in rule_windows(plan).exact)


def window_ratios(plan: SLOPlan, windows: Iterable[int]) -> list[tuple[int, str]]:
    """(window, `window_ratio`) of each of `windows`, the SLO's rule windows looked up once."""
    exact = rule_windows(plan).exact
    return [(window, _window_ratio(plan, window, window in exact)) for window in windows]


def _window_ratio(plan: SLOPlan, window: int, exact: bool) -> str:
    errors = _window_events(plan, "slo:sli_error_events:increase", window, exact)
    total = _window_events(plan, "slo:sli_events:increase", window, exact)
    return f"{errors}\n/\n{total}"


def fast_pair(plan: SLOPlan) -> BurnWindow | None:
    """The page condition with the shortest long window: it decides the page detection time."""
    return rule_windows(plan).pair

