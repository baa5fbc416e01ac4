"""Build only the SLO rule and test files of a catalog, as the bundle would hold them."""

from __future__ import annotations

from pathlib import Path

from lgtmgen.artifacts import Artifact
from lgtmgen.catalog import load_catalog
from lgtmgen.generators.slo_rules import SLORules
from lgtmgen.generators.slo_tests import SLOTests
from lgtmgen.plan import Plan, build_plan
from lgtmgen.render.serialise import render_artifact


def plan_of(paths: list[Path]) -> Plan:
    loaded = load_catalog(paths)
    assert loaded.catalog is not None, [str(d) for d in loaded.diagnostics]
    return build_plan(loaded.catalog)


def write_slo_files(plan: Plan, out: Path) -> list[Artifact]:
    artifacts = [*SLORules().generate(plan), *SLOTests().generate(plan)]
    for artifact in artifacts:
        target = out / artifact.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(render_artifact(artifact))
    return artifacts
