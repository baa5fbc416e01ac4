"""Every span of a trace reaches one sampler replica: a trace-ID routing tier per tenant."""

from __future__ import annotations

from typing import Any

import pytest

from lgtmgen.checks.otelcol import validate_collector
from lgtmgen.generators.tail_sampling import TailSampling
from lgtmgen.plan import Plan
from tests.traces.traces_catalog import CatalogLoader, base_catalog


def _collectors(plan: Plan) -> dict[str, dict[str, Any]]:
    return {a.path: a.data for a in TailSampling().generate(plan)}


def _with_routing(load: CatalogLoader, routing: dict[str, Any]) -> dict[str, dict[str, Any]]:
    document = base_catalog()
    document.setdefault("traces", {})["sampling"] = {"routing": routing}
    plan, diagnostics = load(document)
    assert plan is not None, [str(d) for d in diagnostics]
    return _collectors(plan)


def test_each_tenant_has_a_router_in_front_of_its_sampler(plan: Plan) -> None:
    assert sorted(_collectors(plan)) == [
        "otelcol/tail-sampling-lab.yaml",
        "otelcol/tail-sampling-prod.yaml",
        "otelcol/trace-routing-lab.yaml",
        "otelcol/trace-routing-prod.yaml",
    ]


def test_the_router_sends_each_trace_by_its_id_to_the_replicas_behind_the_tenant_sampler_host(plan: Plan) -> None:
    router = _collectors(plan)["otelcol/trace-routing-prod.yaml"]
    assert router["exporters"] == {
        "loadbalancing": {
            "routing_key": "traceID",
            "protocol": {"otlp": {"tls": {"insecure": True}}},
            "resolver": {"dns": {"hostname": "otelcol-tail-sampling-prod-headless", "port": "4317"}},
        }
    }
    assert router["service"]["pipelines"] == {
        "traces": {"receivers": ["otlp"], "processors": ["memory_limiter"], "exporters": ["loadbalancing"]}
    }
    assert set(router["processors"]) == {"memory_limiter"}
    # Applications send to the router over gRPC or HTTP.
    assert set(router["receivers"]["otlp"]["protocols"]) == {"grpc", "http"}


def test_the_sampler_listens_only_where_the_routers_send(load: CatalogLoader) -> None:
    collectors = _with_routing(load, {"sampler_port": 14317})
    router = collectors["otelcol/trace-routing-prod.yaml"]["exporters"]["loadbalancing"]
    sampler = collectors["otelcol/tail-sampling-prod.yaml"]["receivers"]["otlp"]
    assert router["resolver"]["dns"]["port"] == "14317"
    assert sampler == {"protocols": {"grpc": {"endpoint": "0.0.0.0:14317"}}}


def test_the_k8s_resolver_watches_the_tenant_sampler_service(load: CatalogLoader) -> None:
    collectors = _with_routing(
        load, {"resolver": "k8s", "sampler_host": "sampler-{tenant}.observability"}
    )
    exporter = collectors["otelcol/trace-routing-lab.yaml"]["exporters"]["loadbalancing"]
    assert exporter["resolver"] == {"k8s": {"service": "sampler-lab.observability", "ports": [4317]}}


@pytest.mark.parametrize("host", ["otelcol-sampler", "sampler-{team}", "{tenant}-{tenant}"])
def test_a_sampler_host_must_name_the_tenant_once(load: CatalogLoader, host: str) -> None:
    # One host for every tenant would send each tenant's traces to one tenant's samplers.
    document = base_catalog()
    document.setdefault("traces", {})["sampling"] = {"routing": {"sampler_host": host}}
    _, diagnostics = load(document)
    assert [d.path for d in diagnostics] == ["traces.sampling.routing.sampler_host"]


@pytest.mark.parametrize("routing", [{}, {"resolver": "k8s"}])
def test_routers_and_samplers_pass_the_collector_component_reference(
    load: CatalogLoader, routing: dict[str, Any]
) -> None:
    for path, config in _with_routing(load, routing).items():
        assert validate_collector(config, path) == [], path


def test_the_reference_refuses_an_endpoint_the_loadbalancing_exporter_sets_itself(plan: Plan) -> None:
    router = _collectors(plan)["otelcol/trace-routing-prod.yaml"]
    router["exporters"]["loadbalancing"]["protocol"]["otlp"]["endpoint"] = "sampler:4317"
    router["exporters"]["loadbalancing"]["resolver"]["consul"] = {"service": "sampler"}
    findings = validate_collector(router, "r.yaml")
    assert sorted((f.check, f.path) for f in findings) == [
        ("reference/unknown-key", "exporters.loadbalancing.protocol.otlp.endpoint"),
        ("reference/unknown-key", "exporters.loadbalancing.resolver.consul"),
    ]
