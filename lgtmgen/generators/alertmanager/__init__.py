"""Alertmanager: configuration, notification templates, routing tests and the rules routing relies on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lgtmgen.artifacts import Artifact, Format, Role
from lgtmgen.catalog.environments import non_production_clusters
from lgtmgen.catalog.models import Team
from lgtmgen.generators.alertmanager.alert_rules import (
    RUNBOOK_PATH,
    cluster_outage_group,
    escalation_group,
)
from lgtmgen.generators.alertmanager.environments import example_clusters
from lgtmgen.generators.alertmanager.inhibition import inhibit_rules
from lgtmgen.generators.alertmanager.notification_templates import FILE_NAME, notification_templates
from lgtmgen.generators.alertmanager.receivers import (
    catch_all_receivers,
    smtp_globals,
    team_receivers,
)
from lgtmgen.generators.alertmanager.route_tests import route_test_cases, route_tests_document
from lgtmgen.generators.alertmanager.routing import root_route, time_intervals
from lgtmgen.generators.alertmanager.runbook_page import alerting_runbook
from lgtmgen.plan import Plan

CONFIG_PATH = "alertmanager/alertmanager.yml"
TEMPLATES_DIR = "templates"
ROUTE_TESTS_PATH = "alertmanager/route-tests.yaml"


def escalating_teams(plan: Plan) -> set[str]:
    """Teams whose pages escalate: those that declare `escalate_to`."""
    return {t.name for t in plan.catalog.teams if t.escalate_to is not None}


def catch_all_team(plan: Plan) -> Team | None:
    settings = plan.catalog.alerting
    if settings.catch_all_team is not None:
        return plan.teams[settings.catch_all_team]
    return plan.catalog.teams[0] if plan.catalog.teams else None


def alertmanager_config(plan: Plan) -> dict[str, Any]:
    """alertmanager.yml as data."""
    settings = plan.catalog.alerting
    teams = list(plan.catalog.teams)
    escalating = escalating_teams(plan)
    config: dict[str, Any] = {}
    smtp = smtp_globals(settings)
    if smtp:
        config["global"] = smtp
    config["templates"] = [f"{TEMPLATES_DIR}/*.tmpl"]
    config["route"] = root_route(
        teams,
        settings,
        escalating,
        non_production_clusters(plan.catalog),
        catch_all_pages=catch_all_team(plan) is not None,
    )
    config["inhibit_rules"] = inhibit_rules(plan)
    receivers = catch_all_receivers(catch_all_team(plan), settings)
    for team in teams:
        receivers.extend(team_receivers(team, settings, team.name in escalating))
    config["receivers"] = receivers
    config["time_intervals"] = time_intervals(settings.business_hours)
    return config


class Alertmanager:
    """alertmanager.yml, its templates, its routing tests, and the escalation and outage rules."""

    name = "alertmanager"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        if not plan.catalog.teams:
            return
        settings = plan.catalog.alerting
        escalating = escalating_teams(plan)
        non_production = non_production_clusters(plan.catalog)
        yield Artifact(
            path=CONFIG_PATH,
            role=Role.ALERTMANAGER_CONFIG,
            data=alertmanager_config(plan),
            comment=f"Alertmanager {settings.alertmanager_version}+ configuration: routing, receivers, inhibition.",
        )
        yield Artifact(
            path=f"alertmanager/{TEMPLATES_DIR}/{FILE_NAME}",
            role=Role.ALERTMANAGER_TEMPLATE,
            data=notification_templates(plan.catalog.defaults),
            format=Format.TEXT,
        )
        outage = settings.cluster_outage
        yield Artifact(
            path=ROUTE_TESTS_PATH,
            role=Role.ALERTMANAGER_ROUTE_TESTS,
            data=route_tests_document(
                route_test_cases(
                    list(plan.catalog.teams),
                    escalating,
                    outage.team if outage else None,
                    example_clusters(plan.catalog),
                )
            ),
            comment="Expected receivers per label set; `lgtmgen check` runs them with amtool.",
        )
        runbooks = plan.catalog.defaults.runbook_base_url
        if escalating or outage is not None:
            yield Artifact(
                path=RUNBOOK_PATH,
                role=Role.DOC,
                data=alerting_runbook(settings, sorted(escalating), non_production),
                format=Format.TEXT,
            )
        if escalating:
            yield Artifact(
                path="prometheus/rules/alerting/escalation.yaml",
                role=Role.PROMETHEUS_RULES,
                data={
                    "groups": [
                        escalation_group(
                            settings.escalation, sorted(escalating), runbooks, non_production
                        )
                    ]
                },
                comment="Escalation of pages still firing; evaluate beside the rules whose pages it escalates.",
            )
        if outage is not None:
            yield Artifact(
                path="prometheus/rules/alerting/cluster-outage.yaml",
                role=Role.PROMETHEUS_RULES,
                data={"groups": [cluster_outage_group(outage, runbooks)]},
                comment="Cluster-wide outage alert; it inhibits per-service alerts of the cluster.",
            )
