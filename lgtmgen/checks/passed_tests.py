"""Unit-test files that passed promtool before, remembered by the exact bytes promtool read.

`promtool test rules` on a test file depends on nothing but that file, the rule
files it names (globs resolved as promtool resolves them) and promtool itself.
A passing run is remembered under a digest of all of them; a later check finds
the digest and need not run the file again. Only passes are remembered: a
failing file runs every time. Any changed byte, a renamed rule file, another
promtool version or build gives another digest.

The directory is `lgtmgen check --cache-dir`, else `$LGTMGEN_CACHE_DIR`, else
`$XDG_CACHE_HOME/lgtmgen` (`~/.cache/lgtmgen`); `--no-cache` turns it off. A CI
job that keeps that directory between runs re-runs the tests of what changed.
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from lgtmgen import __version__
from lgtmgen.toolchain.locate import Tool

SUBDIR = "promtool-tests-passed"


def default_cache_dir() -> Path:
    """`$LGTMGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/lgtmgen`, else `~/.cache/lgtmgen`."""
    if explicit := os.environ.get("LGTMGEN_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lgtmgen"


def tool_identity(tool: Tool) -> str:
    """promtool's version and the size of its binary (two builds of one version differ in size)."""
    try:
        size = tool.path.stat().st_size
    except OSError:
        size = -1
    return f"{tool.name} {tool.version} {size}"


def rule_paths(test_file: Path, pattern: str) -> list[str]:
    """The rule files a test file's `rule_files` entry names: relative to the test file, globs expanded."""
    return sorted(glob.glob(str(test_file.parent / pattern)))


def inputs_digest(test_file: Path, rule_patterns: Iterable[str], tool: str) -> str | None:
    """The digest of everything promtool reads to run `test_file`; None when a file cannot be read."""
    digest = hashlib.sha256(f"lgtmgen {__version__}\0{tool}\0".encode())
    try:
        digest.update(test_file.read_bytes())
        for pattern in rule_patterns:
            digest.update(f"\0pattern {pattern}\0".encode())
            for path in rule_paths(test_file, pattern):
                digest.update(f"\0file {os.path.relpath(path, test_file.parent)}\0".encode())
                digest.update(Path(path).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


class PassedTests:
    """The digests of test runs that passed, one empty file each under `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory / SUBDIR

    def _entry(self, digest: str) -> Path:
        return self.directory / digest[:2] / digest

    def passed(self, digest: str) -> bool:
        return self._entry(digest).is_file()

    def remember(self, digests: Iterable[str]) -> None:
        """Record passes; a cache that cannot be written is no reason to fail a check."""
        for digest in digests:
            entry = self._entry(digest)
            try:
                entry.parent.mkdir(parents=True, exist_ok=True)
                entry.touch()
            except OSError:
                return


__all__ = ["PassedTests", "default_cache_dir", "inputs_digest", "rule_paths", "tool_identity"]
