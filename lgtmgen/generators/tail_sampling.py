"""OpenTelemetry collector configs per tenant: a trace-ID router and a `tail_sampling` sampler.

The routers (`trace_routing`) send every span of a trace to one sampler replica, so each
sampler judges whole traces.

Policies, each derived from the catalog (a trace is kept when any policy samples it):

- ``keep-errors``: every trace with a span in status ERROR;
- ``keep-slow-<service>``: every trace with a span of the service that lasted longer than its
  tightest latency-SLO threshold (the span's own duration, an OTTL condition);
- ``keep-critical-routes-<service>``: every trace of a declared business-critical route;
- ``baseline-<service>``: a probabilistic share (the service tier's percentage or the
  service's own), followed by a rate limit of the tier's ``max_spans_per_second`` that caps
  what the baseline costs.

Sizing: ``decision_wait = min(max_decision_wait, max(min_decision_wait, ceil(2 × slowest latency
threshold)))``
and ``num_traces = max(min_num_traces, ceil(Σ peak_traces_per_second × decision_wait × headroom))``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models import LatencySLI, Service
from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.catalog.models.traces import SamplingSettings
from lgtmgen.generators.collector import MEMORY_LIMITER, literal_dollars, memory_limiter
from lgtmgen.generators.trace_routing import otlp_receiver, routing_collector_config
from lgtmgen.naming import slug
from lgtmgen.plan import Plan

SERVICE_ATTRIBUTE = "service.name"
ROUTE_ATTRIBUTES = {"http": "http.route", "grpc": "rpc.method", "custom": "http.route"}


def latency_threshold(service: Service) -> float | None:
    """The tightest latency-SLO threshold of the service, in seconds."""
    thresholds = [s.sli.threshold for s in service.slos if isinstance(s.sli, LatencySLI)]
    return min(thresholds) if thresholds else None


def decision_wait_seconds(services: list[Service], settings: SamplingSettings) -> int:
    """Twice the slowest latency threshold, whole seconds, between the floor and the ceiling."""
    floor = parse_duration(settings.min_decision_wait)
    ceiling = parse_duration(settings.max_decision_wait)
    thresholds = [t for s in services if (t := latency_threshold(s)) is not None]
    derived = math.ceil(2 * max(thresholds)) if thresholds else 0
    return int(min(ceiling, max(floor, derived)))


def peak_traces_per_second(services: list[Service]) -> float:
    return sum(s.traces.peak_traces_per_second for s in services if s.traces)


def num_traces(services: list[Service], wait_seconds: int, settings: SamplingSettings) -> int:
    """Traces held in memory while waiting: peak arrivals during the wait, with headroom."""
    peak = peak_traces_per_second(services)
    return max(settings.min_num_traces, math.ceil(peak * wait_seconds * settings.headroom))


def _service_match(service: Service) -> dict[str, Any]:
    return {
        "name": "service",
        "type": "string_attribute",
        "string_attribute": {"key": SERVICE_ATTRIBUTE, "values": [service.name]},
    }


def _and(name: str, *subs: dict[str, Any]) -> dict[str, Any]:
    """An `and` policy; sub-policy names are prefixed with its name so every name is unique."""
    named = [{**sub, "name": f"{name}/{sub['name']}"} for sub in subs]
    return {"name": name, "type": "and", "and": {"and_sub_policy": named}}


def errors_policy() -> dict[str, Any]:
    return {"name": "keep-errors", "type": "status_code", "status_code": {"status_codes": ["ERROR"]}}


def ottl_string(value: str) -> str:
    """An OTTL string literal holding `value` exactly (OTTL unquotes its strings as Go does)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def slow_condition(service: Service, threshold: float) -> str:
    """The OTTL span condition of a span of `service` that lasted longer than `threshold` seconds.

    A span's own duration: the `latency` policy measures the whole trace, so a downstream
    service's tight threshold would keep nearly every trace that crosses it, uncapped.
    """
    nanoseconds = round(threshold * 1_000_000_000)
    return (
        f"resource.attributes[{ottl_string(SERVICE_ATTRIBUTE)}] == {ottl_string(service.name)}"
        f" and end_time_unix_nano - start_time_unix_nano > {nanoseconds}"
    )


def slow_policy(service: Service) -> dict[str, Any] | None:
    threshold = latency_threshold(service)
    if threshold is None:
        return None
    return {
        "name": f"keep-slow-{slug(service.name)}",
        "type": "ottl_condition",
        # A span whose condition cannot be evaluated counts as not slow, instead of failing the trace's decision.
        "ottl_condition": {"error_mode": "ignore", "span": [slow_condition(service, threshold)]},
    }


def route_attribute(service: Service) -> str:
    if service.traces and service.traces.route_attribute:
        return service.traces.route_attribute
    return ROUTE_ATTRIBUTES[service.metrics.convention]


def critical_routes_policy(service: Service) -> dict[str, Any] | None:
    if not service.traces or not service.traces.critical_routes:
        return None
    routes = {
        "name": "critical-route",
        "type": "string_attribute",
        "string_attribute": {
            "key": route_attribute(service),
            "values": sorted(set(service.traces.critical_routes)),
        },
    }
    return _and(f"keep-critical-routes-{slug(service.name)}", _service_match(service), routes)


def baseline_policy(service: Service, settings: SamplingSettings) -> dict[str, Any]:
    tier = settings.baseline.of(service.tier)
    percent = service.traces.baseline_percent if service.traces and service.traces.baseline_percent else tier.percent
    probabilistic = {
        "name": "baseline-share",
        "type": "probabilistic",
        "probabilistic": {"sampling_percentage": float(percent)},
    }
    # Last in the `and`: the limiter only counts traces the share already kept.
    cap = {
        "name": "cost-cap",
        "type": "rate_limiting",
        "rate_limiting": {"spans_per_second": tier.max_spans_per_second},
    }
    return _and(f"baseline-{slug(service.name)}", _service_match(service), probabilistic, cap)


def sampling_policies(services: list[Service], settings: SamplingSettings) -> list[dict[str, Any]]:
    """Every policy of the services, errors first, then per service in catalog order."""
    policies = [errors_policy()]
    for service in services:
        policies += [p for p in (slow_policy(service), critical_routes_policy(service)) if p]
        policies.append(baseline_policy(service, settings))
    return policies


def tail_sampling_block(services: list[Service], settings: SamplingSettings) -> dict[str, Any]:
    wait = decision_wait_seconds(services, settings)
    held = num_traces(services, wait, settings)
    return {
        "decision_wait": format_duration(wait),
        "num_traces": held,
        "expected_new_traces_per_sec": math.ceil(peak_traces_per_second(services)),
        # Spans of a trace that outlives decision_wait arrive after its decision: the caches
        # remember the last decisions (as many trace ids as the sampler holds traces, about one
        # more decision_wait of traffic), so a late span follows its trace instead of being
        # judged again as a trace of its own, and a kept trace keeps its slow root.
        "decision_cache": {"sampled_cache_size": held, "non_sampled_cache_size": held},
        "policies": sampling_policies(services, settings),
    }


def tempo_exporter_tls(settings: SamplingSettings) -> dict[str, Any]:
    """The exporter's `tls` block: plaintext spelled out (the default is TLS), or TLS and its CA."""
    tls = settings.tempo_tls
    if tls.is_insecure(settings.tempo_endpoint):
        return {"insecure": True}
    return {"insecure": False} if tls.ca_file is None else {"insecure": False, "ca_file": tls.ca_file}


SPANS_PER_BATCH = 1024
"""Spans of one export to Tempo. Tempo receives OTLP with the collector's gRPC server, which refuses
messages over 4 MiB by default, and the exporter drops a refused batch for good: the batch
processor's own 8,192 spans, with no upper bound, pass that at 512 bytes a span, where 1,024 spans
of 4 KiB still fit. A decision releases a whole trace at once, so the bound matters here."""


def collector_config(tenant: str, services: list[Service], settings: SamplingSettings) -> dict[str, Any]:
    """The sampler of one tenant: OTLP from its routers, a memory limit, tail sampling and batching,
    OTLP to Tempo."""
    return {
        "receivers": {"otlp": otlp_receiver(settings.routing.sampler_port, http=False)},
        "processors": {
            MEMORY_LIMITER: memory_limiter(),
            "tail_sampling": tail_sampling_block(services, settings),
            "batch": {"send_batch_size": SPANS_PER_BATCH, "send_batch_max_size": SPANS_PER_BATCH},
        },
        "exporters": {
            "otlp_grpc/tempo": {
                "endpoint": settings.tempo_endpoint,
                "tls": tempo_exporter_tls(settings),
                "headers": {"X-Scope-OrgID": tenant},
            }
        },
        "service": {
            "pipelines": {
                "traces": {
                    "receivers": ["otlp"],
                    "processors": [MEMORY_LIMITER, "tail_sampling", "batch"],
                    "exporters": ["otlp_grpc/tempo"],
                }
            }
        },
    }


class TailSampling:
    """Per tenant that has services, a router and a sampler collector configuration."""

    name = "tail-sampling"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        settings = plan.catalog.traces.sampling
        for tenant in sorted(plan.tenants):
            services = [s for s in plan.catalog.services if s.tenant == tenant]
            if not services:
                continue
            yield Artifact(
                path=f"otelcol/trace-routing-{slug(tenant)}.yaml",
                role=Role.OTELCOL_CONFIG,
                data=literal_dollars(routing_collector_config(settings.routing, slug(tenant))),
                comment=(
                    f"Trace router of tenant {tenant!r}: applications send here; every span of a "
                    "trace goes to the same sampler replica."
                ),
            )
            yield Artifact(
                path=f"otelcol/tail-sampling-{slug(tenant)}.yaml",
                role=Role.OTELCOL_CONFIG,
                data=literal_dollars(collector_config(tenant, services, settings)),
                comment=(
                    f"Trace sampler of tenant {tenant!r}: receives from its routers; tail sampling "
                    "derived from the catalog."
                ),
            )
