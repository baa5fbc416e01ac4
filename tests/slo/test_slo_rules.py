"""SLO rules: group sizes, promtool-proven alert timing, cheap long windows against the raw form."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from lgtmgen.generators.slo.groups import MAX_RULES_PER_GROUP, slo_rule_groups
from lgtmgen.sli import error_ratio
from lgtmgen.toolchain.locate import locate_tools
from tests.slo.slo_bundle import plan_of, write_slo_files

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"

SMALL_CATALOG = """\
apiVersion: lgtmgen/v1
defaults: {scrape_interval: 15s, evaluation_interval: 30s}
teams: [{name: web, notify: {slack: {channel: "#web", api_url_file: /etc/am/slack}}}]
tenants: [{name: prod}]
services:
  - name: api "quoted" {{x}}
    team: web
    tenant: prod
    metrics: {convention: http, selector: {job: api}}
    slos:
      - name: availability
        objective: 99.9
        sli: {kind: availability}
        group_by: [route]
        alerting: {min_events: 100}
      - name: probe
        objective: 99
        sli: {kind: probe, selector: 'probe_success{job="blackbox"}'}
"""


def _promtool() -> str:
    tools = locate_tools()
    assert tools.promtool is not None, "run scripts/bootstrap: promtool is required"
    return str(tools.promtool.path)


def _small(tmp_path: Path) -> Path:
    catalog = tmp_path / "catalog" / "catalog.yaml"
    catalog.parent.mkdir()
    catalog.write_text(SMALL_CATALOG, encoding="utf-8")
    return catalog.parent


def test_every_slo_rule_group_of_the_shop_holds_at_most_twenty_rules() -> None:
    plan = plan_of([SHOP])
    teams = {s.service.team for s in plan.slos}
    for team in teams:
        groups = slo_rule_groups([s for s in plan.slos if s.service.team == team], "https://g", team)
        assert groups
        assert all(len(g["rules"]) <= MAX_RULES_PER_GROUP for g in groups)
        assert len({g["name"] for g in groups}) == len(groups)


def test_the_shop_uses_every_sli_kind() -> None:
    plan = plan_of([SHOP])
    kinds = {s.slo.sli.kind for s in plan.slos}
    assert kinds == {"availability", "events", "latency", "probe", "custom"}
    natives = {getattr(s.slo.sli, "native", None) or s.metrics.native_histograms for s in plan.slos if s.slo.sli.kind == "latency"}
    assert natives == {True, False}


def _run_promtool(bundle: Path, tests: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_promtool(), "test", "rules", *tests], cwd=bundle, capture_output=True, text=True, check=False)


def test_generated_promtool_tests_pass_and_cover_every_scenario(tmp_path: Path) -> None:
    artifacts = write_slo_files(plan_of([_small(tmp_path)]), tmp_path / "bundle")
    tests = [a for a in artifacts if a.path.startswith("prometheus/tests/")]
    names = [t["name"] for a in tests for t in a.data["tests"]]
    assert any("availability: full outage after 1h5m of clean traffic pages within 51.84s" in n for n in names)
    assert any("probe: full outage" in n for n in names)
    assert any("does not page" in n and "min_events (100)" in n for n in names)
    assert any("0.9x burn raises nothing, budget not exhausted" in n for n in names)
    assert any("2x burn raises ticket only, budget exhausted" in n for n in names)
    assert any("absent metrics" in n for n in names)
    assert any("a cluster that stops reporting" in n for n in names)
    run = _run_promtool(tmp_path / "bundle", [a.path for a in tests])
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_page_slower_than_the_workbook_fails_the_generated_tests(tmp_path: Path) -> None:
    artifacts = write_slo_files(plan_of([_small(tmp_path)]), tmp_path / "bundle")
    rules = next(a for a in artifacts if a.path.startswith("prometheus/rules/slo/"))
    path = tmp_path / "bundle" / rules.path
    path.write_text(path.read_text(encoding="utf-8").replace("(14.4 * 0.001)", "(20.0 * 0.001)"), encoding="utf-8")
    tests = [a.path for a in artifacts if a.path.startswith("prometheus/tests/")]
    run = subprocess.run([_promtool(), "test", "rules", *tests], cwd=tmp_path / "bundle", capture_output=True, text=True, check=False)
    assert run.returncode != 0
    assert "full outage" in run.stdout + run.stderr


ACCURACY_BOUNDS = {"30m": 0.008, "1h": 0.004, "2h": 0.0035, "6h": 0.006, "1d": 0.019}
"""Largest absolute difference of the error ratio from the `increase` form measured on the traffic below
(ratios from 0.25% to 10%), every 5 minutes from 70m to 6h35m, plus a little; docs/slo.md quotes them."""


def test_cheap_windows_stay_within_a_bound_of_the_raw_form_on_synthetic_traffic(tmp_path: Path) -> None:
    plan = plan_of([_small(tmp_path)])
    slo = next(s for s in plan.slos if s.slo.name == "availability")
    artifacts = write_slo_files(plan, tmp_path / "bundle")
    rules_file = next(a for a in artifacts if a.path.startswith("prometheus/rules/slo/"))
    rules = rules_file.path.removeprefix("prometheus/")
    # Traffic that changes: errors come and go in bursts, total load follows a ramp.
    series = [
        {"series": 'http_requests_total{job="api",code="200",route="/a",cluster="c"}', "values": "0+600x400 240000+1200x400"},
        {"series": 'http_requests_total{job="api",code="500",route="/a",cluster="c"}', "values": "0+6x150 900+60x60 4500+3x590"},
    ]
    times = [f"{minutes}m" for minutes in range(70, 400, 5)]
    checks = []
    for window, bound in ACCURACY_BOUNDS.items():
        raw = error_ratio(slo, window).replace("\n", " ")
        difference = f'slo:sli_error:ratio_rate{window}{{slo="availability"}} - on(cluster, route) ({raw})'
        checks += [{"expr": f"abs({difference}) > {bound}", "eval_time": t, "exp_samples": []} for t in times]
        # Without this, a record that is missing or whose labels do not match would pass the bound above.
        checks += [
            {"expr": f"count({difference})", "eval_time": t, "exp_samples": [{"labels": "{}", "value": 1}]}
            for t in times[::6]
        ]
    test = {
        "rule_files": [rules],
        "evaluation_interval": "30s",
        "group_eval_order": [g["name"] for g in rules_file.data["groups"]],
        "tests": [{"interval": "30s", "input_series": series, "promql_expr_test": checks}],
    }
    (tmp_path / "bundle" / "prometheus" / "accuracy.yaml").write_text(yaml.safe_dump(test), encoding="utf-8")
    run = _run_promtool(tmp_path / "bundle", ["prometheus/accuracy.yaml"])
    assert run.returncode == 0, run.stdout + run.stderr
    assert "WARNING" not in run.stdout + run.stderr
