"""A burn condition above factor × budget ≥ 1 needs more failed events than events: it never fires."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support import load_catalog_document
from tests.traces.traces_catalog import base_catalog


def _warnings(tmp_path: Path, slos: list[dict[str, Any]]) -> list[tuple[str, str | None, str]]:
    document = base_catalog()
    document["services"][0]["slos"] = slos
    _, diagnostics = load_catalog_document(tmp_path, document)
    return [(d.check, d.path, d.message) for d in diagnostics if d.check == "catalog/slo-burn-unreachable"]


def test_a_ninety_percent_slo_is_told_that_its_fastest_page_can_never_fire(tmp_path: Path) -> None:
    # 14.4 x a 10% budget is 144% of events failing; 6 x 10% (the 6h page) can still fire.
    [(_, path, message)] = _warnings(tmp_path, [{"name": "a", "objective": 90, "sli": {"kind": "availability"}}])
    assert path == "services[0].slos[0].objective"
    assert "page over 1h and 5m" in message and "14.4" in message


def test_objectives_whose_conditions_can_fire_and_switched_off_pages_are_not_warned(tmp_path: Path) -> None:
    slos = [
        {"name": "a", "objective": 95, "sli": {"kind": "availability"}},  # 14.4 x 5% = 72%
        {"name": "b", "objective": 90, "sli": {"kind": "availability"}, "alerting": {"page": False}},
    ]
    assert _warnings(tmp_path, slos) == []


def test_a_declared_factor_beyond_the_budget_is_warned_at_the_windows(tmp_path: Path) -> None:
    windows = [
        {"severity": "page", "long": "1h", "short": "5m", "factor": 2},
        {"severity": "ticket", "long": "6h", "short": "30m", "factor": 1},
    ]
    slo = {"name": "a", "objective": 50, "sli": {"kind": "availability"}, "alerting": {"windows": windows}}
    [(_, path, message)] = _warnings(tmp_path, [slo])
    assert path == "services[0].slos[0].alerting.windows" and "page over 1h and 5m" in message
