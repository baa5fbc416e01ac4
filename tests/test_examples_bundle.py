"""The committed bundle under generated/ is current, passes every check, and the schema has not drifted.

When a test here fails after a catalog or generator change, rebuild and review the diff:

    scripts/lgtmgen build examples/shop --out generated/shop
    scripts/lgtmgen build examples/starter --out generated/starter
    scripts/lgtmgen schema --write specs/catalog.schema.json
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lgtmgen.catalog.schema import catalog_json_schema
from lgtmgen.checks import run_checks
from lgtmgen.diagnostics import Severity
from lgtmgen.pipeline import compile_catalog
from lgtmgen.toolchain.locate import locate_tools
from lgtmgen.writer import read_tree

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ["starter", "shop"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_committed_bundle_is_what_the_example_catalog_compiles_to(name: str) -> None:
    compiled = compile_catalog([ROOT / "examples" / name])
    assert compiled.ok, [str(d) for d in compiled.diagnostics]
    assert compiled.bundle is not None
    expected = compiled.bundle.contents()
    committed = read_tree(ROOT / "generated" / name)
    stale = sorted(p for p in set(expected) | set(committed) if expected.get(p) != committed.get(p))
    assert not stale, f"generated/{name} is stale; rebuild it: {stale[:10]}"


@pytest.mark.tools
@pytest.mark.parametrize("name", EXAMPLES)
def test_the_committed_bundle_passes_every_check(name: str) -> None:
    tools = locate_tools()
    assert tools.promtool is not None and tools.amtool is not None
    findings = run_checks(ROOT / "generated" / name, tools)
    errors = [f"{d.location} {d.check}: {d.message}" for d in findings if d.severity is Severity.ERROR]
    assert errors == []


def test_the_exported_catalog_schema_matches_the_models() -> None:
    committed = (ROOT / "specs" / "catalog.schema.json").read_text(encoding="utf-8")
    assert committed == catalog_json_schema(), "run: scripts/lgtmgen schema --write specs/catalog.schema.json"


@pytest.mark.parametrize("path", sorted((ROOT / "examples").rglob("*.yaml")), ids=lambda p: p.name)
def test_every_example_file_names_the_schema_for_editors(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = first.split("$schema=", 1)[1]
    assert (path.parent / target).resolve() == ROOT / "specs" / "catalog.schema.json"


def test_the_catalog_reference_in_docs_matches_the_models() -> None:
    from lgtmgen.catalog.reference_doc import catalog_reference_markdown

    committed = (ROOT / "docs" / "catalog-reference.md").read_text(encoding="utf-8")
    assert committed == catalog_reference_markdown(), (
        "run: scripts/lgtmgen schema --format markdown --write docs/catalog-reference.md"
    )
