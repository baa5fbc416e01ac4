"""How an alert behaved in a history: firings, time firing, series, quick resolutions, re-firings.

Pure functions of firing intervals; the thresholds that turn them into findings live in
`lgtmgen.review.findings`.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from lgtmgen.review.history import Firing, Labels

WEEK = 7 * 86400


@dataclass(frozen=True, slots=True)
class AlertStatistics:
    """One alert's behaviour over a history of `span` seconds."""

    firings: int
    series: int
    firing_seconds: float
    median_seconds: float
    per_week: float
    """Firings per week of history (the count itself when the history is shorter than a week)."""
    short_firings: int
    """Firings that resolved within the `short` seconds given to `alert_statistics`."""
    refirings: int
    """Firings that started again within the `gap` given to `alert_statistics` of the same series resolving."""
    longest_refire_gap: float
    """The longest of those gaps (0 when none): what ``keep_firing_for`` would have to cover."""
    still_firing: int


def merged(firings: Iterable[Firing]) -> dict[Labels, list[Firing]]:
    """The firings of each series in time order, overlapping or touching ones merged (the same
    alert exported twice, or by two files whose spans overlap)."""
    by_series: dict[Labels, list[Firing]] = {}
    for firing in sorted(firings, key=lambda f: (f.labels, f.start, f.end)):
        runs = by_series.setdefault(firing.labels, [])
        if runs and firing.start <= runs[-1].end:
            last = runs[-1]
            runs[-1] = Firing(last.labels, last.start, max(last.end, firing.end), last.open or firing.open)
        else:
            runs.append(firing)
    return by_series


def alert_statistics(firings: Iterable[Firing], span: float, short: float, gap: float) -> AlertStatistics:
    """Statistics of one alert's firings (of any of its series) over `span` seconds of history."""
    by_series = merged(firings)
    runs = [f for series in by_series.values() for f in series]
    durations = [f.end - f.start for f in runs]
    gaps = [
        later.start - earlier.end
        for series in by_series.values()
        for earlier, later in itertools.pairwise(series)
    ]
    refire_gaps = [g for g in gaps if g <= gap]
    weeks = max(span, WEEK) / WEEK  # a short history is not extrapolated to a whole week
    return AlertStatistics(
        firings=len(runs),
        series=len(by_series),
        firing_seconds=sum(durations),
        median_seconds=statistics.median(durations) if durations else 0.0,
        per_week=len(runs) / weeks,
        # Still-firing runs are cut by the history's end: their length says nothing of a quick resolution.
        short_firings=sum(1 for f, d in zip(runs, durations, strict=True) if d <= short and not f.open),
        refirings=len(refire_gaps),
        longest_refire_gap=max(refire_gaps, default=0.0),
        still_firing=sum(1 for f in runs if f.open),
    )
