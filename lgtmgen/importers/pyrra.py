"""Pyrra `ServiceLevelObjective` objects (`pyrra.dev/v1alpha1`) to catalog entries.

Pyrra has no notion of a service: an object's service is its `pyrra.dev/service` label,
else the `job` its total selector matches exactly, else its namespace. Its team is the
`pyrra.dev/team` label, else the one given on the command line.
"""

from __future__ import annotations

from typing import Any

import promql_parser

from lgtmgen.catalog.models import WINDOW_PLACEHOLDER
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.catalog.models.slo import reserved_label_reason
from lgtmgen.importers import Imported, SpecOrigin, mapping, number, spec_location
from lgtmgen.promql import match_operator, selector_error, string_literal
from lgtmgen.promql import parse as parse_promql
from lgtmgen.sli import le_matcher

API_VERSION = "pyrra.dev/v1alpha1"
KIND = "ServiceLevelObjective"
SERVICE_LABEL = "pyrra.dev/service"
TEAM_LABEL = "pyrra.dev/team"
INDICATORS = ("ratio", "latency", "latencyNative", "bool_gauge")
CARRIED_SPEC_KEYS = {"description", "target", "window", "indicator", "alerting"}
CARRIED_ALERTING_KEYS = {"disabled", "burnrates", "absent"}
PLACEMENT = "cluster"
"""What lgtmgen keeps SLO series apart by; a custom query must keep it too."""


def _metric(query: object) -> str:
    value = mapping(query).get("metric")
    return value.strip() if isinstance(value, str) else ""


def _exact_job(selector: str) -> str | None:
    """The value of an exact `job="..."` matcher of a vector selector, if it has one."""
    try:
        parsed = parse_promql(selector)
    except ValueError:
        return None
    if not isinstance(parsed, promql_parser.VectorSelector):
        return None
    for matcher in parsed.matchers.matchers:
        if matcher.name == "job" and matcher.op == promql_parser.MatchOp.Equal and matcher.value:
            return str(matcher.value)
    return None


def _grouping(indicator: dict[str, Any], where: str, result: Imported) -> list[str]:
    """The indicator's grouping labels, less those an SLO may not be grouped by (listed as not carried)."""
    grouping = indicator.get("grouping")
    kept: list[str] = []
    for label in map(str, grouping) if isinstance(grouping, list) else ():
        if (why := reserved_label_reason(label)) is None:
            kept.append(label)
        else:
            result.not_carried.append(f"{where}: grouping by {label} ({why})")
    return kept


def _native_latency(indicator: dict[str, Any], where: str, result: Imported) -> dict[str, Any] | None:
    """A custom SLI: requests slower than `latency` out of all, from a native histogram."""
    selector = _metric(indicator.get("total"))
    try:
        threshold = parse_duration(str(indicator.get("latency", "")))
    except ValueError:
        result.skip(f"{where}: indicator.latencyNative.latency is not a duration")
        return None
    if selector_error(selector) is not None:
        result.skip(f"{where}: indicator.latencyNative.total.metric is not a vector selector")
        return None
    by = ", ".join(dict.fromkeys([PLACEMENT, *_grouping(indicator, where, result)]))
    histogram = f"increase({selector}[{WINDOW_PLACEHOLDER}])"
    return {
        "kind": "custom",
        "bad_query": f"sum by ({by}) (histogram_count({histogram}) * (1 - histogram_fraction(0, {threshold!r}, {histogram})))",
        "total_query": f"sum by ({by}) (histogram_count({histogram}))",
    }


def _sli(indicator: dict[str, Any], where: str, result: Imported) -> tuple[dict[str, Any] | None, list[str]]:
    """The catalog SLI of Pyrra's one indicator, and the labels it is grouped by."""
    present = [kind for kind in INDICATORS if kind in indicator]
    for extra in sorted(set(indicator) - set(INDICATORS)):
        result.not_carried.append(f"{where}: indicator.{extra}")
    if not present:
        result.skip(f"{where}: no ratio, latency, latencyNative or bool_gauge indicator")
        return None, []
    if len(present) > 1:
        result.skip(f"{where}: indicator has {' and '.join(present)}; Pyrra refuses more than one")
        return None, []
    kind = present[0]
    body = mapping(indicator[kind])
    if kind == "latencyNative":
        return _native_latency(body, where, result), []
    if kind == "bool_gauge":
        sli: dict[str, str] = {"kind": "probe", "selector": _metric(body)}
    elif kind == "ratio":
        sli = {"kind": "events", "bad": _metric(body.get("errors")), "total": _metric(body.get("total"))}
    else:
        sli = {"kind": "events", "good": _bucket_of_any_prometheus(_metric(body.get("success"))), "total": _metric(body.get("total"))}
    broken = sorted(key for key, value in sli.items() if key != "kind" and selector_error(value) is not None)
    if broken:
        result.skip(f"{where}: indicator.{kind} {', '.join(broken)} is not a vector selector")
        return None, []
    return sli, _grouping(body, where, result)


def _bucket_of_any_prometheus(selector: str) -> str:
    """`selector` with an exact `le` matcher of a whole number (`le="1"`) also matching `1.0`.

    Prometheus 3 writes a classic histogram's whole-number bounds as `1.0`, Prometheus 2 as the
    target exposed them; a bucket selector that matched nothing would count every request as
    slow (Pyrra's Prometheus 3 migration option rewrites them likewise). The matcher is the one
    lgtmgen's own latency SLIs read the threshold's bucket with (`lgtmgen.sli.le_matcher`). Any
    other selector is returned unchanged.
    """
    try:
        parsed = parse_promql(selector)
    except ValueError:
        return selector
    if not isinstance(parsed, promql_parser.VectorSelector) or not parsed.name or parsed.matchers.or_matchers:
        return selector
    rendered, changed = [], False
    for matcher in parsed.matchers.matchers:
        value = str(matcher.value)
        whole = value.removesuffix(".0")
        if matcher.name == "le" and matcher.op == promql_parser.MatchOp.Equal and whole.isdigit():
            rendered.append(le_matcher(float(whole)))
            changed = True
        else:
            rendered.append(f"{matcher.name}{match_operator(matcher.op)}{string_literal(value)}")
    return f"{parsed.name}{{{','.join(rendered)}}}" if changed else selector


def _alerting(spec: dict[str, Any], where: str, result: Imported) -> dict[str, Any]:
    alerting = mapping(spec.get("alerting"))
    out: dict[str, Any] = {}
    if alerting.get("disabled") is True or alerting.get("burnrates") is False:
        # Pyrra has no budget-exhausted alert: without burn-rate alerts, no ticket of that kind either.
        out["page"] = out["ticket"] = out["budget_exhausted"] = False
    if alerting.get("absent") is False or alerting.get("disabled") is True:
        out["absent"] = False
    for extra in sorted(set(alerting) - CARRIED_ALERTING_KEYS):
        result.not_carried.append(f"{where}: alerting.{extra} (lgtmgen names its alerts itself)")
    return out


def _service_of(metadata: dict[str, Any], spec: dict[str, Any]) -> str | None:
    labels = mapping(metadata.get("labels"))
    if isinstance(labels.get(SERVICE_LABEL), str) and labels[SERVICE_LABEL]:
        return str(labels[SERVICE_LABEL])
    indicator = mapping(spec.get("indicator"))
    for kind in INDICATORS:
        body = mapping(indicator.get(kind))
        job = _exact_job(_metric(body.get("total")) or _metric(body))
        if job:
            return job
    namespace = metadata.get("namespace")
    return str(namespace) if isinstance(namespace, str) and namespace else None


def import_pyrra(documents: list[tuple[str, dict[str, Any]]], team: str, tenant: str) -> Imported:
    """Catalog entries for every Pyrra object of `documents` ((source, parsed YAML) pairs)."""
    result = Imported()
    for source, document in documents:
        if document.get("kind") != KIND or document.get("apiVersion") != API_VERSION:
            result.not_carried.append(f"{source}: not a Pyrra object (apiVersion {API_VERSION}, kind {KIND})")
            continue
        metadata = mapping(document.get("metadata"))
        spec = mapping(document.get("spec"))
        at = spec_location(source, document)  # an object is one SLO: its document is its entry
        where = f"{at}: slo {metadata.get('name')!r}"
        objective = number(spec.get("target"))
        if not metadata.get("name") or objective is None:
            result.skip(f"{where}: an objective needs metadata.name and a numeric spec.target")
            continue
        service_name = _service_of(metadata, spec)
        if service_name is None:
            result.skip(f"{where}: no service (a {SERVICE_LABEL} label, an exact job matcher, or a namespace)")
            continue
        sli, grouping = _sli(mapping(spec.get("indicator")), where, result)
        if sli is None:
            continue
        labels = mapping(metadata.get("labels"))
        owner = labels.get(TEAM_LABEL)
        service = result.service(service_name, owner if isinstance(owner, str) and owner else team, tenant)
        entry: dict[str, Any] = {"name": str(metadata["name"]), "objective": objective}
        if spec.get("description"):
            entry["description"] = str(spec["description"])
        if isinstance(spec.get("window"), str) and spec["window"]:
            entry["period"] = spec["window"]
        entry["sli"] = sli
        if grouping:
            entry["group_by"] = grouping
        alerting = _alerting(spec, where, result)
        if alerting:
            entry["alerting"] = alerting
        for extra in sorted(set(spec) - CARRIED_SPEC_KEYS):
            result.not_carried.append(f"{where}: spec.{extra}")
        for label in sorted(set(labels) - {SERVICE_LABEL, TEAM_LABEL}):
            result.not_carried.append(f"{where}: label {label} (lgtmgen labels its rules itself)")
        for annotation in sorted(mapping(metadata.get("annotations"))):
            result.not_carried.append(f"{where}: annotation {annotation}")
        result.add_slo(service, entry, SpecOrigin(at, at))
    return result
