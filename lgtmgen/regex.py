"""RE2, the regex syntax of every Go program the bundle feeds: escaping, alternations, checks.

Prometheus, Alertmanager, Loki, Grafana's backends and the collector read Go's
RE2 syntax: no lookaround, no backreferences, no possessive quantifiers,
repetitions up to 1000. User regexes are therefore checked by the RE2 library
(google-re2), not Python's `re`, which accepts all of those. Only RE2's
metacharacters are escaped: Python's `re.escape` also escapes characters
(space, ``-``, ``#`` ...) that RE2 does not promise to accept escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import re2

_RE2_SPECIAL = frozenset("\\.+*?()|[]{}^$")


def re2_escape(text: str) -> str:
    """`text` as an RE2 pattern that matches exactly it."""
    return "".join("\\" + ch if ch in _RE2_SPECIAL else ch for ch in text)


def alternation(values: Iterable[str]) -> str:
    """An RE2 pattern matching any of `values` exactly (deduplicated and sorted for stable output)."""
    return "|".join(re2_escape(v) for v in sorted(set(values)))


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # the library would print every refused pattern on stderr
    return options


@cache
def _compiled(pattern: str) -> Any:
    return re2.compile(pattern, _options())


def re2_problem(pattern: str) -> str | None:
    """Why RE2 refuses `pattern` (``invalid perl operator: (?=``), or None when it compiles."""
    try:
        _compiled(pattern)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        return reason.decode() if isinstance(reason, bytes) else str(reason)
    return None


def re2_fullmatch(pattern: str, text: str) -> bool | None:
    """Whether `pattern` matches all of `text`, by RE2 as Prometheus matches labels (linear time,
    where Python's `re` takes exponential time on a pattern such as `(a+)+`); None when invalid."""
    try:
        return _compiled(pattern).fullmatch(text) is not None
    except re2.error:
        return None


def re2_group_names(pattern: str) -> frozenset[str]:
    """The named capture groups of a pattern RE2 accepts."""
    return frozenset(_compiled(pattern).groupindex)
