"""The traces tests' catalog: two teams, two tenants of different tiers, four services."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lgtmgen.artifacts import Artifact
from lgtmgen.diagnostics import Diagnostic
from lgtmgen.plan import Plan


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
ArtifactWriter = Callable[[list[Artifact]], Path]
