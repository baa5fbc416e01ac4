"""Statistics of small histories whose answers are worked out by hand below."""

from __future__ import annotations

from lgtmgen.review.history import Firing
from lgtmgen.review.statistics import alert_statistics

A = (("alertname", "X"), ("cluster", "a"))
B = (("alertname", "X"), ("cluster", "b"))
DAY = 86400


def test_counts_time_median_series_and_refirings() -> None:
    firings = [Firing(A, 0, 120), Firing(A, 300, 360), Firing(A, 2000, 2600), Firing(B, 100, 1100)]
    stats = alert_statistics(firings, span=14 * DAY, short=300, gap=900)
    # Four firings of two series, lasting 120, 60, 600 and 1000 s.
    assert (stats.firings, stats.series) == (4, 2)
    assert stats.firing_seconds == 1780
    assert stats.median_seconds == 360  # the mean of the middle two, 120 and 600
    assert stats.per_week == 2.0  # four in two weeks
    assert stats.short_firings == 2  # 120 s and 60 s are within 5m
    # A resolves at 120 and fires again at 300 (180 s later: a re-firing), then at 2000
    # (1640 s after 360: more than 15m); B fires once.
    assert (stats.refirings, stats.longest_refire_gap) == (1, 180)
    assert stats.still_firing == 0


def test_the_same_firing_exported_twice_counts_once() -> None:
    # [300, 360] and [330, 400] overlap: one firing from 300 to 400.
    firings = [Firing(A, 0, 120), Firing(A, 300, 360), Firing(A, 330, 400)]
    stats = alert_statistics(firings, span=7 * DAY, short=60, gap=900)
    assert stats.firings == 2
    assert stats.firing_seconds == 120 + 100
    assert stats.short_firings == 0  # 120 s and 100 s are both longer than 60 s


def test_a_history_shorter_than_a_week_is_not_extrapolated() -> None:
    # Three firings in one day are three a week, not 21.
    firings = [Firing(A, 0, 10), Firing(A, 5000, 5010), Firing(A, 10000, 10010)]
    assert alert_statistics(firings, span=DAY, short=300, gap=900).per_week == 3.0


def test_a_firing_cut_by_the_end_of_the_history_is_not_short() -> None:
    firings = [Firing(A, 0, 60), Firing(A, 1000, 1030, open=True)]
    stats = alert_statistics(firings, span=7 * DAY, short=300, gap=60)
    assert stats.short_firings == 1
    assert stats.still_firing == 1
    assert stats.refirings == 0  # 940 s apart, more than the 60 s gap


def test_no_firing() -> None:
    stats = alert_statistics([], span=7 * DAY, short=300, gap=900)
    assert (stats.firings, stats.series, stats.firing_seconds, stats.median_seconds, stats.per_week) == (0, 0, 0, 0, 0)
