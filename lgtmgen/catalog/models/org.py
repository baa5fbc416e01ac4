"""Who and where: environments, tenants and clusters."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lgtmgen.catalog.models.base import Identifier, Strict
from lgtmgen.catalog.models.metrics_platform import ClusterPrometheus


class Environment(Strict):
    """A deployment stage such as production or staging."""

    name: Identifier = Field(description="Environment name, used as the `environment` label.")
    production: bool = Field(
        default=False,
        description=(
            "Whether this environment serves real users. Pages of clusters in other environments "
            "reach the owning team's chat instead of its pager and do not escalate; when no "
            "environment is marked, every cluster pages."
        ),
    )


class Tenant(Strict):
    """A Mimir/Loki/Tempo tenant (the `X-Scope-OrgID`)."""

    name: Identifier = Field(description="Tenant id, sent as `X-Scope-OrgID`.")
    description: str = Field(default="", description="What this tenant holds.")
    tier: Identifier = Field(
        default="standard",
        description="Retention and limit tier; each backend's section says what a tier means.",
    )


class Cluster(Strict):
    """A Kubernetes cluster (or any scrape domain) with its own Prometheus."""

    name: Identifier = Field(description="Cluster name, the `cluster` external label.")
    environment: Identifier = Field(description="Name of a declared environment.")
    region: str = Field(default="", description="Cloud region, the `region` external label.")
    tenant: Identifier | None = Field(
        default=None,
        description=(
            "Tenant of the cluster's own series (its Prometheus' `up`, `keep_metrics`); a service's "
            "series go to the service's tenant wherever it runs."
        ),
    )
    prometheus: ClusterPrometheus | None = None

    def rules_from(self) -> Literal["files", "objects", "none"]:
        """How the cluster's Prometheus gets its rules: `rule_files`, PrometheusRule objects
        (`prometheus.operator`), or none at all (`prometheus.mode: agent`)."""
        if self.prometheus is None:
            return "files"
        if self.prometheus.mode == "agent":
            return "none"
        return "objects" if self.prometheus.operator is not None else "files"
