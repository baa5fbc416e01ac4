"""RE2 patterns built from literal values, for every regex the bundle hands to Go programs.

Prometheus, Alertmanager, Loki and Grafana's Go backends read RE2 syntax. Only
RE2's metacharacters are escaped: Python's `re.escape` also escapes characters
(space, ``-``, ``#`` ...) that RE2 does not promise to accept escaped.
"""

from __future__ import annotations

from collections.abc import Iterable

_RE2_SPECIAL = frozenset("\\.+*?()|[]{}^$")


def re2_escape(text: str) -> str:
    """`text` as an RE2 pattern that matches exactly it."""
    return "".join("\\" + ch if ch in _RE2_SPECIAL else ch for ch in text)


def alternation(values: Iterable[str]) -> str:
    """An RE2 pattern matching any of `values` exactly (deduplicated and sorted for stable output)."""
    return "|".join(re2_escape(v) for v in sorted(set(values)))
