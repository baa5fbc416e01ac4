"""Runs that passed a check before (promtool unit-test files, rule files, dashboards), remembered by the exact bytes they read.

`promtool test rules` on a test file depends on nothing but that file, the rule
files it names and promtool itself (group order too: generated test files set
`group_eval_order`). A passing run is remembered under a digest of all of them,
taken before the run and again after it (a file rewritten meanwhile is not
remembered); a later check finds the digest and need not run the file again.
Only passes are remembered: a failing file runs every time. Any changed byte, a
renamed rule file, another promtool version or build gives another digest; a
rule file named by a glob is never remembered.

Rule files and dashboards are held to lgtmgen's own checks (rule hygiene, the Grafana
lint), so their passes are remembered with lgtmgen's code identity: a checkout whose checks
changed checks them again. Where the cache lies and how to prune it: `lgtmgen.cache`.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path
from typing import TypeVar

from lgtmgen import __version__
from lgtmgen.cache import PassedRuns, code_identity
from lgtmgen.diagnostics import Diagnostic, Severity
from lgtmgen.toolchain.locate import Tool


@functools.lru_cache(maxsize=8)
def _binary_digest(path: str, size: int, mtime_ns: int) -> str:
    with open(path, "rb") as binary:
        return hashlib.file_digest(binary, "sha256").hexdigest()


def tool_identity(tool: Tool) -> str | None:
    """The tool's name, version and the SHA-256 of its binary (a version string drops the
    distribution's build suffix); None when the binary cannot be read: nothing is remembered."""
    try:
        real = os.path.realpath(tool.path)
        stat = os.stat(real)
        return f"{tool.name} {tool.version} sha256:{_binary_digest(real, stat.st_size, stat.st_mtime_ns)}"
    except OSError:
        return None


GLOB_CHARACTERS = frozenset("*?[\\")


def inputs_digest(test_file: Path, rule_files: Iterable[str], tool: str) -> str | None:
    """The digest of everything promtool reads to run `test_file`: its bytes, and the name and bytes
    of each rule file it names. None when a file cannot be read, or when a rule file is named by a
    glob (Go's globs match files Python's do not, dotfiles among them): such a file always runs."""
    names = list(rule_files)
    if any(GLOB_CHARACTERS & set(name) for name in names):
        return None
    digest = hashlib.sha256(f"lgtmgen {__version__}\0{tool}\0".encode())
    try:
        digest.update(test_file.read_bytes())
        for name in names:
            digest.update(f"\0file {name}\0".encode())
            digest.update((test_file.parent / name).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def reused_note(check: str, reused: int, total: int, what: str) -> Diagnostic:
    """The info line of a check that skipped `reused` of its `total` items as passed before
    (`what` says what they are and what they passed)."""
    return Diagnostic(
        check,
        f"{reused} of {total} {what} before with these very bytes; not checked again "
        "(lgtmgen check --no-cache checks them)",
        severity=Severity.INFO,
    )


Item = TypeVar("Item", bound=Hashable)


def unpassed(
    passed: PassedRuns | None, items: list[Item], digests: Mapping[Item, str | None], check: str, what: str
) -> tuple[list[Item], list[Diagnostic]]:
    """The items still to check (all of them without a cache) and, when some passed before, the
    check's `reused_note`."""
    if passed is None:
        return items, []
    todo = [i for i in items if not ((digest := digests.get(i)) and passed.passed(digest))]
    notes = [reused_note(check, len(items) - len(todo), len(items), what)] if len(todo) < len(items) else []
    return todo, notes


def bytes_digest(data: bytes, context: str) -> str:
    """The digest of one file's bytes for a check whose verdict depends on nothing else but
    `context` (the tool's identity, a setting the check reads)."""
    return hashlib.sha256(f"lgtmgen {__version__}\0{context}\0".encode() + data).hexdigest()


def lint_digest(data: bytes, context: str) -> str:
    """`bytes_digest` for a check written in lgtmgen itself, whose verdict also depends on
    lgtmgen's code (`code_identity`): a checkout's version string stays while its code changes."""
    return hashlib.sha256(f"{code_identity()}\0{context}\0".encode() + data).hexdigest()


__all__ = ["PassedRuns", "bytes_digest", "inputs_digest", "lint_digest", "reused_note", "tool_identity", "unpassed"]
