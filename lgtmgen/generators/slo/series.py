"""promtool ``input_series`` of a scenario, in the expanding notation ``a+bxn``."""

from __future__ import annotations

import functools
import math

from lgtmgen.generators.slo.feeds import Layout, Traffic, role_values


def _num(value: float) -> str:
    return repr(round(value, 9)).removesuffix(".0")


def _expanded(start: float, step: float, count: int) -> float:
    """The last value promtool expands ``start+stepxcount`` to: `step` added `count` times, in float64."""
    for _ in range(count):
        start += step
    return start


ROUNDING = 1e-6
"""Relative drift that rounding to 9 decimals and adding a step again and again can make."""


def _drifted_below(start: float, expanded_end: float) -> bool:
    """Whether a run's `start` lies below the previous run's end by rounding drift only (a larger
    drop would be a reset the scenario meant, and is written as it is)."""
    return start < expanded_end <= start + ROUNDING * max(1.0, abs(start))


def compact(values: list[float], counter: bool = False) -> str:
    """promtool's expanding notation: runs of equal steps as ``a+bxn``.

    The numbers are rounded to 9 decimals, and promtool adds the rounded step
    again and again: a run can end a little above the next run's start. For a
    `counter` that would be a reset (an `increase` of the whole count), so such a
    start is written as the value the previous run ended at instead (rounding
    drift only: `_drifted_below`).
    """
    parts: list[str] = []
    i = 0
    last: float | None = None
    while i < len(values):
        j = i + 1
        step = values[j] - values[i] if j < len(values) else 0.0
        while j + 1 < len(values) and math.isclose(values[j + 1] - values[j], step, abs_tol=1e-9):
            j += 1
        if j >= len(values):
            j = len(values) - 1
        count = j - i
        start_text = _num(values[i])
        if counter and last is not None and _drifted_below(float(start_text), last):
            start_text = repr(last)
        step_text = _num(step) if count else "0"
        sign = "" if step_text.startswith("-") else "+"
        parts.append(f"{start_text}{sign}{step_text}x{count}")
        last = _expanded(float(start_text), float(step_text), count)
        i = j + 1
    return " ".join(parts)


def _histogram_fields(good: float, bad: float, threshold: float) -> tuple[float, ...]:
    """sum, count and the three buckets of a schema-0 histogram: good observations in the bucket
    below the threshold's, bad ones in the bucket above it."""
    k = math.ceil(math.log2(threshold))
    total = good * 2.0 ** (k - 2) * 1.5 + bad * 2.0 ** (k + 1) * 0.75
    return (total, good + bad, good, 0.0, bad)


def _histogram_text(fields: tuple[str, ...], threshold: float) -> str:
    total, count, below, middle, above = fields
    offset = math.ceil(math.log2(threshold)) - 1
    return f"{{{{schema:0 sum:{total} count:{count} buckets:[{below} {middle} {above}] offset:{offset}}}}}"


def _histogram(good: float, bad: float, threshold: float) -> str:
    return _histogram_text(tuple(_num(v) for v in _histogram_fields(good, bad, threshold)), threshold)


def compact_histograms(traffic: Traffic, threshold: float) -> str:
    """Runs of equal per-step increments of a native histogram as ``{{start}}+{{step}}xn``.

    As in `compact`, a run's start is never below what promtool expanded the
    previous run to, field by field: a lower count or bucket reads as a reset.
    """
    good = [t - e for t, e in zip(traffic.total, traffic.errors, strict=True)]
    bad = list(traffic.errors)
    runs: list[tuple[float, float, int]] = []
    i = 1
    while i < len(good):
        j = i
        while j + 1 < len(good) and good[j + 1] == good[i] and bad[j + 1] == bad[i]:
            j += 1
        runs.append((good[i], bad[i], j - i + 1))
        i = j + 1
    parts: list[str] = []
    g = b = 0.0
    last: tuple[float, ...] | None = None
    for n, (dg, db, count) in enumerate(runs):
        start = tuple(_num(v) for v in _histogram_fields(*((0.0, 0.0) if n == 0 else (g + dg, b + db)), threshold))
        if last is not None:
            start = tuple(repr(end) if _drifted_below(float(text), end) else text for text, end in zip(start, last, strict=True))
        step = tuple(_num(v) for v in _histogram_fields(dg, db, threshold))
        repeat = count if n == 0 else count - 1
        parts.append(f"{_histogram_text(start, threshold)}+{_histogram_text(step, threshold)}x{repeat}")
        last = tuple(_expanded(float(a), float(d), repeat) for a, d in zip(start, step, strict=True))
        g, b = g + dg * count, b + db * count
    if parts:
        return " ".join(parts)
    empty = _histogram(0.0, 0.0, threshold)
    return f"{empty}+{empty}x0"


COUNTER_ROLES = frozenset({"bad", "good", "le", "total"})
"""Roles whose series are counters (never decrease); recorded counts and probes are gauges."""


@functools.lru_cache(maxsize=1024)
def _values(traffic: Traffic, role: str, window: int, threshold: float) -> str:
    if role == "hist":
        return compact_histograms(traffic, threshold)
    return compact(role_values(traffic, role, window), counter=role in COUNTER_ROLES)


def input_series(layout: Layout, traffic: Traffic, window: int) -> list[dict[str, str]]:
    """One entry per series of `layout`, its values following `traffic` (recorded counts over `window`)."""
    return [
        {"series": s.text(), "values": _values(traffic, s.role, window, layout.threshold)} for s in layout.series
    ]


__all__ = ["compact", "compact_histograms", "input_series"]
