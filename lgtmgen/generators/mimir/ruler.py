"""The Mimir ruler layout: per tenant, one namespace per team, plus federated groups.

Every rule group of a service lands in the tenant that holds the service's data
(`services[].tenant`), so no rule reads another tenant's series. Only two things get
groups with `source_tenants`: the declared roll-up tenant, and a journey whose steps
are services of several tenants (the tenant that evaluates it, see
`catalog.journey_tenancy`, reads the step tenants). The alerting layer's
own rules go to an `alerting` namespace: page escalation beside every tenant's
pages (it reads that tenant's `ALERTS`), the cluster outage where each
cluster's `up` is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lgtmgen.catalog.environments import non_production_clusters
from lgtmgen.catalog.journey_tenancy import journey_tenant, step_tenants
from lgtmgen.generators.alertmanager.alert_rules import (
    cluster_outage_group,
    cluster_silence_group,
    escalation_group,
)
from lgtmgen.generators.journeys import journey_rules
from lgtmgen.generators.recording_rules import chunked, cost_groups, costed_teams, service_groups
from lgtmgen.generators.recording_rules.service_families import kpi_dimensions
from lgtmgen.generators.recording_rules.tenant_families import additive_records, rollup_rules
from lgtmgen.generators.service_graph import known_service_groups
from lgtmgen.generators.service_graph import service_groups as graph_groups
from lgtmgen.generators.slo.groups import slo_rule_groups
from lgtmgen.plan import Plan
from lgtmgen.promql import selected_metrics

Group = dict[str, Any]
ROLLUP_NAMESPACE = "rollup"
ALERTING_NAMESPACE = "alerting"
SERVICE_GRAPH_NAMESPACE = "service-graph"
JOURNEYS_NAMESPACE = "journeys-federated"
COST_NAMESPACE = "cost"


@dataclass
class RulerLayout:
    """Groups by tenant and namespace; federated groups (with `source_tenants`) apart."""

    namespaces: dict[str, dict[str, list[Group]]] = field(default_factory=dict)
    federated: dict[str, dict[str, list[Group]]] = field(default_factory=dict)

    def add(self, tenant: str, namespace: str, groups: list[Group]) -> None:
        if groups:
            self.namespaces.setdefault(tenant, {}).setdefault(namespace, []).extend(groups)

    def add_federated(self, tenant: str, namespace: str, groups: list[Group]) -> None:
        """Groups that read their `source_tenants`, kept in namespaces of their own."""
        if groups:
            self.federated.setdefault(tenant, {}).setdefault(namespace, []).extend(groups)

    def group_count(self, tenant: str) -> int:
        plain = sum(len(g) for g in self.namespaces.get(tenant, {}).values())
        return plain + sum(len(g) for g in self.federated.get(tenant, {}).values())

    def may_read(self) -> dict[str, list[str]]:
        """Tenants whose data each tenant's rules read: itself, plus its federated groups' sources."""
        tenants = sorted({*self.namespaces, *self.federated})
        out = {t: [t] for t in tenants}
        for tenant, namespaces in self.federated.items():
            sources = {s for groups in namespaces.values() for g in groups for s in g["source_tenants"]}
            out[tenant] = sorted({tenant, *sources})
        return out

    def federated_sources(self) -> dict[str, dict[str, list[str]]]:
        """Per tenant and federated namespace, the tenants its groups read."""
        return {
            tenant: {
                namespace: sorted({s for g in groups for s in g["source_tenants"]})
                for namespace, groups in sorted(namespaces.items())
            }
            for tenant, namespaces in sorted(self.federated.items())
        }


def _split_by_source(groups: list[Group]) -> tuple[list[Group], list[Group]]:
    """(rules reading the step metrics, rules reading only the journey's own records), by group.

    The step rules aggregate every label away (`sum`, `histogram_quantile` by `le`), so the
    `__tenant_id__` label a federated query adds never reaches a record; the rules on the
    records then run in a plain group of the owner's tenant, where those records are written.
    """
    records = {r["record"] for g in groups for r in g["rules"] if "record" in r}
    federated, local = [], []
    for group in groups:
        steps = [r for r in group["rules"] if selected_metrics(r["expr"]).names - records]
        own = [r for r in group["rules"] if not selected_metrics(r["expr"]).names - records]
        if steps:
            federated.append({"name": f"{group['name']}:steps", "rules": steps})
        if own:
            local.append({**group, "rules": own})
    return federated, local


def _add_journeys(plan: Plan, layout: RulerLayout) -> None:
    """Each journey in its owner's tenant; one whose steps span tenants reads them federated."""
    if not plan.catalog.journeys:
        return
    groups = journey_rules(plan)["groups"]
    for journey in plan.catalog.journeys:
        prefix = f"journey:{journey.name}"
        own = [g for g in groups if g["name"] == prefix or g["name"].startswith(prefix + ":latency")]
        tenant = journey_tenant(journey, plan.services)
        if tenant is None:
            continue
        sources = step_tenants(journey, plan.services)
        if sources == [tenant]:
            layout.add(tenant, journey.team, own)
            continue
        federated, local = _split_by_source(own)
        layout.add_federated(
            tenant, JOURNEYS_NAMESPACE, [{**g, "source_tenants": sources} for g in federated]
        )
        layout.add(tenant, journey.team, local)


def _add_service_graph(plan: Plan, layout: RulerLayout) -> None:
    """Tempo writes each tenant's graph series under that tenant, so each service's edges stay there."""
    if not plan.catalog.services:
        return
    known = known_service_groups(plan)
    for tenant in sorted({s.tenant for s in plan.catalog.services}):
        layout.add(tenant, SERVICE_GRAPH_NAMESPACE, [dict(g) for g in known])
    settings = plan.catalog.traces.service_graph
    for service in plan.catalog.services:
        layout.add(service.tenant, service.team, graph_groups(plan, service, settings))


def _outage_tenants(plan: Plan) -> dict[str, list[str]]:
    """The tenants each cluster writes its `up` to (its own, else its services': every remote
    write of a cluster keeps the `up` of its Prometheus, `platform_up`), with the clusters that
    write to each; every tenant with services, and no cluster, when no cluster is declared."""
    tenants: dict[str, set[str]] = {}
    for cluster in plan.catalog.clusters:
        written = {cluster.tenant} if cluster.tenant is not None else {s.tenant for s in plan.services_in(cluster.name)}
        for tenant in written:
            tenants.setdefault(tenant, set()).add(cluster.name)
    if not tenants:
        return {s.tenant: [] for s in plan.catalog.services}
    return {tenant: sorted(clusters) for tenant, clusters in tenants.items()}


def _add_alerting(plan: Plan, layout: RulerLayout) -> None:
    """The cluster outage, then page escalation in every tenant that evaluates pages.

    `ALERTS` exists only in the tenant whose ruler evaluated the alert, so the
    escalation is repeated per tenant; it lists every escalating team because
    the outage page of another team's cluster may fire in any tenant.
    """
    settings = plan.catalog.alerting
    runbooks = plan.catalog.defaults.runbook_base_url
    if not plan.catalog.teams:
        return
    outage = settings.cluster_outage
    if outage is not None:
        for tenant, clusters in sorted(_outage_tenants(plan).items()):
            groups = [cluster_outage_group(outage, runbooks)]
            if clusters:
                groups.append(cluster_silence_group(outage, runbooks, clusters))
            layout.add(tenant, ALERTING_NAMESPACE, groups)
    escalating = sorted(t.name for t in plan.catalog.teams if t.escalate_to is not None)
    if escalating:
        for tenant in sorted(layout.namespaces):
            group = escalation_group(
                settings.escalation, escalating, runbooks, non_production_clusters(plan.catalog)
            )
            layout.add(tenant, ALERTING_NAMESPACE, [group])


def ruler_layout(plan: Plan) -> RulerLayout:
    """Every rule group of every rule generator, placed by tenant and team."""
    layout = RulerLayout()
    grafana_url = plan.catalog.defaults.grafana_url
    for service in plan.catalog.services:
        slos = plan.slos_of(service.name)
        if slos:
            layout.add(service.tenant, service.team, slo_rule_groups(slos, grafana_url, service.name))
        layout.add(service.tenant, service.team, service_groups(plan, service))
    for tenant in sorted({s.tenant for s in plan.catalog.services}):
        services = [s for s in plan.catalog.services if s.tenant == tenant]
        for group in cost_groups(plan, costed_teams(services)):
            team = group["name"].split(":")[2] if group["name"].startswith("metrics:cost:") else COST_NAMESPACE
            layout.add(tenant, team, [group])
    _add_journeys(plan, layout)
    _add_service_graph(plan, layout)
    _add_alerting(plan, layout)
    rollup = plan.catalog.mimir.rollup
    if rollup is not None:
        sources = [t for t in rollup.source_tenants if t in layout.namespaces]
        records = {
            name
            for tenant in sources
            for groups in layout.namespaces[tenant].values()
            for group in groups
            for name in additive_records(group["rules"])
        }
        dimensions = kpi_dimensions(s for s in plan.catalog.services if s.tenant in sources)
        rules = rollup_rules(rollup.keep_labels, records, dimensions)
        if sources and rules:
            layout.add_federated(
                rollup.tenant,
                ROLLUP_NAMESPACE,
                [{**group, "source_tenants": sorted(sources)} for group in chunked("rollup", rules)],
            )
    return layout
