"""Per-cluster Prometheus configs: labels, per-tenant remote write, queue sizing, federation, promtool."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from lgtmgen.artifacts import Role
from lgtmgen.bundle import compile_bundle
from lgtmgen.generators.prometheus_config import (
    GLOBAL_CONFIG,
    OWNER_LABEL,
    PrometheusConfig,
    _mark_rules,
    queue_config,
)
from lgtmgen.plan import Plan
from lgtmgen.promql import series_matches
from lgtmgen.toolchain.locate import locate_tools
from lgtmgen.writer import write_bundle
from tests.metrics.conftest import Loader, base_catalog


def _configs(plan: Plan) -> dict[str, dict[str, Any]]:
    return {a.path: a.data for a in PrometheusConfig().generate(plan)}


def _kept(write: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The names a remote write's keep rule keeps only when marked as its tenant's series, and by
    name alone (a cluster of one tenant marks nothing). Exact names only."""
    keep = next(rule for rule in write["write_relabel_configs"] if rule["action"] == "keep")
    if keep["source_labels"] == ["__name__"]:
        return set(), set(keep["regex"].split("|"))
    marked, by_name = set(), set()
    alternatives = re.findall(r"(\(\?:yes\)\?|yes);\(\?:([^()]*)\)", keep["regex"])
    # Every alternative read (no name pattern, no other shape), or the helper would miss names.
    assert "|".join(f"{mark};(?:{names})" for mark, names in alternatives) == keep["regex"]
    for mark, names in alternatives:
        (marked if mark == "yes" else by_name).update(names.split("|"))
    return marked, by_name


def test_a_shared_cluster_marks_each_tenants_series_and_keeps_its_own_names_only_when_marked(plan: Plan) -> None:
    stage = _configs(plan)["prometheus/clusters/eu-stage/prometheus.yml"]
    writes = {w["headers"]["X-Scope-OrgID"]: w["write_relabel_configs"] for w in stage["remote_write"]}
    assert writes["stage"][1] == {
        "source_labels": ["job"], "separator": ";", "regex": "worker",
        "target_label": OWNER_LABEL, "replacement": "yes", "action": "replace",
    }
    # `up` of the platform's jobs (Prometheus itself, which the cluster-silence alert reads) for
    # every tenant; of a service's targets for its own tenant only (its selector marks them).
    platform_up = {
        "source_labels": ["__name__", "job"], "separator": ";", "regex": "up;(?:prometheus)",
        "target_label": OWNER_LABEL, "replacement": "yes", "action": "replace",
    }
    assert platform_up in writes["stage"] and platform_up in writes["prod"]
    assert [rule["regex"] for rule in writes["prod"] if rule["action"] == "replace"] == [
        # its containers' resource series and its namespace's security series, by where they run
        "(?:container_cpu_usage_seconds_total|container_memory_working_set_bytes|kube_pod_container_resource_requests);api;shop",
        "up;(?:prometheus)",
        "(?:certmanager_certificate_expiration_timestamp_seconds|trivy_image_vulnerabilities);shop",
        "api",
    ]
    assert [rule["action"] for rule in writes["stage"]] == ["replace", "replace", "keep", "labeldrop"]
    assert writes["stage"][-1] == {"regex": OWNER_LABEL, "action": "labeldrop"}
    marked, by_name = _kept({"write_relabel_configs": writes["prod"]})
    assert {"http_requests_total", "orders_total", "up"} <= marked  # a KPI is the service's series
    assert "up" not in by_name
    # The production cluster runs prod's services alone: one rule, by name.
    prod = _configs(plan)["prometheus/clusters/eu-prod/prometheus-0.yml"]
    assert [len(w["write_relabel_configs"]) for w in prod["remote_write"]] == [1]


def test_a_cluster_tenant_without_services_there_receives_only_the_platforms_up(load: Loader) -> None:
    """eu-stage's tenant is stage, but only prod's api runs there: keeping `up` by name sent the `up`
    of api's targets to stage too. Two tenants written to is a shared cluster, services or not."""
    document = base_catalog()
    document["services"] = [s for s in document["services"] if s["name"] != "worker"]
    plan, errors = load(document)
    assert plan is not None and errors == [], [str(d) for d in errors]
    stage = _configs(plan)["prometheus/clusters/eu-stage/prometheus.yml"]
    writes = {w["headers"]["X-Scope-OrgID"]: w["write_relabel_configs"] for w in stage["remote_write"]}
    assert set(writes) == {"stage", "prod"}
    assert [rule for rule in writes["stage"] if rule["action"] == "replace"] == [{
        "source_labels": ["__name__", "job"], "separator": ";", "regex": "up;(?:prometheus)",
        "target_label": OWNER_LABEL, "replacement": "yes", "action": "replace",
    }]
    assert _kept({"write_relabel_configs": writes["stage"]}) == ({"up"}, set())
    marked, by_name = _kept({"write_relabel_configs": writes["prod"]})
    assert "up" in marked and "up" not in by_name


def test_queue_sizing_follows_the_documented_formula() -> None:
    # 1.2M series every 15s = 80,000 samples/s; 2,000 a send at 1s a send needs 40 shards.
    assert queue_config(1_200_000, 15) == {"capacity": 10000, "max_samples_per_send": 2000, "min_shards": 40, "max_shards": 120}
    small = queue_config(10_000, 30)
    assert small["min_shards"] == 1 and small["max_shards"] == 50


def test_ha_replicas_differ_only_in_their_replica_label(plan: Plan) -> None:
    configs = _configs(plan)
    first = configs["prometheus/clusters/eu-prod/prometheus-0.yml"]
    second = configs["prometheus/clusters/eu-prod/prometheus-1.yml"]
    assert first["global"]["external_labels"] == {
        "cluster": "eu-prod", "environment": "production", "region": "eu-west-1", "__replica__": "eu-prod-0",
    }
    assert second["global"]["external_labels"]["__replica__"] == "eu-prod-1"
    first["global"]["external_labels"].pop("__replica__")
    second["global"]["external_labels"].pop("__replica__")
    assert first == second
    assert "__replica__" not in configs["prometheus/clusters/eu-stage/prometheus.yml"]["global"]["external_labels"]


def test_each_tenant_gets_its_own_remote_write_with_a_file_secret(plan: Plan) -> None:
    stage = _configs(plan)["prometheus/clusters/eu-stage/prometheus.yml"]
    writes = {w["headers"]["X-Scope-OrgID"]: w for w in stage["remote_write"]}
    # the cluster's default tenant, and the tenant of the api service which runs everywhere
    assert set(writes) == {"stage", "prod"}
    for write in writes.values():
        assert write["authorization"] == {"type": "Bearer", "credentials_file": "/etc/prometheus/mimir.token"}
        assert "credentials" not in write["authorization"]
    stage_names, prod_names = (set.union(*_kept(writes[t])) for t in ("stage", "prod"))
    assert "grpc_server_handled_total" in stage_names
    assert "orders_total" not in stage_names
    assert "orders_total" in prod_names


def test_the_keep_list_holds_every_metric_the_slis_read_even_bare_or_by_name_matcher(
    load: Loader,
) -> None:
    document = base_catalog()
    document["services"][0]["slos"] += [
        {"name": "probe", "objective": 99, "sli": {"kind": "probe", "selector": "probe_success"}},
        {"name": "jobs", "objective": 99, "sli": {
            "kind": "custom",
            "bad_query": "sum(increase(jobs_failed_total[{{window}}])) or vector(0)",
            "total_query": 'sum(increase({__name__="jobs_total", queue="a"}[{{window}}]))'}},
        {"name": "queue", "objective": 99, "sli": {
            "kind": "events",
            "bad": '{__name__=~"queue_(dropped|expired)_total"}',
            "total": "queue_seen_total"}},
        {"name": "latency", "objective": 99, "sli": {
            "kind": "latency", "threshold": 0.5, "metric": "checkout_seconds", "native": True}},
    ]
    plan, errors = load(document)
    assert plan is not None and errors == [], [str(d) for d in errors]
    prod = _configs(plan)["prometheus/clusters/eu-prod/prometheus-0.yml"]
    [write] = [w for w in prod["remote_write"] if w["headers"]["X-Scope-OrgID"] == "prod"]
    keep = write["write_relabel_configs"][0]["regex"].split("|")
    for name in ("probe_success", "jobs_failed_total", "jobs_total", "queue_seen_total", "checkout_seconds"):
        assert name in keep, name
    assert "(?:queue_(dropped" in keep  # the regex matcher kept whole: (?:queue_(dropped|expired)_total)
    assert write["write_relabel_configs"][0]["regex"].endswith("(?:queue_(dropped|expired)_total)")
    assert "vector" not in keep and "window" not in keep


def _sends_native_histograms(plan: Plan, config: str) -> dict[str, bool]:
    writes = _configs(plan)[config]["remote_write"]
    return {w["headers"]["X-Scope-OrgID"]: w.get("send_native_histograms", False) for w in writes}


@pytest.mark.parametrize(
    ("native", "expected"),
    [
        ({}, False),
        ({"service": True}, True),  # the convention's duration histogram (dashboards, recording rules)
        ({"slo": True}, True),  # one latency SLO's own histogram, on a classic service
        ({"service": True, "slo": False}, True),  # the service's histogram is still native
    ],
    ids=["classic", "service native", "slo native", "slo classic on native service"],
)
def test_remote_write_sends_native_histograms_to_the_tenants_that_read_them(
    load: Loader, native: dict[str, bool], expected: bool
) -> None:
    # Remote write 1.0 drops native histogram samples unless `send_native_histograms` is set:
    # the SLOs and panels on them would read nothing in Mimir.
    document = base_catalog()
    api = document["services"][0]
    if "service" in native:
        api["metrics"]["native_histograms"] = native["service"]
    latency: dict[str, Any] = {"kind": "latency", "threshold": 0.5}
    if "slo" in native:
        latency["native"] = native["slo"]
    else:
        latency["buckets"] = [0.1, 0.5, 1.0]
    api["slos"].append({"name": "latency", "objective": 99, "sli": latency})
    plan, errors = load(document)
    assert plan is not None and [d for d in errors if d.is_error] == [], [str(d) for d in errors]
    # api (tenant prod) runs in both clusters; worker (stage) reads no histogram
    assert _sends_native_histograms(plan, "prometheus/clusters/eu-prod/prometheus-0.yml") == {"prod": expected}
    assert _sends_native_histograms(plan, "prometheus/clusters/eu-stage/prometheus.yml") == {
        "prod": expected,
        "stage": False,
    }


def test_the_capacity_forecasts_metrics_reach_the_tenant_their_dashboard_opens_on(load: Loader) -> None:
    # The forecasts read Mimir: a raw metric missing from the keep-list left them empty for good.
    document = base_catalog()
    document["grafana"] = {
        "capacity": [
            {
                "name": "disk",
                "team": "shop",
                "usage": 'sum(kubelet_volume_stats_used_bytes{persistentvolumeclaim="db"})',
                "limit": 'sum(kubelet_volume_stats_capacity_bytes{persistentvolumeclaim="db"})',
            },
            {"name": "heap", "team": "ops", "usage": "sum(namespace:jvm_heap:bytes)", "limit": 100},
        ]
    }
    plan, errors = load(document)
    assert plan is not None and [d for d in errors if d.is_error] == [], [str(d) for d in errors]
    stage = _configs(plan)["prometheus/clusters/eu-stage/prometheus.yml"]
    keep = {w["headers"]["X-Scope-OrgID"]: set.union(*_kept(w)) for w in stage["remote_write"]}
    # shop's dashboard opens on api's tenant, prod; ops' on worker's, stage, whose signal reads a
    # recorded series only: recorded series are never sent
    assert {"kubelet_volume_stats_used_bytes", "kubelet_volume_stats_capacity_bytes"} <= set(keep["prod"])
    assert "kubelet_volume_stats_used_bytes" not in keep["stage"]
    assert not any(":" in name for names in keep.values() for name in names)


def test_a_metric_name_with_regex_metacharacters_is_kept_literally(load: Loader) -> None:
    document = base_catalog()
    document["services"][0]["slos"].append(
        {"name": "dots", "objective": 99, "sli": {
            "kind": "events", "bad": '{"app.errors.total"}', "total": '{"app.requests.total"}'}}
    )
    plan, errors = load(document)
    assert plan is not None and errors == [], [str(d) for d in errors]
    prod = _configs(plan)["prometheus/clusters/eu-prod/prometheus-0.yml"]
    [write] = [w for w in prod["remote_write"] if w["headers"]["X-Scope-OrgID"] == "prod"]
    keep = write["write_relabel_configs"][0]["regex"].split("|")
    assert "app\\.errors\\.total" in keep and "app\\.requests\\.total" in keep


def test_the_global_prometheus_federates_only_recorded_series(plan: Plan) -> None:
    job = _configs(plan)[GLOBAL_CONFIG]["scrape_configs"][0]
    assert job["honor_labels"] is True and job["metrics_path"] == "/federate"
    assert job["static_configs"] == [{"targets": ["prom-eu:9090"]}]
    matches = job["params"]["match[]"]
    assert matches and all(m.startswith('{__name__="') and m.count(":") == 2 for m in matches)


@pytest.mark.tools
def test_promtool_accepts_every_config_with_its_rule_files(load: Loader, tmp_path: Path) -> None:
    plan, _ = load(base_catalog())
    assert plan is not None
    bundle, problems = compile_bundle(plan)
    assert bundle is not None, problems
    out = tmp_path / "bundle"
    write_bundle(bundle, out)
    promtool = locate_tools().promtool
    assert promtool is not None
    configs = sorted(str(p) for p in (out / "prometheus").rglob("prometheus*.yml"))
    assert len(configs) == 4
    # without --syntax-only: promtool also loads every rule file the config lists
    run = subprocess.run([str(promtool.path), "check", "config", *configs], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "rule files found" in run.stdout


def test_the_federated_names_are_every_name_the_built_rule_groups_record(plan: Plan, tmp_path: Path) -> None:
    import sys

    from lgtmgen.catalog import load_catalog
    from lgtmgen.generators.prometheus_config import federated_names
    from lgtmgen.generators.recording_rules import service_groups
    from lgtmgen.generators.slo.groups import slo_rule_groups
    from lgtmgen.plan import build_plan

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from generate_catalog import write_catalog

    def recorded(plan: Plan) -> list[str]:
        groups = []
        for service in plan.catalog.services:
            groups += service_groups(plan, service)
            if slos := plan.slos_of(service.name):
                groups += slo_rule_groups(slos, plan.catalog.defaults.grafana_url, service.name)
        return sorted({rule["record"] for group in groups for rule in group["rules"] if "record" in rule})

    shop = load_catalog([Path(__file__).resolve().parents[2] / "examples" / "shop"]).catalog
    synthetic = load_catalog([write_catalog(tmp_path / "synthetic", 30)]).catalog
    assert shop is not None and synthetic is not None
    for each in (plan, build_plan(shop), build_plan(synthetic)):
        names = federated_names(each)
        assert len(names) > 10 and names == recorded(each)


def test_an_agent_lists_no_rule_files_and_is_not_federated(load: Loader) -> None:
    doc = base_catalog()
    doc["clusters"][0]["prometheus"]["mode"] = "agent"
    doc["clusters"][0]["prometheus"].pop("address")
    doc["clusters"][1]["prometheus"] = {"address": "prom-stage:9090"}
    plan, errors = load(doc)
    assert plan is not None and errors == [], [str(e) for e in errors]
    artifacts = {a.path: a for a in PrometheusConfig().generate(plan)}
    agent = artifacts["prometheus/clusters/eu-prod/prometheus-0.yml"]
    assert agent.role is Role.PROMETHEUS_AGENT_CONFIG and "rule_files" not in agent.data
    assert agent.data["remote_write"]  # an agent's whole job
    assert "Agent mode" in (agent.comment or "")
    server = artifacts["prometheus/clusters/eu-stage/prometheus.yml"]
    assert server.role is Role.PROMETHEUS_CONFIG and server.data["rule_files"]
    assert artifacts[GLOBAL_CONFIG].data["scrape_configs"][0]["static_configs"] == [{"targets": ["prom-stage:9090"]}]


def test_an_agent_with_rule_objects_or_a_federation_address_is_a_catalog_error(load: Loader) -> None:
    doc = base_catalog()
    doc["clusters"][0]["prometheus"]["mode"] = "agent"  # keeps its address, and federation is on
    doc["clusters"][0]["prometheus"]["operator"] = {"rule_labels": {"release": "stack"}}
    _, errors = load(doc)
    assert [(e.check, e.path) for e in errors] == [  # in file order
        ("catalog/agent-cannot-be-federated", "clusters[0].prometheus.address"),
        ("catalog/agent-evaluates-no-rules", "clusters[0].prometheus.operator"),
    ]
    doc["metrics"]["federation"] = False
    doc["clusters"][0]["prometheus"].pop("operator")
    plan, errors = load(doc)
    assert plan is not None and errors == []  # without federation an address is harmless


@pytest.mark.tools
def test_promtool_checks_an_agent_config_in_agent_mode(load: Loader, tmp_path: Path) -> None:
    from lgtmgen.checks import run_checks

    doc = base_catalog()
    doc["clusters"][1]["prometheus"] = {"mode": "agent"}
    plan, _ = load(doc)
    assert plan is not None
    bundle, problems = compile_bundle(plan)
    assert bundle is not None, problems
    out = tmp_path / "bundle"
    write_bundle(bundle, out)
    assert run_checks(out, locate_tools(), only={"promtool-config"}) == []
    # the same check refuses what an agent cannot load: a rule_files entry fails in agent mode only
    agent = out / "prometheus/clusters/eu-stage/prometheus.yml"
    agent.write_text(agent.read_text(encoding="utf-8") + 'rule_files: ["../../rules/slo/api.yaml"]\n', encoding="utf-8")
    findings = run_checks(out, locate_tools(), only={"promtool-config"})
    assert [(d.check, str(d.location)) for d in findings] == [("promtool/config", "prometheus/clusters/eu-stage/prometheus.yml")]
    assert "agent mode" in findings[0].message


def test_an_sli_selector_marks_by_its_equality_matchers_only(load: Loader) -> None:
    # A user's regex can hold anchors (`^mail$`) that cannot match once joined with other labels'
    # values in one relabel regex: without it the mark matches more series, never fewer.
    document = base_catalog()
    document["services"][1]["slos"] = [{"name": "sent", "objective": 99, "period": "14d", "sli": {
        "kind": "events", "bad": 'jobs_failed_total{queue=~"^mail$", env="prod"}', "total": 'jobs_total{queue=~"^mail$"}'}}]
    plan, errors = load(document)
    assert plan is not None and [d for d in errors if d.is_error] == [], [str(d) for d in errors]
    stage = _configs(plan)["prometheus/clusters/eu-stage/prometheus.yml"]
    rules = {w["headers"]["X-Scope-OrgID"]: w["write_relabel_configs"] for w in stage["remote_write"]}["stage"]
    marks = {tuple(rule["source_labels"]): rule["regex"] for rule in rules if rule["action"] == "replace"}
    assert marks == {
        ("__name__",): "jobs_total", ("__name__", "env"): "jobs_failed_total;prod", ("job",): "worker",
        ("__name__", "job"): "up;(?:prometheus)",
    }


def test_a_selector_of_a_name_pattern_alone_marks_every_series() -> None:
    # No label to tell its series apart: a rule without source labels would be refused, and a
    # rule that marked none would drop what the SLI reads.
    marks = series_matches('{__name__=~"x_.*"}', regexes=False) + series_matches('y{a="1"}')
    assert _mark_rules(marks) == [{"target_label": OWNER_LABEL, "replacement": "yes", "action": "replace"}]


@pytest.mark.parametrize(
    ("selector", "mark", "kept_by_name"),
    [(None, None, False), ({"job": "orders-exporter"}, "orders_total;orders-exporter", False), ({}, None, True)],
    ids=["the service's selector", "its own selector", "every series"],
)
def test_a_kpi_is_sent_by_the_selector_it_is_read_with(
    load: Loader, selector: dict[str, str] | None, mark: str | None, kept_by_name: bool
) -> None:
    document = base_catalog()
    if selector is not None:
        document["services"][0]["kpis"][0]["selector"] = selector
    plan, errors = load(document)
    assert plan is not None, [str(e) for e in errors]
    stage = _configs(plan)["prometheus/clusters/eu-stage/prometheus.yml"]
    (prod,) = [w for w in stage["remote_write"] if w["headers"]["X-Scope-OrgID"] == "prod"]
    marks = {tuple(r["source_labels"]): r["regex"] for r in prod["write_relabel_configs"] if r["action"] == "replace"}
    # The platform's `up` is marked by the same label names, in the same rule.
    assert marks.get(("__name__", "job")) == "|".join(sorted(m for m in (mark, "up;(?:prometheus)") if m))
    marked, by_name = _kept(prod)
    assert ("orders_total" in by_name) is kept_by_name and ("orders_total" in marked) is not kept_by_name


@pytest.mark.parametrize(("kept", "sent"), [(None, True), (0, False)], ids=["default", "exemplars off"])
def test_remote_write_sends_exemplars_while_mimir_keeps_them(load: Loader, kept: int | None, sent: bool) -> None:
    """Prometheus sends no exemplar unless asked: the Mimir datasources' trace links would find none."""
    document = base_catalog()
    if kept is not None:
        document.setdefault("mimir", {})["max_exemplars_per_tenant"] = kept
    plan, errors = load(document)
    assert plan is not None and [d for d in errors if d.is_error] == []
    writes = [w for config in _configs(plan).values() for w in config.get("remote_write", [])]
    assert len(writes) > 1
    assert {w.get("send_exemplars", False) for w in writes} == {sent}
