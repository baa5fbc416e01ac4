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


def scenarios_of(name: str) -> list[tuple[str, str, str]]:
    """(service, SLO, what it shows) of each SLO a generated test name covers.

    A test of one SLO is named ``service/slo: what``; a test of several SLOs at
    once ``service: heading: slo what; slo what; ...`` (staggered full outages:
    ``slo from <time> pages within ...``, read back as ``full outage from ...``).
    """
    head, _, rest = name.partition(": ")
    if "/" in head:
        service, slo = head.split("/", 1)
        return [(service, slo, rest)]
    heading, _, parts = rest.partition(": ")
    found = []
    for part in parts.split("; "):
        for marker, prefix in ((" from ", "full outage from "), (" a steady ", "a steady ")):
            slo, sep, what = part.partition(marker)
            if sep and " " not in slo and heading.startswith(("full outages", "one steady burn")):
                found.append((head, slo, prefix + what))
                break
    return found
