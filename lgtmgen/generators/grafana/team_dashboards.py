"""Per-team dashboards: every SLO of the team in one table, and capacity forecasts."""

from __future__ import annotations

from typing import Any

from lgtmgen.artifacts import Artifact
from lgtmgen.catalog.models import Team
from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.catalog.models.grafana import CapacitySignal
from lgtmgen.generators.grafana import queries as q
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
    dashboard_link,
    prom,
    stat,
    table,
    timeseries,
)
from lgtmgen.generators.grafana.service_dashboard import service_uid
from lgtmgen.generators.grafana.tenant_sources import (
    held_variables,
    others,
    panel_source,
    per_tenant,
    services_by_tenant,
    source_of,
    titled,
)
from lgtmgen.generators.journeys import RATE_WINDOW as JOURNEY_RATE_WINDOW
from lgtmgen.generators.journeys import success_record
from lgtmgen.naming import grafana_uid, slug
from lgtmgen.plan import Plan, resolve_metrics

FORECAST_RESOLUTION = "5m"
JOURNEY_OBJECTIVE = "journey:objective:ratio"
WARN_AT = 0.8


def team_uid(team: str) -> str:
    return grafana_uid("team", team)


def has_team_dashboard(plan: Plan, team: str) -> bool:
    """Whether `team` gets a team dashboard: only a team that owns a service does."""
    return any(s.team == team for s in plan.catalog.services)


def _slo_table(services: list[str], title: str, source: dict[str, str]) -> Any:
    """One row per SLO: the SLO rules record per cluster (and group), so the worst of those is shown.

    Every query is aggregated `by (service, slo)`: the merge joins rows on equal label
    columns, which a per-cluster label or a metric name left in one query would keep apart.
    """
    sel = f"{{service=~{q.regex_of(services)}}}"
    spent = f"(1 - {q.hourly(q.BUDGET_REMAINING + sel)}) * on (service, slo) group_left {q.hourly(q.ERROR_BUDGET + sel)}"
    return table(
        title,
        [
            prom(f"max by (service, slo) ({q.hourly(q.OBJECTIVE + sel)})", ref="A", instant=True, table=True, datasource=source),
            prom(f"min by (service, slo) (1 - {spent})", ref="B", instant=True, table=True, datasource=source),
            prom(f"min by (service, slo) ({q.hourly(q.BUDGET_REMAINING + sel)})", ref="C", instant=True, table=True, datasource=source),
        ],
        "percentunit",
        "Objective, compliance over each SLO's period and error budget left, of the cluster (or group) "
        "furthest from the objective; one row per SLO.",
        datasource=source,
        transformations=[
            {"id": "merge", "options": {}},
            {
                "id": "organize",
                "options": {
                    "excludeByName": {"Time": True, "__name__": True},
                    "renameByName": {
                        "Value #A": "Objective",
                        "Value #B": "Compliance",
                        "Value #C": "Error budget left",
                    },
                    "indexByName": {"service": 0, "slo": 1, "Value #A": 2, "Value #B": 3, "Value #C": 4},
                },
            },
        ],
    )


def _traffic(grid: Grid, plan: Plan, services: list[str], own: str | None) -> list[str]:
    """Requests of each service, from its own tenant; returns the other tenants the panel reads."""
    measured = [(name, q.request_rate(resolve_metrics(plan.services[name]), by_cluster=False)) for name in services]
    queries = [(plan.services[name].tenant, expr, name) for name, expr in measured if expr]
    if not queries:
        return []
    tenants = sorted({tenant for tenant, _, _ in queries})
    grid.section("Traffic")
    grid.add(
        timeseries(
            "Requests by service",
            per_tenant(queries, own),
            "reqps",
            "Requests per second of each service of the team.",
            datasource=panel_source(tenants, own),
        ),
        width=24,
    )
    return others(tenants, own)


def _slo_sections(grid: Grid, plan: Plan, services: list[str], own: str | None) -> list[str]:
    """The SLO table and budgets, one pair per tenant holding the records (titled by the tenant
    when it is not the dashboard's); returns the other tenants they read."""
    by_tenant = services_by_tenant(plan, services)
    if not by_tenant:
        return []
    grid.section("Service level objectives")
    for tenant, names in by_tenant.items():
        source = source_of(tenant, own)
        grid.add(_slo_table(names, titled("SLOs", tenant, own), source), width=16, height=10)
        grid.add(
            budget_bargauge(
                titled("Error budget left by service", tenant, own),
                [prom(f"min by (service) ({q.budget_remaining(names)})", "{{service}}", instant=True, datasource=source)],
                "The lowest error budget left among each service's SLOs.",
                datasource=source,
            ),
            width=8,
            height=10,
        )
    return others(by_tenant, own)


def _journeys(grid: Grid, plan: Plan, team: Team) -> list[JourneySource]:
    """The team's journey panels; returns the tenants they read, whose variables the dashboard declares."""
    sources = journey_sources(plan, [j for j in plan.catalog.journeys if j.team == team.name])
    if not sources:
        return []
    success = success_record(JOURNEY_RATE_WINDOW)
    grid.section("User journeys")
    grid.add(
        timeseries(
            "Journey success",
            journey_targets(
                sources,
                [
                    (lambda sel: f"{success}{{{sel}}}", "{{journey}} ({{cluster}})"),
                    (lambda sel: f"{JOURNEY_OBJECTIVE}{{{sel}}}", "{{journey}} objective"),
                ],
            ),
            "percentunit",
            "Share of the team's journeys that complete, per cluster, against each journey's objective.",
            datasource=panel_datasource(sources),
        ),
        width=24,
    )
    return sources


def team_dashboard(plan: Plan, team: Team) -> Artifact | None:
    if not has_team_dashboard(plan, team.name):
        return None
    services = [s.name for s in plan.catalog.services if s.team == team.name]
    grafana_url = plan.catalog.defaults.grafana_url
    tenant = plan.team_tenant(team.name)
    grid = Grid()
    held = _slo_sections(grid, plan, [name for name in services if plan.slos_of(name)], tenant)
    journey_tenants = _journeys(grid, plan, team)
    held += _traffic(grid, plan, services, tenant)
    links = [dashboard_link(f"Service {name}", dashboard_url(grafana_url, service_uid(name))) for name in services]
    data = dashboard(
        uid=team_uid(team.name),
        title=f"Team {team.name}",
        description=team.description,
        tags=["lgtmgen", "team", f"team:{team.name}"],
        grid=grid,
        settings=plan.catalog.grafana,
        templates=variables(tenant, *held_variables([*held, *(source.tenant for source in journey_tenants)])),
        links=links,
    )
    return artifact(slug(team.name), "team-slos", data)


def _forecast(signal: CapacitySignal) -> str:
    horizon = int(parse_duration(signal.horizon))
    return f"predict_linear(({signal.usage})[{signal.lookback}:{FORECAST_RESOLUTION}], {horizon})"


def _capacity_panels(grid: Grid, signal: CapacitySignal) -> None:
    horizon = format_duration(parse_duration(signal.horizon))
    grid.add(
        timeseries(
            signal.name,
            [
                prom(signal.usage, "usage", "A"),
                prom(signal.limit_promql, "limit", "B"),
                prom(_forecast(signal), f"forecast in {horizon}", "C"),
            ],
            signal.unit,
            signal.description or f"Usage, limit, and the usage predicted {horizon} ahead from the last {signal.lookback}.",
        ),
        width=16,
    )
    grid.add(
        stat(
            f"{signal.name}: forecast use of the limit in {horizon}",
            [prom(f"({_forecast(signal)})\n/\n({signal.limit_promql})", instant=True)],
            "percentunit",
            f"Linear forecast over the last {signal.lookback}; at 100% the resource is full within {horizon}.",
            thresholds=[
                {"color": "green", "value": None},
                {"color": "orange", "value": WARN_AT},
                {"color": "red", "value": 1.0},
            ],
            colorMode="background",
        ),
        width=8,
    )


def capacity_dashboard(plan: Plan, team: Team) -> Artifact | None:
    signals = [s for s in plan.catalog.grafana.capacity if s.team == team.name]
    if not signals:
        return None
    grid = Grid()
    grid.section("Capacity forecasts")
    for signal in sorted(signals, key=lambda s: s.name):
        _capacity_panels(grid, signal)
    tenant = plan.team_tenant(team.name)
    grafana_url = plan.catalog.defaults.grafana_url
    team_link = dashboard_link(f"Team {team.name}", dashboard_url(grafana_url, team_uid(team.name)))
    links = [team_link] if has_team_dashboard(plan, team.name) else []
    data: dict[str, Any] = dashboard(
        uid=grafana_uid("capacity", team.name),
        title=f"Capacity forecasts: {team.name}",
        tags=["lgtmgen", "capacity", f"team:{team.name}"],
        grid=grid,
        settings=plan.catalog.grafana,
        templates=variables(tenant),
        links=links,
    )
    return artifact(slug(team.name), "capacity-forecasts", data)
