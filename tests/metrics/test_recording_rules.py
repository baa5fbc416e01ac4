"""Recording-rule families: names, PromQL validity, switches, KPIs and histograms."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lgtmgen.generators.recording_rules import RecordingRules, service_groups
from lgtmgen.plan import Plan
from lgtmgen.promql import syntax_error
from tests.metrics.conftest import Loader, base_catalog

RECORD_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+:[a-zA-Z0-9_]+$")


def _records(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for artifact in RecordingRules().generate(plan):
        for group in artifact.data["groups"]:
            for rule in group["rules"]:
                out.setdefault(str(rule["record"]), []).append(rule)
    return out


def test_every_record_is_named_level_metric_operation_and_parses(plan: Plan) -> None:
    records = _records(plan)
    assert records
    for name, rules in records.items():
        assert RECORD_NAME.match(name), name
        for rule in rules:
            assert syntax_error(str(rule["expr"])) is None, (name, rule["expr"])


def test_each_family_can_be_switched_off(load: Loader) -> None:
    expected_gone = {
        "latency_percentiles": "service_route:request_duration_seconds:histogram_quantile",
        "red": "service:requests:rate5m",
        "kpis": "service:orders:sum_rate5m",
        "resource_efficiency": "service:cpu_usage:ratio_requests",
        "security_posture": "service:certificate_expiry:days",
        "cost_allocation": "team:resource_cost:currency_per_hour",
    }
    all_on, _ = load(base_catalog())
    assert all_on is not None
    assert set(expected_gone.values()) <= set(_records(all_on))
    for family, record in expected_gone.items():
        doc = base_catalog()
        doc["metrics"]["families"] = {family: False}
        plan, errors = load(doc)
        assert plan is not None and errors == []
        assert record not in _records(plan), family


def test_a_counter_kpi_is_rated_and_keeps_its_dimensions(plan: Plan) -> None:
    (rule,) = _records(plan)["service:orders:sum_rate5m"]
    # The service's series only: another service exposing orders_total is not this KPI.
    assert rule["expr"] == 'sum by (cluster, environment, result) (rate(orders_total{job="api"}[5m]))'
    assert rule["labels"] == {"service": "api", "team": "shop", "kpi": "orders"}


@pytest.mark.parametrize(
    ("selector", "series"),
    [({}, "orders_total"), ({"job": "orders-exporter"}, 'orders_total{job="orders-exporter"}')],
    ids=["every series", "its own selector"],
)
def test_a_kpi_can_read_series_another_job_exposes(load: Loader, selector: dict[str, str], series: str) -> None:
    doc = base_catalog()
    doc["services"][0]["kpis"][0]["selector"] = selector
    plan, errors = load(doc)
    assert plan is not None, [str(e) for e in errors]
    (rule,) = _records(plan)["service:orders:sum_rate5m"]
    assert rule["expr"] == f"sum by (cluster, environment, result) (rate({series}[5m]))"


def test_native_histograms_are_read_without_the_bucket_suffix(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][0]["metrics"]["native_histograms"] = True
    plan, _ = load(doc)
    assert plan is not None
    rules = _records(plan)["service_route:request_duration_seconds:histogram_quantile_native"]
    assert len(rules) == 4
    assert all("_bucket" not in str(r["expr"]) and "le)" not in str(r["expr"]) for r in rules)
    assert {r["labels"]["quantile"] for r in rules} == {"0.5", "0.9", "0.95", "0.99"}


def test_selector_values_with_quotes_and_backslashes_survive_quoting(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][0]["metrics"]["selector"] = {"job": 'a"b\\c'}
    plan, _ = load(doc)
    assert plan is not None
    for rules in _records(plan).values():
        for rule in rules:
            assert syntax_error(str(rule["expr"])) is None, rule["expr"]


def test_comparison_rules_exist_only_for_services_in_both_environments(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][0]["clusters"] = ["eu-prod"]
    plan, _ = load(doc)
    assert plan is not None
    assert not any("production_over_staging" in r for r in _records(plan))
    doc["services"][0]["clusters"] = ["eu-prod", "eu-stage"]
    plan, _ = load(doc)
    assert plan is not None
    assert "service:request_errors:ratio_production_over_staging" in _records(plan)


def test_groups_never_exceed_twenty_rules(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][0]["kpis"] = [
        {"name": f"kpi-{n}", "metric": f"kpi_{n}_total", "kind": "counter"} for n in range(30)
    ]
    plan, _ = load(doc)
    assert plan is not None
    groups = service_groups(plan, plan.services["api"])
    assert len(groups) >= 2
    assert all(len(g["rules"]) <= 20 for g in groups)
    assert len({g["name"] for g in groups}) == len(groups)
