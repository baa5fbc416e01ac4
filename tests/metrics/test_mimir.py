"""Mimir: overrides from tiers, owned config blocks, reference validation, storage classes, lifecycle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from lgtmgen.checks import run_checks
from lgtmgen.checks.reference import load_reference, validate_document
from lgtmgen.generators.mimir import MimirGenerator
from lgtmgen.generators.mimir.ruler import ruler_layout
from lgtmgen.plan import Plan
from lgtmgen.toolchain.locate import locate_tools
from tests.metrics.conftest import Loader, base_catalog


def _artifacts(plan: Plan) -> dict[str, object]:
    return {a.path: a.data for a in MimirGenerator().generate(plan)}


def test_every_tenant_gets_the_limits_of_its_tier(plan: Plan) -> None:
    overrides = _artifacts(plan)["mimir/runtime.yaml"]["overrides"]  # type: ignore[index]
    assert sorted(overrides) == ["longterm", "prod", "stage"]
    assert overrides["prod"]["compactor_blocks_retention_period"] == "400d"
    assert overrides["stage"]["compactor_blocks_retention_period"] == "14d"
    assert overrides["stage"]["ingestion_rate"] == 5000.0
    assert overrides["prod"]["ha_replica_label"] == "__replica__"


def test_the_rollup_tenant_keeps_its_own_long_retention(load: Loader) -> None:
    doc = base_catalog()
    doc["mimir"]["rollup"] = {"tenant": "longterm", "source_tenants": ["prod", "stage"], "retention": "5y"}
    plan, errors = load(doc)
    assert plan is not None and errors == []
    overrides = _artifacts(plan)["mimir/runtime.yaml"]["overrides"]  # type: ignore[index]
    assert overrides["longterm"]["compactor_blocks_retention_period"] == "1825d"  # 5y written in days


def test_every_tenant_keeps_exemplars_and_trace_links_name_them_as_tempo_writes_them(load: Loader) -> None:
    """Mimir keeps no exemplar by default, and Tempo labels its own `traceID`: either way the
    metric-to-trace links of Grafana would open nothing."""
    from lgtmgen.generators.grafana import GrafanaProvisioning
    from lgtmgen.generators.tempo.config import tempo_overrides

    for setting, kept in ((None, 100_000), (5_000, 5_000), (0, None)):
        doc = base_catalog()
        if setting is not None:
            doc["mimir"]["max_exemplars_per_tenant"] = setting
        plan, errors = load(doc)
        assert plan is not None and errors == []
        overrides = _artifacts(plan)["mimir/runtime.yaml"]["overrides"]  # type: ignore[index]
        assert {t: o.get("max_global_exemplars_per_user") for t, o in overrides.items()} == dict.fromkeys(overrides, kept)
        tempo_labels = {e["metrics_generator"]["trace_id_label_name"] for e in tempo_overrides(plan)["overrides"].values()}
        links = [
            destination["name"]
            for artifact in GrafanaProvisioning().generate(plan)
            if "/datasources/" in artifact.path
            for source in artifact.data["datasources"]
            for destination in source["jsonData"].get("exemplarTraceIdDestinations", [])
        ]
        if kept:
            assert links and set(links) == tempo_labels == {"trace_id"}
        else:
            assert links == []  # no link to exemplars Mimir drops


def test_generated_mimir_files_pass_the_reference_strictly(plan: Plan) -> None:
    artifacts = _artifacts(plan)
    for path, ref in (("mimir/mimir.yaml", "mimir-3.0/config"), ("mimir/runtime.yaml", "mimir-3.0/runtime")):
        assert validate_document(artifacts[path], load_reference(ref), file=path) == []


def test_a_misspelled_override_is_caught_with_its_path(plan: Plan) -> None:
    runtime = _artifacts(plan)["mimir/runtime.yaml"]
    runtime["overrides"]["prod"]["compactor_blocks_retention_perod"] = "1d"  # type: ignore[index]
    (finding,) = validate_document(runtime, load_reference("mimir-3.0/runtime"), file="mimir/runtime.yaml")
    assert finding.check == "reference/unknown-key"
    assert "overrides.prod.compactor_blocks_retention_perod" in f"{finding.path} {finding.message}"


def test_a_mistyped_config_value_is_caught_with_its_path(plan: Plan) -> None:
    config = _artifacts(plan)["mimir/mimir.yaml"]
    config["frontend"]["parallelize_shardable_queries"] = {"yes": True}  # type: ignore[index]
    findings = validate_document(config, load_reference("mimir-3.0/config"), file="mimir/mimir.yaml")
    assert [f.check for f in findings] == ["reference/wrong-type"]
    assert "frontend.parallelize_shardable_queries" in f"{findings[0].path} {findings[0].message}"


@pytest.mark.tools
def test_lgtmgen_check_reports_a_corrupted_mimir_file_in_a_written_bundle(shop_bundle: Path, tmp_path: Path) -> None:
    import shutil

    bundle = tmp_path / "bundle"
    shutil.copytree(shop_bundle, bundle)
    runtime = bundle / "mimir" / "runtime.yaml"
    doc = yaml.safe_load(runtime.read_text(encoding="utf-8"))
    doc["overrides"]["shop-prod"]["ingestion_rate"] = "plenty"
    doc["overrides"]["shop-prod"]["max_global_series_per_usr"] = 1
    runtime.write_text(yaml.safe_dump(doc), encoding="utf-8")
    findings = run_checks(bundle, locate_tools(), only={"reference"})
    by_check = {f.check: f for f in findings if f.location and f.location.file == "mimir/runtime.yaml"}
    assert set(by_check) == {"reference/wrong-type", "reference/unknown-key"}
    assert "max_global_series_per_usr" in f"{by_check['reference/unknown-key'].path} {by_check['reference/unknown-key'].message}"


@pytest.mark.parametrize(("backend", "storage_class"), [("s3", "GLACIER"), ("s3", "deep_archive"), ("gcs", "ARCHIVE")])
def test_an_archive_storage_class_is_refused_with_the_reason(load: Loader, backend: str, storage_class: str) -> None:
    doc = base_catalog()
    doc["mimir"]["storage"] = {"backend": backend, "bucket": "blocks", "storage_class": storage_class}
    _plan, errors = load(doc)
    (error,) = errors
    assert error.check == "catalog/archive-storage-class"
    assert error.path == "mimir.storage.storage_class"
    assert error.location is not None and error.location.line > 0
    assert "Mimir" in error.message and "every block within retention" in error.message


def test_a_lifecycle_transition_to_an_archive_class_is_refused(load: Loader) -> None:
    doc = base_catalog()
    doc["mimir"]["storage"]["lifecycle_transitions"] = [
        {"after": "30d", "storage_class": "STANDARD_IA"},
        {"after": "180d", "storage_class": "GLACIER"},
    ]
    _, errors = load(doc)
    assert [(e.check, e.path) for e in errors] == [
        ("catalog/archive-storage-class", "mimir.storage.lifecycle_transitions[1].storage_class")
    ]


LIFECYCLE_CASES: list[tuple[str, str, list[dict[str, str]], list[tuple[str, str]]]] = [
    ("infrequent access before 30 days", "STANDARD",
     [{"after": "7d", "storage_class": "STANDARD_IA"}],
     [("catalog/lifecycle-minimum-age", "lifecycle_transitions[0].after")]),
    ("one zone before 30 days", "STANDARD",
     [{"after": "29d", "storage_class": "ONEZONE_IA"}],
     [("catalog/lifecycle-minimum-age", "lifecycle_transitions[0].after")]),
    ("glacier_ir under 30 days after infrequent access", "STANDARD",
     [{"after": "30d", "storage_class": "STANDARD_IA"}, {"after": "45d", "storage_class": "GLACIER_IR"}],
     [("catalog/lifecycle-minimum-age", "lifecycle_transitions[1].after")]),
    ("back up the waterfall", "STANDARD",
     [{"after": "30d", "storage_class": "INTELLIGENT_TIERING"}, {"after": "90d", "storage_class": "STANDARD_IA"}],
     [("catalog/lifecycle-order", "lifecycle_transitions[1].storage_class")]),
    ("written in the target class already", "STANDARD_IA",
     [{"after": "60d", "storage_class": "STANDARD_IA"}],
     [("catalog/lifecycle-order", "lifecycle_transitions[0].storage_class")]),
    ("to standard", "STANDARD",
     [{"after": "60d", "storage_class": "STANDARD"}],
     [("catalog/lifecycle-order", "lifecycle_transitions[0].storage_class")]),
    ("two transitions the same day", "STANDARD",
     [{"after": "60d", "storage_class": "STANDARD_IA"}, {"after": "60d", "storage_class": "ONEZONE_IA"}],
     [("catalog/lifecycle-order", "lifecycle_transitions[1].after")]),
    ("not whole days", "STANDARD",
     [{"after": "36h", "storage_class": "INTELLIGENT_TIERING"}],
     [("catalog/lifecycle-whole-days", "lifecycle_transitions[0].after")]),
    ("declared out of order but valid once sorted", "STANDARD",
     [{"after": "120d", "storage_class": "GLACIER_IR"}, {"after": "1d", "storage_class": "INTELLIGENT_TIERING"},
      {"after": "60d", "storage_class": "ONEZONE_IA"}],
     []),
]


@pytest.mark.parametrize(
    ("case", "written", "transitions", "expected"), LIFECYCLE_CASES, ids=[c[0] for c in LIFECYCLE_CASES]
)
def test_s3_lifecycle_rules_are_checked_at_the_transition(
    load: Loader, case: str, written: str, transitions: list[dict[str, str]], expected: list[tuple[str, str]]
) -> None:
    doc = base_catalog()
    doc["mimir"]["storage"]["storage_class"] = written
    doc["mimir"]["storage"]["lifecycle_transitions"] = transitions
    _, errors = load(doc)
    assert [(e.check, e.path) for e in errors] == [(c, f"mimir.storage.{p}") for c, p in expected], case


def test_the_lifecycle_policy_only_moves_blocks_between_instant_classes(load: Loader) -> None:
    doc = base_catalog()
    doc["mimir"]["storage"]["lifecycle_transitions"] = [{"after": "90d", "storage_class": "standard_ia"}]
    plan, errors = load(doc)
    assert plan is not None and errors == []
    policy = _artifacts(plan)["mimir/bucket-lifecycle.json"]
    rules = {r["ID"]: r for r in policy["Rules"]}  # type: ignore[index]
    assert rules["instant-access-transitions"]["Transitions"] == [{"Days": 90, "StorageClass": "STANDARD_IA"}]
    # No rule expires a current object: only delete markers with nothing left under them.
    assert [r["Expiration"] for r in rules.values() if "Expiration" in r] == [{"ExpiredObjectDeleteMarker": True}]
    json.dumps(policy)


@pytest.mark.parametrize("path", ["mimir/bucket-lifecycle.json", "mimir/ruler-bucket-lifecycle.json"])
def test_a_versioned_s3_bucket_drops_the_noncurrent_versions_deletions_leave(load: Loader, path: str) -> None:
    doc = base_catalog()
    doc["mimir"]["storage"]["noncurrent_version_retention"] = "3d"
    doc["mimir"]["storage"]["lifecycle_transitions"] = [{"after": "90d", "storage_class": "STANDARD_IA"}]
    plan, errors = load(doc)
    assert plan is not None and errors == []
    rules = {r["ID"]: r for r in _artifacts(plan)[path]["Rules"]}  # type: ignore[index]
    cleanup = rules["expire-noncurrent-versions"]
    assert cleanup["NoncurrentVersionExpiration"] == {"NoncurrentDays": 3}
    assert cleanup["Filter"] == {"Prefix": ""} and cleanup["Status"] == "Enabled"
    # Rule objects are tiny and read at every poll: the ruler bucket keeps them in the written class.
    assert ("instant-access-transitions" in rules) is (path == "mimir/bucket-lifecycle.json")


def test_a_versioned_gcs_bucket_deletes_only_noncurrent_versions(load: Loader) -> None:
    doc = base_catalog()
    doc["mimir"]["storage"].update(backend="gcs", storage_class="STANDARD")
    doc["mimir"]["storage"]["lifecycle_transitions"] = [{"after": "60d", "storage_class": "NEARLINE"}]
    plan, errors = load(doc)
    assert plan is not None and errors == [], errors
    artifacts = _artifacts(plan)
    for path in ("mimir/bucket-lifecycle.json", "mimir/ruler-bucket-lifecycle.json"):
        deletes = [r for r in artifacts[path]["rule"] if r["action"]["type"] == "Delete"]  # type: ignore[index]
        assert deletes == [{"action": {"type": "Delete"}, "condition": {"daysSinceNoncurrentTime": 7}}], path
    ruler_moves = [r for r in artifacts["mimir/ruler-bucket-lifecycle.json"]["rule"] if r["action"]["type"] == "SetStorageClass"]  # type: ignore[index]
    assert ruler_moves == []


@pytest.mark.parametrize("retention", ["36h", "12h"])
def test_noncurrent_version_retention_must_be_whole_positive_days(load: Loader, retention: str) -> None:
    doc = base_catalog()
    doc["mimir"]["storage"]["noncurrent_version_retention"] = retention
    _, errors = load(doc)
    assert [(e.check, e.path) for e in errors] == [
        ("catalog/lifecycle-whole-days", "mimir.storage.noncurrent_version_retention")
    ]


def test_a_tenant_tier_without_mimir_limits_is_reported(load: Loader) -> None:
    doc = base_catalog()
    doc["tenants"][0]["tier"] = "platinum"
    _, errors = load(doc)
    assert [(e.check, e.path) for e in errors] == [("catalog/mimir-unknown-tier", "tenants[0].tier")]


def test_owned_config_blocks_use_memcached_and_the_declared_bucket(plan: Plan) -> None:
    config = _artifacts(plan)["mimir/mimir.yaml"]
    assert config["frontend"]["results_cache"]["backend"] == "memcached"  # type: ignore[index]
    assert config["blocks_storage"]["s3"]["bucket_name"] == "blocks"  # type: ignore[index]
    assert config["blocks_storage"]["s3"]["storage_class"] == "STANDARD"  # type: ignore[index]
    assert config["ruler"]["tenant_federation"] == {"enabled": False}  # type: ignore[index]


def test_prometheus_ha_pairs_turn_on_the_ha_tracker_that_accept_ha_samples_needs(plan: Plan, load: Loader) -> None:
    # eu-prod runs two replicas: without the tracker Mimir keeps both copies, one per __replica__
    config = _artifacts(plan)["mimir/mimir.yaml"]
    assert config["distributor"] == {"ha_tracker": {"enable_ha_tracker": True}}  # type: ignore[index]
    assert validate_document(config, load_reference("mimir-3.0/config"), file="mimir/mimir.yaml") == []
    doc = base_catalog()
    del doc["clusters"][0]["prometheus"]["replicas"]
    single, errors = load(doc)
    assert single is not None and errors == []
    assert "distributor" not in _artifacts(single)["mimir/mimir.yaml"]  # type: ignore[operator]


def test_a_tenant_with_more_rule_groups_than_the_limit_gets_a_limit_that_holds_them(load: Loader) -> None:
    # Each service with an SLO adds about five groups (three SLO intervals, metrics, service graph):
    # 25 services outgrow Mimir's default 70, and the ruler would refuse the bundle's own rules.
    doc = base_catalog()
    api = doc["services"][0]
    doc["services"] += [{**api, "name": f"api-{i}", "metrics": {"selector": {"job": f"api-{i}"}}} for i in range(25)]
    plan, errors = load(doc)
    assert plan is not None and errors == []
    needed = ruler_layout(plan).group_count("prod")
    assert needed > 70
    overrides = _artifacts(plan)["mimir/runtime.yaml"]["overrides"]  # type: ignore[index]
    assert overrides["prod"]["ruler_max_rule_groups_per_tenant"] == needed
    assert overrides["stage"]["ruler_max_rule_groups_per_tenant"] == 70  # the configured floor


def test_ruler_federation_carries_the_process_wide_switch_mimir_requires_and_says_what_it_exposes(
    load: Loader, plan: Plan
) -> None:
    """Mimir 3 refuses `ruler.tenant_federation.enabled` without `tenant_federation.enabled`."""
    doc = base_catalog()
    doc["mimir"]["rollup"] = {"tenant": "longterm", "source_tenants": ["prod", "stage"]}
    federated, errors = load(doc)
    assert federated is not None and errors == []
    config = next(a for a in MimirGenerator().generate(federated) if a.path == "mimir/mimir.yaml")
    assert config.data["ruler"]["tenant_federation"] == {"enabled": True}
    assert config.data["tenant_federation"] == {"enabled": True}
    assert config.comment is not None and "X-Scope-OrgID holding '|'" in config.comment
    plain = next(a for a in MimirGenerator().generate(plan) if a.path == "mimir/mimir.yaml")
    assert plain.data["tenant_federation"] == {"enabled": False}
    assert plain.comment is not None and "|" not in plain.comment


def test_a_tenant_without_a_declared_tier_still_gets_ha_deduplication_and_the_group_limit_it_needs(
    load: Loader,
) -> None:
    # Mimir's defaults apply to a tenant no tier describes: accept_ha_samples is off (both HA
    # replicas' samples would be stored) and the ruler takes 70 groups, fewer than 25 services need.
    doc = base_catalog()
    doc["mimir"]["tiers"] = {}
    api = doc["services"][0]
    doc["services"] += [{**api, "name": f"api-{i}", "metrics": {"selector": {"job": f"api-{i}"}}} for i in range(25)]
    plan, errors = load(doc)
    assert plan is not None and errors == []
    runtime = _artifacts(plan)["mimir/runtime.yaml"]
    overrides = runtime["overrides"]  # type: ignore[index]
    assert sorted(overrides) == sorted(t["name"] for t in doc["tenants"])
    assert overrides["prod"] == {
        "accept_ha_samples": True,
        "ha_cluster_label": "cluster",
        "ha_replica_label": "__replica__",
        "ruler_max_rule_groups_per_tenant": ruler_layout(plan).group_count("prod"),
        "max_global_exemplars_per_user": 100_000,
    }
    assert overrides["prod"]["ruler_max_rule_groups_per_tenant"] > 70
    assert validate_document(runtime, load_reference("mimir-3.0/runtime"), file="mimir/runtime.yaml") == []
