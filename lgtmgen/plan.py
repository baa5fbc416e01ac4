"""The Plan: a frozen intermediate form with every default resolved.

Generators read only the Plan; they never see files or the raw document.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from lgtmgen.burn_windows import (
    SHORT_WINDOW_DIVISOR,
    WORKBOOK_30D,
    WORKBOOK_PERIOD,
    BurnWindow,
    Severity,
    burn_windows,
    derived_windows,
    override_windows,
    shortest_burn_window,
)
from lgtmgen.catalog.conventions import RequestMetrics, resolve_metrics
from lgtmgen.catalog.models import SLO, Catalog, Service, Team, Tenant
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.catalog.models.org import Cluster
from lgtmgen.promql import matchers
from lgtmgen.runbook_links import service_runbook_url

__all__ = [
    "SHORT_WINDOW_DIVISOR",
    "WORKBOOK_30D",
    "WORKBOOK_PERIOD",
    "BurnWindow",
    "Plan",
    "RequestMetrics",  # from the catalog layer: generators read a service's metrics with the Plan
    "SLOPlan",
    "Severity",
    "build_plan",
    "burn_windows",
    "catalog_digest",
    "derived_windows",
    "override_windows",
    "resolve_metrics",
    "runbook_url",
    "shortest_burn_window",
]

@dataclass(frozen=True, slots=True)
class SLOPlan:
    """One SLO with everything a generator needs, resolved.

    `base_window` is the window of the recorded event counts every longer
    window is derived from (the shortest burn-rate window); `evaluation_interval`
    is the interval of the fast group that records them.
    """

    service: Service
    slo: SLO
    metrics: RequestMetrics
    objective: float
    period: int
    windows: tuple[BurnWindow, ...]
    evaluation_interval: int
    runbook_url: str
    scrape_interval: int = 30
    base_window: int = field(init=False)
    identity_selector: str = field(init=False)
    """The matchers of `identity`, e.g. ``service="api",slo="availability"`` (read thousands of times)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_window", min(w for b in self.windows for w in (b.long, b.short)))
        object.__setattr__(self, "identity_selector", matchers(self.identity))

    @property
    def group_by(self) -> tuple[str, ...]:
        """Aggregation labels of every recorded series: the cluster and the SLO's declared labels."""
        return ("cluster", *(label for label in self.slo.group_by if label != "cluster"))

    @property
    def error_budget(self) -> float:
        return round(1 - self.objective, 12)

    def raises(self, burn: BurnWindow) -> bool:
        """Whether the SLO raises `burn`'s alert: the switch of its severity (`alerting.page`, `.ticket`)."""
        alerting = self.slo.alerting
        return alerting.page if burn.severity == "page" else alerting.ticket

    @property
    def identity(self) -> dict[str, str]:
        """Labels that identify the SLO's recorded series (`SLO_SERIES_LABELS`, which an SLO may not be grouped by)."""
        return {"service": self.service.name, "slo": self.slo.name}


@dataclass(frozen=True)
class Plan:
    """Everything generators may read. Mappings are read-only; order follows the catalog."""

    catalog: Catalog
    teams: Mapping[str, Team]
    tenants: Mapping[str, Tenant]
    clusters: Mapping[str, Cluster]
    services: Mapping[str, Service]
    slos: tuple[SLOPlan, ...]
    dependents: Mapping[str, tuple[str, ...]]

    @functools.cached_property
    def catalog_digest(self) -> str:
        """Digest of the validated catalog, computed only when a bundle is written (not by validate)."""
        return catalog_digest(self.catalog)

    def services_in(self, cluster: str) -> list[Service]:
        """The services that run in `cluster` (a service that names no cluster runs in all), in catalog order."""
        return [s for s in self.catalog.services if not s.clusters or cluster in s.clusters]

    def team_tenant(self, team: str) -> str | None:
        """The tenant a team's dashboards open on (and whose Mimir their forecasts read): its first
        service's, in catalog order; None for a team that owns no service."""
        return next((s.tenant for s in self.catalog.services if s.team == team), None)

    def slos_of(self, service: str) -> list[SLOPlan]:
        """The SLOs of one service, in catalog order (indexed once, not scanned per call)."""
        index = self.__dict__.get("_slos_by_service")
        if index is None:
            index = {}
            for slo in self.slos:
                index.setdefault(slo.service.name, []).append(slo)
            object.__setattr__(self, "_slos_by_service", index)
        return list(index.get(service, ()))


def catalog_digest(catalog: Catalog) -> str:
    """Digest of everything the generators read: the validated catalog, defaults resolved, every
    mapping in the catalog's order, which the output follows (a selector's labels, for one). Two
    catalogs with one digest give one bundle, so the digest also keys the bundles a build remembers."""
    canonical = json.dumps(catalog.model_dump(mode="json", by_alias=True), separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def runbook_url(catalog: Catalog, service: Service, slo: SLO) -> str:
    """The SLO's section of the service's runbook."""
    return service_runbook_url(
        catalog.defaults.runbook_base_url, service.name, slo.name, service.runbook_url
    )


def build_plan(catalog: Catalog) -> Plan:
    """Resolve defaults; the catalog has passed validation and semantic checks."""
    defaults = catalog.defaults
    interval = int(parse_duration(defaults.evaluation_interval))
    slos: list[SLOPlan] = []
    dependents: dict[str, list[str]] = {s.name: [] for s in catalog.services}
    for service in catalog.services:
        for dependency in service.depends_on:
            dependents.setdefault(dependency, []).append(service.name)
        metrics = resolve_metrics(service)
        for slo in service.slos:
            period = int(parse_duration(slo.period or defaults.slo_period))
            slos.append(
                SLOPlan(
                    service=service,
                    slo=slo,
                    metrics=metrics,
                    objective=round(slo.objective / 100, 12),
                    period=period,
                    windows=override_windows(slo) or derived_windows(period, defaults),
                    evaluation_interval=interval,
                    runbook_url=runbook_url(catalog, service, slo),
                    scrape_interval=int(parse_duration(defaults.scrape_interval)),
                )
            )
    return Plan(
        catalog=catalog,
        teams=MappingProxyType({t.name: t for t in catalog.teams}),
        tenants=MappingProxyType({t.name: t for t in catalog.tenants}),
        clusters=MappingProxyType({c.name: c for c in catalog.clusters}),
        services=MappingProxyType({s.name: s for s in catalog.services}),
        slos=tuple(slos),
        dependents=MappingProxyType({k: tuple(sorted(v)) for k, v in dependents.items()}),
    )
