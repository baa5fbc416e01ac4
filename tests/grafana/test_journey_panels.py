"""Journey panels read the tenant whose Mimir ruler evaluates the journey, whatever the dashboard's tenant.

The traces tests' catalog: team core runs auth in tenant prod and lab-job in tenant lab,
so its team dashboard defaults to prod; journey `lab` (core's, first step in prod) is
evaluated in lab, journey `buy` (shop's) in prod, and the executive view defaults to prod.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from lgtmgen.catalog.journey_tenancy import journey_tenant
from lgtmgen.generators.grafana import GrafanaDashboards
from lgtmgen.generators.grafana.dashboard import datasource_uid
from lgtmgen.generators.mimir.ruler import ruler_layout
from lgtmgen.plan import Plan
from tests.grafana.test_bundle_check import grafana_findings, written
from tests.support import assert_promtool_evaluates, error_loader
from tests.traces.traces_catalog import base_catalog

WEB_STEP = {"service": "web", "route": "/pay"}
JOURNEYS: list[dict[str, Any]] = [
    {"name": "lab", "team": "core", "steps": [WEB_STEP, {"service": "lab-job", "route": "/run"}], "value": 5,
     "slo": {"objective": 99}},
    {"name": "buy", "team": "shop", "steps": [WEB_STEP, {"service": "orders", "route": "PlaceOrder"}], "value": 2,
     "slo": {"objective": 99}},
]


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    document = base_catalog()
    document["services"][3]["metrics"] = {"convention": "http", "selector": {"job": "lab-job"}}
    document["journeys"] = JOURNEYS
    document["mimir"] = {"storage": {"bucket": "mimir-blocks", "endpoint": "s3.example.com"}}
    built, diagnostics = error_loader(tmp_path_factory.mktemp("catalog"))(document)
    assert built is not None, [str(d) for d in diagnostics]
    return built


def _dashboard(plan: Plan, path: str) -> dict[str, Any]:
    return next(a.data for a in GrafanaDashboards().generate(plan) if a.path == path)


def _journey_targets(doc: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(panel, target) of every query reading a journey record."""
    return [
        (panel, target)
        for panel in doc["panels"]
        for target in panel.get("targets", [])
        if "journey:" in str(target["expr"])
    ]


def _datasource_of(doc: dict[str, Any], target: dict[str, Any]) -> str:
    """The uid a target reads by default: its datasource, through the dashboard's variable if one."""
    uid = str(target["datasource"]["uid"])
    if not uid.startswith("${"):
        return uid
    variable = next(v for v in doc["templating"]["list"] if v["name"] == uid[2:-1])
    return str(variable["current"]["value"])


def _queries_by_tenant(plan: Plan, doc: dict[str, Any]) -> dict[str, str]:
    """Journey name to the datasource uid of the queries reading it; a journey read from two fails.

    A query without a `journey` matcher reads every journey.
    """
    every = [j.name for j in plan.catalog.journeys]
    read: dict[str, set[str]] = {}
    for _, target in _journey_targets(doc):
        matcher = re.search(r'journey=~"([^"]*)"', str(target["expr"]))
        for name in matcher.group(1).split("|") if matcher else every:
            read.setdefault(name, set()).add(_datasource_of(doc, target))
    assert all(len(uids) == 1 for uids in read.values()), read
    return {name: next(iter(uids)) for name, uids in read.items()}


def _expected(plan: Plan, names: list[str]) -> dict[str, str]:
    out = {}
    for journey in plan.catalog.journeys:
        if journey.name in names:
            tenant = journey_tenant(journey, plan.services)
            assert tenant is not None
            out[journey.name] = datasource_uid("mimir", tenant)
    return out


def test_the_executive_view_reads_each_journey_from_its_evaluating_tenant(plan: Plan) -> None:
    doc = _dashboard(plan, "grafana/dashboards/overview/executive.json")
    assert _queries_by_tenant(plan, doc) == _expected(plan, ["lab", "buy"])
    assert _expected(plan, ["lab"]) == {"lab": datasource_uid("mimir", "lab")}
    # Every query of every journey panel selects its journeys: none reads a tenant's records unfiltered.
    assert all("journey=~" in t["expr"] for _, t in _journey_targets(doc))


def test_the_team_dashboard_reads_its_journey_from_the_tenant_that_evaluates_it(plan: Plan) -> None:
    doc = _dashboard(plan, "grafana/dashboards/core/team-slos.json")
    metrics = next(v for v in doc["templating"]["list"] if v["name"] == "metrics")
    assert metrics["current"]["value"] == datasource_uid("mimir", "prod")
    assert _queries_by_tenant(plan, doc) == {"lab": datasource_uid("mimir", "lab")}


def test_a_panel_over_journeys_of_two_tenants_is_mixed_with_a_query_per_tenant(plan: Plan) -> None:
    doc = _dashboard(plan, "grafana/dashboards/overview/executive.json")
    panel = next(p for p in doc["panels"] if p["title"] == "Journey success")
    assert panel["datasource"] == {"type": "datasource", "uid": "-- Mixed --"}
    assert sorted(_datasource_of(doc, t) for t in panel["targets"]) == sorted(
        datasource_uid("mimir", t) for t in ("lab", "prod")
    )
    variables = [v for v in doc["templating"]["list"] if v["name"].startswith("mimir_")]
    assert all(v["hide"] == 2 for v in variables)
    assert [v["regex"] for v in variables] == [r"/^Mimir lab$/", r"/^Mimir prod$/"]


def test_the_revenue_query_sums_only_the_journeys_the_tenant_records(plan: Plan, tmp_path: Path) -> None:
    """promtool evaluates the lab tenant's revenue query on that tenant's records: its journey only."""
    doc = _dashboard(plan, "grafana/dashboards/overview/executive.json")
    panel = next(p for p in doc["panels"] if p["title"].startswith("Revenue at risk"))
    lab = next(t for t in panel["targets"] if _datasource_of(doc, t) == datasource_uid("mimir", "lab"))
    # The lab tenant records the revenue at risk; a series of a journey not evaluated there (left from
    # before a catalog change, say) must not be summed into this panel.
    written = {
        r["record"] for ns in ruler_layout(plan).namespaces["lab"].values() for g in ns for r in g["rules"] if "record" in r
    }
    assert "journey:revenue_at_risk:rate5m" in written
    series = [
        {"series": 'journey:revenue_at_risk:rate5m{currency="EUR",journey="lab"}', "values": "0.5x10"},
        {"series": 'journey:revenue_at_risk:rate5m{currency="EUR",journey="stale"}', "values": "7x10"},
    ]
    assert_promtool_evaluates(
        tmp_path,
        series,
        [{"expr": lab["expr"], "eval_time": "5m", "exp_samples": [{"labels": '{journey="lab"}', "value": 1800}]}],
    )


def test_the_bundle_with_journeys_in_two_tenants_passes_the_grafana_check(plan: Plan, tmp_path: Path) -> None:
    """Schema, lint (a Mixed panel's queries each on a variable) and every variable's default provisioned."""
    assert grafana_findings(written(plan, tmp_path / "bundle")) == []


def test_a_journey_variable_names_one_tenant_on_every_dashboard(plan: Plan) -> None:
    """Links carry variables by name (`includeVars`): the executive view's and core's must agree."""

    def held(path: str) -> dict[str, str]:
        doc = _dashboard(plan, path)
        return {v["name"]: v["current"]["value"] for v in doc["templating"]["list"] if v["name"].startswith("mimir_")}

    executive = held("grafana/dashboards/overview/executive.json")
    core = held("grafana/dashboards/core/team-slos.json")
    shop = held("grafana/dashboards/shop/team-slos.json")
    assert len(executive) == 2 and len(set(executive.values())) == 2
    assert core.items() <= executive.items() and shop.items() <= executive.items()
    assert core != shop
