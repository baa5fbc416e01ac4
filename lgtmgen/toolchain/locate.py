"""Find the checking programs: an explicit override, the project's tools directory, then PATH.

`locate_tools` resolves paths and asks each found program for `--version`, the four calls run
concurrently (about 30 ms in all) and each answer is cached per process by path and mtime. It is
meant for `build`/`check`, which run the tools; `validate` must not call it.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from lgtmgen.toolchain.paths import default_tools_dir

TOOL_NAMES = ("promtool", "amtool", "prometheus", "alertmanager")
ENV_OVERRIDES = {name: f"LGTMGEN_{name.upper()}" for name in TOOL_NAMES}
# Debian installs Alertmanager as prometheus-alertmanager; upstream tarballs call it alertmanager.
PATH_NAMES = {
    "promtool": ("promtool",),
    "amtool": ("amtool",),
    "prometheus": ("prometheus",),
    "alertmanager": ("alertmanager", "prometheus-alertmanager"),
}
UNKNOWN_VERSION = "unknown"
_VERSION = re.compile(r"\bversion\s+v?(\d+\.\d+\.\d+)")


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    path: Path
    version: str


@dataclass(frozen=True, slots=True)
class Toolbox:
    """Located tools; a missing tool is None and the checks that need it say so."""

    promtool: Tool | None = None
    amtool: Tool | None = None
    prometheus: Tool | None = None
    alertmanager: Tool | None = None


class ToolOverrideError(ValueError):
    """An explicitly named tool (flag or LGTMGEN_* variable) is not an executable file."""


def locate_tools(
    tools_dir: Path | None = None, overrides: dict[str, Path] | None = None
) -> Toolbox:
    """Locate all four tools and read their versions.

    For each tool, in order: `overrides[name]`, then `$LGTMGEN_PROMTOOL` / `$LGTMGEN_AMTOOL` /
    `$LGTMGEN_PROMETHEUS` / `$LGTMGEN_ALERTMANAGER`, then `<tools_dir>/bin/<name>` (`tools_dir`
    defaults to `$LGTMGEN_TOOLS_DIR` or `<repo>/.tools`), then PATH. A tool found nowhere is None.
    Raises ToolOverrideError when an explicit override does not point at an executable.
    """
    paths = {name: find_executable(name, tools_dir, overrides) for name in TOOL_NAMES}
    found = {name: path for name, path in paths.items() if path is not None}
    with ThreadPoolExecutor(max_workers=len(TOOL_NAMES)) as pool:
        versions = dict(zip(found, pool.map(tool_version, found.values())))
    return Toolbox(**{name: Tool(name, path, versions[name]) for name, path in found.items()})


def locate_tool(
    name: str, tools_dir: Path | None = None, overrides: dict[str, Path] | None = None
) -> Tool | None:
    """Locate one tool (same order as `locate_tools`) when only that one is needed."""
    path = find_executable(name, tools_dir, overrides)
    return None if path is None else Tool(name, path, tool_version(path))


def find_executable(
    name: str, tools_dir: Path | None = None, overrides: dict[str, Path] | None = None
) -> Path | None:
    """The path `name` resolves to, without running it."""
    if name not in PATH_NAMES:
        raise ValueError(f"unknown tool {name!r}; known: {', '.join(TOOL_NAMES)}")
    explicit = (overrides or {}).get(name) or os.environ.get(ENV_OVERRIDES[name])
    if explicit:
        path = Path(explicit).expanduser()
        if not _is_executable(path):
            source = "override" if (overrides or {}).get(name) else ENV_OVERRIDES[name]
            raise ToolOverrideError(f"{name}: {source} {path} is not an executable file")
        return path.absolute()
    candidate = (tools_dir or default_tools_dir()) / "bin" / name
    if _is_executable(candidate):
        return candidate
    for program in PATH_NAMES[name]:
        on_path = shutil.which(program)
        if on_path:
            return Path(on_path)
    return None


def tool_version(path: Path) -> str:
    """`X.Y.Z` from `<path> --version`, or "unknown"; cached per process by path and mtime."""
    try:
        stat = path.stat()
    except OSError:
        return UNKNOWN_VERSION
    return _cached_version(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _cached_version(path: str, mtime_ns: int, size: int) -> str:
    try:
        run = subprocess.run(
            [path, "--version"],
            check=False,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return UNKNOWN_VERSION
    return parse_version(run.stdout + "\n" + run.stderr) or UNKNOWN_VERSION


def parse_version(text: str) -> str | None:
    """The first `version X.Y.Z` in a Prometheus-style version banner (`+ds1` suffixes dropped)."""
    match = _VERSION.search(text)
    return match.group(1) if match else None


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)
