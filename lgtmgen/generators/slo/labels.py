"""Label sets that a PromQL vector selector matches, or does not: raw test series from the SLI's own selectors.

A test series must be matched by the selectors the rules read (`total`) and
must or must not be matched by others (`bad`, `good`). Values are picked from
the selectors' own literals and a few common label values, and every choice is
verified against the matchers (Prometheus anchors regular expressions, hence
a full match, by RE2 as Prometheus matches); when no choice satisfies them, the caller falls back.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import promql_parser

from lgtmgen.promql import match_operator
from lgtmgen.promql import parse as parse_promql
from lgtmgen.regex import re2_fullmatch

COMMON_VALUES = ("200", "500", "OK", "Unavailable", "ok", "error", "success", "failed", "2xx", "5xx", "x", "test")


@dataclass(frozen=True, slots=True)
class Matcher:
    """One label matcher of a selector, the metric name included as ``__name__``."""

    label: str
    op: str
    value: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.label, "")
        if self.op in ("=", "!="):
            return (actual == self.value) == (self.op == "=")
        found = _fullmatch(self.value, actual)
        return found is not None and found == (self.op == "=~")


@functools.lru_cache(maxsize=4096)
def _fullmatch(pattern: str, text: str) -> bool | None:
    """Whether `pattern` matches all of `text`; None for an invalid pattern (a few pairs, tried for every service)."""
    return re2_fullmatch(pattern, text)


@functools.lru_cache(maxsize=4096)
def selector_matchers(selector: str) -> tuple[Matcher, ...] | None:
    """The matchers of a plain vector selector (None for anything else, e.g. with `or` matchers)."""
    try:
        parsed = parse_promql(selector)
    except (ValueError, RuntimeError):
        return None
    if not isinstance(parsed, promql_parser.VectorSelector) or parsed.matchers.or_matchers:
        return None
    found = [Matcher("__name__", "=", parsed.name)] if parsed.name else []
    for m in parsed.matchers.matchers:
        found.append(Matcher(m.name, match_operator(m.op), m.value))
    return tuple(found)


def matches_all(matchers: Iterable[Matcher], labels: Mapping[str, str]) -> bool:
    return all(m.matches(labels) for m in matchers)


def _candidates(label: str, matchers: Iterable[Matcher], prefer: tuple[str, ...] = ()) -> list[str]:
    """Values worth trying for `label`: the literals its matchers name, `prefer`, then common values."""
    found: list[str] = []
    guesses: list[str] = []
    for m in matchers:
        if m.label != label:
            continue
        found += [m.value] if m.op in ("=", "!=") else [b for b in m.value.split("|") if re.escape(b) == b]
        if m.op == "=~":
            guesses.append(m.value.replace(".", "0"))
    return list(dict.fromkeys([*found, *prefer, *COMMON_VALUES, *guesses]))


def label_set(
    base: Mapping[str, str],
    matching: Iterable[tuple[Matcher, ...]],
    failing: Iterable[tuple[Matcher, ...]],
    prefer: tuple[str, ...] = (),
) -> dict[str, str] | None:
    """Labels (besides `base`) matched by every selector of `matching` and by none of `failing`.

    The selectors' labels come first, in their order, then `base`; `prefer` lists
    values to try before the common ones.
    """
    matching, failing = tuple(matching), tuple(failing)
    named = {m.label for sel in (*matching, *failing) for m in sel}
    # A base label no matcher names is only carried along (after the named ones), so it stays
    # out of the cache key: the two clusters of a test, or any base values, share one search.
    found = _label_set(tuple((k, v) for k, v in base.items() if k in named), matching, failing, prefer)
    if found is None:
        return None
    labels = dict(found)
    labels.update((k, v) for k, v in base.items() if k not in named)
    return labels


@functools.lru_cache(maxsize=4096)
def _label_set(
    base: tuple[tuple[str, str], ...],
    matching: tuple[tuple[Matcher, ...], ...],
    failing: tuple[tuple[Matcher, ...], ...],
    prefer: tuple[str, ...],
) -> tuple[tuple[str, str], ...] | None:
    must = [m for sel in matching for m in sel]
    labels = dict(base)
    by_label: dict[str, list[Matcher]] = {}
    for m in must:
        by_label.setdefault(m.label, []).append(m)
    for label, own in by_label.items():
        if matches_all(own, labels):
            continue
        equal = [m.value for m in own if m.op == "="]
        for value in equal[:1] or _candidates(label, own, prefer):
            if matches_all(own, {label: value}):
                labels[label] = value
                break
        else:
            return None
    for sel in failing:
        if not matches_all(sel, labels):
            continue
        everything = [*must, *sel]
        for target in sel:
            found = next(
                (
                    v
                    for v in _candidates(target.label, everything, prefer)
                    if matches_all(must, {**labels, target.label: v}) and not target.matches({**labels, target.label: v})
                ),
                None,
            )
            if found is not None:
                labels[target.label] = found
                break
        else:
            return None
    if not all(matches_all(sel, labels) for sel in matching) or any(matches_all(sel, labels) for sel in failing):
        return None
    named = [m.label for sel in (*matching, *failing) for m in sel if m.label in labels]
    order = list(dict.fromkeys([*named, *labels]))
    return tuple((k, labels[k]) for k in order)


__all__ = ["Matcher", "label_set", "matches_all", "selector_matchers"]
