"""Input series of the anomaly tests: a daily traffic pattern for a season and a trend window, then a departure.

Traffic follows a triangle over the day (lowest at midnight, 20% higher at noon),
held for whole hours, so a counter is a run of straight segments that promtool's
``a+bxn`` notation writes compactly. The pattern repeats daily, hence also weekly.
Requests and errors are raw counters, read by the signal records as in production;
latency is fed as its recorded percentile (a histogram per hour cannot be written
compactly), and the test name says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

HOUR = 3600
DAY = 24 * HOUR
STEP = 150
"""Seconds between input samples: a 5m rate sees two of them, and a week stays under the
10,000 samples promtool lets one query load."""
AMPLITUDE = 0.2
DEPARTURE = 4.0
"""A surge or spike is this many times the day's peak; a drop goes to nothing."""

Rate = Callable[[int], float]
"""Per-second value of a series during the hour starting at the given second."""


def daily(base: float) -> Rate:
    """`base` at midnight rising linearly (by the hour) to `base × 1.2` at noon and back."""

    def level(start: int) -> float:
        hour = (start % DAY) // HOUR
        return base * (1 + AMPLITUDE * (1 - abs(hour - 12) / 12))

    return level


def peak(base: float) -> float:
    return base * (1 + AMPLITUDE)


@dataclass(frozen=True, slots=True)
class Timeline:
    """When the departure starts and when the test ends, in seconds from the first sample."""

    start: int
    end: int

    @property
    def samples(self) -> int:
        return self.end // STEP + 1


def _fmt(value: float) -> str:
    return format(round(value, 9), ".12g")


def segments(timeline: Timeline, rate: Rate) -> list[tuple[int, float]]:
    """(samples, per-second value) runs of `rate`, one per hour (the last one shorter)."""
    runs: list[tuple[int, float]] = []
    total = timeline.samples * STEP
    t = 0
    while t < total:
        length = min(HOUR - t % HOUR, total - t)
        runs.append((length // STEP, rate(t)))
        t += length
    return runs


def departing(normal: Rate, departure: float | None, start: int) -> Rate:
    """`normal`, replaced by `departure` (when given) from `start` on."""
    if departure is None:
        return normal
    return lambda t: departure if t >= start else normal(t)


def counter(runs: list[tuple[int, float]]) -> str:
    """promtool values of a counter growing at each run's rate per second."""
    value, parts = 0.0, []
    for count, rate in runs:
        increment = rate * STEP
        parts.append(f"{_fmt(value)}+{_fmt(increment)}x{count - 1}")
        value += increment * count
    return " ".join(parts)


def gauge(runs: list[tuple[int, float]]) -> str:
    """promtool values of a gauge holding each run's value."""
    return " ".join(f"{_fmt(level)}+0x{count - 1}" for count, level in runs)
