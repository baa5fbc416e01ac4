"""Sloth specs (`prometheus/v1` and Kubernetes `PrometheusServiceLevel`) to catalog entries."""

from __future__ import annotations

import re
from typing import Any

import promql_parser

from lgtmgen.catalog.models import WINDOW_PLACEHOLDER
from lgtmgen.importers import (
    Imported,
    SpecMapping,
    SpecOrigin,
    counted,
    mapping,
    number,
    spec_location,
)
from lgtmgen.promql import parse as parse_promql

SLOTH_WINDOW = re.compile(r"\{\{-?\s*\.window\s*-?\}\}")
"""Sloth renders its queries with Go's text/template: `{{.window}}`, `{{ .window }}`, `{{- .window -}}`."""
_NO_TRAFFIC_FILTER = re.compile(r"^(?P<query>.*\S)\s*>\s*0+(?:\.0*)?\s*$", re.DOTALL)
CARRIED_SLO_KEYS = {"name", "objective", "description", "sli", "alerting"}
CARRIED_ALERTING_KEYS = {"page_alert", "ticket_alert"}
# The Kubernetes form (`PrometheusServiceLevel`) spells the spec's keys in camelCase.
CRD_KEYS = {
    "errorQuery": "error_query",
    "totalQuery": "total_query",
    "errorRatioQuery": "error_ratio_query",
    "pageAlert": "page_alert",
    "ticketAlert": "ticket_alert",
}


def _snake_keys(value: Any) -> Any:
    """`value` with the Kubernetes form's camelCase keys renamed to the `prometheus/v1` spelling
    (a mapping keeps where it starts in the spec)."""
    if isinstance(value, dict):
        pairs: dict[Any, Any] = {CRD_KEYS.get(key, key): _snake_keys(item) for key, item in value.items()}
        renamed = SpecMapping(pairs)
        renamed.line, renamed.column = getattr(value, "line", 0), getattr(value, "column", 0)
        return renamed
    if isinstance(value, list):
        return [_snake_keys(item) for item in value]
    return value


def _query(text: str) -> str:
    return SLOTH_WINDOW.sub(WINDOW_PLACEHOLDER, text)


def _without_no_traffic_filter(query: str) -> str | None:
    """`query` without a final `> 0` that applies to all of it, else None.

    Sloth's advice for quiet services filters the total to keep its ratio from dividing by zero;
    lgtmgen's ratios stay 0 without traffic, and its absent-metrics ticket would take the
    filtered, vanished total for missing metrics.
    """
    found = _NO_TRAFFIC_FILTER.match(query)
    if found is None:
        return None
    mark = WINDOW_PLACEHOLDER
    try:
        whole = parse_promql(query.replace(mark, "5m"))
        parse_promql(found["query"].replace(mark, "5m"))
    except ValueError:
        return None
    comparison = isinstance(whole, promql_parser.BinaryExpr) and str(whole.op) == ">"
    if not comparison or (whole.modifier is not None and whole.modifier.return_bool):
        return None
    return str(found["query"])


def _spec(document: dict[str, Any], source: str, result: Imported) -> dict[str, Any] | None:
    if document.get("version") == "prometheus/v1":
        return document
    if document.get("kind") == "PrometheusServiceLevel":
        spec = document.get("spec")
        return _snake_keys(spec) if isinstance(spec, dict) else {}
    result.not_carried.append(f"{source}: not a Sloth spec (version prometheus/v1 or kind PrometheusServiceLevel)")
    return None


def _alerting(slo: dict[str, Any], where: str, result: Imported) -> dict[str, Any]:
    alerting = mapping(slo.get("alerting"))
    out: dict[str, Any] = {}
    for sloth_key, ours in (("page_alert", "page"), ("ticket_alert", "ticket")):
        alert = mapping(alerting.get(sloth_key))
        if alert.get("disable"):
            out[ours] = False
            if ours == "ticket":
                # lgtmgen's absent-metrics and budget-exhausted alerts are tickets too; Sloth has neither.
                out["absent"] = out["budget_exhausted"] = False
        for extra in sorted(set(alert) - {"disable"}):
            result.not_carried.append(f"{where}: alerting.{sloth_key}.{extra} (lgtmgen derives alert labels and annotations)")
    for extra in sorted(set(alerting) - CARRIED_ALERTING_KEYS):
        result.not_carried.append(f"{where}: alerting.{extra} (lgtmgen names and annotates its alerts itself)")
    return out


def import_sloth(documents: list[tuple[str, dict[str, Any]]], team: str, tenant: str) -> Imported:
    """Catalog entries for every SLO of the Sloth `documents` ((source, parsed YAML) pairs)."""
    result = Imported()
    for source, document in documents:
        spec = _spec(document, source, result)
        if spec is None:
            continue
        if not isinstance(spec.get("service"), str | int) or not isinstance(spec.get("slos"), list):
            result.skip(f"{source}: a Sloth spec needs a service name and a list of slos")
            continue
        service = result.service(str(spec["service"]), team, tenant)
        for key in sorted(set(spec) - {"version", "service", "slos"}):
            result.not_carried.append(f"{source}: {key} (service-wide labels are not part of the catalog)")
        for slo in spec["slos"]:
            slo = mapping(slo)
            origin = SpecOrigin(spec_location(source, slo), spec_location(source, document))
            where = f"{origin.slo}: slo {slo.get('name')!r}"
            objective = number(slo.get("objective"))
            if slo.get("name") is None or objective is None:
                result.skip(f"{where}: an SLO needs a name and a numeric objective")
                continue
            entry: dict[str, Any] = {"name": str(slo["name"]), "objective": objective}
            if slo.get("description"):
                entry["description"] = str(slo["description"])
            sli = mapping(slo.get("sli"))
            events = mapping(sli.get("events"))
            if isinstance(events.get("error_query"), str) and isinstance(events.get("total_query"), str):
                total_query = _query(events["total_query"])
                if (unfiltered := _without_no_traffic_filter(total_query)) is not None:
                    total_query = unfiltered
                    result.not_carried.append(
                        f"{where}: the total_query's final `> 0` (a ratio stays 0 without traffic here, and the "
                        "filtered total would raise the absent-metrics ticket)"
                    )
                bad, total = counted([_query(events["error_query"]), total_query])
                entry["sli"] = {"kind": "custom", "bad_query": bad, "total_query": total}
            elif "events" in sli:
                result.skip(f"{where}: sli.events without both error_query and total_query")
                continue
            else:
                kind = next(iter(sli), "none")
                result.skip(f"{where}: sli.{kind} (only event queries give the counts lgtmgen records)")
                continue
            alerting = _alerting(slo, where, result)
            if alerting:
                entry["alerting"] = alerting
            for extra in sorted(set(slo) - CARRIED_SLO_KEYS):
                result.not_carried.append(f"{where}: {extra}")
            result.add_slo(service, entry, origin)
    return result
