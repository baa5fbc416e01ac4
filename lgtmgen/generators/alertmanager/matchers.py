"""Alertmanager matcher strings and RE2 alternations built from catalog names.

Names are free text, so every value is quoted the way Alertmanager's matcher
parser reads it, and regex alternations escape RE2's metacharacters only
(Python's `re.escape` would also escape characters RE2 refuses to see escaped).
"""

from __future__ import annotations

from collections.abc import Iterable

_QUOTE = {"\\": "\\\\", '"': '\\"', "\n": "\\n"}
_RE2_SPECIAL = set("\\.+*?()|[]{}^$")


def quoted(value: str) -> str:
    """`value` as a double-quoted matcher value."""
    return '"' + "".join(_QUOTE.get(ch, ch) for ch in value) + '"'


def matcher(label: str, op: str, value: str) -> str:
    """One matcher such as ``team="payments"``; `op` is one of ``= != =~ !~``."""
    return f"{label}{op}{quoted(value)}"


def re2_escape(text: str) -> str:
    """`text` as an RE2 pattern that matches exactly it."""
    return "".join("\\" + ch if ch in _RE2_SPECIAL else ch for ch in text)


def alternation(values: Iterable[str]) -> str:
    """An RE2 pattern matching any of `values` exactly (sorted for stable output)."""
    return "|".join(re2_escape(v) for v in sorted(set(values)))
