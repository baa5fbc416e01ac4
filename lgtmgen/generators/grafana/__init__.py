"""Grafana: dashboards built with grafanalib as Grafana 12 JSON, and provisioning files."""

from __future__ import annotations

from collections.abc import Iterable

from lgtmgen.artifacts import Artifact
from lgtmgen.generators.grafana.overview_dashboards import overview_dashboards
from lgtmgen.generators.grafana.provisioning import dashboard_provider, datasource_files
from lgtmgen.generators.grafana.service_dashboard import service_dashboard
from lgtmgen.generators.grafana.team_dashboards import capacity_dashboard, team_dashboard
from lgtmgen.plan import Plan


class GrafanaDashboards:
    """One dashboard per service, per team, capacity where declared, and the organisation-wide ones."""

    name = "grafana-dashboards"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        return self.generate_shard(plan, 0, 1)

    def generate_shard(self, plan: Plan, index: int, count: int) -> Iterable[Artifact]:
        """Service dashboards of every `count`-th service from `index`; shard 0 also the rest."""
        for service in plan.catalog.services[index::count]:
            yield service_dashboard(plan, service)
        if index:
            return
        for team in plan.catalog.teams:
            for built in (team_dashboard(plan, team), capacity_dashboard(plan, team)):
                if built is not None:
                    yield built
        yield from overview_dashboards(plan)


class GrafanaProvisioning:
    """Datasources per tenant with their correlations, and the dashboard provider."""

    name = "grafana-provisioning"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        yield from datasource_files(plan)
        yield dashboard_provider(plan)


__all__ = ["GrafanaDashboards", "GrafanaProvisioning"]
