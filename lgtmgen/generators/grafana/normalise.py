"""The one place where grafanalib's legacy-shaped JSON becomes modern Grafana 12 JSON.

grafanalib 0.7 writes schemaVersion 12, Angular-era keys (`rows`, `style`,
`span`, `minSpan`, `height`, `error`), string datasources and many nulls.
What leaves this module has only keys of Grafana's dashboard and panel
schemas (schemaVersion 42, the version of the pinned Grafana 12 schema),
options complete for each modern panel type, and no nulls except the base
threshold step, which Grafana itself writes as null (minus infinity).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import grafanalib.core as g  # type: ignore[import-untyped]

SCHEMA_VERSION = 42

MODERN_PANEL_TYPES = frozenset(
    {"timeseries", "stat", "gauge", "bargauge", "table", "text", "logs", "traces", "nodeGraph", "heatmap", "row"}
)

_DASHBOARD_KEYS = (
    "uid", "title", "description", "tags", "timezone", "editable", "graphTooltip", "time", "timepicker",
    "refresh", "links", "templating", "annotations", "panels",
)
_PANEL_KEYS = (
    "id", "type", "title", "description", "datasource", "gridPos", "links", "targets", "transformations",
    "fieldConfig", "options", "repeat", "repeatDirection",
)
_TARGET_KEYS = {
    "prometheus": ("refId", "datasource", "expr", "legendFormat", "instant", "range", "format", "editorMode"),
    "loki": ("refId", "datasource", "expr", "queryType", "legendFormat", "editorMode"),
    "tempo": ("refId", "datasource", "queryType", "query", "limit", "filters"),
}
_DASHBOARD_READ = frozenset(_DASHBOARD_KEYS) - {"panels"}
_PANEL_READ = frozenset(_PANEL_KEYS) | {"panels"}
"""The keys of grafanalib's JSON this module reads; the rest is legacy and never converted."""
_FIELD_DEFAULT_KEYS = ("unit", "decimals", "min", "max", "color", "thresholds", "mappings", "links", "noValue")

_LEGEND = {"displayMode": "list", "placement": "bottom", "showLegend": True, "calcs": []}
_REDUCE = {"calcs": ["lastNotNull"], "fields": "", "values": False}

# Options every modern panel type needs, merged under what grafanalib gives.
_OPTIONS: dict[str, dict[str, Any]] = {
    "timeseries": {"legend": _LEGEND, "tooltip": {"mode": "multi", "sort": "desc"}},
    "stat": {
        "graphMode": "none", "colorMode": "value", "justifyMode": "auto", "textMode": "auto",
        "wideLayout": True, "showPercentChange": False, "reduceOptions": _REDUCE,
        "percentChangeColorMode": "standard", "orientation": "auto",
    },
    "bargauge": {
        "displayMode": "gradient", "valueMode": "color", "namePlacement": "auto", "showUnfilled": True,
        "sizing": "auto", "minVizWidth": 8, "minVizHeight": 16, "maxVizHeight": 300,
        "legend": {**_LEGEND, "showLegend": False}, "reduceOptions": _REDUCE, "orientation": "horizontal",
    },
    "table": {"frameIndex": 0, "showHeader": True, "cellHeight": "sm"},
    "logs": {
        "showLabels": False, "showCommonLabels": False, "showTime": True, "showLogContextToggle": True,
        "wrapLogMessage": True, "prettifyLogMessage": False, "enableLogDetails": True,
        "sortOrder": "Descending", "dedupStrategy": "none",
    },
    "nodeGraph": {"nodes": {}, "edges": {}},
    "traces": {},
    "heatmap": {
        "calculate": False,
        "color": {
            "mode": "scheme", "scheme": "Oranges", "fill": "dark-orange", "scale": "exponential",
            "exponent": 0.5, "steps": 64, "reverse": False,
        },
        "showValue": "never", "cellGap": 1, "rowsFrame": {"layout": "auto"},
        "yAxis": {"axisPlacement": "left"}, "legend": {"show": True},
        "tooltip": {"mode": "single", "yHistogram": False}, "exemplars": {"color": "rgba(255,0,255,0.7)"},
    },
}
# Option keys of each type's schema; grafanalib's others are legacy.
_OPTION_KEYS: dict[str, frozenset[str]] = {
    "timeseries": frozenset({"legend", "tooltip"}),
    "stat": frozenset(_OPTIONS["stat"]),
    "bargauge": frozenset(_OPTIONS["bargauge"]),
    "table": frozenset({"frameIndex", "showHeader", "cellHeight", "sortBy", "footer"}),
    "logs": frozenset(_OPTIONS["logs"]),
    "nodeGraph": frozenset({"nodes", "edges"}),
    "traces": frozenset(),
    "heatmap": frozenset({"calculate", "yAxis"}),
}
_TIMESERIES_CUSTOM = {
    "drawStyle": "line", "lineInterpolation": "smooth", "lineWidth": 1, "fillOpacity": 10,
    "gradientMode": "none", "showPoints": "never", "pointSize": 4, "spanNulls": False,
    "axisPlacement": "auto", "axisBorderShow": False, "barAlignment": 0,
    "stacking": {"mode": "none", "group": "A"}, "scaleDistribution": {"type": "linear"},
    "thresholdsStyle": {"mode": "off"},
    "hideFrom": {"legend": False, "tooltip": False, "viz": False},
}
BASE_THRESHOLDS = {"mode": "absolute", "steps": [{"color": "green", "value": None}]}


_SCALARS = frozenset({str, int, float, bool})


def _plain(value: Any) -> Any:
    """grafanalib objects as plain JSON data, null fields dropped, in one walk.

    The same data as encoding with grafanalib's DashboardEncoder and decoding
    again, without the text in between. Scalars are copied without a call:
    a dashboard holds about two thousand of them.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    to_json_data = None if kind is dict or kind is list else getattr(value, "to_json_data", None)
    if to_json_data is not None:
        return _plain(to_json_data())
    if isinstance(value, dict):
        plain = {}
        for key, item in value.items():
            if type(item) in _SCALARS:
                plain[key if type(key) is str else str(key)] = item
            elif item is not None:
                converted = _plain(item)
                if converted is not None:
                    plain[key if type(key) is str else str(key)] = converted
        return plain
    if isinstance(value, (list, tuple)):
        return [item if type(item) in _SCALARS else _plain(item) for item in value]
    return value


def _plain_keys(value: Any, keys: frozenset[str]) -> dict[str, Any]:
    """`_plain(value)` restricted to `keys`: grafanalib's legacy fields are never converted."""
    while (to_json_data := getattr(value, "to_json_data", None)) is not None:
        value = to_json_data()
    plain = {}
    for key, item in value.items():
        if key in keys and item is not None and (converted := _plain(item)) is not None:
            plain[key] = converted
    return plain


def _iter_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _iter_panels(panel.get("panels", []))


def number_panels(panels: list[dict[str, Any]]) -> None:
    """Give every panel without an id the next free one, in layout order (as grafanalib's auto_panel_ids)."""
    taken = {p["id"] for p in _iter_panels(panels) if p.get("id")}
    free = (i for i in itertools.count(1) if i not in taken)
    for panel in _iter_panels(panels):
        if not panel.get("id"):
            panel["id"] = next(free)


def _pick(data: dict[str, Any], keys: tuple[str, ...] | frozenset[str]) -> dict[str, Any]:
    return {k: data[k] for k in keys if k in data}


def _target(raw: dict[str, Any]) -> dict[str, Any]:
    plugin = str(raw.get("datasource", {}).get("type", "prometheus"))
    target = _pick(raw, _TARGET_KEYS[plugin])
    if plugin == "prometheus":
        target["editorMode"] = "code"
        if not target.get("legendFormat"):
            target.pop("legendFormat", None)
        target["range"] = not raw.get("instant", False)
        target["instant"] = bool(raw.get("instant", False))
    if plugin == "loki":
        target["editorMode"] = "code"
    return target


def _thresholds(raw: Any) -> dict[str, Any]:
    steps = raw.get("steps") if isinstance(raw, dict) else None
    if not isinstance(steps, list) or not steps:
        return BASE_THRESHOLDS
    # grafanalib writes Angular-era steps (op, yaxis, line, index) and the base value as "null".
    # The nulls pass removed the base step's value; it is minus infinity, written null.
    clean = [{"color": s["color"], "value": None if s.get("value") in (None, "null") else s["value"]} for s in steps]
    return {"mode": raw.get("mode", "absolute"), "steps": clean}


def _field_config(kind: str, raw: dict[str, Any], legacy_options: dict[str, Any]) -> dict[str, Any]:
    # Gauge-like panels of grafanalib keep unit, min, max in options.fieldOptions (Grafana 6).
    lifted = legacy_options.get("fieldOptions", {}).get("defaults", {})
    defaults = {**_pick(lifted, _FIELD_DEFAULT_KEYS), **_pick(raw.get("defaults", {}), _FIELD_DEFAULT_KEYS)}
    defaults["thresholds"] = _thresholds(defaults.get("thresholds"))
    if not defaults.get("links"):
        defaults.pop("links", None)
    if defaults.get("noValue") == "none":  # grafanalib's default would print the word "none"
        defaults.pop("noValue")
    if not defaults.get("color"):
        defaults.pop("color", None)
    if kind == "timeseries":
        defaults["custom"] = _TIMESERIES_CUSTOM
        defaults.setdefault("color", {"mode": "palette-classic"})
    if kind == "table":
        defaults["custom"] = {"align": "auto", "inspect": False}
    if kind == "heatmap":
        defaults["custom"] = {"scaleDistribution": {"type": "linear"}, "hideFrom": _TIMESERIES_CUSTOM["hideFrom"]}
    if kind in ("logs", "traces"):
        defaults.pop("thresholds", None)
        defaults.pop("mappings", None)
    else:
        defaults.setdefault("mappings", [])
    overrides = [
        {
            **override,
            "properties": [
                {**prop, "value": _thresholds(prop.get("value"))} if prop.get("id") == "thresholds" else prop
                for prop in override.get("properties", [])
            ],
        }
        for override in raw.get("overrides", [])
    ]
    return {"defaults": defaults, "overrides": overrides}


def _options(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    given = _pick(raw, _OPTION_KEYS[kind])
    calcs = raw.get("fieldOptions", {}).get("calcs")
    if kind in ("stat", "bargauge", "gauge") and calcs:
        given["reduceOptions"] = {"calcs": calcs}
    if kind in ("stat", "bargauge") and "reduceOptions" in given:
        given["reduceOptions"] = {**_REDUCE, "calcs": list(given["reduceOptions"].get("calcs") or ["lastNotNull"])}
    if kind == "timeseries":
        given = {}
    merged = {**_OPTIONS[kind], **given}
    return merged


def _link(raw: dict[str, Any]) -> dict[str, Any]:
    link = {
        "title": raw["title"], "type": "link", "url": raw.get("url", ""), "icon": raw.get("icon", "external link"),
        "tooltip": raw.get("tooltip", ""), "tags": [], "asDropdown": False, "targetBlank": False,
        "includeVars": bool(raw.get("includeVars", False)), "keepTime": bool(raw.get("keepTime", False)),
    }
    return link


def _panel(raw: dict[str, Any]) -> dict[str, Any]:
    kind = raw["type"]
    if kind not in MODERN_PANEL_TYPES:
        raise ValueError(f"panel {raw.get('title')!r} has legacy type {kind!r}")
    if kind == "row":
        return {"type": "row", "id": raw["id"], "title": raw["title"], "collapsed": False,
                "gridPos": raw["gridPos"], "panels": []}
    panel = _pick(raw, _PANEL_KEYS)
    panel["targets"] = [_target(t) for t in raw.get("targets", [])]
    panel["fieldConfig"] = _field_config(kind, raw.get("fieldConfig", {}), raw.get("options", {}))
    panel["options"] = _options(kind, raw.get("options", {}))
    panel["links"] = [_link(link) for link in raw.get("links", [])]
    if not panel.get("repeat"):  # grafanalib writes a null repeat and direction on every panel
        panel.pop("repeatDirection", None)
    for optional in ("transformations", "links", "description", "repeat"):
        if not panel.get(optional):
            panel.pop(optional, None)
    return panel


def _variable(raw: dict[str, Any]) -> dict[str, Any]:
    variable: dict[str, Any] = _pick(raw, ("type", "name", "label", "query", "datasource", "regex", "hide"))
    current: dict[str, Any] = raw.get("current") or {}
    if raw["type"] == "datasource":
        # grafanalib's null text and value (no default datasource) were dropped by the walk.
        chosen = current.get("value")
        variable["current"] = {"text": current["text"], "value": chosen} if chosen else None
        variable["refresh"] = 1
    elif raw["type"] == "textbox":
        value = str(raw.get("query", ""))
        variable["current"] = {"text": value, "value": value}
    else:
        variable.update(refresh=2, includeAll=bool(raw.get("includeAll")), multi=bool(raw.get("multi")),
                        sort=1, allValue=raw.get("allValue") or ".*")
        variable["current"] = {"text": "All", "value": "$__all"} if raw.get("includeAll") else None
    return {k: v for k, v in variable.items() if v is not None}


def to_grafana12(dashboard: g.Dashboard) -> dict[str, Any]:
    """Normalise a grafanalib dashboard into Grafana 12 dashboard JSON (schemaVersion 42)."""
    raw_panels = [_plain_keys(p, _PANEL_READ) for p in dashboard.panels]
    number_panels(raw_panels)
    return with_panels(dashboard, [_panel(p) for p in raw_panels])


def normalise_panel(panel: Any) -> dict[str, Any]:
    """One grafanalib panel as Grafana 12 panel JSON; its id is the one it has."""
    return _panel(_plain_keys(panel, _PANEL_READ))


def with_panels(dashboard: g.Dashboard, panels: list[dict[str, Any]]) -> dict[str, Any]:
    """Grafana 12 JSON of a grafanalib dashboard's own fields, with `panels` already normalised."""
    raw = _plain_keys(dashboard, _DASHBOARD_READ)
    raw["panels"] = panels
    out = _pick(raw, _DASHBOARD_KEYS)
    out["schemaVersion"] = SCHEMA_VERSION
    out["editable"] = False
    out["graphTooltip"] = 1
    out["timepicker"] = {"refresh_intervals": raw["timepicker"]["refresh_intervals"]}
    out["links"] = [_link(link) for link in raw.get("links", [])]
    out["templating"] = {"list": [_variable(v) for v in raw.get("templating", {}).get("list", [])]}
    out["annotations"] = {"list": [_grafana_annotations()]}
    if not out.get("description"):
        out.pop("description", None)
    return out


def _grafana_annotations() -> dict[str, Any]:
    return {
        "builtIn": 1, "name": "Annotations & Alerts", "type": "dashboard", "enable": True, "hide": True,
        "iconColor": "rgba(0, 211, 255, 1)", "datasource": {"type": "grafana", "uid": "-- Grafana --"},
    }
