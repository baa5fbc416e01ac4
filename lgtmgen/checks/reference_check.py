"""The `reference` check: generated configs against the pinned upstream references."""

from __future__ import annotations

from pathlib import Path

import yaml

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import BundleFile, CheckContext
from lgtmgen.checks.bundle_yaml import safe_load
from lgtmgen.checks.reference import load_reference, validate_document, validate_tail_sampling
from lgtmgen.diagnostics import Diagnostic, Location

UNREADABLE = "reference/unreadable"

REFERENCE_BY_ROLE: dict[Role, str] = {
    Role.MIMIR_CONFIG: "mimir-3.0/config",
    Role.MIMIR_RUNTIME: "mimir-3.0/runtime",
    Role.LOKI_CONFIG: "loki-3.7/config",
    Role.LOKI_RUNTIME: "loki-3.7/runtime",
    Role.TEMPO_CONFIG: "tempo-3.0/config",
    Role.TEMPO_OVERRIDES: "tempo-3.0/overrides",
}


def _load_yaml(path: Path, rel: str) -> tuple[object, list[Diagnostic]]:
    try:
        return safe_load(path.read_text(encoding="utf-8")), []
    except OSError as exc:
        return None, [Diagnostic(UNREADABLE, f"cannot read {rel}: {exc}", location=Location(rel))]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        location = (
            Location(rel, mark.line + 1, mark.column + 1) if mark is not None else Location(rel)
        )
        return None, [Diagnostic(UNREADABLE, f"not valid YAML: {exc}", location=location)]


def check_collector(doc: object, file: str) -> list[Diagnostic]:
    """Validate every `processors.tail_sampling` and `processors.tail_sampling/<name>` block."""
    if not isinstance(doc, dict) or not isinstance(doc.get("processors"), dict):
        return []
    findings: list[Diagnostic] = []
    for name, block in doc["processors"].items():
        name = str(name)
        if name == "tail_sampling" or name.startswith("tail_sampling/"):
            findings += validate_tail_sampling(block, file=file, path=f"processors.{name}")
    return findings


class ReferenceCheck:
    """Mimir, Loki and Tempo files and collector tail sampling against specs/upstream/."""

    name = "reference"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        findings: list[Diagnostic] = []
        for bundle_file in ctx.by_role(*REFERENCE_BY_ROLE, Role.OTELCOL_CONFIG):
            findings += self.check_file(bundle_file)
        return findings

    def check_file(self, bundle_file: BundleFile) -> list[Diagnostic]:
        doc, problems = _load_yaml(bundle_file.absolute, bundle_file.path)
        if problems:
            return problems
        if bundle_file.role is Role.OTELCOL_CONFIG:
            return check_collector(doc, bundle_file.path)
        ref = load_reference(REFERENCE_BY_ROLE[bundle_file.role])
        return validate_document(doc, ref, file=bundle_file.path)
