"""Findings of an invalid catalog's valid parts name their place in the document the user wrote,
not in the copy with the broken parts left out (`lgtmgen.catalog.partial`)."""

from __future__ import annotations

from pathlib import Path

from tests.support import errors_of, one_service_catalog

AVAILABILITY = {"name": "availability", "objective": 99.9, "sli": {"kind": "availability"}}


def test_a_finding_after_a_broken_slo_keeps_its_index(tmp_path: Path) -> None:
    document = one_service_catalog({**AVAILABILITY, "name": "broken", "objective": "high"})
    document["services"][0]["slos"] += [AVAILABILITY, AVAILABILITY]
    errors = errors_of(tmp_path, document)
    assert [(check, path) for check, path, _ in errors] == [
        ("catalog/wrong-type", "services[0].slos[0].objective"),
        ("catalog/duplicate-name", "services[0].slos[2].name"),
    ]


def test_a_finding_after_a_dropped_service_keeps_its_index(tmp_path: Path) -> None:
    document = one_service_catalog(AVAILABILITY)
    api = document["services"][0]
    document["services"] = [
        {key: value for key, value in api.items() if key != "name"},  # no name: dropped whole
        {**api, "name": "web-api", "team": "wbe"},
    ]
    errors = errors_of(tmp_path, document)
    assert ("catalog/unknown-reference", "services[1].team") in [(check, path) for check, path, _ in errors]
    assert all(path is None or not path.startswith("services[0].team") for _, path, _ in errors)


def test_a_broken_required_field_hides_only_its_own_service(tmp_path: Path) -> None:
    """`team: 5` leaves `web-api` without a team, so it is left out of the semantic checks whole;
    `api`, which has only an unknown key besides, keeps its own reference checked."""
    document = one_service_catalog(AVAILABILITY)
    api = document["services"][0]
    document["services"] = [
        {**api, "team": "wbe", "tierr": 1},  # unknown key and unknown team
        {**api, "name": "web-api", "team": 5},  # a required field of the wrong type
    ]
    errors = [(check, path) for check, path, _ in errors_of(tmp_path, document)]
    assert ("catalog/unknown-reference", "services[0].team") in errors, errors
    assert ("catalog/unknown-field", "services[0].tierr") in errors and ("catalog/wrong-type", "services[1].team") in errors
