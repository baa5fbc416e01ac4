"""PrometheusRule objects: only for operator-run clusters, one per rule file the cluster would load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from lgtmgen.checks import run_checks
from lgtmgen.generators.prometheus_config import PrometheusConfig
from lgtmgen.generators.prometheus_rule_objects import PrometheusRuleObjects
from lgtmgen.generators.recording_rules import RecordingRules
from lgtmgen.generators.slo_rules import SLORules
from lgtmgen.plan import Plan
from lgtmgen.toolchain.locate import locate_tools
from tests.metrics.conftest import Loader, base_catalog

OPERATOR = {"namespace": "monitoring", "rule_labels": {"release": "kube-prometheus-stack", "example.com/tier": "rules"}}


def _with_operator_on_stage(load: Loader) -> Plan:
    doc = base_catalog()
    doc["clusters"][1]["prometheus"] = {"operator": OPERATOR}
    plan, errors = load(doc)
    assert plan is not None and errors == [], [str(e) for e in errors]
    return plan


def _by_path(generator: Any, plan: Plan) -> dict[str, Any]:
    return {a.path: a.data for a in generator.generate(plan)}


def test_without_an_operator_cluster_there_are_no_rule_objects_and_every_config_lists_its_rule_files(plan: Plan) -> None:
    assert _by_path(PrometheusRuleObjects(), plan) == {}
    configs = _by_path(PrometheusConfig(), plan)
    assert configs["prometheus/clusters/eu-stage/prometheus.yml"]["rule_files"] == [
        "../../rules/slo/api.yaml", "../../rules/metrics/api.yaml", "../../rules/metrics/worker.yaml",
    ]


def test_an_operator_cluster_gets_one_object_per_rule_file_its_prometheus_would_load(load: Loader) -> None:
    plan = _with_operator_on_stage(load)
    configs = _by_path(PrometheusConfig(), plan)
    stage = configs["prometheus/clusters/eu-stage/prometheus.yml"]
    assert "rule_files" not in stage  # the operator loads the objects instead
    assert configs["prometheus/clusters/eu-prod/prometheus-0.yml"]["rule_files"]  # plain clusters keep theirs

    objects = _by_path(PrometheusRuleObjects(), plan)
    root = "kubernetes/clusters/eu-stage/prometheus-rules"
    rule_files = {**_by_path(SLORules(), plan), **_by_path(RecordingRules(), plan)}
    expected = {
        f"{root}/slo-api.yaml": rule_files["prometheus/rules/slo/api.yaml"],
        f"{root}/metrics-api.yaml": rule_files["prometheus/rules/metrics/api.yaml"],
        f"{root}/metrics-worker.yaml": rule_files["prometheus/rules/metrics/worker.yaml"],
    }
    assert sorted(objects) == sorted([*expected, f"{root}/kustomization.yaml"])
    for path, rule_file in expected.items():
        obj = objects[path]
        assert obj["apiVersion"] == "monitoring.coreos.com/v1" and obj["kind"] == "PrometheusRule"
        assert obj["spec"] == rule_file  # the same groups, so the same evaluation as a plain Prometheus
        name = Path(path).stem
        assert obj["metadata"]["name"] == name and obj["metadata"]["namespace"] == "monitoring"
        team = "ops" if name.endswith("worker") else "shop"
        assert obj["metadata"]["labels"] == {
            "app.kubernetes.io/managed-by": "lgtmgen", "app.kubernetes.io/component": "prometheus-rules", "team": team,
            "example.com/tier": "rules", "release": "kube-prometheus-stack",
        }
    kustomization = objects[f"{root}/kustomization.yaml"]
    assert kustomization["kind"] == "Kustomization"
    assert kustomization["resources"] == ["slo-api.yaml", "metrics-api.yaml", "metrics-worker.yaml"]


def test_without_a_namespace_the_objects_leave_it_to_kubectl(load: Loader) -> None:
    doc = base_catalog()
    doc["clusters"][0]["prometheus"]["operator"] = {"rule_labels": {"release": "stack"}}
    plan, errors = load(doc)
    assert plan is not None and errors == []
    objects = _by_path(PrometheusRuleObjects(), plan)
    # api runs everywhere, worker only in eu-stage
    assert sorted(objects) == [
        "kubernetes/clusters/eu-prod/prometheus-rules/kustomization.yaml",
        "kubernetes/clusters/eu-prod/prometheus-rules/metrics-api.yaml",
        "kubernetes/clusters/eu-prod/prometheus-rules/slo-api.yaml",
    ]
    metadata = objects["kubernetes/clusters/eu-prod/prometheus-rules/slo-api.yaml"]["metadata"]
    assert "namespace" not in metadata
    assert metadata["labels"] == {
        "app.kubernetes.io/managed-by": "lgtmgen", "app.kubernetes.io/component": "prometheus-rules", "team": "shop",
        "release": "stack",
    }


def test_an_operator_cluster_without_services_gets_no_empty_kustomization(load: Loader) -> None:
    doc = base_catalog()
    doc["services"] = [s for s in doc["services"] if s["name"] == "worker"]  # runs in eu-stage only
    doc["clusters"][0]["prometheus"]["operator"] = {"rule_labels": {"release": "stack"}}
    plan, errors = load(doc)
    assert plan is not None and errors == []
    assert _by_path(PrometheusRuleObjects(), plan) == {}  # kubectl apply -k refuses a kustomization without objects


def test_rule_objects_without_labels_of_yours_warn_that_the_rule_selector_may_miss_them(tmp_path: Path) -> None:
    from tests.support import load_catalog_document

    doc = base_catalog()
    doc["clusters"][1]["prometheus"] = {"operator": {"namespace": "monitoring"}}
    plan, diagnostics = load_catalog_document(tmp_path, doc)
    assert plan is not None
    assert [(d.check, d.severity.value, d.path) for d in diagnostics if d.check == "catalog/operator-no-rule-labels"] == [
        ("catalog/operator-no-rule-labels", "warning", "clusters[1].prometheus.operator")
    ]


@pytest.mark.parametrize(
    ("operator", "path", "expected"),
    [
        ({"rule_labels": {"team": "x"}}, "clusters[1].prometheus.operator.rule_labels", "lgtmgen sets team"),
        ({"rule_labels": {"-bad": "x"}}, "clusters[1].prometheus.operator.rule_labels.-bad.[key]", "does not match"),
        ({"rule_labels": {"release": "has space"}}, "clusters[1].prometheus.operator.rule_labels.release", "does not match"),
        ({"namespace": "Monitoring"}, "clusters[1].prometheus.operator.namespace", "does not match"),
    ],
)
def test_labels_and_namespaces_kubernetes_would_refuse_are_catalog_errors(
    load: Loader, operator: dict[str, Any], path: str, expected: str
) -> None:
    doc = base_catalog()
    doc["clusters"][1]["prometheus"] = {"operator": operator}
    plan, errors = load(doc)
    assert plan is None
    assert [e.path for e in errors] == [path], [str(e) for e in errors]
    assert expected in errors[0].message


@pytest.mark.tools
def test_promtool_checks_the_spec_of_every_object_and_names_the_broken_one(shop_bundle: Path, tmp_path: Path) -> None:
    import shutil

    objects = sorted(p for p in (shop_bundle / "kubernetes").rglob("prometheus-rules/*.yaml") if p.name != "kustomization.yaml")
    assert len(objects) > 10
    assert [str(d) for d in run_checks(shop_bundle, locate_tools(), only={"promtool-rule-objects"})] == []

    broken = tmp_path / "bundle"
    shutil.copytree(shop_bundle, broken)
    target = broken / objects[0].relative_to(shop_bundle)
    doc = yaml.safe_load(target.read_text(encoding="utf-8"))
    doc["spec"]["groups"][0]["rules"][0]["expr"] = "sum(rate(x[5m])"
    target.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    findings = run_checks(broken, locate_tools(), only={"promtool-rule-objects"})
    assert [(d.check, str(d.location)) for d in findings] == [
        ("promtool/rule-objects", str(objects[0].relative_to(shop_bundle)))
    ]
