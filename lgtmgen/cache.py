"""The cache directory and what lgtmgen remembers in it, by digest: runs that passed a check
(`lgtmgen.checks.passed_runs`) and bundles it built (`lgtmgen.built_bundles`).

The directory is `--cache-dir`, else `$LGTMGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/lgtmgen`
(`~/.cache/lgtmgen`); `--no-cache` turns it off. Each entry is a file named by its digest,
empty or holding a short note (a count, a list of names), touched on every hit: entries unused
for a month can go
(`find DIR -type f -mtime +30 -delete`). A cache that cannot be read or written is an empty one.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import re
import sys
import tempfile
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


__all__ = ["PassedRuns", "code_identity", "default_cache_dir", "package_digest", "runtime_libraries"]
