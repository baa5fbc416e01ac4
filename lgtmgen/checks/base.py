"""The contract every check of a written bundle follows."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from lgtmgen.artifacts import Role
from lgtmgen.cache import PassedRuns
from lgtmgen.diagnostics import Diagnostic, Location
from lgtmgen.toolchain.locate import Toolbox


@dataclass(frozen=True, slots=True)
class BundleFile:
    """A file of the written bundle, as listed in its manifest."""

    path: str
    role: Role
    absolute: Path


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What a check may look at: the bundle on disk and the located tools.

    `declared_series` are the recorded series the catalog's own PromQL reads, as the
    manifest lists them: the user records them, lgtmgen need not. `cache_dir` holds
    what earlier checks remembered (`lgtmgen.checks.passed_runs`); None: remember nothing.
    `shared` holds what one check worked out of the bundle's bytes for the next check of the same
    run (by a digest of those bytes), such as the series a rule file records.
    """

    bundle_dir: Path
    files: tuple[BundleFile, ...]
    tools: Toolbox
    declared_series: frozenset[str] = frozenset()
    cache_dir: Path | None = None
    shared: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def by_role(self, *roles: Role) -> list[BundleFile]:
        return [f for f in self.files if f.role in roles]

    def remembered(self, kind: str) -> PassedRuns | None:
        """What checks remembered of `kind` in the cache directory; None without one."""
        return PassedRuns(self.cache_dir, kind) if self.cache_dir is not None else None


class Check(Protocol):
    """A check reads files of the bundle and returns diagnostics; it never writes."""

    name: str

    def run(self, ctx: CheckContext) -> list[Diagnostic]: ...


def leaves_bundle(bundle_dir: Path, referring: Path, reference: str) -> bool:
    """Whether a file name (or glob) that `referring` gives for a tool to read, relative to its own
    folder, lies outside the bundle: absolute, or climbing out with `..`. A committed bundle is a
    pull request's to shape, and a tool prints lines of what it failed to read."""
    if os.path.isabs(reference):
        return True
    root = os.path.normpath(os.path.abspath(bundle_dir))
    target = os.path.normpath(os.path.join(os.path.abspath(referring.parent), reference))
    return not (target == root or target.startswith(root + os.sep))


def outside_reference(path: str, reference: str) -> Diagnostic:
    return Diagnostic(
        "bundle/unsafe-path",
        f"names {reference!r} for a tool to read, which is outside the bundle: the file is not checked",
        location=Location(path),
    )
