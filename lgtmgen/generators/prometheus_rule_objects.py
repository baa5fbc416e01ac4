"""Prometheus Operator PrometheusRule objects for the clusters whose Prometheus the operator runs.

An operator-run Prometheus takes its rules from PrometheusRule objects, never from
`rule_files`. So for every cluster with `prometheus.operator` set, each rule file that a
plain Prometheus of that cluster would list becomes one object with the same groups (a
service's SLO rules, its recording rules), in `kubernetes/clusters/<cluster>/prometheus-rules/`
with a kustomization. Clusters without the setting get no objects: nobody has to skip files
they cannot use.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models import Cluster, Service
from lgtmgen.catalog.models.metrics_platform import PrometheusOperator
from lgtmgen.generators.kubernetes import kustomization, object_labels, set_dir
from lgtmgen.generators.recording_rules import service_groups
from lgtmgen.generators.slo.groups import slo_rule_groups
from lgtmgen.naming import slug
from lgtmgen.plan import Plan

API_VERSION = "monitoring.coreos.com/v1"
SET = "prometheus-rules"


def operator_clusters(plan: Plan) -> list[tuple[Cluster, PrometheusOperator]]:
    """The clusters whose Prometheus the operator runs, in catalog order (an agent loads no rules)."""
    return [(c, c.prometheus.operator) for c in plan.catalog.clusters if c.rules_from() == "objects" and c.prometheus and c.prometheus.operator]


class PrometheusRuleObjects:
    """Per operator-run cluster: one PrometheusRule object per rule file its Prometheus evaluates."""

    name = "prometheus-rule-objects"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        rule_sets: dict[str, list[tuple[str, str, list[dict[str, Any]]]]] = {}
        for cluster, operator in operator_clusters(plan):
            resources = []
            for service in plan.services_in(cluster.name):
                if service.name not in rule_sets:
                    rule_sets[service.name] = list(_rule_sets(plan, service))
                for kind, comment, groups in rule_sets[service.name]:
                    name = f"{kind}-{slug(service.name)}"
                    resources.append(f"{name}.yaml")
                    yield Artifact(
                        path=f"{set_dir(cluster.name, SET)}/{name}.yaml",
                        role=Role.PROMETHEUS_RULE_OBJECT,
                        data=_rule_object(name, service, operator, groups),
                        comment=f"PrometheusRule with the {comment} of service {service.name!r}, for cluster {cluster.name!r}.",
                    )
            if resources:
                yield kustomization(cluster.name, SET, resources, "The PrometheusRule objects")


def _rule_sets(plan: Plan, service: Service) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    """(object kind, what it holds, groups) of the rule files a plain Prometheus would list for `service`."""
    slos = plan.slos_of(service.name)
    if slos:
        yield "slo", "SLO rules", slo_rule_groups(slos, plan.catalog.defaults.grafana_url, service.name)
    groups = service_groups(plan, service)
    if groups:
        yield "metrics", "recording rules", groups


def _rule_object(name: str, service: Service, operator: PrometheusOperator, groups: list[dict[str, Any]]) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if operator.namespace:
        metadata["namespace"] = operator.namespace
    metadata["labels"] = object_labels(SET, service.team, dict(sorted(operator.rule_labels.items())))
    metadata["annotations"] = {"lgtmgen/service": service.name}
    return {"apiVersion": API_VERSION, "kind": "PrometheusRule", "metadata": metadata, "spec": {"groups": groups}}
