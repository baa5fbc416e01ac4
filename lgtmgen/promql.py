"""PromQL text helpers: quoting of label values, syntax checks and what the target Prometheus accepts (promql-parser)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import promql_parser

from lgtmgen.regex import re2_escape

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


_MATCH_OPERATORS = (
    (promql_parser.MatchOp.Equal, "="),
    (promql_parser.MatchOp.NotEqual, "!="),
    (promql_parser.MatchOp.Re, "=~"),
    (promql_parser.MatchOp.NotRe, "!~"),
)
"""promql_parser's match operators (not hashable) and their PromQL spelling."""


def match_operator(op: object) -> str:
    """The PromQL spelling (`=`, `!=`, `=~`, `!~`) of a matcher operator of promql_parser's tree."""
    return next(text for known, text in _MATCH_OPERATORS if op == known)


def unparenthesised(node: Any) -> Any:
    """`node` of promql_parser's tree without the parentheses around it."""
    while isinstance(node, promql_parser.ParenExpr):
        node = node.expr
    return node


def number_value(node: Any) -> float | None:
    """The value of a number literal (in parentheses or not); None for any other node."""
    node = unparenthesised(node)
    return float(node.val) if isinstance(node, promql_parser.NumberLiteral) else None


def string_literal(value: str) -> str:
    """A PromQL double-quoted string literal holding `value` exactly."""
    return '"' + value.translate(_ESCAPES) + '"'


def quantile_label(q: float) -> str:
    """``0.99`` → ``"0.99"``: the `quantile` label value of a latency percentile's record.

    The recording families label their series with it and the catalog check of distinct
    percentiles compares these labels, so both share this one function.
    """
    return format(q, "g")


def matchers(labels: Mapping[str, str], extra: str = "") -> str:
    """Render equality matchers ``a="x",b="y"``, with `extra` raw matchers appended."""
    parts = [f"{name}={string_literal(value)}" for name, value in labels.items()]
    if extra:
        parts.append(extra)
    return ",".join(parts)


MAX_NESTING = 400
"""Deepest nesting `parse` hands to the parser, counted in brackets and in binary operators (a
chain `a + b + ...` nests one level an operator): the parser recurses per level and overflows its
stack (the process dies) at some thousands, and the recursive walks of the tree (here and in the
checks) reach Python's recursion limit near a thousand. Written PromQL nests a few dozen at most;
lgtmgen's deepest generated expression in the shop counts 190 (window sums from slices)."""

_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")
_OPERATOR_CHARACTERS = frozenset("+-*/%^<>=!")
_KEYWORD_OPERATOR = re.compile(r"\b(?:and|or|unless|atan2)\b")


def _code(expr: str) -> str:
    """`expr` without its string literals and `#` comments, where no bracket or operator counts."""
    kept: list[str] = []
    quote: str | None = None
    escaped = comment = False
    for ch in expr:
        if comment:
            comment = ch not in "\r\n"  # the lexer ends a comment at either
        elif quote is not None:
            if escaped:
                escaped = False
            elif ch == "\\" and quote != "`":
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "\"'`":
            quote = ch
        elif ch == "#":
            comment = True
        else:
            kept.append(ch)
    return "".join(kept)


def _nesting(expr: str) -> int:
    """How deep `expr` nests: its deepest brackets plus its binary operators, outside strings and comments."""
    code = _code(expr)
    depth = deepest = 0
    for ch in code:
        if ch in _OPENING:
            depth += 1
            deepest = max(deepest, depth)
        elif ch in _CLOSING:
            depth -= 1
    operators = sum(ch in _OPERATOR_CHARACTERS for ch in code) + len(_KEYWORD_OPERATOR.findall(code))
    return deepest + operators


def parse(expr: str) -> Any:
    """`promql_parser.parse`, refusing (ValueError) an expression that nests deeper than `MAX_NESTING`."""
    if len(expr) > MAX_NESTING and _nesting(expr) > MAX_NESTING:
        raise ValueError(f"the expression nests deeper than {MAX_NESTING} levels (brackets and operators)")
    return promql_parser.parse(expr)


def syntax_error(expr: str) -> str | None:
    """The parser's message when `expr` is not valid PromQL, else None."""
    try:
        parse(expr)
    except ValueError as exc:
        return str(exc)
    return None


def selector_error(expr: str) -> str | None:
    """The reason `expr` is not a plain vector selector (``metric{l="v"}``), else None."""
    try:
        parsed = parse(expr)
    except ValueError as exc:
        return str(exc)
    if not isinstance(parsed, promql_parser.VectorSelector):
        return "expected a vector selector such as http_requests_total{job=\"api\"}, not an expression"
    return None


def add_matchers(selector: str, extra: str) -> str:
    """Append raw matchers to a vector selector's braces (``m{a="b"}`` + ``c="d"``)."""
    if not extra:
        return selector
    text = selector.strip()
    if text.endswith("}"):
        inner = text[text.index("{") + 1 : -1].strip()
        head = text[: text.index("{")]
        return f"{head}{{{inner + ',' if inner else ''}{extra}}}"
    return f"{text}{{{extra}}}"


@dataclass(frozen=True, slots=True)
class SelectedMetrics:
    """The metric names an expression's selectors read.

    `names` are exact (``up``, ``x{a="b"}``, ``{__name__="x"}``); `patterns` are the RE2
    regexes of ``{__name__=~"..."}`` selectors. Selectors without a positive name
    (``{job="x"}``, ``{__name__!="x"}``) could read any metric and appear in neither.
    """

    names: frozenset[str] = field(default_factory=frozenset)
    patterns: frozenset[str] = field(default_factory=frozenset)

    def __or__(self, other: SelectedMetrics) -> SelectedMetrics:
        return SelectedMetrics(self.names | other.names, self.patterns | other.patterns)


def selected_metrics(expr: str) -> SelectedMetrics:
    """Every metric name the vector selectors of `expr` (valid PromQL) read, from its AST."""
    names: set[str] = set()
    patterns: set[str] = set()
    for selector in vector_selectors(parse(expr)):
        if selector.name:
            names.add(selector.name)
        matchers = selector.matchers
        # `{a="x" or b="y"}` keeps its alternatives in or_matchers, each a list of matchers.
        for alternative in [matchers.matchers, *matchers.or_matchers]:
            for matcher in alternative:
                if matcher.name != "__name__":
                    continue
                if matcher.op == promql_parser.MatchOp.Equal:
                    names.add(matcher.value)
                elif matcher.op == promql_parser.MatchOp.Re:
                    patterns.add(matcher.value)
    return SelectedMetrics(frozenset(names), frozenset(patterns))


@dataclass(frozen=True, slots=True)
class SeriesMatch:
    """The series one vector selector can read, as relabelling tests them: per label name (sorted,
    ``__name__`` included), an RE2 regex its value must match whole. Only the positive matchers
    (``=``, ``=~``) are kept, so it matches every series the selector reads, and maybe more."""

    labels: tuple[tuple[str, str], ...]


def series_matches(expr: str, regexes: bool = True) -> list[SeriesMatch]:
    """A `SeriesMatch` per vector selector of `expr` (valid PromQL), one per alternative of ``or``
    matchers; without `regexes`, of its equality matchers only (a match of more series)."""
    found: list[SeriesMatch] = []
    for selector in vector_selectors(parse(expr)):
        matchers = selector.matchers
        # `{a="x" or b="y"}` keeps its alternatives in or_matchers (and none in matchers).
        for alternative in matchers.or_matchers or [matchers.matchers]:
            labels: dict[str, str] = {"__name__": re2_escape(selector.name)} if selector.name else {}
            for matcher in alternative:
                if matcher.name in labels:  # a second matcher of one label: the first alone matches more
                    continue
                if matcher.op == promql_parser.MatchOp.Equal:
                    labels[matcher.name] = re2_escape(matcher.value)
                elif matcher.op == promql_parser.MatchOp.Re and regexes:
                    labels[matcher.name] = matcher.value
            found.append(SeriesMatch(tuple(sorted(labels.items()))))
    return found


PROMETHEUS_RELEASE = "3.5"
"""The Prometheus the bundle targets (`lgtmgen.bundle.TARGET_VERSIONS`), whose PromQL the lists below describe."""

# What Prometheus 3.5 refuses in a query unless started with
# --enable-feature=promql-experimental-functions, which neither the generated Prometheus
# configuration nor Mimir's (`limits.enabled_promql_experimental_functions`) turns on: the functions
# marked `Experimental: true` in promql/parser/functions.go of Prometheus v3.5, and the aggregation
# operators limitk and limit_ratio, which its parser refuses behind the same flag. The one place
# these are listed; tests/catalog/test_promql_functions.py runs promtool 3.5.3 on a rule using each
# name (refused without the flag, accepted with it), so the lists are held to the real tool.
EXPERIMENTAL_FUNCTIONS = frozenset(
    {
        "double_exponential_smoothing",
        "info",
        "mad_over_time",
        "sort_by_label",
        "sort_by_label_desc",
        "ts_of_last_over_time",
        "ts_of_max_over_time",
        "ts_of_min_over_time",
    }
)
EXPERIMENTAL_AGGREGATIONS = frozenset({"limit_ratio", "limitk"})
# Functions promql-parser accepts, from Prometheus releases after 3.5, that Prometheus 3.5 does not
# know at all (promtool 3.5: "unknown function", even with the experimental functions enabled).
LATER_FUNCTIONS = frozenset(
    {
        "end",
        "first_over_time",
        "histogram_quantiles",
        "integral",
        "range",
        "start",
        "step",
        "ts_of_first_over_time",
    }
)


@dataclass(frozen=True, slots=True)
class UnsupportedCall:
    """A function or aggregation operator a query calls that Prometheus 3.5, run as lgtmgen configures
    it, refuses: `experimental` ones need the experimental-functions flag, the others do not exist there."""

    name: str
    aggregation: bool
    experimental: bool

    def describe(self) -> str:
        what = "aggregation" if self.aggregation else "function"
        if self.experimental:
            return (
                f"{self.name}() is an experimental {what} of Prometheus {PROMETHEUS_RELEASE}: it needs Prometheus' "
                "--enable-feature=promql-experimental-functions, which the generated Prometheus and Mimir "
                "configuration does not enable"
            )
        return (
            f"{self.name}() is not a function of Prometheus {PROMETHEUS_RELEASE}, the version the bundle targets: "
            "it is newer"
        )


def unsupported_calls(expr: str) -> tuple[UnsupportedCall, ...]:
    """The calls of `expr` (valid PromQL) that Prometheus 3.5 refuses as the bundle runs it, by name."""
    found: dict[str, UnsupportedCall] = {}
    todo: list[Any] = [parse(expr)]
    while todo:
        node = todo.pop()
        if isinstance(node, promql_parser.Call):
            name = node.func.name
            if name in EXPERIMENTAL_FUNCTIONS or name in LATER_FUNCTIONS:
                found[name] = UnsupportedCall(name, False, name in EXPERIMENTAL_FUNCTIONS)
        elif isinstance(node, promql_parser.AggregateExpr) and str(node.op) in EXPERIMENTAL_AGGREGATIONS:
            found[str(node.op)] = UnsupportedCall(str(node.op), True, True)
        todo += _children(node)
    return tuple(found[name] for name in sorted(found))


COUNTER_SUFFIXES = ("_total", "_count", "_sum", "_bucket")
"""Name endings Prometheus' conventions reserve for counters (and a histogram's or summary's parts)."""
RATE_FUNCTIONS = frozenset({"rate", "irate", "increase"})


@dataclass(frozen=True, slots=True)
class CounterReads:
    """How an expression reads counters: the rate-like functions it calls, and the
    counter-named metrics it reads outside them (as if they were gauges)."""

    rate_functions: frozenset[str]
    unrated_counters: frozenset[str]


def counter_reads(expr: str) -> CounterReads:
    """The rate-like calls of `expr` (valid PromQL) and the counters it reads without one."""
    functions: set[str] = set()
    unrated: set[str] = set()
    todo: list[tuple[Any, bool]] = [(parse(expr), False)]
    while todo:
        node, rated = todo.pop()
        if isinstance(node, promql_parser.Call):
            rated = node.func.name in RATE_FUNCTIONS  # of its arguments
            if rated:
                functions.add(node.func.name)
        elif isinstance(node, promql_parser.VectorSelector):
            name = node.name or ""
            if ":" not in name and name.endswith(COUNTER_SUFFIXES) and not rated:
                unrated.add(name)
        elif not isinstance(node, promql_parser.MatrixSelector):  # a range passes its call's rating on
            rated = False
        todo += [(child, rated) for child in _children(node)]
    return CounterReads(frozenset(functions), frozenset(unrated))


def rate_ranges(expr: str) -> list[float | None]:
    """The range in seconds of every `rate()` call of `expr` (valid PromQL), in no order; None for a
    rate() over a subquery."""
    found: list[float | None] = []
    todo = [parse(expr)]
    while todo:
        node = todo.pop()
        if isinstance(node, promql_parser.Call) and node.func.name == "rate":
            arg = node.args[0] if node.args else None
            found.append(arg.range.total_seconds() if isinstance(arg, promql_parser.MatrixSelector) else None)
        todo += _children(node)
    return found


_KEEPING_AGGREGATIONS = frozenset({"topk", "bottomk", "limitk", "limit_ratio"})
"""Aggregations that select series, keeping their labels, instead of merging them."""
_LABELLESS_FUNCTIONS = frozenset({"vector", "absent", "absent_over_time"})
_SCALAR_FUNCTIONS = frozenset({"scalar", "time", "pi"})


def keeps_label(expr: str, label: str) -> bool | None:
    """Whether the series `expr` (valid PromQL) returns still carry `label` of the series it read:
    False when an aggregation drops it (`sum(...)`, `sum by (job) (...)`), None for a scalar.

    Follows the side whose labels a result takes (the left of `or`, `and`, `unless` and of
    one-to-one or many-to-one matching; the right of `group_right`) and a function's vector
    argument; raw selectors carry every label.
    """
    return _keeps(parse(expr), label)


def _keeps(node: Any, label: str) -> bool | None:
    if isinstance(node, promql_parser.VectorSelector | promql_parser.MatrixSelector):
        return True
    if isinstance(node, promql_parser.NumberLiteral | promql_parser.StringLiteral):
        return None
    if isinstance(node, promql_parser.ParenExpr | promql_parser.SubqueryExpr | promql_parser.UnaryExpr):
        return _keeps(node.expr, label)
    if isinstance(node, promql_parser.AggregateExpr):
        if str(node.op) in _KEEPING_AGGREGATIONS:
            return _keeps(node.expr, label)
        modifier = node.modifier
        if modifier is None:
            return False
        listed = label in modifier.labels
        return listed if modifier.type == promql_parser.AggModifierType.By else not listed
    if isinstance(node, promql_parser.Call):
        if node.func.name in _LABELLESS_FUNCTIONS:
            return False
        if node.func.name in _SCALAR_FUNCTIONS:
            return None
        kept = [k for k in (_keeps(arg, label) for arg in node.args) if k is not None]
        return kept[0] if kept else None
    if isinstance(node, promql_parser.BinaryExpr):
        left, right = _keeps(node.lhs, label), _keeps(node.rhs, label)
        if left is None or right is None:
            return right if left is None else left
        card = node.modifier.card if node.modifier is not None else None
        return right if card == promql_parser.VectorMatchCardinality.OneToMany else left
    return None


def vector_selectors(root: Any) -> list[Any]:
    """The vector selectors below `root`, found by following each node kind's children.

    promql_parser.walk does the same, but converts and visits every node in Python and
    costs about ten times as much (the keep-list parses every SLI of the catalog).
    """
    found, todo = [], [root]
    while todo:
        node = todo.pop()
        if isinstance(node, promql_parser.VectorSelector):
            found.append(node)
        todo += _children(node)
    return found


def nodes(tree: Any) -> Iterator[Any]:
    """Every node of a parsed expression, without recursion (`promql_parser.walk` takes time
    growing with the square of a long operator chain: 18 s at 400 terms)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        todo.extend(_children(node))


def _children(node: Any) -> list[Any]:
    """The sub-expressions of one node of promql_parser's tree, by node kind: the one place the
    walks of this module (selected metrics, counter reads, unsupported calls) learn its shape."""
    if isinstance(node, promql_parser.MatrixSelector):
        return [node.vector_selector]
    if isinstance(node, promql_parser.BinaryExpr):
        return [node.lhs, node.rhs]
    if isinstance(node, promql_parser.Call):
        return list(node.args)
    if isinstance(node, promql_parser.AggregateExpr):
        return [child for child in (node.expr, node.param) if isinstance(child, promql_parser.Expr)]
    if isinstance(node, promql_parser.ParenExpr | promql_parser.SubqueryExpr | promql_parser.UnaryExpr):
        return [node.expr]
    return []
