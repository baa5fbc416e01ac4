"""Journey rules: success as the product of steps, revenue at risk, SLO alerts, latency regression."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from lgtmgen.checks.run_tool import ToolRun, run_tool
from lgtmgen.generators.journeys import (
    P99_RECORD,
    REGRESSION_ALERT,
    RULES_PATH,
    SLO_ALERT,
    JourneyRules,
)
from lgtmgen.plan import Plan
from lgtmgen.promql import syntax_error
from lgtmgen.toolchain.locate import locate_tools
from tests.traces.traces_catalog import ArtifactWriter, CatalogLoader, base_catalog

BUY = {
    "name": "buy",
    "team": "shop",
    "tier": 1,
    "steps": [{"service": "web", "route": "/pay"}, {"service": "orders", "route": "PlaceOrder"}],
    "value": 30,
    "currency": "EUR",
    "slo": {"objective": 99},
}


def _plan(load: CatalogLoader, *journeys: dict[str, Any]) -> Plan:
    document = base_catalog()
    document["journeys"] = list(journeys)
    plan, diagnostics = load(document)
    assert plan is not None, [str(d) for d in diagnostics]
    return plan


def _groups(plan: Plan) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = {a.path: a.data for a in JourneyRules().generate(plan)}[RULES_PATH]["groups"]
    return groups


def test_recorded_names_have_the_level_metric_operation_form(load: CatalogLoader) -> None:
    for group in _groups(_plan(load, BUY)):
        for rule in group["rules"]:
            if "record" in rule:
                assert len(rule["record"].split(":")) == 3, rule["record"]
            assert syntax_error(rule["expr"]) is None, rule["expr"]


def test_the_slo_alerts_route_to_the_journey_owner_from_the_first_step(load: CatalogLoader) -> None:
    alerts = [r for g in _groups(_plan(load, BUY)) for r in g["rules"] if r.get("alert") == SLO_ALERT]
    assert [a["labels"]["severity"] for a in alerts] == ["page", "ticket"]
    assert alerts[0]["labels"] == {"severity": "page", "team": "shop", "service": "web", "tier": "1", "journey": "buy"}
    assert "journey:success:ratio_rate1h" in alerts[0]["expr"] and "(14.4 * 0.01)" in alerts[0]["expr"]


def test_latency_regression_compares_each_steps_p99_with_one_week_earlier(load: CatalogLoader) -> None:
    groups = {g["name"]: g["rules"] for g in _groups(_plan(load, {**BUY, "latency_regression_factor": 2}))}
    latency = groups["journey:buy:latency"]
    records = [r for r in latency if r.get("record") == P99_RECORD]
    alerts = [r for r in latency if r.get("alert") == REGRESSION_ALERT]
    assert [r["labels"]["service"] for r in records] == ["web", "orders"]
    assert "http_request_duration_seconds_bucket" in records[0]["expr"]
    assert "grpc_server_handling_seconds_bucket" in records[1]["expr"]
    assert "> 2.0 * (" in alerts[1]["expr"] and "offset 1w" in alerts[1]["expr"]
    assert alerts[1]["labels"]["step"] == "2" and alerts[1]["labels"]["service"] == "orders"


def test_native_histograms_are_read_without_buckets(load: CatalogLoader) -> None:
    document = base_catalog()
    document["services"][0]["metrics"]["native_histograms"] = True
    document["journeys"] = [BUY]
    plan, _ = load(document)
    assert plan is not None
    groups = {g["name"]: g["rules"] for g in _groups(plan)}
    web = groups["journey:buy:latency"][0]["expr"]
    assert web == (
        'histogram_quantile(0.99, sum by (cluster) (rate(http_request_duration_seconds{job="web",route="/pay"}[5m])))'
    )


def test_a_journey_tier_outside_one_to_three_is_refused(load: CatalogLoader) -> None:
    document = base_catalog()
    document["journeys"] = [{**BUY, "tier": 4}]
    plan, diagnostics = load(document)
    assert plan is None
    assert [d.path for d in diagnostics] == ["journeys[0].tier"]


@pytest.mark.tools
def test_promtool_evaluates_success_as_the_product_of_steps_and_revenue_at_risk(
    load: CatalogLoader, write_artifacts: ArtifactWriter
) -> None:
    bundle = write_artifacts(list(JourneyRules().generate(_plan(load, BUY))))
    # web /pay: 20 of 100 requests a minute fail (0.8); orders PlaceOrder: 25 of 100 (0.75).
    # Rounded to 1e-4 because the rates carry float noise.
    series = [
        {"series": 'http_requests_total{job="web",route="/pay",code="200"}', "values": "0+80x30"},
        {"series": 'http_requests_total{job="web",route="/pay",code="500"}', "values": "0+20x30"},
        {"series": 'grpc_server_handled_total{job="orders",grpc_method="PlaceOrder",grpc_code="OK"}', "values": "0+75x30"},
        {"series": 'grpc_server_handled_total{job="orders",grpc_method="PlaceOrder",grpc_code="Internal"}', "values": "0+25x30"},
    ]
    scenario = {
        "rule_files": ["../../rules/traces/journeys.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": series,
                "promql_expr_test": [
                    {
                        "expr": "round(journey:success:ratio_rate5m, 0.0001)",
                        "eval_time": "20m",
                        "exp_samples": [{"labels": '{journey="buy"}', "value": 0.6}],
                    },
                    {
                        "expr": "round(journey:revenue_at_risk:rate5m, 0.0001)",
                        "eval_time": "20m",
                        # 100/60 journeys a second × 0.4 failed × 30 EUR.
                        "exp_samples": [
                            {"labels": '{currency="EUR",journey="buy"}', "value": 20}
                        ],
                    },
                ],
            }
        ],
    }
    run = _promtool(bundle, scenario)
    assert run.returncode == 0, run.output


def _promtool(bundle: Path, scenario: dict[str, Any]) -> ToolRun:
    path = bundle / "prometheus/tests/traces/journeys.test.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    tools = locate_tools()
    assert tools.promtool is not None, "run scripts/bootstrap to install promtool"
    return run_tool(tools.promtool, ["test", "rules", "prometheus/tests/traces/journeys.test.yaml"], bundle)


def _traffic(web_errors: int, orders_errors: int, minutes: int) -> list[dict[str, str]]:
    """Per minute: 1000 requests on each step, of which the given numbers fail."""
    return [
        {"series": 'http_requests_total{job="web",route="/pay",code="200"}', "values": f"0+{1000 - web_errors}x{minutes}"},
        {"series": 'http_requests_total{job="web",route="/pay",code="500"}', "values": f"0+{web_errors}x{minutes}"},
        {
            "series": 'grpc_server_handled_total{job="orders",grpc_method="PlaceOrder",grpc_code="OK"}',
            "values": f"0+{1000 - orders_errors}x{minutes}",
        },
        {
            "series": 'grpc_server_handled_total{job="orders",grpc_method="PlaceOrder",grpc_code="Internal"}',
            "values": f"0+{orders_errors}x{minutes}",
        },
    ]


def _burn_scenario(series: list[dict[str, str]], expected: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "rule_files": ["../../rules/traces/journeys.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": [{"eval_time": "90m", "alertname": SLO_ALERT, "exp_alerts": expected}],
            }
        ],
    }


def _burning_at_40_percent(plan: Plan, **labels: str) -> list[dict[str, Any]]:
    """The page and the ticket of a journey of which 1 − 0.8 × 0.75 fail (`_traffic(200, 250, n)`)."""
    expected = []
    for rule in [r for g in _groups(plan) for r in g["rules"] if r.get("alert") == SLO_ALERT]:
        annotations = dict(rule["annotations"])
        # humanizePercentage prints the failed share as 40%.
        annotations["description"] = annotations["description"].replace(
            "{{ $value | humanizePercentage }}", "40%"
        )
        expected.append({"exp_labels": {**rule["labels"], **labels}, "exp_annotations": annotations})
    return expected


@pytest.mark.tools
def test_promtool_pages_and_tickets_when_journeys_fail_far_beyond_the_budget(
    load: CatalogLoader, write_artifacts: ArtifactWriter
) -> None:
    plan = _plan(load, BUY)
    bundle = write_artifacts(list(JourneyRules().generate(plan)))
    run = _promtool(bundle, _burn_scenario(_traffic(200, 250, 100), _burning_at_40_percent(plan)))
    assert run.returncode == 0, run.output


@pytest.mark.tools
def test_promtool_stays_quiet_while_journeys_fail_within_the_budget(
    load: CatalogLoader, write_artifacts: ArtifactWriter
) -> None:
    bundle = write_artifacts(list(JourneyRules().generate(_plan(load, BUY))))
    # 0.5% of journeys fail against a 1% budget; orders never fails (no error series at all).
    series = [s for s in _traffic(5, 0, 100) if "Internal" not in s["series"]]
    run = _promtool(bundle, _burn_scenario(series, []))
    assert run.returncode == 0, run.output


def _in_cluster(series: list[dict[str, str]], cluster: str) -> list[dict[str, str]]:
    return [{**s, "series": s["series"].replace("}", f',cluster="{cluster}"}}')} for s in series]


@pytest.mark.tools
def test_promtool_keeps_journeys_apart_by_cluster_and_alerts_carry_it(
    load: CatalogLoader, write_artifacts: ArtifactWriter
) -> None:
    """A staging failure pages as staging (routing sends non-production pages to chat) and does
    not dilute into, or hide behind, production's healthy traffic."""
    plan = _plan(load, BUY)
    bundle = write_artifacts(list(JourneyRules().generate(plan)))
    series = _in_cluster(_traffic(200, 250, 100), "staging") + _in_cluster(_traffic(0, 0, 100), "prod")
    # A cluster where only the first step runs has no journey at all.
    series += _in_cluster([s for s in _traffic(0, 0, 100) if "web" in s["series"]], "edge")
    scenario = _burn_scenario(series, [])
    test = scenario["tests"][0]
    test["promql_expr_test"] = [
        {
            "expr": "round(journey:success:ratio_rate5m, 0.0001)",
            "eval_time": "90m",
            "exp_samples": [
                {"labels": '{cluster="prod",journey="buy"}', "value": 1},
                {"labels": '{cluster="staging",journey="buy"}', "value": 0.6},
            ],
        },
        {
            "expr": 'journey:started:rate5m{cluster="edge"}',
            "eval_time": "90m",
            "exp_samples": [{"labels": 'journey:started:rate5m{cluster="edge",journey="buy"}', "value": 1000 / 60}],
        },
        {"expr": 'journey:failed:rate5m{cluster="edge"}', "eval_time": "90m", "exp_samples": []},
    ]
    test["alert_rule_test"] = [
        {"eval_time": "90m", "alertname": SLO_ALERT, "exp_alerts": _burning_at_40_percent(plan, cluster="staging")}
    ]
    run = _promtool(bundle, scenario)
    assert run.returncode == 0, run.output


def test_a_step_naming_an_unknown_service_is_reported_at_the_step(load: CatalogLoader) -> None:
    document = base_catalog()
    document["journeys"] = [{**BUY, "steps": [{"service": "nope", "route": "/"}, {"service": "order", "route": "/"}]}]
    plan, diagnostics = load(document)
    assert plan is None
    assert [(d.check, d.path, d.hint) for d in diagnostics] == [
        ("catalog/journey-unknown-service", "journeys[0].steps[0].service", "declared services: auth, lab-job, orders, web"),
        ("catalog/journey-unknown-service", "journeys[0].steps[1].service", "did you mean 'orders'?"),
    ]


def test_a_journey_whose_steps_run_in_no_common_cluster_is_refused(load: CatalogLoader) -> None:
    document = base_catalog()
    document["environments"] = [{"name": "prod", "production": True}]
    document["clusters"] = [
        {"name": name, "environment": "prod", "tenant": "prod"} for name in ("eu", "us", "ap")
    ]
    services = {s["name"]: s for s in document["services"]}
    services["web"]["clusters"] = ["eu", "us"]
    services["orders"]["clusters"] = ["ap"]
    document["journeys"] = [BUY]
    plan, diagnostics = load(document)
    assert plan is None
    [finding] = diagnostics
    assert (finding.check, finding.path) == ("catalog/journey-no-shared-cluster", "journeys[0].steps")
    assert "web: eu, us; orders: ap" in finding.message
    # One shared cluster is enough; a service naming no cluster runs in all of them.
    services["orders"]["clusters"] = ["ap", "us"]
    plan, diagnostics = load(document)
    assert plan is not None, [str(d) for d in diagnostics]
    del services["orders"]["clusters"]
    services["web"]["clusters"] = ["ap"]
    plan, diagnostics = load(document)
    assert plan is not None, [str(d) for d in diagnostics]


def test_an_unknown_owner_and_a_duplicate_journey_are_both_reported(load: CatalogLoader) -> None:
    document = base_catalog()
    document["journeys"] = [BUY, {**BUY, "team": "ghosts"}]
    _, diagnostics = load(document)
    assert sorted((d.check, d.path) for d in diagnostics) == [
        ("catalog/journey-duplicate-name", "journeys[1].name"),
        ("catalog/journey-unknown-team", "journeys[1].team"),
    ]


def test_a_step_on_a_service_without_request_metrics_is_reported(load: CatalogLoader) -> None:
    document = base_catalog()
    document["services"][3]["metrics"] = {"convention": "custom"}
    document["journeys"] = [{**BUY, "steps": [{"service": "lab-job", "route": "/run"}]}]
    _, diagnostics = load(document)
    assert [(d.check, d.path) for d in diagnostics] == [("catalog/journey-step-unmeasured", "journeys[0].steps[0]")]


def test_every_journey_alert_links_a_runbook_on_the_page_of_its_service(load: CatalogLoader) -> None:
    alerts = [r for g in _groups(_plan(load, BUY)) for r in g["rules"] if "alert" in r]
    assert len(alerts) == 4
    for alert in alerts:
        service = alert["labels"]["service"]
        assert alert["annotations"]["runbook_url"].startswith(f"https://runbooks.example.com/{service}.md#")


@pytest.mark.tools
def test_promtool_flags_a_step_whose_p99_grew_beyond_the_factor_since_last_week(
    load: CatalogLoader, write_artifacts: ArtifactWriter
) -> None:
    plan = _plan(load, BUY)
    bundle = write_artifacts([])
    # Only the latency groups: the long success windows would make a week of evaluation slow.
    latency_groups = [g for g in _groups(plan) if g["name"].endswith(":latency")]
    (bundle / "prometheus/rules/traces").mkdir(parents=True)
    (bundle / "prometheus/rules/traces/latency.yaml").write_text(
        yaml.safe_dump({"groups": latency_groups}), encoding="utf-8"
    )
    week = 7 * 24 * 60
    # A week of requests under 100 ms, then two hours of requests between 500 ms and 1 s.
    fast = f"0+60x{week} {60 * week}+0x120"
    every = f"0+60x{week} {60 * week}+60x120"
    bucket = 'http_request_duration_seconds_bucket{{job="web",route="/pay",le="{}"}}'
    series = [
        {"series": bucket.format("0.1"), "values": fast},
        {"series": bucket.format("0.5"), "values": fast},
        {"series": bucket.format("1"), "values": every},
        {"series": bucket.format("+Inf"), "values": every},
    ]
    rule = next(r for g in _groups(plan) for r in g["rules"] if r.get("alert") == REGRESSION_ALERT)
    annotations = dict(rule["annotations"])
    # p99 inside the (0.5, 1] bucket: 0.5 + 0.5 × 0.99.
    annotations["description"] = annotations["description"].replace("{{ $value | humanizeDuration }}", "995ms")
    scenario = {
        "rule_files": ["../../rules/traces/latency.yaml"],
        "evaluation_interval": "5m",
        "tests": [
            {
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": [
                    {"eval_time": "7d", "alertname": REGRESSION_ALERT, "exp_alerts": []},
                    {
                        "eval_time": "7d1h30m",
                        "alertname": REGRESSION_ALERT,
                        "exp_alerts": [
                            {"exp_labels": {**rule["labels"], "route": "/pay"}, "exp_annotations": annotations}
                        ],
                    },
                ],
            }
        ],
    }
    run = _promtool(bundle, scenario)
    assert run.returncode == 0, run.output


@pytest.mark.tools
def test_promtool_keeps_a_step_service_name_that_reads_like_a_template(
    load: CatalogLoader, write_artifacts: ArtifactWriter
) -> None:
    # Prometheus expands alert label values as Go templates: the name must come out as written.
    document = base_catalog()
    document["services"][0]["name"] = "web {{ .x }}"
    buy = {**BUY, "steps": [{"service": "web {{ .x }}", "route": "/pay"}, BUY["steps"][1]]}
    document["journeys"] = [buy]
    plan, diagnostics = load(document)
    assert plan is not None, [str(d) for d in diagnostics]
    bundle = write_artifacts(list(JourneyRules().generate(plan)))
    expected = []
    for rule in [r for g in _groups(plan) for r in g["rules"] if r.get("alert") == SLO_ALERT]:
        annotations = dict(rule["annotations"])
        annotations["description"] = annotations["description"].replace(
            "{{ $value | humanizePercentage }}", "40%"
        )
        expected.append({"exp_labels": {**rule["labels"], "service": "web {{ .x }}"}, "exp_annotations": annotations})
    run = _promtool(bundle, _burn_scenario(_traffic(200, 250, 100), expected))
    assert run.returncode == 0, run.output
