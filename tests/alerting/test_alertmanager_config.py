"""The generated Alertmanager configuration: loaded by the real amtool, routed as the policy says."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from lgtmgen.artifacts import Role
from lgtmgen.checks.amtool import AmtoolConfig, AmtoolRouteTests
from lgtmgen.checks.base import BundleFile, CheckContext
from lgtmgen.generators.alertmanager import Alertmanager
from lgtmgen.toolchain.locate import Toolbox, locate_tools
from tests.alerting.catalogs import SECRETS, alertmanager_bundle, catalog, plan_of

pytestmark = pytest.mark.tools


@pytest.fixture(scope="module")
def tools() -> Toolbox:
    found = locate_tools()
    if found.amtool is None:
        pytest.fail("amtool is missing: run scripts/bootstrap")
    return found


def _context(bundle: Path, tools: Toolbox) -> CheckContext:
    files = (
        BundleFile(
            "alertmanager/alertmanager.yml",
            Role.ALERTMANAGER_CONFIG,
            bundle / "alertmanager/alertmanager.yml",
        ),
        BundleFile(
            "alertmanager/route-tests.yaml",
            Role.ALERTMANAGER_ROUTE_TESTS,
            bundle / "alertmanager/route-tests.yaml",
        ),
    )
    return CheckContext(bundle, files, tools)


def _load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def _routes_of(config: dict[str, Any], team: str) -> list[dict[str, Any]]:
    [team_route] = [r for r in config["route"]["routes"] if r["matchers"] == [f'team="{team}"']]
    return team_route["routes"]


def test_amtool_loads_the_configuration_with_its_templates_and_every_route_test_passes(
    tmp_path: Path, tools: Toolbox
) -> None:
    bundle, _ = alertmanager_bundle(tmp_path, catalog())
    ctx = _context(bundle, tools)
    assert AmtoolConfig().run(ctx) == []
    assert AmtoolRouteTests().run(ctx) == []
    cases = _load(bundle / "alertmanager/route-tests.yaml")["cases"]
    names = {c["name"] for c in cases}
    for team in ("payments", "search"):
        for severity in ("page", "ticket", "info"):
            for tier in ("1", "2", "3"):
                assert f"{team} {severity} tier {tier}" in names


def test_passing_route_cases_are_not_run_again_until_the_configuration_or_the_case_changes(
    tmp_path: Path, tools: Toolbox
) -> None:
    bundle, _ = alertmanager_bundle(tmp_path, catalog())
    context = dataclasses.replace(_context(bundle, tools), cache_dir=tmp_path / "cache")
    tests_path = bundle / "alertmanager/route-tests.yaml"
    count = len(_load(tests_path)["cases"])

    def run() -> tuple[list[str], list[str]]:
        found = AmtoolRouteTests().run(context)
        reused = [d.message.split(" routing cases")[0] for d in found if d.check == "amtool/route-cases-passed-before"]
        return [d.message.split(":")[0] for d in found if d.is_error], reused

    assert run() == ([], [])
    assert run() == ([], [f"{count} of {count}"])
    # Another expectation for one case: that case runs (and fails), the others are remembered.
    tests_path.write_text(
        tests_path.read_text(encoding="utf-8").replace("- payments-page\n", "- payments-chat\n", 1), encoding="utf-8"
    )
    assert run() == (["case 'payments page tier 1'"], [f"{count - 1} of {count}"])
    assert run()[0] != []  # a failure is never remembered
    # Another configuration: every case runs again.
    config_path = bundle / "alertmanager/alertmanager.yml"
    config_path.write_text(config_path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert run()[1] == []


def test_a_wrong_routing_is_reported_by_the_route_tests(tmp_path: Path, tools: Toolbox) -> None:
    bundle, _ = alertmanager_bundle(tmp_path, catalog())
    config_path = bundle / "alertmanager/alertmanager.yml"
    text = config_path.read_text(encoding="utf-8")
    # Send payments' tier-1 pages to chat only: the pager receiver disappears from the tree.
    broken = text.replace("receiver: payments-page\n", "receiver: payments-chat\n", 1)
    assert broken != text
    config_path.write_text(broken, encoding="utf-8")
    problems = AmtoolRouteTests().run(_context(bundle, tools))
    assert problems and all(p.check == "amtool/route-test" for p in problems)
    assert any("'payments page tier 1'" in p.message for p in problems)


def test_lower_tiers_page_only_in_business_hours_and_tier_one_at_any_hour(tmp_path: Path) -> None:
    bundle, _ = alertmanager_bundle(tmp_path, catalog())
    config = _load(bundle / "alertmanager/alertmanager.yml")
    by_receiver = {r["receiver"]: r for r in _routes_of(config, "payments")}
    assert by_receiver["payments-page-business-hours"]["active_time_intervals"] == [
        "business-hours"
    ]
    assert 'tier=~"2|3"' in by_receiver["payments-page-business-hours"]["matchers"]
    assert "active_time_intervals" not in by_receiver["payments-page"]
    assert "continue" not in by_receiver["payments-page"]
    # The chat route a lower-tier page continues to is muted while the pager route is active.
    off_hours = [r for r in _routes_of(config, "payments") if "mute_time_intervals" in r]
    assert [(r["receiver"], r["mute_time_intervals"]) for r in off_hours] == [
        ("payments-chat", ["business-hours"])
    ]
    assert 'tier=~"2|3"' in off_hours[0]["matchers"]
    [hours] = config["time_intervals"]
    assert hours["time_intervals"][0]["location"] == "UTC"
    assert hours["time_intervals"][0]["weekdays"] == ["monday:friday"]


def test_receivers_reference_secret_files_only(tmp_path: Path) -> None:
    bundle, _ = alertmanager_bundle(tmp_path, catalog())
    config = _load(bundle / "alertmanager/alertmanager.yml")
    receivers = {r["name"]: r for r in config["receivers"]}
    assert (
        receivers["payments-page"]["pagerduty_configs"][0]["routing_key_file"]
        == f"{SECRETS}/pd-payments"
    )
    assert (
        receivers["payments-chat"]["slack_configs"][0]["api_url_file"]
        == f"{SECRETS}/slack-payments"
    )
    jira = receivers["payments-ticket"]["jira_configs"][0]
    assert jira["http_config"]["basic_auth"]["password_file"] == f"{SECRETS}/jira"
    assert (
        receivers["payments-escalation"]["pushover_configs"][0]["token_file"]
        == f"{SECRETS}/po-token"
    )
    assert receivers["search-page"] == {
        "name": "search-page",
        "webhook_configs": [{"url_file": f"{SECRETS}/search-hook", "send_resolved": True}],
    }
    assert receivers["catch-all"]["slack_configs"][0]["channel"] == "#payments"
    assert jira["api_url"] == "https://jira.example.com/rest/api/2/"  # not a secret
    del receivers["payments-ticket"]["jira_configs"]
    text = json.dumps(receivers)
    for key in ('"api_url":', '"routing_key":', '"url":', '"token":', '"password":'):
        assert key not in text


def test_jira_goes_through_its_bridge_webhook_before_alertmanager_0_28(tmp_path: Path) -> None:
    teams = catalog()["teams"]
    teams[0]["notify"]["jira"]["webhook_url_file"] = f"{SECRETS}/jira-bridge"
    bundle, _ = alertmanager_bundle(
        tmp_path, catalog(teams=teams, alerting={"alertmanager_version": "0.27"})
    )
    config = _load(bundle / "alertmanager/alertmanager.yml")
    [ticket] = [r for r in config["receivers"] if r["name"] == "payments-ticket"]
    assert "jira_configs" not in ticket
    assert ticket["webhook_configs"] == [
        {"url_file": f"{SECRETS}/jira-bridge", "send_resolved": True}
    ]


def test_inhibition_follows_severity_dependencies_and_cluster_outage_and_says_why(
    tmp_path: Path,
) -> None:
    bundle, _ = alertmanager_bundle(tmp_path, catalog())
    text = (bundle / "alertmanager/alertmanager.yml").read_text(encoding="utf-8")
    rules = _load(bundle / "alertmanager/alertmanager.yml")["inhibit_rules"]
    assert text.count("  # why: ") == len(rules) == 4
    page_over_ticket, api_down, db_down, outage = rules
    assert page_over_ticket["equal"] == ["service", "slo", "cluster"]
    # web depends on api which depends on db: db's page silences api, and api's own
    # (inhibited but firing) availability page silences web, so the chain needs no closure.
    assert db_down["source_matchers"] == [
        'service="db"',
        'severity="page"',
        'slo="availability"',
    ]
    assert db_down["target_matchers"] == ['service=~"api"']
    # api is tier 2: its page reaches a pager in business hours only, so it holds back only
    # the alerts of callers of tier 2 or 3 (web is tier 3)
    assert api_down["target_matchers"] == ['service=~"web"', 'tier=~"2|3"']
    assert db_down["equal"] == api_down["equal"] == ["cluster"]
    assert outage["source_matchers"] == ['alertname="ClusterOutage"']
    assert outage["target_matchers"] == [
        'service=~".+"',
        'alertname!="ClusterOutage"',
        'escalated_alertname!="ClusterOutage"',
    ]


@pytest.mark.parametrize(
    ("anomaly", "absent", "expected"),
    [
        ({}, True, True),
        ({"requests": "drop"}, True, True),
        # no drop is watched, or no absent ticket can fire: the rule would match nothing
        ({"requests": "surge"}, True, False),
        ({"signals": ["errors", "latency"]}, True, False),
        ({}, False, False),
    ],
    ids=["both", "drop", "surge only", "no requests signal", "no absent ticket"],
)
def test_absent_metrics_inhibit_anomaly_drops_only_where_both_can_fire(
    tmp_path: Path, anomaly: dict[str, Any], absent: bool, expected: bool
) -> None:
    services = catalog()["services"]
    services[0]["metrics"] = {"convention": "http", "selector": {"job": "db"}}
    services[0]["anomaly"] = anomaly
    services[0]["slos"][0]["alerting"] = {"absent": absent}
    bundle, _ = alertmanager_bundle(tmp_path, catalog(services=services))
    rules = _load(bundle / "alertmanager/alertmanager.yml")["inhibit_rules"]
    found = [r for r in rules if r["source_matchers"] == ['alertname="SLOMetricsAbsent"']]
    assert found == (
        [
            {
                "source_matchers": ['alertname="SLOMetricsAbsent"'],
                "target_matchers": ['alertname="ServiceAnomaly"', 'direction="drop"'],
                "equal": ["service", "cluster"],
            }
        ]
        if expected
        else []
    )


def test_escalation_and_outage_alerts_carry_routing_labels_and_link_their_runbook_sections(
    tmp_path: Path,
) -> None:
    bundle, _ = alertmanager_bundle(tmp_path, catalog())
    [escalation] = _load(bundle / "prometheus/rules/alerting/escalation.yaml")["groups"][0]["rules"]
    [outage] = _load(bundle / "prometheus/rules/alerting/cluster-outage.yaml")["groups"][0]["rules"]
    assert escalation["labels"]["team"] == "{{ $labels.team }}"
    assert escalation["labels"]["escalated"] == "true"
    assert 'team=~"payments"' in escalation["expr"]  # only teams with escalate_to
    assert outage["labels"] == {
        "severity": "page",
        "team": "payments",
        "service": "cluster",
        "tier": "1",
    }
    assert outage["expr"] == (
        '(sum by (cluster) (up{job=~"kube-apiserver"}) / count by (cluster) (up{job=~"kube-apiserver"})) < 0.5'
    )
    page = (bundle / "docs/runbooks/_alerting.md").read_text(encoding="utf-8")
    for rule, heading in ((escalation, "## Page escalation"), (outage, "## Cluster outage")):
        assert rule["annotations"]["runbook_url"].startswith(
            "https://runbooks.example.com/_alerting.md#"
        )
        assert heading in page
    # The escalation is a Prometheus rule: a pager acknowledgement cannot stop it.
    assert "Acknowledging it in the pager does not stop the escalation" in page


def test_names_with_quotes_and_regex_characters_survive_matchers(
    tmp_path: Path, tools: Toolbox
) -> None:
    services = catalog()["services"]
    services[0]["name"] = 'db "primary" (eu)'
    services[1]["depends_on"] = ['db "primary" (eu)']
    services.append(
        {"name": "a.b|c", "team": "search", "tenant": "prod", "depends_on": ['db "primary" (eu)']}
    )
    bundle, _ = alertmanager_bundle(tmp_path, catalog(services=services))
    assert AmtoolConfig().run(_context(bundle, tools)) == []
    rules = _load(bundle / "alertmanager/alertmanager.yml")["inhibit_rules"]
    [db_down] = [r for r in rules if r["source_matchers"][0] == 'service="db \\"primary\\" (eu)"']
    [target] = db_down["target_matchers"]
    pattern = target.removeprefix('service=~"').removesuffix('"').replace("\\\\", "\\")
    for name in ("a.b|c", "api"):
        assert re.fullmatch(pattern, name)
    for other in ("aXb", "c", "a.b"):
        assert not re.fullmatch(pattern, other)


def test_a_catalog_without_teams_has_no_alertmanager_files(tmp_path: Path) -> None:
    document = {"apiVersion": "lgtmgen/v1"}
    assert list(Alertmanager().generate(plan_of(tmp_path, document))) == []


def test_a_route_tests_file_without_cases_or_config_is_reported(
    tmp_path: Path, tools: Toolbox
) -> None:
    bundle, _ = alertmanager_bundle(tmp_path, catalog())
    tests_file = bundle / "alertmanager/route-tests.yaml"
    tests_file.write_text("cases: nothing\n", encoding="utf-8")
    [problem] = AmtoolRouteTests().run(_context(bundle, tools))
    assert (problem.check, problem.message) == (
        "amtool/route-test",
        "not a routing-tests file (config and cases)",
    )
    tests_file.write_text("config: missing.yml\ncases: []\n", encoding="utf-8")
    [problem] = AmtoolRouteTests().run(_context(bundle, tools))
    assert "missing.yml is missing" in problem.message


def test_without_amtool_the_route_tests_report_the_missing_tool(tmp_path: Path) -> None:
    bundle, _ = alertmanager_bundle(tmp_path, catalog())
    [problem] = AmtoolRouteTests().run(_context(bundle, Toolbox()))
    assert problem.check == "tools/missing"
