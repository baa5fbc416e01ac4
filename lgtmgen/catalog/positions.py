"""Map a path inside the catalog document back to file, line and column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lgtmgen.catalog.source import SourceList, SourceMap
from lgtmgen.diagnostics import Location

PathStep = str | int


def format_path(path: Sequence[PathStep]) -> str:
    """``('services', 0, 'slos')`` → ``services[0].slos``."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else str(step)
    return out


def locate(
    document: Any, path: Sequence[PathStep], *, key: bool = True
) -> tuple[Location | None, list[PathStep]]:
    """Find the deepest node of `path` that exists; return its location and the path walked.

    With `key` the location of a mapping entry is its key, otherwise its value.
    Steps that do not exist in the document (a discriminator tag that pydantic
    inserts, or a missing field) are skipped or end the walk.
    """
    node = document
    location: Location | None = None
    walked: list[PathStep] = []
    if isinstance(node, (SourceMap, SourceList)):
        location = Location(node.file, *node.start)
    for step in path:
        if isinstance(node, SourceMap) and isinstance(step, str):
            if step not in node:
                if node.get("kind") == step:
                    continue
                break
            line_col = node.keys_at[step] if key else node.values_at[step]
            location = Location(node.file, *line_col)
            node = node[step]
        elif isinstance(node, SourceList) and isinstance(step, int) and 0 <= step < len(node):
            location = Location(node.file_of(step), *node.items_at[step])
            node = node[step]
        else:
            break
        walked.append(step)
    return location, walked


def source_line(lines: Mapping[str, list[str]], location: Location | None) -> str | None:
    if location is None or location.line <= 0:
        return None
    file_lines = lines.get(location.file)
    if file_lines is None or location.line > len(file_lines):
        return None
    return file_lines[location.line - 1]
