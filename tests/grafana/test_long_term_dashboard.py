"""The long-term dashboard reads the roll-up tenant's records, from the roll-up tenant's datasource."""

from __future__ import annotations

import re

from lgtmgen.checks.grafana import dashboard_problems
from lgtmgen.generators.grafana import GrafanaDashboards
from lgtmgen.generators.grafana.dashboard import datasource_uid
from lgtmgen.generators.mimir import MimirGenerator
from lgtmgen.plan import Plan

LONG_TERM = "grafana/dashboards/overview/long-term.json"
RECORD = re.compile(r"\b[a-z_]+:[a-z_]+:[a-z0-9_]+\b")


def test_every_rollup_record_has_a_panel_reading_it_from_the_rollup_tenant(shop_plan: Plan) -> None:
    rollup = shop_plan.catalog.mimir.rollup
    assert rollup is not None
    doc = next(a.data for a in GrafanaDashboards().generate(shop_plan) if a.path == LONG_TERM)
    rule_file = next(
        a.data for a in MimirGenerator().generate(shop_plan) if a.path == f"mimir/rules/{rollup.tenant}/rollup.yaml"
    )
    recorded = {r["record"] for g in rule_file["groups"] for r in g["rules"]}
    read = {
        name for p in doc["panels"] for t in p.get("targets", []) for name in RECORD.findall(t["expr"])
    }
    assert read == recorded
    # Queried where the records live: the roll-up tenant, by default.
    chosen = {v["current"]["value"] for v in doc["templating"]["list"] if v["type"] == "datasource"}
    assert chosen == {datasource_uid("mimir", rollup.tenant)}
    assert doc["time"]["from"] == "now-90d" and doc["refresh"] == "1h"
    assert [str(d) for d in dashboard_problems(doc, LONG_TERM, frozenset(recorded))] == []


def test_the_panels_compare_environments_split_by_owner(shop_plan: Plan) -> None:
    doc = next(a.data for a in GrafanaDashboards().generate(shop_plan) if a.path == LONG_TERM)
    exprs = {t["expr"] for p in doc["panels"] for t in p.get("targets", [])}
    assert "sum by (service, environment) (environment_service_team:requests:rate5m)" in exprs
    assert "sum by (team, environment, currency) (currency_environment_team:resource_cost:currency_per_hour)" in exprs
    # A KPI's dimensions stay apart: the shop's order values per currency, its orders per result.
    assert (
        "sum by (service, environment, currency) (currency_environment_service_team:order_value:sum_rate5m)" in exprs
    )
    assert "sum by (service, environment, result) (environment_result_service_team:orders:sum_rate5m)" in exprs


def test_without_a_rollup_tier_there_is_no_long_term_dashboard(small_plan: Plan) -> None:
    assert small_plan.catalog.mimir.rollup is None
    assert all(a.path != LONG_TERM for a in GrafanaDashboards().generate(small_plan))
