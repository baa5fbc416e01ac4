"""Load a catalog: files → positioned document → strict models → semantic checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from lgtmgen.catalog.errors import diagnostics_from_validation
from lgtmgen.catalog.files import API_VERSION_CHECK, load_document
from lgtmgen.catalog.models import Catalog
from lgtmgen.catalog.partial import check_what_is_valid
from lgtmgen.catalog.semantics import check_catalog
from lgtmgen.catalog.source import SourceMap
from lgtmgen.diagnostics import Diagnostic, has_errors, sorted_diagnostics


@dataclass
class LoadedCatalog:
    """The result of loading: a catalog only when there were no errors, and every finding."""

    catalog: Catalog | None
    diagnostics: list[Diagnostic]
    lines: dict[str, list[str]] = field(default_factory=dict)


def validate_document(
    document: SourceMap, lines: Mapping[str, list[str]]
) -> tuple[Catalog | None, list[Diagnostic]]:
    """The models of a positioned document and its semantic findings; without a catalog, the
    schema errors and the findings of the parts that did validate (`check_what_is_valid`)."""
    try:
        catalog = Catalog.model_validate(document, by_alias=True)
    except ValidationError as exc:
        found = diagnostics_from_validation(exc, document, Catalog, lines)
        return None, found + check_what_is_valid(exc, document, lines)
    return catalog, check_catalog(catalog, document, lines)


def load_catalog(paths: Sequence[Path]) -> LoadedCatalog:
    """Read, merge, validate and check the catalog at `paths`; never raises for bad input."""
    lines: dict[str, list[str]] = {}
    document, diagnostics = load_document(paths, lines)
    if document is None:
        return LoadedCatalog(None, sorted_diagnostics(diagnostics), lines)
    if any(d.check == API_VERSION_CHECK for d in diagnostics):  # another format: read no further
        return LoadedCatalog(None, sorted_diagnostics(diagnostics), lines)
    catalog, found = validate_document(document, lines)
    diagnostics.extend(found)
    if catalog is None or has_errors(diagnostics):
        return LoadedCatalog(None, sorted_diagnostics(diagnostics), lines)
    return LoadedCatalog(catalog, sorted_diagnostics(diagnostics), lines)
