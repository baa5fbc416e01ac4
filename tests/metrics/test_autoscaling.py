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
    # api names no cluster, so it runs (and is scaled) in both
    assert sorted(objects) == [f"kubernetes/clusters/{c}/autoscaling/{f}" for c in ("eu-prod", "eu-stage") for f in ("api.yaml", "kustomization.yaml")]
    assert objects["kubernetes/clusters/eu-prod/autoscaling/api.yaml"] == objects["kubernetes/clusters/eu-stage/autoscaling/api.yaml"]
    assert objects["kubernetes/clusters/eu-prod/autoscaling/api.yaml"] == {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {
            "name": "api",
            "namespace": "shop",
            "labels": {"app.kubernetes.io/managed-by": "lgtmgen", "app.kubernetes.io/component": "autoscaling", "team": "shop"},
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
    assert objects["kubernetes/clusters/eu-prod/autoscaling/kustomization.yaml"]["resources"] == ["api.yaml"]


def test_a_service_is_scaled_only_in_the_clusters_it_runs_in(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][1]["resources"] = {"namespace": "ops", "max_replicas": 3}  # worker: eu-stage only
    plan, errors = load(doc)
    assert plan is not None and errors == []
    assert sorted(_objects(plan)) == ["kubernetes/clusters/eu-stage/autoscaling/kustomization.yaml", "kubernetes/clusters/eu-stage/autoscaling/worker.yaml"]


def test_a_declared_container_is_measured_alone_as_the_efficiency_rules_read_it(load: Loader) -> None:
    plan = _with_hints(load, max_replicas=4, container="api-server", target_cpu_utilization=150)
    metric = _objects(plan)["kubernetes/clusters/eu-prod/autoscaling/api.yaml"]["spec"]["metrics"]
    assert metric == [
        {
            "type": "ContainerResource",
            "containerResource": {"name": "cpu", "container": "api-server", "target": {"type": "Utilization", "averageUtilization": 150}},
        }
    ]


def test_defaults_are_written_out_and_the_workload_can_be_named(load: Loader) -> None:
    plan = _with_hints(load, max_replicas=4, container="api-server", workload="api-db", workload_kind="StatefulSet")
    spec = _objects(plan)["kubernetes/clusters/eu-prod/autoscaling/api.yaml"]["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "api-db"}
    assert spec["minReplicas"] == 1  # Kubernetes' default floor
    assert spec["metrics"][0]["containerResource"]["target"]["averageUtilization"] == 80  # and its default target


def test_one_declared_workload_serves_the_autoscaler_and_the_log_collector(load: Loader) -> None:
    from lgtmgen.generators.otelcol_logs import pod_log_files

    doc = base_catalog()
    doc["services"][0]["resources"].update(max_replicas=4, container="api-server")
    doc["services"][0]["logs"] = {"format": "json", "workload": "api-web"}
    plan, errors = load(doc)
    assert plan is not None and errors == [], [str(e) for e in errors]
    assert _objects(plan)["kubernetes/clusters/eu-prod/autoscaling/api.yaml"]["metadata"]["name"] == "api-web"
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
        ({"max_replicas": 3, "namespace": "Shop_NS"}, [("catalog/invalid-format", "services[0].resources.namespace")]),
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


def test_two_services_scaling_one_workload_are_refused(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][0]["resources"].update(max_replicas=3, workload="app")
    doc["services"][1]["resources"] = {"namespace": "shop", "max_replicas": 2, "workload": "app"}
    _, errors = load(doc)
    assert [(e.check, e.path) for e in errors] == [("catalog/autoscaling-duplicate", "services[1].resources.workload")]
    doc["services"][1]["resources"]["namespace"] = "ops"  # another namespace, another workload
    plan, errors = load(doc)
    assert plan is not None and errors == []


def test_the_shop_autoscalers_pass_the_strict_kubernetes_schema_and_a_broken_one_is_named(
    shop_bundle: Path, tmp_path: Path
) -> None:
    objects = sorted(p.relative_to(shop_bundle).as_posix() for p in (shop_bundle / "kubernetes").rglob("autoscaling/*.yaml"))
    assert objects == [
        f"kubernetes/clusters/{c}/autoscaling/{f}"
        for c in ("eu-prod", "us-prod")
        for f in ("checkout.yaml", "kustomization.yaml", "storefront.yaml")
    ]
    assert run_checks(shop_bundle, locate_tools(), only={"kubernetes"}) == []

    def broken_by(change: Any) -> list[tuple[str, str, str]]:
        broken = tmp_path / f"bundle-{len(list(tmp_path.iterdir()))}"
        shutil.copytree(shop_bundle, broken)
        target = broken / "kubernetes/clusters/eu-prod/autoscaling/storefront.yaml"
        doc = yaml.safe_load(target.read_text(encoding="utf-8"))
        change(doc["spec"])
        target.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        return [(d.check, str(d.location), d.message.split(":")[0]) for d in run_checks(broken, locate_tools(), only={"kubernetes"})]

    where = "kubernetes/clusters/eu-prod/autoscaling/storefront.yaml"
    # an unknown field alone: only the strict schema refuses it (as the API server's field validation does)
    assert broken_by(lambda spec: spec["scaleTargetRef"].update(replicas=3)) == [("kubernetes/schema", where, "spec.scaleTargetRef")]
    assert broken_by(lambda spec: spec.update(maxReplicas="twelve")) == [("kubernetes/schema", where, "spec.maxReplicas")]
