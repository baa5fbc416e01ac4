"""Catalog models of the traces area: Tempo, tail sampling, service graph and journeys."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lgtmgen.catalog.models.base import Duration, Identifier, Name, Strict, Tier, WebUrl


class TempoTier(Strict):
    """What a tenant tier (`tenants[].tier`) means for traces: retention, limits, processors."""

    retention: Duration = Field(default="336h", description="Trace block retention of the tenant.")
    ingestion_rate_limit_bytes: int = Field(
        default=30_000_000,
        gt=0,
        description="Ingested bytes per second per tenant, across all distributors (Tempo's `global` "
        "rate strategy). The default is Tempo 3.0's.",
    )
    ingestion_burst_size_bytes: int = Field(
        default=30_000_000, gt=0, description="Burst of ingested bytes above the rate. The default is Tempo 3.0's."
    )
    max_traces_per_user: int = Field(default=10_000, gt=0, description="Live traces per tenant.")
    max_bytes_per_trace: int = Field(default=5_000_000, gt=0, description="Largest trace accepted.")
    service_graphs: bool = Field(default=True, description="Run the service-graph processor.")
    span_metrics: bool = Field(default=True, description="Run the span-metrics processor.")


class TempoStorage(Strict):
    """S3-compatible object storage of trace blocks (credentials come from the environment)."""

    bucket: str = Field(default="tempo-traces", min_length=1, description="Bucket name.")
    endpoint: str = Field(default="s3.amazonaws.com", min_length=1, description="S3 endpoint host.")
    region: str = Field(default="", description="Bucket region.")


class BaselineSampling(Strict):
    """Probabilistic baseline of one service tier, capped by a span rate."""

    percent: float = Field(gt=0, le=100, description="Share of ordinary traces kept, in percent.")
    max_spans_per_second: int = Field(
        gt=0, description="Cost cap: at most this many baseline spans per second are kept."
    )


class BaselineByTier(Strict):
    """Baseline sampling per service tier (`services[].tier`)."""

    tier_1: BaselineSampling = Field(
        default=BaselineSampling(percent=20, max_spans_per_second=5000), description="Tier 1 services."
    )
    tier_2: BaselineSampling = Field(
        default=BaselineSampling(percent=10, max_spans_per_second=2000), description="Tier 2 services."
    )
    tier_3: BaselineSampling = Field(
        default=BaselineSampling(percent=2, max_spans_per_second=500), description="Tier 3 services."
    )

    def of(self, tier: int) -> BaselineSampling:
        """The baseline of service tier 1, 2 or 3."""
        return {1: self.tier_1, 2: self.tier_2, 3: self.tier_3}[tier]


class TempoExportTls(Strict):
    """Transport security of the collectors' OTLP/gRPC export to Tempo.

    The collector's gRPC exporter speaks TLS unless told otherwise, while an in-cluster Tempo
    distributor serves plain gRPC. Unset, `insecure` follows `tempo_endpoint`: an ``https://``
    endpoint means TLS, ``http://`` plaintext, a bare ``host:port`` plaintext unless a
    `ca_file` is given.
    """

    insecure: bool | None = Field(
        default=None,
        description=(
            "Plaintext gRPC (true) or TLS (false); unset: TLS for an https:// endpoint or with "
            "a ca_file, else plaintext. "
            "The collector lets an http:// or https:// scheme override it, so it must agree."
        ),
    )
    ca_file: str | None = Field(
        default=None,
        min_length=1,
        description="CA certificate file that verifies Tempo's certificate (TLS only); unset: system roots.",
    )

    def is_insecure(self, endpoint: str) -> bool:
        """Whether the export to `endpoint` is plaintext."""
        if self.insecure is not None:
            return self.insecure
        scheme = endpoint_scheme(endpoint)
        if scheme:
            return scheme != "https"
        return self.ca_file is None


def endpoint_scheme(endpoint: str) -> str:
    """``http`` or ``https`` of an endpoint URL; empty for a bare ``host:port``."""
    scheme, sep, _ = endpoint.partition("://")
    return scheme.lower() if sep else ""


TENANT_PLACEHOLDER = "{tenant}"


class SamplerRouting(Strict):
    """The routing tier in front of each tenant's samplers.

    A sampler judges the spans it holds, so every span of a trace must reach the same sampler
    replica. Applications send to the routing tier, whose `loadbalancing` exporter hashes the
    trace ID onto the sampler replicas it resolves from `sampler_host`.
    """

    resolver: Literal["dns", "k8s"] = Field(
        default="dns",
        description=(
            "How the routers find the sampler replicas: `dns` resolves `sampler_host` to every "
            "replica's address (a headless Service), `k8s` watches the Service's endpoints "
            "(needs RBAC to list and watch endpointslices)."
        ),
    )
    sampler_host: str = Field(
        default="otelcol-tail-sampling-{tenant}-headless",
        pattern=r"^[^{}]*\{tenant\}[^{}]*$",
        description=(
            "DNS name (dns) or `service.namespace` (k8s) of a tenant's sampler tier; `{tenant}` "
            "stands for the tenant's slug and is required, since each tenant has its own samplers."
        ),
    )
    sampler_port: int = Field(
        default=4317, gt=0, le=65535, description="OTLP gRPC port the samplers receive on from the routers."
    )

    def host_of(self, tenant_slug: str) -> str:
        """The sampler host of one tenant."""
        return self.sampler_host.replace(TENANT_PLACEHOLDER, tenant_slug)


class SamplingSettings(Strict):
    """Tail sampling in the OpenTelemetry collector (per tenant a routing and a sampling tier).

    `decision_wait` = min(`max_decision_wait`, max(`min_decision_wait`, 2 × the slowest latency-SLO
    threshold of the tenant's services, rounded up to a second)). `num_traces` = max(`min_num_traces`,
    ceil(sum of `peak_traces_per_second` × decision_wait seconds × `headroom`)).
    """

    min_decision_wait: Duration = Field(default="10s", description="Floor of the derived decision_wait.")
    max_decision_wait: Duration = Field(
        default="60s",
        description=(
            "Ceiling of the derived decision_wait: every trace is held this long, so a slow SLO "
            "would otherwise make the sampler hold (and count in num_traces) every trace of its "
            "tenant for twice its threshold."
        ),
    )
    min_num_traces: int = Field(default=10_000, gt=0, description="Floor of the derived num_traces.")
    headroom: float = Field(default=2.0, ge=1, description="Multiplier on traces held in memory.")
    baseline: BaselineByTier = Field(
        default=BaselineByTier(), description="Probabilistic baseline and its cost cap per service tier."
    )
    tempo_endpoint: str = Field(
        default="tempo-distributor.tempo.svc:4317", min_length=1, description="OTLP gRPC endpoint of Tempo."
    )
    tempo_tls: TempoExportTls = Field(
        default=TempoExportTls(),
        description="TLS of the export to Tempo; by default plaintext unless the endpoint is https://.",
    )
    routing: SamplerRouting = Field(
        default=SamplerRouting(),
        description="The trace-ID routing tier that sends every span of a trace to one sampler replica.",
    )


ConnectionType = Literal["database", "virtual_node", "messaging_system"]
"""Tempo's `connection_type` label of service-graph edges (unset for direct calls)."""


class ServiceGraphSettings(Strict):
    """Alerts comparing the traced service graph with declared dependencies."""

    idle_after: Duration = Field(
        default="24h", description="A declared edge with no traffic for this long raises a ticket."
    )
    undeclared_for: Duration = Field(
        default="15m", description="How long an undeclared edge must carry traffic before alerting."
    )
    ignored_connection_types: list[ConnectionType] = Field(
        default_factory=lambda: list[ConnectionType](["database", "virtual_node"]),
        description=(
            "Edge kinds (Tempo's `connection_type`) that are never undeclared dependencies: "
            "databases and uninstrumented peers cannot be declared in depends_on."
        ),
    )


class TracesSettings(Strict):
    """Tempo configuration, tenant tiers and tail-sampling settings."""

    tiers: dict[Identifier, TempoTier] = Field(
        default_factory=lambda: {"standard": TempoTier()},
        description="What each tenant tier means for traces; every tenant's tier must be here.",
    )
    default_retention: Duration = Field(
        default="336h", description="Retention of tenants without an override entry."
    )
    storage: TempoStorage = Field(default=TempoStorage(), description="Object storage of trace blocks.")
    mimir_remote_write_url: WebUrl | None = Field(
        default=None,
        min_length=1,
        description=(
            "Where Tempo's metrics generator writes (the tenant header is the trace tenant), "
            "without credentials, e.g. an in-cluster distributor; unset: `metrics.remote_write_url` "
            "with `metrics.remote_write_auth`, the Mimir the clusters' Prometheus write to."
        ),
    )
    span_metrics_dimensions: list[str] = Field(
        default_factory=lambda: ["http.route", "http.request.method"],
        description="Span attributes added as labels of span metrics.",
    )
    service_graph_dimensions: list[str] = Field(
        default_factory=list, description="Span attributes added as labels of service-graph metrics."
    )
    sampling: SamplingSettings = Field(
        default=SamplingSettings(), description="Tail sampling in the OpenTelemetry collector."
    )
    service_graph: ServiceGraphSettings = Field(
        default=ServiceGraphSettings(), description="Alerts on the traced service graph."
    )


class ServiceTraces(Strict):
    """A service's sampling wishes and business-critical routes."""

    peak_traces_per_second: float = Field(
        default=0, ge=0, description="Traces the service starts per second at peak (sizes the sampler)."
    )
    critical_routes: list[str] = Field(
        default_factory=list, description="Routes whose every trace is kept (e.g. /checkout)."
    )
    route_attribute: str | None = Field(
        default=None,
        description="Span attribute holding the route; defaults to http.route (rpc.method for grpc).",
    )
    baseline_percent: float | None = Field(
        default=None, gt=0, le=100, description="Overrides the tier's baseline percentage."
    )


class JourneyStep(Strict):
    """One step of a journey: a route of a service."""

    service: Name = Field(description="A declared service.")
    route: str = Field(min_length=1, description="Route label value of the step's requests.")


class JourneySLO(Strict):
    """The journey's own success objective."""

    objective: float = Field(ge=1, lt=100, description="Successful journeys in percent, e.g. 99 (not the ratio 0.99).")
    period: Duration | None = Field(
        default=None, description="Compliance period, from 1h to 1y; defaults to `defaults.slo_period`."
    )


class Journey(Strict):
    """A user journey: ordered steps across services with a value.

    Success of the journey is the product of each step's success ratio; revenue at risk
    is the rate of journeys started times (1 − success) times `value`.
    """

    name: Identifier = Field(description="Journey name, the `journey` label.")
    description: str = Field(default="", description="What the user achieves.")
    team: Identifier = Field(description="Team that owns the journey and receives its alerts.")
    tier: Tier = Field(default=1, description="Business impact of the journey, as for services.")
    steps: list[JourneyStep] = Field(min_length=1, description="Ordered steps.")
    value: float = Field(ge=0, description="Value of one completed journey, in `currency`.")
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$", description="ISO 4217 code.")
    slo: JourneySLO = Field(description="The journey's own success objective.")
    latency_regression_factor: float = Field(
        default=1.5, gt=1, description="Alert when a step's p99 exceeds last week's by this factor."
    )
