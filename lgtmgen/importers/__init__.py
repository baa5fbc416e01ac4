"""Importers of existing SLO specifications (Sloth, OpenSLO, Pyrra) into catalog entries.

An importer returns catalog data and the list of what it could not carry
over; nothing is dropped silently.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, cast

import yaml

from lgtmgen.catalog.models import WINDOW_PLACEHOLDER
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.diagnostics import Location
from lgtmgen.promql import rate_ranges, syntax_error


class SpecMapping(dict[str, Any]):
    """A mapping read from a spec file, with the 1-based line and column where it starts."""

    line = 0
    column = 0


class _SpecLoader(yaml.SafeLoader):
    """PyYAML's safe loader, its mappings `SpecMapping`s: an entry that does not import or validate
    is reported at its line of the spec."""


def _spec_mapping(loader: _SpecLoader, node: yaml.MappingNode) -> Any:
    data = SpecMapping()
    data.line, data.column = node.start_mark.line + 1, node.start_mark.column + 1
    yield data
    data.update(cast("dict[str, Any]", loader.construct_mapping(node)))


_SpecLoader.add_constructor("tag:yaml.org,2002:map", _spec_mapping)


def load_spec_documents(text: str) -> list[Any]:
    """Every YAML document of a spec file's `text` (raises `yaml.YAMLError`)."""
    return list(yaml.load_all(text, Loader=_SpecLoader))


def spec_location(source: str, node: object) -> Location:
    """Where `node` (a mapping read by `load_spec_documents`) starts in the spec file `source`."""
    if isinstance(node, SpecMapping) and node.line > 0:
        return Location(source, node.line, node.column)
    return Location(source)


@dataclass(frozen=True, slots=True)
class SpecOrigin:
    """Where an imported SLO came from: its own entry, and the document that names its service."""

    slo: Location
    document: Location


@dataclass
class Imported:
    """Catalog `services` entries, and one line per thing that did not carry over."""

    services: list[dict[str, Any]] = field(default_factory=list)
    not_carried: list[str] = field(default_factory=list)
    # Where every SLO of `services` came from, by service name, in the order of its `slos`: an
    # entry that does not validate is reported at the spec line that has to be fixed.
    sources: dict[str, list[SpecOrigin]] = field(default_factory=dict)

    def service(self, name: str, team: str, tenant: str) -> dict[str, Any]:
        """The entry of service `name`, created on first use."""
        for entry in self.services:
            if entry["name"] == name:
                return entry
        entry = {"name": name, "team": team, "tenant": tenant, "slos": []}
        self.services.append(entry)
        return entry

    def add_slo(self, service: dict[str, Any], entry: dict[str, Any], origin: SpecOrigin) -> None:
        """Append the SLO `entry` to `service` (an entry of `services`), remembering where it came from."""
        service["slos"].append(entry)
        self.sources.setdefault(service["name"], []).append(origin)

    def source_of(self, service: int, slo: int | None = None) -> Location | None:
        """Where SLO `slo` of the `service`-th entry starts in its spec; for the service itself
        (`slo` None), the document of its first SLO."""
        if not 0 <= service < len(self.services):
            return None
        origins = self.sources.get(self.services[service]["name"], [])
        index = 0 if slo is None else slo
        if not 0 <= index < len(origins):
            return None
        return origins[index].document if slo is None else origins[index].slo

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
