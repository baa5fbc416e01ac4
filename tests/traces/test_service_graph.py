"""Service-graph rules: declared edges, the undeclared and idle alerts, proven with real promtool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from lgtmgen.artifacts import Role
from lgtmgen.checks.run_tool import ToolRun, run_tool
from lgtmgen.generators.runbooks import runbook_alerts
from lgtmgen.generators.service_graph import (
    DECLARED,
    IDLE_ALERT,
    KNOWN_CLIENT,
    RULES_PATH,
    TESTS_PATH,
    UNDECLARED_ALERT,
    UNKNOWN_CALLER_ALERT,
    ServiceGraphRules,
)
from lgtmgen.plan import Plan
from lgtmgen.toolchain.locate import locate_tools
from tests.traces.traces_catalog import ArtifactWriter, CatalogLoader, base_catalog


def _rules(plan: Plan) -> list[dict[str, Any]]:
    data = {a.path: a.data for a in ServiceGraphRules().generate(plan)}[RULES_PATH]
    return [rule for group in data["groups"] for rule in group["rules"]]


def _promtool_test(bundle: Path, test_file: str) -> ToolRun:
    tools = locate_tools()
    assert tools.promtool is not None, "run scripts/bootstrap to install promtool"
    return run_tool(tools.promtool, ["test", "rules", test_file], bundle)


def test_every_declared_dependency_becomes_one_expected_edge(plan: Plan) -> None:
    edges = sorted((r["labels"]["client"], r["labels"]["server"]) for r in _rules(plan) if r.get("record") == DECLARED)
    assert edges == [("orders", "auth"), ("web", "auth"), ("web", "orders")]


def test_every_catalog_service_is_a_known_client(plan: Plan) -> None:
    known = sorted(r["labels"]["client"] for r in _rules(plan) if r.get("record") == KNOWN_CLIENT)
    assert known == ["auth", "lab-job", "orders", "web"]


def test_databases_and_uninstrumented_peers_are_not_undeclared_dependencies(plan: Plan) -> None:
    alerts = {(r["alert"], r["labels"]["service"]): r for r in _rules(plan) if "alert" in r}
    assert 'connection_type!~"database|virtual_node"' in alerts[(UNDECLARED_ALERT, "web")]["expr"]
    assert 'connection_type!~"database|virtual_node"' in alerts[(UNKNOWN_CALLER_ALERT, "web")]["expr"]


def test_an_unknown_caller_is_routed_to_the_called_service(plan: Plan) -> None:
    alerts = {(r["alert"], r["labels"]["service"]): r for r in _rules(plan) if "alert" in r}
    auth = alerts[(UNKNOWN_CALLER_ALERT, "auth")]
    assert auth["labels"] == {"severity": "ticket", "team": "core", "service": "auth", "tier": "1"}
    assert 'server="auth"' in auth["expr"] and f"unless on (client)\n{KNOWN_CLIENT}" in auth["expr"]


def test_alerts_carry_the_calling_services_routing_labels(plan: Plan) -> None:
    alerts = {(r["alert"], r["labels"]["service"]): r for r in _rules(plan) if "alert" in r}
    web = alerts[(UNDECLARED_ALERT, "web")]
    assert web["labels"] == {"severity": "ticket", "team": "shop", "service": "web", "tier": "1"}
    assert web["for"] == "15m"
    assert 'client="web"' in web["expr"] and "unless on (client, server)" in web["expr"]
    assert (IDLE_ALERT, "auth") not in alerts, "a service without dependencies has no idle alert"
    assert "[1d]" in alerts[(IDLE_ALERT, "orders")]["expr"]


def test_a_dependency_in_another_tenant_never_looks_idle(load: CatalogLoader) -> None:
    # Tempo pairs client and server spans within one tenant: lab-job's call into prod's auth is
    # never an edge in either tenant, so an idle ticket for it would fire for good.
    document = base_catalog()
    lab_job = next(s for s in document["services"] if s["name"] == "lab-job")
    lab_job["depends_on"] = ["auth"]
    document["services"].append({"name": "lab-db", "team": "core", "tier": 3, "tenant": "lab"})
    web = next(s for s in document["services"] if s["name"] == "web")
    plan, errors = load(document)
    assert plan is not None and errors == [], [str(d) for d in errors]
    alerts = {(r["alert"], r["labels"]["service"]): r for r in _rules(plan) if "alert" in r}
    assert (IDLE_ALERT, "lab-job") not in alerts
    # the edge stays declared, so its traffic, if Tempo ever sees it, is not "undeclared"
    edges = {(r["labels"]["client"], r["labels"]["server"]) for r in _rules(plan) if r.get("record") == DECLARED}
    assert ("lab-job", "auth") in edges
    # within one tenant, every declared dependency is watched
    assert 'server=~"auth|orders"' in alerts[(IDLE_ALERT, "web")]["expr"]
    assert sorted(web["depends_on"]) == ["auth", "orders"]
    lab_job["depends_on"] = ["auth", "lab-db"]
    plan, _ = load(document)
    assert plan is not None
    alerts = {(r["alert"], r["labels"]["service"]): r for r in _rules(plan) if "alert" in r}
    assert 'server=~"lab-db"' in alerts[(IDLE_ALERT, "lab-job")]["expr"]


def test_the_generated_rules_and_tests_have_the_roles_the_checks_pick(plan: Plan) -> None:
    roles = {a.path: a.role for a in ServiceGraphRules().generate(plan)}
    assert roles == {RULES_PATH: Role.PROMETHEUS_RULES, TESTS_PATH: Role.PROMETHEUS_RULE_TESTS}


def test_the_generated_test_targets_an_undeclared_edge_and_an_idle_declared_one(plan: Plan) -> None:
    tests = {a.path: a.data for a in ServiceGraphRules().generate(plan)}[TESTS_PATH]
    cases = tests["tests"][0]["alert_rule_test"]
    undeclared = cases[0]["exp_alerts"][0]["exp_labels"]
    idle = cases[1]["exp_alerts"][0]["exp_labels"]
    caller = cases[2]["exp_alerts"][0]["exp_labels"]
    assert (undeclared["client"], undeclared["server"]) == ("web", "undeclared-web")
    assert (idle["client"], idle["server"]) == ("web", "orders")
    assert (caller["client"], caller["server"], caller["team"]) == ("unknown-caller-of-web", "web", "shop")
    inputs = [i["series"] for i in tests["tests"][0]["input_series"]]
    assert 'traces_service_graph_request_total{client="web",server="db",connection_type="database"}' in inputs


@pytest.mark.tools
def test_promtool_confirms_the_undeclared_and_idle_dependency_alerts(plan: Plan, write_artifacts: ArtifactWriter) -> None:
    bundle = write_artifacts(list(ServiceGraphRules().generate(plan)))
    run = _promtool_test(bundle, TESTS_PATH)
    assert run.returncode == 0, run.output


@pytest.mark.tools
def test_promtool_fails_the_generated_test_when_the_rule_forgets_declared_edges(
    plan: Plan, write_artifacts: ArtifactWriter
) -> None:
    bundle = write_artifacts(list(ServiceGraphRules().generate(plan)))
    rules_file = bundle / RULES_PATH
    rules = yaml.safe_load(rules_file.read_text(encoding="utf-8"))
    for group in rules["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == UNDECLARED_ALERT:
                rule["expr"] = rule["expr"].split("\nunless")[0]
    rules_file.write_text(yaml.safe_dump(rules), encoding="utf-8")
    run = _promtool_test(bundle, TESTS_PATH)
    assert run.returncode != 0
    assert UNDECLARED_ALERT in run.output


@pytest.mark.tools
def test_declared_edges_databases_and_virtual_nodes_raise_nothing(plan: Plan, write_artifacts: ArtifactWriter) -> None:
    bundle = write_artifacts(list(ServiceGraphRules().generate(plan)))
    series = [
        {"series": f'traces_service_graph_request_total{{client="{c}",server="{s}"}}', "values": "0+10x60"}
        for c, s in [("web", "auth"), ("web", "orders"), ("orders", "auth")]
    ]
    series += [
        {"series": f'traces_service_graph_request_total{{client="{c}",server="{s}",connection_type="{t}"}}', "values": "0+10x60"}
        for c, s, t in [("web", "postgres", "database"), ("user", "web", "virtual_node"), ("web", "psp", "virtual_node")]
    ]
    scenario = {
        "rule_files": ["../../rules/traces/service-graph.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": [
                    {"eval_time": "40m", "alertname": UNDECLARED_ALERT, "exp_alerts": []},
                    {"eval_time": "40m", "alertname": IDLE_ALERT, "exp_alerts": []},
                    {"eval_time": "40m", "alertname": UNKNOWN_CALLER_ALERT, "exp_alerts": []},
                ],
            }
        ],
    }
    path = bundle / "prometheus/tests/traces/quiet.test.yaml"
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    run = _promtool_test(bundle, "prometheus/tests/traces/quiet.test.yaml")
    assert run.returncode == 0, run.output


def test_every_alert_links_its_runbook_section_on_the_service_page(plan: Plan) -> None:
    alerts = [r for r in _rules(plan) if "alert" in r]
    assert len(alerts) == 4 * 2 + 2  # undeclared and unknown-caller for each of 4, idle for web and orders
    for alert in alerts:
        assert set(alert["annotations"]) == {"summary", "description", "runbook_url"}
    web = next(a for a in alerts if a["alert"] == UNDECLARED_ALERT and a["labels"]["service"] == "web")
    assert web["annotations"]["runbook_url"].startswith("https://runbooks.example.com/web.md#undeclareddependency")


@pytest.mark.parametrize("name", ["known-services-1", "known-services"])
def test_no_service_name_gives_a_group_name_of_the_known_services_records(load: Any, name: str) -> None:
    catalog = base_catalog()
    old = catalog["services"][-1]["name"]
    catalog["services"][-1]["name"] = name
    for service in catalog["services"]:
        service["depends_on"] = [name if d == old else d for d in service.get("depends_on", [])]
    built, diagnostics = load(catalog)
    assert built is not None, [str(d) for d in diagnostics]
    data = {a.path: a.data for a in ServiceGraphRules().generate(built)}[RULES_PATH]
    names = [group["name"] for group in data["groups"]]
    assert len(names) == len(set(names)), names
    assert f"service-graph:{name}" in names


@pytest.mark.tools
def test_promtool_confirms_the_alerts_of_a_service_whose_name_reads_like_a_template(
    load: Any, write_artifacts: ArtifactWriter
) -> None:
    # Prometheus expands alert label values as Go templates: the name must come out as written.
    catalog = base_catalog()
    catalog["services"][0]["name"] = "web {{ .x }}"
    built, diagnostics = load(catalog)
    assert built is not None, [str(d) for d in diagnostics]
    bundle = write_artifacts(list(ServiceGraphRules().generate(built)))
    run = _promtool_test(bundle, TESTS_PATH)
    assert run.returncode == 0, run.output


def test_the_runbook_of_a_service_whose_name_reads_like_a_template_lists_its_alerts(load: Any) -> None:
    catalog = base_catalog()
    catalog["services"][0]["name"] = "web {{ .x }}"
    built, diagnostics = load(catalog)
    assert built is not None, [str(d) for d in diagnostics]
    alerts = [a for artifact in ServiceGraphRules().generate(built) for a in runbook_alerts(artifact)]
    mine = [a for a in alerts if a.service == "web {{ .x }}"]
    assert {a.name for a in mine} == {UNDECLARED_ALERT, UNKNOWN_CALLER_ALERT, IDLE_ALERT}
    # The name reads as written; only the real template actions become a placeholder.
    undeclared = next(a for a in mine if a.name == UNDECLARED_ALERT)
    assert undeclared.summary == "web {{ .x }} calls (the value when it fired), which it does not declare"
