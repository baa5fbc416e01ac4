"""Importers of existing SLO specifications (Sloth, OpenSLO, Pyrra) into catalog entries.

An importer returns catalog data, the SLOs it could not import at all (`skipped`) and the
details of imported ones it could not carry over (`not_carried`); nothing is dropped silently.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, cast

import promql_parser
import yaml

from lgtmgen.catalog.models import WINDOW_PLACEHOLDER
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.diagnostics import Location
from lgtmgen.promql import nodes, number_value, rate_ranges, syntax_error
from lgtmgen.promql import parse as parse_promql


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
    """Catalog `services` entries; one line per SLO (or spec) that could not be imported at all,
    and one per detail of an imported SLO that did not carry over."""

    services: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
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

    def skip(self, why: str) -> None:
        """Record an SLO, or a spec of SLOs, that is not imported at all, and why."""
        self.skipped.append(why)

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
    over_window = bool(ranges) and len(ranges) == len(_rate_calls(query)) and all(r is not None and math.isclose(r, window) for r in ranges)
    return over_window and _scales_with_its_rates(parsed)


_COMPARISONS = frozenset({">", "<", ">=", "<=", "==", "!="})
_SCALE_FREE_ARGUMENTS = frozenset({"histogram_quantile", "histogram_fraction"})
"""Functions whose number arguments (a quantile, bucket bounds) do not change when every rate they
read is scaled alike."""
_COUNTING = frozenset(
    {
        "count", "count_values", "group", "stdvar",
        "sgn", "absent", "absent_over_time", "timestamp", "time", "count_over_time", "present_over_time",
        "changes", "resets", "ln", "log2", "log10", "exp", "sqrt",
    }
)
"""Aggregations and functions whose result does not grow with their input's scale (a count of
series, a sign, a timestamp) or grows otherwise (a square, a logarithm)."""


def _scales_with_its_rates(query: str) -> bool:
    """Whether `query` (valid PromQL) changes by the factor its rates change by: numbers only multiply
    or divide, or are the 0 of a comparison, no comparison returns `bool`, and nothing counts series
    or takes a sign, a timestamp, a square or a logarithm. `sum(rate(x[w])) > 10` does not (an
    increase over an hour passes 10 long before its rate does), `sum(rate(x[w])) * 60 > 0` does."""
    for node in nodes(parse_promql(query)):
        if isinstance(node, promql_parser.AggregateExpr) and str(node.op) in _COUNTING:
            return False
        if isinstance(node, promql_parser.Call) and node.func.name in _COUNTING:
            return False
        if isinstance(node, promql_parser.BinaryExpr) and node.modifier is not None and node.modifier.return_bool:
            return False
        if isinstance(node, promql_parser.BinaryExpr):
            for side in (node.lhs, node.rhs):
                literal = number_value(side)
                if literal is None:
                    continue
                op = str(node.op)
                if op not in ("*", "/") and not (op in _COMPARISONS and literal == 0):
                    return False
        elif (
            isinstance(node, promql_parser.Call)
            and node.func.name not in _SCALE_FREE_ARGUMENTS
            and any(number_value(arg) not in (None, 0) for arg in node.args)
        ):
            return False
    return True


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
    fixed range such as rate(x[5m]), or a number a rate is added to or compared with, keeps them as
    written, and `catalog/custom-sli-rate` warns).
    """
    if not all(_window_rates_only(q) for q in queries):
        return queries
    return [_as_increase(q) for q in queries]
