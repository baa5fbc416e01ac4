"""Suggested burn-rate windows are catalog text that the catalog accepts, for any period."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from lgtmgen.diagnostics import has_errors
from lgtmgen.pipeline import validate
from lgtmgen.review import (
    History,
    Review,
    Thresholds,
    generated_alert_rules,
    review_alerts,
    suggestions,
)
from lgtmgen.review.statistics import AlertStatistics

REPO = Path(__file__).resolve().parents[2]
SUGGESTED = re.compile(r"services\[(?P<service>[^\]]+)\]\.slos\[(?P<slo>[^\]]+)\]\.alerting\.windows: (?P<windows>\[.*\])$")
# Behaviour bad enough for every suggestion: noisy (mostly short firings) and flapping.
BAD = AlertStatistics(
    firings=20, series=1, firing_seconds=2400, median_seconds=120, per_week=20, short_firings=20,
    refirings=19, longest_refire_gap=600, still_firing=0,
)


def _catalog(tmp_path: Path, period: str, objective: float | None = None) -> tuple[Path, dict[str, Any]]:
    document: dict[str, Any] = YAML(typ="safe", pure=True).load((REPO / "examples/starter/catalog.yaml").read_text())
    for service in document["services"]:
        for slo in service["slos"]:
            slo["period"] = period
            if objective is not None:
                slo["objective"] = objective
    path = tmp_path / "catalog.yaml"
    _dump(document, path)
    return path, document


def _dump(document: dict[str, Any], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        YAML().dump(document, handle)


@pytest.mark.parametrize(("period", "objective"), [("30d", None), ("28d", None), ("7d", None), ("1d", None), ("30d", 90.0)])
def test_every_suggested_window_set_validates(tmp_path: Path, period: str, objective: float | None) -> None:
    path, document = _catalog(tmp_path, period, objective)
    plan, diagnostics = validate([path])
    assert plan is not None and not has_errors(diagnostics)
    slos = {(s.service.name, s.slo.name): s for s in plan.slos}
    burn = [r for r in generated_alert_rules(plan) if r.name == "SLOErrorBudgetBurn"]
    proposals = []
    for rule in burn:
        slo = slos[(rule.label("service") or "", rule.label("slo") or "")]
        proposals += suggestions.noisy(rule, BAD, slo, 300) + suggestions.flapping(rule, BAD, slo)
    windows = [m for text in proposals if (m := SUGGESTED.search(text))]
    if period != "1d":  # a 1d period stretches windows to long == short: nothing declarable to suggest
        assert len(windows) >= len(burn)  # at least one window change for every burn-rate alert
    for match in windows:
        changed = YAML(typ="safe", pure=True).load(match["windows"])
        service = next(s for s in document["services"] if s["name"] == match["service"])
        slo_doc = next(s for s in service["slos"] if s["name"] == match["slo"])
        slo_doc.setdefault("alerting", {})["windows"] = changed
        _dump(document, tmp_path / "changed.yaml")
        slo_doc["alerting"].pop("windows")
        _, problems = validate([tmp_path / "changed.yaml"])
        assert not has_errors(problems), (match.group(0), [str(d) for d in problems])
        # A factor the suggestion raised still asks for an error ratio below 100 %.
        budget = 1 - slo_doc["objective"] / 100
        before = {w.factor for w in slos[(match["service"], match["slo"])].windows}
        assert all(w["factor"] * budget < 1 for w in changed if w["factor"] not in before), match.group(0)


def _quiet_month_of_a_90_percent_slo(tmp_path: Path) -> Review:
    """The review of a 30-day history in which nothing fired, for a 90 % availability SLO."""
    path, _ = _catalog(tmp_path, "30d", 90.0)
    plan, _ = validate([path])
    assert plan is not None
    month = History((), (), 0, 30 * 86400, False)
    return review_alerts(generated_alert_rules(plan), month, Thresholds(), plan.slos)


def test_a_burn_window_above_100_percent_errors_is_called_unable_to_fire(tmp_path: Path) -> None:
    # Objective 90 %: the budget is 10 %, and the 14.4x page needs an error ratio of 144 %.
    review = _quiet_month_of_a_90_percent_slo(tmp_path)
    [fast] = [a for a in review.alerts if a.key == 'SLOErrorBudgetBurn{long_window="1h",service="api",severity="page",short_window="5m",slo="availability"}']
    assert fast.findings[0].kind == "never-firing"
    assert fast.findings[0].suggestions == (
        ("it cannot fire: 14.4 times the error budget (10.0000%) is an error ratio above 100 %; give this window "
        "a factor below 10 in services[api].slos[availability].alerting.windows, or drop it"),
    )
    # The 6x page needs 60 %: it can fire, and the generated steady burn at 7.2x shows it firing.
    slow_key = 'SLOErrorBudgetBurn{long_window="6h",service="api",severity="page",short_window="30m",slo="availability"}'
    [slow] = [a for a in review.alerts if a.key == slow_key]
    assert slow.findings[0].suggestions == (
        ("its generated promtool test (prometheus/tests/slo/api.yaml) shows it fires when its condition holds: "
        "it has only been quiet"),
    )


def test_an_alert_no_generated_test_sees_fire_is_traced_to_its_raw_series(tmp_path: Path) -> None:
    # The service graph's tests feed the traced calls of the catalog's first caller only, so
    # api's UndeclaredDependency has no test that shows it firing; the review names the raw
    # series its rule reads.
    review = _quiet_month_of_a_90_percent_slo(tmp_path)
    [alert] = [a for a in review.alerts if a.key == 'UndeclaredDependency{service="api",severity="ticket"}']
    assert alert.findings[0].suggestions == (
        ("no generated test shows it firing: check that the series it reads exist (traces_service_graph_request_total), "
        'e.g. count by (__name__) ({__name__=~"traces_service_graph_request_total"})'),
    )
