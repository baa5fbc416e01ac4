"""Alertmanager matcher strings (``team="payments"``), for routes, inhibitions and route tests.

Names are free text, so every value is quoted the way Alertmanager's matcher
parser reads it. Regex values come from `lgtmgen.regex.alternation`.
"""

from __future__ import annotations

_QUOTE = {"\\": "\\\\", '"': '\\"', "\n": "\\n"}


def quoted(value: str) -> str:
    """`value` as a double-quoted matcher value."""
    return '"' + "".join(_QUOTE.get(ch, ch) for ch in value) + '"'


def matcher(label: str, op: str, value: str) -> str:
    """One matcher such as ``team="payments"``; `op` is one of ``= != =~ !~``."""
    return f"{label}{op}{quoted(value)}"
