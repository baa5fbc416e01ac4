"""Multiwindow, multi-burn-rate conditions of an SLO: derived from its period, or declared.

A module of its own (like `lgtmgen.slices`) so that the catalog checks and the Plan read the
same windows.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Literal

from lgtmgen.catalog.models import SLO, Defaults
from lgtmgen.catalog.models.base import parse_duration

Severity = Literal["page", "ticket"]

# SRE Workbook multiwindow, multi-burn-rate alerts for a 30-day period:
# (severity, share of the budget spent, long window in seconds).
WORKBOOK_30D: tuple[tuple[Severity, float, int], ...] = (
    ("page", 0.02, 3600),
    ("page", 0.05, 6 * 3600),
    ("ticket", 0.10, 86400),
    ("ticket", 0.10, 3 * 86400),
)
WORKBOOK_PERIOD = 30 * 86400
SHORT_WINDOW_DIVISOR = 12


@dataclass(frozen=True, slots=True)
class BurnWindow:
    """One multiwindow burn-rate condition: both windows above factor × budget."""

    severity: Severity
    long: int
    short: int
    factor: float

    def can_fire(self, error_budget: float) -> bool:
        """Whether the condition's error ratio stays below every event failing."""
        return burn_can_fire(self.factor, error_budget)


def burn_can_fire(factor: float, error_budget: float) -> bool:
    """A burn of `factor` times the budget needs an error ratio of factor × budget: at 1 or more,
    more events would have to fail than there are."""
    return factor * error_budget < 1


@functools.lru_cache(maxsize=1024)
def burn_windows(period: float, min_window: float, evaluation_interval: int = 1) -> tuple[BurnWindow, ...]:
    """Windows scale with the period and factors follow from the budget share.

    For 30d this gives the Workbook's 1h/5m 14.4x, 6h/30m 6x, 1d/2h 3x, 3d/6h 1x.
    Windows are whole minutes and never shorter than `min_window` (`shortest_burn_window`:
    four scrape intervals, two evaluation intervals), so a rate always sees enough samples. A short window is a
    whole number of `evaluation_interval`s (of minutes too, when it has to be stretched). A long window is a whole
    number of its short windows (28d: 55m and 5m, not 56m): the fastest page sums
    its long window from back-to-back short-window counts, and a remainder would
    leave it to an average that fills slowly, paging later than the Workbook time
    after a full outage. Short periods stretch windows to that minimum, and conditions then
    coincide (a 1h period at 30s scrapes puts both pages on 2m and 2m, at 0.6x and 1.5x): of
    one severity on the same windows only the larger factor is kept, no factor is below 1 (a
    budget-neutral burn: the SLO is being met), and a ticket on a page's windows with a factor at least the
    page's is dropped, since it could never fire without the page.
    """
    out: dict[tuple[str, int, int], BurnWindow] = {}
    for severity, share, long_30d in WORKBOOK_30D:
        scaled = max(round(long_30d * period / WORKBOOK_PERIOD / 60) * 60, min_window)
        short = int(max(round(scaled / SHORT_WINDOW_DIVISOR / 60) * 60, min_window))
        if short % evaluation_interval:
            # A whole number of evaluations (and of minutes): the base count is recorded once per
            # evaluation, and the fastest page sums its long window from back-to-back base
            # counts (every 2m or 45s: 6m, not 5m).
            step = math.lcm(60, evaluation_interval)
            short = -(-short // step) * step
        long = short * max(round(scaled / short), 1)
        factor = max(round(share * period / long, 6), 1.0)  # stretched windows: never below budget-neutral
        kept = out.get((severity, long, short))
        if kept is None or factor > kept.factor:
            out[(severity, long, short)] = BurnWindow(severity, long, short, factor)
    pages = {(w.long, w.short): w.factor for w in out.values() if w.severity == "page"}
    return tuple(
        w for w in out.values() if w.severity == "page" or w.factor < pages.get((w.long, w.short), math.inf)
    )


def derived_windows(period: float, defaults: Defaults) -> tuple[BurnWindow, ...]:
    """The windows of an SLO or journey of `period` that declares none, for the catalog's intervals."""
    interval = int(parse_duration(defaults.evaluation_interval))
    return burn_windows(period, shortest_burn_window(defaults), interval)


def shortest_burn_window(defaults: Defaults) -> float:
    """The shortest window `burn_windows` may derive: four scrape intervals, and two evaluation intervals.

    Four scrapes give a rate enough samples. The base count over the shortest window is
    recorded once per evaluation: a window no longer than the interval leaves events between
    two evaluations uncounted (longer interval) or rests on a single evaluation, so the fast
    page could neither be timed nor tested; two intervals keep every event counted.
    """
    return max(4 * parse_duration(defaults.scrape_interval), 2 * parse_duration(defaults.evaluation_interval))


def override_windows(slo: SLO) -> tuple[BurnWindow, ...] | None:
    """The SLO's own burn-rate windows, when it declares them."""
    if slo.alerting.windows is None:
        return None
    return tuple(
        BurnWindow(w.severity, int(parse_duration(w.long)), int(parse_duration(w.short)), w.factor)
        for w in slo.alerting.windows
    )


__all__ = ["SHORT_WINDOW_DIVISOR", "WORKBOOK_30D", "WORKBOOK_PERIOD", "BurnWindow", "Severity", "burn_can_fire", "burn_windows", "derived_windows", "override_windows", "shortest_burn_window"]
