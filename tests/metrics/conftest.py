"""Fixtures of the metrics-platform tests: small catalogs loaded the way the CLI loads them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from lgtmgen.pipeline import compile_catalog
from lgtmgen.plan import Plan
from lgtmgen.writer import write_bundle
from tests.support import Loader, error_loader

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop"

BASE: dict[str, Any] = {
    "apiVersion": "lgtmgen/v1",
    "environments": [{"name": "production", "production": True}, {"name": "staging"}],
    "teams": [
        {"name": "shop", "notify": {"webhook": {"url_file": "/etc/am/shop.url"}}},
        {"name": "ops", "notify": {"webhook": {"url_file": "/etc/am/ops.url"}}},
    ],
    "tenants": [{"name": "prod", "tier": "gold"}, {"name": "stage", "tier": "bronze"}, {"name": "longterm", "tier": "gold"}],
    "clusters": [
        {"name": "eu-prod", "environment": "production", "region": "eu-west-1", "tenant": "prod",
         "prometheus": {"replicas": 2, "expected_series": 600000, "address": "prom-eu:9090",
                        "prices": {"cpu_core_hour": 0.03, "memory_gib_hour": 0.004}}},
        {"name": "eu-stage", "environment": "staging", "tenant": "stage"},
    ],
    "services": [
        {"name": "api", "team": "shop", "tenant": "prod", "metrics": {"selector": {"job": "api"}},
         "resources": {"namespace": "shop"},
         "kpis": [{"name": "orders", "metric": "orders_total", "kind": "counter", "dimensions": ["result"]}],
         "slos": [{"name": "availability", "objective": 99.9, "sli": {"kind": "availability"}}]},
        {"name": "worker", "team": "ops", "tenant": "stage", "clusters": ["eu-stage"],
         "metrics": {"convention": "grpc", "selector": {"job": "worker"}}},
    ],
    "metrics": {"security": {"exporters": ["cert-manager", "trivy-operator"]}, "federation": True,
                "remote_write_auth": {"bearer_token_file": "/etc/prometheus/mimir.token"}},
    "mimir": {
        "tiers": {"gold": {"retention": "400d"}, "bronze": {"retention": "14d", "ingestion_rate": 5000}},
        "storage": {"bucket": "blocks", "region": "eu-west-1"},
    },
}

def base_catalog() -> dict[str, Any]:
    return copy.deepcopy(BASE)


@pytest.fixture
def load(tmp_path: Path) -> Loader:
    """Load a catalog dict through the real loader; only errors come back."""
    return error_loader(tmp_path)


@pytest.fixture
def plan(load: Loader) -> Plan:
    built, errors = load(base_catalog())
    assert built is not None and errors == [], [str(d) for d in errors]
    return built


@pytest.fixture(scope="module")
def shop_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shop example compiled and written once for the module."""
    compiled = compile_catalog([SHOP])
    assert compiled.bundle is not None, [str(d) for d in compiled.diagnostics if d.is_error]
    out = tmp_path_factory.mktemp("shop") / "bundle"
    write_bundle(compiled.bundle, out)
    return out
