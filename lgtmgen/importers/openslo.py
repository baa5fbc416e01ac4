"""OpenSLO v1 documents (SLO, SLI, Service) to catalog entries: ratio and threshold metrics."""

from __future__ import annotations

from typing import Any

from lgtmgen.catalog.models import WINDOW_PLACEHOLDER
from lgtmgen.importers import Imported, percent
from lgtmgen.promql import selector_error

CARRIED_SPEC_KEYS = {"service", "indicator", "indicatorRef", "timeWindow", "objectives", "description", "budgetingMethod"}
THRESHOLD_STEP = "1m"
COMPARISONS = {"lte": "<=", "lt": "<", "gte": ">=", "gt": ">"}


def _query(source: dict[str, Any]) -> str:
    spec = (source.get("metricSource") or {}).get("spec") or {}
    return str(spec.get("query") or spec.get("promql") or "")


def _ratio_sli(ratio: dict[str, Any]) -> dict[str, Any] | None:
    """Counter selectors become an events SLI; queries with a window placeholder a custom one."""
    side = "bad" if "bad" in ratio else "good"
    queries = {side: _query(ratio[side]), "total": _query(ratio["total"])}
    if all(selector_error(q) is None for q in queries.values()):
        return {"kind": "events", **queries}
    if all(WINDOW_PLACEHOLDER in q for q in queries.values()):
        return {"kind": "custom", f"{side}_query": queries[side], "total_query": queries["total"]}
    return None


def _threshold_sli(threshold: dict[str, Any], objective: dict[str, Any]) -> dict[str, Any]:
    """Samples of the query that meet the objective's bound, over all samples (a time-slice SLI)."""
    query = _query(threshold)
    compare = COMPARISONS[str(objective.get("op", "lte"))]
    window = f"[{WINDOW_PLACEHOLDER}:{THRESHOLD_STEP}]"
    return {
        "kind": "custom",
        "good_query": f"sum(count_over_time((({query}) {compare} {objective['value']!r}){window}))",
        "total_query": f"sum(count_over_time(({query}){window}))",
    }


def _target(objective: dict[str, Any]) -> float:
    if "targetPercent" in objective:
        return float(objective["targetPercent"])
    return percent(float(objective["target"]))


def import_openslo(documents: list[tuple[str, dict[str, Any]]], team: str, tenant: str) -> Imported:
    """Catalog entries for every OpenSLO `SLO` of `documents`; `SLI` documents resolve `indicatorRef`."""
    result = Imported()
    indicators = {
        str(d["metadata"]["name"]): d.get("spec") or {}
        for _, d in documents
        if d.get("kind") == "SLI"
    }
    for source, document in documents:
        kind = document.get("kind")
        if kind in ("SLI", "Service"):
            continue
        if document.get("apiVersion") != "openslo/v1" or kind != "SLO":
            result.not_carried.append(f"{source}: {document.get('apiVersion')} {kind} is not an OpenSLO v1 SLO")
            continue
        spec = document.get("spec") or {}
        name = str(document["metadata"]["name"])
        where = f"{source}: SLO {name!r}"
        indicator = (spec.get("indicator") or {}).get("spec") or indicators.get(str(spec.get("indicatorRef")))
        if indicator is None:
            result.not_carried.append(f"{where}: indicator {spec.get('indicatorRef')!r} not found")
            continue
        windows = spec.get("timeWindow") or []
        for extra in sorted(set(spec) - CARRIED_SPEC_KEYS):
            result.not_carried.append(f"{where}: spec.{extra}")
        if spec.get("budgetingMethod") not in (None, "Occurrences", "Timeslices"):
            result.not_carried.append(f"{where}: budgetingMethod {spec['budgetingMethod']} (counted as occurrences)")
        service = result.service(str(spec["service"]), team, tenant)
        objectives = spec.get("objectives") or []
        for n, objective in enumerate(objectives):
            entry: dict[str, Any] = {
                "name": name if len(objectives) == 1 else f"{name}-{objective.get('displayName') or n + 1}",
                "objective": _target(objective),
            }
            if spec.get("description"):
                entry["description"] = str(spec["description"])
            if windows:
                entry["period"] = str(windows[0]["duration"])
                if windows[0].get("isRolling") is False:
                    result.not_carried.append(f"{where}: calendar-aligned time window (lgtmgen periods are rolling)")
            if "ratioMetric" in indicator:
                sli = _ratio_sli(indicator["ratioMetric"])
                if sli is None:
                    result.not_carried.append(
                        f"{where}: ratio queries that are neither counter selectors nor use {WINDOW_PLACEHOLDER}"
                    )
                    continue
                entry["sli"] = sli
            elif "thresholdMetric" in indicator:
                entry["sli"] = _threshold_sli(indicator["thresholdMetric"], objective)
            else:
                result.not_carried.append(f"{where}: indicator without ratioMetric or thresholdMetric")
                continue
            service["slos"].append(entry)
    return result
