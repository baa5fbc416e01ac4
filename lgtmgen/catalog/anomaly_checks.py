"""Semantic checks of anomaly detection: every watched signal must be measurable from the service's metrics."""

from __future__ import annotations

from lgtmgen.catalog.conventions import resolve_metrics
from lgtmgen.catalog.models import Catalog
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.catalog.positions import PathStep
from lgtmgen.catalog.semantics import Reporter

NO_REQUESTS = "catalog/anomaly-no-requests-metric"
NO_ERROR_STATUS = "catalog/anomaly-no-error-status"
NO_DURATION = "catalog/anomaly-no-duration-metric"
DUPLICATE_SIGNAL = "catalog/anomaly-duplicate-signal"
FOR_TOO_SHORT = "catalog/anomaly-for-too-short"

ANOMALY_INTERVAL = 300
"""Seconds between evaluations of the anomaly groups (`generators/anomaly`): their week-long
statistics read one sample per 5m, not one per evaluation interval."""


def anomaly_signals_are_measurable(catalog: Catalog, report: Reporter) -> None:
    """Each signal a service watches can be computed from its metric conventions, once, and `for` spans an evaluation."""
    for index, service in enumerate(catalog.services):
        anomaly = service.anomaly
        if anomaly is None:
            continue
        base: list[PathStep] = ["services", index, "anomaly"]
        metrics = resolve_metrics(service)
        if not metrics.requests:
            # Every signal needs it: the rate itself, the ratio's denominator, the traffic floor of latency.
            report.add(
                NO_REQUESTS,
                f"service {service.name!r} watches anomalies but names no requests metric "
                "(its `custom` convention needs metrics.requests_metric)",
                base,
                hint="set metrics.requests_metric, or remove `anomaly`",
            )
        seen: set[str] = set()
        for position, signal in enumerate(anomaly.signals):
            where: list[PathStep] = [*base, "signals", position]
            if signal in seen:
                report.add(DUPLICATE_SIGNAL, f"signal {signal!r} is listed twice", where)
            seen.add(signal)
            if signal == "errors" and not (metrics.status_label and metrics.error_status_regex):
                report.add(
                    NO_ERROR_STATUS,
                    f"service {service.name!r} cannot watch errors: its metrics name no status label "
                    "and error status regex",
                    where,
                    hint="set metrics.status_label and metrics.error_status_regex, or drop `errors`",
                )
            if signal == "latency" and not metrics.duration:
                report.add(
                    NO_DURATION,
                    f"service {service.name!r} cannot watch latency: its metrics name no duration histogram",
                    where,
                    hint="set metrics.duration_metric, or drop `latency`",
                )
        if parse_duration(anomaly.for_) < ANOMALY_INTERVAL:
            report.add(
                FOR_TOO_SHORT,
                f"`for: {anomaly.for_}` is shorter than the 5m between evaluations of the anomaly rules",
                [*base, "for"],
                hint="use 5m or more (15m by default)",
            )
