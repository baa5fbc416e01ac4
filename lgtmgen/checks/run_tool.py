"""Run a checking program and split its report into per-file findings."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lgtmgen.diagnostics import Diagnostic, Location
from lgtmgen.toolchain.locate import Tool

TIMEOUT_SECONDS = 300


@dataclass(frozen=True, slots=True)
class ToolRun:
    returncode: int
    output: str


def run_tool(tool: Tool, args: Sequence[str], cwd: Path) -> ToolRun:
    try:
        done = subprocess.run(
            [str(tool.path), *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            # One stream, so a failure stays under the "Checking <file>" line it belongs to.
            stderr=subprocess.STDOUT,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return ToolRun(124, f"{tool.name} did not finish within {TIMEOUT_SECONDS} s")
    return ToolRun(done.returncode, done.stdout)


def missing_tool(name: str, check: str) -> Diagnostic:
    return Diagnostic(
        "tools/missing",
        f"{name} was not found, so the {check} check could not run",
        hint=f"run scripts/bootstrap, put {name} on PATH, or set LGTMGEN_{name.upper()}",
    )


_SECTION = re.compile(r"^(?:Checking|Unit Testing:)\s+(.+?)\s*$")


def failures_by_file(output: str) -> dict[str, list[str]]:
    """Group the lines of promtool's report under the file they belong to, failures only."""
    current: str | None = None
    failed: dict[str, list[str]] = {}
    in_failure = False
    for line in output.splitlines():
        section = _SECTION.match(line)
        if section:
            current, in_failure = section.group(1), False
            continue
        stripped = line.strip()
        if stripped.startswith("FAILED"):
            in_failure = True
            failed.setdefault(current or "", [])
            rest = stripped.removeprefix("FAILED:").removeprefix("FAILED").strip()
            if rest:
                failed[current or ""].append(rest)
            continue
        if stripped.startswith("SUCCESS"):
            in_failure = False
            continue
        if in_failure and stripped:
            failed[current or ""].append(stripped)
    return failed


def diagnostics_from_failures(
    check: str, failures: dict[str, list[str]], run: ToolRun, fallback_file: str
) -> list[Diagnostic]:
    out = [
        Diagnostic(check, "\n".join(lines) or "failed", location=Location(file or fallback_file))
        for file, lines in sorted(failures.items())
    ]
    if run.returncode != 0 and not out:
        out.append(Diagnostic(check, run.output.strip() or f"exit code {run.returncode}", location=Location(fallback_file)))
    return out
