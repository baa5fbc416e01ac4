"""Recording rules beyond SLOs, as Prometheus rule files; group builders shared with the Mimir ruler."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models import Service
from lgtmgen.generators.anomaly.rules import anomaly_groups
from lgtmgen.generators.recording_rules.service_families import Rule, service_rules
from lgtmgen.generators.recording_rules.tenant_families import (
    environment_comparison,
    price_rules,
    team_cost,
)
from lgtmgen.naming import slug
from lgtmgen.plan import Plan

MAX_RULES_PER_GROUP = 20
RULES_DIR = "prometheus/rules/metrics"


def chunked(name: str, rules: list[Rule]) -> list[dict[str, Any]]:
    """One group, or numbered groups of at most 20 rules (Mimir's default per-group limit)."""
    if len(rules) <= MAX_RULES_PER_GROUP:
        return [{"name": name, "rules": rules}] if rules else []
    return [
        {"name": f"{name}:{n + 1}", "rules": rules[i : i + MAX_RULES_PER_GROUP]}
        for n, i in enumerate(range(0, len(rules), MAX_RULES_PER_GROUP))
    ]


def service_groups(plan: Plan, service: Service) -> list[dict[str, Any]]:
    """Every switched-on family of one service, packed into as few groups as the limit allows.

    Packing matters: Mimir allows 70 groups a tenant, and each service also brings SLO groups.
    Families stay in dependency order (RED before the comparison that reads it). Anomaly
    detection keeps a group per signal: its records are read at the timestamp they are
    written, which only holds within one group (see `generators.anomaly.rules`).
    """
    settings = plan.catalog.metrics
    rules = [rule for _, family in service_rules(service, settings) for rule in family]
    if settings.families.environment_comparison and settings.families.red:
        rules += environment_comparison(plan, service)
    return chunked(f"metrics:{service.name}", rules) + anomaly_groups(plan, service)


def cost_groups(plan: Plan, teams: Iterable[str]) -> list[dict[str, Any]]:
    """Unit prices and the hourly cost of each team whose services declare resources."""
    if not (plan.catalog.metrics.families.cost_allocation and plan.catalog.metrics.families.resource_efficiency):
        return []
    prices = price_rules(plan)
    teams = sorted(set(teams))
    if not prices or not teams:
        return []
    groups = chunked("metrics:prices", prices)
    for team in teams:
        groups += chunked(f"metrics:cost:{team}", [team_cost(team)])
    return groups


def costed_teams(services: Iterable[Service]) -> list[str]:
    return sorted({s.team for s in services if s.resources is not None})


class RecordingRules:
    """Prometheus rule files of the recording families: one per service, one for cost."""

    name = "recording-rules"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        for service in plan.catalog.services:
            groups = service_groups(plan, service)
            if groups:
                yield Artifact(
                    path=f"{RULES_DIR}/{slug(service.name)}.yaml",
                    role=Role.PROMETHEUS_RULES,
                    data={"groups": groups},
                    comment=f"Recording rules of service {service.name!r} (team {service.team}).",
                )
        cost = cost_groups(plan, costed_teams(plan.catalog.services))
        if cost:
            yield Artifact(
                path=f"{RULES_DIR}/cost.yaml",
                role=Role.PROMETHEUS_RULES,
                data={"groups": cost},
                comment="Unit prices per cluster and hourly cost per team.",
            )


__all__ = ["MAX_RULES_PER_GROUP", "RecordingRules", "chunked", "cost_groups", "costed_teams", "service_groups"]
