"""Check imported entries against the catalog before they are written.

An importer carries values over as the spec gives them: an objective of 200, a query with an
unbalanced bracket or a team name with a space would be written as they are, and the catalog
they join would fail `lgtmgen validate` later, far from the spec that has to be fixed. The
entries are checked here as the catalog file they become (rendered, read back, validated and
checked by the catalog's own code), so the findings are the ones `lgtmgen validate` would report,
each placed at the spec file the entry came from.

Teams and tenants are declared elsewhere in the catalog the entries join: a reference to one
is not a finding here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from lgtmgen.catalog import validate_document
from lgtmgen.catalog.source import SourceList, SourceMap, parse_yaml
from lgtmgen.diagnostics import Diagnostic
from lgtmgen.importers import Imported
from lgtmgen.render.yaml_emitter import dump_yaml

IMPORTED = "(imported catalog)"
"""The file name the rendered entries are read back under; no diagnostic keeps it."""

_ENTRY = re.compile(r"^services\[(\d+)\](?:\.slos\[(\d+)\])?")
_DECLARED_ELSEWHERE = re.compile(r"^services\[\d+\]\.(team|tenant)$")


def check_imported(result: Imported) -> list[Diagnostic]:
    """What `lgtmgen validate` would report about the imported entries, at their spec files."""
    text = dump_yaml(result.catalog())
    lines = {IMPORTED: text.splitlines()}
    document, found = parse_yaml(text, IMPORTED)
    if isinstance(document, SourceMap):
        found += validate_document(document, lines)[1]
    return [_at_spec(d, document, result) for d in found if not _declared_elsewhere(d)]


def _declared_elsewhere(diagnostic: Diagnostic) -> bool:
    """A team or tenant the catalog does not declare: the entries join a catalog that may."""
    return diagnostic.check == "catalog/unknown-reference" and bool(_DECLARED_ELSEWHERE.match(diagnostic.path or ""))


def _at_spec(diagnostic: Diagnostic, document: Any, result: Imported) -> Diagnostic:
    """`diagnostic` placed where its entry starts in the spec and naming it: the imported text is
    never shown (it is not written), and its line numbers would point nowhere."""
    entry = _entry_of(diagnostic, document)
    if entry is None:
        return replace(diagnostic, location=None, source_line=None)
    service, slo = entry
    named = f"service {result.services[service]['name']!r}"
    if slo is not None:
        named += f", SLO {result.services[service]['slos'][slo]['name']!r}"
    return replace(
        diagnostic,
        message=f"{named}: {_spec_places(diagnostic.message, document, result)}",
        location=result.source_of(service, slo),
        path=_path_of(diagnostic.path, service, slo),
        source_line=None,
    )


_IMPORTED_PLACE = re.compile(re.escape(IMPORTED) + r":(\d+):\d+")


def _spec_places(message: str, document: Any, result: Imported) -> str:
    """`message` with each place in the rendered entries (`first at (imported catalog):8:15`)
    named by the spec entry that holds it."""

    def spec_place(found: re.Match[str]) -> str:
        entry = _entry_at(document, int(found[1])) if isinstance(document, SourceMap) else None
        location = result.source_of(*entry) if entry is not None else None
        return str(location) if location is not None else "another imported entry"

    return _IMPORTED_PLACE.sub(spec_place, message)


def _path_of(path: str | None, service: int, slo: int | None) -> str | None:
    """`path` with the indexes of the entry it is about (see `_entry_of`)."""
    match = _ENTRY.match(path or "")
    if path is None or match is None or (match[2] is None) != (slo is None):
        return path
    entry = f"services[{service}]" + ("" if slo is None else f".slos[{slo}]")
    return entry + path[match.end() :]


def _entry_of(diagnostic: Diagnostic, document: Any) -> tuple[int, int | None] | None:
    """The indexes of the service (and SLO) a finding is about.

    Read from its line in the rendered entries when it has one: the checks of what validated
    run on a copy without the broken entries, whose paths count the entries after a dropped one
    one too low.
    """
    if diagnostic.location is not None and diagnostic.location.line > 0 and isinstance(document, SourceMap):
        return _entry_at(document, diagnostic.location.line)
    match = _ENTRY.match(diagnostic.path or "")
    if match is None:
        return None
    return int(match[1]), None if match[2] is None else int(match[2])


def _entry_at(document: SourceMap, line: int) -> tuple[int, int | None] | None:
    """The service (and SLO) whose rendered text holds `line`; an entry's `slos` is its last key."""
    services = document.get("services")
    if not isinstance(services, SourceList):
        return None
    service = _last_at_or_before(services.items_at, line)
    if service is None:
        return None
    entry = services[service]
    slos = entry.get("slos") if isinstance(entry, SourceMap) else None
    return service, _last_at_or_before(slos.items_at, line) if isinstance(slos, SourceList) else None


def _last_at_or_before(starts: list[tuple[int, int]], line: int) -> int | None:
    """The index of the last item that starts on or before `line`."""
    found = None
    for index, (start, _) in enumerate(starts):
        if start <= line:
            found = index
    return found
