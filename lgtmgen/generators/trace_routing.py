"""The routing tier in front of a tenant's tail samplers: every span of a trace to one replica.

A `tail_sampling` processor decides on the spans it holds; with more than one sampler replica
and nothing in front, the spans of one trace are spread over replicas and each judges a part
(an error span on one replica, the slow root on another). The routers receive OTLP from the
applications and export through the `loadbalancing` exporter with ``routing_key: traceID``,
which hashes each trace ID onto the sampler replicas its resolver finds, so a trace is judged
whole. The routers hold no state and scale freely.
"""

from __future__ import annotations

from typing import Any

from lgtmgen.catalog.models.traces import SamplerRouting
from lgtmgen.generators.collector import MEMORY_LIMITER, memory_limiter

OTLP_GRPC_PORT = 4317
OTLP_HTTP_PORT = 4318


def otlp_receiver(grpc_port: int, *, http: bool) -> dict[str, Any]:
    """An OTLP receiver on all interfaces: gRPC, and HTTP when applications send to it."""
    protocols: dict[str, Any] = {"grpc": {"endpoint": f"0.0.0.0:{grpc_port}"}}
    if http:
        protocols["http"] = {"endpoint": f"0.0.0.0:{OTLP_HTTP_PORT}"}
    return {"protocols": protocols}


def resolver(routing: SamplerRouting, tenant_slug: str) -> dict[str, Any]:
    """The `resolver` block that finds the tenant's sampler replicas."""
    host = routing.host_of(tenant_slug)
    if routing.resolver == "k8s":
        return {"k8s": {"service": host, "ports": [routing.sampler_port]}}
    # The dns resolver's port is a string in the exporter's configuration.
    return {"dns": {"hostname": host, "port": str(routing.sampler_port)}}


def loadbalancing_exporter(routing: SamplerRouting, tenant_slug: str) -> dict[str, Any]:
    """Trace-ID routing onto the samplers, plain gRPC inside the cluster like their receiver."""
    return {
        "routing_key": "traceID",
        "protocol": {"otlp": {"tls": {"insecure": True}}},
        "resolver": resolver(routing, tenant_slug),
    }


def routing_collector_config(routing: SamplerRouting, tenant_slug: str) -> dict[str, Any]:
    """The router collector of one tenant: OTLP in, a memory limit, `loadbalancing` by trace ID out."""
    return {
        "receivers": {"otlp": otlp_receiver(OTLP_GRPC_PORT, http=True)},
        "processors": {MEMORY_LIMITER: memory_limiter()},
        "exporters": {"loadbalancing": loadbalancing_exporter(routing, tenant_slug)},
        "service": {
            "pipelines": {"traces": {"receivers": ["otlp"], "processors": [MEMORY_LIMITER], "exporters": ["loadbalancing"]}},
        },
    }
