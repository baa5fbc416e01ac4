"""Find the checking programs: an explicit override, the project's tools directory, then PATH."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
