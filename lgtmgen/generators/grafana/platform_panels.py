"""Panels over the metrics platform's recording rules: resources, KPIs, security, cost.

The panels are derived from the rules that `lgtmgen.generators.recording_rules`
builds for the same Plan, so a dashboard reads exactly the series recorded,
and a family switched off (or a service without hints) draws nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lgtmgen.catalog.models import Service
from lgtmgen.generators.grafana import queries as q
from lgtmgen.generators.grafana.layout import (
    STACKED,
    Grid,
    currency_unit,
    prom,
    refs,
    stat,
    timeseries,
)
from lgtmgen.generators.grafana.tenant_sources import others, panel_source, per_tenant
from lgtmgen.generators.recording_rules import cost_groups, costed_teams
from lgtmgen.generators.recording_rules.service_families import service_rules
from lgtmgen.generators.recording_rules.tenant_families import TEAM_COST
from lgtmgen.plan import Plan
from lgtmgen.promql import matchers

Rule = dict[str, Any]
CERTIFICATE_WARNING_DAYS = 21


def _family(plan: Plan, service: Service, name: str) -> list[Rule]:
    # Only the one family: the others (latency percentiles, RED) cost more and no panel reads them.
    return next((rules for _, rules in service_rules(service, plan.catalog.metrics, only={name})), [])


def _records(rules: list[Rule]) -> dict[str, Rule]:
    return {str(rule["record"]): rule for rule in rules}


def _own(service: Service) -> str:
    return "{" + matchers({"service": service.name}, q.CLUSTER_MATCHER) + "}"


def resource_panels(grid: Grid, plan: Plan, service: Service) -> None:
    """CPU and memory used against requested, where the service declares resource hints."""
    records = _records(_family(plan, service, "resources"))
    ratios = [(name, label) for name, label in (
        ("service:cpu_usage:ratio_requests", "CPU"),
        ("service:memory_usage:ratio_requests", "memory"),
    ) if name in records]
    if not records:
        return
    grid.section("Resources")
    if ratios:
        grid.add(
            timeseries(
                "Used of requested",
                [prom(f"max({name}{_own(service)})", label, ref) for (name, label), ref in zip(ratios, refs(len(ratios)), strict=True)],
                "percentunit",
                "CPU and memory used over the Kubernetes requests of the service's containers (worst cluster).",
            ),
            width=12,
        )
    if "service:cpu_usage:cores" in records:
        grid.add(
            timeseries("CPU used", [prom(f"sum(service:cpu_usage:cores{_own(service)})", "cores")], "short",
                       "CPU cores used by the service's containers."),
            width=6,
        )
    if "service:memory_usage:bytes" in records:
        grid.add(
            timeseries("Memory used", [prom(f"sum(service:memory_usage:bytes{_own(service)})", "working set")], "bytes",
                       "Working-set memory of the service's containers."),
            width=6,
        )


def kpi_targets(plan: Plan, services: list[Service]) -> Iterator[tuple[str, str, str]]:
    """(tenant, PromQL, legend) of every KPI the metrics platform records for `services`: across
    clusters by the KPI's own aggregation, one series per value of its dimensions."""
    for service in services:
        declared = {kpi.name: kpi for kpi in service.kpis}
        for rule in _family(plan, service, "kpis"):
            kpi = declared[rule["labels"]["kpi"]]
            sel = "{" + matchers({"service": service.name}) + "}"
            by = f" by ({', '.join(kpi.dimensions)}) " if kpi.dimensions else ""
            legend = " ".join([service.name, kpi.name, *(f"{{{{{label}}}}}" for label in kpi.dimensions)])
            yield service.tenant, f"{kpi.aggregation}{by}({rule['record']}{sel})", legend


def kpi_panel(grid: Grid, plan: Plan, services: list[Service], title: str, own: str | None) -> list[str]:
    """The KPIs of `services`, each read from its service's tenant on a dashboard reading `own`;
    returns the other tenants the panel reads."""
    queries = list(kpi_targets(plan, services))
    if not queries:
        return []
    tenants = sorted({tenant for tenant, _, _ in queries})
    grid.section(title)
    grid.add(
        timeseries(
            "KPIs",
            per_tenant(queries, own),
            "short",
            "Business KPIs recorded by the metrics platform (rates per second for counters).",
            datasource=panel_source(tenants, own),
        ),
        width=24,
    )
    return others(tenants, own)


def security_panels(grid: Grid, plan: Plan, service: Service) -> None:
    records = _records(_family(plan, service, "security"))
    if not records:
        return
    grid.section("Security posture")
    if "service:certificate_expiry:days" in records:
        grid.add(
            stat(
                "Certificate expiry",
                [prom(f"min(service:certificate_expiry:days{_own(service)})", instant=True)],
                "d",
                "Days until the first certificate of the service's namespace expires.",
                thresholds=[
                    {"color": "red", "value": None},
                    {"color": "orange", "value": 7},
                    {"color": "green", "value": CERTIFICATE_WARNING_DAYS},
                ],
                colorMode="background",
            ),
            width=6,
        )
    if "service:image_vulnerabilities:sum" in records:
        grid.add(
            timeseries(
                "Image vulnerabilities",
                [prom(f"sum by (severity) (service:image_vulnerabilities:sum{_own(service)})", "{{severity}}")],
                "short",
                "Known vulnerabilities in the service's images, by severity.",
            ),
            width=18,
        )


def cost_panels(grid: Grid, plan: Plan) -> None:
    """Hourly resource cost per team, where clusters declare unit prices."""
    if not cost_groups(plan, costed_teams(plan.catalog.services)):
        return
    currencies = sorted(
        {c.prometheus.prices.currency for c in plan.catalog.clusters if c.prometheus and c.prometheus.prices}
    )
    grid.section("Resource cost")
    for code in currencies:
        grid.add(
            timeseries(
                f"Resource cost per team ({code} per hour)",
                [prom(f'sum by (team) ({TEAM_COST}{{currency="{code}"}})', "{{team}}")],
                currency_unit(code),
                "CPU and memory used by each team's services times the clusters' unit prices.",
                stacking=STACKED,
            ),
            width=24,
        )
