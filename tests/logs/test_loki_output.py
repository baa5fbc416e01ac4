"""Loki main config and runtime overrides: strictly valid, retention per stream in Loki's order."""

from __future__ import annotations

import re
from typing import Any

import yaml

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.checks.reference import load_reference, validate_document
from lgtmgen.generators.loki import LokiGenerator
from lgtmgen.plan import Plan
from lgtmgen.render import render_artifact
from tests.logs.conftest import Loader, base_catalog


def rendered(plan: Plan) -> dict[str, Any]:
    """Artifacts by path, parsed back from the bytes the writer would write."""
    artifacts: list[Artifact] = list(LokiGenerator().generate(plan))
    return {a.path: (a.role, yaml.safe_load(render_artifact(a))) for a in artifacts}


def test_the_main_config_and_the_overrides_pass_the_loki_reference(plan: Plan) -> None:
    files = rendered(plan)
    role, config = files["loki/loki.yaml"]
    assert role is Role.LOKI_CONFIG
    assert validate_document(config, load_reference("loki-3.7/config"), file="loki/loki.yaml") == []
    role, runtime = files["loki/runtime.yaml"]
    assert role is Role.LOKI_RUNTIME
    assert (
        validate_document(runtime, load_reference("loki-3.7/runtime"), file="loki/runtime.yaml")
        == []
    )


def test_retention_in_the_compactor_comes_with_its_delete_request_store(plan: Plan) -> None:
    _, config = rendered(plan)["loki/loki.yaml"]
    assert config["compactor"]["retention_enabled"] is True
    assert (
        config["compactor"]["delete_request_store"]
        == config["schema_config"]["configs"][0]["object_store"]
    )
    assert config["schema_config"]["configs"][0]["schema"] == "v13"
    assert config["schema_config"]["configs"][0]["store"] == "tsdb"


def test_the_ruler_remote_writes_log_metrics_to_mimir_per_tenant(plan: Plan) -> None:
    _, config = rendered(plan)["loki/loki.yaml"]
    remote = config["ruler"]["remote_write"]
    assert remote["enabled"] is True and remote["add_org_id_header"] is True
    # unset, the ruler writes where the clusters' Prometheus write (one setting names Mimir)
    assert plan.catalog.logs.mimir_remote_write_url is None
    assert remote["clients"]["mimir"] == {"url": plan.catalog.metrics.remote_write_url}


def test_the_ruler_writes_with_the_metrics_credentials_unless_its_own_url_is_set(load: Loader) -> None:
    doc = base_catalog()
    doc["metrics"] = {"remote_write_url": "https://mimir.example/api/v1/push",
                      "remote_write_auth": {"username": "loki", "password_file": "/etc/loki/mimir-password"}}
    plan, diagnostics = load(doc)
    assert plan is not None and not [d for d in diagnostics if d.is_error]
    client = rendered(plan)["loki/loki.yaml"][1]["ruler"]["remote_write"]["clients"]["mimir"]
    assert client == {
        "url": "https://mimir.example/api/v1/push",
        "basic_auth": {"username": "loki", "password_file": "/etc/loki/mimir-password"},
    }
    doc["logs"]["mimir_remote_write_url"] = "http://mimir-distributor:8080/api/v1/push"
    plan, diagnostics = load(doc)
    assert plan is not None and not [d for d in diagnostics if d.is_error]
    client = rendered(plan)["loki/loki.yaml"][1]["ruler"]["remote_write"]["clients"]["mimir"]
    assert client == {"url": "http://mimir-distributor:8080/api/v1/push"}


def test_the_scalable_deployment_uses_memberlist_and_three_replicas(load: Loader) -> None:
    doc = base_catalog()
    doc["logs"] |= {
        "deployment": "scalable",
        "storage": {"backend": "s3", "bucket": "logs"},
        "memcached_results": "dns+results:11211",
        "memcached_chunks": "dns+chunks:11211",
    }
    plan, diagnostics = load(doc)
    assert plan is not None, [str(d) for d in diagnostics]
    _, config = rendered(plan)["loki/loki.yaml"]
    assert config["common"]["ring"]["kvstore"]["store"] == "memberlist"
    assert config["common"]["replication_factor"] == 3
    assert config["common"]["storage"] == {"s3": {"bucketnames": "logs"}}
    assert (
        config["query_range"]["results_cache"]["cache"]["memcached_client"]["addresses"]
        == "dns+results:11211"
    )
    assert validate_document(config, load_reference("loki-3.7/config"), file="loki/loki.yaml") == []


def test_each_tenant_gets_the_limits_of_its_tier(plan: Plan) -> None:
    _, runtime = rendered(plan)["loki/runtime.yaml"]
    assert runtime["overrides"]["prod"]["retention_period"] == "2160h"
    assert runtime["overrides"]["staging"]["retention_period"] == "168h"
    assert runtime["overrides"]["staging"]["ingestion_rate_mb"] == 2


def test_query_parallelism_is_written_where_the_tsdb_index_reads_it(load: Loader) -> None:
    # Loki's frontend weighs tsdb_max_query_parallelism for TSDB periods, max_query_parallelism for
    # the others: with only TSDB periods, a tier's value in the latter alone would change nothing.
    document = base_catalog()
    document["logs"]["max_query_parallelism"] = 24
    document["logs"]["tiers"]["gold"]["max_query_parallelism"] = 64
    plan, _ = load(document)
    assert plan is not None
    files = rendered(plan)
    _, main = files["loki/loki.yaml"]
    assert {period["store"] for period in main["schema_config"]["configs"]} == {"tsdb"}
    assert main["limits_config"]["tsdb_max_query_parallelism"] == main["limits_config"]["max_query_parallelism"] == 24
    _, runtime = files["loki/runtime.yaml"]
    assert runtime["overrides"]["prod"]["tsdb_max_query_parallelism"] == 64
    assert runtime["overrides"]["staging"]["tsdb_max_query_parallelism"] == 32


def test_a_misspelled_key_in_a_tenant_override_is_caught_with_its_path(plan: Plan) -> None:
    _, runtime = rendered(plan)["loki/runtime.yaml"]
    runtime["overrides"]["prod"]["retention_perod"] = runtime["overrides"]["prod"].pop(
        "retention_period"
    )
    findings = validate_document(
        runtime, load_reference("loki-3.7/runtime"), file="loki/runtime.yaml"
    )
    assert [(f.check, f.path) for f in findings] == [
        ("reference/unknown-key", "overrides.prod.retention_perod")
    ]
    assert "retention_period" in findings[0].message


def test_a_wrong_type_in_a_stream_retention_is_caught_with_its_path(plan: Plan) -> None:
    _, runtime = rendered(plan)["loki/runtime.yaml"]
    runtime["overrides"]["prod"]["retention_stream"][0]["period"] = "a week"
    findings = validate_document(
        runtime, load_reference("loki-3.7/runtime"), file="loki/runtime.yaml"
    )
    assert [(f.check, f.path) for f in findings] == [
        ("reference/wrong-type", "overrides.prod.retention_stream[0].period")
    ]


def _hours(period: str) -> int:
    match = re.fullmatch(r"(\d+)h", period)
    assert match, period
    return int(match.group(1))


def _selector_labels(rule: dict[str, Any]) -> dict[str, str]:
    return dict(re.findall(r'(\w+)="([^"]*)"', rule["selector"]))


def _matches(rule: dict[str, Any], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in _selector_labels(rule).items())


def loki_choice(rules: list[dict[str, Any]], labels: dict[str, str]) -> dict[str, Any] | None:
    """Loki's choice among matching stream rules: highest priority, then the shortest period."""
    matching = [r for r in rules if _matches(r, labels)]
    if not matching:
        return None
    return min(matching, key=lambda r: (-r["priority"], _hours(r["period"])))


def test_retention_streams_come_out_in_the_order_loki_applies_them(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][0]["logs"]["retention"] = [
        {"level": "audit", "period": "400d"},
        {"level": "debug", "period": "7d"},
        {"level": "info", "period": "30d", "priority": 3},
        {"level": "warn", "period": "60d", "priority": 3},
    ]
    doc["services"][1]["logs"]["retention"] = [{"level": "audit", "period": "2y", "priority": 9}]
    plan, diagnostics = load(doc)
    assert plan is not None, [str(d) for d in diagnostics]
    _, runtime = rendered(plan)["loki/runtime.yaml"]
    streams = runtime["overrides"]["prod"]["retention_stream"]
    assert [(s["priority"], s["period"], s["selector"]) for s in streams] == [
        (9, "17520h", '{service_name="identity", level="audit"}'),
        (3, "720h", '{service_name="checkout", level="info"}'),
        (3, "1440h", '{service_name="checkout", level="warn"}'),
        (1, "168h", '{service_name="checkout", level="debug"}'),
        (1, "9600h", '{service_name="checkout", level="audit"}'),
    ]
    # A log stream carries more labels than a selector names; each still matches exactly
    # its own rule, so Loki's choice is that rule and its retention is the declared one.
    for stream in streams:
        labels = {**_selector_labels(stream), "namespace": "shop", "pod": "checkout-0"}
        assert [s for s in streams if _matches(s, labels)] == [stream]
        assert loki_choice(streams, labels) == stream
    assert loki_choice(streams, {"service_name": "checkout", "level": "error"}) is None


def test_loki_choice_prefers_priority_then_the_shorter_period() -> None:
    """The helper the ordering tests trust, on rules that overlap."""
    rules = [
        {"selector": '{app="a"}', "priority": 1, "period": "24h"},
        {"selector": '{app="a", level="debug"}', "priority": 1, "period": "12h"},
        {"selector": '{app="a", level="audit"}', "priority": 5, "period": "9600h"},
    ]
    assert loki_choice(rules, {"app": "a", "level": "debug"}) == rules[1]
    assert loki_choice(rules, {"app": "a", "level": "audit"}) == rules[2]
    assert loki_choice(rules, {"app": "a", "level": "info"}) == rules[0]
    assert loki_choice(rules, {"app": "b"}) is None


def test_equal_priorities_list_the_shorter_period_first_because_loki_keeps_it(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][0]["logs"]["stream_labels"] = {"namespace": "shop"}
    doc["services"][0]["logs"]["retention"] = [
        {"level": "error", "period": "90d"},
        {"level": "debug", "period": "1d"},
    ]
    plan, _ = load(doc)
    assert plan is not None
    _, runtime = rendered(plan)["loki/runtime.yaml"]
    periods = [
        s["period"]
        for s in runtime["overrides"]["prod"]["retention_stream"]
        if "checkout" in s["selector"]
    ]
    assert periods == ["24h", "2160h"]


def test_the_output_is_the_same_bytes_on_every_build(plan: Plan) -> None:
    first = [render_artifact(a) for a in LokiGenerator().generate(plan)]
    second = [render_artifact(a) for a in LokiGenerator().generate(plan)]
    assert first == second


def test_a_catalog_without_service_logs_emits_no_loki_files(load: Loader) -> None:
    doc = base_catalog()
    for service in doc["services"]:
        service.pop("logs", None)
    plan, _ = load(doc)
    assert plan is not None
    assert list(LokiGenerator().generate(plan)) == []


def test_the_http_server_lets_the_longest_tenant_query_finish(load: Loader) -> None:
    # Loki's HTTP server closes a response after http_server_write_timeout (30s by default),
    # whatever a tenant's query_timeout says: it must outlast the longest query_timeout.
    doc = base_catalog()
    doc["logs"]["tiers"]["gold"]["query_timeout"] = "5m"
    plan, diagnostics = load(doc)
    assert plan is not None, [str(d) for d in diagnostics]
    _, config = rendered(plan)["loki/loki.yaml"]
    assert parse_duration(config["server"]["http_server_write_timeout"]) > parse_duration("5m")


def test_the_default_query_timeout_fits_the_http_server_too(plan: Plan) -> None:
    # Tiers keep Loki's 1m default query_timeout, still twice the server's 30s default.
    _, config = rendered(plan)["loki/loki.yaml"]
    assert parse_duration(config["server"]["http_server_write_timeout"]) > parse_duration("1m")
