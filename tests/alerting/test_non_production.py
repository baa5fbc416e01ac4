"""Pages only in production: a page from a non-production cluster reaches its team's chat."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from lgtmgen.artifacts import Role
from lgtmgen.checks.amtool import AmtoolRouteTests
from lgtmgen.checks.base import BundleFile, CheckContext
from lgtmgen.render import dump_yaml
from lgtmgen.toolchain.locate import locate_tools
from tests.alerting.catalogs import (
    alertmanager_bundle,
    catalog,
    teams_with_search_on_pagers_only,
)

pytestmark = pytest.mark.tools

ENVIRONMENTS = {
    "environments": [{"name": "production", "production": True}, {"name": "staging"}],
    "clusters": [
        {"name": "eu-prod", "environment": "production"},
        {"name": "eu-staging", "environment": "staging"},
    ],
}


def _load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def _route(config: Path, labels: dict[str, str]) -> list[str]:
    """What the real amtool routes `labels` to."""
    amtool = locate_tools().amtool
    assert amtool is not None, "run scripts/bootstrap to install amtool"
    run = subprocess.run(
        [str(amtool.path), "config", "routes", "test", f"--config.file={config}"]
        + [f"{k}={v}" for k, v in sorted(labels.items())],
        capture_output=True,
        text=True,
        check=False,
    )
    return run.stdout.strip().split(",")


def _page(**labels: str) -> dict[str, str]:
    return {"team": "payments", "severity": "page", "service": "db", **labels}


def test_a_staging_page_reaches_the_team_chat_and_a_production_page_pages(
    tmp_path: Path,
) -> None:
    bundle, _ = alertmanager_bundle(tmp_path, catalog(**ENVIRONMENTS))
    config = bundle / "alertmanager/alertmanager.yml"
    assert _route(config, _page(tier="1", cluster="eu-staging")) == ["payments-chat"]
    assert _route(config, _page(tier="2", cluster="eu-staging")) == ["payments-chat"]
    escalated = _page(tier="1", cluster="eu-staging", escalated="true")
    assert _route(config, escalated) == ["payments-chat"]
    assert _route(config, _page(tier="1", cluster="eu-prod")) == ["payments-page"]
    # An alert without a cluster is not affected: its environment is unknown, so it pages.
    assert _route(config, _page(tier="1")) == ["payments-page"]
    # Tickets keep their receiver in every environment.
    ticket = {**_page(tier="1", cluster="eu-staging"), "severity": "ticket"}
    assert _route(config, ticket) == ["payments-ticket"]


def test_an_unknown_team_pages_the_catch_all_team_in_production_only(tmp_path: Path) -> None:
    bundle, _ = alertmanager_bundle(tmp_path, catalog(**ENVIRONMENTS))
    config = bundle / "alertmanager/alertmanager.yml"
    nobody = {"team": "nobody", "severity": "page", "service": "db"}
    assert _route(config, {**nobody, "tier": "1", "cluster": "eu-prod"}) == ["catch-all-pager"]
    assert _route(config, {**nobody, "tier": "1", "cluster": "eu-staging"}) == ["catch-all"]
    # Lower tiers: the pager in business hours, chat otherwise (amtool ignores time).
    assert _route(config, {**nobody, "tier": "2"}) == ["catch-all-pager", "catch-all"]
    assert _route(config, {k: v for k, v in nobody.items() if k != "team"}) == ["catch-all-pager"]
    assert _route(config, {**nobody, "severity": "ticket"}) == ["catch-all"]
    # A known team's page never reaches the catch-all routes.
    assert _route(config, _page(tier="1", cluster="eu-prod")) == ["payments-page"]


def test_the_generated_route_tests_prove_both_environments_with_amtool(tmp_path: Path) -> None:
    bundle, _ = alertmanager_bundle(tmp_path, catalog(**ENVIRONMENTS))
    cases = {c["name"]: c for c in _load(bundle / "alertmanager/route-tests.yaml")["cases"]}
    staging = cases["payments page tier 1 in non-production cluster eu-staging"]
    assert staging["labels"]["cluster"] == "eu-staging"
    assert staging["receivers"] == ["payments-chat"]
    assert cases["payments escalated page tier 1 in non-production cluster eu-staging"][
        "receivers"
    ] == ["payments-chat"]
    assert cases["payments page tier 1 in production cluster eu-prod"]["receivers"] == [
        "payments-page"
    ]
    assert cases["payments page tier 2 in production cluster eu-prod"]["receivers"] == [
        "payments-page-business-hours",
        "payments-chat",
    ]
    outage = cases["a cluster outage of non-production cluster eu-staging reaches chat"]
    assert outage["receivers"] == ["payments-chat"]
    files = tuple(
        BundleFile(f"alertmanager/{name}", role, bundle / "alertmanager" / name)
        for name, role in (
            ("alertmanager.yml", Role.ALERTMANAGER_CONFIG),
            ("route-tests.yaml", Role.ALERTMANAGER_ROUTE_TESTS),
        )
    )
    ctx = CheckContext(bundle, files, locate_tools())
    assert AmtoolRouteTests().run(ctx) == []
    # Without the non-production route the staging cases fail: they can tell the difference.
    config = bundle / "alertmanager/alertmanager.yml"
    document = _load(config)
    def outside_production(route: dict[str, Any]) -> bool:
        return any("cluster" in m for m in route.get("matchers", []))

    root = document["route"]
    root["routes"] = [r for r in root["routes"] if not outside_production(r)]
    for route in root["routes"]:
        if "routes" in route:
            route["routes"] = [r for r in route["routes"] if not outside_production(r)]
    config.write_text(dump_yaml(document), encoding="utf-8")
    failed = {p.message for p in AmtoolRouteTests().run(ctx)}
    assert any("payments page tier 1 in non-production cluster eu-staging" in m for m in failed), failed
    assert any("unknown team's page of non-production cluster eu-staging" in m for m in failed), failed


def test_without_a_non_production_cluster_the_tree_has_no_environment_route(
    tmp_path: Path,
) -> None:
    only_production = {
        "environments": ENVIRONMENTS["environments"],
        "clusters": ENVIRONMENTS["clusters"][:1],
    }
    bundle, _ = alertmanager_bundle(tmp_path, catalog(**only_production))
    text = (bundle / "alertmanager/alertmanager.yml").read_text(encoding="utf-8")
    assert "cluster=~" not in text
    names = [c["name"] for c in _load(bundle / "alertmanager/route-tests.yaml")["cases"]]
    assert not any("production cluster" in n for n in names)


def test_staging_pages_do_not_escalate(tmp_path: Path) -> None:
    """promtool evaluates the generated escalation rule on a staging and a production page."""
    bundle, artifacts = alertmanager_bundle(tmp_path, catalog(**ENVIRONMENTS))
    [rules] = [a for a in artifacts if a.path.endswith("escalation.yaml")]
    page = 'ALERTS{{alertname="SLOErrorBudgetBurn",alertstate="firing",severity="page",team="payments",service="db",cluster="{}"}}'
    tests = {
        "rule_files": [str(bundle / rules.path)],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": page.format("eu-staging"), "values": "1x60"},
                    {"series": page.format("eu-prod"), "values": "1x60"},
                ],
                "alert_rule_test": [
                    {
                        "eval_time": "45m",
                        "alertname": "PageEscalation",
                        "exp_alerts": [
                            {
                                "exp_labels": {
                                    "severity": "page",
                                    "team": "payments",
                                    "service": "db",
                                    "cluster": "eu-prod",
                                    "escalated": "true",
                                    "escalated_alertname": "SLOErrorBudgetBurn",
                                },
                                "exp_annotations": {
                                    "summary": "SLOErrorBudgetBurn of db has been paging for more "
                                    "than 30m without being resolved",
                                    "description": "Escalated to the team's second receiver.",
                                    "runbook_url": "https://runbooks.example.com/_alerting.md"
                                    "#page-escalation",
                                },
                            }
                        ],
                    }
                ],
            }
        ],
    }
    (tmp_path / "tests.yaml").write_text(dump_yaml(tests), encoding="utf-8")
    promtool = locate_tools().promtool
    assert promtool is not None, "run scripts/bootstrap to install promtool"
    run = subprocess.run(
        [str(promtool.path), "test", "rules", "tests.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_chat_receiver_never_pages_even_through_a_pager_fallback(tmp_path: Path) -> None:
    teams = teams_with_search_on_pagers_only()
    bundle, _ = alertmanager_bundle(tmp_path, catalog(teams=teams, **ENVIRONMENTS))
    receivers = {r["name"]: r for r in _load(bundle / "alertmanager/alertmanager.yml")["receivers"]}
    chat, page = receivers["search-chat"], receivers["search-page"]
    assert list(chat) == ["name", "pagerduty_configs"]  # chat falls back to the first pager
    assert "critical" not in chat["pagerduty_configs"][0]["severity"]
    assert "critical" in page["pagerduty_configs"][0]["severity"]
    assert len(page["pagerduty_configs"]) == 1  # the page receiver still notifies it once


def test_the_alerting_runbook_names_the_clusters_that_do_not_page(tmp_path: Path) -> None:
    _, artifacts = alertmanager_bundle(tmp_path, catalog(**ENVIRONMENTS))
    [runbook] = [a for a in artifacts if a.path == "docs/runbooks/_alerting.md"]
    assert "non-production cluster eu-staging reach the\nowning team's chat only" in runbook.data
