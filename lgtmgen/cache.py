"""The cache directory and what lgtmgen remembers in it, by digest: runs that passed a check
(`lgtmgen.checks.passed_runs`) and bundles it built (`lgtmgen.built_bundles`).

The directory is `--cache-dir`, else `$LGTMGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/lgtmgen`
(`~/.cache/lgtmgen`); `--no-cache` turns it off. Each entry is a file named by its digest,
empty or holding a short note (a count, a list of names), touched on every hit. Entries unused
for 30 days are deleted by the first command that opens the cache after a day without pruning
(`prune_unused`), so a CI cache or a laptop's does not grow without end; only files laid out as
entries are ever deleted. A cache that cannot be read or written is an empty one.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from lgtmgen import __version__


def default_cache_dir() -> Path | None:
    """`$LGTMGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/lgtmgen`, else `~/.cache/lgtmgen`; None
    without a home directory to put it in."""
    if explicit := os.environ.get("LGTMGEN_CACHE_DIR"):
        return Path(explicit)
    if base := os.environ.get("XDG_CACHE_HOME"):
        return Path(base) / "lgtmgen"
    try:
        return Path.home() / ".cache" / "lgtmgen"
    except RuntimeError:  # no $HOME and no passwd entry (a container under an arbitrary uid)
        return None


def package_digest(package: Path) -> str:
    """SHA-256 of every file below `package` (its data files through their links too), by
    relative path and bytes; compiled bytecode left out."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(package, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".pyc"):
                continue
            path = Path(root, name)
            digest.update(f"\0{path.relative_to(package).as_posix()}\0".encode())
            try:
                digest.update(path.read_bytes())
            except OSError:  # a dangling link (an editor's lock file), an unreadable file
                digest.update(b"\0unreadable\0")
    return digest.hexdigest()


_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def runtime_libraries(root: str = "lgtmgen") -> dict[str, str]:
    """The installed distributions `root` runs with, by normalised name: its requirements and
    theirs, without extras (a test runner or linter beside it changes no output)."""
    found: dict[str, str] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in found:
            continue
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        found[key] = distribution.version
        for requirement in distribution.requires or []:
            spec, _, marker = requirement.partition(";")
            if "extra" not in marker and (match := _REQUIREMENT_NAME.match(spec)):
                todo.append(match.group(1))
    return found


@functools.cache
def code_identity() -> str:
    """What lgtmgen's output depends on besides its input: lgtmgen's own files byte for byte (a
    version string stays the same while its code changes in a checkout), the Python and the
    libraries it runs with (so a pre-commit hook's environment and a user's agree)."""
    found = runtime_libraries()
    if "lgtmgen" not in found:  # run from source without metadata: every installed library counts
        found = {d.metadata["Name"]: d.version for d in importlib.metadata.distributions()}
    libraries = sorted(f"{name}=={version}" for name, version in found.items())
    package = Path(__file__).resolve().parent
    return f"lgtmgen {__version__} sha256:{package_digest(package)}; python {sys.version}; " + " ".join(libraries)


class PassedRuns:
    """The digests of runs that passed, one file each under `directory` (a subdirectory per kind
    of run: promtool unit-test files, rule files, dashboards, built bundles), empty or holding a note."""

    def __init__(self, directory: Path, kind: str) -> None:
        self.directory = directory / kind

    def _entry(self, digest: str) -> Path:
        return self.directory / digest[:2] / digest

    def passed(self, digest: str) -> bool:
        """Whether a run of these inputs passed; a hit is touched, so old entries show unused."""
        return self.recall(digest) is not None

    def remember(self, digests: Iterable[str]) -> None:
        """Record passes; a cache that cannot be written is no reason to fail a command."""
        for digest in digests:
            entry = self._entry(digest)
            try:
                entry.parent.mkdir(parents=True, exist_ok=True)
                entry.touch()
            except OSError:
                return

    def recall(self, digest: str) -> str | None:
        """The note a pass was remembered with (`remember_note`; empty for `remember`), or None when
        it did not pass; a hit is touched. An unreadable cache is an empty one."""
        entry = self._entry(digest)
        try:
            note = entry.read_text(encoding="utf-8")
            os.utime(entry)
        except (OSError, UnicodeDecodeError):
            return None
        return note

    def remember_note(self, digest: str, note: str) -> None:
        """Record a pass with what a later run needs of it besides the verdict (a count); written
        whole or not at all, as checks may run side by side."""
        entry = self._entry(digest)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            handle, partial = tempfile.mkstemp(prefix=f".{entry.name}.", dir=entry.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(note)
            os.replace(partial, entry)
        except OSError:
            return


UNUSED_FOR_S = 30 * 86_400
"""An entry not read or written for this long is deleted."""
PRUNE_EVERY_S = 86_400
"""Pruning walks every entry: at most once a day, remembered by the mtime of `PRUNED_MARK`."""
PRUNED_MARK = ".pruned"
_ENTRY = re.compile(r"[0-9a-f]{64}")
_PARTIAL = re.compile(r"\.([0-9a-f]{64})\..+")
"""A note being written (`remember_note`) whose process died before renaming it."""
_SHARD = re.compile(r"[0-9a-f]{2}")


def _digest_of(name: str) -> str | None:
    """The digest an entry's file name (or its partial note's) holds; None for any other file."""
    if _ENTRY.fullmatch(name):
        return name
    partial = _PARTIAL.fullmatch(name)
    return partial.group(1) if partial else None


def prune_unused(directory: Path, now: float | None = None) -> int:
    """Delete the entries below `directory` unused for `UNUSED_FOR_S`, unless it was pruned within
    `PRUNE_EVERY_S`; the number deleted. Only `<kind>/<xx>/<digest>` files (and their interrupted
    partial notes) are touched, so a cache directory pointed at the wrong place loses nothing else."""
    now = time.time() if now is None else now
    mark = directory / PRUNED_MARK
    try:
        if now - mark.stat().st_mtime < PRUNE_EVERY_S:
            return 0
    except FileNotFoundError:
        pass
    except OSError:
        return 0
    removed = 0
    try:
        for kind in [k for k in os.scandir(directory) if k.is_dir(follow_symlinks=False)]:
            for shard in os.scandir(kind.path):
                if not (_SHARD.fullmatch(shard.name) and shard.is_dir(follow_symlinks=False)):
                    continue
                for entry in os.scandir(shard.path):
                    digest = _digest_of(entry.name)
                    if digest is None or digest[:2] != shard.name or not entry.is_file(follow_symlinks=False):
                        continue
                    if now - entry.stat(follow_symlinks=False).st_mtime > UNUSED_FOR_S:
                        os.unlink(entry.path)
                        removed += 1
                with contextlib.suppress(OSError):  # not empty: still in use
                    os.rmdir(shard.path)
        mark.touch()
        os.utime(mark, (now, now))
    except OSError:  # a cache that cannot be pruned now is pruned by a later command
        pass
    return removed


__all__ = [
    "PassedRuns",
    "code_identity",
    "default_cache_dir",
    "package_digest",
    "prune_unused",
    "runtime_libraries",
]
