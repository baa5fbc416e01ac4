"""OpenSLO v1 documents (SLO, SLI, Service) to catalog entries: ratio and threshold metrics."""

from __future__ import annotations

import re
from typing import Any

from lgtmgen.catalog.models import WINDOW_PLACEHOLDER
from lgtmgen.importers import Imported, SpecOrigin, counted, mapping, number, percent, spec_location
from lgtmgen.promql import selector_error

CARRIED_SPEC_KEYS = {"service", "indicator", "indicatorRef", "timeWindow", "objectives", "description", "budgetingMethod"}
CARRIED_OBJECTIVE_KEYS = {"displayName", "target", "targetPercent", "op", "value"}
THRESHOLD_STEP = "1m"
COMPARISONS = {"lte": "<=", "lt": "<", "gte": ">=", "gt": ">"}
# OpenSLO's duration shorthand: m h d w keep their meaning in a catalog duration; M (month)
# and Q (quarter) have no fixed length; Y is spelt y.
OPENSLO_DURATION = re.compile(r"^([0-9]+)([mhdwMQY])$")


def _query(source: object) -> str:
    spec = mapping(mapping(mapping(source).get("metricSource")).get("spec"))
    return str(spec.get("query") or spec.get("promql") or "")


def _period(duration: object) -> str | None:
    """The catalog period of an OpenSLO `timeWindow` duration, or None when it has no fixed length."""
    match = OPENSLO_DURATION.match(str(duration))
    if match is None or match[2] in "MQ":
        return None
    return f"{match[1]}{match[2].lower()}"


def _ratio_sli(ratio: dict[str, Any]) -> dict[str, Any] | None:
    """Counter selectors become an events SLI; queries with a window placeholder a custom one."""
    side = "bad" if "bad" in ratio else "good"
    queries = {side: _query(ratio.get(side)), "total": _query(ratio.get("total"))}
    if not all(queries.values()):
        return None
    if all(selector_error(q) is None for q in queries.values()):
        return {"kind": "events", **queries}
    if all(WINDOW_PLACEHOLDER in q for q in queries.values()):
        part, total = counted([queries[side], queries["total"]])
        return {"kind": "custom", f"{side}_query": part, "total_query": total}
    return None


def _threshold_sli(threshold: dict[str, Any], objective: dict[str, Any]) -> dict[str, Any] | None:
    """Samples of the query that meet the objective's bound, over all samples (a time-slice SLI)."""
    query = _query(threshold)
    compare = COMPARISONS.get(str(objective.get("op", "lte")))
    bound = number(objective.get("value"))
    if not query or compare is None or bound is None:
        return None
    window = f"[{WINDOW_PLACEHOLDER}:{THRESHOLD_STEP}]"
    return {
        "kind": "custom",
        "good_query": f"sum(count_over_time((({query}) {compare} {bound!r}){window}))",
        "total_query": f"sum(count_over_time(({query}){window}))",
    }


def _target(objective: dict[str, Any]) -> float | None:
    if (target_percent := number(objective.get("targetPercent"))) is not None:
        return target_percent
    target = number(objective.get("target"))
    return None if target is None else percent(target)


def _name(document: dict[str, Any]) -> str | None:
    name = mapping(document.get("metadata")).get("name")
    return None if name is None else str(name)


def import_openslo(documents: list[tuple[str, dict[str, Any]]], team: str, tenant: str) -> Imported:
    """Catalog entries for every OpenSLO `SLO` of `documents`; `SLI` documents resolve `indicatorRef`."""
    result = Imported()
    indicators = {
        str(_name(d)): mapping(d.get("spec"))
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
        spec = mapping(document.get("spec"))
        name = _name(document)
        at = spec_location(source, document)
        where = f"{at}: SLO {name!r}"
        if name is None or not isinstance(spec.get("service"), str | int):
            result.skip(f"{where}: an SLO needs metadata.name and spec.service")
            continue
        indicator = mapping(spec.get("indicator")).get("spec") or indicators.get(str(spec.get("indicatorRef")))
        if not isinstance(indicator, dict):
            result.skip(f"{where}: indicator {spec.get('indicatorRef')!r} not found")
            continue
        for extra in sorted(set(spec) - CARRIED_SPEC_KEYS):
            result.not_carried.append(f"{where}: spec.{extra}")
        if spec.get("budgetingMethod") not in (None, "Occurrences", "Timeslices"):
            result.not_carried.append(f"{where}: budgetingMethod {spec['budgetingMethod']} (counted as occurrences)")
        windows = spec.get("timeWindow") if isinstance(spec.get("timeWindow"), list) else []
        window = mapping(windows[0]) if windows else {}
        period = _period(window.get("duration")) if window else None
        if window and period is None:
            result.not_carried.append(
                f"{where}: time window {window.get('duration')!r} (no fixed length; the default period applies)"
            )
        if window.get("isRolling") is False:
            result.not_carried.append(f"{where}: calendar-aligned time window (lgtmgen periods are rolling)")
        service = result.service(str(spec["service"]), team, tenant)
        objectives = [mapping(o) for o in spec.get("objectives") or []] if isinstance(spec.get("objectives"), list) else []
        for n, objective in enumerate(objectives):
            slo_name = name if len(objectives) == 1 else f"{name}-{objective.get('displayName') or n + 1}"
            target = _target(objective)
            if target is None:
                result.skip(f"{where}: objective {slo_name!r} without a numeric target")
                continue
            for extra in sorted(set(objective) - CARRIED_OBJECTIVE_KEYS):
                result.not_carried.append(f"{where}: objectives[{n}].{extra}")
            entry: dict[str, Any] = {"name": slo_name, "objective": target}
            if spec.get("description"):
                entry["description"] = str(spec["description"])
            if period is not None:
                entry["period"] = period
            if "ratioMetric" in indicator:
                sli = _ratio_sli(mapping(indicator["ratioMetric"]))
                if sli is None:
                    result.skip(f"{where}: ratio queries that are neither counter selectors nor use {WINDOW_PLACEHOLDER}")
                    continue
                entry["sli"] = sli
            elif "thresholdMetric" in indicator:
                threshold = _threshold_sli(mapping(indicator["thresholdMetric"]), objective)
                if threshold is None:
                    result.skip(f"{where}: threshold metric without a query, an op or a value")
                    continue
                entry["sli"] = threshold
            else:
                result.skip(f"{where}: indicator without ratioMetric or thresholdMetric")
                continue
            result.add_slo(service, entry, SpecOrigin(spec_location(source, objective), at))
    return result
