"""Anomaly bands on the service dashboard: each watched signal with its prediction and band.

The panels read the records of `lgtmgen.generators.anomaly` (built from the same
Plan), so they show exactly what the `ServiceAnomaly` alerts compare. The band is
drawn as the lower edge with the band's width stacked on it; its series have fixed
names, so a panel must show one cluster: with several, every cluster's band would be
stacked into one. Each panel is therefore repeated per value of the dashboard's
`cluster` variable (which defaults to All).
"""

from __future__ import annotations

from typing import Any

import grafanalib.core as g  # type: ignore[import-untyped]

from lgtmgen.catalog.models import Service
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.generators.anomaly.signals import Signal, service_signals
from lgtmgen.generators.grafana import queries as q
from lgtmgen.generators.grafana.layout import Grid, prom, timeseries
from lgtmgen.generators.grafana.panel_skeletons import deferred
from lgtmgen.plan import Plan
from lgtmgen.promql import matchers

VALUE, PREDICTION, LOWER, BAND = "value", "prediction", "lower band", "band"
BAND_COLOR = "rgba(115, 191, 105, 0.5)"
BAND_STACK = {"mode": "normal", "group": "anomaly-band"}
CLUSTER_VARIABLE = "cluster"
"""The service dashboard's cluster variable (`q.CLUSTER_MATCHER` reads it): one panel per cluster."""

_UNITS = {"requests": "reqps", "errors": "percentunit", "latency": "s"}
_TITLES = {"requests": "Request rate", "errors": "Error ratio", "latency": "Latency"}


def _by_name(name: str, *properties: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    # byNames with an options object, and object values only: the dashboard schema types both as objects.
    return {
        "matcher": {"id": "byNames", "options": {"mode": "include", "names": [name]}},
        "properties": [{"id": key, "value": value} for key, value in properties],
    }


BAND_OVERRIDES = [
    # The band is the lower edge (invisible) with the band's width stacked on it: the filled
    # area then spans lower to upper, without `fillBelowTo` (a string the schema does not allow).
    _by_name(
        LOWER,
        ("custom.stacking", BAND_STACK),
        ("color", {"mode": "fixed", "fixedColor": "transparent"}),
        ("custom.hideFrom", {"legend": True, "tooltip": True, "viz": False}),
    ),
    _by_name(BAND, ("custom.stacking", BAND_STACK), ("color", {"mode": "fixed", "fixedColor": BAND_COLOR})),
    _by_name(PREDICTION, ("custom.lineStyle", {"fill": "dash", "dash": [10, 10]})),
]
"""Constant, so every band panel has one shape (`panel_skeletons`)."""


def _description(signal: Signal) -> str:
    settings = signal.settings
    return (
        f"The signal every 5m, its prediction from the same time one season ({settings.season}) earlier "
        f"corrected by the trend, and the band of ± {settings.sensitivity:g} standard deviations of the last "
        f"season in which it is normal (shaded; its tooltip value is the band's width). ServiceAnomaly "
        f"fires after {settings.for_} outside the band. One panel per cluster."
    )


def anomaly_panels(grid: Grid, plan: Plan, service: Service) -> None:
    """A row of band panels, one per watched signal, for a service that opts in to anomaly detection."""
    signals = service_signals(service, parse_duration(plan.catalog.defaults.scrape_interval))
    if not signals:
        return
    grid.section("Anomaly bands")
    width = max(24 // len(signals), 8)
    for signal in signals:
        sel = "{" + matchers(dict(signal.labels), q.CLUSTER_MATCHER) + "}"
        targets = [
            prom(f"{signal.record}{sel}", VALUE, "A"),
            prom(f"{signal.derived('prediction')}{sel}", PREDICTION, "B"),
            prom(f"{signal.derived('lower_band')}{sel}", LOWER, "C"),
            prom(f"{signal.derived('upper_band')}{sel}\n- {signal.derived('lower_band')}{sel}", BAND, "D"),
        ]
        grid.add(
            timeseries(
                f"{_TITLES[signal.kind]} and its anomaly band",
                targets,
                _UNITS[signal.kind],
                _description(signal),
                overrides=BAND_OVERRIDES,
                # Below each other: one panel per selected cluster, each with its own band.
                repeat=deferred(g.Repeat)(direction="v", variable=CLUSTER_VARIABLE),
            ),
            width=width,
        )
