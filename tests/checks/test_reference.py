"""The upstream-reference validator: keys, types and shapes taken from specs/upstream/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import BundleFile, CheckContext
from lgtmgen.checks.reference import load_reference, validate_document, validate_tail_sampling
from lgtmgen.checks.reference_check import ReferenceCheck
from lgtmgen.diagnostics import Location, Severity


def findings(name: str, text: str) -> list[tuple[str, str | None]]:
    diagnostics = validate_document(yaml.safe_load(text), load_reference(name), file="f.yaml")
    return [(d.check, d.path) for d in diagnostics]


MIMIR_RUNTIME = """
overrides:
  payments:
    compactor_blocks_retention_period: 90d
    max_global_series_per_user: 3000000
    ingestion_rate: 250000
    ingestion_burst_size: 500000
    max_fetched_chunks_per_query: 2000000
    ruler_max_rules_per_rule_group: 20
    ruler_max_rule_groups_per_tenant: 70
    out_of_order_time_window: 10m
    max_total_query_length: 32d
    active_series_custom_trackers:
      checkout: '{service="checkout"}'
    blocked_queries:
      - pattern: '.*'
        regex: true
  rollup:
    compactor_blocks_retention_period: 2y
multi_kv_config:
  primary: consul
ingester_limits:
  max_series: 1500000
"""


def test_a_realistic_mimir_runtime_file_passes() -> None:
    assert findings("mimir-3.0/runtime", MIMIR_RUNTIME) == []


def test_a_misspelled_mimir_tenant_limit_is_named_with_its_path_and_a_suggestion() -> None:
    doc = {"overrides": {"payments": {"compactor_blocks_retention_perod": "30d"}}}
    [diag] = validate_document(doc, load_reference("mimir-3.0/runtime"), file="mimir/runtime.yaml")
    assert diag.check == "reference/unknown-key"
    assert diag.path == "overrides.payments.compactor_blocks_retention_perod"
    assert diag.location == Location("mimir/runtime.yaml")
    assert diag.message == (
        "unknown key overrides.payments.compactor_blocks_retention_perod; "
        "did you mean compactor_blocks_retention_period?"
    )


def test_a_misspelled_key_in_the_main_config_names_the_dotted_path() -> None:
    [diag] = validate_document(
        {"limits": {"compactor_blocks_retention_perod": "30d"}},
        load_reference("mimir-3.0/config"),
        file="mimir/mimir.yaml",
    )
    assert "limits.compactor_blocks_retention_perod" in diag.message
    assert "did you mean compactor_blocks_retention_period?" in diag.message


def test_a_query_frontend_setting_in_a_tenant_entry_points_at_the_main_config() -> None:
    doc = {"overrides": {"t": {"split_queries_by_interval": "24h"}}}
    [diag] = validate_document(doc, load_reference("mimir-3.0/runtime"), file="r.yaml")
    assert diag.check == "reference/unknown-key"
    assert "frontend.split_queries_by_interval" in diag.message


def test_a_string_where_an_int_is_expected() -> None:
    assert findings("mimir-3.0/config", "limits: {max_global_series_per_user: lots}") == [
        ("reference/wrong-type", "limits.max_global_series_per_user")
    ]


def test_a_boolean_is_not_an_int() -> None:
    assert findings("mimir-3.0/config", "limits: {max_global_series_per_user: true}") == [
        ("reference/wrong-type", "limits.max_global_series_per_user")
    ]


@pytest.mark.parametrize("value", ["30s", "1h30m", "0", "500ms", "90d", "1y", "2w", 0])
def test_durations_in_go_and_prometheus_syntax_pass(value: object) -> None:
    doc = {"limits": {"compactor_blocks_retention_period": value}}
    assert validate_document(doc, load_reference("mimir-3.0/config"), file="m.yaml") == []


@pytest.mark.parametrize("value", ["30", "1x", "fortnight", "1.5d", 30, True])
def test_a_wrong_duration_is_reported(value: object) -> None:
    doc = {"limits": {"compactor_blocks_retention_period": value}}
    [diag] = validate_document(doc, load_reference("mimir-3.0/config"), file="m.yaml")
    assert diag.check == "reference/wrong-type"
    assert diag.path == "limits.compactor_blocks_retention_period"
    assert "duration" in diag.message


@pytest.mark.parametrize(
    ("reference", "path", "value", "refused"),
    [
        ("mimir-3.0/config", "frontend.split_queries_by_interval", "1d", True),  # time.Duration: start-up fails
        ("mimir-3.0/config", "frontend.split_queries_by_interval", "24h", False),
        ("mimir-3.0/config", "ruler.evaluation_interval", "1w", True),
        ("mimir-3.0/config", "limits.compactor_blocks_retention_period", "30d", False),  # model.Duration
        ("loki-3.7/config", "compactor.retention_delete_delay", "1d", True),
        ("loki-3.7/config", "limits_config.retention_period", "30d", False),
        ("mimir-3.0/runtime", "overrides.t.compactor_blocks_retention_period", "1y", False),
    ],
)
def test_main_config_durations_are_go_durations_and_tenant_limits_are_not(
    reference: str, path: str, value: str, refused: bool
) -> None:
    *blocks, leaf = path.split(".")
    doc: dict[str, object] = {leaf: value}
    for block in reversed(blocks):
        doc = {block: doc}
    found = validate_document(doc, load_reference(reference), file="c.yaml")
    assert [(d.check, d.path) for d in found] == ([("reference/wrong-type", path)] if refused else [])
    if refused:
        assert "no d, w or y unit" in found[0].message


def test_a_list_where_a_block_belongs() -> None:
    assert findings("mimir-3.0/config", "compactor: [data_dir, /data]") == [
        ("reference/not-a-block", "compactor")
    ]


def test_a_scalar_where_a_block_belongs() -> None:
    assert findings("mimir-3.0/config", "blocks_storage: {tsdb: /data}") == [
        ("reference/not-a-block", "blocks_storage.tsdb")
    ]


def test_a_mapping_where_a_list_belongs() -> None:
    assert findings("mimir-3.0/config", "limits: {blocked_queries: {pattern: x}}") == [
        ("reference/wrong-type", "limits.blocked_queries")
    ]


def test_list_elements_are_checked_against_their_keys() -> None:
    text = "limits: {blocked_queries: [{pattern: x, regexp: true}]}"
    assert findings("mimir-3.0/config", text) == [
        ("reference/unknown-key", "limits.blocked_queries[0].regexp")
    ]


LOKI_CONFIG = """
auth_enabled: true
server: {http_listen_port: 3100, log_level: info}
common:
  path_prefix: /loki
  replication_factor: 1
  ring: {kvstore: {store: inmemory}}
schema_config:
  configs:
    - from: 2024-04-01
      store: tsdb
      object_store: s3
      schema: v13
      index: {prefix: index_, period: 24h}
compactor:
  working_directory: /loki/compactor
  retention_enabled: true
  delete_request_store: s3
limits_config:
  retention_period: 744h
  ingestion_rate_mb: 10
  per_stream_rate_limit: 5MB
  max_line_size: 256KB
  retention_stream:
    - selector: '{namespace="dev"}'
      priority: 1
      period: 24h
"""


def test_a_realistic_loki_config_passes() -> None:
    assert findings("loki-3.7/config", LOKI_CONFIG) == []


def test_loki_config_with_an_unknown_nested_key() -> None:
    text = "limits_config: {retention_period: 744h}\nquery_range: {results_cache: {cache: {embeded_cache: {enabled: true}}}}"
    diagnostics = validate_document(
        yaml.safe_load(text), load_reference("loki-3.7/config"), file="loki.yaml"
    )
    [diag] = diagnostics
    assert diag.path == "query_range.results_cache.cache.embeded_cache"
    assert "did you mean embedded_cache?" in diag.message


def test_loki_retention_without_a_delete_request_store_is_refused() -> None:
    text = "compactor: {retention_enabled: true, working_directory: /loki}"
    assert findings("loki-3.7/config", text) == [
        ("reference/missing-companion", "compactor.delete_request_store")
    ]


def test_loki_runtime_with_a_misspelled_tenant_override() -> None:
    text = """
overrides:
  payments:
    retention_period: 2160h
    ingestion_rate_mb: 20
    max_query_seires: 1000
configs:
  payments: {log_push_request: true}
"""
    diagnostics = validate_document(
        yaml.safe_load(text), load_reference("loki-3.7/runtime"), file="loki/runtime.yaml"
    )
    [diag] = diagnostics
    assert diag.check == "reference/unknown-key"
    assert diag.path == "overrides.payments.max_query_seires"
    assert "did you mean max_query_series?" in diag.message


def test_loki_runtime_rejects_unknown_top_level_keys() -> None:
    assert findings("loki-3.7/runtime", "limits: {}") == [("reference/unknown-key", "limits")]


TEMPO_CONFIG = """
stream_over_http_enabled: true
server: {http_listen_port: 3200}
backend_worker:
  compaction: {block_retention: 336h}
metrics_generator:
  storage:
    path: /var/tempo/generator/wal
    remote_write: [{url: 'http://mimir/api/v1/push', send_exemplars: true}]
overrides:
  per_tenant_override_config: /etc/tempo/overrides.yaml
  defaults:
    metrics_generator: {processors: [service-graphs, span-metrics]}
    ingestion: {rate_limit_bytes: 15000000, max_traces_per_user: 10000}
    compaction: {block_retention: 336h}
"""


def test_a_realistic_tempo_config_passes() -> None:
    assert findings("tempo-3.0/config", TEMPO_CONFIG) == []


def test_tempo_legacy_flat_overrides_are_rejected_with_the_scoped_path() -> None:
    text = "overrides: {max_traces_per_user: 10000, ingestion_rate_limit_bytes: 15000000}"
    diagnostics = validate_document(
        yaml.safe_load(text), load_reference("tempo-3.0/config"), file="tempo.yaml"
    )
    assert [(d.check, d.path) for d in diagnostics] == [
        ("reference/legacy-overrides", "overrides.max_traces_per_user"),
        ("reference/legacy-overrides", "overrides.ingestion_rate_limit_bytes"),
    ]
    assert "overrides.defaults.ingestion.max_traces_per_user" in diagnostics[0].message


def test_tempo_per_tenant_file_scoped_and_legacy() -> None:
    text = """
overrides:
  "*": {ingestion: {rate_limit_bytes: 20000000}}
  payments:
    compaction: {block_retention: 720h}
    block_retention: 720h
"""
    diagnostics = validate_document(
        yaml.safe_load(text), load_reference("tempo-3.0/overrides"), file="overrides.yaml"
    )
    [diag] = diagnostics
    assert (diag.check, diag.path) == (
        "reference/legacy-overrides",
        "overrides.payments.block_retention",
    )
    assert "overrides.payments.compaction.block_retention" in diag.message


@pytest.mark.parametrize("block", ["ingester", "ingester_client", "compactor"])
def test_tempo_removed_blocks_are_rejected(block: str) -> None:
    [diag] = validate_document({block: {}}, load_reference("tempo-3.0/config"), file="t.yaml")
    assert (diag.check, diag.path) == ("reference/removed-block", block)
    assert "Tempo 3.0" in diag.message


def test_the_compactor_replacement_is_named() -> None:
    [diag] = validate_document(
        {"compactor": {"compaction": {"block_retention": "48h"}}},
        load_reference("tempo-3.0/config"),
        file="t.yaml",
    )
    assert "backend_worker.compaction.block_retention" in diag.message


def test_every_finding_is_reported_in_one_run() -> None:
    doc = {
        "overrides": {
            "a": {"compactor_blocks_retention_perod": "30d", "ingestion_rate": "fast"},
            "b": {"max_global_series_per_user": "1M"},
        }
    }
    diagnostics = validate_document(doc, load_reference("mimir-3.0/runtime"), file="r.yaml")
    assert [(d.check, d.path) for d in diagnostics] == [
        ("reference/unknown-key", "overrides.a.compactor_blocks_retention_perod"),
        ("reference/wrong-type", "overrides.a.ingestion_rate"),
        ("reference/wrong-type", "overrides.b.max_global_series_per_user"),
    ]


def test_an_empty_document_passes() -> None:
    assert validate_document(None, load_reference("loki-3.7/config"), file="e.yaml") == []


def test_an_unknown_reference_name_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        load_reference("mimir-3.0/nothing")


def test_the_specs_dir_can_be_overridden(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from lgtmgen.checks.reference.model import specs_dir

    monkeypatch.setenv("LGTMGEN_SPECS_DIR", str(tmp_path))
    assert specs_dir() == tmp_path


def test_the_reference_check_reads_files_by_role(tmp_path: Path) -> None:
    files = {
        "mimir/runtime.yaml": (Role.MIMIR_RUNTIME, "overrides: {t: {ingestion_rate: fast}}\n"),
        "tempo/tempo.yaml": (Role.TEMPO_CONFIG, "ingester: {}\n"),
        "otelcol/collector.yaml": (
            Role.OTELCOL_CONFIG,
            (
                "processors:\n  batch: {}\n  tail_sampling/edge:\n    policies:\n"
                "      - {name: x, type: sometimes}\n"
            ),
        ),
        "loki/broken.yaml": (Role.LOKI_CONFIG, "a: [\n"),
        "prometheus/rules.yaml": (Role.PROMETHEUS_RULES, "groups: []\n"),
    }
    bundle = []
    for rel, (role, text) in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        bundle.append(BundleFile(rel, role, path))
    ctx = CheckContext(bundle_dir=tmp_path, files=tuple(bundle), tools=None)  # type: ignore[arg-type]
    result = ReferenceCheck().run(ctx)
    assert ReferenceCheck.name == "reference"
    assert [(d.check, d.location.file if d.location else None, d.path) for d in result] == [
        ("reference/wrong-type", "mimir/runtime.yaml", "overrides.t.ingestion_rate"),
        ("reference/removed-block", "tempo/tempo.yaml", "ingester"),
        (
            "reference/unknown-policy-type",
            "otelcol/collector.yaml",
            "processors.tail_sampling/edge.policies[0].type",
        ),
        ("reference/unreadable", "loki/broken.yaml", None),
    ]


TAIL_SAMPLING = """
decision_wait: 10s
num_traces: 50000
expected_new_traces_per_sec: 100
decision_cache: {sampled_cache_size: 1000}
policies:
  - name: errors
    type: status_code
    status_code: {status_codes: [ERROR]}
  - name: slow
    type: latency
    latency: {threshold_ms: 500}
  - name: critical-routes
    type: string_attribute
    string_attribute: {key: http.route, values: [/checkout, /pay]}
  - name: baseline
    type: probabilistic
    probabilistic: {sampling_percentage: 5}
  - name: cap
    type: rate_limiting
    rate_limiting: {spans_per_second: 1000}
  - name: slow-checkout
    type: and
    and:
      and_sub_policy:
        - {name: slow, type: latency, latency: {threshold_ms: 100}}
        - {name: route, type: string_attribute, string_attribute: {key: http.route, values: [/checkout]}}
  - name: budget
    type: composite
    composite:
      max_total_spans_per_second: 1000
      policy_order: [all, errors]
      composite_sub_policy:
        - {name: all, type: always_sample}
        - name: errors
          type: and
          and: {and_sub_policy: [{name: e, type: status_code, status_code: {status_codes: [ERROR]}}]}
      rate_allocation: [{policy: all, percent: 50}, {policy: errors, percent: 50}]
"""


def tail_sampling() -> dict[str, object]:
    doc = yaml.safe_load(TAIL_SAMPLING)
    assert isinstance(doc, dict)
    return doc


def test_a_realistic_tail_sampling_block_passes() -> None:
    assert validate_tail_sampling(tail_sampling(), file="c.yaml") == []


def test_tail_sampling_with_an_unknown_policy_type() -> None:
    doc = tail_sampling()
    doc["policies"][1]["type"] = "latence"  # type: ignore[index]
    [diag] = validate_tail_sampling(doc, file="c.yaml")
    assert diag.check == "reference/unknown-policy-type"
    assert diag.path == "tail_sampling.policies[1].type"
    assert "did you mean latency?" in diag.message


def test_tail_sampling_with_a_bad_field_type() -> None:
    doc = tail_sampling()
    doc["policies"][1]["latency"]["threshold_ms"] = "500ms"  # type: ignore[index]
    [diag] = validate_tail_sampling(doc, file="c.yaml")
    assert (diag.check, diag.path) == (
        "reference/wrong-type",
        "tail_sampling.policies[1].latency.threshold_ms",
    )


def test_tail_sampling_checks_allowed_values_and_nested_sub_policies() -> None:
    doc = tail_sampling()
    doc["policies"][0]["status_code"]["status_codes"] = ["FAILED"]  # type: ignore[index]
    doc["policies"][5]["and"]["and_sub_policy"][0]["type"] = "drop"  # type: ignore[index]
    doc["policies"][6]["composite"]["policy_order"] = ["all", "nope"]  # type: ignore[index]
    result = [(d.check, d.path) for d in validate_tail_sampling(doc, file="c.yaml")]
    assert result == [
        ("reference/value-not-allowed", "tail_sampling.policies[0].status_code.status_codes[0]"),
        ("reference/unknown-policy-type", "tail_sampling.policies[5].and.and_sub_policy[0].type"),
        ("reference/unknown-policy-name", "tail_sampling.policies[6].composite.policy_order[1]"),
    ]


def test_tail_sampling_missing_required_fields_and_unknown_settings() -> None:
    doc = {"decision_wiat": "10s", "policies": [{"name": "slow", "type": "latency", "latency": {}}]}
    result = [(d.check, d.path) for d in validate_tail_sampling(doc, file="c.yaml")]
    assert result == [
        ("reference/unknown-key", "tail_sampling.decision_wiat"),
        ("reference/missing-required", "tail_sampling.policies[0].latency.threshold_ms"),
    ]


def test_a_field_newer_than_the_pinned_collector_is_a_warning() -> None:
    doc = tail_sampling()
    doc["policies"][4]["rate_limiting"]["burst_capacity"] = 2000  # type: ignore[index]
    [diag] = validate_tail_sampling(doc, file="c.yaml")
    assert diag.check == "reference/version-dependent"
    assert diag.severity is Severity.WARNING


def test_a_byte_size_of_many_digits_is_refused_at_once() -> None:
    """A committed bundle's `"1111…1x"` byte size made Python's `re` backtrack for hours; in a
    child process so that a regression fails on its timeout instead of holding the test run."""
    code = "from lgtmgen.checks.reference.values import scalar_problem; print(scalar_problem('1' * 60 + 'x', 'bytes'))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False)
    assert run.stdout.startswith("expected a byte size"), run.stdout + run.stderr
