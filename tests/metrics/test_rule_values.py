"""The recorded values are right: the real promtool evaluates the rules on synthetic series."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lgtmgen.generators.recording_rules import RecordingRules
from lgtmgen.render import render_artifact
from tests.metrics.conftest import Loader, base_catalog
from tests.support import assert_promtool_evaluates

PROD = 'cluster="eu-prod",environment="production"'
STAGE = 'cluster="eu-stage",environment="staging"'
GIB = 1024**3


def _series(name: str, labels: str, values: str) -> dict[str, str]:
    return {"series": f"{name}{{{labels}}}", "values": values}


def _sample(expr: str, labels: str, value: float) -> dict[str, Any]:
    return {"expr": expr, "eval_time": "10m", "exp_samples": [{"labels": f"{expr}{{{labels}}}", "value": value}]}


@pytest.mark.tools
def test_comparison_and_team_cost_compute_what_they_claim(load: Loader, tmp_path: Path) -> None:
    doc = base_catalog()
    doc["services"][0]["clusters"] = ["eu-prod", "eu-stage"]
    plan, errors = load(doc)
    assert plan is not None and errors == []
    files = []
    for artifact in RecordingRules().generate(plan):
        target = tmp_path / artifact.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(render_artifact(artifact))
        files.append(artifact.path)
    api = 'job="api"'
    assert_promtool_evaluates(
        tmp_path,
        [
            # production: 10 requests/s of which 1 fails; staging: 10/s of which 0.5 fail
            _series("http_requests_total", f'{api},code="200",{PROD}', "0+540x10"),
            _series("http_requests_total", f'{api},code="500",{PROD}', "0+60x10"),
            _series("http_requests_total", f'{api},code="200",{STAGE}', "0+570x10"),
            _series("http_requests_total", f'{api},code="503",{STAGE}', "0+30x10"),
            # 2 cores and 2 GiB in production, where a core-hour costs 0.03 and a GiB-hour 0.004
            _series("container_cpu_usage_seconds_total", f'namespace="shop",container="api",{PROD}', "0+120x10"),
            _series("container_memory_working_set_bytes", f'namespace="shop",container="api",{PROD}', f"{2 * GIB}x10"),
        ],
        [
            _sample("service:request_errors:ratio_production_over_staging", 'service="api",team="shop"', 2),
            _sample("service:requests:rate5m_production_over_staging", 'service="api",team="shop"', 1),
            _sample(
                "team:resource_cost:currency_per_hour",
                'cluster="eu-prod",currency="EUR",environment="production",team="shop"',
                2 * 0.03 + 2 * 0.004,
            ),
            _sample("service:cpu_usage:cores", f'{PROD},service="api",team="shop"', 2),
        ],
        files,
    )
