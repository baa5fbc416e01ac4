"""HorizontalPodAutoscalers from the services' autoscaling hints (`resources.max_replicas`).

One `autoscaling/v2` object per service that asks for one, in the service's
namespace, scaling its workload on CPU utilisation against the pods' CPU request
(the same requests the resource-efficiency rules read). The workload is `Service.workload()`,
the one the log collector reads too. The objects are the same for every cluster the service
runs in; `kubernetes/autoscaling/kustomization.yaml` lists them. `lgtmgen check` validates them against the Kubernetes schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models import Service
from lgtmgen.generators.prometheus_rule_crd import KUSTOMIZE_API_VERSION, MANAGED_BY
from lgtmgen.naming import slug
from lgtmgen.plan import Plan

AUTOSCALING_DIR = "kubernetes/autoscaling"
DEFAULT_CPU_UTILIZATION = 80
"""Kubernetes' own target when an autoscaler names no metric; written out so the file says it."""


def autoscaled(plan: Plan) -> list[Service]:
    return [s for s in plan.catalog.services if s.resources is not None and s.resources.max_replicas is not None]


def autoscaler(service: Service) -> dict[str, Any]:
    hints = service.resources
    assert hints is not None and hints.max_replicas is not None
    name = service.workload()
    utilization = hints.target_cpu_utilization or DEFAULT_CPU_UTILIZATION
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {
            "name": name,
            "namespace": hints.namespace,
            "labels": {**MANAGED_BY, "team": service.team},
            "annotations": {"lgtmgen/service": service.name},
        },
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": hints.workload_kind, "name": name},
            "minReplicas": hints.min_replicas or 1,
            "maxReplicas": hints.max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": utilization}},
                }
            ],
        },
    }


class Autoscaling:
    """A HorizontalPodAutoscaler per service with `resources.max_replicas`, and their kustomization."""

    name = "autoscaling"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        resources = []
        for service in autoscaled(plan):
            path = f"{slug(service.name)}.yaml"
            resources.append(path)
            yield Artifact(
                path=f"{AUTOSCALING_DIR}/{path}",
                role=Role.KUBERNETES_OBJECT,
                data=autoscaler(service),
                comment=f"Autoscaler of service {service.name!r} (team {service.team}), for every cluster it runs in.",
            )
        if resources:
            yield Artifact(
                path=f"{AUTOSCALING_DIR}/kustomization.yaml",
                role=Role.KUSTOMIZATION,
                data={"apiVersion": KUSTOMIZE_API_VERSION, "kind": "Kustomization", "resources": resources},
                comment="The services' autoscalers: kubectl apply -k this directory.",
            )
