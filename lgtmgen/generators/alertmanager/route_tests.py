"""Routing test cases: the receivers each label set must reach, for `amtool config routes test`.

The expectations restate the routing policy independently of the tree
builder, so the check compares two descriptions of the same intent.
`config routes test` ignores time intervals: a lower-tier page therefore
shows the business-hours-only receiver (``<team>-page-business-hours``) next
to the off-hours chat, which proves the split is in the tree; the e2e test
proves the time-dependent delivery. Any other page reaches one receiver, which
holds the chat targets as well.
"""

from __future__ import annotations

from typing import Any

from lgtmgen.catalog.models import Team
from lgtmgen.generators.alertmanager.names import (
    CATCH_ALL,
    CATCH_ALL_PAGER,
    CLUSTER_OUTAGE_ALERT,
    ESCALATED_LABEL,
    ESCALATION_ALERT,
    LOWER_TIERS,
    SEVERITIES,
    TIERS,
    receiver_name,
)

CONFIG_FILE = "alertmanager.yml"


def expected_receivers(
    team: str,
    severity: str,
    tier: str | None,
    escalates: bool,
    escalated: bool,
    production: bool = True,
) -> list[str]:
    """The policy: pages reach pager and chat in one receiver (below tier 1 only in business
    hours, chat alone otherwise), except pages from a non-production cluster, which reach
    chat only; tickets the ticket receiver; anything else chat."""
    if severity == "ticket":
        return [receiver_name(team, "ticket")]
    if severity != "page" or (escalated and not escalates) or not production:
        return [receiver_name(team, "chat")]
    lower = tier in LOWER_TIERS
    if escalated:
        first = receiver_name(team, "escalation-business-hours" if lower else "escalation")
    else:
        first = receiver_name(team, "page-business-hours" if lower else "page")
    return [first, receiver_name(team, "chat")] if lower else [first]


def _case(name: str, labels: dict[str, str], receivers: list[str]) -> dict[str, Any]:
    return {"name": name, "labels": dict(sorted(labels.items())), "receivers": receivers}


def _environment_cases(
    team: str, escalates: bool, production: str | None, non_production: str | None
) -> list[dict[str, Any]]:
    """Pages of a production cluster page; those of a non-production cluster reach chat only,
    escalated or not."""
    cases = []
    for cluster, in_production in ((production, True), (non_production, False)):
        if cluster is None or non_production is None:
            continue  # without a non-production cluster, the plain cases cover everything
        where = "production" if in_production else "non-production"
        for tier in ("1", "2"):
            cases.append(
                _case(
                    f"{team} page tier {tier} in {where} cluster {cluster}",
                    {"team": team, "severity": "page", "tier": tier, "cluster": cluster},
                    expected_receivers(team, "page", tier, escalates, False, in_production),
                )
            )
        if escalates:
            cases.append(
                _case(
                    f"{team} escalated page tier 1 in {where} cluster {cluster}",
                    {
                        "team": team,
                        "severity": "page",
                        "tier": "1",
                        "cluster": cluster,
                        "alertname": ESCALATION_ALERT,
                        ESCALATED_LABEL: "true",
                    },
                    expected_receivers(team, "page", "1", True, True, in_production),
                )
            )
    return cases


def _catch_all_cases(non_production: str | None) -> list[dict[str, Any]]:
    """An unknown team's page pages the catch-all team as a team's own would; the rest is chat."""
    nobody = {"team": "nobody", "severity": "page"}
    cases = [
        _case("an unknown team's page without tier pages the catch-all team", nobody, [CATCH_ALL_PAGER]),
        _case(
            "an unknown team's tier 1 page pages the catch-all team",
            {**nobody, "tier": "1"},
            [CATCH_ALL_PAGER],
        ),
        _case(
            "an unknown team's tier 2 page pages the catch-all team in business hours only",
            {**nobody, "tier": "2"},
            [CATCH_ALL_PAGER, CATCH_ALL],
        ),
        _case(
            "an unknown team's ticket reaches the catch-all",
            {**nobody, "severity": "ticket", "tier": "1"},
            [CATCH_ALL],
        ),
    ]
    if non_production is not None:
        cases.append(
            _case(
                f"an unknown team's page of non-production cluster {non_production} reaches the catch-all",
                {**nobody, "tier": "1", "cluster": non_production},
                [CATCH_ALL],
            )
        )
    return cases


def route_test_cases(
    teams: list[Team],
    escalating: set[str],
    cluster_outage_team: str | None,
    clusters: tuple[str | None, str | None] = (None, None),
) -> list[dict[str, Any]]:
    """One case per team × severity × tier, escalations, a missing tier, an unknown severity,
    pages of a production and a non-production cluster (`clusters`), the catch-all (pages of
    an unknown team page) and the outage."""
    production, non_production = clusters
    cases = []
    for team in teams:
        escalates = team.name in escalating
        cases.extend(_environment_cases(team.name, escalates, production, non_production))
        for severity in SEVERITIES:
            for tier in TIERS:
                labels = {"team": team.name, "severity": severity, "tier": tier, "service": "any"}
                cases.append(
                    _case(
                        f"{team.name} {severity} tier {tier}",
                        labels,
                        expected_receivers(team.name, severity, tier, escalates, False),
                    )
                )
        cases.append(
            _case(
                f"{team.name} page without tier pages at any hour",
                {"team": team.name, "severity": "page", "alertname": "SomeAlert"},
                expected_receivers(team.name, "page", None, escalates, False),
            )
        )
        cases.append(
            _case(
                f"{team.name} unknown severity reaches its chat",
                {"team": team.name, "severity": "critical", "tier": "1", "alertname": "SomeAlert"},
                expected_receivers(team.name, "critical", "1", escalates, False),
            )
        )
        if escalates:
            for tier in ("1", "2"):
                cases.append(
                    _case(
                        f"{team.name} escalated page tier {tier}",
                        {
                            "team": team.name,
                            "severity": "page",
                            "tier": tier,
                            "alertname": ESCALATION_ALERT,
                            ESCALATED_LABEL: "true",
                        },
                        expected_receivers(team.name, "page", tier, True, True),
                    )
                )
    cases.extend(_catch_all_cases(non_production))
    cases.append(
        _case(
            "an alert without labels reaches the catch-all", {"alertname": "Anything"}, [CATCH_ALL]
        )
    )
    if cluster_outage_team is not None:
        cases.append(
            _case(
                "a cluster outage pages its team at any hour",
                {
                    "alertname": CLUSTER_OUTAGE_ALERT,
                    "team": cluster_outage_team,
                    "severity": "page",
                    "tier": "1",
                },
                expected_receivers(
                    cluster_outage_team, "page", "1", cluster_outage_team in escalating, False
                ),
            )
        )
        if non_production is not None:
            cases.append(
                _case(
                    f"a cluster outage of non-production cluster {non_production} reaches chat",
                    {
                        "alertname": CLUSTER_OUTAGE_ALERT,
                        "team": cluster_outage_team,
                        "severity": "page",
                        "tier": "1",
                        "cluster": non_production,
                    },
                    expected_receivers(
                        cluster_outage_team,
                        "page",
                        "1",
                        cluster_outage_team in escalating,
                        False,
                        production=False,
                    ),
                )
            )
    return cases


def route_tests_document(cases: list[dict[str, Any]]) -> dict[str, Any]:
    """The route-tests file: the configuration it tests (relative to itself) and the cases."""
    return {"config": CONFIG_FILE, "cases": cases}
