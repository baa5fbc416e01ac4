"""Compile a Plan into rendered files and a manifest (no I/O)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from lgtmgen import __version__
from lgtmgen.artifacts import Artifact, Format, Role
from lgtmgen.catalog.models import API_VERSION
from lgtmgen.diagnostics import Diagnostic
from lgtmgen.plan import Plan
from lgtmgen.render import render_artifact

MANIFEST = "manifest.json"

TARGET_VERSIONS = {
    "prometheus": "3.5",
    "alertmanager": "0.28",
    "mimir": "3.0",
    "loki": "3.7",
    "tempo": "3.0",
    "grafana": "12",
    "otelcol-contrib": "0.150",
}


@dataclass(frozen=True, slots=True)
class RenderedFile:
    path: str
    role: Role
    content: bytes


@dataclass(frozen=True)
class Bundle:
    """Every file of the bundle, manifest included, as bytes keyed by relative path."""

    files: dict[str, RenderedFile]

    def contents(self) -> dict[str, bytes]:
        return {path: f.content for path, f in self.files.items()}


def _manifest(plan: Plan, files: dict[str, RenderedFile]) -> Artifact:
    return Artifact(
        path=MANIFEST,
        role=Role.REPORT,
        format=Format.JSON,
        data={
            "generator": "lgtmgen",
            "lgtmgen_version": __version__,
            "catalog_schema": API_VERSION,
            "catalog_digest": plan.catalog_digest,
            "targets": TARGET_VERSIONS,
            "files": {
                path: {"role": f.role.value, "sha256": hashlib.sha256(f.content).hexdigest()}
                for path, f in sorted(files.items())
            },
        },
    )


def compile_bundle(plan: Plan) -> tuple[Bundle | None, list[Diagnostic]]:
    """Run every generator and render its artifacts; two artifacts may not share a path."""
    # Generators may import checks, and checks import this module's MANIFEST.
    from lgtmgen.generators import GENERATORS
    from lgtmgen.generators.runbooks import RULE_ROLES as RUNBOOK_SOURCES
    from lgtmgen.generators.runbooks import runbook_artifacts

    files: dict[str, RenderedFile] = {}
    owners: dict[str, str] = {}
    problems: list[Diagnostic] = []
    rule_artifacts: list[Artifact] = []

    def add(name: str, artifact: Artifact) -> None:
        if artifact.path in files or artifact.path == MANIFEST:
            problems.append(
                Diagnostic(
                    "bundle/path-collision",
                    f"{name} and {owners.get(artifact.path, 'the manifest')} "
                    f"both write {artifact.path}",
                )
            )
            return
        owners[artifact.path] = name
        files[artifact.path] = RenderedFile(artifact.path, artifact.role, render_artifact(artifact))

    # Each artifact is rendered as soon as it is made, so only the bytes stay in
    # memory (dashboards as dicts would double the peak); rule files are kept as
    # data too, because the runbooks describe their alerts.
    for generator in GENERATORS:
        for artifact in generator.generate(plan):
            add(generator.name, artifact)
            if artifact.role in RUNBOOK_SOURCES:
                rule_artifacts.append(artifact)
    for doc in runbook_artifacts(plan, rule_artifacts):
        add("runbooks", doc)
    if problems:
        return None, problems
    manifest = _manifest(plan, files)
    files[MANIFEST] = RenderedFile(MANIFEST, manifest.role, render_artifact(manifest))
    return Bundle(dict(sorted(files.items()))), []

