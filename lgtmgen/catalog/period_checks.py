"""SLO compliance periods within a range the burn-rate alerts can work with.

Burn-rate windows and factors are derived from the period (`lgtmgen.plan.burn_windows`):
windows shrink with it but never below four scrape intervals, and the factor is
budget share × period ÷ window, never below 1. A period of a few seconds therefore
collapses every condition onto the minimum window at the budget-neutral factor (no
fast burn told from a slow one); a period of years asks for a range query over more
raw data than any tier keeps. At least an hour keeps the derived conditions apart; at
most a year matches the longest retention tiers.

Check id: ``catalog/slo-period-range``, at the key that sets the period.

Short periods stretch the windows to their minimum, where the fastest page's long and short
windows can coincide (a 1d period at 30s scrapes: 2m and 2m). Such a condition is a single window:
it pages on a burst as short as that window, which the long window exists to ignore. A warning
names the shortest period that keeps them apart (``catalog/slo-period-windows-coincide``).

An SLO's rules read its tenant's series over the whole period: a period longer than the
tenant's metrics retention (its Mimir tier's, or the roll-up's) computes the budget from the
part still kept and stretches it to the period (``catalog/slo-period-beyond-retention``).
"""

from __future__ import annotations

import functools

from lgtmgen.burn_windows import derived_windows
from lgtmgen.catalog.models import Catalog, Defaults
from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.catalog.positions import PathStep
from lgtmgen.catalog.semantics import Reporter
from lgtmgen.diagnostics import Severity

PERIOD_RANGE = "catalog/slo-period-range"
WINDOWS_COINCIDE = "catalog/slo-period-windows-coincide"
BEYOND_RETENTION = "catalog/slo-period-beyond-retention"
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


def _coinciding(period: float, defaults: Defaults) -> bool:
    return any(w.long == w.short for w in derived_windows(period, defaults))


@functools.lru_cache(maxsize=256)
def _shortest_apart(period: float, scrape_interval: str, evaluation_interval: str) -> float | None:
    """The shortest whole number of hours from `period` whose derived windows are all apart; None
    when even a year's are not. Remembered: every SLO of a catalog may ask for the same period."""
    defaults = Defaults(scrape_interval=scrape_interval, evaluation_interval=evaluation_interval)
    hours = max(1, int(period // 3600))
    while hours <= MAX_PERIOD // 3600:
        if not _coinciding(hours * 3600.0, defaults):
            return hours * 3600.0
        hours += 1
    return None


def _check_windows(
    period: str, path: list[PathStep], defaults: Defaults, report: Reporter, declarable: bool = True
) -> None:
    seconds = parse_duration(period)
    if not MIN_PERIOD <= seconds <= MAX_PERIOD or not _coinciding(seconds, defaults):
        return
    same = next(w for w in derived_windows(seconds, defaults) if w.long == w.short)
    apart = _shortest_apart(seconds, defaults.scrape_interval, defaults.evaluation_interval)
    ways = [f"use a period of at least {format_duration(apart)}"] if apart is not None else []
    ways += ["declare alerting.windows"] if declarable else []
    report.add(
        WINDOWS_COINCIDE,
        f"an SLO period of {period} stretches the {same.severity}'s windows to {format_duration(same.long)} "
        f"and {format_duration(same.short)} at these scrape and evaluation intervals: a single window, "
        "which pages on a burst that short",
        path,
        severity=Severity.WARNING,
        hint=", or ".join(ways) if ways else "shorten the scrape and evaluation intervals",
    )


def slo_periods_are_sane(catalog: Catalog, report: Reporter) -> None:
    """The default period, each SLO's and each journey's lie between 1h and 1y, and keep their
    derived windows apart (SLOs that declare their windows are their own judge)."""
    defaults = catalog.defaults
    _check(defaults.slo_period, ["defaults", "slo_period"], report)
    default_windows_used = False
    for s, service in enumerate(catalog.services):
        for n, slo in enumerate(service.slos):
            if slo.period is not None:
                _check(slo.period, ["services", s, "slos", n, "period"], report)
            if slo.alerting.windows is None:
                if slo.period is not None:
                    _check_windows(slo.period, ["services", s, "slos", n, "period"], defaults, report)
                else:
                    default_windows_used = True
    for j, journey in enumerate(catalog.journeys):
        if journey.slo.period is not None:
            _check(journey.slo.period, ["journeys", j, "slo", "period"], report)
            _check_windows(journey.slo.period, ["journeys", j, "slo", "period"], defaults, report, declarable=False)
        else:
            default_windows_used = True
    if default_windows_used:
        _check_windows(defaults.slo_period, ["defaults", "slo_period"], defaults, report)


def _metrics_retention(catalog: Catalog, tenant: str) -> float | None:
    """Seconds of metrics Mimir keeps for `tenant`: the roll-up's, else its tier's; None for
    Mimir's default (kept for ever) or a tenant the catalog does not declare."""
    mimir = catalog.mimir
    if mimir.rollup is not None and mimir.rollup.tenant == tenant:
        return parse_duration(mimir.rollup.retention)
    declared = next((t for t in catalog.tenants if t.name == tenant), None)
    tier = mimir.tiers.get(declared.tier) if declared is not None and declared.tier else None
    return parse_duration(tier.retention) if tier is not None else None


def slo_periods_fit_retention(catalog: Catalog, report: Reporter) -> None:
    """Each SLO's period fits in the metrics retention of its service's tenant."""
    for s, service in enumerate(catalog.services):
        retention = _metrics_retention(catalog, service.tenant)
        if retention is None:
            continue
        for n, slo in enumerate(service.slos):
            period = slo.period or catalog.defaults.slo_period
            if parse_duration(period) <= retention:
                continue
            where: list[PathStep] = ["services", s, "slos", n, "period"] if slo.period else ["services", s, "tenant"]
            report.add(
                BEYOND_RETENTION,
                f"SLO {slo.name!r} of {service.name!r} is measured over {period}, but tenant {service.tenant!r} "
                f"keeps metrics for {format_duration(retention)}: its budget would come from the part still kept",
                where,
                hint=f"give the SLO a period of at most {format_duration(retention)}, or the tenant a tier that keeps more",
            )
