"""Assemble a dashboard: variables, links, panels; normalise; wrap as an artifact."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
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
from lgtmgen.generators.grafana.normalise import number_panels, to_grafana12
from lgtmgen.generators.grafana.panel_skeletons import (
    Deferred,
    deferred,
    normalised_dashboard,
    normalised_panel,
)
from lgtmgen.naming import grafana_uid

DASHBOARDS_DIR = "grafana/dashboards"


_REFERENCE = ContextVar("grafana_reference_assembly", default=False)


@contextmanager
def reference_assembly() -> Iterator[None]:
    """Dashboards built inside are assembled the plain way: every panel by grafanalib, then normalised.

    The output is the same as the panel skeletons' (see `panel_skeletons`); the tests hold the two equal.
    """
    token = _REFERENCE.set(True)
    try:
        yield
    finally:
        _REFERENCE.reset(token)


def datasource_uid(plugin: str, tenant: str) -> str:
    """The provisioned uid of a tenant's datasource of one plugin type (mimir, loki, tempo)."""
    return grafana_uid(plugin, tenant)


def datasource_variable(variable: DatasourceVariable, tenant: str | None) -> Deferred[g.Template]:
    kind = {"prometheus": "mimir", "loki": "loki", "tempo": "tempo"}[variable.plugin]
    default = datasource_uid(kind, tenant) if tenant else None
    return _datasource_template(variable.name, variable.plugin, variable.label, default)


@deferred
def _datasource_template(name: str, plugin: str, label: str, default: str | None) -> g.Template:
    return g.Template(name=name, query=plugin, label=label, type="datasource", default=default)


@deferred
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


@deferred
def textbox_variable(name: str, label: str) -> g.Template:
    return g.Template(name=name, label=label, query="", type="textbox")


def variables(
    tenant: str | None, *extra: Deferred[g.Template], logs: bool = False, traces: bool = False
) -> list[Deferred[g.Template]]:
    chosen = [datasource_variable(METRICS, tenant)]
    if logs:
        chosen.append(datasource_variable(LOGS, tenant))
    if traces:
        chosen.append(datasource_variable(TRACES, tenant))
    return chosen + list(extra)


@deferred
def _grafanalib_dashboard(
    uid: str,
    title: str,
    description: str,
    refresh: str,
    time_from: str,
    templates: list[g.Template],
    links: list[g.DashboardLink],
    *tags: str,
) -> g.Dashboard:
    """The dashboard without its panels (the grid places those); the tags are texts, not part of the shape."""
    return g.Dashboard(
        title=title,
        uid=uid,
        description=description,
        tags=list(tags),
        panels=[],
        templating=g.Templating(list=templates),
        links=links,
        refresh=refresh,
        time=g.Time(time_from, "now"),
        timezone="browser",
    )


def dashboard(
    *,
    uid: str,
    title: str,
    tags: Sequence[str],
    grid: Grid,
    settings: GrafanaSettings,
    templates: Sequence[Deferred[g.Template]],
    links: Sequence[Deferred[g.DashboardLink]] = (),
    description: str = "",
) -> dict[str, Any]:
    """Build with grafanalib and normalise to Grafana 12 JSON (from skeletons unless in `reference_assembly`)."""
    time_from = f"now-{settings.time_range}"
    envelope = _grafanalib_dashboard(
        uid, title, description, settings.refresh, time_from, list(templates), list(links), *sorted(set(tags))
    )
    if _REFERENCE.get():
        built = envelope.build()
        built.panels = grid.built()
        return to_grafana12(built)
    panels = [normalised_panel(panel, grid_pos) for panel, grid_pos in grid.panels]
    number_panels(panels)
    return normalised_dashboard(envelope, panels)


def artifact(folder: str, name: str, data: dict[str, Any]) -> Artifact:
    return Artifact(
        path=f"{DASHBOARDS_DIR}/{folder}/{name}.json",
        role=Role.GRAFANA_DASHBOARD,
        data=data,
        format=Format.JSON,
    )


def dashboard_url(grafana_url: str, uid: str) -> str:
    return f"{grafana_url.rstrip('/')}/d/{uid}"
