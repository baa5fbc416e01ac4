"""The `otelcol` check: every collector file against specs/otelcol/components.json.

Component ids are `type` or `type/name`. Each receiver, processor, exporter, connector
and extension must be a known type whose keys exist with the right types (filelog
operators are checked by their own `type`); `service.pipelines` may only name
components that are defined, for signals they support, and every pipeline needs a
receiver and an exporter. The `tail_sampling` body is validated by the reference check.

Check ids: ``otelcol/unknown-section``, ``otelcol/unknown-component``,
``otelcol/undefined-component``, ``otelcol/unsupported-signal``, ``otelcol/empty-pipeline``,
``otelcol/unused-component`` (warning), and the reference walker's ``reference/*`` ids.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import CheckContext
from lgtmgen.checks.bundle_yaml import load_bundle_yaml
from lgtmgen.checks.reference.model import KeyReference, build_tree
from lgtmgen.checks.reference.walker import DocumentWalker
from lgtmgen.diagnostics import Diagnostic, Location, Severity
from lgtmgen.resources import SPECS_DIR

SPEC = SPECS_DIR / "otelcol" / "components.json"
KINDS = ("receivers", "processors", "exporters", "connectors", "extensions")


@cache
def load_spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    return spec


@cache
def _reference(kind: str, type_name: str) -> KeyReference:
    spec = load_spec()
    keys = (
        spec["stanza_operators"][type_name]
        if kind == "operator"
        else spec["components"][kind][type_name]["keys"]
    )
    return KeyReference(f"otelcol/{kind}/{type_name}", spec["header"], build_tree(keys), "otelcol")


class _Findings:
    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Diagnostic] = []

    def add(self, check: str, path: str, message: str, severity: Severity = Severity.ERROR) -> None:
        self.items.append(
            Diagnostic(check, message, severity=severity, location=Location(self.file), path=path)
        )

    def walk(self, kind: str, type_name: str, body: object, path: str) -> None:
        ref = _reference(kind, type_name)
        walker = DocumentWalker(ref, self.file, [])
        walker.walk(body, ref.root, path)
        self.items.extend(walker.findings)


def _type_of(component_id: str) -> str:
    return component_id.split("/", 1)[0]


def _check_operators(found: _Findings, body: object, path: str) -> None:
    operators = body.get("operators") if isinstance(body, dict) else None
    if not isinstance(operators, list):
        return
    known = load_spec()["stanza_operators"]
    for index, operator in enumerate(operators):
        where = f"{path}.operators[{index}]"
        kind = operator.get("type") if isinstance(operator, dict) else None
        if kind not in known:
            found.add(
                "otelcol/unknown-component", where, f"{where}: unknown operator type {kind!r}"
            )
            continue
        found.walk("operator", str(kind), operator, where)


def _check_components(found: _Findings, doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    spec = load_spec()
    skip = spec.get("checked_elsewhere", {})
    defined: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        section = doc.get(kind) or {}
        if not isinstance(section, dict):
            found.add("reference/not-a-block", kind, f"{kind} is a block of components")
            continue
        defined[kind] = section
        for component_id, body in section.items():
            path = f"{kind}.{component_id}"
            type_name = _type_of(str(component_id))
            if type_name not in spec["components"].get(kind, {}):
                found.add(
                    "otelcol/unknown-component",
                    path,
                    f"{path}: unknown {kind[:-1]} type {type_name!r}",
                )
                continue
            if type_name in skip.get(kind, ()):
                continue
            found.walk(kind, type_name, body, path)
            if kind == "receivers" and type_name == "filelog":
                _check_operators(found, body, path)
    return defined


def _check_pipelines(found: _Findings, service: object, defined: dict[str, dict[str, Any]]) -> None:
    spec = load_spec()
    if not isinstance(service, dict):
        found.add("reference/not-a-block", "service", "service is a block with pipelines")
        return
    for key in service:
        if key not in spec["service_keys"]:
            found.add("reference/unknown-key", f"service.{key}", f"unknown key service.{key}")
    used: set[tuple[str, str]] = set()
    for name in service.get("extensions") or []:
        used.add(("extensions", str(name)))
        if str(name) not in defined.get("extensions", {}):
            found.add(
                "otelcol/undefined-component",
                "service.extensions",
                f"extension {name!r} is not defined",
            )
    pipelines = service.get("pipelines") or {}
    for pipeline_id, pipeline in pipelines.items():
        path = f"service.pipelines.{pipeline_id}"
        signal = _type_of(str(pipeline_id))
        if signal not in spec["pipeline_signals"]:
            found.add("otelcol/unsupported-signal", path, f"{path}: {signal!r} is not a signal")
            continue
        if not isinstance(pipeline, dict):
            found.add(
                "reference/not-a-block",
                path,
                f"{path} is a block of receivers, processors, exporters",
            )
            continue
        for key in pipeline:
            if key not in spec["pipeline_keys"]:
                found.add("reference/unknown-key", f"{path}.{key}", f"unknown key {path}.{key}")
        for role, kinds in (
            ("receivers", ("receivers", "connectors")),
            ("processors", ("processors",)),
            ("exporters", ("exporters", "connectors")),
        ):
            names = pipeline.get(role) or []
            if role != "processors" and not names:
                found.add("otelcol/empty-pipeline", f"{path}.{role}", f"{path} has no {role}")
            for name in names:
                kind = next((k for k in kinds if str(name) in defined.get(k, {})), None)
                if kind is None:
                    found.add(
                        "otelcol/undefined-component",
                        f"{path}.{role}",
                        f"{path}: {role[:-1]} {name!r} is not defined",
                    )
                    continue
                used.add((kind, str(name)))
                signals = spec["components"][kind].get(_type_of(str(name)), {}).get("signals")
                if signals is not None and signal not in signals:
                    found.add(
                        "otelcol/unsupported-signal",
                        f"{path}.{role}",
                        f"{path}: {name!r} does not handle {signal}",
                    )
    for kind, section in defined.items():
        for component_id in section:
            if (kind, str(component_id)) not in used:
                found.add(
                    "otelcol/unused-component",
                    f"{kind}.{component_id}",
                    f"{kind}.{component_id} is defined but no pipeline uses it",
                    Severity.WARNING,
                )


def validate_collector(doc: object, file: str) -> list[Diagnostic]:
    """Every structural problem of one collector configuration, in document order."""
    found = _Findings(file)
    if not isinstance(doc, dict):
        found.add("reference/not-a-block", "", "a collector configuration is a mapping")
        return found.items
    for key in doc:
        if key not in load_spec()["top_level_keys"]:
            found.add("otelcol/unknown-section", str(key), f"unknown top-level section {key!r}")
    defined = _check_components(found, doc)
    _check_pipelines(found, doc.get("service"), defined)
    return found.items


class OtelcolCheck:
    """Collector configurations against the derived component reference."""

    name = "otelcol"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        findings: list[Diagnostic] = []
        for bundle_file in ctx.by_role(Role.OTELCOL_CONFIG):
            doc, unreadable = load_bundle_yaml(bundle_file, "otelcol/unreadable")
            if unreadable is not None:
                findings.append(unreadable)
                continue
            findings += validate_collector(doc, bundle_file.path)
        return findings
