"""Helpers shared by the areas' conftests: catalogs written to a file and loaded the way the CLI does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from lgtmgen.catalog import load_catalog
from lgtmgen.diagnostics import Diagnostic
from lgtmgen.plan import Plan, build_plan

Loader = Callable[[dict[str, Any]], tuple[Plan | None, list[Diagnostic]]]


def load_catalog_document(directory: Path, document: dict[str, Any]) -> tuple[Plan | None, list[Diagnostic]]:
    """Write `document` as `catalog.yaml` under `directory`, load it and build its plan.

    Every diagnostic comes back; callers that pin one area's findings keep only the errors.
    """
    path = directory / "catalog.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    loaded = load_catalog([path])
    plan = build_plan(loaded.catalog) if loaded.catalog is not None else None
    return plan, loaded.diagnostics


def error_loader(directory: Path) -> Loader:
    """A loader of catalog dicts under `directory` that keeps only the errors.

    Other areas may warn about the same catalog; an area's tests pin their own findings.
    """

    def load(document: dict[str, Any]) -> tuple[Plan | None, list[Diagnostic]]:
        plan, diagnostics = load_catalog_document(directory, document)
        return plan, [d for d in diagnostics if d.is_error]

    return load
