"""A typed LogQL builder: every expression of the bundle is composed here, never pasted.

Values are quoted by `string_literal`, so any label value, regex or pattern survives
intact; label names and durations are validated when a node is built.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from lgtmgen.catalog.models.base import LABEL_NAME_PATTERN, format_duration
from lgtmgen.promql import string_literal
from lgtmgen.regex import alternation

LABEL_NAME = re.compile(LABEL_NAME_PATTERN)

MatchOp = Literal["=", "!=", "=~", "!~"]
LineOp = Literal["|=", "!=", "|~", "!~", "|>", "!>"]
RangeFunction = Literal["rate", "count_over_time", "bytes_over_time", "bytes_rate"]
VectorOp = Literal["sum", "avg", "min", "max", "count"]
BinaryOp = Literal["+", "-", "*", "/", ">", "<", ">=", "<=", "==", "!=", "and", "or", "unless"]


def _label(name: str) -> str:
    if not LABEL_NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a LogQL label name")
    return name


def any_of(values: Iterable[str]) -> str:
    """An RE2 alternation that matches exactly one of `values` (sorted, escaped)."""
    return alternation(values)


WEEK = 7 * 86400


def range_duration(seconds: int) -> str:
    """A LogQL duration: whole weeks as `1w`, otherwise the shortest `1h30m` form."""
    if seconds % WEEK == 0:
        return f"{seconds // WEEK}w"
    return format_duration(seconds)


@dataclass(frozen=True, slots=True)
class Matcher:
    """One label matcher of a stream selector or a label filter stage."""

    name: str
    op: MatchOp
    value: str

    def __str__(self) -> str:
        return f"{_label(self.name)}{self.op}{string_literal(self.value)}"


@dataclass(frozen=True, slots=True)
class StreamSelector:
    """`{name="value", ...}`; Loki needs at least one matcher that is not empty-compatible."""

    matchers: tuple[Matcher, ...]

    @classmethod
    def equal(cls, labels: Mapping[str, str], *extra: Matcher) -> StreamSelector:
        return cls(tuple(Matcher(k, "=", v) for k, v in labels.items()) + extra)

    def __str__(self) -> str:
        if not self.matchers:
            raise ValueError("a stream selector needs at least one matcher")
        return "{" + ", ".join(str(m) for m in self.matchers) + "}"


@dataclass(frozen=True, slots=True)
class LineFilter:
    """`|= "text"`, `|~ "regex"`, `|> "pattern"` and their negations."""

    op: LineOp
    value: str

    def __str__(self) -> str:
        return f"{self.op} {string_literal(self.value)}"


@dataclass(frozen=True, slots=True)
class Parser:
    """`| json`, `| logfmt`, `| regexp "re"` or `| pattern "p"`."""

    kind: Literal["json", "logfmt", "regexp", "pattern"]
    expression: str = ""

    def __str__(self) -> str:
        if self.kind in ("regexp", "pattern"):
            if not self.expression:
                raise ValueError(f"the {self.kind} parser needs an expression")
            return f"| {self.kind} {string_literal(self.expression)}"
        return f"| {self.kind}"


@dataclass(frozen=True, slots=True)
class LabelFilter:
    """`| name=~"value"`: keeps lines whose (extracted or metadata) label matches."""

    matcher: Matcher

    def __str__(self) -> str:
        return f"| {self.matcher}"


Stage = LineFilter | Parser | LabelFilter


@dataclass(frozen=True, slots=True)
class LogQuery:
    """A stream selector followed by a pipeline of stages."""

    selector: StreamSelector
    stages: tuple[Stage, ...] = ()

    def then(self, *stages: Stage) -> LogQuery:
        return LogQuery(self.selector, self.stages + stages)

    def __str__(self) -> str:
        return " ".join([str(self.selector), *(str(s) for s in self.stages)])


@dataclass(frozen=True, slots=True)
class RangeAggregation:
    """`rate({...} | ... [5m] offset 1w)`."""

    function: RangeFunction
    query: LogQuery
    range_seconds: int
    offset_seconds: int = 0

    def __str__(self) -> str:
        if self.range_seconds <= 0:
            raise ValueError("a range must be longer than zero")
        window = f"[{range_duration(self.range_seconds)}]"
        if self.offset_seconds:
            window += f" offset {range_duration(self.offset_seconds)}"
        separator = " " if self.query.stages else ""
        return f"{self.function}({self.query}{separator}{window})"


@dataclass(frozen=True, slots=True)
class VectorAggregation:
    """`sum by (a, b) (inner)`."""

    op: VectorOp
    inner: Expr
    by: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        if not self.by:
            return f"{self.op}({self.inner})"
        return f"{self.op} by ({', '.join(_label(b) for b in self.by)}) ({self.inner})"


@dataclass(frozen=True, slots=True)
class Number:
    """A scalar literal."""

    value: float

    def __str__(self) -> str:
        return repr(int(self.value)) if float(self.value).is_integer() else repr(self.value)


@dataclass(frozen=True, slots=True)
class Binary:
    """`left op right`, parenthesised so precedence never depends on the reader."""

    left: Expr
    op: BinaryOp
    right: Expr

    def __str__(self) -> str:
        return f"{_operand(self.left)} {self.op} {_operand(self.right)}"


def _operand(expr: Expr) -> str:
    return str(expr) if isinstance(expr, Number) else f"({expr})"


Expr = RangeAggregation | VectorAggregation | Number | Binary


def error_lines(selector: StreamSelector, level_label: str, levels: Iterable[str]) -> LogQuery:
    """The service's lines whose level stream label is one of `levels`."""
    level = Matcher(level_label, "=~", any_of(levels))
    return LogQuery(StreamSelector(selector.matchers + (level,)))


def sum_rate(
    query: LogQuery, seconds: int, offset: int = 0, by: tuple[str, ...] = ()
) -> VectorAggregation:
    return VectorAggregation("sum", RangeAggregation("rate", query, seconds, offset), by)


def sum_count(query: LogQuery, seconds: int, by: tuple[str, ...] = ()) -> VectorAggregation:
    return VectorAggregation("sum", RangeAggregation("count_over_time", query, seconds), by)


_CAPTURE = re.compile(r"<([^<>]*)>")
_LOKI_CAPTURE = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)>")
"""A capture as Loki's pattern lexer reads it; any other `<...>` is literal text."""
WILDCARD = "_"


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` is not a valid catalog pattern (a recurring error), else None.

    At least one capture `<name>` (or `<_>`), capture names that are label names, unique
    names, and no two captures without literal text between them. The names document the
    line; the rule matches every capture as `<_>` (see `line_pattern`).
    """
    captures = list(_CAPTURE.finditer(pattern))
    if not captures:
        return "a pattern needs at least one capture such as <_> or <status>"
    seen: set[str] = set()
    for previous, current in itertools.pairwise(captures):
        if previous.end() == current.start():
            return f"captures {previous.group(0)} and {current.group(0)} need literal text between them"
    for match in captures:
        name = match.group(1)
        if name == WILDCARD:
            continue
        if not LABEL_NAME.fullmatch(name):
            return f"capture <{name}> is not a label name"
        if name in seen:
            return f"capture <{name}> appears twice"
        seen.add(name)
    return None


def _adjacent_captures(pattern: str) -> str | None:
    for previous, current in itertools.pairwise(_LOKI_CAPTURE.finditer(pattern)):
        if previous.end() == current.start():
            return f"captures {previous.group(0)} and {current.group(0)} need literal text between them"
    return None


def pattern_parser_problem(pattern: str) -> str | None:
    """Why Loki's `| pattern` parser refuses `pattern`, else None.

    Loki counts only named captures: `<_>` alone extracts nothing and is refused.
    """
    names = [m.group(1) for m in _LOKI_CAPTURE.finditer(pattern) if m.group(1) != WILDCARD]
    if not names:
        return "the pattern parser needs at least one named capture such as <status>"
    if (problem := _adjacent_captures(pattern)) is not None:
        return problem
    for index, name in enumerate(names):
        if name in names[:index]:
            return f"capture <{name}> appears twice"
    return None


def line_pattern_problem(pattern: str) -> str | None:
    """Why Loki's `|>` / `!>` line filter refuses `pattern`, else None.

    The filter matches the whole line against literals and `<_>` wildcards; Loki
    refuses named captures there.
    """
    for match in _LOKI_CAPTURE.finditer(pattern):
        if match.group(1) != WILDCARD:
            return f"a line filter pattern takes only <_>: named capture {match.group(0)} is refused"
    return _adjacent_captures(pattern)


def line_pattern(pattern: str) -> str:
    """`pattern` with every named capture turned into `<_>`, as the `|>` filter needs it."""
    return _LOKI_CAPTURE.sub(f"<{WILDCARD}>", pattern)
