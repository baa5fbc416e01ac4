"""Catalog models of the metrics_platform area."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import Field, NonNegativeInt, PositiveInt, field_validator

from lgtmgen.catalog.models.base import (
    Duration,
    Identifier,
    KubernetesName,
    LabelName,
    MetricName,
    SecretFile,
    Strict,
    WebUrl,
)


class RecordingFamilies(Strict):
    """Which recording-rule families are generated; each can be switched off."""

    latency_percentiles: bool = Field(default=True, description="p50/p90/p95/p99 per service and route.")
    red: bool = Field(default=True, description="Request rate, error rate and error ratio per service.")
    kpis: bool = Field(default=True, description="Business KPIs declared per service.")
    resource_efficiency: bool = Field(default=True, description="CPU and memory used against requested.")
    cost_allocation: bool = Field(default=True, description="Usage times unit price, per team.")
    security_posture: bool = Field(default=True, description="Certificate expiry and vulnerability counts.")
    environment_comparison: bool = Field(default=True, description="Production against staging per service.")


class ResourceMetricNames(Strict):
    """cAdvisor and kube-state-metrics names the resource and cost rules read."""

    cpu_usage: MetricName = Field(default="container_cpu_usage_seconds_total", description="CPU seconds counter.")
    memory_usage: MetricName = Field(default="container_memory_working_set_bytes", description="Memory gauge.")
    requests: MetricName = Field(
        default="kube_pod_container_resource_requests", description="Requests gauge with a `resource` label."
    )


class SecurityExporters(Strict):
    """Security exporters already running in the clusters, and the metric names they expose."""

    exporters: list[Literal["cert-manager", "trivy-operator"]] = Field(
        default_factory=list, description="Exporters whose metrics the security-posture rules read."
    )
    certificate_expiry_metric: MetricName = Field(
        default="certmanager_certificate_expiration_timestamp_seconds",
        description="Expiry timestamp gauge (cert-manager).",
    )
    vulnerability_metric: MetricName = Field(
        default="trivy_image_vulnerabilities", description="Vulnerability count gauge with a `severity` label."
    )


class EnvironmentComparison(Strict):
    """Compare a service's production signals against a baseline environment."""

    target: Identifier = Field(default="production", description="Environment under watch.")
    baseline: Identifier = Field(default="staging", description="Environment compared against.")


class RemoteWriteAuth(Strict):
    """Credentials of remote write, by file reference only."""

    username: str | None = Field(default=None, description="Basic-auth user (needs password_file).")
    password_file: SecretFile | None = Field(default=None, description="File holding the basic-auth password.")
    bearer_token_file: SecretFile | None = Field(default=None, description="File holding a bearer token.")


class MetricsSettings(Strict):
    """Recording-rule families beyond SLOs, per-cluster Prometheus and remote write."""

    families: RecordingFamilies = Field(default=RecordingFamilies(), description="Families switched on or off.")
    percentiles: list[float] = Field(
        default_factory=lambda: [0.5, 0.9, 0.95, 0.99], description="Latency quantiles recorded."
    )
    resource_metrics: ResourceMetricNames = Field(default=ResourceMetricNames(), description="Overridable names.")
    security: SecurityExporters = Field(default=SecurityExporters(), description="Declared security exporters.")
    comparison: EnvironmentComparison = Field(default=EnvironmentComparison(), description="Environments compared.")
    remote_write_url: WebUrl = Field(
        default="http://mimir-distributor.mimir.svc:8080/api/v1/push", description="Mimir push endpoint."
    )
    remote_write_auth: RemoteWriteAuth | None = Field(default=None, description="Remote-write credentials.")
    keep_metrics: list[MetricName] = Field(
        default_factory=list, description="Raw metrics sent to Mimir beyond those lgtmgen's rules read."
    )
    federation: bool = Field(default=False, description="Emit a global Prometheus federating recorded series.")


class MimirTier(Strict):
    """Retention and limits of one tenant tier (written to the runtime overrides)."""

    retention: Duration = Field(description="compactor_blocks_retention_period (whole blocks).")
    ingestion_rate: PositiveInt = Field(default=10000, description="Samples per second.")
    ingestion_burst_size: PositiveInt = Field(default=200000, description="Samples in a burst.")
    max_global_series_per_user: PositiveInt = Field(default=150000, description="Active series limit.")
    max_query_parallelism: PositiveInt = Field(default=14, description="Parallel sub-queries per query.")
    query_sharding_total_shards: PositiveInt = Field(default=16, description="Shards of a shardable query.")
    results_cache_ttl: Duration = Field(default="168h", description="Results-cache TTL.")


class MimirStorage(Strict):
    """Object storage of blocks and ruler rules."""

    backend: Literal["s3", "gcs"] = "s3"
    bucket: str = Field(description="Blocks bucket.")
    ruler_bucket: str | None = Field(default=None, description="Ruler bucket (default: `<bucket>-ruler`).")
    endpoint: str = Field(default="", description="S3 endpoint.")
    region: str = Field(default="", description="S3 region.")
    storage_class: str = Field(
        default="STANDARD", description="Storage class; must be instantly readable (no archive classes)."
    )
    lifecycle_transitions: list[StorageTransition] = Field(
        default_factory=list, description="Moves of older blocks to another instant-access class."
    )
    noncurrent_version_retention: Duration = Field(
        default="7d",
        description=(
            "On a versioned bucket, how long a deleted or overwritten object's previous version is kept "
            "(a recovery window, in whole days, at least 1d) before the lifecycle policy removes it; "
            "without it every block the compactor deletes stays billed forever."
        ),
    )


class StorageTransition(Strict):
    """Move objects older than `after` to `storage_class`."""

    after: Duration = Field(description="Object age, in whole days.")
    storage_class: str = Field(description="Target class; must be instantly readable.")


class RollUp(Strict):
    """A long-retention tenant fed by federated ruler rules that drop high-cardinality labels."""

    tenant: Identifier = Field(description="Declared tenant that holds the roll-ups.")
    source_tenants: list[Identifier] = Field(description="Tenants whose recorded series are rolled up.")
    keep_labels: list[LabelName] = Field(
        default_factory=lambda: ["environment", "service", "team"], description="Labels the roll-ups keep."
    )
    retention: Duration = Field(default="2y", description="Retention of the roll-up tenant (beats its tier's).")


class MimirSettings(Strict):
    """Mimir tenant tiers, limits, roll-up tenant and object storage."""

    tiers: dict[Identifier, MimirTier] = Field(default_factory=dict, description="Tier name to limits.")
    storage: MimirStorage | None = Field(default=None, description="Blocks storage; no main config without it.")
    rollup: RollUp | None = Field(default=None, description="The roll-up tier.")
    memcached_addresses: str = Field(
        default="dns+memcached.mimir.svc:11211", description="Results-cache memcached addresses."
    )
    split_queries_by_interval: Duration = Field(default="24h", description="Query-frontend split interval.")
    alertmanager_url: WebUrl = Field(default="http://alertmanager.monitoring.svc:9093", description="Ruler target.")
    max_rule_groups_per_tenant: PositiveInt = Field(
        default=70,
        description="Ruler limit of groups per tenant; raised for a tenant whose generated rules need more.",
    )
    max_exemplars_per_tenant: NonNegativeInt = Field(
        default=100_000,
        description="Exemplars each tenant keeps in the ingesters' memory (max_global_exemplars_per_user): "
        "Mimir's default, 0, drops every exemplar, and with them the metric-to-trace links of Grafana; "
        "0 turns them off.",
    )


class KPI(Strict):
    """A business KPI recorded from a counter or gauge."""

    name: Identifier = Field(description="KPI name; becomes the metric part of `service:<name>:<op>`.")
    metric: MetricName = Field(description="Source metric.")
    kind: Literal["counter", "gauge"] = Field(description="Counters are rated, gauges aggregated as is.")
    aggregation: Literal["sum", "avg", "max", "min"] = Field(default="sum", description="Aggregation operator.")
    dimensions: list[LabelName] = Field(default_factory=list, description="Labels kept besides cluster.")
    window: Duration = Field(default="5m", description="Rate window of counters.")
    selector: dict[LabelName, str] | None = Field(
        default=None,
        description=(
            "Label equalities that select the KPI's series; default: the service's `metrics.selector`. "
            "`{}` reads every series of the metric (a metric another job exposes for the service)."
        ),
    )

    def selector_of(self, service_selector: Mapping[str, str]) -> Mapping[str, str]:
        """The labels the KPI's series are selected by, for a service selected by `service_selector`."""
        return service_selector if self.selector is None else self.selector


KUBERNETES_LABEL_KEY_PATTERN = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
KubernetesLabelKey = Annotated[str, Field(pattern=KUBERNETES_LABEL_KEY_PATTERN, max_length=317)]
"""A Kubernetes label key: an optional DNS-subdomain prefix and ``/``, then a name of up to 63 characters."""

KubernetesLabelValue = Annotated[str, Field(pattern=r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")]
"""A Kubernetes label value: up to 63 characters, alphanumeric at both ends (or empty)."""


OPERATOR_OWNED_LABELS = ("app.kubernetes.io/managed-by", "app.kubernetes.io/component", "team")
"""Labels lgtmgen sets on every Kubernetes object itself."""


class ResourceHints(Strict):
    """Resource-efficiency and autoscaling hints of a service.

    With `max_replicas`, the bundle holds a HorizontalPodAutoscaler for the
    service's workload in every cluster it runs in (`kubernetes/clusters/<cluster>/autoscaling/`).
    """

    namespace: KubernetesName = Field(description="Kubernetes namespace of the service's pods.")
    container: str | None = Field(default=None, description="Container name (default: the service name).")
    min_replicas: PositiveInt | None = Field(default=None, description="Autoscaling floor (default 1).")
    max_replicas: PositiveInt | None = Field(
        default=None, description="Autoscaling ceiling; setting it asks for a HorizontalPodAutoscaler."
    )
    target_cpu_utilization: int | None = Field(
        default=None, ge=1, description="Autoscaling target, % of the CPU request (default 80, Kubernetes' own; above 100 is allowed)."
    )
    workload: str | None = Field(
        default=None,
        description=(
            "Name of the Kubernetes workload of the service's pods, which the autoscaler scales "
            "(default: `logs.workload`, else the service name)."
        ),
    )
    workload_kind: Literal["Deployment", "StatefulSet"] = Field(
        default="Deployment", description="Kind of that workload."
    )


class UnitPrices(Strict):
    """What a unit of resource costs in this cluster."""

    currency: str = "EUR"
    cpu_core_hour: float = Field(ge=0, description="Price of one CPU core for one hour.")
    memory_gib_hour: float = Field(ge=0, description="Price of one GiB of memory for one hour.")




class PrometheusOperator(Strict):
    """How the Prometheus Operator of a cluster finds the PrometheusRule objects lgtmgen writes.

    The Prometheus resource picks rule objects by `ruleSelector` and
    `ruleNamespaceSelector`; kube-prometheus-stack, for example, selects on its
    release label by default, so an object without it is never loaded.
    """

    namespace: KubernetesName | None = Field(
        default=None, description="Namespace of the objects (default: none written, `kubectl -n` decides)."
    )
    rule_labels: dict[KubernetesLabelKey, KubernetesLabelValue] = Field(
        default_factory=dict,
        description="Labels the Prometheus resource's `ruleSelector` matches, e.g. `{release: kube-prometheus-stack}`.",
    )

    @field_validator("rule_labels")
    @classmethod
    def _not_owned(cls, labels: dict[str, str]) -> dict[str, str]:
        taken = [key for key in OPERATOR_OWNED_LABELS if key in labels]
        if taken:
            raise ValueError(f"lgtmgen sets {' and '.join(taken)} on every object itself; choose another label name")
        return labels


class ClusterPrometheus(Strict):
    """The cluster's Prometheus: HA replicas, expected series, unit prices, and how it gets its rules."""

    replicas: int = Field(default=1, ge=1, le=3, description="HA replicas; each gets a `__replica__` label.")
    expected_series: PositiveInt = Field(default=100000, description="Active series; sizes the remote-write queue.")
    address: str | None = Field(default=None, description="host:port the global Prometheus federates from.")
    prices: UnitPrices | None = Field(default=None, description="Unit prices for cost allocation.")
    mode: Literal["server", "agent"] = Field(
        default="server",
        description=(
            "`agent`: Prometheus runs with `--agent` and only scrapes and remote-writes; every rule runs in "
            "Mimir's ruler, so its config lists no rule files and it cannot be federated."
        ),
    )
    operator: PrometheusOperator | None = Field(
        default=None,
        description=(
            "Set when the Prometheus Operator runs this Prometheus: its rules are written as PrometheusRule "
            "objects (`kubernetes/clusters/<cluster>/prometheus-rules/`) instead of `rule_files`."
        ),
    )


MimirStorage.model_rebuild()
