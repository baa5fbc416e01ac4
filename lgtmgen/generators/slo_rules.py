"""The SLO rules generator: one Prometheus rule file per service.

The rules themselves are built in `lgtmgen.generators.slo`; other outputs
(Mimir ruler namespaces, PrometheusRule objects) call `slo_rule_groups`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.checks.rule_hygiene import METADATA_PATH as RULES_METADATA_PATH
from lgtmgen.generators.slo.alerts import BURN_ALERT as ALERT_NAME
from lgtmgen.generators.slo.alerts import alert_labels
from lgtmgen.generators.slo.groups import slo_rule_groups
from lgtmgen.generators.slo.records import ratio_record
from lgtmgen.naming import slug
from lgtmgen.plan import Plan, SLOPlan


def slo_group(plan: SLOPlan, grafana_url: str) -> list[dict[str, Any]]:
    """Deprecated name kept for callers: the rule groups of one SLO (a list since fast/slow/hourly)."""
    return slo_rule_groups([plan], grafana_url, f"{plan.service.name}:{plan.slo.name}")


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


__all__ = ["ALERT_NAME", "SLORules", "alert_labels", "ratio_record", "slo_group", "slo_rule_groups"]
