"""Dashboards against Grafana's dashboard, panel and query JSON Schemas (specs/upstream)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from jsonschema import Draft7Validator  # type: ignore[import-untyped]

from lgtmgen.checks.reference import specs_dir

MODERN_PANELS = {
    "timeseries": "timeseries", "stat": "stat", "gauge": "gauge", "bargauge": "bargauge", "table": "table",
    "text": "text", "logs": "logs", "nodeGraph": "nodegraph", "heatmap": "heatmap", "traces": None,
}
QUERY_SCHEMAS = {"prometheus": ("prometheus", "Dataquery"), "loki": ("loki", "dataquery"), "tempo": ("tempo", "Dataquery")}


@cache
def _definitions(name: str) -> dict[str, Any]:
    path = specs_dir() / "grafana-dashboard-schema" / f"{name}.jsonschema.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


@cache
def _validator(name: str, definition: str) -> Draft7Validator:
    schema = _definitions(name)
    return Draft7Validator({"$ref": f"#/definitions/{definition}", "definitions": schema["definitions"]})


def _errors(validator: Draft7Validator, value: Any, where: str) -> list[tuple[str, str]]:
    found = []
    for error in sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path))):
        path = where + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        path = path.lstrip(".")
        found.append((path, error.message))
    return found


def panels_of(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every panel with its JSON path, rows' collapsed panels included."""
    for index, panel in enumerate(doc.get("panels", [])):
        yield f"panels[{index}]", panel
        for inner, child in enumerate(panel.get("panels", [])):
            yield f"panels[{index}].panels[{inner}]", child


def schema_problems(doc: Any) -> list[tuple[str, str]]:
    """(path, message) of every place `doc` breaks Grafana's dashboard, panel or query schemas."""
    if not isinstance(doc, dict) or not isinstance(doc.get("panels"), list):
        return _errors(_validator("dashboard", "Dashboard"), doc, "")
    # Panels one by one: the schema's panel-or-row `oneOf` alone would only say "not valid".
    found = _errors(_validator("dashboard", "Dashboard"), {**doc, "panels": []}, "")
    for index, panel in enumerate(doc["panels"]):
        definition = "RowPanel" if isinstance(panel, dict) and panel.get("type") == "row" else "Panel"
        found += _errors(_validator("dashboard", definition), panel, f"panels[{index}]")
    for where, panel in panels_of(doc):
        kind = panel.get("type")
        schema = MODERN_PANELS.get(str(kind))
        if kind == "row":
            continue
        if schema:
            definitions = _definitions(schema)["definitions"]
            if "Options" in definitions:
                found += _errors(_validator(schema, "Options"), panel.get("options", {}), f"{where}.options")
            custom = panel.get("fieldConfig", {}).get("defaults", {}).get("custom")
            if "FieldConfig" in definitions and custom is not None:
                found += _errors(_validator(schema, "FieldConfig"), custom, f"{where}.fieldConfig.defaults.custom")
        elif kind == "traces" and panel.get("options"):
            found.append((f"{where}.options", "the traces panel takes no options"))
        for index, target in enumerate(panel.get("targets", [])):
            plugin = str((target.get("datasource") or panel.get("datasource") or {}).get("type", ""))
            if plugin in QUERY_SCHEMAS:
                found += _errors(_validator(*QUERY_SCHEMAS[plugin]), target, f"{where}.targets[{index}]")
    return found

