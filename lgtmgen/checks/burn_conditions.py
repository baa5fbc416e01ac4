"""The two windows of a multiwindow burn-rate condition are one condition.

A burn alert fires when the error ratio over a long window and over a short window both exceed
one threshold (burn factor times error budget): the long window shows the burn is significant,
the short one that it is still going on. The generated promtool tests feed steady burns, where
both windows see the same ratio, so a condition whose two sides drifted apart (another factor on
one side, another SLO's series, the windows swapped) passes them; this reads every condition
of the rule files instead. A condition is an `and` of two comparisons `ratio_rate<window> >
threshold`, the long window first; the alert's `long_window`/`short_window` labels, which
routing and the runbooks read, name the windows of one of its conditions.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import promql_parser

from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.diagnostics import Diagnostic, Location
from lgtmgen.promql import match_operator, nodes, number_value, string_literal, unparenthesised

CHECK_ID = "rules/burn-condition"
_WINDOWED = re.compile(r"^(?P<family>.*:.*ratio_rate)(?P<window>[0-9a-z]+)$")


@dataclass(frozen=True, slots=True)
class Side:
    """One comparison of a burn condition: the windowed ratio it reads and its threshold."""

    family: str
    window: str
    seconds: float
    matchers: frozenset[tuple[str, str, str]]
    threshold: float


def _threshold(node: Any) -> float | None:
    """The value of a number or a product of two numbers, such as ``(14.4 * 0.001)``."""
    node = unparenthesised(node)
    if isinstance(node, promql_parser.BinaryExpr) and str(node.op) == "*":
        left, right = number_value(node.lhs), number_value(node.rhs)
        return None if left is None or right is None else left * right
    return number_value(node)


def _plain(node: Any) -> bool:
    """A binary operation without `bool`, `on`/`ignoring` or `group_*`."""
    modifier = node.modifier
    return modifier is None or (not modifier.return_bool and modifier.matching is None and not modifier.group_labels)


def _ratio(node: Any) -> Any:
    """The selector of a side's ratio: the selector itself, or ``1 - selector`` (a success ratio), else None."""
    node = unparenthesised(node)
    if isinstance(node, promql_parser.BinaryExpr) and str(node.op) == "-" and _plain(node):
        if _threshold(node.lhs) != 1:
            return None
        node = unparenthesised(node.rhs)
    if not isinstance(node, promql_parser.VectorSelector) or node.offset is not None or node.at is not None:
        return None
    return node


def _side(node: Any) -> Side | None:
    """A comparison ``<ratio_rate<window> series, or 1 minus it> > <threshold>``, else None."""
    node = unparenthesised(node)
    if not isinstance(node, promql_parser.BinaryExpr) or str(node.op) != ">" or not _plain(node):
        return None
    threshold = _threshold(node.rhs)
    selector = _ratio(node.lhs)
    if threshold is None or selector is None:
        return None
    named = _WINDOWED.match(selector.name or "")
    if named is None:
        return None
    try:
        seconds = parse_duration(named["window"])
    except ValueError:
        return None
    matchers = frozenset((m.name, match_operator(m.op), m.value) for m in selector.matchers.matchers)
    return Side(named["family"], named["window"], seconds, matchers, threshold)


def burn_conditions(parsed: Any) -> list[tuple[Side, Side]]:
    """Every ``long > threshold and short > threshold`` of a parsed expression, in (long, short) order."""
    found = []
    for node in nodes(parsed):
        if isinstance(node, promql_parser.BinaryExpr) and str(node.op) == "and" and _plain(node):
            long, short = _side(node.lhs), _side(node.rhs)
            if long is not None and short is not None:
                found.append((long, short))
    return found


def burn_findings(rule: dict[str, Any], parsed: Any, where: str, file: str) -> list[Diagnostic]:
    """What is inconsistent in the burn conditions of one alerting rule."""
    conditions = burn_conditions(parsed)
    problems = [problem for long, short in conditions for problem in _pair_problems(long, short)]
    labels = rule.get("labels") or {}
    named = (labels.get("long_window"), labels.get("short_window"))
    reads_ratios = any(
        isinstance(n, promql_parser.VectorSelector) and _WINDOWED.match(n.name or "") for n in nodes(parsed)
    )
    if not conditions and reads_ratios and all(isinstance(w, str) for w in named):
        problems.append(
            "it reads windowed ratios but holds no condition `ratio_rate<long> > t and ratio_rate<short> > t` "
            "(both sides above one threshold, joined by a plain `and`, no offset, aggregation or matching "
            "modifier): it does not fire as its window labels say"
        )
    if conditions and all(isinstance(w, str) for w in named) and not any(
        _same_length(long.window, named[0]) and _same_length(short.window, named[1]) for long, short in conditions
    ):
        read = ", ".join(f"{long.window} and {short.window}" for long, short in conditions)
        problems.append(
            f"its labels name the windows {named[0]} and {named[1]}, but its condition reads {read}: "
            "routing and the runbook would describe another alert"
        )
    alert = rule.get("alert")
    return [
        Diagnostic(CHECK_ID, f"{where}: alert {alert!r}: {problem}", location=Location(file), path=where)
        for problem in problems
    ]


def _pair_problems(long: Side, short: Side) -> list[str]:
    problems = []
    if not math.isclose(long.threshold, short.threshold, rel_tol=1e-9):
        problems.append(
            f"the {long.window} window is held to {long.threshold:g} and the {short.window} window to "
            f"{short.threshold:g}; both windows of a burn condition share one threshold"
        )
    if long.family != short.family or long.matchers != short.matchers:
        problems.append(
            f"the {long.window} and {short.window} windows read different series "
            f"({long.family}{long.window}{_shown(long)} and {short.family}{short.window}{_shown(short)})"
        )
    if long.seconds <= short.seconds:
        problems.append(f"the long window ({long.window}) is not longer than the short one ({short.window})")
    if long.threshold >= 1 and math.isclose(long.threshold, short.threshold, rel_tol=1e-9):
        problems.append(f"its threshold {long.threshold:g} is no error ratio can exceed: it never fires")
    return problems


def _shown(side: Side) -> str:
    return "{" + ",".join(f"{name}{op}{string_literal(value)}" for name, op, value in sorted(side.matchers)) + "}"


def _same_length(window: str, label: str | None) -> bool:
    try:
        return label is not None and parse_duration(window) == parse_duration(label)
    except ValueError:
        return False
