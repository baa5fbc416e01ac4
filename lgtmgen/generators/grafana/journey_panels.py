"""Journey panels read the Mimir tenant whose ruler evaluates each journey.

A journey's records (success, started, failed, revenue at risk, objective) are written
only in the tenant `journey_tenancy.journey_tenant` chooses, which need not be the
dashboard's tenant (`${metrics}`): a team's journey may run in the tenant of another of
its services, a cross-tenant journey in its owner's. So each evaluating tenant gets a
hidden datasource variable held to its Mimir datasource, every journey query selects the
journeys of one tenant through that tenant's variable, and a panel over journeys of
several tenants is a Mixed panel with one query per tenant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import grafanalib.core as g  # type: ignore[import-untyped]

from lgtmgen.catalog.journey_tenancy import journey_tenant
from lgtmgen.catalog.models.traces import Journey
from lgtmgen.generators.grafana import queries as q
from lgtmgen.generators.grafana.grafanalib_extensions import DatasourceVariable
from lgtmgen.generators.grafana.layout import prom, refs
from lgtmgen.generators.grafana.panel_skeletons import Deferred
from lgtmgen.generators.grafana.tenant_sources import panel_source, tenant_variable
from lgtmgen.plan import Plan


@dataclass(frozen=True, slots=True)
class JourneySource:
    """The journeys one tenant's ruler evaluates, and the dashboard variable reading that tenant."""

    tenant: str
    journeys: tuple[str, ...]

    @property
    def variable(self) -> DatasourceVariable:
        """The tenant's hidden Mimir variable (`tenant_sources`), even where it is the dashboard's own:
        switching `${metrics}` never empties a journey panel."""
        return tenant_variable(self.tenant)

    @property
    def selector(self) -> str:
        """The label matcher of this tenant's journeys."""
        return f"journey=~{q.regex_of(self.journeys)}"


def journey_sources(plan: Plan, journeys: Iterable[Journey]) -> list[JourneySource]:
    """The evaluating tenants of `journeys`, sorted, each with its journeys (sorted by name)."""
    by_tenant: dict[str, list[str]] = {}
    for journey in journeys:
        tenant = journey_tenant(journey, plan.services)
        if tenant is not None:
            by_tenant.setdefault(tenant, []).append(journey.name)
    return [
        JourneySource(tenant, tuple(sorted(names)))
        for tenant, names in sorted(by_tenant.items())
    ]


def panel_datasource(sources: Sequence[JourneySource]) -> dict[str, str]:
    """The panel's datasource: the one tenant's variable, else Mixed (no tenant is the dashboard's own)."""
    return panel_source([s.tenant for s in sources], own=None)


def journey_targets(
    sources: Sequence[JourneySource], queries: Sequence[tuple[Callable[[str], str], str]], **options: Any
) -> list[Deferred[g.Target]]:
    """Each query (PromQL of a journey matcher, legend) once per tenant, on that tenant's variable."""
    pairs = [(source, query, legend) for query, legend in queries for source in sources]
    return [
        prom(query(source.selector), legend, ref, datasource=source.variable.ref, **options)
        for (source, query, legend), ref in zip(pairs, refs(len(pairs)))
    ]
