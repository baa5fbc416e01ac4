"""Prometheus Operator PrometheusRule objects holding the SLO rule groups of each service."""

from __future__ import annotations

from collections.abc import Iterable

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.generators.slo.groups import slo_rule_groups
from lgtmgen.generators.slo_rules import service_rule_files
from lgtmgen.naming import slug
from lgtmgen.plan import Plan

API_VERSION = "monitoring.coreos.com/v1"


class PrometheusRuleCRD:
    """One PrometheusRule object per service with SLOs, the same groups as the plain rule files."""

    name = "prometheus-rule-crd"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        grafana_url = plan.catalog.defaults.grafana_url
        for service, team, slos in service_rule_files(plan):
            name = f"slo-{slug(service)}"
            yield Artifact(
                path=f"kubernetes/prometheus-rules/{name}.yaml",
                role=Role.PROMETHEUS_RULE_CRD,
                data={
                    "apiVersion": API_VERSION,
                    "kind": "PrometheusRule",
                    "metadata": {
                        "name": name,
                        "labels": {"app.kubernetes.io/managed-by": "lgtmgen", "team": team},
                        "annotations": {"lgtmgen/service": service},
                    },
                    "spec": {"groups": slo_rule_groups(slos, grafana_url, service)},
                },
                comment=f"PrometheusRule with the SLO rules of service {service!r}.",
            )
