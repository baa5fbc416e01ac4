"""Importers of existing SLO specifications (Sloth, OpenSLO, Pyrra) into catalog entries.

An importer returns catalog data and the list of what it could not carry
over; nothing is dropped silently.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from lgtmgen.catalog.models import WINDOW_PLACEHOLDER
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.promql import rate_ranges, syntax_error


@dataclass
class Imported:
    """Catalog `services` entries, and one line per thing that did not carry over."""

    services: list[dict[str, Any]] = field(default_factory=list)
    not_carried: list[str] = field(default_factory=list)
    # The spec file of every SLO of `services`, by service name, in the order of its `slos`: an
    # entry that does not validate is reported at the file that has to be fixed.
    sources: dict[str, list[str]] = field(default_factory=dict)

    def service(self, name: str, team: str, tenant: str) -> dict[str, Any]:
        """The entry of service `name`, created on first use."""
        for entry in self.services:
            if entry["name"] == name:
                return entry
        entry = {"name": name, "team": team, "tenant": tenant, "slos": []}
        self.services.append(entry)
        return entry

    def add_slo(self, service: dict[str, Any], entry: dict[str, Any], source: str) -> None:
        """Append the SLO `entry` to `service` (an entry of `services`), remembering its spec file."""
        service["slos"].append(entry)
        self.sources.setdefault(service["name"], []).append(source)

    def source_of(self, service: int, slo: int | None = None) -> str | None:
        """The spec file of SLO `slo` of the `service`-th entry (of its first SLO when None)."""
        if not 0 <= service < len(self.services):
            return None
        files = self.sources.get(self.services[service]["name"], [])
        index = 0 if slo is None else slo
        return files[index] if 0 <= index < len(files) else None

    def slo_count(self) -> int:
        """How many SLOs carried over: with none there is nothing to write."""
        return sum(len(entry["slos"]) for entry in self.services)

    def catalog(self) -> dict[str, Any]:
        return {"apiVersion": "lgtmgen/v1", "services": self.services}


def percent(ratio: float) -> float:
    """A 0..1 target as the catalog's percentage, without float noise (0.999 → 99.9)."""
    return round(ratio * 100, 10)


def mapping(value: object) -> dict[str, Any]:
    """`value` when it is a mapping, else empty: specs are user input and may be malformed."""
    return value if isinstance(value, dict) else {}


def number(value: object) -> float | None:
    """`value` as a float when it is a number (or a numeric string), else None."""
    if isinstance(value, bool):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


_RATE_CALL = re.compile(r"(?<![A-Za-z0-9_:])rate\s*\(")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_WINDOW_MARK = "987654321ms"
"""A range no spec writes, standing in for the window placeholder while the query is parsed."""


def _rate_calls(query: str) -> list[re.Match[str]]:
    """Where `rate(` is written in `query`, not inside its string literals (`{reason="rate(x)"}`)."""
    strings = [m.span() for m in _STRING.finditer(query)]
    return [m for m in _RATE_CALL.finditer(query) if not any(a <= m.start() < b for a, b in strings)]


def _window_rates_only(query: str) -> bool:
    """Whether every rate() of `query` ranges over the window placeholder, as parsed, and is the
    rate( written at each place `_rate_calls` finds."""
    parsed = query.replace(WINDOW_PLACEHOLDER, _WINDOW_MARK)
    if syntax_error(parsed) is not None:
        return False
    ranges = rate_ranges(parsed)
    window = parse_duration(_WINDOW_MARK)
    return len(ranges) == len(_rate_calls(query)) and all(r is not None and math.isclose(r, window) for r in ranges)


def _as_increase(query: str) -> str:
    out, last = [], 0
    for call in _rate_calls(query):
        out += [query[last : call.start()], "increase("]
        last = call.end()
    return "".join([*out, query[last:]])


def counted(queries: list[str]) -> list[str]:
    """The queries of one SLI with every `rate(x[{{window}}])` written as `increase(x[{{window}}])`,
    or all of them unchanged.

    Sloth and OpenSLO specs count events per second; the catalog's SLO records are event counts
    over each window (`min_events` compares with them). increase is rate times the range: the same
    factor on both sides of the ratio, which stays exact, so every query is rewritten or none (a
    fixed range such as rate(x[5m]) keeps them as written, and `catalog/custom-sli-rate` warns).
    """
    if not all(_window_rates_only(q) for q in queries):
        return queries
    return [_as_increase(q) for q in queries]
