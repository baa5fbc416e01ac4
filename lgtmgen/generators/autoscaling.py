"""HorizontalPodAutoscalers from the services' autoscaling hints (`resources.max_replicas`).

For every cluster a service runs in, one `autoscaling/v2` object in the service's namespace
scales its workload (`Service.workload()`, the one the log collector reads too) on CPU
utilisation against the CPU request: of the declared `container` when there is one (the
container the resource-efficiency rules read; sidecars do not count), else of the whole pod.
They go to `kubernetes/clusters/<cluster>/autoscaling/` with a kustomization, so no cluster
gets an autoscaler for a workload it does not run. `lgtmgen check` validates them against the
Kubernetes schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models import Service
from lgtmgen.generators.kubernetes import kustomization, object_labels, set_dir
from lgtmgen.naming import slug
from lgtmgen.plan import Plan

SET = "autoscaling"
DEFAULT_CPU_UTILIZATION = 80
"""Kubernetes' own target when an autoscaler names no metric; written out so the file says it."""


def autoscaled(service: Service) -> bool:
    return service.resources is not None and service.resources.max_replicas is not None


def autoscaler(service: Service) -> dict[str, Any]:
    hints = service.resources
    assert hints is not None and hints.max_replicas is not None
    name = service.workload()
    target = {"type": "Utilization", "averageUtilization": hints.target_cpu_utilization or DEFAULT_CPU_UTILIZATION}
    if hints.container:
        metric = {"type": "ContainerResource", "containerResource": {"name": "cpu", "container": hints.container, "target": target}}
    else:
        metric = {"type": "Resource", "resource": {"name": "cpu", "target": target}}
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {
            "name": name,
            "namespace": hints.namespace,
            "labels": object_labels(SET, service.team),
            "annotations": {"lgtmgen/service": service.name},
        },
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": hints.workload_kind, "name": name},
            "minReplicas": hints.min_replicas or 1,
            "maxReplicas": hints.max_replicas,
            "metrics": [metric],
        },
    }


class Autoscaling:
    """Per cluster: a HorizontalPodAutoscaler per service there with `resources.max_replicas`, and a kustomization."""

    name = "autoscaling"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        objects = {s.name: autoscaler(s) for s in plan.catalog.services if autoscaled(s)}
        if not objects:
            return
        for cluster in plan.catalog.clusters:
            resources = []
            for service in plan.services_in(cluster.name):
                if service.name not in objects:
                    continue
                path = f"{slug(service.name)}.yaml"
                resources.append(path)
                yield Artifact(
                    path=f"{set_dir(cluster.name, SET)}/{path}",
                    role=Role.KUBERNETES_OBJECT,
                    data=objects[service.name],
                    comment=f"Autoscaler of service {service.name!r} (team {service.team}) in cluster {cluster.name!r}.",
                )
            if resources:
                yield kustomization(cluster.name, SET, resources, "The autoscalers")
