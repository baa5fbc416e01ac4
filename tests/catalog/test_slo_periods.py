"""SLO periods outside 1h..1y are refused where they are set: derived burn rates need a sane period."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lgtmgen.plan import burn_windows
from lgtmgen.slices import fastest_page, needs_slices, sliceable
from tests.support import load_catalog_document
from tests.traces.traces_catalog import base_catalog

JOURNEY = {
    "name": "purchase",
    "team": "shop",
    "tier": 1,
    "steps": [{"service": "web", "route": "/cart"}],
    "value": 30,
    "slo": {"objective": 99},
}


def _errors(tmp_path: Path, document: dict[str, Any]) -> list[tuple[str, str | None]]:
    _, diagnostics = load_catalog_document(tmp_path, document)
    return [(d.check, d.path) for d in diagnostics if d.is_error]


def test_a_one_millisecond_period_would_collapse_every_condition_to_the_minimum_window() -> None:
    # Why the range exists: the windows shrink to the 4-scrape minimum and every factor to the
    # budget-neutral floor, so the conditions no longer tell fast burns from slow ones.
    windows = burn_windows(0.001, 60.0)
    assert {(w.long, w.short, w.factor) for w in windows} == {(60, 60, 1.0)}
    assert min(w.factor for w in burn_windows(3600.0, 60.0)) >= 1


@pytest.mark.parametrize(
    ("where", "period", "path"),
    [
        ("defaults", "1ms", "defaults.slo_period"),
        ("defaults", "59m", "defaults.slo_period"),
        ("slo", "30s", "services[0].slos[0].period"),
        ("slo", "2y", "services[0].slos[0].period"),
        ("journey", "10m", "journeys[0].slo.period"),
    ],
)
def test_a_period_outside_one_hour_to_one_year_is_refused_at_its_key(
    tmp_path: Path, where: str, period: str, path: str
) -> None:
    document = base_catalog()
    document["journeys"] = [JOURNEY]
    if where == "defaults":
        document["defaults"] = {"slo_period": period}
    elif where == "slo":
        document["services"][0]["slos"][0]["period"] = period
    else:
        document["journeys"][0]["slo"]["period"] = period
    assert _errors(tmp_path, document) == [("catalog/slo-period-range", path)]


@pytest.mark.parametrize("period", ["1h", "7d", "28d", "30d", "1y"])
def test_periods_from_one_hour_to_one_year_are_accepted(tmp_path: Path, period: str) -> None:
    document = base_catalog()
    document["journeys"] = [{**JOURNEY, "slo": {"objective": 99, "period": period}}]
    document["defaults"] = {"slo_period": period}
    document["services"][0]["slos"][0]["period"] = period
    assert _errors(tmp_path, document) == []


@pytest.mark.parametrize("min_window", [60.0, 120.0, 240.0])
@pytest.mark.parametrize("period", [3600.0, 6 * 3600.0, 86400.0, 7 * 86400.0, 30 * 86400.0])
def test_derived_conditions_never_repeat_a_severity_on_the_same_windows(period: float, min_window: float) -> None:
    # A 1h period at 30s scrapes put both pages on 2m/2m: two alerts with the same labels,
    # which promtool refuses as a duplicate rule.
    windows = burn_windows(period, min_window)
    keys = [(w.severity, w.long, w.short) for w in windows]
    assert len(keys) == len(set(keys))
    assert {w.severity for w in windows} == {"page", "ticket"}


def test_coinciding_conditions_keep_the_larger_factor_and_no_page_fires_below_budget_neutral() -> None:
    # 1h at 30s scrapes: pages at 2% of the budget in 2m (0.6x) and 5% in 2m (1.5x); a 0.6x page
    # would fire while the SLO is met, and the 3x ticket on the same windows never without the page.
    windows = burn_windows(3600.0, 120.0)
    assert [(w.severity, w.long, w.short, w.factor) for w in windows] == [("page", 120, 120, 1.5), ("ticket", 360, 120, 1.0)]
    for period in (3600.0, 2 * 3600.0, 6 * 3600.0, 86400.0, 7 * 86400.0, 28 * 86400.0, 30 * 86400.0):
        for min_window in (60.0, 120.0, 240.0):
            assert all(w.factor >= 1 for w in burn_windows(period, min_window)), (period, min_window)


def test_declared_windows_may_not_repeat_a_severity_on_the_same_windows(tmp_path: Path) -> None:
    document = base_catalog()
    document["services"][0]["slos"][0]["alerting"] = {
        "windows": [
            {"severity": "page", "long": "1h", "short": "5m", "factor": 14.4},
            {"severity": "page", "long": "60m", "short": "300s", "factor": 10},
            {"severity": "ticket", "long": "1h", "short": "5m", "factor": 3},
        ]
    }
    assert _errors(tmp_path, document) == [("catalog/slo-window-duplicate", "services[0].slos[0].alerting.windows[1]")]


@pytest.mark.parametrize("scrape", [15, 30, 60])
@pytest.mark.parametrize("days", [1, 7, 14, 28, 30, 31, 90, 365])
def test_the_fastest_derived_page_can_always_be_summed_from_exact_slices(days: int, scrape: int) -> None:
    # A 56m page window over 5m slices (28d) could not be: a 99% SLO then never paged in a short outage.
    for objective in (90.0, 95.0, 99.0, 99.5, 99.9, 99.99):
        windows = burn_windows(days * 86400.0, 4.0 * scrape)
        base = min(min(w.long, w.short) for w in windows)
        pair = fastest_page(windows)
        assert pair is not None
        if needs_slices(pair, base, 1 - objective / 100):
            # derived windows are whole minutes, so a 30s or 1m evaluation interval divides them
            assert sliceable(pair.long, base, 60) and sliceable(pair.short, base, 60), (days, objective)


@pytest.mark.parametrize("interval", [10, 15, 20, 30, 40, 45, 60, 90, 120, 300, 420])
@pytest.mark.parametrize("days", [7, 28, 30, 90])
def test_derived_windows_are_whole_evaluations_whatever_the_interval(days: int, interval: int) -> None:
    # Every 2m, a 5m base count (2.5 evaluations) made the fastest page of a 99% SLO fire too late
    # for its own generated test: the short window is now 6m, the long one a whole number of it.
    min_window = max(60.0, 2.0 * interval)
    windows = burn_windows(days * 86400.0, min_window, interval)
    base = min(min(w.long, w.short) for w in windows)
    assert base % interval == 0
    for window in windows:
        assert window.short % interval == 0 and window.long % window.short == 0, window
    pair = fastest_page(windows)
    assert pair is not None and sliceable(pair.long, base, interval) and sliceable(pair.short, base, interval)


def test_the_workbook_windows_stay_where_the_interval_divides_them() -> None:
    for interval in (15, 20, 30, 60, 300):
        assert burn_windows(30 * 86400.0, 60.0, interval) == burn_windows(30 * 86400.0, 60.0)
    page = burn_windows(30 * 86400.0, 240.0, 120)[0]
    assert (page.long, page.short) == (60 * 60, 6 * 60)


def test_a_28_day_period_pages_over_55m_and_5m() -> None:
    page = burn_windows(28 * 86400.0, 120.0)[0]
    assert (page.severity, page.long, page.short) == ("page", 55 * 60, 5 * 60)
    assert page.factor == pytest.approx(0.02 * 28 * 86400 / (55 * 60), rel=1e-6)


@pytest.mark.parametrize(
    ("objective", "long", "page", "expected"),
    [
        (99.0, "56m", True, [("catalog/slo-window-slices", "services[0].slos[0].alerting.windows[0].long")]),
        (99.0, "3h", True, [("catalog/slo-window-slices", "services[0].slos[0].alerting.windows[0].long")]),  # 36 slices
        (99.0, "55m", True, []),
        (99.99, "56m", True, []),  # detection (4.8s) within one slice: every error is in the latest one
        (99.0, "56m", False, []),  # no page at all
    ],
)
def test_the_fastest_declared_page_must_be_whole_slices_when_it_needs_them(
    tmp_path: Path, objective: float, long: str, page: bool, expected: list[tuple[str, str]]
) -> None:
    document = base_catalog()
    slo = document["services"][0]["slos"][0]
    slo["objective"] = objective
    slo["alerting"] = {
        "page": page,
        "windows": [
            {"severity": "page", "long": long, "short": "5m", "factor": 14.4},
            {"severity": "page", "long": "7h", "short": "35m", "factor": 6},  # slower pages are averaged by design
            {"severity": "ticket", "long": "1d", "short": "2h", "factor": 3},
        ],
    }
    assert _errors(tmp_path, document) == expected


def test_the_workbook_windows_are_accepted_at_ordinary_objectives(tmp_path: Path) -> None:
    document = base_catalog()
    slo = document["services"][0]["slos"][0]
    slo["objective"] = 99
    slo["alerting"] = {
        "windows": [
            {"severity": "page", "long": "1h", "short": "5m", "factor": 14.4},
            {"severity": "page", "long": "6h", "short": "30m", "factor": 6},
            {"severity": "ticket", "long": "1d", "short": "2h", "factor": 3},
            {"severity": "ticket", "long": "3d", "short": "6h", "factor": 1},
        ]
    }
    assert _errors(tmp_path, document) == []


def test_a_declared_short_window_below_two_evaluation_intervals_is_refused_at_its_key(tmp_path: Path) -> None:
    document = base_catalog()
    document["defaults"] = {"evaluation_interval": "5m"}
    document["services"][0]["slos"][0]["alerting"] = {
        "windows": [
            {"severity": "page", "long": "1h", "short": "5m", "factor": 14.4},
            {"severity": "ticket", "long": "6h", "short": "30m", "factor": 6},
        ]
    }
    assert _errors(tmp_path, document) == [
        ("catalog/slo-window-below-evaluation", "services[0].slos[0].alerting.windows[0].short")
    ]
    document["services"][0]["slos"][0]["alerting"]["windows"][0]["short"] = "10m"
    assert _errors(tmp_path, document) == []


def _warnings(tmp_path: Path, document: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    _, diagnostics = load_catalog_document(tmp_path, document)
    return [(d.check, d.path, d.hint) for d in diagnostics if not d.is_error]


def test_a_period_so_short_that_a_pages_windows_coincide_is_warned_with_the_shortest_that_keeps_them_apart(
    tmp_path: Path,
) -> None:
    """At 30s scrapes the fastest page of a 1d period has both windows at the 2m minimum: a single
    window. 31h is the first whole number of hours whose windows stay apart (4m and 2m)."""
    document = base_catalog()
    document["defaults"] = {"scrape_interval": "30s", "evaluation_interval": "30s"}
    document["services"][0]["slos"][0]["period"] = "1d"
    assert [w for w in burn_windows(86400.0, 120.0, 30) if w.long == w.short]
    assert [w for w in burn_windows(30 * 3600.0, 120.0, 30) if w.long == w.short]
    assert not [w for w in burn_windows(31 * 3600.0, 120.0, 30) if w.long == w.short]
    found = [w for w in _warnings(tmp_path, document) if w[0] == "catalog/slo-period-windows-coincide"]
    assert found == [
        ("catalog/slo-period-windows-coincide", "services[0].slos[0].period",
         "use a period of at least 1d7h, or declare alerting.windows"),
    ]
    document["services"][0]["slos"][0]["period"] = "7d"
    assert not [w for w in _warnings(tmp_path, document) if w[0] == "catalog/slo-period-windows-coincide"]
