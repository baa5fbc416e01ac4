"""The root of the catalog."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lgtmgen.catalog.models.base import Duration, Strict
from lgtmgen.catalog.models.alerting import AlertingSettings
from lgtmgen.catalog.models.grafana import GrafanaSettings
from lgtmgen.catalog.models.logs import LogsSettings
from lgtmgen.catalog.models.metrics_platform import MetricsSettings, MimirSettings
from lgtmgen.catalog.models.traces import Journey, TracesSettings
from lgtmgen.catalog.models.org import Cluster, Environment, Tenant
from lgtmgen.catalog.models.service import Service
from lgtmgen.catalog.models.teams import Team

API_VERSION = "lgtmgen/v1"


class Defaults(Strict):
    """Catalog-wide defaults, each overridable where it is used."""

    slo_period: Duration = Field(default="30d", description="SLO compliance period.")
    evaluation_interval: Duration = Field(default="30s", description="Rule evaluation interval.")
    scrape_interval: Duration = Field(default="30s", description="Scrape interval of the clusters.")
    runbook_base_url: str = Field(
        default="https://runbooks.example.com",
        description="Base of runbook links; the bundle's docs/runbooks pages are published there.",
    )
    grafana_url: str = Field(
        default="https://grafana.example.com", description="Base of dashboard links."
    )


class Catalog(Strict):
    """A service catalog: the single source the whole bundle is compiled from."""

    api_version: Literal["lgtmgen/v1"] = Field(
        alias="apiVersion", description="Catalog format version."
    )
    defaults: Defaults = Defaults()
    environments: list[Environment] = Field(default_factory=list)
    teams: list[Team] = Field(default_factory=list)
    tenants: list[Tenant] = Field(default_factory=list)
    clusters: list[Cluster] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    journeys: list[Journey] = Field(default_factory=list)
    alerting: AlertingSettings = AlertingSettings()
    metrics: MetricsSettings = MetricsSettings()
    mimir: MimirSettings = MimirSettings()
    logs: LogsSettings = LogsSettings()
    traces: TracesSettings = TracesSettings()
    grafana: GrafanaSettings = GrafanaSettings()
