"""Semantic checks of the parts of an invalid catalog that did validate, so one run shows every problem.

A catalog with schema errors has no `Catalog` to check, yet a newcomer's first catalog often
holds a typo and a dangling reference at once, and fixing them one run at a time is slow.
The broken parts are left out of a copy of the document and the rest is validated again:

- an unknown key is dropped from its mapping (it means nothing, so nothing else breaks);
- a broken SLO is dropped from its service (nothing refers to an SLO by name);
- a bad scalar setting (`defaults.slo_period: 30 days`) is dropped, its default used, and so
  is a bad scalar field of a list entry (a service's `tier: one`), so that the entry's
  references are still checked;
- any other broken entry of a list section is dropped whole, its name still counted as
  known so that references to it are not reported twice.

A warning about what was left out, or about what holds it, is not reported: it may only say
that the part is missing. When that finer copy does not validate (a field cut from an entry that
requires it), the entries its errors are in are dropped whole as well, the others keeping their
finer cuts; failing that, every entry with an error is dropped whole; when even that fails, no
semantic finding is reported.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from lgtmgen.catalog.models import Catalog
from lgtmgen.catalog.positions import format_path
from lgtmgen.catalog.semantics import check_catalog
from lgtmgen.catalog.source import SourceList, SourceMap
from lgtmgen.diagnostics import Diagnostic, Severity

Loc = tuple[int | str, ...]
Cuts = set[tuple[Loc, int | str]]
"""Keys and items left out of a copy of the document: (the container's path, the key or index)."""
Kept = dict[Loc, list[int]]
"""The original indexes of the items a cut list kept, by the list's path."""


def _node(document: Any, loc: Loc) -> Any:
    """The document node at `loc`, or None when the path leaves the document (union tags)."""
    node = document
    for step in loc:
        in_mapping = isinstance(node, dict) and isinstance(step, str) and step in node
        in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if not (in_mapping or in_list):
            return None
        node = node[step]
    return node


def _unknown_key_cut(error: ErrorDetails, document: SourceMap) -> tuple[Loc, int | str] | None:
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden" and isinstance(_node(document, loc[:-1]), dict):
        return loc[:-1], loc[-1]
    return None


def _slo_cut(error: ErrorDetails) -> tuple[Loc, int | str] | None:
    loc = tuple(error["loc"])
    if len(loc) >= 4 and loc[0] == "services" and loc[2] == "slos" and isinstance(loc[3], int):
        return loc[:3], loc[3]
    return None


def _scalar_field_cut(loc: Loc, document: SourceMap) -> tuple[Loc, int | str] | None:
    """`loc` names a scalar value of a mapping: that key, cut from its mapping."""
    node = _node(document, loc)
    if isinstance(loc[-1], str) and isinstance(_node(document, loc[:-1]), SourceMap) and node is not None:
        return None if isinstance(node, dict | list) else (loc[:-1], loc[-1])
    return None


def _setting_cut(error: ErrorDetails, document: SourceMap) -> tuple[Loc, int | str] | None:
    """A bad scalar setting of a section (`defaults.slo_period`)."""
    loc = tuple(error["loc"])
    return _scalar_field_cut(loc, document) if len(loc) == 2 else None


def _entry_field_cut(error: ErrorDetails, document: SourceMap) -> tuple[Loc, int | str] | None:
    """A bad scalar field of a list entry (`services[0].tier`): without it the entry takes the
    field's default, or misses a required one, which only the coarse copy then handles."""
    loc = tuple(error["loc"])
    return _scalar_field_cut(loc, document) if len(loc) == 3 and isinstance(loc[1], int) else None


def _entry_cut(error: ErrorDetails) -> tuple[Loc, int | str] | None:
    loc = tuple(error["loc"])
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        return loc[:1], loc[1]
    return None


def _without(document: SourceMap, cuts: Cuts) -> tuple[SourceMap, Kept] | None:
    """A copy of `document` without the cut keys and items (positions kept), and the original
    indexes of the items each cut list kept."""
    pruned: SourceMap = copy.deepcopy(document)
    kept: Kept = {}
    by_container: dict[Loc, set[int | str]] = {}
    for container, key in cuts:
        by_container.setdefault(container, set()).add(key)
    # Deepest first: cutting an entry shifts the indexes of the entries after it.
    for container, keys in sorted(by_container.items(), key=lambda item: -len(item[0])):
        node = _node(pruned, container)
        if isinstance(node, SourceMap):
            for key in keys:
                node.pop(str(key), None)
        elif isinstance(node, SourceList):
            keep = [i for i in range(len(node)) if i not in keys]
            node.keep_only(keep)
            kept[container] = keep
        else:
            return None
    return pruned, kept


_INDEX = re.compile(r"\[(\d+)\]")


def _original_path(path: str, kept: Kept) -> str:
    """`path` of the pruned copy (``services[2].slos[0]``) in the document's own indexes: an item
    after a cut one moved up in its list. The lists cut are sections and SLO lists, below keys
    without dots, so splitting the names at dots is enough to find them."""
    out: list[str] = []
    loc: list[int | str] = []
    last = 0
    for match in _INDEX.finditer(path):
        loc += [name for name in path[last : match.start()].split(".") if name]
        index = _original_index(kept, tuple(loc), int(match.group(1)))
        out.append(f"{path[last : match.start()]}[{index}]")
        loc.append(index)
        last = match.end()
    return "".join(out) + path[last:]


def _original_index(kept: Kept, container: Loc, index: int) -> int:
    """The document's own index of the item at `index` of the pruned list at `container`."""
    keep = kept.get(container)
    return keep[index] if keep is not None and index < len(keep) else index


def _names_of_dropped_entries(document: SourceMap, cuts: Cuts) -> dict[str, set[str]]:
    known: dict[str, set[str]] = {}
    for container, key in cuts:
        if len(container) == 1 and isinstance(key, int):
            entry = _node(document, (*container, key))
            if isinstance(entry, dict) and "name" in entry:
                known.setdefault(str(container[0]), set()).add(str(entry["name"]))
    return known



def _checked(document: SourceMap, cuts: Cuts, lines: Mapping[str, list[str]]) -> list[Diagnostic] | Cuts | None:
    """The semantic findings of the copy of `document` without `cuts`; when that copy does not
    validate, the whole entries its errors are in, in the document's own indexes (a field cut from
    an entry that needs it); None when an error is outside every entry."""
    copied = _without(document, cuts)
    if copied is None:
        return None
    pruned, kept = copied
    try:
        catalog = Catalog.model_validate(pruned, by_alias=True)
    except ValidationError as exc:
        return _entries_of(exc, kept)
    found = check_catalog(catalog, pruned, lines, _names_of_dropped_entries(document, cuts))
    mapped = [replace(d, path=_original_path(d.path, kept)) if d.path else d for d in found]
    return [d for d in mapped if d.severity is not Severity.WARNING or not _near_a_cut(d.path, cuts)]


def _near_a_cut(path: str | None, cuts: Cuts) -> bool:
    """Whether `path` is in, or holds, something left out: a warning there may only say that it
    is missing (`production: yes` cut from an environment: "no environment is marked production")."""
    if not path:
        return False
    for container, key in cuts:
        cut = format_path([*container, key])
        if path == cut or path.startswith((f"{cut}.", f"{cut}[")) or cut.startswith((f"{path}.", f"{path}[")):
            return True
    return False


def _entries_of(exc: ValidationError, kept: Kept) -> Cuts | None:
    entries: Cuts = set()
    for error in exc.errors():
        loc = tuple(error["loc"])
        if not (len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int)):
            return None
        entries.add((loc[:1], _original_index(kept, loc[:1], loc[1])))
    return entries


REFINING_ROUNDS = 3
"""Copies tried with more whole entries left out before falling back to leaving out every entry
with an error (each round leaves out at least one more)."""


def check_what_is_valid(
    exc: ValidationError, document: SourceMap, lines: Mapping[str, list[str]]
) -> list[Diagnostic]:
    """The semantic findings of the parts of `document` that validated (see the module's docstring)."""
    errors = exc.errors()
    fine: Cuts = set()
    coarse: Cuts = set()
    for error in errors:
        whole = _setting_cut(error, document) or _entry_cut(error)
        if whole is None:
            return []
        coarse.add(whole)
        fine.add(_unknown_key_cut(error, document) or _slo_cut(error) or _entry_field_cut(error, document) or whole)
    # A field cut from an entry that requires it (a service's `team: 5`) fails the fine copy: that
    # entry alone is then left out whole, and every other entry keeps its finer cuts.
    cuts = fine
    for _ in range(REFINING_ROUNDS):
        found = _checked(document, cuts, lines)
        if isinstance(found, list):
            return found
        if found is None or found <= cuts:
            break
        cuts = cuts | found
    found = _checked(document, coarse, lines)
    return found if isinstance(found, list) else []
