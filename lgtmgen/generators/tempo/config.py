"""Tempo 3.0 main configuration and scoped per-tenant overrides.

Tempo 3.0 has no ingester or compactor block: retention is
``backend_worker.compaction.block_retention`` and per tenant
``overrides.<tenant>.compaction.block_retention``. A tenant entry in the overrides
file replaces the defaults entirely, so every entry is complete.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models.base import go_duration
from lgtmgen.catalog.models.metrics_platform import MetricsSettings
from lgtmgen.catalog.models.traces import TempoTier, TracesSettings
from lgtmgen.generators.remote_write import mimir_target
from lgtmgen.generators.tempo.tiers import processors, tier_of
from lgtmgen.plan import Plan

CONFIG_PATH = "tempo/tempo.yaml"
OVERRIDES_PATH = "tempo/overrides.yaml"
EXEMPLAR_TRACE_ID = "trace_id"
"""The exemplar label holding the trace id (`exemplarTraceIdDestinations` of the Mimir datasources)."""
OVERRIDES_MOUNT = "/etc/tempo/overrides.yaml"


def generator_remote_write(settings: TracesSettings, metrics: MetricsSettings) -> dict[str, Any]:
    """The metrics generator's remote write to Mimir.

    An explicit `traces.mimir_remote_write_url` is written to as is; unset, Tempo writes
    where the clusters' Prometheus write, with their credential files, so one catalog
    setting names the Mimir of both and a gateway that wants credentials gets them.
    """
    target = mimir_target(settings.mimir_remote_write_url, metrics)
    return {"name": "mimir", "url": target.pop("url"), "send_exemplars": True, **target}


def tempo_config(settings: TracesSettings, metrics: MetricsSettings) -> dict[str, Any]:
    """The main configuration: receivers, storage, retention, metrics generator, defaults."""
    storage = settings.storage
    s3: dict[str, Any] = {"bucket": storage.bucket, "endpoint": storage.endpoint}
    if storage.region:
        s3["region"] = storage.region
    default_tier = TempoTier()
    return {
        "multitenancy_enabled": True,
        "stream_over_http_enabled": True,
        "server": {"http_listen_port": 3200, "grpc_listen_port": 9095},
        "distributor": {
            "receivers": {
                "otlp": {
                    "protocols": {
                        "grpc": {"endpoint": "0.0.0.0:4317"},
                        "http": {"endpoint": "0.0.0.0:4318"},
                    }
                }
            }
        },
        "storage": {
            "trace": {"backend": "s3", "s3": s3, "wal": {"path": "/var/tempo/wal"}},
        },
        "backend_worker": {
            "compaction": {"block_retention": go_duration(settings.default_retention)},
        },
        "metrics_generator": {
            "storage": {
                "path": "/var/tempo/generator/wal",
                "remote_write": [generator_remote_write(settings, metrics)],
                # Tempo sends each tenant's generated series with X-Scope-OrgID set to the
                # trace tenant, which is the same tenant id in Mimir.
                "remote_write_add_org_id_header": True,
            },
            "processor": {
                "service_graphs": {"dimensions": list(settings.service_graph_dimensions)},
                "span_metrics": {"dimensions": list(settings.span_metrics_dimensions)},
            },
        },
        "overrides": {
            "defaults": tenant_limits(default_tier, settings.default_retention),
            "per_tenant_override_config": OVERRIDES_MOUNT,
        },
    }


def tenant_limits(tier: TempoTier, retention: str | None = None) -> dict[str, Any]:
    """One complete scoped overrides entry for a tier."""
    return {
        "ingestion": {
            # The catalog's limit is the tenant's: Tempo's default `local` strategy would hold
            # each distributor to it, so N distributors would admit N times as much.
            "rate_strategy": "global",
            "rate_limit_bytes": tier.ingestion_rate_limit_bytes,
            "burst_size_bytes": tier.ingestion_burst_size_bytes,
            "max_traces_per_user": tier.max_traces_per_user,
        },
        "global": {"max_bytes_per_trace": tier.max_bytes_per_trace},
        "compaction": {"block_retention": go_duration(retention or tier.retention)},
        # Exemplars named as the applications' (OpenTelemetry, Prometheus clients) and as Grafana's
        # Mimir datasource links them: Tempo's own default is `traceID`.
        "metrics_generator": {"processors": processors(tier), "trace_id_label_name": EXEMPLAR_TRACE_ID},
    }


def tempo_overrides(plan: Plan) -> dict[str, Any]:
    """Per-tenant overrides in the scoped format, one complete entry per tenant."""
    settings = plan.catalog.traces
    entries = {
        name: tenant_limits(tier_of(settings, tenant)) for name, tenant in sorted(plan.tenants.items())
    }
    return {"overrides": entries}


class TempoConfig:
    """Tempo's main configuration and its per-tenant overrides file."""

    name = "tempo"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        settings = plan.catalog.traces
        yield Artifact(
            path=CONFIG_PATH,
            role=Role.TEMPO_CONFIG,
            data=tempo_config(settings, plan.catalog.metrics),
            comment="Tempo 3.0 configuration (run with -config.verify=true).",
        )
        yield Artifact(
            path=OVERRIDES_PATH,
            role=Role.TEMPO_OVERRIDES,
            data=tempo_overrides(plan),
            comment=f"Tempo per-tenant overrides (scoped format), mounted at {OVERRIDES_MOUNT}.",
        )
