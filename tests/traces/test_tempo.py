"""Tempo 3.0 configuration and scoped overrides: tiers, retention, and the pinned reference."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lgtmgen.artifacts import Role
from lgtmgen.catalog.models.base import go_duration
from lgtmgen.catalog.traces_checks import DUPLICATE_DIMENSION, tempo_label
from lgtmgen.checks.reference import load_reference, validate_document
from lgtmgen.checks.reference.model import specs_dir
from lgtmgen.generators.tempo import TempoConfig
from lgtmgen.plan import Plan
from tests.traces.traces_catalog import CatalogLoader, base_catalog


def _files(plan: Plan) -> dict[str, Any]:
    return {a.path: a for a in TempoConfig().generate(plan)}


@pytest.mark.parametrize(
    ("catalog", "go"),
    [("30d", "720h"), ("36h", "36h"), ("90m", "1h30m"), ("45s", "45s"), ("1w", "168h")],
)
def test_catalog_durations_become_go_durations_without_days(catalog: str, go: str) -> None:
    assert go_duration(catalog) == go


def test_the_main_config_and_the_overrides_pass_the_tempo_reference(plan: Plan) -> None:
    files = _files(plan)
    config, overrides = files["tempo/tempo.yaml"], files["tempo/overrides.yaml"]
    assert (config.role, overrides.role) == (Role.TEMPO_CONFIG, Role.TEMPO_OVERRIDES)
    assert validate_document(config.data, load_reference("tempo-3.0/config"), file=config.path) == []
    assert validate_document(overrides.data, load_reference("tempo-3.0/overrides"), file=overrides.path) == []


def test_the_reference_rejects_what_tempo_3_removed_so_passing_it_means_something(plan: Plan) -> None:
    config = dict(_files(plan)["tempo/tempo.yaml"].data)
    config["compactor"] = {"compaction": {"block_retention": "48h"}}
    findings = validate_document(config, load_reference("tempo-3.0/config"), file="tempo.yaml")
    assert [f.check for f in findings] == ["reference/removed-block"]


def test_retention_lives_in_the_backend_worker_and_not_in_removed_blocks(plan: Plan) -> None:
    config = _files(plan)["tempo/tempo.yaml"].data
    assert config["backend_worker"]["compaction"]["block_retention"] == "336h"
    assert not {"ingester", "ingester_client", "compactor"} & set(config)


def test_each_tenant_gets_a_complete_entry_from_its_tier(plan: Plan) -> None:
    overrides = _files(plan)["tempo/overrides.yaml"].data["overrides"]
    assert sorted(overrides) == ["lab", "prod"]
    assert overrides["prod"]["compaction"] == {"block_retention": "720h"}
    assert overrides["prod"]["ingestion"]["rate_limit_bytes"] == 40000000
    assert overrides["prod"]["metrics_generator"]["processors"] == ["service-graphs", "span-metrics"]
    assert overrides["lab"]["compaction"] == {"block_retention": "36h"}
    assert overrides["lab"]["metrics_generator"]["processors"] == ["service-graphs"]
    for entry in overrides.values():
        assert set(entry) == {"ingestion", "global", "compaction", "metrics_generator"}


def test_generated_metrics_are_written_to_mimir_under_the_trace_tenant(plan: Plan) -> None:
    storage = _files(plan)["tempo/tempo.yaml"].data["metrics_generator"]["storage"]
    assert storage["remote_write_add_org_id_header"] is True
    # Unset, Tempo writes to the same Mimir as the clusters' Prometheus (metrics.remote_write_url).
    assert storage["remote_write"] == [
        {"name": "mimir", "url": "http://mimir-distributor.mimir.svc:8080/api/v1/push", "send_exemplars": True}
    ]


def _remote_write(load: CatalogLoader, traces: dict[str, Any], metrics: dict[str, Any]) -> dict[str, Any]:
    document = base_catalog()
    document["traces"].update(traces)
    document["metrics"] = metrics
    plan, diagnostics = load(document)
    assert plan is not None, [str(d) for d in diagnostics]
    tempo = _files(plan)["tempo/tempo.yaml"].data
    assert validate_document(tempo, load_reference("tempo-3.0/config"), file="tempo.yaml") == []
    entries: list[dict[str, Any]] = tempo["metrics_generator"]["storage"]["remote_write"]
    assert len(entries) == 1
    return entries[0]


GATEWAY = "https://mimir.example.com/api/v1/push"


@pytest.mark.parametrize(
    ("auth", "credentials"),
    [
        (
            {"username": "prometheus", "password_file": "/etc/secrets/mimir-password"},
            {"basic_auth": {"username": "prometheus", "password_file": "/etc/secrets/mimir-password"}},
        ),
        (
            {"bearer_token_file": "/etc/secrets/mimir-token"},
            {"authorization": {"type": "Bearer", "credentials_file": "/etc/secrets/mimir-token"}},
        ),
        (None, {}),
    ],
)
def test_unset_tempo_writes_where_and_as_the_prometheus_write(
    load: CatalogLoader, auth: dict[str, Any] | None, credentials: dict[str, Any]
) -> None:
    metrics: dict[str, Any] = {"remote_write_url": GATEWAY}
    if auth is not None:
        metrics["remote_write_auth"] = auth
    entry = _remote_write(load, {}, metrics)
    assert entry == {"name": "mimir", "url": GATEWAY, "send_exemplars": True, **credentials}


def test_an_explicit_tempo_url_is_written_to_without_the_prometheus_credentials(load: CatalogLoader) -> None:
    metrics = {"remote_write_url": GATEWAY, "remote_write_auth": {"bearer_token_file": "/etc/secrets/t"}}
    entry = _remote_write(load, {"mimir_remote_write_url": "http://mimir-distributor.mimir.svc:8080/api/v1/push"}, metrics)
    assert entry == {"name": "mimir", "url": "http://mimir-distributor.mimir.svc:8080/api/v1/push", "send_exemplars": True}


def test_processor_dimensions_come_from_the_catalog(load: CatalogLoader) -> None:
    document = base_catalog()
    document["traces"]["span_metrics_dimensions"] = ["http.route", "region"]
    document["traces"]["service_graph_dimensions"] = ["cluster"]
    plan, _ = load(document)
    assert plan is not None
    processor = _files(plan)["tempo/tempo.yaml"].data["metrics_generator"]["processor"]
    assert processor == {
        "service_graphs": {"dimensions": ["cluster"]},
        "span_metrics": {"dimensions": ["http.route", "region"]},
    }


def test_a_tenant_tier_missing_from_traces_tiers_is_reported_at_the_tenant(load: CatalogLoader) -> None:
    document = base_catalog()
    document["tenants"][1]["tier"] = "silver"
    plan, diagnostics = load(document)
    assert plan is None
    found = [(d.check, d.path) for d in diagnostics]
    assert found == [("catalog/traces-unknown-tier", "tenants[1].tier")]
    assert diagnostics[0].location is not None and diagnostics[0].location.line > 0


def test_a_catalog_without_a_traces_section_uses_the_default_tier_for_every_tenant(load: CatalogLoader) -> None:
    document = base_catalog()
    del document["traces"]
    plan, diagnostics = load(document)
    assert plan is not None and diagnostics == []
    overrides = _files(plan)["tempo/overrides.yaml"].data["overrides"]
    assert overrides["prod"]["compaction"] == {"block_retention": "336h"}
    # "Tempo's default limits": the ones the pinned Tempo 3.0 reference lists as its defaults.
    reference = json.loads((specs_dir() / "tempo-3.0" / "tenant-overrides-keys.json").read_text(encoding="utf-8"))["keys"]
    for key in ("rate_limit_bytes", "burst_size_bytes", "max_traces_per_user"):
        assert overrides["prod"]["ingestion"][key] == reference[f"ingestion.{key}"]["default"], key


def test_the_ingestion_limit_is_the_tenants_across_distributors(plan: Plan) -> None:
    # Tempo's default `local` strategy holds each distributor to the limit: N of them admit N times it.
    overrides = _files(plan)["tempo/overrides.yaml"].data["overrides"]
    defaults = _files(plan)["tempo/tempo.yaml"].data["overrides"]["defaults"]
    for entry in (*overrides.values(), defaults):
        assert entry["ingestion"]["rate_strategy"] == "global"


@pytest.mark.parametrize(
    ("field", "dimensions", "refused"),
    [
        ("span_metrics_dimensions", ["http.route", "http.route"], [1]),
        ("service_graph_dimensions", ["http.method", "db.system", "http_method"], [2]),
        ("span_metrics_dimensions", ["http.route", "http.request.method", "k8s.pod.name"], []),
        ("service_graph_dimensions", ["db.system", "db.name"], []),
    ],
)
def test_two_dimensions_becoming_one_tempo_label_are_refused(
    load: CatalogLoader, field: str, dimensions: list[str], refused: list[int]
) -> None:
    catalog = base_catalog()
    catalog.setdefault("traces", {})[field] = dimensions
    built, diagnostics = load(catalog)
    found = [(d.check, d.path) for d in diagnostics]
    assert found == [(DUPLICATE_DIMENSION, f"traces.{field}[{i}]") for i in refused]
    if not refused:
        assert built is not None
        tempo = _files(built)["tempo/tempo.yaml"].data
        key = "span_metrics" if field == "span_metrics_dimensions" else "service_graphs"
        assert tempo["metrics_generator"]["processor"][key]["dimensions"] == dimensions


@pytest.mark.parametrize(("attribute", "label"), [("http.route", "http_route"), ("k8s-pod/name", "k8s_pod_name")])
def test_tempo_labels_follow_prometheus_label_sanitising(attribute: str, label: str) -> None:
    assert tempo_label(attribute) == label
