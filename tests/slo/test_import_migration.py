"""What a team migrating from Sloth or Pyrra keeps: paging hours, period, quiet services, whole-number
buckets on Prometheus 3, and a clear answer when some SLOs cannot come along."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from lgtmgen.cli.app import app
from lgtmgen.importers.pyrra import import_pyrra
from lgtmgen.importers.sloth import import_sloth
from lgtmgen.toolchain.locate import locate_tools
from tests.slo.importing import import_into_catalog
from tests.slo.slo_bundle import plan_of, write_slo_files

SLOTH = """\
version: prometheus/v1
service: orders
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="orders",code=~"5.."}[{{ .window }}]))
        total_query: sum(rate(http_requests_total{job="orders"}[{{- .window -}}])) > 0
    alerting:
      ticket_alert: {disable: true}
  - name: raw
    objective: 99
    sli: {raw: {error_ratio_query: 'sum(rate(e[{{.window}}])) / sum(rate(t[{{.window}}]))'}}
"""


def _imported(out: Path) -> dict[str, Any]:
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_an_slo_that_cannot_be_imported_stops_the_import_unless_partial_is_asked_for(tmp_path: Path) -> None:
    out, refused = import_into_catalog(tmp_path, "sloth", SLOTH)
    assert refused.exit_code == 1
    assert "import/slos-not-imported" in refused.output and "1 SLOs or specs of the input cannot be imported" in refused.output
    assert "not imported: " in refused.output and "slo 'raw': sli.raw" in refused.output
    assert not out.exists()
    _, partial = import_into_catalog(tmp_path, "sloth", SLOTH, "--partial")
    assert partial.exit_code == 0, partial.output
    assert [slo["name"] for slo in _imported(out)["services"][0]["slos"]] == ["availability"]


def test_the_json_report_lists_what_was_not_imported_apart_from_details_not_carried(tmp_path: Path) -> None:
    source = tmp_path / "spec.yaml"
    source.write_text(SLOTH, encoding="utf-8")
    args = ["--output", "json", "import", "sloth", str(source), "--team", "web", "--tenant", "prod", "--partial"]
    report = json.loads(CliRunner().invoke(app, args).stdout)
    assert report["ok"] is True and report["slos"] == 1
    assert [line.split(": slo ", 1)[-1] for line in report["not_imported"]] == ["'raw': sli.raw (only event queries give the counts lgtmgen records)"]
    assert any("final `> 0`" in line for line in report["not_carried"])


def test_services_are_written_at_the_tier_asked_for_tier_1_by_default(tmp_path: Path) -> None:
    # Sloth's and Pyrra's pages page at any hour; a tier 2 service would page in business hours only.
    out, result = import_into_catalog(tmp_path, "sloth", SLOTH, "--partial")
    assert result.exit_code == 0, result.output
    assert list(_imported(out)["services"][0])[:4] == ["name", "team", "tier", "tenant"]
    assert _imported(out)["services"][0]["tier"] == 1
    assert "every service as tier 1" in result.output
    assert plan_of([out.parent]).services["orders"].tier == 1
    _, lower = import_into_catalog(tmp_path, "sloth", SLOTH, "--partial", "--tier", "2", "--force")
    assert lower.exit_code == 0 and _imported(out)["services"][0]["tier"] == 2
    _, wrong = import_into_catalog(tmp_path, "sloth", SLOTH, "--partial", "--tier", "4", "--force")
    assert wrong.exit_code == 2


def test_the_period_sloth_ran_with_is_written_into_each_slo(tmp_path: Path) -> None:
    out, result = import_into_catalog(tmp_path, "sloth", SLOTH, "--partial", "--period", "28d")
    assert result.exit_code == 0, result.output
    assert list(_imported(out)["services"][0]["slos"][0])[:3] == ["name", "objective", "period"]
    assert plan_of([out.parent]).slos[0].period == 28 * 86400
    _, wrong = import_into_catalog(tmp_path, "sloth", SLOTH, "--partial", "--period", "a month", "--force")
    assert wrong.exit_code == 2 and "--period" in wrong.output


def test_sloth_window_placeholders_with_spaces_or_trim_marks_are_read() -> None:
    spec = yaml.safe_load(SLOTH)
    result = import_sloth([("spec.yaml", spec)], "web", "prod")
    sli = result.services[0]["slos"][0]["sli"]
    assert sli["bad_query"] == 'sum(increase(http_requests_total{job="orders",code=~"5.."}[{{window}}]))'
    assert sli["total_query"] == 'sum(increase(http_requests_total{job="orders"}[{{window}}]))'


@pytest.mark.parametrize(
    ("total", "kept"),
    [
        ("sum(rate(t[{{.window}}])) > 0", "sum(increase(t[{{window}}]))"),
        ("sum(rate(t[{{.window}}])) > 0.0", "sum(increase(t[{{window}}]))"),
        # not a filter of the whole total: kept as written
        ("sum(rate(t[{{.window}}])) > bool 0", "sum(rate(t[{{window}}])) > bool 0"),
        ("sum(rate(t[{{.window}}]) > 0)", "sum(increase(t[{{window}}]) > 0)"),
        ("sum(rate(t[{{.window}}])) > 10", "sum(rate(t[{{window}}])) > 10"),
    ],
)
def test_only_a_final_no_traffic_filter_of_the_total_is_dropped(total: str, kept: str) -> None:
    spec = {"version": "prometheus/v1", "service": "s", "slos": [{"name": "a", "objective": 99, "sli": {"events": {"error_query": "sum(rate(e[{{.window}}]))", "total_query": total}}}]}
    result = import_sloth([("spec.yaml", spec)], "t", "p")
    assert result.services[0]["slos"][0]["sli"]["total_query"] == kept
    assert any("final `> 0`" in line for line in result.not_carried) == (kept == "sum(increase(t[{{window}}]))")


def test_a_disabled_sloth_ticket_disables_every_ticket_lgtmgen_would_add() -> None:
    result = import_sloth([("spec.yaml", yaml.safe_load(SLOTH))], "web", "prod")
    assert result.services[0]["slos"][0]["alerting"] == {"ticket": False, "absent": False, "budget_exhausted": False}


def test_pyrra_without_burn_rate_alerts_gets_no_budget_exhausted_ticket_and_disabled_gets_none() -> None:
    def alerting(settings: dict[str, Any]) -> dict[str, Any]:
        document = yaml.safe_load(PYRRA_LATENCY.replace("le=\"1\"", "le=\"0.5\""))
        document["spec"]["alerting"] = settings
        return dict(import_pyrra([("slo.yaml", document)], "web", "prod").services[0]["slos"][0].get("alerting", {}))

    assert alerting({"burnrates": False}) == {"page": False, "ticket": False, "budget_exhausted": False}
    assert alerting({"disabled": True}) == {"page": False, "ticket": False, "budget_exhausted": False, "absent": False}
    assert alerting({}) == {}


PYRRA_LATENCY = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: orders-latency, namespace: orders}
spec:
  target: "99"
  window: 28d
  indicator:
    latency:
      success: {metric: 'http_request_duration_seconds_bucket{job="orders",le="1"}'}
      total: {metric: 'http_request_duration_seconds_count{job="orders"}'}
"""


def test_a_whole_number_pyrra_bucket_also_matches_how_prometheus_3_writes_it() -> None:
    result = import_pyrra([("slo.yaml", yaml.safe_load(PYRRA_LATENCY))], "web", "prod")
    assert result.services[0]["slos"][0]["sli"]["good"] == 'http_request_duration_seconds_bucket{job="orders",le=~"1|1\\\\.0"}'
    fractional = yaml.safe_load(PYRRA_LATENCY.replace('le="1"', 'le="0.25"'))
    kept = import_pyrra([("slo.yaml", fractional)], "web", "prod").services[0]["slos"][0]["sli"]["good"]
    assert kept == 'http_request_duration_seconds_bucket{job="orders",le="0.25"}'


@pytest.mark.tools
@pytest.mark.parametrize("le", ["1", "1.0"], ids=["Prometheus 2", "Prometheus 3"])
def test_an_imported_whole_number_bucket_counts_fast_requests_as_good_on_either_prometheus(tmp_path: Path, le: str) -> None:
    out, result = import_into_catalog(tmp_path, "pyrra", PYRRA_LATENCY)
    assert result.exit_code == 0, result.output
    write_slo_files(plan_of([out.parent]), tmp_path / "bundle")
    rules = tmp_path / "bundle" / "prometheus" / "rules" / "slo" / "orders.yaml"
    groups = [group["name"] for group in yaml.safe_load(rules.read_text(encoding="utf-8"))["groups"]]
    every = "0+100x240"  # 100 requests every 30 s, every one faster than 1 s
    test = {
        "rule_files": [str(rules)],
        "evaluation_interval": "30s",
        "group_eval_order": groups,
        "tests": [
            {
                "interval": "30s",
                "input_series": [
                    {"series": f'http_request_duration_seconds_bucket{{job="orders",cluster="c",le="{le}"}}', "values": every},
                    {"series": 'http_request_duration_seconds_bucket{job="orders",cluster="c",le="+Inf"}', "values": every},
                    {"series": 'http_request_duration_seconds_count{job="orders",cluster="c"}', "values": every},
                ],
                "promql_expr_test": [
                    {
                        "expr": 'slo:sli_error:ratio_rate5m{slo="orders-latency"}',
                        "eval_time": "30m",
                        "exp_samples": [{"labels": 'slo:sli_error:ratio_rate5m{cluster="c",service="orders",slo="orders-latency"}', "value": 0}],
                    }
                ],
                "alert_rule_test": [{"alertname": "SLOErrorBudgetBurn", "eval_time": "30m", "exp_alerts": []}],
            }
        ],
    }
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(test), encoding="utf-8")
    tools = locate_tools()
    assert tools.promtool is not None, "run scripts/bootstrap: promtool is required"
    run = subprocess.run([str(tools.promtool.path), "test", "rules", "t.yaml"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


def test_kubectl_list_exports_are_read_item_by_item(tmp_path: Path) -> None:
    listed = {"apiVersion": "v1", "kind": "List", "items": [yaml.safe_load(PYRRA_LATENCY), {"kind": "ConfigMap"}]}
    out, result = import_into_catalog(tmp_path, "pyrra", yaml.safe_dump(listed))
    assert result.exit_code == 0, result.output
    assert [slo["name"] for slo in _imported(out)["services"][0]["slos"]] == ["orders-latency"]


def test_a_native_latency_grouped_by_cluster_is_summed_by_cluster_once() -> None:
    document = yaml.safe_load(
        """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: api-latency, namespace: api}
spec:
  target: "99"
  indicator:
    latencyNative:
      latency: 500ms
      total: {metric: 'http_request_duration_seconds{job="api"}'}
      grouping: [route, cluster]
"""
    )
    sli = import_pyrra([("slo.yaml", document)], "web", "prod").services[0]["slos"][0]["sli"]
    assert sli["total_query"].startswith("sum by (cluster, route) (")


def test_a_name_declared_twice_across_specs_points_at_both_spec_entries(tmp_path: Path) -> None:
    one = "version: prometheus/v1\nservice: x\nslos:\n  - name: a\n    objective: 99\n    sli: {events: {error_query: 'sum(rate(e[{{.window}}]))', total_query: 'sum(rate(t[{{.window}}]))'}}\n"
    out, result = import_into_catalog(tmp_path, "sloth", one + "---\n" + one.replace("objective: 99", "objective: 99.5"))
    assert result.exit_code == 1
    source = tmp_path / "spec.yaml"
    assert f"{source}:11:5 catalog/duplicate-name" in result.output
    assert f"(first at {source}:4:5)" in result.output and "(imported catalog)" not in result.output
    assert not out.exists()
