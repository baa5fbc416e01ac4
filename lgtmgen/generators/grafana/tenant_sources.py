"""Panels over series that other Mimir tenants hold.

A tenant's Mimir holds the series of its own services (their SLO records, request counters,
KPIs and span metrics) and the journeys its ruler evaluates; a dashboard reads one tenant
through `${metrics}`. A panel about services or journeys of other tenants reads each tenant
through a hidden datasource variable held to that tenant's Mimir datasource, named the same
on every dashboard (links carry variables by name, `includeVars`), and a panel over several
tenants is a Mixed panel with one query per tenant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import grafanalib.core as g  # type: ignore[import-untyped]

from lgtmgen.generators.grafana.dashboard import datasource_uid
from lgtmgen.generators.grafana.grafanalib_extensions import METRICS, DatasourceVariable
from lgtmgen.generators.grafana.layout import prom, refs
from lgtmgen.generators.grafana.panel_skeletons import Deferred, deferred
from lgtmgen.plan import Plan

MIXED = {"type": "datasource", "uid": "-- Mixed --"}
"""Grafana's Mixed datasource: each query of the panel names its own."""

HIDE_VARIABLE = 2


def tenant_variable(tenant: str) -> DatasourceVariable:
    """The hidden variable of one tenant's Mimir, named the same on every dashboard.

    The name is the tenant's datasource uid (``mimir-<tenant>-<hash>``, unique per tenant), with
    `-` made `_`: a variable name is letters, digits and `_`.
    """
    name = re.sub(r"\W", "_", datasource_uid("mimir", tenant))
    return DatasourceVariable(name, "prometheus", f"Mimir tenant {tenant}")


@deferred
def _held_datasource(name: str, label: str, uid: str, regex: str) -> g.Template:
    return g.Template(
        name=name, query="prometheus", label=label, type="datasource", default=uid, regex=regex, hide=HIDE_VARIABLE
    )


def _js_regex_escape(text: str) -> str:
    """`text` as a JavaScript regex matching it literally (Grafana tests datasource names in the browser)."""
    return re.sub(r"[\\^$.*+?()[\]{}|/-]", lambda m: "\\" + m.group(0), text)


def held_variables(tenants: Iterable[str]) -> list[Deferred[g.Template]]:
    """One hidden datasource variable per tenant (sorted), offering only that tenant's Mimir."""
    # The regex matches datasource names, which provisioning writes as "Mimir <tenant>".
    held = []
    for tenant in sorted(set(tenants)):
        variable = tenant_variable(tenant)
        regex = f"/^{_js_regex_escape(f'Mimir {tenant}')}$/"
        held.append(_held_datasource(variable.name, variable.label, datasource_uid("mimir", tenant), regex))
    return held


def services_by_tenant(plan: Plan, names: Iterable[str]) -> dict[str, list[str]]:
    """`names` (services) grouped by the tenant that holds their series, tenants sorted, names in order."""
    grouped: dict[str, list[str]] = {}
    for name in names:
        grouped.setdefault(plan.services[name].tenant, []).append(name)
    return dict(sorted(grouped.items()))


def source_of(tenant: str, own: str | None) -> dict[str, str]:
    """The datasource of a query of `tenant`'s series on a dashboard that reads `own` through `${metrics}`."""
    return METRICS.ref if tenant == own else tenant_variable(tenant).ref


def panel_source(tenants: Sequence[str], own: str | None) -> dict[str, str]:
    """A panel's datasource: the one tenant's, else Mixed."""
    return source_of(tenants[0], own) if len(tenants) == 1 else MIXED


def titled(title: str, tenant: str, own: str | None) -> str:
    """A panel's title, naming the tenant it reads when that is not the dashboard's."""
    return title if tenant == own else f"{title} (tenant {tenant})"


def others(tenants: Iterable[str], own: str | None) -> list[str]:
    """The tenants of `tenants` a dashboard reading `own` needs a hidden variable for."""
    return sorted({t for t in tenants if t != own})


def per_tenant(
    queries: Sequence[tuple[str, str, str]], own: str | None, **options: Any
) -> list[Deferred[g.Target]]:
    """PromQL targets (tenant, expr, legend), each on its tenant's datasource, refs in order."""
    return [
        prom(expr, legend, ref, datasource=source_of(tenant, own), **options)
        for (tenant, expr, legend), ref in zip(queries, refs(len(queries)), strict=True)
    ]
