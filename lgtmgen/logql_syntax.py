"""A structural LogQL checker: no maintained LogQL parser exists for Python.

It reads the LogQL grammar the bundle and catalogs use (stream selectors, line
filters, parsers, label filters, formatting stages, range and vector aggregations,
binary operators, `offset`) and reports the first structural problem: unbalanced
brackets, unterminated strings, a selector without matchers, an unknown stage or
function, a range without a duration, an invalid regex. It does not type-check
(for example, it accepts `rate` over an `unwrap`ped query).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lgtmgen.logql import line_pattern_problem, pattern_parser_problem
from lgtmgen.regex import re2_problem

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>"(?:[^"\\]|\\.)*"|`[^`]*`)
  | (?P<duration>\[[^\]]*\])
  | (?P<number>[0-9]+(?:\.[0-9]+)?(?:[a-zA-Z]+[0-9a-zA-Z]*)?)
  | (?P<ident>[a-zA-Z_][a-zA-Z0-9_.]*)
  | (?P<op>\|=|\|~|\|>|!=|!~|!>|=~|==|>=|<=|[-+*/%^(){},|=<>])
    """,
    re.VERBOSE,
)
_DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")

RANGE_FUNCTIONS = {
    "rate", "count_over_time", "bytes_over_time", "bytes_rate", "rate_counter",
    "avg_over_time", "sum_over_time", "min_over_time", "max_over_time", "stddev_over_time",
    "stdvar_over_time", "quantile_over_time", "first_over_time", "last_over_time",
    "absent_over_time",
}  # fmt: skip
VECTOR_AGGREGATIONS = {
    "sum", "avg", "min", "max", "count", "stddev", "stdvar", "topk", "bottomk", "sort", "sort_desc",
}  # fmt: skip
PARSERS = {"json", "logfmt", "unpack", "decolorize"}
STRING_STAGES = {"regexp", "pattern", "line_format"}
LIST_STAGES = {"label_format", "drop", "keep"}
LINE_OPS = {"|=", "!=", "|~", "!~", "|>", "!>"}
MATCH_OPS = {"=", "!=", "=~", "!~"}
COMPARE_OPS = {"=", "==", "!=", "=~", "!~", ">", "<", ">=", "<="}
BINARY_OPS = {"+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<=", "and", "or", "unless"}


class LogQLError(ValueError):
    """A structural problem, with the character offset where it was found."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} (at character {offset + 1})")
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    offset: int


def tokenize(expr: str) -> list[Token]:
    tokens = []
    position = 0
    while position < len(expr):
        match = _TOKEN.match(expr, position)
        if match is None:
            what = (
                "unterminated string"
                if expr[position] in '"`'
                else f"unexpected {expr[position]!r}"
            )
            raise LogQLError(what, position)
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, match.group(0), position))
        position = match.end()
    return tokens


def _unquote(token: Token) -> str:
    if token.text.startswith("`"):
        return token.text[1:-1]
    return re.sub(
        r"\\(.)",
        lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)),
        token.text[1:-1],
    )


class _Reader:
    def __init__(self, expr: str) -> None:
        self.tokens = tokenize(expr)
        self.index = 0
        self.end = len(expr)

    def peek(self, ahead: int = 0) -> Token | None:
        i = self.index + ahead
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self, kind: str | None = None, text: str | None = None, what: str = "") -> Token:
        token = self.peek()
        ok = (
            token is not None
            and (kind is None or token.kind == kind)
            and (text is None or token.text == text)
        )
        if not ok or token is None:
            found = f"{token.text!r}" if token else "the end"
            raise LogQLError(
                f"expected {what or text or kind}, found {found}",
                token.offset if token else self.end,
            )
        self.index += 1
        return token

    def at(self, text: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token is not None and token.text == text


def _regex(token: Token) -> None:
    if (problem := re2_problem(_unquote(token))) is not None:
        raise LogQLError(f"invalid regex {token.text}: {problem}", token.offset)


def _selector(r: _Reader) -> None:
    r.take(text="{", what="a stream selector '{'")
    if r.at("}"):
        raise LogQLError("a stream selector needs at least one matcher", r.take().offset)
    while True:
        r.take("ident", what="a label name")
        op = r.take("op", what="a matcher operator")
        if op.text not in MATCH_OPS:
            raise LogQLError(f"{op.text!r} is not a matcher operator", op.offset)
        value = r.take("string", what="a quoted label value")
        if op.text in ("=~", "!~"):
            _regex(value)
        if r.at("}"):
            r.take()
            return
        r.take(text=",", what="',' or '}'")


def _label_filter(r: _Reader) -> None:
    while True:
        if r.at("("):
            r.take()
            _label_filter(r)
            r.take(text=")")
        else:
            r.take("ident", what="a stage or a label filter")
            op = r.take("op", what="a comparison")
            if op.text not in COMPARE_OPS:
                raise LogQLError(f"{op.text!r} is not a label comparison", op.offset)
            value = r.peek()
            if value is None or value.kind not in ("string", "number"):
                raise LogQLError(
                    "expected a value to compare with", value.offset if value else r.end
                )
            r.take()
            if op.text in ("=~", "!~") and value.kind == "string":
                _regex(value)
        token = r.peek()
        if token is not None and token.text in ("and", "or", ","):
            r.take()
            continue
        return


def _stage(r: _Reader) -> None:
    token = r.peek()
    if token is None:
        raise LogQLError("expected a stage after '|'", r.end)
    name = token.text
    if name in PARSERS:
        r.take()
        while (t := r.peek()) is not None and t.kind == "ident" and r.at("=", 1):
            r.take(), r.take(), r.take("string", what="a quoted expression")
            if r.at(","):
                r.take()
    elif name in STRING_STAGES:
        r.take()
        value = r.take("string", what=f"the {name} expression")
        if name == "regexp":
            _regex(value)
        if name == "pattern" and (problem := pattern_parser_problem(_unquote(value))):
            raise LogQLError(problem, value.offset)
    elif name in LIST_STAGES:
        r.take()
        while True:
            r.take("ident", what="a label name")
            if r.at("="):
                r.take()
                r.take(what="a value")
            if not r.at(","):
                break
            r.take()
    elif name == "unwrap":
        r.take()
        if (
            (t := r.peek()) is not None
            and t.text in ("bytes", "duration", "duration_seconds")
            and r.at("(", 1)
        ):
            r.take(), r.take(), r.take("ident"), r.take(text=")")
        else:
            r.take("ident", what="a label to unwrap")
    else:
        _label_filter(r)


def _line_filter_value(op: str, value: Token) -> None:
    """A line filter's operand (every `or` alternative too) as Loki compiles it."""
    if op in ("|~", "!~"):
        _regex(value)
    if op in ("|>", "!>") and (problem := line_pattern_problem(_unquote(value))):
        raise LogQLError(problem, value.offset)


def _log_query(r: _Reader) -> None:
    _selector(r)
    while (token := r.peek()) is not None:
        if token.text in LINE_OPS:
            r.take()
            _line_filter_value(token.text, r.take("string", what="a quoted filter"))
            while r.at("or"):
                r.take()
                _line_filter_value(token.text, r.take("string", what="a quoted filter"))
        elif token.text == "|":
            r.take()
            _stage(r)
        else:
            return


def _grouping(r: _Reader) -> None:
    if (token := r.peek()) is not None and token.text in ("by", "without"):
        r.take()
        r.take(text="(")
        while not r.at(")"):
            r.take("ident", what="a label name")
            if not r.at(")"):
                r.take(text=",", what="',' or ')'")
        r.take(text=")")


def _range_window(r: _Reader) -> None:
    window = r.take("duration", what="a range such as [5m]")
    if not _DURATION.fullmatch(window.text[1:-1]):
        raise LogQLError(f"{window.text} is not a range duration", window.offset)
    if r.at("offset"):
        r.take()
        offset = r.take("number", what="an offset duration")
        if not _DURATION.fullmatch(offset.text):
            raise LogQLError(f"{offset.text} is not a duration", offset.offset)


def _operand(r: _Reader) -> None:
    token = r.peek()
    if token is None:
        raise LogQLError("expected an expression", r.end)
    if token.text in ("-", "+"):
        r.take()
        _operand(r)
    elif token.kind == "number":
        r.take()
    elif token.text == "(":
        r.take()
        _expression(r)
        r.take(text=")")
    elif token.text == "{":
        _log_query(r)
    elif token.text in RANGE_FUNCTIONS:
        r.take()
        r.take(text="(")
        if (t := r.peek()) is not None and t.kind == "number":
            r.take(), r.take(text=",")
        _log_query(r)
        _range_window(r)
        r.take(text=")")
        _grouping(r)
    elif token.text in VECTOR_AGGREGATIONS:
        r.take()
        _grouping(r)
        r.take(text="(")
        if (t := r.peek()) is not None and t.kind == "number":
            r.take(), r.take(text=",")
        _expression(r)
        r.take(text=")")
        _grouping(r)
    else:
        raise LogQLError(f"unknown function or token {token.text!r}", token.offset)


def _expression(r: _Reader) -> None:
    _operand(r)
    while (token := r.peek()) is not None and token.text in BINARY_OPS:
        r.take()
        if r.at("bool"):
            r.take()
        _operand(r)


def logql_problem(expr: str) -> str | None:
    """The first structural problem of LogQL `expr`, or None when it reads well."""
    try:
        reader = _Reader(expr)
        _expression(reader)
        if (extra := reader.peek()) is not None:
            raise LogQLError(f"unexpected {extra.text!r} after the expression", extra.offset)
    except LogQLError as exc:
        return str(exc)
    return None
