"""The root of the catalog."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lgtmgen.catalog.models.alerting import AlertingSettings
from lgtmgen.catalog.models.base import Duration, Strict, WebUrl
from lgtmgen.catalog.models.grafana import GrafanaSettings
from lgtmgen.catalog.models.logs import LogsSettings
from lgtmgen.catalog.models.metrics_platform import MetricsSettings, MimirSettings
from lgtmgen.catalog.models.org import Cluster, Environment, Tenant
from lgtmgen.catalog.models.service import Service
from lgtmgen.catalog.models.teams import Team
from lgtmgen.catalog.models.traces import Journey, TracesSettings

API_VERSION = "lgtmgen/v1"


class Defaults(Strict):
    """Catalog-wide defaults, each overridable where it is used."""

    slo_period: Duration = Field(default="30d", description="SLO compliance period, from 1h to 1y.")
    evaluation_interval: Duration = Field(
        default="30s", description="Rule evaluation interval; burn-rate windows are at least two of these."
    )
    scrape_interval: Duration = Field(default="30s", description="Scrape interval of the clusters.")
    runbook_base_url: WebUrl = Field(
        default="https://runbooks.example.com",
        description="Base of runbook links; the bundle's docs/runbooks pages are published there.",
    )
    grafana_url: WebUrl = Field(
        default="https://grafana.example.com", description="Base of dashboard links."
    )


class Catalog(Strict):
    """A service catalog: the single source the whole bundle is compiled from."""

    api_version: Literal["lgtmgen/v1"] = Field(
        alias="apiVersion", description="Catalog format version."
    )
    defaults: Defaults = Field(default=Defaults(), description="Catalog-wide defaults.")
    environments: list[Environment] = Field(default_factory=list, description="Deployment stages.")
    teams: list[Team] = Field(default_factory=list, description="Teams and their notification targets.")
    tenants: list[Tenant] = Field(default_factory=list, description="Mimir/Loki/Tempo tenants.")
    clusters: list[Cluster] = Field(default_factory=list, description="Clusters, each with its Prometheus.")
    services: list[Service] = Field(default_factory=list, description="Services with owners, SLOs and dependencies.")
    journeys: list[Journey] = Field(default_factory=list, description="User journeys across services.")
    alerting: AlertingSettings = Field(default=AlertingSettings(), description="Alertmanager settings.")
    metrics: MetricsSettings = Field(default=MetricsSettings(), description="Metrics platform settings.")
    mimir: MimirSettings = Field(default=MimirSettings(), description="Mimir settings.")
    logs: LogsSettings = Field(default=LogsSettings(), description="Loki and log pipeline settings.")
    traces: TracesSettings = Field(default=TracesSettings(), description="Tempo and tail-sampling settings.")
    grafana: GrafanaSettings = Field(default=GrafanaSettings(), description="Grafana settings.")
