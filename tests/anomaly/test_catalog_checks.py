"""Catalog diagnostics of anomaly detection, each at its catalog path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.anomaly.conftest import base_catalog
from tests.support import Loader


def _custom_without_metrics(doc: dict[str, Any]) -> None:
    doc["services"][0]["metrics"] = {"convention": "custom", "selector": {"job": "api"}}
    doc["services"][0]["anomaly"] = {"signals": ["requests"]}


def _errors_without_status(doc: dict[str, Any]) -> None:
    doc["services"][0]["metrics"] = {"convention": "custom", "requests_metric": "api_calls_total"}
    doc["services"][0]["anomaly"] = {"signals": ["requests", "errors"]}


def _latency_without_duration(doc: dict[str, Any]) -> None:
    doc["services"][0]["metrics"] = {"convention": "custom", "requests_metric": "api_calls_total"}
    doc["services"][0]["anomaly"] = {"signals": ["latency"]}


def _duplicate_signal(doc: dict[str, Any]) -> None:
    doc["services"][0]["anomaly"] = {"signals": ["requests", "errors", "requests"]}


def _short_for(doc: dict[str, Any]) -> None:
    doc["services"][0]["anomaly"] = {"for": "2m"}


CASES: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("no requests metric", _custom_without_metrics, "catalog/anomaly-no-requests-metric", "services[0].anomaly"),
    ("errors without a status", _errors_without_status, "catalog/anomaly-no-error-status", "services[0].anomaly.signals[1]"),
    ("latency without a histogram", _latency_without_duration, "catalog/anomaly-no-duration-metric", "services[0].anomaly.signals[0]"),
    ("a signal twice", _duplicate_signal, "catalog/anomaly-duplicate-signal", "services[0].anomaly.signals[2]"),
    ("for shorter than an evaluation", _short_for, "catalog/anomaly-for-too-short", "services[0].anomaly.for"),
]


@pytest.mark.parametrize(("case", "change", "check", "path"), CASES, ids=[c[0] for c in CASES])
def test_each_anomaly_problem_is_reported_at_its_path(
    load: Loader, case: str, change: Callable[[dict[str, Any]], None], check: str, path: str
) -> None:
    doc = base_catalog()
    change(doc)
    _, errors = load(doc)
    assert [(e.check, e.path) for e in errors] == [(check, path)], case
    assert errors[0].location is not None and errors[0].location.line > 0


@pytest.mark.parametrize(
    ("field", "value", "check", "path"),
    [
        ("season", "2w", "catalog/invalid-value", "season"),
        ("sensitivity", 0, "catalog/out-of-range", "sensitivity"),
        ("requests", "up", "catalog/invalid-value", "requests"),
        ("signals", [], "catalog/invalid-value", "signals"),
        ("signals", ["saturation"], "catalog/invalid-value", "signals[0]"),
    ],
)
def test_out_of_range_settings_are_refused_by_the_model(load: Loader, field: str, value: Any, check: str, path: str) -> None:
    doc = base_catalog()
    doc["services"][0]["anomaly"] = {field: value}
    _, errors = load(doc)
    assert [(e.check, e.path) for e in errors] == [(check, f"services[0].anomaly.{path}")]


def test_the_example_catalog_with_anomalies_loads_clean(load: Loader) -> None:
    plan, errors = load(base_catalog())
    assert errors == [] and plan is not None
    assert [s.name for s in plan.catalog.services if s.anomaly] == ["api", "worker"]
