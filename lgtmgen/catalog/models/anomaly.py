"""Anomaly detection of a service: seasonal z-score bands around its RED signals, and tickets when they leave them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lgtmgen.catalog.models.base import Duration, Strict

AnomalySignal = Literal["requests", "errors", "latency"]
"""`requests`: request rate; `errors`: error ratio; `latency`: a latency percentile."""

ANOMALY_SIGNALS: tuple[AnomalySignal, ...] = ("requests", "errors", "latency")


class AnomalyDetection(Strict):
    """Seasonal anomaly bands and adaptive-threshold alerts for a service (opt-in: they are noisier than SLO alerts).

    Each signal is recorded every 5m. Its prediction is its mean around the same time
    one season earlier, corrected by the trend (a recent window's mean against the same
    window one season earlier); the band is the prediction ± sensitivity × the signal's
    standard deviation over a season. The alert fires when the signal stays outside the
    band for `for`, in the direction that hurts. Nothing fires until the rules have run
    for a season and a day (a daily season: and 4h).
    """

    signals: list[AnomalySignal] = Field(
        default=list(ANOMALY_SIGNALS),
        min_length=1,
        description="Signals to watch: requests (rate), errors (ratio), latency (a percentile).",
    )
    sensitivity: float = Field(
        default=3.0, gt=0, le=10, description="Band half-width in standard deviations (the z-score that fires)."
    )
    season: Literal["1w", "1d"] = Field(
        default="1w",
        description="Period of the traffic pattern: the prediction reads the same time one season earlier.",
    )
    min_rate: float = Field(
        default=1.0,
        ge=0,
        description="Requests per second below which nothing fires (for a drop: the predicted rate).",
    )
    min_margin: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="The band is at least this share of the prediction on each side, so a flat signal "
        "(zero variance) does not fire on tiny changes.",
    )
    min_error_ratio: float = Field(
        default=0.01, ge=0, le=0.5, description="Error ratios below this never fire, whatever the band says."
    )
    requests: Literal["both", "drop", "surge"] = Field(
        default="both", description="Which departures of the request rate fire: a drop, a surge, or both."
    )
    latency_quantile: float = Field(
        default=0.95, gt=0, lt=1, description="Percentile of the latency signal, e.g. 0.95."
    )
    for_: Duration = Field(
        default="15m", alias="for", description="How long the signal must stay outside its band (at least 5m)."
    )
    severity: Literal["ticket", "page"] = Field(default="ticket", description="Severity of the alerts.")
