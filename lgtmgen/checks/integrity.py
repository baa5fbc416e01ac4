"""The bundle on disk must be exactly what its manifest lists."""

from __future__ import annotations

import hashlib
import os

from lgtmgen.checks.base import CheckContext
from lgtmgen.diagnostics import Diagnostic, Location
from lgtmgen.writer import MANIFEST


class ManifestIntegrity:
    """Every listed file exists with its recorded sha256; nothing unlisted was added."""

    name = "manifest"

    def __init__(self, hashes: dict[str, str] | None = None) -> None:
        self.hashes = hashes or {}

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        listed = set(self.hashes)
        root = os.path.realpath(ctx.bundle_dir)
        for path, expected in sorted(self.hashes.items()):
            target = ctx.bundle_dir / path
            if target.is_symlink() or os.path.realpath(target) != os.path.join(root, path):
                continue  # a link or below one: `bundle/symlink`, and never read through
            if not target.is_file():
                out.append(Diagnostic("bundle/missing-file", "listed in the manifest but missing", location=Location(path)))
            elif hashlib.sha256(target.read_bytes()).hexdigest() != expected:
                out.append(
                    Diagnostic(
                        "bundle/modified",
                        "the file differs from what lgtmgen generated (edited by hand?)",
                        location=Location(path),
                        hint="change the catalog and rebuild instead of editing generated files",
                    )
                )
        for found in sorted(ctx.bundle_dir.rglob("*")):
            rel = found.relative_to(ctx.bundle_dir).as_posix()
            if found.is_file() and rel != MANIFEST and rel not in listed:
                out.append(Diagnostic("bundle/unlisted-file", "not listed in the manifest", location=Location(rel)))
        return out
