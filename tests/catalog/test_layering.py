"""The catalog layer stands alone: plan, generators and checks build on it, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

import lgtmgen.catalog

CATALOG = Path(lgtmgen.catalog.__file__).parent
LATER_STAGES = (
    "lgtmgen.plan",
    "lgtmgen.generators",
    "lgtmgen.checks",
    "lgtmgen.render",
    "lgtmgen.writer",
    "lgtmgen.bundle",
    "lgtmgen.pipeline",
    "lgtmgen.cli",
    "lgtmgen.sli",
)


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return names


def test_no_catalog_module_imports_a_later_stage() -> None:
    modules = sorted(CATALOG.rglob("*.py"))
    assert len(modules) > 10  # the walk found the package
    offending = [
        f"{path.relative_to(CATALOG)} imports {name}"
        for path in modules
        for name in _imports(path)
        if any(name == stage or name.startswith(stage + ".") for stage in LATER_STAGES)
    ]
    assert offending == []
