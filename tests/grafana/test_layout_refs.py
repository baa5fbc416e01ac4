"""Query refIds stay unique however many targets a panel has (a team of 1,000 services crashed the build)."""

from __future__ import annotations

from lgtmgen.generators.grafana.layout import refs


def test_refids_follow_spreadsheet_columns_and_never_repeat() -> None:
    ids = refs(1000)
    assert ids[:3] == ["A", "B", "C"]
    assert ids[25:28] == ["Z", "AA", "AB"]
    assert ids[701:703] == ["ZZ", "AAA"]
    assert len(set(ids)) == 1000


def test_no_targets_means_no_refids() -> None:
    assert refs(0) == []
