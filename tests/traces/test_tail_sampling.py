"""Each tail-sampling policy is derived from the catalog, and the result passes the reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lgtmgen.artifacts import Role
from lgtmgen.checks.otelcol import validate_collector
from lgtmgen.checks.reference import validate_tail_sampling
from lgtmgen.diagnostics import Diagnostic
from lgtmgen.generators.tail_sampling import TailSampling, ottl_string
from lgtmgen.plan import Plan
from tests.support import load_catalog_document
from tests.traces.traces_catalog import CatalogLoader, base_catalog


def _collectors(plan: Plan) -> dict[str, dict[str, Any]]:
    """The sampler collectors (the routers in front of them are tested in test_trace_routing)."""
    return {a.path: a.data for a in TailSampling().generate(plan) if "/tail-sampling-" in a.path}


def _prod_sampler(plan: Plan) -> dict[str, Any]:
    sampler: dict[str, Any] = _collectors(plan)["otelcol/tail-sampling-prod.yaml"]["processors"]["tail_sampling"]
    return sampler


def _policy(plan: Plan, name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [p for p in _prod_sampler(plan)["policies"] if p["name"] == name]
    assert len(found) == 1, [p["name"] for p in _prod_sampler(plan)["policies"]]
    return found[0]


def _subs(policy: dict[str, Any]) -> list[dict[str, Any]]:
    subs: list[dict[str, Any]] = policy["and"]["and_sub_policy"]
    return subs


def test_every_trace_with_an_error_is_kept_by_the_first_policy(plan: Plan) -> None:
    first = _prod_sampler(plan)["policies"][0]
    assert first == {"name": "keep-errors", "type": "status_code", "status_code": {"status_codes": ["ERROR"]}}


def test_slow_traces_are_kept_when_a_span_of_the_service_outlasts_its_tightest_latency_slo_threshold(plan: Plan) -> None:
    # The span's own duration, not the trace's (the `latency` policy's): a trace that only
    # passes through a fast service is not kept for that service's tight threshold.
    assert _policy(plan, "keep-slow-web") == {
        "name": "keep-slow-web",
        "type": "ottl_condition",
        "ottl_condition": {
            "error_mode": "ignore",
            "span": ['resource.attributes["service.name"] == "web" and end_time_unix_nano - start_time_unix_nano > 250000000'],
        },
    }


@pytest.mark.parametrize(
    ("name", "literal"),
    [("web", '"web"'), ('say "hi"', '"say \\"hi\\""'), ("back\\slash", '"back\\\\slash"'), ("café", '"café"')],
)
def test_service_names_are_exact_ottl_string_literals(name: str, literal: str) -> None:
    assert ottl_string(name) == literal


def test_a_service_without_a_latency_slo_has_no_slow_policy(plan: Plan) -> None:
    names = [p["name"] for p in _prod_sampler(plan)["policies"]]
    assert "keep-slow-orders" not in names and "keep-slow-auth" not in names


def test_declared_critical_routes_are_kept_matched_on_the_route_attribute_of_the_convention(plan: Plan) -> None:
    web = _subs(_policy(plan, "keep-critical-routes-web"))
    assert web[1]["string_attribute"] == {"key": "http.route", "values": ["/cart", "/pay"]}
    orders = _subs(_policy(plan, "keep-critical-routes-orders"))
    assert orders[1]["string_attribute"] == {"key": "rpc.method", "values": ["PlaceOrder"]}


def test_a_service_may_name_its_own_route_attribute(load: CatalogLoader) -> None:
    document = base_catalog()
    document["services"][1]["traces"]["route_attribute"] = "rpc.grpc.method"
    plan, _ = load(document)
    assert plan is not None
    subs = _subs(_policy(plan, "keep-critical-routes-orders"))
    assert subs[1]["string_attribute"]["key"] == "rpc.grpc.method"


def test_the_baseline_share_follows_the_service_tier_unless_the_service_sets_its_own(plan: Plan) -> None:
    web = _subs(_policy(plan, "baseline-web"))
    orders = _subs(_policy(plan, "baseline-orders"))
    auth = _subs(_policy(plan, "baseline-auth"))
    assert web[1]["probabilistic"] == {"sampling_percentage": 20.0}
    assert orders[1]["probabilistic"] == {"sampling_percentage": 10.0}
    assert auth[1]["probabilistic"] == {"sampling_percentage": 50.0}


def test_the_baseline_ends_with_the_tier_rate_limit_that_caps_its_cost(load: CatalogLoader) -> None:
    document = base_catalog()
    document["traces"]["sampling"] = {"baseline": {"tier_2": {"percent": 5, "max_spans_per_second": 123}}}
    plan, _ = load(document)
    assert plan is not None
    orders = _subs(_policy(plan, "baseline-orders"))
    assert orders[-1] == {
        "name": "baseline-orders/cost-cap",
        "type": "rate_limiting",
        "rate_limiting": {"spans_per_second": 123},
    }
    assert orders[1]["probabilistic"] == {"sampling_percentage": 5.0}


def test_decision_wait_is_the_floor_when_every_threshold_is_short(plan: Plan) -> None:
    assert _prod_sampler(plan)["decision_wait"] == "10s"


def test_decision_wait_is_twice_the_slowest_threshold_rounded_up_when_that_is_longer(load: CatalogLoader) -> None:
    document = base_catalog()
    document["services"][2]["slos"] = [
        {"name": "slow-batch", "objective": 99, "sli": {"kind": "latency", "threshold": 7.2}}
    ]
    plan, _ = load(document)
    assert plan is not None
    assert _prod_sampler(plan)["decision_wait"] == "15s"


def _slow_auth_document(threshold: float, sampling: dict[str, Any] | None = None) -> dict[str, Any]:
    document = base_catalog()
    document["services"][2]["slos"] = [
        {"name": "slow-batch", "objective": 99, "sli": {"kind": "latency", "threshold": threshold}}
    ]
    if sampling is not None:
        document["traces"]["sampling"] = sampling
    return document


def _with_slow_auth(
    load: CatalogLoader, threshold: float, sampling: dict[str, Any] | None = None
) -> tuple[Plan | None, list[Diagnostic]]:
    return load(_slow_auth_document(threshold, sampling))


def test_a_slow_slo_cannot_make_the_sampler_hold_every_trace_longer_than_the_ceiling(load: CatalogLoader) -> None:
    # A 2h threshold would derive a 4h wait; num_traces follows the capped wait.
    plan, _ = _with_slow_auth(load, 7200)
    assert plan is not None
    sampler = _prod_sampler(plan)
    assert sampler["decision_wait"] == "1m"
    assert sampler["num_traces"] == 96060  # (700 + 100.5) traces/s × 60 s × 2
    slow = _policy(plan, "keep-slow-auth")["ottl_condition"]["span"]
    assert slow == ['resource.attributes["service.name"] == "auth" and end_time_unix_nano - start_time_unix_nano > 7200000000000']


def test_the_ceiling_of_the_wait_is_a_catalog_setting(load: CatalogLoader) -> None:
    plan, _ = _with_slow_auth(load, 7200, {"max_decision_wait": "5m"})
    assert plan is not None
    assert _prod_sampler(plan)["decision_wait"] == "5m"


@pytest.mark.parametrize(
    ("threshold", "fate"),
    [(45, "judged before they end"), (60, "keep-slow cannot see any of them"), (7200, "cannot see")],
)
def test_a_latency_threshold_the_ceiling_cannot_honour_is_warned_about(
    tmp_path: Path, threshold: float, fate: str
) -> None:
    plan, diagnostics = load_catalog_document(tmp_path, _slow_auth_document(threshold))
    assert plan is not None
    [warning] = [d for d in diagnostics if d.check == "catalog/traces-decision-wait-capped"]
    assert warning.path == "services[2].slos[0].sli.threshold"
    assert fate in warning.message and "baseline" in warning.message


def test_a_threshold_within_half_the_ceiling_is_not_warned_about(tmp_path: Path) -> None:
    _, diagnostics = load_catalog_document(tmp_path, _slow_auth_document(30))
    assert [d.check for d in diagnostics if d.check.startswith("catalog/traces-")] == []


def test_a_floor_above_the_ceiling_is_refused(load: CatalogLoader) -> None:
    document = base_catalog()
    document["traces"]["sampling"] = {"min_decision_wait": "2m", "max_decision_wait": "1m"}
    _, diagnostics = load(document)
    assert [(d.check, d.path) for d in diagnostics] == [
        ("catalog/traces-decision-wait-bounds", "traces.sampling.min_decision_wait")
    ]


def test_num_traces_holds_the_peak_arrivals_of_the_wait_with_headroom(plan: Plan) -> None:
    sampler = _prod_sampler(plan)
    # (700 + 100.5) traces/s × 10 s × 2 headroom = 16010, above the 10000 floor.
    assert sampler["num_traces"] == 16010
    assert sampler["expected_new_traces_per_sec"] == 801


def test_late_spans_follow_their_trace_decision_for_another_wait(plan: Plan) -> None:
    # Without the caches (the upstream default is a no-op cache) a span arriving after the
    # decision starts a trace of its own and is judged again: a kept trace can lose its slow root.
    sampler = _prod_sampler(plan)
    assert sampler["decision_cache"] == {"sampled_cache_size": 16010, "non_sampled_cache_size": 16010}


def test_num_traces_never_drops_below_the_floor(plan: Plan) -> None:
    lab = _collectors(plan)["otelcol/tail-sampling-lab.yaml"]["processors"]["tail_sampling"]
    assert lab["num_traces"] == 10000


def test_each_tenant_gets_a_collector_exporting_to_tempo_with_its_tenant_header(plan: Plan) -> None:
    collectors = _collectors(plan)
    assert sorted(collectors) == ["otelcol/tail-sampling-lab.yaml", "otelcol/tail-sampling-prod.yaml"]
    prod = collectors["otelcol/tail-sampling-prod.yaml"]
    assert prod["exporters"]["otlp_grpc/tempo"]["headers"] == {"X-Scope-OrgID": "prod"}
    pipeline = prod["service"]["pipelines"]["traces"]
    # the memory limit first: a sampler holds every trace for the decision wait, and without it
    # a burst gets it killed with all of them
    assert pipeline == {
        "receivers": ["otlp"],
        "processors": ["memory_limiter", "tail_sampling", "batch"],
        "exporters": ["otlp_grpc/tempo"],
    }
    assert prod["processors"]["memory_limiter"]["limit_percentage"] == 80
    lab_services = {p["name"] for p in collectors["otelcol/tail-sampling-lab.yaml"]["processors"]["tail_sampling"]["policies"]}
    assert lab_services == {"keep-errors", "baseline-lab-job"}


def test_a_batch_to_tempo_stays_under_the_grpc_receivers_message_limit(plan: Plan) -> None:
    # Tempo's OTLP gRPC receiver refuses messages over 4 MiB by default, and the exporter drops a
    # refused batch: with spans of up to 4 KiB (many attributes), a batch must stay under it.
    batch = _collectors(plan)["otelcol/tail-sampling-prod.yaml"]["processors"]["batch"]
    assert 0 < batch["send_batch_size"] <= batch["send_batch_max_size"]
    assert batch["send_batch_max_size"] * 4 * 1024 <= 4 * 1024 * 1024


def test_every_policy_and_sub_policy_name_is_unique(plan: Plan) -> None:
    policies = _prod_sampler(plan)["policies"]
    names = [p["name"] for p in policies]
    names += [sub["name"] for p in policies if p["type"] == "and" for sub in _subs(p)]
    assert len(names) == len(set(names))
    assert "keep-critical-routes-web/service" in names


def test_every_generated_sampler_passes_the_pinned_tail_sampling_reference(plan: Plan) -> None:
    artifacts = list(TailSampling().generate(plan))
    assert {a.role for a in artifacts} == {Role.OTELCOL_CONFIG}
    for artifact in (a for a in artifacts if "/tail-sampling-" in a.path):
        block = artifact.data["processors"]["tail_sampling"]
        assert validate_tail_sampling(block, file=artifact.path, path="processors.tail_sampling") == []


def test_the_reference_would_catch_a_burst_capacity_the_pinned_collector_lacks(plan: Plan) -> None:
    block = _prod_sampler(plan)
    _subs(block["policies"][-1])[-1]["rate_limiting"]["burst_capacity"] = 10
    findings = validate_tail_sampling(block, file="x.yaml", path="processors.tail_sampling")
    assert [f.check for f in findings] == ["reference/version-dependent"]


def _prod_collector(load: CatalogLoader, sampling: dict[str, Any]) -> dict[str, Any]:
    document = base_catalog()
    document.setdefault("traces", {})["sampling"] = sampling
    plan, diagnostics = load(document)
    assert plan is not None, [str(d) for d in diagnostics]
    return _collectors(plan)["otelcol/tail-sampling-prod.yaml"]


def _tempo_exporter(load: CatalogLoader, sampling: dict[str, Any]) -> dict[str, Any]:
    exporter: dict[str, Any] = _prod_collector(load, sampling)["exporters"]["otlp_grpc/tempo"]
    return exporter


def test_the_in_cluster_tempo_is_reached_over_plain_grpc_spelled_out(plan: Plan) -> None:
    # The collector's gRPC exporter defaults to TLS; a plain in-cluster distributor needs insecure.
    exporter = _collectors(plan)["otelcol/tail-sampling-prod.yaml"]["exporters"]["otlp_grpc/tempo"]
    assert exporter["endpoint"] == "tempo-distributor.tempo.svc:4317"
    assert exporter["tls"] == {"insecure": True}


@pytest.mark.parametrize(
    ("sampling", "tls"),
    [
        ({"tempo_endpoint": "https://tempo.example.com:443"}, {"insecure": False}),
        ({"tempo_endpoint": "http://tempo:4317"}, {"insecure": True}),
        ({"tempo_endpoint": "tempo:4317", "tempo_tls": {"insecure": False}}, {"insecure": False}),
        (
            {"tempo_endpoint": "tempo:4317", "tempo_tls": {"ca_file": "/etc/otelcol/tempo-ca.pem"}},
            {"insecure": False, "ca_file": "/etc/otelcol/tempo-ca.pem"},
        ),
    ],
)
def test_the_export_tls_follows_the_catalog_and_the_endpoint_scheme(
    load: CatalogLoader, sampling: dict[str, Any], tls: dict[str, Any]
) -> None:
    assert _tempo_exporter(load, sampling)["tls"] == tls


@pytest.mark.parametrize(
    ("sampling", "path"),
    [
        ({"tempo_endpoint": "https://tempo:443", "tempo_tls": {"insecure": True}}, "insecure"),
        ({"tempo_endpoint": "http://tempo:4317", "tempo_tls": {"insecure": False}}, "insecure"),
        ({"tempo_endpoint": "http://tempo:4317", "tempo_tls": {"ca_file": "/ca.pem"}}, "ca_file"),
        ({"tempo_endpoint": "tempo:4317", "tempo_tls": {"insecure": True, "ca_file": "/ca.pem"}}, "ca_file"),
    ],
)
def test_tls_settings_the_endpoint_scheme_would_override_are_refused(
    load: CatalogLoader, sampling: dict[str, Any], path: str
) -> None:
    document = base_catalog()
    document.setdefault("traces", {})["sampling"] = sampling
    _, diagnostics = load(document)
    assert [(d.check, d.path) for d in diagnostics] == [
        ("catalog/traces-tempo-tls-conflict", f"traces.sampling.tempo_tls.{path}")
    ]


def test_every_tls_variant_passes_the_collector_check(load: CatalogLoader) -> None:
    with_ca = {"tempo_endpoint": "tempo:4317", "tempo_tls": {"ca_file": "/etc/otelcol/ca.pem"}}
    for sampling in (with_ca, {}):
        assert validate_collector(_prod_collector(load, sampling), "x.yaml") == []
