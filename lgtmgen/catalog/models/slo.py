"""Service level objectives and their indicators (SLIs)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from lgtmgen.catalog.models.base import Duration, LabelName, MetricName, Name, Strict

WINDOW_PLACEHOLDER = "{{window}}"

SLO_SERIES_LABELS = ("service", "slo")
"""Labels every recorded series of an SLO carries, set by its recording rules (`SLOPlan.identity`)."""
SLO_ALERT_LABELS = (
    "severity",
    "team",
    "service",
    "slo",
    "tier",
    "tenant",
    "sli_kind",
    "long_window",
    "short_window",
)
"""Labels the SLO alerts set (`lgtmgen.generators.slo.alerts`; burn-rate alerts add the two windows)."""
RESERVED_GROUP_BY_LABELS = frozenset({*SLO_SERIES_LABELS, *SLO_ALERT_LABELS, "alertname", "le"})
"""Labels an SLO may not be grouped by, besides names starting with ``__`` (Prometheus' own).

A rule's labels replace those of the series it computes, so grouping by a label lgtmgen sets
would give two values of it one label set (Prometheus refuses the rule's result) and the bundle's
own tests would expect a value the rules overwrite. `alertname` is set by Prometheus on every
alert; `le` splits a classic histogram's buckets, which the latency SLI must sum. `cluster` is
always grouped by and may be listed. tests/slo/test_group_by_reserved.py holds this list to the
labels the generated SLO rules set.
"""


def reserved_label_reason(label: str) -> str | None:
    """Why an SLO may not be grouped by `label` (`RESERVED_GROUP_BY_LABELS`), or None when it may."""
    if label.startswith("__"):
        return "labels starting with __ are reserved for Prometheus' internal use"
    if label in RESERVED_GROUP_BY_LABELS:
        return "the SLO's rules and alerts set or rely on it"
    return None



class AvailabilitySLI(Strict):
    """Errors over requests, from the service's metric conventions (HTTP 5xx, gRPC server errors)."""

    kind: Literal["availability"]


class EventsSLI(Strict):
    """Good or bad events over total events, given as counter selectors.

    Give `total` and exactly one of `good` or `bad`, each a PromQL vector selector
    such as ``http_requests_total{job="api",code=~"5.."}``; lgtmgen adds the rate.
    """

    kind: Literal["events"]
    good: str | None = Field(default=None, description="Selector of good events (a counter).")
    bad: str | None = Field(default=None, description="Selector of bad events (a counter).")
    total: str = Field(description="Selector of all events (a counter).")

    @model_validator(mode="after")
    def _one_of_good_or_bad(self) -> EventsSLI:
        if (self.good is None) == (self.bad is None):
            raise ValueError("give exactly one of `good` or `bad` next to `total`")
        return self


class LatencySLI(Strict):
    """Requests faster than a threshold over all requests, from a histogram.

    Classic histograms count the `le` bucket of the threshold, so the threshold
    must be one of the histogram's bucket boundaries: declare them in `buckets`
    to have that checked. Native histograms use ``histogram_fraction`` and take
    any threshold.
    """

    kind: Literal["latency"]
    threshold: float = Field(gt=0, description="Threshold in seconds; for classic histograms a bucket boundary.")
    metric: MetricName | None = Field(
        default=None, description="Histogram name without suffix; defaults to the service convention."
    )
    native: bool | None = Field(
        default=None, description="Native (Prometheus 3) histogram; defaults to the service convention."
    )
    buckets: list[float] | None = Field(
        default=None,
        description="Bucket boundaries (seconds) of a classic histogram; the threshold must be one of them.",
    )


class ProbeSLI(Strict):
    """A boolean gauge (1 up, 0 down) such as ``probe_success``: good samples over all samples."""

    kind: Literal["probe"]
    selector: str = Field(description='Selector of the 0/1 gauge, e.g. probe_success{job="blackbox"}.')


class CustomSLI(Strict):
    """Any PromQL: give `total_query` and one of `good_query` or `bad_query`.

    Each query must contain the ``{{window}}`` placeholder where the range goes,
    for example ``sum by (cluster) (increase(jobs_failed_total[{{window}}]))``.
    Use `increase` (event counts) so that `min_events` counts events.
    """

    kind: Literal["custom"]
    good_query: str | None = None
    bad_query: str | None = None
    total_query: str

    @model_validator(mode="after")
    def _one_of_good_or_bad(self) -> CustomSLI:
        if (self.good_query is None) == (self.bad_query is None):
            raise ValueError("give exactly one of `good_query` or `bad_query` next to `total_query`")
        return self


SLI = Annotated[
    AvailabilitySLI | EventsSLI | LatencySLI | ProbeSLI | CustomSLI,
    Field(discriminator="kind"),
]


class BurnRateWindow(Strict):
    """One multiwindow burn-rate condition: both windows must burn faster than `factor`."""

    severity: Literal["page", "ticket"]
    long: Duration = Field(description="Long window, e.g. 1h.")
    short: Duration = Field(description="Short window, e.g. 5m; usually a twelfth of the long one.")
    factor: float = Field(gt=0, description="Burn rate: multiples of the budget-neutral error ratio.")


class AlertSettings(Strict):
    """Which alerts an SLO raises, and when."""

    page: bool = Field(default=True, description="Raise the fast-burn page.")
    ticket: bool = Field(default=True, description="Raise the slow-burn ticket.")
    absent: bool = Field(default=True, description="Raise a ticket when the SLI's metrics are absent.")
    budget_exhausted: bool = Field(
        default=True, description="Raise a ticket when the error budget of the period is spent."
    )
    min_events: int = Field(
        default=0,
        ge=0,
        description="Low-traffic protection: no burn-rate alert while the long window holds fewer events.",
    )
    windows: list[BurnRateWindow] | None = Field(
        default=None,
        description="Burn-rate windows and factors replacing the ones derived from the period.",
    )
    inhibits_callers: bool | None = Field(
        default=None,
        description="Whether this SLO's page means the service is down, so that it holds back the alerts "
        "of the services that call it in the same cluster (default: availability and probe SLIs).",
    )


OUTAGE_SLI_KINDS = frozenset({"availability", "probe"})
"""SLIs whose page means the service is down: failed requests, failed probes (not slow ones, nor
custom counts, unless `alerting.inhibits_callers` says so)."""


class SLO(Strict):
    """An objective on one indicator of a service."""

    name: Name = Field(description="SLO name, unique within its service; the `slo` label.")
    description: str = ""
    # At least 1: an objective below 1 % is never meant; it is a ratio such as 0.999 written
    # where a percentage belongs, and would compile into alerts that cannot fire.
    objective: float = Field(ge=1, lt=100, description="Target in percent, e.g. 99.9 (not the ratio 0.999).")
    period: Duration | None = Field(
        default=None, description="Compliance period, from 1h to 1y; defaults to `defaults.slo_period`."
    )
    sli: SLI
    group_by: list[LabelName] = Field(
        default_factory=list,
        description=(
            "Labels (e.g. route) that split the SLO into one objective per label value (cluster always does); "
            f"not one the SLO's rules and alerts set or rely on ({', '.join(sorted(RESERVED_GROUP_BY_LABELS))}), "
            "nor one starting with `__`."
        ),
    )
    alerting: AlertSettings = AlertSettings()

    def pages_outages(self) -> bool:
        """Whether this SLO's page says its service is down (and holds back its callers' alerts):
        `alerting.inhibits_callers`, by default an availability or probe SLI that pages."""
        if not self.alerting.page:
            return False
        if self.alerting.inhibits_callers is not None:
            return self.alerting.inhibits_callers
        return self.sli.kind in OUTAGE_SLI_KINDS
