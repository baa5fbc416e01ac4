"""Fixtures of the logs tests: catalogs written to tmp_path and loaded the way the CLI does."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from lgtmgen.diagnostics import Diagnostic
from lgtmgen.plan import Plan
from tests.support import Loader, load_catalog_document

BASE: dict[str, Any] = {
    "apiVersion": "lgtmgen/v1",
    "teams": [
        {"name": "shop", "notify": {"pagerduty": {"routing_key_file": "/etc/secrets/shop.key"}}}
    ],
    "tenants": [{"name": "prod", "tier": "gold"}, {"name": "staging", "tier": "bronze"}],
    "logs": {
        "deployment": "single-binary",
        "tiers": {
            "gold": {"retention": "90d"},
            "bronze": {"retention": "7d", "ingestion_rate_mb": 2},
        },
    },
    "services": [
        {
            "name": "checkout",
            "team": "shop",
            "tier": 1,
            "tenant": "prod",
            "logs": {
                "format": "json",
                "level_field": "severity",
                "retention": [
                    {"level": "debug", "period": "7d"},
                    {"level": "audit", "period": "400d"},
                ],
                "error_classes": [
                    {"name": "timeout", "regex": "(?i)timed out"},
                    {"name": "declined", "regex": 'payment "declined"'},
                ],
                "recurring_errors": [
                    {"name": "pricing", "pattern": "<_> pricing failed after <duration>"}
                ],
            },
        },
        {
            "name": "identity",
            "team": "shop",
            "tenant": "prod",
            "logs": {
                "format": "regex",
                "regex": "^(?P<level>[A-Z]+) (?P<msg>.*)$",
                "retention": [{"level": "audit", "period": "400d", "priority": 5}],
            },
        },
        {"name": "mailer", "team": "shop", "tenant": "staging", "logs": {"format": "logfmt"}},
        {"name": "no-logs", "team": "shop", "tenant": "prod"},
    ],
}


def base_catalog() -> dict[str, Any]:
    return copy.deepcopy(BASE)


@pytest.fixture
def load(tmp_path: Path) -> Loader:
    def _load(document: dict[str, Any]) -> tuple[Plan | None, list[Diagnostic]]:
        return load_catalog_document(tmp_path, document)

    return _load


@pytest.fixture
def plan(load: Loader) -> Plan:
    built, diagnostics = load(base_catalog())
    assert built is not None, [str(d) for d in diagnostics]
    assert [d for d in diagnostics if d.severity.value == "error"] == []
    return built
