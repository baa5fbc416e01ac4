"""Cost per team: resource cost where clusters declare unit prices, and telemetry volume.

Resource cost is the metrics platform's hourly cost per team; log lines come from
the Loki ruler's per-service series (labelled with the team); spans from Tempo's
span metrics, grouped by the catalog's ownership.
"""

from __future__ import annotations

from lgtmgen.artifacts import Artifact
from lgtmgen.generators.grafana import queries as q
from lgtmgen.generators.grafana.dashboard import artifact, dashboard, dashboard_url, variables
from lgtmgen.generators.grafana.layout import STACKED, Grid, dashboard_link, timeseries
from lgtmgen.generators.grafana.platform_panels import cost_panels
from lgtmgen.generators.grafana.team_dashboards import team_uid
from lgtmgen.generators.grafana.tenant_sources import (
    held_variables,
    others,
    panel_source,
    per_tenant,
    services_by_tenant,
)
from lgtmgen.generators.loki.rules import LINES_RATE
from lgtmgen.generators.tempo.tiers import tier_of
from lgtmgen.naming import grafana_uid
from lgtmgen.plan import Plan

SPAN_CALLS = "traces_spanmetrics_calls_total"


def _services_by_team(plan: Plan) -> dict[str, list[str]]:
    owned: dict[str, list[str]] = {}
    for service in plan.catalog.services:
        owned.setdefault(service.team, []).append(service.name)
    return dict(sorted(owned.items()))


def cost_dashboard(plan: Plan, default_tenant: str | None) -> Artifact:
    grid = Grid()
    cost_panels(grid, plan)
    grid.section("Telemetry volume by team")
    owned = _services_by_team(plan)
    # Tempo's span metrics and the Loki ruler's records land in the tenant of each service; span
    # metrics only where the tenant's trace tier runs that processor (a query elsewhere reads nothing).
    measured = {
        s.tenant for s in plan.catalog.services if tier_of(plan.catalog.traces, plan.tenants[s.tenant]).span_metrics
    }
    tenants = sorted(measured)
    several = len({s.tenant for s in plan.catalog.services}) > 1
    spans = [
        (tenant, f"sum(rate({SPAN_CALLS}{{service=~{q.regex_of(names)}}}[{q.RATE}]))", f"{team} ({tenant})" if several else team)
        for team, services in owned.items()
        for tenant, names in services_by_tenant(plan, services).items()
        if tenant in measured
    ]
    unmeasured = sorted({s.tenant for s in plan.catalog.services} - measured)
    if spans:
        grid.add(
            timeseries(
                "Spans per team",
                per_tenant(spans, default_tenant),
                "suffix: spans/s",
                "Spans per second of each team's services, from Tempo's span metrics"
                + (" of each service's tenant." if several else ".")
                + (
                    f" Not counted: the services of {', '.join(unmeasured)}, whose trace tier runs no span metrics."
                    if unmeasured
                    else ""
                ),
                stacking=STACKED,
                datasource=panel_source(tenants, default_tenant),
            ),
            width=12,
        )
    logged = sorted({s.tenant for s in plan.catalog.services if s.logs})
    if logged:
        legend = "{{team}}"
        lines = [(tenant, f"sum by (team) ({LINES_RATE})", f"{legend} ({tenant})" if several else legend) for tenant in logged]
        grid.add(
            timeseries(
                "Log lines per team",
                per_tenant(lines, default_tenant),
                "suffix: lines/s",
                "Log lines per second of each team's services, recorded by the Loki ruler"
                + (" of each service's tenant." if several else "."),
                stacking=STACKED,
                datasource=panel_source(logged, default_tenant),
            ),
            width=12,
        )
    held = others([*tenants, *logged], default_tenant)
    grafana_url = plan.catalog.defaults.grafana_url
    data = dashboard(
        uid=grafana_uid("overview", "cost"),
        title="Cost per team",
        tags=["lgtmgen", "overview", "cost"],
        grid=grid,
        settings=plan.catalog.grafana,
        templates=variables(default_tenant, *held_variables(held)),
        links=[dashboard_link(f"Team {team}", dashboard_url(grafana_url, team_uid(team))) for team in owned],
        description="What each team's services send to Tempo and Loki: the drivers of the observability bill.",
    )
    return artifact(plan.catalog.grafana.overview_folder, "cost", data)
