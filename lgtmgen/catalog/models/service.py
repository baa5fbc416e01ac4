"""Services: ownership, tier, placement, dependencies, metric conventions and SLOs."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lgtmgen.catalog.models.anomaly import AnomalyDetection
from lgtmgen.catalog.models.base import (
    Identifier,
    LabelName,
    MetricName,
    Name,
    Strict,
    Tier,
    WebUrl,
)
from lgtmgen.catalog.models.logs import ServiceLogs
from lgtmgen.catalog.models.metrics_platform import KPI, ResourceHints
from lgtmgen.catalog.models.slo import SLO
from lgtmgen.catalog.models.traces import ServiceTraces


class MetricConventions(Strict):
    """How the service's request metrics are named.

    `http` and `grpc` fill in the usual names; `custom` needs the names given.
    Every field can override the convention's default.
    """

    convention: Literal["http", "grpc", "custom"] = "http"
    selector: dict[LabelName, str] = Field(
        default_factory=dict,
        description="Label equalities that select this service's series, e.g. {job: checkout}.",
    )
    requests_metric: MetricName | None = None
    status_label: LabelName | None = None
    error_status_regex: str | None = Field(
        default=None, description="Regex of status values that count as errors."
    )
    duration_metric: MetricName | None = Field(
        default=None, description="Latency histogram name without the _bucket suffix."
    )
    native_histograms: bool = False
    route_label: LabelName | None = None


class Service(Strict):
    """A service: who owns it, how critical it is, where it runs, what it needs."""

    name: Name = Field(description="Service name, the `service` label.")
    description: str = ""
    team: Identifier = Field(description="Owning team.")
    tier: Tier = Field(
        default=2, description="Business impact: 1 pages at any hour, 2 and 3 in business hours."
    )
    tenant: Identifier = Field(description="Tenant whose data the service's rules read.")
    clusters: list[Identifier] = Field(
        default_factory=list, description="Clusters the service runs in (empty: every cluster)."
    )
    depends_on: list[Name] = Field(default_factory=list, description="Services this one calls.")
    metrics: MetricConventions = MetricConventions()
    slos: list[SLO] = Field(default_factory=list)
    runbook_url: WebUrl | None = Field(default=None, description="Overrides the generated runbook link.")
    kpis: list[KPI] = Field(default_factory=list, description="Business KPIs recorded for this service.")
    resources: ResourceHints | None = None
    logs: ServiceLogs | None = None
    traces: ServiceTraces | None = None
    anomaly: AnomalyDetection | None = Field(
        default=None, description="Seasonal anomaly bands and alerts on the service's signals (opt-in)."
    )

    def workload(self) -> str:
        """The Kubernetes workload of the service's pods: `resources.workload` or `logs.workload`
        (either declares it for both the autoscaler and the log collector), else the service name."""
        declared = (self.resources.workload if self.resources else None) or (self.logs.workload if self.logs else None)
        return declared or self.name
