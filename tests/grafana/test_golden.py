"""Golden files: the small catalog's dashboards and provisioning, byte for byte.

Rewrite them with LGTMGEN_UPDATE_GOLDEN=1 and review the diff like code.
"""

from __future__ import annotations

import os
from pathlib import Path

from lgtmgen.generators.grafana import GrafanaDashboards, GrafanaProvisioning
from lgtmgen.plan import Plan
from lgtmgen.render.serialise import render_artifact

GOLDEN = Path(__file__).parent / "golden"


def rendered(plan: Plan) -> dict[str, bytes]:
    artifacts = [*GrafanaDashboards().generate(plan), *GrafanaProvisioning().generate(plan)]
    return {a.path: render_artifact(a) for a in artifacts}


def test_the_small_catalog_compiles_to_the_golden_grafana_files(small_plan: Plan) -> None:
    produced = rendered(small_plan)
    if os.environ.get("LGTMGEN_UPDATE_GOLDEN") == "1":
        for old in GOLDEN.rglob("*"):
            if old.is_file():
                old.unlink()
        for path, data in produced.items():
            target = GOLDEN / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    golden = {str(p.relative_to(GOLDEN)): p.read_bytes() for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(golden) == sorted(produced)
    differing = [path for path in produced if produced[path] != golden[path]]
    assert not differing, f"rerun with LGTMGEN_UPDATE_GOLDEN=1 and review: {differing}"


def test_the_golden_tree_holds_every_kind_of_dashboard(small_plan: Plan) -> None:
    paths = set(rendered(small_plan))
    assert {
        "grafana/dashboards/payments/service-checkout.json",
        "grafana/dashboards/payments/service-ledger.json",
        "grafana/dashboards/web/service-frontend.json",
        "grafana/dashboards/payments/team-slos.json",
        "grafana/dashboards/payments/capacity-forecasts.json",
        "grafana/dashboards/overview/executive.json",
        "grafana/dashboards/overview/service-map.json",
        "grafana/dashboards/overview/cost.json",
        "grafana/provisioning/datasources/prod.yaml",
        "grafana/provisioning/dashboards/lgtmgen.yaml",
    } <= paths
    assert "grafana/dashboards/web/capacity-forecasts.json" not in paths
