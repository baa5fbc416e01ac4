"""Sloth specs (`prometheus/v1` and Kubernetes `PrometheusServiceLevel`) to catalog entries."""

from __future__ import annotations

from typing import Any

from lgtmgen.catalog.models import WINDOW_PLACEHOLDER
from lgtmgen.importers import Imported

SLOTH_WINDOW = "{{.window}}"
CARRIED_SLO_KEYS = {"name", "objective", "description", "sli", "alerting"}
CARRIED_ALERTING_KEYS = {"page_alert", "ticket_alert"}


def _query(text: str) -> str:
    return text.replace(SLOTH_WINDOW, WINDOW_PLACEHOLDER)


def _spec(document: dict[str, Any], source: str, result: Imported) -> dict[str, Any] | None:
    if document.get("version") == "prometheus/v1":
        return document
    if document.get("kind") == "PrometheusServiceLevel":
        return dict(document.get("spec") or {})
    result.not_carried.append(f"{source}: not a Sloth spec (version prometheus/v1 or kind PrometheusServiceLevel)")
    return None


def _alerting(slo: dict[str, Any], where: str, result: Imported) -> dict[str, Any]:
    alerting = slo.get("alerting") or {}
    out: dict[str, Any] = {}
    for sloth_key, ours in (("page_alert", "page"), ("ticket_alert", "ticket")):
        alert = alerting.get(sloth_key) or {}
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
        service = result.service(str(spec["service"]), team, tenant)
        for key in sorted(set(spec) - {"version", "service", "slos"}):
            result.not_carried.append(f"{source}: {key} (service-wide labels are not part of the catalog)")
        for slo in spec.get("slos") or []:
            where = f"{source}: slo {slo.get('name')!r}"
            entry: dict[str, Any] = {"name": str(slo["name"]), "objective": float(slo["objective"])}
            if slo.get("description"):
                entry["description"] = str(slo["description"])
            sli = slo.get("sli") or {}
            if "events" in sli:
                entry["sli"] = {
                    "kind": "custom",
                    "bad_query": _query(sli["events"]["error_query"]),
                    "total_query": _query(sli["events"]["total_query"]),
                }
            else:
                kind = next(iter(sli), "none")
                result.not_carried.append(f"{where}: sli.{kind} (only event queries give the counts lgtmgen records)")
                continue
            alerting = _alerting(slo, where, result)
            if alerting:
                entry["alerting"] = alerting
            for extra in sorted(set(slo) - CARRIED_SLO_KEYS):
                result.not_carried.append(f"{where}: {extra}")
            service["slos"].append(entry)
    return result
