"""The escalation and cluster-outage rules run where the alerts come from: the Mimir ruler."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lgtmgen.artifacts import Role
from lgtmgen.generators.mimir import MimirGenerator
from tests.alerting.catalogs import catalog, plan_of

CLUSTERS = [
    {"name": "eu-1", "environment": "production", "tenant": "infra"},
    {"name": "us-1", "environment": "production", "tenant": "infra"},
]


def _document(**changes: Any) -> dict[str, Any]:
    document = catalog(
        environments=[{"name": "production", "production": True}],
        tenants=[{"name": "prod"}, {"name": "infra"}, {"name": "other"}],
        clusters=CLUSTERS,
        **changes,
    )
    for service in document["services"]:
        service["clusters"] = ["eu-1", "us-1"]
    return document


def _alerts_by_tenant(tmp_path: Path, document: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for artifact in MimirGenerator().generate(plan_of(tmp_path, document)):
        if artifact.role is not Role.MIMIR_RULES:
            continue
        tenant = artifact.path.split("/")[2]
        for group in artifact.data["groups"]:
            found.setdefault(tenant, []).extend(
                r["alert"]
                for r in group["rules"]
                if r.get("alert") in ("PageEscalation", "ClusterOutage")
            )
    return {t: sorted(a) for t, a in found.items() if a}


def test_pages_escalate_in_the_tenant_that_evaluates_them_and_outages_where_up_is_sent(
    tmp_path: Path,
) -> None:
    # The services' pages are evaluated in tenant prod; the clusters send their `up` to infra.
    assert _alerts_by_tenant(tmp_path, _document()) == {
        "infra": ["ClusterOutage", "PageEscalation"],  # the outage page escalates where it fires
        "prod": ["PageEscalation"],
    }


def test_without_escalating_teams_or_outage_the_ruler_gets_neither(tmp_path: Path) -> None:
    teams = catalog()["teams"]
    del teams[0]["escalate_to"]
    assert _alerts_by_tenant(tmp_path, _document(teams=teams, alerting={})) == {}
