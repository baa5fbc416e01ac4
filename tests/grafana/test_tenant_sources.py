"""Panels about services of another Mimir tenant read that tenant: each tenant's Mimir holds only
its own services' records (SLO budgets, KPIs), so a query on the dashboard's `${metrics}` would
show them empty."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lgtmgen.checks.grafana.lint import substitute_variables
from lgtmgen.generators.grafana import GrafanaDashboards
from lgtmgen.generators.grafana.dashboard import datasource_uid
from lgtmgen.plan import Plan
from lgtmgen.promql import series_matches
from tests.grafana.test_journey_panels import _datasource_of as read_uid
from tests.grafana.test_journey_panels import grafana_findings, written

# A second tenant: refunds (team payments, like checkout and ledger of tenant prod) calls checkout.
SECOND_TENANT = """\
apiVersion: lgtmgen/v1
tenants:
  - name: lab
clusters:
  - name: lab-1
    environment: production
    tenant: lab
services:
  - name: refunds
    team: payments
    tenant: lab
    depends_on: [checkout]
    metrics: {convention: http, selector: {job: refunds}}
    kpis:
      - {name: refunds, metric: refunds_total, kind: counter, dimensions: [currency]}
    slos:
      - {name: availability, objective: 99.5, sli: {kind: availability}}
"""


@pytest.fixture
def plan(plan_with_extra: Callable[[str], Plan]) -> Plan:
    return plan_with_extra(SECOND_TENANT)


def dashboards(plan: Plan) -> dict[str, dict[str, Any]]:
    return {a.path: a.data for a in GrafanaDashboards().generate(plan)}


def services_read(expr: str) -> set[str]:
    """The services whose own records (`slo:...`, `service:...`) `expr` selects by a service matcher."""
    named: set[str] = set()
    for match in series_matches(substitute_variables(expr)):
        labels = dict(match.labels)
        if labels.get("__name__", "").startswith(("slo:", "service:")) and "service" in labels:
            named.update(labels["service"].split("|"))
    return named


def test_every_query_of_a_service_record_reads_the_tenant_of_that_service(plan: Plan) -> None:
    checked = 0
    for path, doc in dashboards(plan).items():
        for panel in doc["panels"]:
            for target in panel.get("targets", []):
                if target.get("datasource", {}).get("type") != "prometheus":
                    continue  # LogQL, TraceQL
                named = services_read(target["expr"])
                if not named:
                    continue
                tenants = {plan.services[name].tenant for name in named}
                assert len(tenants) == 1, (path, panel["title"], target["expr"])
                assert read_uid(doc, target) == datasource_uid("mimir", tenants.pop()), (path, panel["title"])
                checked += 1
    assert checked > 10


def test_a_dependency_of_another_tenant_is_read_and_linked_there(plan: Plan) -> None:
    doc = dashboards(plan)["grafana/dashboards/payments/service-refunds.json"]
    panel = next(p for p in doc["panels"] if p["title"] == "Error budget left of dependencies")
    assert [read_uid(doc, t) for t in panel["targets"]] == [datasource_uid("mimir", "prod")]
    checkout = next(link["url"] for link in panel["links"] if link["title"] == "checkout (dependency)")
    assert checkout.endswith("?from=${__from}&to=${__to}")  # checkout's dashboard opens on its own tenant
    # and the reverse link, from checkout's dashboard to its caller in lab
    caller = dashboards(plan)["grafana/dashboards/payments/service-checkout.json"]
    links = [link for p in caller["panels"] for link in p.get("links", []) if link["title"] == "refunds (dependent)"]
    assert links and all(link["url"].endswith("?from=${__from}&to=${__to}") for link in links)


def test_a_team_with_services_in_two_tenants_gets_a_slo_table_for_each(plan: Plan) -> None:
    doc = dashboards(plan)["grafana/dashboards/payments/team-slos.json"]
    tables = {p["title"]: p for p in doc["panels"] if p["type"] == "table"}
    assert set(tables) == {"SLOs", "SLOs (tenant lab)"}
    assert {read_uid(doc, t) for t in tables["SLOs (tenant lab)"]["targets"]} == {datasource_uid("mimir", "lab")}
    traffic = next(p for p in doc["panels"] if p["title"] == "Requests by service")
    assert traffic["datasource"] == {"type": "datasource", "uid": "-- Mixed --"}
    assert {t["legendFormat"]: read_uid(doc, t) for t in traffic["targets"]} == {
        "checkout": datasource_uid("mimir", "prod"),
        "ledger": datasource_uid("mimir", "prod"),
        "refunds": datasource_uid("mimir", "lab"),
    }


def test_the_executive_view_counts_the_slos_of_every_tenant(plan: Plan) -> None:
    doc = dashboards(plan)["grafana/dashboards/overview/executive.json"]
    within = [p for p in doc["panels"] if p["title"].startswith("SLOs within budget")]
    assert sorted(read_uid(doc, p["targets"][0]) for p in within) == sorted(
        datasource_uid("mimir", t) for t in ("lab", "prod")
    )


def test_the_bundle_with_services_in_two_tenants_passes_the_grafana_check(plan: Plan, tmp_path: Path) -> None:
    assert grafana_findings(written(plan, tmp_path / "bundle")) == []


def test_the_cost_dashboard_counts_the_spans_of_each_team_in_each_tenant(plan: Plan) -> None:
    doc = dashboards(plan)["grafana/dashboards/overview/cost.json"]
    spans = next(p for p in doc["panels"] if p["title"] == "Spans per team")
    read = {t["legendFormat"]: (read_uid(doc, t), t["expr"]) for t in spans["targets"]}
    assert read["payments (lab)"] == (
        datasource_uid("mimir", "lab"),
        'sum(rate(traces_spanmetrics_calls_total{service=~"refunds"}[$__rate_interval]))',
    )
    assert read["payments (prod)"][0] == datasource_uid("mimir", "prod")
    assert "refunds" not in read["payments (prod)"][1]
