"""The escalation and cluster-outage rules run where the alerts come from: the Mimir ruler."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lgtmgen.artifacts import Role
from lgtmgen.generators.mimir import MimirGenerator
from tests.alerting.catalogs import catalog, plan_of
from tests.support import promtool_test

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
        # failing critical targets, and clusters gone silent; the outage page escalates where it fires
        "infra": ["ClusterOutage", "ClusterOutage", "PageEscalation"],
        "prod": ["PageEscalation"],
    }


def test_without_escalating_teams_or_outage_the_ruler_gets_neither(tmp_path: Path) -> None:
    teams = catalog()["teams"]
    del teams[0]["escalate_to"]
    assert _alerts_by_tenant(tmp_path, _document(teams=teams, alerting={})) == {}


def test_a_cluster_whose_metrics_stop_reaching_mimir_pages_as_an_outage(tmp_path: Path) -> None:
    # A lost region sends no failing targets, only silence: the ruler, outside the cluster,
    # pages for the cluster whose `up` stopped arriving, and only for that one.
    import yaml

    [namespace] = [
        a
        for a in MimirGenerator().generate(plan_of(tmp_path, _document()))
        if a.role is Role.MIMIR_RULES and a.path.endswith("/infra/alerting.yaml")
    ]
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": namespace.data["groups"]}), encoding="utf-8")
    outage = {"severity": "page", "team": "payments", "service": "cluster", "tier": "1", "cause": "no-metrics"}
    tests = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": 'up{cluster="eu-1",job="kube-apiserver"}', "values": "1x30"},
                    # us-1 goes silent after 10 minutes
                    {"series": 'up{cluster="us-1",job="kube-apiserver"}', "values": "1x10"},
                ],
                "alert_rule_test": [
                    {"eval_time": "14m", "alertname": "ClusterOutage", "exp_alerts": []},
                    {
                        "eval_time": "25m",
                        "alertname": "ClusterOutage",
                        "exp_alerts": [
                            {
                                "exp_labels": {**outage, "cluster": "us-1"},
                                "exp_annotations": {
                                    "summary": "Cluster us-1 sends no metrics",
                                    "description": next(
                                        r["annotations"]["description"]
                                        for g in namespace.data["groups"]
                                        for r in g["rules"]
                                        if "sends no metrics" in r["annotations"].get("summary", "")
                                    ),
                                    "runbook_url": next(
                                        r["annotations"]["runbook_url"]
                                        for g in namespace.data["groups"]
                                        for r in g["rules"]
                                        if r.get("alert") == "ClusterOutage"
                                    ),
                                },
                            }
                        ],
                    },
                ],
            }
        ],
    }
    run = promtool_test(tmp_path, tests)
    assert run.returncode == 0, run.stdout + run.stderr
