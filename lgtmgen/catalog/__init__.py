"""Load a catalog: files → positioned document → strict models → semantic checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from lgtmgen.catalog.errors import diagnostics_from_validation
from lgtmgen.catalog.files import load_document
from lgtmgen.catalog.models import API_VERSION, Catalog
from lgtmgen.catalog.positions import locate, source_line
from lgtmgen.catalog.semantics import check_catalog
from lgtmgen.catalog.source import SourceList, SourceMap
from lgtmgen.diagnostics import Diagnostic, has_errors, sorted_diagnostics


@dataclass
class LoadedCatalog:
    """The result of loading: a catalog only when there were no errors, and every finding."""

    catalog: Catalog | None
    diagnostics: list[Diagnostic]
    lines: dict[str, list[str]] = field(default_factory=dict)


def _api_version_problem(document: dict[str, object], lines: dict[str, list[str]]) -> list[Diagnostic]:
    version = document.get("apiVersion")
    if version is None or version == API_VERSION:
        return []
    location, _ = locate(document, ["apiVersion"], key=False)
    return [
        Diagnostic(
            "catalog/api-version",
            f"unsupported apiVersion {version!r}; this lgtmgen reads {API_VERSION!r}",
            location=location,
            path="apiVersion",
            source_line=source_line(lines, location),
        )
    ]


def _check_what_is_valid(
    exc: ValidationError, document: SourceMap, lines: dict[str, list[str]]
) -> list[Diagnostic]:
    """Run the semantic checks on the entries that did validate, so one run shows every problem.

    Entries with errors are left out; their names still count as known, so a
    service whose team entry is malformed is not also told the team is unknown.
    """
    broken: dict[str, set[int]] = {}
    for error in exc.errors():
        loc = error["loc"]
        if len(loc) < 2 or not isinstance(loc[0], str) or not isinstance(loc[1], int):
            return []
        broken.setdefault(loc[0], set()).add(loc[1])
    pruned = SourceMap(document)
    pruned.file, pruned.start = document.file, document.start
    pruned.keys_at, pruned.values_at = document.keys_at, document.values_at
    also_known: dict[str, set[str]] = {}
    for section, indexes in broken.items():
        items = document.get(section)
        if not isinstance(items, SourceList):
            return []
        keep = [i for i in range(len(items)) if i not in indexes]
        kept = SourceList(items[i] for i in keep)
        kept.file, kept.start = items.file, items.start
        kept.items_at = [items.items_at[i] for i in keep]
        kept.item_files = [items.file_of(i) for i in keep]
        pruned[section] = kept
        also_known[section] = {
            str(items[i]["name"]) for i in indexes if isinstance(items[i], dict) and "name" in items[i]
        }
    try:
        catalog = Catalog.model_validate(pruned, by_alias=True)
    except ValidationError:
        return []
    return check_catalog(catalog, pruned, lines, also_known)


def load_catalog(paths: Sequence[Path]) -> LoadedCatalog:
    """Read, merge, validate and check the catalog at `paths`; never raises for bad input."""
    lines: dict[str, list[str]] = {}
    document, diagnostics = load_document(paths, lines)
    if document is None:
        return LoadedCatalog(None, sorted_diagnostics(diagnostics), lines)
    version_problems = _api_version_problem(document, lines)
    if version_problems:
        return LoadedCatalog(None, sorted_diagnostics(diagnostics + version_problems), lines)
    try:
        catalog = Catalog.model_validate(document, by_alias=True)
    except ValidationError as exc:
        diagnostics.extend(diagnostics_from_validation(exc, document, Catalog, lines))
        diagnostics.extend(_check_what_is_valid(exc, document, lines))
        return LoadedCatalog(None, sorted_diagnostics(diagnostics), lines)
    diagnostics.extend(check_catalog(catalog, document, lines))
    if has_errors(diagnostics):
        return LoadedCatalog(None, sorted_diagnostics(diagnostics), lines)
    return LoadedCatalog(catalog, sorted_diagnostics(diagnostics), lines)
