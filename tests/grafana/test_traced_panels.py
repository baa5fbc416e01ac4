"""The panels read from Tempo's service-graph metrics show what survives tail sampling honestly.

Tempo's metrics generator sees only the traces the samplers kept: every trace with an error, the
others in part (20% of a tier 1 service's ordinary traces in the shop). A failed share computed
from those counts reads several times too high, so the dashboards show the failed rate, which is
complete, and mark the call rate as sampled.
"""

from __future__ import annotations

from typing import Any

from lgtmgen.generators.grafana import GrafanaDashboards
from lgtmgen.generators.tail_sampling import TailSampling
from lgtmgen.plan import Plan


def _panel(plan: Plan, service: str, title: str) -> dict[str, Any]:
    dashboard = next(a.data for a in GrafanaDashboards().generate(plan) if a.path.endswith(f"/service-{service}.json"))
    return next(p for p in dashboard["panels"] if p.get("title") == title)


def test_failed_calls_are_a_rate_of_the_failed_series_alone(shop_plan: Plan) -> None:
    panel = _panel(shop_plan, "checkout", "Failed calls to dependencies (traced)")
    [target] = panel["targets"]
    assert "traces_service_graph_request_failed_total" in target["expr"]
    assert "traces_service_graph_request_total" not in target["expr"] and "/" not in target["expr"]
    assert panel["fieldConfig"]["defaults"]["unit"] == "reqps"
    calls = _panel(shop_plan, "checkout", "Calls to dependencies (sampled traces)")
    assert "tail sampling kept" in calls["description"]


def test_the_failed_rate_is_complete_because_every_sampler_keeps_every_failing_trace(shop_plan: Plan) -> None:
    samplers = [a for a in TailSampling().generate(shop_plan) if a.path.startswith("otelcol/tail-sampling-")]
    assert samplers
    for sampler in samplers:
        policies = sampler.data["processors"]["tail_sampling"]["policies"]
        assert {"name": "keep-errors", "type": "status_code", "status_code": {"status_codes": ["ERROR"]}} in policies


def test_spans_per_team_reads_only_tenants_whose_trace_tier_records_span_metrics(shop_plan: Plan) -> None:
    # The shop's staging tenant is bronze: Tempo runs the service graph there, not span metrics.
    cost = next(a.data for a in GrafanaDashboards().generate(shop_plan) if a.path.endswith("/cost.json"))
    panel = next(p for p in cost["panels"] if p.get("title") == "Spans per team")
    legends = [t["legendFormat"] for t in panel["targets"]]
    assert legends and not [legend for legend in legends if "shop-staging" in legend]
    assert any("shop-prod" in legend for legend in legends)
    assert "Not counted: the services of shop-staging" in panel["description"]
