"""SLO compliance periods within a range the burn-rate alerts can work with.

Burn-rate windows and factors are derived from the period (`lgtmgen.plan.burn_windows`):
windows shrink with it but never below four scrape intervals, and the factor is
budget share × period ÷ window, never below 1. A period of a few seconds therefore
collapses every condition onto the minimum window at the budget-neutral factor (no
fast burn told from a slow one); a period of years asks for a range query over more
raw data than any tier keeps. At least an hour keeps the derived conditions apart; at
most a year matches the longest retention tiers.

Check id: ``catalog/slo-period-range``, at the key that sets the period.
"""

from __future__ import annotations

from lgtmgen.catalog.models import Catalog
from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.catalog.positions import PathStep
from lgtmgen.catalog.semantics import Reporter

PERIOD_RANGE = "catalog/slo-period-range"
MIN_PERIOD = 3600.0
MAX_PERIOD = 365 * 86400.0


def _check(period: str, path: list[PathStep], report: Reporter) -> None:
    seconds = parse_duration(period)
    if MIN_PERIOD <= seconds <= MAX_PERIOD:
        return
    bound = "shorter than 1h" if seconds < MIN_PERIOD else "longer than 1y"
    report.add(
        PERIOD_RANGE,
        f"an SLO period of {period} is {bound}; burn-rate windows and factors derived from it "
        "would not work",
        path,
        hint=f"use a period between {format_duration(MIN_PERIOD)} and 1y, typically 28d or 30d",
    )


def slo_periods_are_sane(catalog: Catalog, report: Reporter) -> None:
    """The default period, each SLO's and each journey's lie between 1h and 1y."""
    _check(catalog.defaults.slo_period, ["defaults", "slo_period"], report)
    for s, service in enumerate(catalog.services):
        for n, slo in enumerate(service.slos):
            if slo.period is not None:
                _check(slo.period, ["services", s, "slos", n, "period"], report)
    for j, journey in enumerate(catalog.journeys):
        if journey.slo.period is not None:
            _check(journey.slo.period, ["journeys", j, "slo", "period"], report)
