"""Map a path inside the catalog document back to file, line and column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lgtmgen.catalog.source import Alias, SourceList, SourceMap
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


@dataclass(frozen=True, slots=True)
class Place:
    """Where a finding about a path of the document is reported.

    Where the path passes through an alias (``alerting: *paging``), `location` is the alias: the
    anchored text may be right where it is written and wrong where it is used. `written_at` is
    then the position of the path's node inside the anchored text, and `anchor` its name.
    """

    location: Location | None
    anchor: str | None = None
    written_at: Location | None = None

    def note(self) -> str:
        """What a message adds so that the anchored text can be found from the alias."""
        if self.anchor is None or self.written_at is None:
            return ""
        return f" (in the value of alias *{self.anchor}, written at {self.written_at})"


def locate(document: Any, path: Sequence[PathStep], *, key: bool = True) -> Place:
    """Find the deepest node of `path` that exists and where to report it.

    With `key` the location of a mapping entry is its key, otherwise its value.
    Steps that do not exist in the document (a discriminator tag that pydantic
    inserts, or a missing field) are skipped or end the walk.
    """
    node = document
    location: Location | None = None
    through: tuple[Location, Alias] | None = None
    inside = False
    if isinstance(node, (SourceMap, SourceList)):
        location = Location(node.file, *node.start)
    for n, step in enumerate(path):
        if isinstance(node, SourceMap) and isinstance(step, str):
            if step not in node:
                if node.get("kind") == step:
                    continue
                break
            location = Location(node.file, *(node.keys_at[step] if key else node.values_at[step]))
            at_value = Location(node.file, *node.values_at[step])
            anchor = node.aliases.get(step) if node.aliases else None
            about_the_key = key and n == len(path) - 1
            node = node[step]
        elif isinstance(node, SourceList) and isinstance(step, int) and 0 <= step < len(node):
            location = at_value = Location(node.file_of(step), *node.items_at[step])
            anchor = node.aliases.get(step) if node.aliases else None
            about_the_key = False
            node = node[step]
        else:
            break
        inside = through is not None
        if through is None and anchor is not None and not about_the_key:
            through = (at_value, anchor)
    if through is None:
        return Place(location)
    alias_at, alias = through
    written_at = location if inside else Location(alias_at.file, *alias.written_at)
    return Place(alias_at, alias.anchor, written_at)


def source_line(lines: Mapping[str, list[str]], location: Location | None) -> str | None:
    if location is None or location.line <= 0:
        return None
    file_lines = lines.get(location.file)
    if file_lines is None or location.line > len(file_lines):
        return None
    return file_lines[location.line - 1]
