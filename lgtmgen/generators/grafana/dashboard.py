"""Assemble a dashboard: variables, links, panels; normalise; wrap as an artifact."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import grafanalib.core as g  # type: ignore[import-untyped]

from lgtmgen.artifacts import Artifact, Format, Role
from lgtmgen.catalog.models.grafana import GrafanaSettings
from lgtmgen.generators.grafana.grafanalib_extensions import (
    LOGS,
    METRICS,
    TRACES,
    DatasourceVariable,
)
from lgtmgen.generators.grafana.layout import Grid
from lgtmgen.generators.grafana.normalise import to_grafana12
from lgtmgen.naming import grafana_uid

DASHBOARDS_DIR = "grafana/dashboards"


def datasource_uid(plugin: str, tenant: str) -> str:
    """The provisioned uid of a tenant's datasource of one plugin type (mimir, loki, tempo)."""
    return grafana_uid(plugin, tenant)


def datasource_variable(variable: DatasourceVariable, tenant: str | None) -> g.Template:
    kind = {"prometheus": "mimir", "loki": "loki", "tempo": "tempo"}[variable.plugin]
    default = datasource_uid(kind, tenant) if tenant else None
    template = g.Template(
        name=variable.name,
        query=variable.plugin,
        label=variable.label,
        type="datasource",
        default=default,
    )
    return template


def query_variable(name: str, label: str, query: str) -> g.Template:
    return g.Template(
        name=name,
        label=label,
        query=query,
        dataSource=METRICS.ref,
        includeAll=True,
        multi=True,
        allValue=".*",
    )


def textbox_variable(name: str, label: str) -> g.Template:
    return g.Template(name=name, label=label, query="", type="textbox")


def variables(tenant: str | None, *extra: g.Template, logs: bool = False, traces: bool = False) -> list[g.Template]:
    chosen = [datasource_variable(METRICS, tenant)]
    if logs:
        chosen.append(datasource_variable(LOGS, tenant))
    if traces:
        chosen.append(datasource_variable(TRACES, tenant))
    return chosen + list(extra)


def dashboard(
    *,
    uid: str,
    title: str,
    tags: Sequence[str],
    grid: Grid,
    settings: GrafanaSettings,
    templates: Sequence[g.Template],
    links: Sequence[g.DashboardLink] = (),
    description: str = "",
) -> dict[str, Any]:
    """Build with grafanalib and normalise to Grafana 12 JSON."""
    built = g.Dashboard(
        title=title,
        uid=uid,
        description=description,
        tags=sorted(set(tags)),
        panels=grid.panels,
        templating=g.Templating(list=list(templates)),
        links=list(links),
        refresh=settings.refresh,
        time=g.Time(f"now-{settings.time_range}", "now"),
        timezone="browser",
    )
    return to_grafana12(built)


def artifact(folder: str, name: str, data: dict[str, Any]) -> Artifact:
    return Artifact(
        path=f"{DASHBOARDS_DIR}/{folder}/{name}.json",
        role=Role.GRAFANA_DASHBOARD,
        data=data,
        format=Format.JSON,
    )


def dashboard_url(grafana_url: str, uid: str) -> str:
    return f"{grafana_url.rstrip('/')}/d/{uid}"
