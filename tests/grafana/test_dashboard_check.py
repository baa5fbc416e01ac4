"""The grafana check: Grafana's JSON Schemas and the dashboard lint rules."""

from __future__ import annotations

import copy
import json
from typing import Any

import grafanalib.core as g
import pytest
from grafanalib._gen import DashboardEncoder

from lgtmgen.checks.grafana import (
    COUNTER_RATE,
    LEGACY_PANEL,
    PANEL_DATASOURCE,
    PANEL_TITLE,
    PANEL_UNIT,
    PROMQL_SYNTAX,
    RATE_INTERVAL,
    SCHEMA,
    dashboard_problems,
    promql_problems,
    substitute_variables,
)
from lgtmgen.generators.grafana import GrafanaDashboards
from lgtmgen.plan import Plan


def dashboards(plan: Plan) -> dict[str, dict[str, Any]]:
    return {a.path: a.data for a in GrafanaDashboards().generate(plan)}


def checks_of(doc: Any) -> list[str]:
    return sorted({d.check for d in dashboard_problems(doc, "d.json")})


def first_panel(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(p for p in doc["panels"] if p["type"] == kind)


def test_every_generated_dashboard_passes_the_schemas_and_the_lint(small_plan: Plan) -> None:
    problems = {path: [str(d) for d in dashboard_problems(doc, path)] for path, doc in dashboards(small_plan).items()}
    assert problems and not any(problems.values()), problems


def test_raw_grafanalib_output_fails_the_dashboard_schema() -> None:
    raw = g.Dashboard(
        title="raw",
        uid="raw",
        panels=[g.TimeSeries(title="t", targets=[g.Target(expr="up")], unit="s", gridPos=g.GridPos(8, 12, 0, 0))],
    ).auto_panel_ids()
    doc = json.loads(json.dumps(raw.to_json_data(), cls=DashboardEncoder))
    assert SCHEMA in checks_of(doc)


def test_an_unknown_dashboard_key_is_a_schema_error(small_plan: Plan) -> None:
    doc = copy.deepcopy(dashboards(small_plan)["grafana/dashboards/payments/service-checkout.json"])
    doc["rows"] = []
    found = dashboard_problems(doc, "d.json")
    assert [d.check for d in found] == [SCHEMA]
    assert "rows" in found[0].message


def test_a_wrong_option_of_a_panel_type_is_a_schema_error(small_plan: Plan) -> None:
    doc = copy.deepcopy(dashboards(small_plan)["grafana/dashboards/payments/service-checkout.json"])
    first_panel(doc, "stat")["options"]["graphMode"] = "sparkline"
    found = dashboard_problems(doc, "d.json")
    assert [d.check for d in found] == [SCHEMA]
    assert found[0].path is not None and found[0].path.endswith("options.graphMode")


def test_an_unknown_key_of_a_prometheus_target_is_a_schema_error(small_plan: Plan) -> None:
    doc = copy.deepcopy(dashboards(small_plan)["grafana/dashboards/payments/service-checkout.json"])
    first_panel(doc, "timeseries")["targets"][0]["step"] = 10
    assert checks_of(doc) == [SCHEMA]


def test_panels_without_title_unit_or_variable_datasource_are_reported(small_plan: Plan) -> None:
    doc = copy.deepcopy(dashboards(small_plan)["grafana/dashboards/payments/service-checkout.json"])
    panel = first_panel(doc, "timeseries")
    panel["title"] = ""
    del panel["fieldConfig"]["defaults"]["unit"]
    panel["datasource"] = {"type": "prometheus", "uid": "mimir-prod"}
    assert checks_of(doc) == [PANEL_DATASOURCE, PANEL_TITLE, PANEL_UNIT]


def test_a_mixed_panel_passes_only_when_each_query_reads_a_datasource_variable(small_plan: Plan) -> None:
    doc = copy.deepcopy(dashboards(small_plan)["grafana/dashboards/payments/service-checkout.json"])
    panel = first_panel(doc, "timeseries")
    panel["datasource"] = {"type": "datasource", "uid": "-- Mixed --"}
    assert checks_of(doc) == []
    panel["targets"][0]["datasource"] = {"type": "prometheus", "uid": "mimir-prod"}
    assert checks_of(doc) == [PANEL_DATASOURCE]


def test_a_legacy_panel_type_is_reported(small_plan: Plan) -> None:
    doc = copy.deepcopy(dashboards(small_plan)["grafana/dashboards/payments/service-checkout.json"])
    first_panel(doc, "timeseries")["type"] = "graph"
    assert LEGACY_PANEL in checks_of(doc)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('sum(rate(http_requests_total{job="a"}[$__rate_interval]))', []),
        ('sum(rate(http_requests_total{job="a",cluster=~"$cluster"}[${__rate_interval}]))', []),
        ('sum(increase(jobs_total[$__rate_interval])) / sum(rate(x_count[$__rate_interval]))', []),
        ("slo:error_budget_remaining:ratio{service=~\"a|b\"}", []),
        ("predict_linear((sum(disk_used_bytes))[6h:5m], 86400)", []),
        ('sum(rate(http_requests_total{job="a"}[5m]))', [RATE_INTERVAL]),
        ("irate(http_requests_total[$__interval])", [RATE_INTERVAL]),
        ('sum(http_requests_total{job="a"})', [COUNTER_RATE]),
        ("histogram_quantile(0.9, sum by (le) (http_request_duration_seconds_bucket))", [COUNTER_RATE]),
        ("sum(rate(http_requests_total[$__rate_interval])", [PROMQL_SYNTAX]),
    ],
)
def test_promql_targets_are_linted(expr: str, expected: list[str]) -> None:
    assert [check for check, _ in promql_problems(expr)] == expected


def test_grafana_variables_are_substituted_before_parsing() -> None:
    text = substitute_variables('rate(m_total{c=~"$cluster",d="${dc:regex}"}[$__rate_interval]) offset $__range')
    assert "$" not in text


def test_a_panel_schema_error_names_the_field(small_plan: Plan) -> None:
    doc = copy.deepcopy(dashboards(small_plan)["grafana/dashboards/payments/service-checkout.json"])
    doc["panels"][1]["gridPos"]["w"] = "wide"
    found = dashboard_problems(doc, "d.json")
    assert [(d.check, d.path) for d in found] == [(SCHEMA, "panels[1].gridPos.w")]
