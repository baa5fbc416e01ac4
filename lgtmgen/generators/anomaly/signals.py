"""The signals anomaly detection watches, as recorded series: one record name and expression each.

A signal is recorded per cluster and environment (the labels every Prometheus adds
as external labels), with the service's `service` label. Not `team`: a team rename
would start new series, and the statistics, which read the signal one season back,
would find nothing under the new team for a whole season (the alerts add `team`
for routing). A sample that
has no meaning is dropped, never recorded as NaN: one NaN in a season would make its
mean and standard deviation NaN for a whole season.
"""

from __future__ import annotations

from dataclasses import dataclass

from lgtmgen.catalog.anomaly_checks import ANOMALY_INTERVAL
from lgtmgen.catalog.models import Service
from lgtmgen.catalog.models.anomaly import AnomalyDetection, AnomalySignal
from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.plan import RequestMetrics, resolve_metrics
from lgtmgen.promql import matchers, string_literal

PLACEMENT = "cluster, environment"
"""Labels a signal keeps, as the RED records do (`recording_rules.service_families`, which imports this
package, so it is not imported from there; a test holds them equal)."""
MIN_RATE_WINDOW = 300
MIN_LAG = 3600
SMOOTHING: dict[str, int] = {"1w": 3600, "1d": 1800}
"""Seconds averaged around the same time one season earlier: an hour of a week, half an hour of a day."""
TREND: dict[str, int] = {"1w": 86400, "1d": 4 * 3600}
"""Seconds of the trend: the mean of this window minus the mean of the same window one season earlier."""


@dataclass(frozen=True, slots=True)
class Signal:
    """One watched signal of one service: where it is recorded and how it is computed."""

    service: Service
    settings: AnomalyDetection
    kind: AnomalySignal
    metric: str
    """The metric part of every record of the signal, e.g. ``anomaly_requests``."""
    operation: str
    """The operation part of the signal's own record, e.g. ``rate5m``."""
    expr: str
    labels: tuple[tuple[str, str], ...]
    """Labels of the signal's records: `service` (and `quantile` for latency); never `team`, see above."""
    traffic: str
    """The service's request rate per cluster, from the raw counter (the low-traffic guard)."""

    @property
    def season(self) -> int:
        return int(parse_duration(self.settings.season))

    @property
    def lag(self) -> int:
        """How old the newest sample of the stddev and trend windows is: an hour, or twice `for`.

        A departure must not widen the band or shift the trend it is judged against
        before it has had time to fire (a daily season holds only 288 samples).
        """
        return int(max(MIN_LAG, 2 * parse_duration(self.settings.for_)))

    @property
    def history(self) -> int:
        """Seconds of the signal a prediction needs: a season, the lag and a trend window."""
        return self.season + self.lag + TREND[self.settings.season]

    @property
    def record(self) -> str:
        return f"service:{self.metric}:{self.operation}"

    def derived(self, statistic: str) -> str:
        """The record of a statistic of the signal: ``stddev_over_time``, ``prediction``, ``upper_band``..."""
        return f"service:{self.metric}:{statistic}_{self.settings.season}"

    @property
    def selector(self) -> str:
        """Matchers of the signal's records."""
        return matchers(dict(self.labels))


def rate_window(scrape_interval: float) -> int:
    """5m, or four scrapes when that is longer (a rate needs at least four samples)."""
    return int(max(MIN_RATE_WINDOW, 4 * scrape_interval, ANOMALY_INTERVAL))


def service_signals(service: Service, scrape_interval: float) -> list[Signal]:
    """The signals the service asks for, in catalog order (the catalog checks made each measurable)."""
    settings = service.anomaly
    if settings is None:
        return []
    metrics = resolve_metrics(service)
    if not metrics.requests:
        return []
    window = format_duration(rate_window(scrape_interval))
    own = {"service": service.name}
    traffic = f"sum by ({PLACEMENT}) (rate({metrics.requests}{{{matchers(metrics.selector)}}}[{window}]))"
    found = []
    for kind in dict.fromkeys(settings.signals):
        built = _signal(kind, metrics, settings, window, traffic)
        if built is None:
            continue
        metric, operation, expr, extra = built
        labels = tuple({**own, **extra}.items())
        found.append(Signal(service, settings, kind, metric, operation, expr, labels, traffic))
    return found


def _signal(
    kind: AnomalySignal, metrics: RequestMetrics, settings: AnomalyDetection, window: str, traffic: str
) -> tuple[str, str, str, dict[str, str]] | None:
    assert metrics.requests is not None
    sel = matchers(metrics.selector)
    if kind == "requests":
        return "anomaly_requests", f"rate{window}", traffic, {}
    if kind == "errors":
        if not (metrics.status_label and metrics.error_status_regex):
            return None
        err = matchers(metrics.selector, f"{metrics.status_label}=~{string_literal(metrics.error_status_regex)}")
        errors = f"sum by ({PLACEMENT}) (rate({metrics.requests}{{{err}}}[{window}]))"
        # No error series at all is a ratio of 0, not a missing sample; no traffic is no sample.
        expr = f"(\n  {errors}\nor\n  0 * {traffic}\n)\n/\n({traffic} > 0)"
        return "anomaly_request_errors", f"ratio_rate{window}", expr, {}
    if not metrics.duration:
        return None
    q = settings.latency_quantile
    if metrics.native_histograms:
        inner = f"sum by ({PLACEMENT}) (rate({metrics.duration}{{{sel}}}[{window}]))"
    else:
        inner = f"sum by ({PLACEMENT}, le) (rate({metrics.duration}_bucket{{{sel}}}[{window}]))"
    # histogram_quantile is NaN without observations; the comparison drops those samples.
    expr = f"histogram_quantile({q!r}, {inner}) >= 0"
    return "anomaly_request_duration_seconds", f"histogram_quantile_rate{window}", expr, {"quantile": format(q, "g")}
