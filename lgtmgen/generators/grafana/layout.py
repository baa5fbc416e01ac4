"""Panel and dashboard builders on top of grafanalib.

Panels are grafanalib objects; the datasource of every panel is a template
variable (`${metrics}`, `${logs}`, `${traces}`), so one dashboard serves every
tenant. What grafanalib lacks is in `grafanalib_extensions.py`; the legacy
fields grafanalib emits are removed in one place, `normalise.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import grafanalib.core as g  # type: ignore[import-untyped]

from lgtmgen.generators.grafana.grafanalib_extensions import (
    LOGS,
    METRICS,
    TRACES,
    Heatmap,
    LokiTarget,
    NodeGraph,
    TempoTarget,
    Traces,
)
from lgtmgen.generators.grafana.panel_skeletons import Deferred, deferred

P = TypeVar("P")

PANEL_WIDTH = 24
STACKED = {"mode": "normal", "group": "A"}
"""Time series stacked on each other (shares of a total: per team, per class)."""
GRAFANA_CURRENCIES = frozenset(
    {"USD", "GBP", "EUR", "JPY", "RUB", "UAH", "BRL", "DKK", "ISK", "NOK", "SEK", "CZK", "CHF", "PLN", "BTC", "ZAR",
     "INR", "KRW", "IDR", "PHP", "VND"}
)


def currency_unit(code: str) -> str:
    """Grafana's unit for a currency code, or the code as a suffix where Grafana has none."""
    return f"currency{code}" if code in GRAFANA_CURRENCIES else f"suffix: {code}"



@deferred
def prom(
    expr: str,
    legend: str = "",
    ref: str = "A",
    *,
    instant: bool = False,
    table: bool = False,
    buckets: bool = False,
    datasource: dict[str, str] | None = None,
) -> g.Target:
    """A PromQL target on the `${metrics}` datasource unless told (`buckets`: histogram buckets for a heatmap)."""
    return g.Target(
        expr=expr,
        legendFormat=legend,
        refId=ref,
        instant=instant,
        format="table" if table else "heatmap" if buckets else "time_series",
        datasource=datasource or METRICS.ref,
    )


def refs(count: int) -> list[str]:
    """refIds A, B, ..., Z, AA, AB, ..., ZZ, AAA, ... for `count` targets (any count)."""
    out = []
    for n in range(1, count + 1):
        name = ""
        while n:
            n, rest = divmod(n - 1, 26)
            name = chr(ord("A") + rest) + name
        out.append(name)
    return out


@deferred
def timeseries(
    title: str,
    targets: Sequence[Any],
    unit: str,
    description: str = "",
    *,
    datasource: dict[str, str] | None = None,
    **extra: Any,
) -> g.TimeSeries:
    return g.TimeSeries(
        title=title,
        description=description,
        dataSource=datasource or METRICS.ref,
        targets=list(targets),
        unit=unit,
        tooltipMode="multi",
        legendDisplayMode="list",
        **extra,
    )


@deferred
def stat(
    title: str,
    targets: Sequence[Any],
    unit: str,
    description: str = "",
    *,
    datasource: dict[str, str] | None = None,
    **extra: Any,
) -> g.Stat:
    options = {"reduceCalc": "lastNotNull", "graphMode": "none", **extra}
    return g.Stat(
        title=title,
        description=description,
        dataSource=datasource or METRICS.ref,
        targets=list(targets),
        format=unit,
        **options,
    )


@deferred
def bargauge(
    title: str,
    targets: Sequence[Any],
    unit: str,
    description: str = "",
    datasource: dict[str, str] | None = None,
    **extra: Any,
) -> g.BarGauge:
    return g.BarGauge(
        title=title,
        description=description,
        dataSource=datasource or METRICS.ref,
        targets=list(targets),
        format=unit,
        calc="lastNotNull",
        displayMode="gradient",
        orientation="horizontal",
        **extra,
    )


BUDGET_THRESHOLDS = [
    {"color": "red", "value": None},
    {"color": "orange", "value": 0.0},
    {"color": "green", "value": 0.25},
]
"""Error budget left: red once spent, orange in its last quarter."""


def budget_bargauge(title: str, targets: Sequence[Any], description: str, **extra: Any) -> Deferred[g.BarGauge]:
    """A bar gauge of error budget left (a ratio, 1 = untouched)."""
    return bargauge(title, targets, "percentunit", description, min=0, max=1, thresholds=BUDGET_THRESHOLDS, **extra)


@deferred
def table(
    title: str,
    targets: Sequence[Any],
    unit: str,
    description: str = "",
    datasource: dict[str, str] | None = None,
    **extra: Any,
) -> g.Table:
    return g.Table(
        title=title,
        description=description,
        dataSource=datasource or METRICS.ref,
        targets=list(targets),
        unit=unit,
        **extra,
    )


@deferred
def logs(title: str, expr: str, description: str = "") -> g.Logs:
    return g.Logs(
        title=title,
        description=description,
        dataSource=LOGS.ref,
        targets=[LokiTarget(expr)],
        showTime=True,
        wrapLogMessages=True,
        enableLogDetails=True,
    )


@deferred
def log_volume(title: str, expr: str, legend: str, description: str = "") -> g.TimeSeries:
    """A LogQL metric query drawn as a time series (log lines per second)."""
    return g.TimeSeries(
        title=title,
        description=description,
        dataSource=LOGS.ref,
        targets=[LokiTarget(expr, legendFormat=legend)],
        unit="short",
        tooltipMode="multi",
        stacking=STACKED,
    )


@deferred
def trace_search(title: str, traceql: str, description: str = "") -> g.Table:
    return g.Table(
        title=title,
        description=description,
        dataSource=TRACES.ref,
        targets=[TempoTarget(traceql, "traceql", limit=20)],
        unit="none",
    )


def _extension_panel(cls: type[P], title: str, description: str, source: Any, targets: list[Any], **extra: Any) -> P:
    """A panel of one of our grafanalib extensions.

    grafanalib is untyped, so mypy does not see the fields they inherit from Panel;
    they are passed as one mapping.
    """
    fields: dict[str, Any] = {"title": title, "description": description, "dataSource": source.ref, "targets": targets}
    return cls(**fields, **extra)


@deferred
def trace_view(title: str, description: str = "") -> Traces:
    return _extension_panel(Traces, title, description, TRACES, [TempoTarget("${trace_id}", "traceql")])


@deferred
def heatmap(title: str, target: g.Target, unit: str, y_unit: str, description: str = "") -> Heatmap:
    return _extension_panel(Heatmap, title, description, METRICS, [target], unit=unit, y_unit=y_unit)


@deferred
def service_map(title: str, description: str = "") -> NodeGraph:
    return _extension_panel(NodeGraph, title, description, TRACES, [TempoTarget("", "serviceMap")])


@deferred
def dashboard_link(title: str, url: str, tooltip: str = "") -> g.DashboardLink:
    """A link to another lgtmgen dashboard, keeping the time range and the variables (the tenant)."""
    return g.DashboardLink(
        title=title, uri=url, type="link", tooltip=tooltip, icon="dashboard", keepTime=True, includeVars=True
    )


PANEL_LINK_CONTEXT = "?var-metrics=${metrics}&var-logs=${logs}&var-traces=${traces}&from=${__from}&to=${__to}"
"""Query of a panel link to a service dashboard: panel links have no `includeVars`, so the tenant's
datasources and the time range are written as Grafana variables, which it fills in when clicked."""

TIME_LINK_CONTEXT = "?from=${__from}&to=${__to}"
"""Query of a panel link to the dashboard of a service of another tenant: the time range only, so
that dashboard opens on its own tenant's datasources."""


@deferred
def panel_link(title: str, url: str) -> g.DashboardLink:
    """A panel's link to another service dashboard; `url` ends in `PANEL_LINK_CONTEXT`."""
    return g.DashboardLink(title=title, uri=url, type="link", icon="dashboard", keepTime=False)


@deferred
def external_link(title: str, url: str, tooltip: str = "") -> g.DashboardLink:
    return g.DashboardLink(title=title, uri=url, type="link", tooltip=tooltip, icon="doc", keepTime=False)


@deferred
def row(title: str) -> g.RowPanel:
    return g.RowPanel(title=title)


GridPos = tuple[int, int, int, int]
"""Height, width, x and y of a panel, in grid units."""


@dataclass
class Grid:
    """Places panels left to right in rows of 24 units; a section starts a new row with a row panel."""

    panels: list[tuple[Deferred[Any], GridPos]]
    x: int = 0
    y: int = 0
    row_height: int = 0

    def __init__(self) -> None:
        self.panels = []
        self.x = self.y = self.row_height = 0

    def section(self, title: str) -> None:
        self._newline()
        self.panels.append((row(title), (1, PANEL_WIDTH, 0, self.y)))
        self.y += 1

    def add(self, panel: Deferred[Any], width: int = 12, height: int = 8) -> None:
        if self.x + width > PANEL_WIDTH:
            self._newline()
        self.panels.append((panel, (height, width, self.x, self.y)))
        self.x += width
        self.row_height = max(self.row_height, height)

    def built(self) -> list[Any]:
        """The grafanalib panels, built by their plain calls and placed (the reference path)."""
        placed = []
        for panel, (h, w, x, y) in self.panels:
            built = panel.build()
            built.gridPos = g.GridPos(h=h, w=w, x=x, y=y)
            placed.append(built)
        return placed

    def _newline(self) -> None:
        if self.x:
            self.y += self.row_height
        self.x = self.row_height = 0
