"""HorizontalPodAutoscalers from the services' autoscaling hints, held to the Kubernetes schema."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from lgtmgen.checks import run_checks
from lgtmgen.diagnostics import Severity
from lgtmgen.generators.autoscaling import Autoscaling
from lgtmgen.plan import Plan
from lgtmgen.toolchain.locate import locate_tools
from tests.metrics.conftest import Loader, base_catalog
from tests.support import load_catalog_document


def _objects(plan: Plan) -> dict[str, Any]:
    return {a.path: a.data for a in Autoscaling().generate(plan)}


def _with_hints(load: Loader, **hints: Any) -> Plan:
    doc = base_catalog()
    doc["services"][0]["resources"].update(hints)
    plan, errors = load(doc)
    assert plan is not None and errors == [], [str(e) for e in errors]
    return plan


def test_no_ceiling_no_autoscaler(plan: Plan) -> None:
    assert _objects(plan) == {}


def test_an_autoscaler_scales_the_workload_on_cpu_against_its_request(load: Loader) -> None:
    plan = _with_hints(load, min_replicas=2, max_replicas=8, target_cpu_utilization=65)
    objects = _objects(plan)
    assert sorted(objects) == ["kubernetes/autoscaling/api.yaml", "kubernetes/autoscaling/kustomization.yaml"]
    assert objects["kubernetes/autoscaling/api.yaml"] == {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {
            "name": "api",
            "namespace": "shop",
            "labels": {"app.kubernetes.io/managed-by": "lgtmgen", "team": "shop"},
            "annotations": {"lgtmgen/service": "api"},
        },
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"},
            "minReplicas": 2,
            "maxReplicas": 8,
            "metrics": [
                {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 65}}}
            ],
        },
    }
    assert objects["kubernetes/autoscaling/kustomization.yaml"]["resources"] == ["api.yaml"]


def test_defaults_are_written_out_and_the_workload_can_be_named(load: Loader) -> None:
    plan = _with_hints(load, max_replicas=4, container="api-server", workload="api-db", workload_kind="StatefulSet")
    spec = _objects(plan)["kubernetes/autoscaling/api.yaml"]["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "api-db"}
    assert spec["minReplicas"] == 1  # Kubernetes' default floor
    assert spec["metrics"][0]["resource"]["target"]["averageUtilization"] == 80  # and its default target


def test_one_declared_workload_serves_the_autoscaler_and_the_log_collector(load: Loader) -> None:
    from lgtmgen.generators.otelcol_logs import pod_log_files

    doc = base_catalog()
    doc["services"][0]["resources"].update(max_replicas=4, container="api-server")
    doc["services"][0]["logs"] = {"format": "json", "workload": "api-web"}
    plan, errors = load(doc)
    assert plan is not None and errors == [], [str(e) for e in errors]
    assert _objects(plan)["kubernetes/autoscaling/api.yaml"]["metadata"]["name"] == "api-web"
    doc["services"][0]["logs"] = {"format": "json"}
    doc["services"][0]["resources"]["workload"] = "api-web"
    plan, errors = load(doc)
    assert plan is not None and errors == []
    service = plan.catalog.services[0]
    assert service.logs is not None
    assert pod_log_files(service, service.logs) == "/var/log/pods/*_api-web-*/api-web/*.log"


def test_hints_without_a_ceiling_warn_that_no_autoscaler_is_written(tmp_path: Path) -> None:
    doc = base_catalog()
    doc["services"][0]["resources"].update(min_replicas=2, target_cpu_utilization=70)
    plan, diagnostics = load_catalog_document(tmp_path, doc)
    assert plan is not None
    found = [(d.check, d.severity, d.path) for d in diagnostics if d.check.startswith("catalog/autoscaling")]
    assert found == [
        ("catalog/autoscaling-needs-max", Severity.WARNING, "services[0].resources.min_replicas"),
        ("catalog/autoscaling-needs-max", Severity.WARNING, "services[0].resources.target_cpu_utilization"),
    ]
    assert _objects(plan) == {}


@pytest.mark.parametrize(
    ("hints", "expected"),
    [
        ({"min_replicas": 5, "max_replicas": 3}, [("catalog/autoscaling-range", "services[0].resources.min_replicas")]),
        ({"max_replicas": 3, "namespace": "Shop_NS"}, [("catalog/autoscaling-invalid-name", "services[0].resources.namespace")]),
        ({"max_replicas": 3, "workload": "a b"}, [("catalog/autoscaling-invalid-name", "services[0].resources.workload")]),
    ],
)
def test_an_autoscaler_kubernetes_would_refuse_is_a_catalog_error(
    load: Loader, hints: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    doc = base_catalog()
    doc["services"][0]["resources"].update(hints)
    _, errors = load(doc)
    assert [(e.check, e.path) for e in errors] == expected


def test_a_service_name_kubernetes_cannot_take_asks_for_a_workload_name(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][0]["name"] = "Orders API"
    doc["services"][0]["resources"]["max_replicas"] = 3
    _, errors = load(doc)
    assert [(e.check, e.path, e.hint) for e in errors] == [
        ("catalog/autoscaling-invalid-name", "services[0].resources.max_replicas", "set resources.workload to the name of the Deployment")
    ]


def test_the_shop_autoscalers_pass_the_strict_kubernetes_schema_and_a_broken_one_is_named(
    shop_bundle: Path, tmp_path: Path
) -> None:
    objects = sorted((shop_bundle / "kubernetes" / "autoscaling").glob("*.yaml"))
    assert [p.name for p in objects] == ["checkout.yaml", "kustomization.yaml", "storefront.yaml"]
    assert run_checks(shop_bundle, locate_tools(), only={"kubernetes"}) == []

    broken = tmp_path / "bundle"
    shutil.copytree(shop_bundle, broken)
    target = broken / "kubernetes/autoscaling/storefront.yaml"
    doc = yaml.safe_load(target.read_text(encoding="utf-8"))
    doc["spec"]["maxReplicas"] = "twelve"
    doc["spec"]["scaleTargetRef"]["replicas"] = 3  # not a field of a scale target reference
    target.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    findings = run_checks(broken, locate_tools(), only={"kubernetes"})
    assert [(d.check, str(d.location)) for d in findings] == [("kubernetes/schema", "kubernetes/autoscaling/storefront.yaml")]
    assert findings[0].message.startswith(("spec.maxReplicas", "spec.scaleTargetRef"))
