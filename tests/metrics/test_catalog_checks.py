"""Catalog diagnostics of the metrics area, each at its catalog path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lgtmgen.diagnostics import Severity
from lgtmgen.generators.recording_rules.service_families import service_rules
from lgtmgen.plan import Plan
from tests.metrics.conftest import Loader, base_catalog
from tests.support import load_catalog_document


def _duplicate_kpi(doc: dict[str, Any]) -> None:
    doc["services"][0]["kpis"].append({"name": "orders", "metric": "other_total", "kind": "counter"})


def _unknown_environment(doc: dict[str, Any]) -> None:
    doc["metrics"]["comparison"] = {"target": "production", "baseline": "qa"}


def _half_basic_auth(doc: dict[str, Any]) -> None:
    doc["metrics"]["remote_write_auth"] = {"username": "prometheus"}


def _two_credentials(doc: dict[str, Any]) -> None:
    doc["metrics"]["remote_write_auth"] = {
        "username": "p", "password_file": "/etc/p", "bearer_token_file": "/etc/t",
    }


def _unknown_rollup(doc: dict[str, Any]) -> None:
    doc["mimir"]["rollup"] = {"tenant": "nowhere", "source_tenants": ["prod"]}


def _unknown_class(doc: dict[str, Any]) -> None:
    doc["mimir"]["storage"]["storage_class"] = "CHEAPEST"


def _lookahead_status_regex(doc: dict[str, Any]) -> None:
    # Python's re accepts a lookahead; Prometheus' RE2 does not.
    doc["services"][0]["metrics"]["error_status_regex"] = "5(?!04).."


def _slow_scrapes(doc: dict[str, Any]) -> None:
    # The recording families rate over 5m: at 90s scrapes rules/rate-window failed the built bundle.
    doc["defaults"] = {"scrape_interval": "90s"}
    doc["services"][0]["kpis"][0]["window"] = "10m"


def _short_kpi_window(doc: dict[str, Any]) -> None:
    # A 1m KPI rate at 30s scrapes sees two scrapes: rules/rate-window failed the built bundle.
    doc["defaults"] = {"scrape_interval": "30s"}
    doc["services"][0]["kpis"][0]["window"] = "1m"


def _same_percentile_twice(doc: dict[str, Any]) -> None:
    # 0.5 and 0.50000001 both record quantile="0.5": promtool refused the duplicate rules.
    doc["metrics"]["percentiles"] = [0.5, 0.9, 0.50000001]


def _percent_not_quantile(doc: dict[str, Any]) -> None:
    doc["metrics"]["percentiles"] = [0.5, 99]


CASES: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("duplicate KPI", _duplicate_kpi, "catalog/kpi-duplicate-name", "services[0].kpis[1].name"),
    ("unknown environment", _unknown_environment, "catalog/comparison-unknown-environment", "metrics.comparison.baseline"),
    ("half basic auth", _half_basic_auth, "catalog/remote-write-auth", "metrics.remote_write_auth"),
    ("two credentials", _two_credentials, "catalog/remote-write-auth", "metrics.remote_write_auth"),
    ("unknown roll-up tenant", _unknown_rollup, "catalog/rollup-unknown-tenant", "mimir.rollup.tenant"),
    ("unknown storage class", _unknown_class, "catalog/unknown-storage-class", "mimir.storage.storage_class"),
    ("status regex RE2 refuses", _lookahead_status_regex, "catalog/metrics-invalid-regex", "services[0].metrics.error_status_regex"),
    ("scrapes too slow for 5m rates", _slow_scrapes, "catalog/scrape-interval-too-long", "defaults.scrape_interval"),
    ("one percentile twice", _same_percentile_twice, "catalog/percentile-invalid", "metrics.percentiles[2]"),
    ("percent for a quantile", _percent_not_quantile, "catalog/percentile-invalid", "metrics.percentiles[1]"),
    ("KPI window under four scrapes", _short_kpi_window, "catalog/kpi-window-too-short", "services[0].kpis[0].window"),
]


@pytest.mark.parametrize(("case", "change", "check", "path"), CASES, ids=[c[0] for c in CASES])
def test_each_metrics_catalog_problem_is_reported_at_its_path(
    load: Loader, case: str, change: Callable[[dict[str, Any]], None], check: str, path: str
) -> None:
    doc = base_catalog()
    change(doc)
    _, errors = load(doc)
    assert [(e.check, e.path) for e in errors] == [(check, path)], case
    assert errors[0].location is not None and errors[0].location.line > 0


def test_a_plain_text_remote_write_password_is_not_a_catalog_field(load: Loader) -> None:
    doc = base_catalog()
    doc["metrics"]["remote_write_auth"] = {"username": "p", "password": "hunter2"}
    _, errors = load(doc)
    assert [e.check for e in errors] == ["catalog/unknown-field"]


# Neighbours that share a `quantile` label, and neighbours that do not, at several magnitudes.
NEAR_PERCENTILES = [0.5, 0.9, 0.9000001, 0.90001, 0.50000001, 0.99, 0.999, 0.9999999, 0.99999991, 1e-05, 1.000001e-05, 1.0]


def _recorded_quantile_labels(plan: Plan, percentiles: list[float]) -> list[str]:
    """The `quantile` label of each percentile's latency record, as the recording families write it."""
    service = plan.catalog.services[0]
    settings = plan.catalog.metrics.model_copy(update={"percentiles": percentiles})
    (family,) = [rules for name, rules in service_rules(service, settings, only=["latency"])]
    return [str(rule["labels"]["quantile"]) for rule in family]


def test_the_percentile_check_refuses_exactly_the_percentiles_whose_records_share_a_quantile_label(
    plan: Plan, load: Loader
) -> None:
    # The labels come from the records the generator builds, not from a copy of its formatting:
    # a check that labelled 0.9000001 otherwise than the records (".7g") let promtool find the
    # duplicate rules later.
    labels = _recorded_quantile_labels(plan, NEAR_PERCENTILES)
    assert len(labels) == len(NEAR_PERCENTILES)
    collide = [f"metrics.percentiles[{i}]" for i, label in enumerate(labels) if label in labels[:i]]
    assert len(collide) >= 3 and len(set(labels)) >= 6, labels
    doc = base_catalog()
    doc["metrics"]["percentiles"] = NEAR_PERCENTILES
    _, errors = load(doc)
    assert [(e.check, e.path) for e in errors] == [("catalog/percentile-invalid", path) for path in collide]


@pytest.mark.parametrize(("interval", "warned"), [("1s", True), ("5s", True), ("10s", False), ("30s", False)])
def test_rules_evaluated_every_few_seconds_warn_but_load(tmp_path: Path, interval: str, warned: bool) -> None:
    doc = base_catalog()
    doc["defaults"] = {"evaluation_interval": interval, "scrape_interval": "15s"}
    plan, found = load_catalog_document(tmp_path, doc)
    assert plan is not None, [str(d) for d in found]
    warnings = [d for d in found if d.check == "catalog/evaluation-interval-short"]
    assert [(d.severity, d.path) for d in warnings] == ([(Severity.WARNING, "defaults.evaluation_interval")] if warned else [])
    assert all(d.location is not None and d.location.line > 0 for d in warnings)
