"""The SLO rules generator: one Prometheus rule file per service.

The rules themselves are built in `lgtmgen.generators.slo`; other outputs
(Mimir ruler namespaces, PrometheusRule objects) call `slo_rule_groups` there.
"""

from __future__ import annotations

from collections.abc import Iterable

from lgtmgen.artifacts import RULES_METADATA_PATH, Artifact, Role
from lgtmgen.generators.slo.groups import slo_rule_groups
from lgtmgen.naming import slug
from lgtmgen.plan import Plan, SLOPlan


def service_rule_files(plan: Plan) -> Iterable[tuple[str, str, list[SLOPlan]]]:
    """(service name, team, SLO plans) of every service that has SLOs, in catalog order."""
    for service in plan.catalog.services:
        slos = plan.slos_of(service.name)
        if slos:
            yield service.name, service.team, slos


class SLORules:
    """Prometheus rule files with the SLO rules of each service."""

    name = "slo-rules"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        defaults = plan.catalog.defaults
        grafana_url = defaults.grafana_url
        yield Artifact(
            path=RULES_METADATA_PATH,
            role=Role.REPORT,
            data={"scrape_interval": defaults.scrape_interval, "evaluation_interval": defaults.evaluation_interval},
            comment="Intervals the rule-hygiene check holds rate windows to.",
        )
        for service, team, slos in service_rule_files(plan):
            yield Artifact(
                path=f"prometheus/rules/slo/{slug(service)}.yaml",
                role=Role.PROMETHEUS_RULES,
                data={"groups": slo_rule_groups(slos, grafana_url, service)},
                comment=f"SLO rules of service {service!r} (team {team}).",
            )

