"""The per-service dashboard: SLOs, RED, latency, anomaly bands, dependencies, logs and traces.

Its uid is `grafana_uid("service", name)`: the SLO alerts link to it.
"""

from __future__ import annotations

from typing import Any

from lgtmgen.artifacts import Artifact
from lgtmgen.catalog.models import Service
from lgtmgen.catalog.models.base import format_duration
from lgtmgen.generators.grafana import queries as q
from lgtmgen.generators.grafana.anomaly_panels import anomaly_panels
from lgtmgen.generators.grafana.dashboard import (
    artifact,
    dashboard,
    dashboard_url,
    query_variable,
    textbox_variable,
    variables,
)
from lgtmgen.generators.grafana.layout import (
    PANEL_LINK_CONTEXT,
    STACKED,
    TIME_LINK_CONTEXT,
    Grid,
    budget_bargauge,
    dashboard_link,
    external_link,
    heatmap,
    log_volume,
    logs,
    panel_link,
    prom,
    refs,
    stat,
    timeseries,
    trace_search,
    trace_view,
)
from lgtmgen.generators.grafana.panel_skeletons import deferred
from lgtmgen.generators.grafana.platform_panels import kpi_panel, resource_panels, security_panels
from lgtmgen.generators.grafana.tenant_sources import (
    held_variables,
    others,
    panel_source,
    per_tenant,
    services_by_tenant,
)
from lgtmgen.generators.loki.common import CLUSTER_LABEL, LEVEL_LABEL, SERVICE_LABEL, stream_labels
from lgtmgen.generators.loki.rules import ERROR_CLASS_RATE, ERROR_RATIO
from lgtmgen.naming import grafana_uid, slug
from lgtmgen.plan import Plan, SLOPlan, resolve_metrics
from lgtmgen.promql import matchers

QUANTILES = (0.5, 0.9, 0.99)


def service_uid(name: str) -> str:
    return grafana_uid("service", name)


@deferred
def _objective_override(slo: str, objective: float) -> dict[str, Any]:
    """Colours one SLO's value red below its objective and green at or above it.

    Deferred so that the SLO's name is a text of the panel's skeleton, not part of its shape.
    """
    steps = [{"color": "red", "value": None}, {"color": "green", "value": objective}]
    return {
        "matcher": {"id": "byNames", "options": {"mode": "include", "names": [slo]}},
        "properties": [{"id": "thresholds", "value": {"mode": "absolute", "steps": steps}}],
    }


def _slo_section(grid: Grid, slos: list[SLOPlan]) -> None:
    grid.section("Service level objectives")
    names = refs(len(slos))
    grid.add(
        stat(
            "SLO compliance over the period",
            [prom(q.compliance(s), s.slo.name, ref, instant=True) for s, ref in zip(slos, names)],
            "percentunit",
            "Good events over each SLO's whole compliance period, in the cluster (or group) furthest from "
            "its objective: red below it.",
            decimals=3,
            colorMode="background",
            overrides=[_objective_override(s.slo.name, s.objective) for s in slos],
        ),
        width=8,
    )
    grid.add(
        budget_bargauge(
            "Error budget left",
            [
                prom(q.hourly(q.BUDGET_REMAINING + q.slo_selector(s)), q.series_legend(s), ref, instant=True)
                for s, ref in zip(slos, names)
            ],
            "Share of each SLO's error budget not yet spent this period, per cluster; below zero the SLO is breached.",
        ),
        width=8,
    )
    grid.add(
        stat(
            "Objectives",
            [prom(q.hourly(q.OBJECTIVE + q.slo_selector(s)), s.slo.name, ref, instant=True) for s, ref in zip(slos, names)],
            "percentunit",
            "Target share of good events of each SLO.",
            decimals=3,
        ),
        width=8,
    )
    burn_targets = []
    for s in slos:
        for window in sorted({b.long for b in s.windows}):
            burn_targets.append((q.burn_rate(s, window), q.series_legend(s, format_duration(window))))
    grid.add(
        timeseries(
            "Burn rate",
            [prom(expr, legend, ref) for (expr, legend), ref in zip(burn_targets, refs(len(burn_targets)))],
            "suffix:×",
            "Error ratio divided by the error budget, over each alert's long window; 1× spends the budget "
            "exactly over the period.",
        ),
        width=16,
    )
    paces = [(s, max(b.long for b in s.windows)) for s in slos]
    grid.add(
        stat(
            "Error budget runs out in",
            [
                prom(q.budget_runs_out_in(s, pace), q.series_legend(s, f"at the {format_duration(pace)} pace"), ref, instant=True)
                for (s, pace), ref in zip(paces, names)
            ],
            "s",
            "Forecast: the budget left divided by the burn rate over each SLO's longest alert window, per cluster. "
            "Empty while nothing burns; 0 once the budget is spent.",
            noValue="not burning",
        ),
        width=8,
    )


def _red_section(grid: Grid, service: Service) -> None:
    metrics = resolve_metrics(service)
    rate, errors = q.request_rate(metrics), q.error_ratio(metrics)
    quantiles = [(x, q.latency_quantile(metrics, x)) for x in QUANTILES]
    if not (rate or errors or metrics.duration):
        return
    grid.section("Requests, errors, duration")
    if rate:
        last_week = q.request_rate(metrics, offset="1w") or ""
        grid.add(
            timeseries(
                "Requests",
                [prom(rate, "requests", "A"), prom(last_week, "same time last week", "B")],
                "reqps",
                "Requests per second, and the same hour one week earlier for comparison.",
            ),
            width=8,
        )
    if errors:
        grid.add(timeseries("Error ratio", [prom(errors, "errors")], "percentunit", "Failed over all requests."), width=8)
    latency = [(x, e) for x, e in quantiles if e]
    if latency:
        grid.add(
            timeseries(
                "Latency percentiles",
                [prom(expr, f"p{x * 100:g}", ref) for (x, expr), ref in zip(latency, refs(len(latency)))],
                "s",
                "Request duration percentiles from the latency histogram.",
            ),
            width=8,
        )
    buckets = q.latency_buckets(metrics)
    if buckets:
        grid.add(
            heatmap(
                "Latency distribution",
                prom(buckets, "" if metrics.native_histograms else "{{le}}", buckets=True),
                "reqps",
                "s",
                "Requests per second in each latency bucket.",
            ),
            width=24,
        )


def _dependency_section(grid: Grid, plan: Plan, service: Service, grafana_url: str) -> list[str]:
    """The dependencies' error budgets and traced calls; returns the other tenants the panels read."""
    callees = sorted(service.depends_on)
    callers = sorted(plan.dependents.get(service.name, ()))
    grid.section("Dependencies")
    # A service of another tenant opens on its own tenant: this dashboard's datasources would show it empty.
    links = [
        panel_link(
            f"{name} ({role})",
            dashboard_url(grafana_url, service_uid(name))
            + (PANEL_LINK_CONTEXT if plan.services[name].tenant == service.tenant else TIME_LINK_CONTEXT),
        )
        for names, role in ((callees, "dependency"), (callers, "dependent"))
        for name in names
    ]
    budgeted = services_by_tenant(plan, [name for name in callees if plan.slos_of(name)])
    held = others(budgeted, service.tenant)
    if budgeted:
        queries = [
            (tenant, f"min by (service, slo) ({q.budget_remaining(names)})", "{{service}} {{slo}}")
            for tenant, names in budgeted.items()
        ]
        grid.add(
            budget_bargauge(
                "Error budget left of dependencies",
                per_tenant(queries, service.tenant, instant=True),
                "An outage of a dependency shows here first; its alerts inhibit this service's symptoms. "
                "One bar per SLO: the cluster furthest from its objective"
                + (", read from the Mimir tenant of each dependency." if held else "."),
                datasource=panel_source(list(budgeted), service.tenant),
                links=links,
            ),
            width=8,
        )
    traced = [
        (
            "Calls to dependencies (sampled traces)",
            q.dependency_calls(service.name),
            "reqps",
            (
                "Requests from this service to each server in the traces tail sampling kept, from Tempo's "
                "service-graph metrics: a share of all requests, larger for failing and slow ones."
            ),
        ),
        (
            "Failed calls to dependencies (traced)",
            q.dependency_failures(service.name),
            "reqps",
            (
                "Failed requests per second from this service to each server. Tail sampling keeps every "
                "trace with an error, so these are all of them; the calls beside them are sampled, so no "
                "share of the two is shown (it would read several times too high)."
            ),
        ),
    ]
    for title, expr, unit, description in traced:
        grid.add(timeseries(title, [prom(expr, "{{server}}")], unit, description, links=links), width=8)
    return held


def _log_rules(grid: Grid, service: Service) -> None:
    """Series the Loki ruler records for the service (the logs area's rules)."""
    sel = "{" + matchers({"service": service.name}) + f', {CLUSTER_LABEL}=~"$cluster"' + "}"
    grid.add(
        timeseries(
            "Error log ratio",
            [prom(f"{ERROR_RATIO}{sel}", f"{{{{{CLUSTER_LABEL}}}}}")],
            "percentunit",
            "Error-level log lines over all log lines, per cluster, recorded by the Loki ruler.",
        ),
        width=12,
    )
    if service.logs and service.logs.error_classes:
        grid.add(
            timeseries(
                "Error lines by class",
                [prom(f"sum by (error_class) ({ERROR_CLASS_RATE}{sel})", "{{error_class}}")],
                "suffix: lines/s",
                "Error log lines per second by the error class the collector assigned.",
                stacking=STACKED,
            ),
            width=12,
        )


def _logs_and_traces(grid: Grid, service: Service) -> None:
    grid.section("Logs and traces")
    labels = stream_labels(service, service.logs) if service.logs else {SERVICE_LABEL: service.name}
    stream = q.logql_stream(labels)
    grid.add(
        log_volume(
            "Log lines by level",
            f"sum by ({LEVEL_LABEL}) (rate({stream} [$__auto]))",
            f"{{{{{LEVEL_LABEL}}}}}",
            "Log lines per second of the service, by level.",
        ),
        width=24,
        height=6,
    )
    if service.logs:
        _log_rules(grid, service)
    grid.add(logs("Logs", stream, "The service's log lines in the selected range."), width=24, height=10)
    grid.add(
        trace_search("Recent traces", q.traceql_service(service.name), "Trace search in Tempo; open one below."),
        width=12,
        height=10,
    )
    grid.add(trace_view("Trace", "The trace whose id is in the trace_id box."), width=12, height=10)


def service_dashboard(plan: Plan, service: Service) -> Artifact:
    settings = plan.catalog.grafana
    grafana_url = plan.catalog.defaults.grafana_url
    slos = plan.slos_of(service.name)
    grid = Grid()
    if slos:
        _slo_section(grid, slos)
    _red_section(grid, service)
    anomaly_panels(grid, plan, service)
    resource_panels(grid, plan, service)
    kpi_panel(grid, plan, [service], "Business KPIs", service.tenant)
    security_panels(grid, plan, service)
    held = _dependency_section(grid, plan, service, grafana_url)
    _logs_and_traces(grid, service)
    runbooks = sorted({s.runbook_url.split("#", 1)[0] for s in slos})
    links = [
        dashboard_link(f"Team {service.team}", dashboard_url(grafana_url, grafana_uid("team", service.team))),
        *[external_link("Runbook", url, "What to do when an alert of this service fires") for url in runbooks],
    ]
    metrics = resolve_metrics(service)
    data: dict[str, Any] = dashboard(
        uid=service_uid(service.name),
        title=f"Service {service.name}",
        description=service.description,
        tags=["lgtmgen", "service", f"team:{service.team}", f"tier:{service.tier}"],
        grid=grid,
        settings=settings,
        templates=variables(
            service.tenant,
            query_variable("cluster", "Cluster", q.cluster_values(metrics)),
            textbox_variable("trace_id", "Trace id"),
            *held_variables(held),
            logs=True,
            traces=True,
        ),
        links=links,
    )
    return artifact(slug(service.team), f"service-{slug(service.name)}", data)
