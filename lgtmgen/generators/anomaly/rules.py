"""Seasonal z-score bands and adaptive-threshold alerts of one service: one rule group per signal.

Per signal, in one group evaluated every 5m (so its records are read at the very
timestamp they are written, and a season is 2016 samples, not 20160 at 30s):

1. the signal (`service:anomaly_<metric>:<operation>`);
2. its standard deviation over a season (`stddev_over_time_<season>`): the season's
   whole swing, so the band catches departures of that size, not subtle drifts;
3. the prediction (`prediction_<season>`): the mean of the signal over a short window
   centred on the same time one season earlier, plus the trend (the mean over a day,
   or 4h for a daily season, minus the mean of the same window one season earlier);
   when last season's mean there was itself outside last season's band (an outage or a
   spike then), last season's trend-window mean replaces it, so the prediction is the
   recent mean: last week's incident does not echo as this week's anomaly;
4. the band (`upper_band_<season>`, `lower_band_<season>`): prediction ± sensitivity ×
   stddev, at least ± `min_margin` × prediction (a flat signal has no spread), the
   lower band never below 0;
5. the `ServiceAnomaly` alerts, in the directions that hurt, above the traffic floor.

The stddev and trend windows end `Signal.lag` ago (an hour, or twice `for`), so a
departure neither widens its band nor lifts its prediction before it could fire.
Until the rules have run for a season, the lag and a trend window there is no
prediction, hence no band and no alert.
"""

from __future__ import annotations

import functools
from typing import Any

from lgtmgen.catalog.anomaly_checks import ANOMALY_INTERVAL
from lgtmgen.catalog.models import Service
from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.generators.anomaly.signals import PLACEMENT, SMOOTHING, TREND, Signal, service_signals
from lgtmgen.generators.slo.alerts import dashboard_url
from lgtmgen.plan import Plan
from lgtmgen.runbook_links import service_runbook_url
from lgtmgen.templating import go_text

Rule = dict[str, Any]
ALERT = "ServiceAnomaly"
GROUP_PREFIX = "anomaly"

_WHAT = {"requests": "request rate", "errors": "error ratio", "latency": "latency"}
_DIRECTIONS = {"requests": {"both": ("drop", "surge"), "drop": ("drop",), "surge": ("surge",)}}


def signal_records(signal: Signal) -> list[Rule]:
    """The signal, its season's stddev, the prediction and the band, in evaluation order."""
    sel = signal.selector
    value = f"{signal.record}{{{sel}}}"
    season = signal.settings.season
    smoothing, trend = SMOOTHING[season], TREND[season]
    # The smoothing window is centred on the same time one season earlier.
    back = format_duration(signal.season - smoothing // 2)
    lag, lag_back = format_duration(signal.lag), format_duration(signal.lag + signal.season)
    # Last season's trend window must have data from its start: right after the rules are
    # deployed it holds only the few hours recorded so far, and the trend would be wrong.
    filled = format_duration(signal.history - smoothing)
    std, prediction = signal.derived("stddev_over_time"), signal.derived("prediction")
    z, margin = signal.settings.sensitivity, signal.settings.min_margin
    half = (
        f"(\n  {z!r} * {std}{{{sel}}} > {margin!r} * {prediction}{{{sel}}}\n"
        f"  or\n  {margin!r} * {prediction}{{{sel}}}\n)"
    )
    indented = half.replace("\n", "\n  ")
    t = format_duration(trend)
    sm, season_ago = format_duration(smoothing), format_duration(signal.season)
    reading = f"avg_over_time({value}[{sm}] offset {back})"
    # Last season's reading outside last season's band (an outage, an error spike there) would
    # echo as a departure now, or hide one: then the level is last season's trend-window mean
    # instead, so the prediction becomes the recent mean. Without a band then (warm-up), or
    # without a reading (the signal was gone), likewise the reading or the recent mean.
    # Strictly below the lower band, unlike the drop alert: a service idle at night sits at a
    # lower band of 0, and falling back to the day's mean there would raise a drop every night.
    departed = (
        f"{reading} > {signal.derived('upper_band')}{{{sel}}} offset {season_ago}\n"
        f"      or\n      {reading} < {signal.derived('lower_band')}{{{sel}}} offset {season_ago}"
    )
    level = (
        f"    {reading}\n    unless\n    (\n      {departed}\n    )\n"
        f"  or\n    avg_over_time({value}[{t}] offset {lag_back})"
    )
    return [
        {"record": signal.record, "expr": signal.expr, "labels": dict(signal.labels)},
        {"record": std, "expr": f"stddev_over_time({value}[{season}] offset {lag})"},
        {
            "record": prediction,
            "expr": (
                f"(\n  (\n{level}\n  )\n"
                f"  + avg_over_time({value}[{t}] offset {lag})\n  - avg_over_time({value}[{t}] offset {lag_back})\n)\n"
                f"and\npresent_over_time({value}[{format_duration(smoothing)}] offset {filled})"
            ),
        },
        {"record": signal.derived("upper_band"), "expr": f"{prediction}{{{sel}}}\n+ {half}"},
        {"record": signal.derived("lower_band"), "expr": f"clamp_min(\n  {prediction}{{{sel}}}\n  - {indented},\n  0\n)"},
    ]


def directions(signal: Signal) -> tuple[str, ...]:
    """The departures that fire: a drop and/or surge of requests, a rise of errors and latency."""
    return _DIRECTIONS.get(signal.kind, {}).get(signal.settings.requests, ("up",))


def alert_expr(signal: Signal, direction: str) -> str:
    sel = signal.selector
    value = f"{signal.record}{{{sel}}}"
    min_rate = signal.settings.min_rate
    if direction == "drop":
        # The traffic floor is on the expected rate, and `<=`: a drop to nothing departs even
        # from a band whose lower edge is clamped at 0 (a wide band, a large `min_margin`).
        # A signal that vanished (every pod gone, scrapes failing, a relabelling that no longer
        # matches the selector) is a rate of 0 while a prediction exists: `rate` of a stale
        # counter returns no sample at all, and the drop that matters most would stay silent.
        prediction = f"{signal.derived('prediction')}{{{sel}}}"
        return (
            f"(\n  {value}\nor\n  0 * {prediction}\n)\n<= {signal.derived('lower_band')}{{{sel}}}"
            f"\nand\n{prediction} >= {min_rate!r}"
        )
    above = f"{value} > {signal.derived('upper_band')}{{{sel}}}"
    if signal.kind == "requests":
        return f"{above}\nand\n{value} >= {min_rate!r}"
    if signal.kind == "errors":
        above += f"\nand\n{value} >= {signal.settings.min_error_ratio!r}"
    return f"{above}\nand on ({PLACEMENT})\n{signal.traffic} >= {min_rate!r}"


def alert_labels(signal: Signal, direction: str) -> dict[str, str]:
    """Labels like the SLO alerts' (severity, team, service, tier, tenant), plus signal and direction.

    Alert label values are Go templates, hence `go_text`; `cluster` comes from the series.
    """
    service = signal.service
    labels = {
        "severity": signal.settings.severity,
        "team": service.team,
        "service": service.name,
        "tier": str(service.tier),
        "tenant": service.tenant,
        "signal": signal.kind,
        "direction": direction,
    }
    return {key: go_text(value) for key, value in labels.items()}


def alert_annotations(signal: Signal, direction: str, runbooks: str, grafana_url: str) -> dict[str, str]:
    service = signal.service
    what = _WHAT[signal.kind]
    side = "below the lower" if direction == "drop" else "above the upper"
    settings = signal.settings
    return {
        "summary": f"The {what} of {go_text(service.name)} is anomalous ({direction})",
        "description": _description(what, side, settings.season, settings.sensitivity, settings.for_),
        "runbook_url": service_runbook_url(runbooks, service.name, ALERT, service.runbook_url),
        "dashboard_url": dashboard_url(grafana_url, service.name),
    }


@functools.lru_cache(maxsize=256)
def _description(what: str, side: str, season: str, z: float, for_: str) -> str:
    return (
        f"For {for_} the {what} has stayed {side} band: the value expected from the same time "
        f"one season ({season}) earlier, corrected by the trend, ± {z:g} standard deviations of the last season."
    )


def alerts(signal: Signal, runbooks: str, grafana_url: str) -> list[Rule]:
    for_ = signal.settings.for_
    return [
        {
            "alert": ALERT,
            "expr": alert_expr(signal, direction),
            "for": for_,
            # A value hovering at the band's edge would resolve and fire again every few evaluations.
            "keep_firing_for": for_,
            "labels": alert_labels(signal, direction),
            "annotations": alert_annotations(signal, direction, runbooks, grafana_url),
        }
        for direction in directions(signal)
    ]


def group_name(service: Service, signal: Signal) -> str:
    return f"{GROUP_PREFIX}:{service.name}:{signal.kind}"


def anomaly_groups(plan: Plan, service: Service) -> list[dict[str, Any]]:
    """One group per watched signal of `service` (none when it does not opt in)."""
    defaults = plan.catalog.defaults
    signals = service_signals(service, parse_duration(defaults.scrape_interval))
    interval = format_duration(max(ANOMALY_INTERVAL, parse_duration(defaults.evaluation_interval)))
    return [
        {
            "name": group_name(service, signal),
            "interval": interval,
            "rules": [*signal_records(signal), *alerts(signal, defaults.runbook_base_url, defaults.grafana_url)],
        }
        for signal in signals
    ]
