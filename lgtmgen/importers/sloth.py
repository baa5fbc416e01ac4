"""Sloth specs (`prometheus/v1` and Kubernetes `PrometheusServiceLevel`) to catalog entries."""

from __future__ import annotations

from typing import Any

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

SLOTH_WINDOW = "{{.window}}"
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
    return text.replace(SLOTH_WINDOW, WINDOW_PLACEHOLDER)


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
            result.not_carried.append(f"{source}: a Sloth spec needs a service name and a list of slos")
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
                result.not_carried.append(f"{where}: an SLO needs a name and a numeric objective")
                continue
            entry: dict[str, Any] = {"name": str(slo["name"]), "objective": objective}
            if slo.get("description"):
                entry["description"] = str(slo["description"])
            sli = mapping(slo.get("sli"))
            events = mapping(sli.get("events"))
            if isinstance(events.get("error_query"), str) and isinstance(events.get("total_query"), str):
                bad, total = counted([_query(events["error_query"]), _query(events["total_query"])])
                entry["sli"] = {"kind": "custom", "bad_query": bad, "total_query": total}
            elif "events" in sli:
                result.not_carried.append(f"{where}: sli.events without both error_query and total_query")
                continue
            else:
                kind = next(iter(sli), "none")
                result.not_carried.append(f"{where}: sli.{kind} (only event queries give the counts lgtmgen records)")
                continue
            alerting = _alerting(slo, where, result)
            if alerting:
                entry["alerting"] = alerting
            for extra in sorted(set(slo) - CARRIED_SLO_KEYS):
                result.not_carried.append(f"{where}: {extra}")
            result.add_slo(service, entry, origin)
    return result
