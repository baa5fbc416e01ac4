"""The whole flow from catalog files to a rendered bundle, without printing or writing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lgtmgen.catalog import load_catalog
from lgtmgen.diagnostics import Diagnostic, has_errors
from lgtmgen.plan import Plan, build_plan

if TYPE_CHECKING:
    from lgtmgen.bundle import Bundle


@dataclass
class Compiled:
    bundle: Bundle | None
    plan: Plan | None
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return self.bundle is not None and not has_errors(self.diagnostics)


def validate(paths: Sequence[Path]) -> tuple[Plan | None, list[Diagnostic]]:
    loaded = load_catalog(paths)
    if loaded.catalog is None:
        return None, loaded.diagnostics
    return build_plan(loaded.catalog), loaded.diagnostics


def compile_catalog(paths: Sequence[Path]) -> Compiled:
    # Imported here so that `validate` does not load every generator.
    from lgtmgen.bundle import compile_bundle

    plan, diagnostics = validate(paths)
    if plan is None:
        return Compiled(None, None, diagnostics)
    bundle, problems = compile_bundle(plan)
    return Compiled(bundle, plan, diagnostics + problems)
