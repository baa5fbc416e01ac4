"""Catalogs for the traces tests, built inline from dicts and loaded like real ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from lgtmgen.artifacts import Artifact
from lgtmgen.catalog import load_catalog
from lgtmgen.diagnostics import Diagnostic
from lgtmgen.plan import Plan, build_plan
from lgtmgen.render import render_artifact


def base_catalog() -> dict[str, Any]:
    """Two teams, two tenants of different tiers, four services with declared dependencies."""
    return {
        "apiVersion": "lgtmgen/v1",
        "teams": [
            {"name": "shop", "notify": {"pagerduty": {"routing_key_file": "/etc/secrets/shop.key"}}},
            {"name": "core", "notify": {"pagerduty": {"routing_key_file": "/etc/secrets/core.key"}}},
        ],
        "tenants": [{"name": "prod", "tier": "gold"}, {"name": "lab", "tier": "bronze"}],
        "services": [
            {
                "name": "web",
                "team": "shop",
                "tier": 1,
                "tenant": "prod",
                "depends_on": ["orders", "auth"],
                "metrics": {"selector": {"job": "web"}},
                "slos": [
                    {"name": "fast", "objective": 99, "sli": {"kind": "latency", "threshold": 0.4}},
                    {"name": "faster", "objective": 90, "sli": {"kind": "latency", "threshold": 0.25}},
                ],
                "traces": {"peak_traces_per_second": 700, "critical_routes": ["/pay", "/cart", "/pay"]},
            },
            {
                "name": "orders",
                "team": "shop",
                "tier": 2,
                "tenant": "prod",
                "depends_on": ["auth"],
                "metrics": {"convention": "grpc", "selector": {"job": "orders"}},
                "traces": {"critical_routes": ["PlaceOrder"], "peak_traces_per_second": 100.5},
            },
            {
                "name": "auth",
                "team": "core",
                "tier": 1,
                "tenant": "prod",
                "metrics": {"selector": {"job": "auth"}},
                "traces": {"baseline_percent": 50},
            },
            {"name": "lab-job", "team": "core", "tier": 3, "tenant": "lab"},
        ],
        "traces": {
            "tiers": {
                "gold": {"retention": "30d", "ingestion_rate_limit_bytes": 40000000},
                "bronze": {"retention": "36h", "span_metrics": False},
            }
        },
    }


CatalogLoader = Callable[[dict[str, Any]], tuple[Plan | None, list[Diagnostic]]]


@pytest.fixture
def load(tmp_path: Path) -> CatalogLoader:
    """Write a catalog dict to a file and load it the way the CLI does."""

    def _load(document: dict[str, Any]) -> tuple[Plan | None, list[Diagnostic]]:
        path = tmp_path / "catalog.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        loaded = load_catalog([path])
        plan = build_plan(loaded.catalog) if loaded.catalog is not None else None
        return plan, loaded.diagnostics

    return _load


@pytest.fixture
def plan(load: CatalogLoader) -> Plan:
    built, diagnostics = load(base_catalog())
    assert built is not None, [str(d) for d in diagnostics]
    assert diagnostics == []
    return built


ArtifactWriter = Callable[[list[Artifact]], Path]


@pytest.fixture
def write_artifacts(tmp_path: Path) -> ArtifactWriter:
    """Render artifacts into a bundle-shaped tree and return its root."""
    root = tmp_path / "bundle"

    def _write(artifacts: list[Artifact]) -> Path:
        for artifact in artifacts:
            target = root / artifact.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(render_artifact(artifact))
        return root

    return _write
