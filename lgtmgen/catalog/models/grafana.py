"""Catalog models of the grafana area: datasource endpoints, the tenant header, dashboards."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictFloat, StrictInt

from lgtmgen.catalog.models.base import Duration, Identifier, Name, Strict, WebUrl


class DatasourceEndpoints(Strict):
    """Where Grafana reaches the query paths of Mimir, Loki and Tempo (one datasource each per tenant)."""

    mimir_url: WebUrl = Field(
        default="http://mimir-query-frontend.mimir.svc:8080/prometheus",
        min_length=1,
        description="Prometheus-compatible query URL of Mimir.",
    )
    loki_url: WebUrl = Field(default="http://loki-query-frontend.loki.svc:3100", min_length=1, description="Loki query URL.")
    tempo_url: WebUrl = Field(default="http://tempo-query-frontend.tempo.svc:3200", min_length=1, description="Tempo query URL.")


class TenantHeader(Strict):
    """Where Grafana reads the `X-Scope-OrgID` value of each tenant's datasources at start-up.

    `env`: the environment variable `<env_prefix><TENANT>` (tenant upper-cased, `-` as `_`).
    `file`: the file `<file_dir>/<tenant>` read through Grafana's `$__file{}` expansion.
    Either way the value is never written into the bundle.
    """

    source: Literal["env", "file"] = Field(default="env", description="Environment variable or file.")
    env_prefix: str = Field(
        default="GRAFANA_TENANT_", pattern=r"^[A-Z_][A-Z0-9_]*$", description="Prefix of the variable names."
    )
    file_dir: str = Field(
        default="/etc/grafana/tenants", pattern=r"^/[^\s${}]*$", description="Directory holding one file per tenant."
    )

    def variable(self, tenant: str) -> str:
        """The environment variable holding `tenant`'s id: prefix, tenant upper-cased, `-` and `.` as `_`."""
        return self.env_prefix + tenant.upper().replace("-", "_").replace(".", "_")


class CapacitySignal(Strict):
    """A resource that fills up: its usage, its limit, and how far ahead to forecast it.

    Drawn on the owning team's capacity dashboard with `predict_linear` over `lookback`.
    """

    name: Name = Field(description="Signal name, the panel title.")
    team: Identifier = Field(description="Team whose capacity dashboard shows the signal.")
    description: str = ""
    usage: str = Field(min_length=1, description="PromQL of the current usage (a gauge), e.g. a sum of bytes.")
    # StrictInt/StrictFloat: a YAML number is a fixed limit; `true` must not become 1.
    limit: Annotated[str, Field(min_length=1)] | StrictInt | StrictFloat = Field(
        description="PromQL, or a number, of the capacity the usage must stay under."
    )
    unit: str = Field(default="short", min_length=1, description="Grafana unit id of usage and limit, e.g. bytes.")
    lookback: Duration = Field(default="6h", description="History the linear fit uses.")
    horizon: Duration = Field(default="7d", description="How far ahead the forecast reaches.")

    @property
    def limit_promql(self) -> str:
        """The limit as PromQL: a number is a scalar literal."""
        return self.limit if isinstance(self.limit, str) else repr(self.limit)

    def queries(self) -> tuple[str, str]:
        """The PromQL the catalog declares for this signal: usage, then limit."""
        return self.usage, self.limit_promql


class GrafanaSettings(Strict):
    """Grafana dashboards and provisioning settings."""

    datasources: DatasourceEndpoints = DatasourceEndpoints()
    tenant_header: TenantHeader = TenantHeader()
    dashboards_path: str = Field(
        default="/var/lib/grafana/dashboards",
        pattern=r"^/[^\s${}]*$",
        description="Where the bundle's grafana/dashboards tree is mounted in Grafana.",
    )
    overview_folder: Identifier = Field(
        default="overview",
        description="Folder of the organisation-wide dashboards (executive, cost, service map); not a team name.",
    )
    refresh: Duration = Field(default="1m", description="Dashboard auto-refresh interval.")
    time_range: Duration = Field(default="6h", description="Default time range of dashboards (now minus this).")
    capacity: list[CapacitySignal] = Field(
        default_factory=list, description="Capacity signals forecast on the teams' capacity dashboards."
    )
