"""Diagnostics: the one currency every stage returns when something is wrong.

Shaped like pint's: a stable check id, a severity, a message and, for catalog
errors, the file:line:column of the offending key with its source line.
Only the CLI prints them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A position in a text file; line and column are 1-based."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding.

    `check` is a stable id such as ``catalog/unknown-field`` that users can grep
    for and that tests pin; `path` is the dotted path inside the document the
    finding is about (a catalog field or a key of a generated file).
    """

    check: str
    message: str
    severity: Severity = Severity.ERROR
    location: Location | None = None
    path: str | None = None
    source_line: str | None = None
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (
            loc.file if loc else "",
            loc.line if loc else 0,
            loc.column if loc else 0,
            self.check,
            self.message,
        )

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "check": self.check,
            "severity": self.severity.value,
            "message": self.message,
        }
        if self.location is not None:
            out["file"] = self.location.file
            if self.location.line > 0:
                out["line"] = self.location.line
                out["column"] = self.location.column
        if self.path is not None:
            out["path"] = self.path
        if self.hint is not None:
            out["hint"] = self.hint
        return out


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=Diagnostic.sort_key)

