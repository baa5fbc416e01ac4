"""What a remote write's `write_relabel_configs` may do to one series whose labels are partly known.

A check cannot enumerate a cluster's series, but it knows some labels of the series a rule reads:
the name and the equality matchers of the rule's selector, and the cluster's external labels
(Prometheus adds those, to a series that lacks them, before it relabels a remote write; the caller
decides which wins, see `delivery.keeps`). Every other label may hold anything,
or nothing, except the reserved names beginning with `__`, which no stored series holds besides
`__name__` (Prometheus removes them from scraped targets; the caller lists the external labels,
such as `__replica__`, as known). Each label is therefore a finite set of possible values (`""` meaning absent) or
`None`, any value; the rules are applied to those sets as Prometheus applies them to one series
(``^(?s:regex)$`` on the source values joined by the separator, Go's `$1`/`${name}`
replacement). A rule whose outcome depends on an unknown value may go either way, so the answer is
what may happen: a series reported as dropped is dropped whatever its other labels hold.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import re2

Values = frozenset[str] | None
"""The values a label may hold (`""`: absent); None: any value."""

Labels = dict[str, Values]
"""Labels of a series by name; a name not listed may hold any value, or none if it begins with `__`."""

ABSENT = frozenset({""})
ANY_LABEL = "\x00"
"""A key of a state after a rule that may have changed any label (`labelmap`, a target built from
the values): every label not listed since, `__name__` and the reserved ones included, may hold anything."""


def value_of(state: Labels, label: str) -> Values:
    """What `label` may hold in `state`: as listed, else anything after a rule that may have changed
    any label, else nothing for a reserved name, else anything."""
    if label in state:
        return state[label]
    if ANY_LABEL in state:
        return None
    return ABSENT if label.startswith("__") else None


def _any_label() -> Labels:
    return {ANY_LABEL: None}


KNOWN_ACTIONS = frozenset(
    {"replace", "keep", "drop", "keepequal", "dropequal", "labeldrop", "labelkeep", "lowercase", "uppercase", "hashmod"}
)
"""The actions followed label by label; any other (labelmap, an action of a later Prometheus) may change any label."""

MAX_COMBINATIONS = 256
"""Joined source values tried one by one; more make the outcome unknown (rule sources hold a few labels)."""

_TEMPLATE = re.compile(r"\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False
    return options


@cache
def _anchored(regex: str) -> Any:
    """The regex as Prometheus compiles a relabel regex; None when RE2 refuses it (promtool's finding)."""
    try:
        return re2.compile(f"^(?s:{regex})$", _options())
    except re2.error:
        return None


def expand(template: str, match: Any, groups: Mapping[str, int]) -> str:
    """Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}` and `$$`; a group that did not take
    part, or that does not exist, is empty; a malformed `$` stays as it is."""

    def value(found: re.Match[str]) -> str:
        if found.group(0) == "$$":
            return "$"
        name = found.group(1) or found.group(2)
        index = int(name) if name.isdigit() else groups.get(name)
        if index is None or index > len(match.groups()):
            return ""
        return str(match.group(index) or "")

    return _TEMPLATE.sub(value, template)


@dataclass(frozen=True, slots=True)
class Step:
    """One relabel rule, read once: its action, sources and compiled regex (None: refused by RE2)."""

    action: str
    sources: tuple[str, ...]
    separator: str
    regex: Any
    target: str
    replacement: str


def _text(value: Any) -> str:
    """A configuration value as Prometheus reads it into a string: `null` is empty."""
    return "" if value is None else str(value)


def compile_rules(rules: Sequence[Any]) -> tuple[Step, ...]:
    """The rules of a `write_relabel_configs` list, with Prometheus' defaults (a rule that is no
    mapping is left out: Prometheus would not load it, which promtool reports)."""
    steps = []
    for rule in rules:
        if not isinstance(rule, Mapping):
            continue
        listed = rule.get("source_labels")
        steps.append(
            Step(
                action=str(rule.get("action", "replace")).lower(),
                sources=tuple(str(s) for s in listed) if isinstance(listed, list) else (),
                separator=str(rule.get("separator", ";")),
                regex=_anchored(_text(rule.get("regex", "(.*)"))),
                target=str(rule.get("target_label", "")),
                replacement=str(rule.get("replacement", "$1")),
            )
        )
    return tuple(steps)


def _joined(state: Labels, step: Step) -> list[tuple[tuple[str, ...], str]] | None:
    """Each possible tuple of source values with its joined text; None when one is unknown or too many."""
    sets = []
    count = 1
    for label in step.sources:
        values = value_of(state, label)
        if values is None:
            return None
        count *= len(values)
        sets.append(sorted(values))
    if count > MAX_COMBINATIONS:
        return None
    return [(combo, step.separator.join(combo)) for combo in itertools.product(*sets)]


@lru_cache(maxsize=1 << 16)
def _matches(regex: Any, text: str) -> bool:
    """`regex.match`, remembered: the selectors of one write repeat the same job, name and label names."""
    return regex.match(text) is not None


@lru_cache(maxsize=1 << 16)
def _replaced(regex: Any, replacement: str, text: str) -> str | None:
    """What a replace writes for `text`; None when its regex does not match."""
    found = regex.match(text)
    return None if found is None else expand(replacement, found, regex.groupindex)


def _union(old: Values, new: frozenset[str]) -> Values:
    return None if old is None else old | new


def _replace(state: Labels, step: Step) -> Labels:
    if "$" in step.target:
        return _any_label()  # the label it writes depends on the values: any label may change
    joined = _joined(state, step)
    old = value_of(state, step.target)
    if joined is None:
        state[step.target] = None if "$" in step.replacement else _union(old, frozenset({step.replacement}))
        return state
    results: set[str] = set()
    unmatched = False
    for _, text in joined:
        replaced = _replaced(step.regex, step.replacement, text)
        if replaced is None:
            unmatched = True
        else:
            results.add(replaced)
    state[step.target] = _union(old, frozenset(results)) if unmatched else frozenset(results)
    return state


def _case(state: Labels, step: Step) -> Labels:
    joined = _joined(state, step)
    upper = step.action == "uppercase"
    state[step.target] = None if joined is None else frozenset(t.upper() if upper else t.lower() for _, t in joined)
    return state


def _filter(state: Labels, step: Step) -> Labels | None:
    """A keep or drop: None when it drops every possible series; else each source label holds only
    the values of the tuples that go on."""
    joined = _joined(state, step)
    if joined is None:
        return state
    keep = step.action == "keep"
    kept = [combo for combo, text in joined if _matches(step.regex, text) == keep]
    if not kept:
        return None
    for index, label in enumerate(step.sources):
        state[label] = frozenset(combo[index] for combo in kept)
    return state


def _equal(state: Labels, step: Step) -> Labels | None:
    joined = _joined(state, step)
    target = value_of(state, step.target)
    if joined is None or target is None:
        return state
    texts = {text for _, text in joined}
    if step.action == "keepequal" and not texts & target:
        return None
    if step.action == "dropequal" and len(texts) == 1 and texts == target:
        return None
    return state


def _label_names(state: Labels, step: Step) -> Labels:
    for label in list(state):
        if label != ANY_LABEL and _matches(step.regex, label) == (step.action == "labeldrop"):
            state[label] = ABSENT
    return state


def apply(steps: Sequence[Step], labels: Mapping[str, Values]) -> Labels | None:
    """The labels one series may have after `steps`, or None when every such series is dropped."""
    state: Labels = dict(labels)
    for step in steps:
        if step.regex is None:  # Prometheus refuses the configuration (promtool's finding)
            if step.action in ("keep", "drop"):
                continue
            state = _any_label()
        elif step.action == "replace":
            state = _replace(state, step)
        elif step.action in ("keep", "drop", "keepequal", "dropequal"):
            after = _filter(state, step) if step.action in ("keep", "drop") else _equal(state, step)
            if after is None:
                return None
            state = after
        elif step.action in ("labeldrop", "labelkeep"):
            state = _label_names(state, step)
        elif step.action in ("lowercase", "uppercase"):
            state = _case(state, step)
        elif step.action == "hashmod":
            state[step.target] = None
        else:  # labelmap, or an action of a later Prometheus: any label may change
            state = _any_label()
    return state


def relabel(rules: Sequence[Any], labels: Mapping[str, Values]) -> Labels | None:
    """`apply` on a `write_relabel_configs` list as the configuration holds it."""
    return apply(compile_rules(rules), labels)


def may_hold(values: Values, op: str, wanted: str) -> bool:
    """Whether a label holding one of `values` may satisfy a PromQL matcher (`=`, `!=`, `=~`, `!~`)."""
    if values is None:
        return True
    if op == "=":
        return wanted in values
    if op == "!=":
        return bool(values - {wanted})
    compiled = _anchored(wanted)
    if compiled is None:
        return True
    return any((compiled.match(value) is not None) == (op == "=~") for value in values)
