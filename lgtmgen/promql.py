"""PromQL text helpers: quoting of label values and syntax checks (promql-parser)."""

from __future__ import annotations

from collections.abc import Mapping

import promql_parser

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def string_literal(value: str) -> str:
    """A PromQL double-quoted string literal holding `value` exactly."""
    return '"' + value.translate(_ESCAPES) + '"'


def matchers(labels: Mapping[str, str], extra: str = "") -> str:
    """Render equality matchers ``a="x",b="y"``, with `extra` raw matchers appended."""
    parts = [f"{name}={string_literal(value)}" for name, value in labels.items()]
    if extra:
        parts.append(extra)
    return ",".join(parts)


def syntax_error(expr: str) -> str | None:
    """The parser's message when `expr` is not valid PromQL, else None."""
    try:
        promql_parser.parse(expr)
    except ValueError as exc:
        return str(exc)
    return None


def selector_error(expr: str) -> str | None:
    """The reason `expr` is not a plain vector selector (``metric{l="v"}``), else None."""
    try:
        parsed = promql_parser.parse(expr)
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
