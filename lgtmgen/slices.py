"""Which windows of an SLO the rules sum exactly from back-to-back base-window slices.

The rules record error and total events per base window B (the SLO's shortest burn-rate
window). The fastest page (the page condition with the shortest windows) decides how soon a
full outage pages: when its detection time (factor × error budget × long window) exceeds B, an
average of recorded slices fills too slowly, so its windows are summed from exact slices
instead. That works only for a window that is a whole number of at most `MAX_EXACT_SLICES`
slices, with B a whole number of evaluation intervals. The rule builders and the catalog check
of declared windows both read this module, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

MAX_EXACT_SLICES = 24


class Condition(Protocol):
    @property
    def severity(self) -> str: ...
    @property
    def long(self) -> int: ...
    @property
    def short(self) -> int: ...
    @property
    def factor(self) -> float: ...


C = TypeVar("C", bound=Condition)


def fastest_page(conditions: Sequence[C], pages: bool = True) -> C | None:
    """The page condition with the shortest windows; None when the SLO raises no page."""
    found = [c for c in conditions if c.severity == "page"] if pages else []
    return min(found, key=lambda c: (c.long, c.short)) if found else None


def needs_slices(pair: Condition | None, base: int, error_budget: float) -> bool:
    """Whether the fastest page must sum its windows from slices to page within its detection time."""
    return pair is not None and pair.factor * error_budget * pair.long > base


def sliceable(window: int, base: int, interval: int) -> bool:
    """Whether `window` can be summed exactly from base-window slices recorded every `interval`."""
    return base % interval == 0 and window % base == 0 and window // base <= MAX_EXACT_SLICES
