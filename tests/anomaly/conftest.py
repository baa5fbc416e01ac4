"""Fixtures of the anomaly tests: a small catalog whose services opt in, loaded the way the CLI loads it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.support import Loader, error_loader

BASE: dict[str, Any] = {
    "apiVersion": "lgtmgen/v1",
    "environments": [{"name": "production", "production": True}],
    "teams": [{"name": "shop", "notify": {"webhook": {"url_file": "/etc/am/shop.url"}}}],
    "tenants": [{"name": "prod"}],
    "clusters": [{"name": "eu", "environment": "production", "tenant": "prod"}],
    "services": [
        {"name": "api", "team": "shop", "tenant": "prod", "metrics": {"selector": {"job": "api"}}, "anomaly": {}},
        {
            "name": "worker",
            "team": "shop",
            "tenant": "prod",
            "metrics": {"convention": "grpc", "selector": {"job": "worker"}, "native_histograms": True},
            "anomaly": {"season": "1d", "requests": "surge", "sensitivity": 10, "min_margin": 0, "for": "10m"},
        },
        {"name": "quiet", "team": "shop", "tenant": "prod", "metrics": {"selector": {"job": "quiet"}}},
    ],
}


def base_catalog() -> dict[str, Any]:
    return copy.deepcopy(BASE)


@pytest.fixture
def load(tmp_path: Path) -> Loader:
    return error_loader(tmp_path)
