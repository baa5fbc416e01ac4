"""What grafanalib lacks: datasource variables, Loki and Tempo targets, node graph, heatmap, traces.

The classes follow grafanalib's own shape (attrs, `to_json_data`), so dashboards
mix them freely with grafanalib panels; `normalise.py` treats them alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import attr
import grafanalib.core as g  # type: ignore[import-untyped]


@dataclass(frozen=True, slots=True)
class DatasourceVariable:
    """A dashboard variable choosing a datasource of one plugin type."""

    name: str
    plugin: str
    label: str

    @property
    def ref(self) -> dict[str, str]:
        return {"type": self.plugin, "uid": f"${{{self.name}}}"}


METRICS = DatasourceVariable("metrics", "prometheus", "Metrics (Mimir tenant)")
LOGS = DatasourceVariable("logs", "loki", "Logs (Loki tenant)")
TRACES = DatasourceVariable("traces", "tempo", "Traces (Tempo tenant)")


@attr.s
class LokiTarget:
    """A LogQL query of a Loki datasource."""

    expr: str = attr.ib()
    refId: str = attr.ib(default="A")
    legendFormat: str = attr.ib(default="")

    def to_json_data(self) -> dict[str, Any]:
        data = {"refId": self.refId, "datasource": LOGS.ref, "expr": self.expr, "queryType": "range"}
        if self.legendFormat:
            data["legendFormat"] = self.legendFormat
        return data


@attr.s
class TempoTarget:
    """A TraceQL query of a Tempo datasource (`queryType` traceql or serviceMap)."""

    query: str = attr.ib(default="")
    queryType: str = attr.ib(default="traceql")
    limit: int | None = attr.ib(default=None)
    refId: str = attr.ib(default="A")

    def to_json_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "refId": self.refId,
            "datasource": TRACES.ref,
            "queryType": self.queryType,
            "filters": [],
        }
        if self.query:
            data["query"] = self.query
        if self.limit is not None:
            data["limit"] = self.limit
        return data


@attr.s
class NodeGraph(g.Panel):  # type: ignore[misc]
    """The node graph panel, which grafanalib does not have."""

    unit: str = attr.ib(default="reqps")

    def to_json_data(self) -> Any:
        return self.panel_json(
            {
                "type": "nodeGraph",
                "fieldConfig": {"defaults": {"unit": self.unit}, "overrides": []},
                "options": {"nodes": {}, "edges": {}},
            }
        )


@attr.s
class Heatmap(g.Panel):  # type: ignore[misc]
    """The modern heatmap of pre-bucketed data (grafanalib's Heatmap is the Angular one)."""

    unit: str = attr.ib(default="reqps")
    y_unit: str = attr.ib(default="s")

    def to_json_data(self) -> Any:
        return self.panel_json(
            {
                "type": "heatmap",
                "fieldConfig": {"defaults": {"unit": self.unit}, "overrides": []},
                "options": {"calculate": False, "yAxis": {"axisPlacement": "left", "unit": self.y_unit}},
            }
        )


@attr.s
class Traces(g.Panel):  # type: ignore[misc]
    """The traces panel (one trace's spans), which grafanalib does not have."""

    def to_json_data(self) -> Any:
        return self.panel_json({"type": "traces", "options": {}})
