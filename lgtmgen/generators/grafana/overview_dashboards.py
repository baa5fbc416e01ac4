"""Organisation-wide dashboards in the overview folder: executive view, service map, cost, long-term trends."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

from lgtmgen.artifacts import Artifact
from lgtmgen.generators.grafana import queries as q
from lgtmgen.generators.grafana.cost_dashboard import cost_dashboard
from lgtmgen.generators.grafana.dashboard import artifact, dashboard, dashboard_url, variables
from lgtmgen.generators.grafana.journey_panels import (
    JourneySource,
    journey_sources,
    journey_targets,
    panel_datasource,
)
from lgtmgen.generators.grafana.layout import (
    Grid,
    budget_bargauge,
    currency_unit,
    dashboard_link,
    prom,
    service_map,
    stat,
    table,
    timeseries,
)
from lgtmgen.generators.grafana.long_term_dashboard import long_term_dashboard
from lgtmgen.generators.grafana.platform_panels import kpi_panel
from lgtmgen.generators.grafana.team_dashboards import has_team_dashboard, team_uid
from lgtmgen.generators.grafana.tenant_sources import (
    held_variables,
    others,
    services_by_tenant,
    source_of,
    titled,
)
from lgtmgen.generators.journeys import RATE_WINDOW as JOURNEY_RATE_WINDOW
from lgtmgen.generators.journeys import success_record
from lgtmgen.generators.service_graph import DECLARED, REQUESTS
from lgtmgen.graph import declared_edges
from lgtmgen.naming import grafana_uid
from lgtmgen.plan import Plan
from lgtmgen.promql import string_literal

JOURNEY_STARTED = "journey:started:rate5m"
REVENUE_AT_RISK = "journey:revenue_at_risk:rate5m"


def _default_tenant(plan: Plan) -> str | None:
    counts = Counter(s.tenant for s in plan.catalog.services)
    return min(counts, key=lambda t: (-counts[t], t)) if counts else None


def _slo_compliance(grid: Grid, plan: Plan, own: str | None) -> list[str]:
    """The share of SLOs within budget and the lowest budgets, one pair per tenant holding SLO records
    (titled by the tenant when it is not the dashboard's); returns the other tenants they read."""
    by_tenant = services_by_tenant(plan, [s.name for s in plan.catalog.services if plan.slos_of(s.name)])
    if not by_tenant:
        return []
    grid.section("SLO compliance")
    worst = f"min by (service, slo) ({q.hourly(q.BUDGET_REMAINING)})"
    for tenant in by_tenant:
        source = source_of(tenant, own)
        grid.add(
            stat(
                titled("SLOs within budget", tenant, own),
                # `count` of nothing is no value, not 0: without `or vector(0)` the panel would go blank
                # exactly when every budget is spent.
                # Per SLO, by its worst series: a budget is recorded per cluster (and `group_by` value),
                # and counting series would weigh an SLO by how many clusters it runs in.
                [prom(f"(count({worst} >= 0) or vector(0))\n/\ncount({worst})", instant=True, datasource=source)],
                "percentunit",
                "Share of the SLOs whose error budget is not exhausted this period in any cluster.",
                datasource=source,
                thresholds=[{"color": "red", "value": None}, {"color": "orange", "value": 0.9}, {"color": "green", "value": 1.0}],
                colorMode="background",
            ),
            width=6,
        )
        grid.add(
            budget_bargauge(
                titled("Error budget left, lowest first", tenant, own),
                [prom(f"sort(min by (service) ({q.hourly(q.BUDGET_REMAINING)}))", "{{service}}", instant=True, datasource=source)],
                "The lowest error budget left of each service's SLOs.",
                datasource=source,
            ),
            width=18,
            height=10,
        )
    return others(by_tenant, own)


def _revenue_per_hour(code: str) -> Callable[[str], str]:
    def query(selector: str) -> str:
        return f"sum by (journey) ({REVENUE_AT_RISK}{{currency={string_literal(code)}, {selector}}}) * 3600"

    return query


def _journeys(grid: Grid, plan: Plan) -> list[JourneySource]:
    """The journey panels; returns the tenants they read, whose variables the dashboard declares."""
    journeys = plan.catalog.journeys
    sources = journey_sources(plan, journeys)
    if not sources:
        return []
    grid.section("User journeys")
    success = success_record(JOURNEY_RATE_WINDOW)
    grid.add(
        timeseries(
            "Journey success",
            journey_targets(sources, [(lambda sel: f"{success}{{{sel}}}", "{{journey}} ({{cluster}})")]),
            "percentunit",
            "Share of journeys that complete, per cluster.",
            datasource=panel_datasource(sources),
        ),
        width=12,
    )
    grid.add(
        timeseries(
            "Journeys started",
            journey_targets(sources, [(lambda sel: f"sum by (journey) ({JOURNEY_STARTED}{{{sel}}}) * 60", "{{journey}}")]),
            "cpm",
            "Journeys started per minute, at their first step.",
            datasource=panel_datasource(sources),
        ),
        width=12,
    )
    for code in sorted({j.currency for j in journeys}):
        priced = journey_sources(plan, [j for j in journeys if j.currency == code])
        if not priced:
            continue
        grid.add(
            stat(
                f"Revenue at risk per hour ({code})",
                journey_targets(priced, [(_revenue_per_hour(code), "{{journey}}")]),
                currency_unit(code),
                "Failed journeys per hour times the value of one journey.",
                datasource=panel_datasource(priced),
                graphMode="area",
            ),
            width=12,
        )
    return sources


def executive_dashboard(plan: Plan) -> Artifact:
    grid = Grid()
    own = _default_tenant(plan)
    held = _slo_compliance(grid, plan, own)
    journey_tenants = _journeys(grid, plan)
    held += kpi_panel(grid, plan, list(plan.catalog.services), "Business KPIs", own)
    grafana_url = plan.catalog.defaults.grafana_url
    links = [
        dashboard_link(f"Team {t.name}", dashboard_url(grafana_url, team_uid(t.name)))
        for t in plan.catalog.teams
        if has_team_dashboard(plan, t.name)
    ]
    links.append(dashboard_link("Service map", dashboard_url(grafana_url, grafana_uid("overview", "service-map"))))
    links.append(dashboard_link("Cost per team", dashboard_url(grafana_url, grafana_uid("overview", "cost"))))
    data = dashboard(
        uid=grafana_uid("overview", "executive"),
        title="Executive overview",
        tags=["lgtmgen", "overview"],
        grid=grid,
        settings=plan.catalog.grafana,
        templates=variables(own, *held_variables([*held, *(source.tenant for source in journey_tenants)])),
        links=links,
        description="Journeys, SLO compliance and revenue at risk across the organisation.",
    )
    return artifact(plan.catalog.grafana.overview_folder, "executive", data)


def service_map_dashboard(plan: Plan) -> Artifact:
    grid = Grid()
    grid.section("Service map")
    grid.add(
        service_map("Service map", "Services and the calls between them, from Tempo's service-graph metrics."),
        width=24,
        height=14,
    )
    undeclared = f"sum by (client, server) (rate({REQUESTS}[{q.RATE}]))"
    if declared_edges(plan):
        # The rules record one declared-edge series per depends_on; with none, every call is undeclared.
        undeclared += f"\nunless on (client, server)\n{DECLARED}"
    grid.add(
        table(
            "Calls not declared in the catalog",
            [prom(undeclared, instant=True, table=True)],
            "reqps",
            "Edges seen in traces that no service's depends_on declares.",
            transformations=[{"id": "organize", "options": {"excludeByName": {"Time": True}}}],
        ),
        width=24,
    )
    data = dashboard(
        uid=grafana_uid("overview", "service-map"),
        title="Service map",
        tags=["lgtmgen", "overview", "traces"],
        grid=grid,
        settings=plan.catalog.grafana,
        templates=variables(_default_tenant(plan), traces=True),
        links=[dashboard_link("Executive overview", dashboard_url(plan.catalog.defaults.grafana_url, grafana_uid("overview", "executive")))],
    )
    return artifact(plan.catalog.grafana.overview_folder, "service-map", data)


def overview_dashboards(plan: Plan) -> Iterator[Artifact]:
    yield executive_dashboard(plan)
    yield service_map_dashboard(plan)
    yield cost_dashboard(plan, _default_tenant(plan))
    long_term = long_term_dashboard(plan)
    if long_term is not None:
        yield long_term
