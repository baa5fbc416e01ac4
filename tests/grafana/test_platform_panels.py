"""Panels over the metrics platform's records appear exactly where the catalog asks for them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lgtmgen.bundle import compile_bundle
from lgtmgen.checks import run_checks
from lgtmgen.generators.grafana import GrafanaDashboards
from lgtmgen.plan import Plan
from lgtmgen.toolchain.locate import Toolbox
from lgtmgen.writer import write_bundle

PLATFORM = """\
services:
  - name: basket
    team: web
    tenant: prod
    metrics: {convention: http, selector: {job: basket}}
    resources: {namespace: web}
    kpis:
      - {name: baskets, metric: baskets_created_total, kind: counter}
      - {name: basket-value, metric: basket_value_total, kind: counter, dimensions: [currency]}
      - {name: open-baskets, metric: open_baskets, kind: gauge, aggregation: max}
clusters:
  - name: eu-2
    environment: production
    tenant: prod
    prometheus:
      prices: {currency: EUR, cpu_core_hour: 0.03, memory_gib_hour: 0.004}
"""


@pytest.fixture
def platform_plan(plan_with_extra: Callable[[str], Plan]) -> Plan:
    return plan_with_extra("apiVersion: lgtmgen/v1\n" + PLATFORM)


def titles(doc: dict[str, Any]) -> list[str]:
    return [p["title"] for p in doc["panels"] if p["type"] != "row"]


def by_path(plan: Plan) -> dict[str, dict[str, Any]]:
    return {a.path: a.data for a in GrafanaDashboards().generate(plan)}


def test_a_service_with_resource_hints_and_kpis_shows_them(platform_plan: Plan) -> None:
    basket = titles(by_path(platform_plan)["grafana/dashboards/web/service-basket.json"])
    assert {"Used of requested", "CPU used", "Memory used", "KPIs"} <= set(basket)


def test_a_service_without_hints_or_kpis_shows_neither(platform_plan: Plan) -> None:
    frontend = titles(by_path(platform_plan)["grafana/dashboards/web/service-frontend.json"])
    assert not {"Used of requested", "KPIs"} & set(frontend)


def test_priced_clusters_give_the_cost_dashboard_a_resource_cost_panel(
    platform_plan: Plan, small_plan: Plan
) -> None:
    priced = titles(by_path(platform_plan)["grafana/dashboards/overview/cost.json"])
    unpriced = titles(by_path(small_plan)["grafana/dashboards/overview/cost.json"])
    assert "Resource cost per team (EUR per hour)" in priced
    assert not any(t.startswith("Resource cost") for t in unpriced)


def test_the_executive_view_lists_every_recorded_kpi(platform_plan: Plan) -> None:
    executive = by_path(platform_plan)["grafana/dashboards/overview/executive.json"]
    kpis = next(p for p in executive["panels"] if p["title"] == "KPIs")
    assert [(t["legendFormat"], t["expr"]) for t in kpis["targets"]] == [
        ("basket baskets", 'sum(service:baskets:sum_rate5m{service="basket"})'),
        # one series per currency: amounts in different currencies do not add up
        ("basket basket-value {{currency}}", 'sum by (currency) (service:basket_value:sum_rate5m{service="basket"})'),
        # across clusters by the KPI's own aggregation: the largest of the clusters' maxima
        ("basket open-baskets", 'max(service:open_baskets:max{service="basket"})'),
    ]


def test_every_platform_series_a_dashboard_reads_is_recorded(platform_plan: Plan, tmp_path: Path) -> None:
    bundle, problems = compile_bundle(platform_plan)
    assert bundle is not None, [str(p) for p in problems]
    write_bundle(bundle, tmp_path / "bundle")
    found = run_checks(tmp_path / "bundle", Toolbox(), only={"grafana"})
    assert [str(d) for d in found if d.check.startswith("grafana/")] == []
