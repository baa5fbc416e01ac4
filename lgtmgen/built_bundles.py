"""Bundles this very lgtmgen built from a catalog, remembered so that a build or a diff with
nothing to do does nothing.

A bundle is a pure function of the validated catalog and of lgtmgen's code: the generators read
nothing else, and their output is byte-identical run to run. When a build has written a bundle,
or a diff has found one current, the digest of (lgtmgen's code identity, the catalog's digest
(`Plan.catalog_digest`, in the catalog's own order, which the output follows), the manifest's
bytes) is remembered in the cache directory (`lgtmgen.cache`). A later build or diff of the same
catalog by the same code finds that entry for the directory's manifest, checks
every file of the directory against the manifest's SHA-256 (a file edited by hand, added or
removed, and the directory is compiled again), and is done.

At 1,000 services that is loading the catalog and hashing the 190 MB bundle, about a second,
instead of compiling it again, five to six.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from lgtmgen.cache import PassedRuns, code_identity
from lgtmgen.writer import MANIFEST

KIND = "bundles-built"


def _listed_files(manifest: bytes) -> dict[str, str] | None:
    """The manifest's files and their SHA-256, or None when it is not an lgtmgen manifest."""
    try:
        data = json.loads(manifest)
        files = data["files"]
        return {path: entry["sha256"] for path, entry in files.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _files_below(root: Path) -> set[str] | None:
    """Every entry below `root` that is not a directory, by POSIX relative path; None when
    something there is neither a regular file nor a directory (a link, a FIFO: never read), or
    when a folder holds nothing at all (a bundle has no empty folder; a build removes it)."""
    found: set[str] = set()
    for directory, dirs, files in os.walk(root):
        if not dirs and not files and directory != str(root):
            return None
        for name in dirs:
            if os.path.islink(os.path.join(directory, name)):
                return None
        for name in files:
            path = os.path.join(directory, name)
            try:
                if not stat.S_ISREG(os.lstat(path).st_mode):
                    return None
            except OSError:
                return None
            found.add(Path(path).relative_to(root).as_posix())
    return found


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def intact_manifest(root: Path) -> bytes | None:
    """The bytes of `root`'s manifest when the directory holds exactly the files it lists, each
    with the listed SHA-256; None otherwise."""
    intact = _intact(root)
    return intact[0] if intact is not None else None


def _intact(root: Path) -> tuple[bytes, dict[str, str]] | None:
    """`intact_manifest`, with the files the manifest lists."""
    try:
        manifest = (root / MANIFEST).read_bytes()
    except OSError:
        return None
    listed = _listed_files(manifest)
    if listed is None or _files_below(root) != {*listed, MANIFEST}:
        return None
    # One file after the other: threads hashing the bundle's many small files were slower.
    if any(_sha256(root / path) != digest for path, digest in listed.items()):
        return None
    return manifest, listed


def bundle_digest(catalog_digest: str, manifest: bytes, identity: str) -> str:
    """What is remembered of a bundle: the code that built it, from which catalog, into which files."""
    return hashlib.sha256(f"{identity}\0{catalog_digest}\0".encode() + manifest).hexdigest()


class BuiltBundles:
    """The bundles built from a catalog by lgtmgen's code `identity` (this very code by default)."""

    def __init__(self, cache_dir: Path, identity: str | None = None) -> None:
        self._runs = PassedRuns(cache_dir, KIND)
        self._identity = identity

    @property
    def identity(self) -> str:
        return self._identity if self._identity is not None else code_identity()

    def current(self, catalog_digest: str, root: Path) -> int | None:
        """How many files `root` holds, when they are exactly the bundle this code built from the
        catalog of `catalog_digest`; None when the catalog has to be compiled to know."""
        intact = _intact(root)
        if intact is None or not self._runs.passed(bundle_digest(catalog_digest, intact[0], self.identity)):
            return None
        return len(intact[1]) + 1  # and the manifest

    def remember(self, catalog_digest: str, manifest: bytes) -> None:
        """Record that this code builds the bundle of `manifest` from the catalog of
        `catalog_digest`: the manifest the caller staged, or compared with every file of the
        directory (not the directory's manifest read again, which another build may have replaced)."""
        self._runs.remember([bundle_digest(catalog_digest, manifest, self.identity)])


__all__ = ["BuiltBundles", "bundle_digest", "intact_manifest"]
