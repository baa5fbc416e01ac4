"""LogQL ruler rules: names, expressions, routing labels, and the rule-file check that guards them."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import BundleFile, CheckContext
from lgtmgen.checks.loki_rules import RECORD_NAME, LokiRulesCheck, validate_rule_file
from lgtmgen.checks.run_tool import run_tool
from lgtmgen.generators.loki import LokiGenerator
from lgtmgen.logql_syntax import logql_problem
from lgtmgen.plan import Plan
from lgtmgen.render import render_artifact
from lgtmgen.toolchain.locate import Toolbox, locate_tools
from tests.logs.conftest import Loader, base_catalog


def rule_files(plan: Plan) -> dict[str, dict[str, Any]]:
    return {
        a.path: yaml.safe_load(render_artifact(a))
        for a in LokiGenerator().generate(plan)
        if a.role is Role.LOKI_RULES
    }


def all_rules(plan: Plan) -> list[dict[str, Any]]:
    return [r for doc in rule_files(plan).values() for g in doc["groups"] for r in g["rules"]]


def test_rules_are_written_per_tenant_under_the_ruler_directory(plan: Plan) -> None:
    assert sorted(rule_files(plan)) == ["loki/rules/prod/logs.yaml", "loki/rules/staging/logs.yaml"]


def test_every_generated_rule_file_passes_the_rule_check(plan: Plan) -> None:
    for path, doc in rule_files(plan).items():
        assert validate_rule_file(doc, path) == []


def test_every_expression_reads_as_logql_and_every_record_is_level_metric_operation(
    plan: Plan,
) -> None:
    rules = all_rules(plan)
    assert rules
    for rule in rules:
        assert logql_problem(rule["expr"]) is None, rule["expr"]
        if "record" in rule:
            assert RECORD_NAME.fullmatch(rule["record"])


def test_error_rates_select_the_declared_error_levels_of_the_service(plan: Plan) -> None:
    records = {
        (r["labels"]["service"], r["record"]): r["expr"] for r in all_rules(plan) if "record" in r
    }
    errors = 'sum by (k8s_cluster_name) (rate({service_name="checkout", level=~"error|fatal"}[5m]))'
    lines = 'sum by (k8s_cluster_name) (rate({service_name="checkout"}[5m]))'
    # No error line in the window gives no series in Loki: the records fall back to 0 while
    # the service logs at all, so a healthy service reads 0, not "no data".
    assert records[("checkout", "service:log_error_lines:rate5m")] == (
        f"({errors}) or (0 * ({lines}))"
    )
    assert records[("checkout", "service:log_error_ratio:rate5m")] == (
        f"(({errors}) or (0 * ({lines}))) / ({lines})"
    )
    assert ("checkout", "service_error_class:log_error_lines:rate5m") in records
    assert ("mailer", "service_error_class:log_error_lines:rate5m") not in records


def test_every_record_keeps_the_streams_of_each_cluster_apart(plan: Plan) -> None:
    # A tenant can receive a service's streams from several clusters (its staging cluster among
    # them): a record summed over clusters would mix staging errors into production's ratio.
    records = [r for r in all_rules(plan) if "record" in r]
    assert records
    for rule in records:
        aggregations = re.findall(r"sum(?: by \(([^)]*)\))? \(", rule["expr"]) + re.findall(r"sum\(", rule["expr"])
        assert aggregations, rule
        assert all("k8s_cluster_name" in grouping for grouping in aggregations), rule


def test_alerts_carry_the_routing_labels(plan: Plan) -> None:
    alerts = [r for r in all_rules(plan) if "alert" in r]
    assert {a["alert"] for a in alerts} >= {
        "LogErrorSpike",
        "LogVolumeHigh",
        "LogVolumeLow",
        "LogRecurringError",
        "LogSecurityPattern",
    }
    for alert in alerts:
        assert {"team", "service", "severity", "tier"} <= set(alert["labels"])
        # Per cluster, so cluster outages and dependency pages inhibit them (equal: [cluster])
        # and the routing tree can tell a staging page from a production one.
        assert alert["labels"]["cluster"] == "{{ $labels.k8s_cluster_name }}"
        assert alert["expr"].count("sum by (k8s_cluster_name) (") == alert["expr"].count("sum")
    spike = next(
        a for a in alerts if a["alert"] == "LogErrorSpike" and a["labels"]["service"] == "checkout"
    )
    assert spike["labels"]["severity"] == "page" and spike["labels"]["tier"] == "1"


def test_volume_anomaly_compares_with_the_same_time_last_week(plan: Plan) -> None:
    high = next(r for r in all_rules(plan) if r.get("alert") == "LogVolumeHigh")
    assert "offset 1w" in high["expr"]


def test_a_service_that_stops_logging_is_a_low_volume_anomaly(plan: Plan) -> None:
    # Without a line in the last hour Loki gives no series; the rule reads it as 0, so a
    # service (or its log pipeline) that went silent fires as long as it logged last week.
    low = next(r for r in all_rules(plan) if r.get("alert") == "LogVolumeLow")
    # checkout keeps debug lines 7d: last week's hour (7d1h ago) holds none of them, so they are left out
    now = 'sum by (k8s_cluster_name) (rate({service_name="checkout", level!~"debug"}[1h]))'
    week = 'sum by (k8s_cluster_name) (rate({service_name="checkout", level!~"debug"}[1h] offset 1w))'
    assert low["expr"] == f"(({now}) or (0 * ({week}))) < (0.5 * ({week}))"
    assert logql_problem(low["expr"]) is None


def _volume_selectors(plan: Plan) -> dict[str, set[str]]:
    """The stream selector of each service's volume alerts, by service."""
    found: dict[str, set[str]] = {}
    for rule in all_rules(plan):
        if rule.get("alert") in ("LogVolumeHigh", "LogVolumeLow"):
            selector = rule["expr"].split("rate(", 1)[1].split("[", 1)[0]
            found.setdefault(rule["labels"]["service"], set()).add(selector)
    return found


def test_volume_alerts_compare_only_what_retention_kept_a_week_ago(load: Loader) -> None:
    """A level deleted before last week's hour would read as a surge this hour; a tenant that keeps
    less than a week and an hour has no last week to compare with."""
    doc = base_catalog()
    doc["services"][0]["logs"]["retention"] = [
        {"level": "debug", "period": "48h"},
        {"level": "trace", "period": "7d1h"},  # kept just long enough
        {"level": "info", "period": "3d", "priority": 9},
        {"level": "warn", "period": "30d"},
    ]
    doc["logs"]["tiers"]["bronze"]["retention"] = "7d"
    plan, diagnostics = load(doc)
    assert plan is not None, [str(d) for d in diagnostics]
    selectors = _volume_selectors(plan)
    assert selectors["checkout"] == {'{service_name="checkout", level!~"debug|info"}'}
    assert selectors["identity"] == {'{service_name="identity"}'}
    assert "mailer" not in selectors  # its tenant keeps 7d: no last week's hour
    doc["logs"]["tiers"]["bronze"]["retention"] = "8d"
    plan, _ = load(doc)
    assert plan is not None and _volume_selectors(plan)["mailer"] == {'{service_name="mailer"}'}


def test_recurring_errors_filter_with_the_pattern_as_loki_accepts_it(plan: Plan) -> None:
    recurring = next(r for r in all_rules(plan) if r.get("alert") == "LogRecurringError")
    # Loki's `|>` filter refuses named captures: `<duration>` is matched as `<_>`, and no
    # `| pattern` stage follows, whose labels the sum would only throw away.
    assert '|> "<_> pricing failed after <_>" [10m]' in recurring["expr"]
    assert "| pattern" not in recurring["expr"]
    assert logql_problem(recurring["expr"]) is None
    assert recurring["labels"]["error"] == "pricing"


def test_a_recurring_error_of_wildcards_only_gives_valid_logql(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][0]["logs"]["recurring_errors"] = [{"name": "t", "pattern": "<_> timeout <_>"}]
    plan, diagnostics = load(doc)
    assert plan is not None, [str(d) for d in diagnostics]
    recurring = next(r for r in all_rules(plan) if r.get("alert") == "LogRecurringError")
    assert logql_problem(recurring["expr"]) is None


def test_security_patterns_with_quotes_survive_into_valid_logql(load: Loader) -> None:
    doc = base_catalog()
    doc["logs"]["rules"] = {"security_patterns": [{"name": "quoted", "regex": 'user="admin" \\d+'}]}
    plan, diagnostics = load(doc)
    assert plan is not None, [str(d) for d in diagnostics]
    rule = next(r for r in all_rules(plan) if r.get("alert") == "LogSecurityPattern")
    assert logql_problem(rule["expr"]) is None
    assert '|~ "user=\\"admin\\" \\\\d+"' in rule["expr"]


def _first_rule_file(plan: Plan) -> dict[str, Any]:
    return copy.deepcopy(rule_files(plan)["loki/rules/prod/logs.yaml"])


def test_a_record_name_without_three_parts_is_refused(plan: Plan) -> None:
    doc = _first_rule_file(plan)
    doc["groups"][0]["rules"][0]["record"] = "log_lines_rate"
    found = validate_rule_file(doc, "f.yaml")
    assert [(d.check, d.path) for d in found] == [
        ("loki-rules/record-name", "groups[0].rules[0].record")
    ]


def test_a_broken_expression_is_refused_with_its_path(plan: Plan) -> None:
    doc = _first_rule_file(plan)
    doc["groups"][0]["rules"][1]["expr"] = 'sum(rate({service_name="x"}[5m]'
    found = validate_rule_file(doc, "f.yaml")
    assert [(d.check, d.path) for d in found] == [("loki-rules/logql", "groups[0].rules[1].expr")]


def test_structure_problems_are_each_reported(plan: Plan) -> None:
    doc = _first_rule_file(plan)
    doc["groups"].append(copy.deepcopy(doc["groups"][0]))
    doc["groups"][0]["rules"][0]["alert"] = "Both"
    doc["groups"][0]["rules"][2]["fro"] = "5m"
    checks = sorted(d.check for d in validate_rule_file(doc, "f.yaml"))
    assert checks == ["loki-rules/duplicate-group", "loki-rules/structure", "loki-rules/structure"]


def test_the_registered_check_reads_rule_files_from_the_bundle(plan: Plan, tmp_path: Path) -> None:
    doc = _first_rule_file(plan)
    doc["groups"][0]["rules"][0]["record"] = "bad"
    target = tmp_path / "loki/rules/prod/logs.yaml"
    target.parent.mkdir(parents=True)
    target.write_text(yaml.safe_dump(doc), encoding="utf-8")
    ctx = CheckContext(
        tmp_path, (BundleFile("loki/rules/prod/logs.yaml", Role.LOKI_RULES, target),), Toolbox()
    )
    assert [d.check for d in LokiRulesCheck().run(ctx)] == ["loki-rules/record-name"]


def test_alerts_link_to_their_section_of_the_service_runbook(plan: Plan) -> None:
    base = plan.catalog.defaults.runbook_base_url
    spike = next(r for r in all_rules(plan) if r.get("alert") == "LogErrorSpike")
    service = spike["labels"]["service"]
    assert spike["annotations"]["runbook_url"].startswith(f"{base}/{service}.md#")
    assert all("runbook_url" in r["annotations"] for r in all_rules(plan) if "alert" in r)


def test_declared_error_levels_match_the_lower_cased_level_label(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][2]["logs"]["error_levels"] = ["ERROR", "Critical"]
    plan, diagnostics = load(doc)
    assert plan is not None, [str(d) for d in diagnostics]
    record = next(
        r
        for r in all_rules(plan)
        if r.get("record") == "service:log_error_lines:rate5m"
        and r["labels"]["service"] == "mailer"
    )
    assert 'level=~"critical|error"' in record["expr"]


@pytest.mark.tools
def test_names_that_read_like_templates_come_out_of_the_ruler_as_written(
    load: Loader, tmp_path: Path
) -> None:
    # Loki's ruler runs Prometheus' rule manager, which expands alert labels and annotations as
    # Go templates. The same labels and annotations on a promtool-evaluated rule must expand to
    # the service name and the pattern as the catalog writes them.
    doc = base_catalog()
    doc["services"][0]["name"] = "checkout {{ .x }}"
    doc["services"][0]["logs"]["workload"] = "checkout"
    doc["services"][0]["logs"]["recurring_errors"] = [{"name": "t", "pattern": "<_> {{ bad <_>"}]
    plan, diagnostics = load(doc)
    assert plan is not None, [str(d) for d in diagnostics]
    group = next(
        g for f in rule_files(plan).values() for g in f["groups"] if g["name"].startswith("logs-checkout")
    )
    alerts = {r["alert"]: r for r in group["rules"] if r.get("alert") in ("LogErrorSpike", "LogRecurringError")}
    rules = {"groups": [{"name": "probe", "rules": [
        {"alert": name, "expr": "vector(1)", "labels": a["labels"], "annotations": a["annotations"]}
        for name, a in alerts.items()
    ]}]}  # fmt: skip
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    expected = {
        "LogErrorSpike": (
            "checkout {{ .x }}: error log lines spiked",
            "Error lines of checkout {{ .x }} are above 3x their last hour's rate.",
        ),
        "LogRecurringError": (
            "checkout {{ .x }}: recurring error t",
            "At least 10 lines matching `<_> {{ bad <_>` in 10m.",
        ),
    }
    tests = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": [{
        "interval": "1m", "input_series": [],
        "alert_rule_test": [
            {"eval_time": "1m", "alertname": name, "exp_alerts": [{
                # no stream here, so `cluster` expands to nothing and is dropped
                "exp_labels": {
                    **{k: v for k, v in alerts[name]["labels"].items() if k != "cluster"},
                    "service": "checkout {{ .x }}",
                },
                "exp_annotations": {
                    **alerts[name]["annotations"],
                    "summary": summary,
                    "description": description,
                },
            }]}
            for name, (summary, description) in expected.items()
        ],
    }]}  # fmt: skip
    (tmp_path / "rules.test.yaml").write_text(yaml.safe_dump(tests), encoding="utf-8")
    tools = locate_tools()
    assert tools.promtool is not None, "run scripts/bootstrap to install promtool"
    run = run_tool(tools.promtool, ["test", "rules", "rules.test.yaml"], tmp_path)
    assert run.returncode == 0, run.output


@pytest.mark.tools
def test_a_log_alert_takes_the_cluster_of_its_streams(plan: Plan, tmp_path: Path) -> None:
    # The Loki ruler expands alert labels as Prometheus does: fed the per-cluster result of
    # the LogQL aggregation, the generated labels must name each cluster in `cluster`.
    alerts = [r for r in all_rules(plan) if r.get("alert") == "LogErrorSpike"]
    spike = next(a for a in alerts if a["labels"]["service"] == "checkout")
    rules = {"groups": [{"name": "probe", "rules": [
        {"alert": "LogErrorSpike", "expr": "errors", "labels": spike["labels"]},
    ]}]}  # fmt: skip
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    expected = [
        {"exp_labels": {**spike["labels"], "cluster": c, "k8s_cluster_name": c}}
        for c in ("eu-prod", "eu-staging")
    ]
    tests = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": [{
        "interval": "1m",
        "input_series": [
            {"series": 'errors{k8s_cluster_name="eu-prod"}', "values": "1x5"},
            {"series": 'errors{k8s_cluster_name="eu-staging"}', "values": "1x5"},
        ],
        "alert_rule_test": [{"eval_time": "1m", "alertname": "LogErrorSpike", "exp_alerts": expected}],
    }]}  # fmt: skip
    (tmp_path / "rules.test.yaml").write_text(yaml.safe_dump(tests), encoding="utf-8")
    tools = locate_tools()
    assert tools.promtool is not None, "run scripts/bootstrap to install promtool"
    run = run_tool(tools.promtool, ["test", "rules", "rules.test.yaml"], tmp_path)
    assert run.returncode == 0, run.output


def test_the_default_sql_injection_signature_is_a_ticket_that_stack_traces_do_not_raise() -> None:
    import re

    from lgtmgen.catalog.models.logs import _default_security_patterns

    [sql] = [p for p in _default_security_patterns() if p.name == "sql-injection"]
    assert sql.severity == "ticket"  # an attempt in the logs, not an outage: it pages nobody at night
    signature = re.compile(sql.regex)  # RE2 and Python agree on this subset
    for attack in ("id=1' OR SLEEP(5)--", "q=1 UNION ALL SELECT password FROM users", "a' or 1=1", "'; DROP TABLE x"):
        assert signature.search(attack), attack
    for benign in ("at java.lang.Thread.sleep(Native Method)", "time.Sleep(5 * time.Second)", "asyncio.sleep(0.1)"):
        assert not signature.search(benign), benign
