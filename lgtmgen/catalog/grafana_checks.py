"""Semantic checks of the grafana area: capacity signals and the overview folder."""

from __future__ import annotations

from lgtmgen.catalog.models import Catalog
from lgtmgen.catalog.positions import PathStep
from lgtmgen.catalog.semantics import Reporter, reference_hint, report_unsupported_calls
from lgtmgen.naming import slug
from lgtmgen.promql import counter_reads, syntax_error

UNKNOWN_TEAM = "catalog/grafana-unknown-team"
CAPACITY_QUERY = "catalog/grafana-capacity-query"
CAPACITY_DUPLICATE = "catalog/grafana-capacity-duplicate"
CAPACITY_NOT_GAUGE = "catalog/grafana-capacity-not-gauge"
FOLDER_CLASH = "catalog/grafana-folder-clash"
TENANT_VARIABLE_CLASH = "catalog/grafana-tenant-variable-clash"


def capacity_signals_are_valid(catalog: Catalog, report: Reporter) -> None:
    """Capacity signals name a declared team, are unique per team, and their queries parse."""
    teams = {t.name for t in catalog.teams}
    seen: set[tuple[str, str]] = set()
    for index, signal in enumerate(catalog.grafana.capacity):
        base: list[PathStep] = ["grafana", "capacity", index]
        if signal.team not in teams:
            report.add(
                UNKNOWN_TEAM,
                f"capacity signal {signal.name!r} names team {signal.team!r}, which is not declared",
                [*base, "team"],
                hint=reference_hint(signal.team, teams, "team"),
            )
        if (signal.team, signal.name) in seen:
            report.add(
                CAPACITY_DUPLICATE,
                f"team {signal.team!r} already has a capacity signal named {signal.name!r}",
                [*base, "name"],
            )
        seen.add((signal.team, signal.name))
        for field, expr in zip(("usage", "limit"), signal.queries(), strict=True):
            problem = syntax_error(expr)
            if problem:
                report.add(CAPACITY_QUERY, f"{field} is not valid PromQL: {problem}", [*base, field])
            else:
                report_unsupported_calls(report, expr, [*base, field], field)
                _reads_levels(expr, [*base, field], report)


def _reads_levels(expr: str, path: list[PathStep], report: Reporter) -> None:
    """Usage and limit are levels (gauges), as the bundle's dashboard lint holds every panel query to.

    The lint refuses a rate over a fixed range (a panel's rate follows `$__rate_interval`) and a
    counter-named metric read without a rate; either would fail `lgtmgen check` after a clean build.
    """
    reads = counter_reads(expr)
    if reads.rate_functions:
        report.add(
            CAPACITY_NOT_GAUGE,
            f"{path[-1]} calls {', '.join(sorted(reads.rate_functions))}(): a capacity signal forecasts a level, "
            "not a rate",
            path,
            hint="read a gauge (bytes used, connections open); record a rate you must forecast under a gauge name",
        )
    if reads.unrated_counters:
        report.add(
            CAPACITY_NOT_GAUGE,
            f"{path[-1]} reads {', '.join(sorted(reads.unrated_counters))}, named like a counter "
            "(_total, _count, _sum, _bucket), as a level",
            path,
            hint="read a gauge; a gauge an exporter names like a counter needs a recording rule giving it a gauge name",
        )


def overview_folder_is_free(catalog: Catalog, report: Reporter) -> None:
    """The overview folder must not be a team's folder: both are directories of the same tree."""
    folder = catalog.grafana.overview_folder
    for index, team in enumerate(catalog.teams):
        if slug(team.name) == folder:
            report.add(
                FOLDER_CLASH,
                f"grafana.overview_folder {folder!r} is also the folder of team {team.name!r}",
                ["teams", index, "name"],
                hint="set grafana.overview_folder to a name no team uses",
            )


def tenant_variables_are_distinct(catalog: Catalog, report: Reporter) -> None:
    """Two tenants must not read their `X-Scope-OrgID` from one environment variable.

    `shop-prod` and `shop_prod` both become `<prefix>SHOP_PROD`: the second tenant's datasources
    would send the first one's id and show its data.
    """
    header = catalog.grafana.tenant_header
    if header.source != "env":
        return
    first: dict[str, str] = {}
    for index, tenant in enumerate(catalog.tenants):
        variable = header.variable(tenant.name)
        if first.get(variable) == tenant.name:
            continue  # the same tenant declared twice: catalog/duplicate-name says so
        if variable in first:
            report.add(
                TENANT_VARIABLE_CLASH,
                f"tenant {tenant.name!r} would read its X-Scope-OrgID from ${variable}, "
                f"the variable of tenant {first[variable]!r}",
                ["tenants", index, "name"],
                hint="rename one tenant, or set grafana.tenant_header.source to file",
            )
        first.setdefault(variable, tenant.name)
