"""SLO rules: group sizes, promtool-proven alert timing, cheap long windows against the raw form."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.generators.slo.groups import MAX_RULES_PER_GROUP, slo_rule_groups
from lgtmgen.plan import Plan, SLOPlan
from lgtmgen.sli import error_ratio
from lgtmgen.toolchain.locate import locate_tools
from tests.slo.slo_bundle import plan_of, scenarios_of, write_slo_files
from tests.support import promtool_test

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
      - name: tied
        objective: 99.5
        sli: {kind: events, bad: 'jobs_total{job="api",result=~"fail.*"}', total: 'jobs_total{job="api"}'}
        alerting:
          windows:
            - {severity: page, long: 1h, short: 5m, factor: 14.4}
            - {severity: ticket, long: 6h, short: 30m, factor: 2}
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


def _unit_tests(artifacts: list[Artifact]) -> list[Artifact]:
    """The promtool test files, not the rule files some of them load (an SLO tested alone)."""
    return [a for a in artifacts if a.role is Role.PROMETHEUS_RULE_TESTS]


def _run_promtool(bundle: Path, tests: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_promtool(), "test", "rules", *tests], cwd=bundle, capture_output=True, text=True, check=False)


def test_generated_promtool_tests_pass_and_cover_every_scenario(tmp_path: Path) -> None:
    artifacts = write_slo_files(plan_of([_small(tmp_path)]), tmp_path / "bundle")
    tests = _unit_tests(artifacts)
    names = [t["name"] for a in tests for t in a.data["tests"]]
    names += [f"{service}/{slo}: {what}" for n in names for service, slo, what in scenarios_of(n)]
    assert any("availability: full outage from" in n and "pages within 51.84s" in n for n in names)
    assert any("probe: full outage" in n for n in names)
    assert any("does not page" in n and "min_events (100)" in n for n in names)
    assert any("0.9x burn raises nothing, budget not exhausted" in n for n in names)
    assert any("2x burn raises ticket only, budget exhausted" in n for n in names)
    assert any("absent metrics" in n for n in names)
    assert any("a cluster that stops reporting" in n for n in names)
    assert any("tied: a steady 2.1x burn (2x ties a window's factor) raises ticket only" in n for n in names)
    run = _run_promtool(tmp_path / "bundle", [a.path for a in tests])
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_page_slower_than_the_workbook_fails_the_generated_tests(tmp_path: Path) -> None:
    artifacts = write_slo_files(plan_of([_small(tmp_path)]), tmp_path / "bundle")
    rules = next(a for a in artifacts if a.path.startswith("prometheus/rules/slo/"))
    path = tmp_path / "bundle" / rules.path
    path.write_text(path.read_text(encoding="utf-8").replace("(14.4 * 0.001)", "(20.0 * 0.001)"), encoding="utf-8")
    tests = [a.path for a in _unit_tests(artifacts)]
    run = subprocess.run([_promtool(), "test", "rules", *tests], cwd=tmp_path / "bundle", capture_output=True, text=True, check=False)
    assert run.returncode != 0
    assert "full outage" in run.stdout + run.stderr


@pytest.mark.parametrize(
    ("factor", "moved"),
    [("14.4", "13.4"), ("6.0", "6.4"), ("3.0", "2.8"), ("1.0", "0.93")],
)
def test_a_factor_moved_by_seven_percent_fails_the_generated_tests(factor: str, moved: str, tmp_path: Path) -> None:
    """Steady burns 5% below and above every factor pin the thresholds; the outages alone, with a
    quiet and a slow burn, let a factor drift anywhere between those burns."""
    artifacts = write_slo_files(plan_of([_small(tmp_path)]), tmp_path / "bundle")
    rules = next(a for a in artifacts if a.path.startswith("prometheus/rules/slo/"))
    path = tmp_path / "bundle" / rules.path
    text = path.read_text(encoding="utf-8")
    assert f"({factor} * 0.001)" in text
    path.write_text(text.replace(f"({factor} * 0.001)", f"({moved} * 0.001)"), encoding="utf-8")
    run = _run_promtool(tmp_path / "bundle", [a.path for a in _unit_tests(artifacts)])
    assert run.returncode != 0, f"{factor} -> {moved} went unnoticed"


def test_an_alert_reading_a_sibling_slo_fails_the_staggered_outage_test(tmp_path: Path) -> None:
    """A service's full outages run in one test, one SLO after the other, so an alert that read another
    SLO's records would fire at that SLO's outage: the test, which expects it at its own, fails."""
    artifacts = write_slo_files(plan_of([_small(tmp_path)]), tmp_path / "bundle")
    tests = _unit_tests(artifacts)
    staggered = [t["name"] for a in tests for t in a.data["tests"] if "one SLO after the other" in t["name"]]
    assert len(staggered) == 1 and all(f"; {slo} from " in staggered[0] for slo in ("probe", "tied")), staggered
    rules = next(a for a in artifacts if a.path.startswith("prometheus/rules/slo/"))
    data = copy.deepcopy(rules.data)
    for group in data["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == "SLOErrorBudgetBurn" and rule["labels"]["slo"] == "tied":
                rule["expr"] = rule["expr"].replace('slo="tied"', 'slo="probe"')
    (tmp_path / "bundle" / rules.path).write_text(yaml.safe_dump(data), encoding="utf-8")
    run = _run_promtool(tmp_path / "bundle", [a.path for a in tests])
    assert run.returncode != 0
    assert "one SLO after the other" in run.stdout + run.stderr


ACCURACY_BOUNDS = {"30m": 0.008, "1h": 0.004, "2h": 0.0035, "6h": 0.006, "1d": 0.019}
"""Largest absolute difference of the error ratio from the `increase` form measured on the traffic below
(ratios from 0.25% to 10%), every 5 minutes from 70m to 6h35m, plus a little; docs/slo.md quotes them."""


def _run_expr_tests(
    bundle: Path, rules_file: Artifact, series: list[dict[str, str]], checks: list[dict[str, object]],
    every: str = "30s", samples_every: str = "30s",
) -> subprocess.CompletedProcess[str]:
    """promtool running `checks` (promql_expr_test entries) against `rules_file` fed with `series`."""
    test = {
        "rule_files": [rules_file.path.removeprefix("prometheus/")],
        "evaluation_interval": every,
        "group_eval_order": [g["name"] for g in rules_file.data["groups"]],
        "tests": [{"interval": samples_every, "input_series": series, "promql_expr_test": checks}],
    }
    (bundle / "prometheus" / "expr-tests.yaml").write_text(yaml.safe_dump(test), encoding="utf-8")
    return _run_promtool(bundle, ["prometheus/expr-tests.yaml"])


def _within_bounds_of_the_raw_form(slo: SLOPlan, bounds: dict[str, float], times: list[str]) -> list[dict[str, object]]:
    """Checks that each window's recorded error ratio stays within its bound of the `increase` form."""
    checks: list[dict[str, object]] = []
    for window, bound in bounds.items():
        raw = error_ratio(slo, window).replace("\n", " ")
        difference = f'slo:sli_error:ratio_rate{window}{{slo="{slo.slo.name}"}} - on(cluster, route) ({raw})'
        checks += [{"expr": f"abs({difference}) > {bound}", "eval_time": t, "exp_samples": []} for t in times]
        # Without this, a record that is missing or whose labels do not match would pass the bound above.
        checks += [
            {"expr": f"count({difference})", "eval_time": t, "exp_samples": [{"labels": "{}", "value": 1}]}
            for t in times[::4]
        ]
    return checks


def test_cheap_windows_stay_within_a_bound_of_the_raw_form_on_synthetic_traffic(tmp_path: Path) -> None:
    plan = plan_of([_small(tmp_path)])
    slo = next(s for s in plan.slos if s.slo.name == "availability")
    artifacts = write_slo_files(plan, tmp_path / "bundle")
    rules_file = next(a for a in artifacts if a.path.startswith("prometheus/rules/slo/"))
    # Traffic that changes: errors come and go in bursts, total load follows a ramp.
    series = [
        {"series": 'http_requests_total{job="api",code="200",route="/a",cluster="c"}', "values": "0+600x400 240000+1200x400"},
        {"series": 'http_requests_total{job="api",code="500",route="/a",cluster="c"}', "values": "0+6x150 900+60x60 4500+3x590"},
    ]
    times = [f"{minutes}m" for minutes in range(70, 400, 5)]
    run = _run_expr_tests(tmp_path / "bundle", rules_file, series, _within_bounds_of_the_raw_form(slo, ACCURACY_BOUNDS, times))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "WARNING" not in run.stdout + run.stderr


LONG_BOUNDS = {"6h": 0.0002, "1d": 0.0005, "3d": 0.0002}
"""The same comparison for the windows longer than the data above, over three and a half days of
traffic: the largest difference measured plus a little. Each bound is below the difference a window
10% short gives (6h: 0.0013, 1d: 0.0008, 3d: 0.0006), which the test after it proves.
(promtool evaluates the hourly records every 5 minutes here, so the 1d record averages overlapping
hours and strays most.)"""

SHORTENED = {
    "6h": ("[5h55m] offset 5m) * 71", "[5h25m] offset 5m) * 65"),
    "1d": ("[1d]) * 24", "[22h]) * 22"),
    "3d": ("[3d]) * 72", "[66h]) * 66"),
}


def _counter(segments: list[tuple[float, int]]) -> str:
    """promtool's expanding notation for a counter growing by `step` for `count` samples, per segment."""
    parts, value = [], 0.0
    for step, count in segments:
        parts.append(f"{value:.12g}+{step:.12g}x{count}")
        value += step * (count + 1)
    return " ".join(parts)


def _long_windows_test(tmp_path: Path, shorten: str | None = None) -> subprocess.CompletedProcess[str]:
    """promtool comparing the 6h, 1d and 3d records of an availability SLO with the raw form from
    the third day on; `shorten` cuts that window's record by 10% first."""
    one_slo = SMALL_CATALOG.split("      - name: probe")[0]
    catalog = tmp_path / "catalog" / "catalog.yaml"
    catalog.parent.mkdir()
    catalog.write_text(one_slo, encoding="utf-8")
    plan = plan_of([catalog.parent])
    slo = next(s for s in plan.slos if s.slo.name == "availability")
    artifacts = write_slo_files(plan, tmp_path / "bundle")
    rules_file = next(a for a in artifacts if a.path.startswith("prometheus/rules/slo/"))
    if shorten is not None:
        path = tmp_path / "bundle" / rules_file.path
        written, cut = SHORTENED[shorten]
        text = path.read_text(encoding="utf-8")
        assert text.count(written) >= 2  # errors and events of the record, and the alert's min_events
        path.write_text(text.replace(written, cut), encoding="utf-8")
    # Every minute; the error rate changes every 7 hours, the load every 11: no window sees a period.
    good = _counter([(600, 659), (1200, 659)] * 4)
    bad = _counter([(0.6, 419), (12, 419), (3, 419)] * 4)
    series = [
        {"series": 'http_requests_total{job="api",code="200",route="/a",cluster="c"}', "values": good},
        {"series": 'http_requests_total{job="api",code="500",route="/a",cluster="c"}', "values": bad},
    ]
    times = [f"{minutes}m" for minutes in range(72 * 60 + 5, 84 * 60, 55)]
    checks = _within_bounds_of_the_raw_form(slo, LONG_BOUNDS, times)
    return _run_expr_tests(tmp_path / "bundle", rules_file, series, checks, every="5m", samples_every="1m")


def test_the_windows_longer_than_hours_stay_within_a_bound_of_the_raw_form_over_days(tmp_path: Path) -> None:
    run = _long_windows_test(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "WARNING" not in run.stdout + run.stderr


@pytest.mark.parametrize("window", sorted(SHORTENED))
def test_a_long_window_ten_percent_short_breaks_its_bound(window: str, tmp_path: Path) -> None:
    """Only data longer than a window tells its length; the outage tests, two hours long, cannot."""
    run = _long_windows_test(tmp_path, shorten=window)
    assert run.returncode != 0
    failed = {line.split("ratio_rate", 1)[1].split("{", 1)[0] for line in run.stderr.splitlines() if "ratio_rate" in line}
    assert failed == {window}, run.stderr


NO_SERIES_CATALOG = SMALL_CATALOG[: SMALL_CATALOG.index("services:")] + """\
services:
  - name: api
    team: web
    tenant: prod
    metrics: {convention: http, selector: {job: api}}
    slos:
      - {name: requests, objective: 99.9, sli: {kind: availability}}
      - name: bad-jobs
        objective: 99
        sli: {kind: events, bad: 'jobs_total{job="api",result="fail"}', total: 'jobs_total{job="api"}'}
      - name: good-jobs
        objective: 99
        sli: {kind: events, good: 'jobs_total{job="api",result="ok"}', total: 'jobs_total{job="api"}'}
      - name: bad-custom
        objective: 99
        sli:
          kind: custom
          bad_query: 'sum by (cluster) (increase(tasks_total{job="api",state="lost"}[{{window}}]))'
          total_query: 'sum by (cluster) (increase(tasks_total{job="api"}[{{window}}]))'
      - name: good-custom
        objective: 99
        sli:
          kind: custom
          good_query: 'sum by (cluster) (increase(tasks_total{job="api",state="done"}[{{window}}]))'
          total_query: 'sum by (cluster) (increase(tasks_total{job="api"}[{{window}}]))'
"""


def test_a_count_whose_series_does_not_exist_yet_is_zero_not_absent(tmp_path: Path) -> None:
    """Error series often appear with the first error, good series with the first success. Until
    then every ratio record is 0 where nothing failed and 1 where nothing succeeded: absent, a
    service failing from its first request would never page, and the long windows would average
    only the slices that had the series. The same holds in the first minutes, before the windows
    summed from earlier slices have any (the records' own guards; removing either fails here)."""
    catalog = tmp_path / "catalog" / "catalog.yaml"
    catalog.parent.mkdir()
    catalog.write_text(NO_SERIES_CATALOG, encoding="utf-8")
    artifacts = write_slo_files(plan_of([catalog.parent]), tmp_path / "bundle")
    rules_file = next(a for a in artifacts if a.path.startswith("prometheus/rules/slo/"))
    windows = sorted(
        {rule["record"].removeprefix("slo:sli_error:ratio_rate") for group in rules_file.data["groups"]
         for rule in group["rules"] if rule.get("record", "").startswith("slo:sli_error:ratio_rate")}
    )
    assert {"5m", "1h", "6h", "1d", "3d", "30d"} <= set(windows)
    series = [  # no error, bad or lost series; the jobs and tasks never succeed
        {"series": 'http_requests_total{job="api",code="200",cluster="c"}', "values": "0+60x300"},
        {"series": 'jobs_total{job="api",result="timeout",cluster="c"}', "values": "0+60x300"},
        {"series": 'tasks_total{job="api",state="retried",cluster="c"}', "values": "0+60x300"},
    ]
    expected = {"requests": 0, "bad-jobs": 0, "bad-custom": 0, "good-jobs": 1, "good-custom": 1}
    # At 2h every window has data behind it; at 2m the windows summed from earlier slices have
    # none yet, which their own `or 0 * ...` guard must turn into 0, not nothing.
    checks = [
        {
            "expr": f'count(slo:sli_error:ratio_rate{window}{{slo="{slo}"}} == {value})',
            "eval_time": at,
            "exp_samples": [{"labels": "{}", "value": 1}],
        }
        for slo, value in expected.items()
        for window in windows
        for at in ("2m", "2h")
    ]
    run = _run_expr_tests(tmp_path / "bundle", rules_file, series, checks)
    assert run.returncode == 0, run.stdout + run.stderr


GENERATED_SHOP = Path(__file__).resolve().parents[2] / "generated" / "shop" / "prometheus"


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def test_every_shop_slo_has_its_full_outage_and_steady_burn_tests() -> None:
    """Derived from the committed bundle: which SLOs page (rule files) against the tests written for them."""
    paging, slos = set(), set()
    for rules in sorted((GENERATED_SHOP / "rules" / "slo").glob("*.yaml")):
        for group in _load(rules)["groups"]:
            for rule in group["rules"]:
                key = (rule["labels"]["service"], rule["labels"]["slo"])
                slos.add(key)
                if rule.get("alert") == "SLOErrorBudgetBurn" and rule["labels"]["severity"] == "page":
                    paging.add(key)
    names = [t["name"] for f in (GENERATED_SHOP / "tests" / "slo").rglob("*.yaml") if not f.name.endswith(".rules.yaml") for t in _load(f)["tests"]]
    covered = [scenario for n in names for scenario in scenarios_of(n)]

    def tested(service: str, slo: str, what: str) -> bool:
        return any((s, o) == (service, slo) and w.startswith(what) for s, o, w in covered)

    assert len(slos) == 18 and paging
    assert sorted(k for k in paging if not tested(*k, "full outage")) == []
    assert sorted(k for k in slos if not tested(*k, "a steady 0.9x burn raises nothing, budget not exhausted")) == []
    for slo in plan_of([SHOP]).slos:
        below = sorted({b.severity for b in slo.windows if b.factor < 2})
        raised = "raises " + ", ".join(below) + " only" if below else "raises nothing"
        assert tested(slo.service.name, slo.slo.name, f"a steady 2x burn {raised}, budget exhausted"), slo.slo.name
    assert not [n for n in names if "ties:" in n]


def test_every_burn_rate_rule_of_the_shop_is_expected_firing_in_some_generated_test() -> None:
    """Read from the committed bundle: each SLOErrorBudgetBurn rule, by its windows, against the
    alerts the promtool tests expect; a condition no test sees fire could be unable to fire."""
    keys = ("service", "slo", "severity", "long_window", "short_window")
    rules = {
        tuple(rule["labels"][k] for k in keys)
        for path in sorted((GENERATED_SHOP / "rules" / "slo").glob("*.yaml"))
        for group in _load(path)["groups"]
        for rule in group["rules"]
        if rule.get("alert") == "SLOErrorBudgetBurn"
    }
    expected = {
        tuple(alert["exp_labels"][k] for k in keys)
        for path in sorted((GENERATED_SHOP / "tests" / "slo").rglob("*.yaml"))
        if not path.name.endswith(".rules.yaml")
        for test in _load(path)["tests"]
        for check in test.get("alert_rule_test", [])
        if check["alertname"] == "SLOErrorBudgetBurn"
        for alert in check["exp_alerts"]
    }
    assert len(rules) > 40
    assert sorted(rules - expected) == []


def test_the_shop_tests_feed_the_raw_series_of_each_sli_kind() -> None:
    """The full-outage tests of each service (one test may hold every SLO of the service) feed the series
    each SLI kind reads."""
    series: dict[str, list[str]] = {}
    names: list[str] = []
    for f in (GENERATED_SHOP / "tests" / "slo").glob("*.yaml"):
        for test in _load(f)["tests"]:
            names.append(test["name"])
            if "full outage" in test["name"]:
                service = test["name"].split(":", 1)[0].split("/")[0]
                series.setdefault(service, []).extend(s["series"] + " " + s["values"] for s in test["input_series"])
    joined = {k: "\n".join(v) for k, v in series.items()}
    assert 'grpc_server_handled_total{job="cart",grpc_code="Unknown",cluster="test-cluster"}' in joined["cart"]
    assert 'grpc_server_handled_total{job="cart",grpc_code="OK",cluster="test-cluster"}' in joined["cart"]
    assert 'http_requests_total{job="storefront",code="500",cluster="test-cluster"}' in joined["storefront"]
    assert 'http_requests_total{job="storefront",code="200",cluster="test-cluster"}' in joined["storefront"]
    assert 'notifications_sent_total{job="notifications",outcome="failed",cluster="test-cluster"}' in joined["notifications"]
    assert 'notifications_sent_total{job="notifications",outcome="ok",cluster="test-cluster"}' in joined["notifications"]
    assert 'le="0.4"' in joined["storefront"] and 'le="+Inf"' in joined["storefront"]
    assert "http_request_duration_seconds_count{" in joined["storefront"]
    assert "{{schema:0 " in joined["identity"] and "identity_token_issue_duration_seconds{" in joined["identity"]
    assert 'status_class="5xx"' in joined["edge-gateway"]
    assert 'probe_success{job="blackbox",target="edge-gateway",cluster="test-cluster"} 1+0x' in joined["edge-gateway"]
    assert 'checkout_orders_total{job="checkout",result="failed",cluster="test-cluster"}' in joined["checkout"]
    # Custom PromQL is not invertible: its tests feed the recorded counts and say so.
    assert 'slo:sli_error_events:increase5m{service="payments",slo="authorisations"' in joined["payments"]
    assert 'http_requests_total{' not in joined["payments"]
    scenarios = [s for n in names for s in scenarios_of(n)]
    assert scenarios and all(("custom PromQL" in n) == n.startswith("payments") for n in names if scenarios_of(n))


def test_a_cluster_that_stops_is_missed_by_absent_alone(tmp_path: Path) -> None:
    """The per-cluster absent ticket is needed: with only `absent(...)` the generated cluster test fails."""
    artifacts = write_slo_files(plan_of([_small(tmp_path)]), tmp_path / "bundle")
    rules = next(a for a in artifacts if a.path.startswith("prometheus/rules/slo/"))
    data = copy.deepcopy(rules.data)
    for group in data["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == "SLOMetricsAbsent":
                rule["expr"] = rule["expr"].split("\nor\n", 1)[1]
    (tmp_path / "bundle" / rules.path).write_text(yaml.safe_dump(data), encoding="utf-8")
    tests = [a.path for a in _unit_tests(artifacts)]
    run = _run_promtool(tmp_path / "bundle", tests)
    assert run.returncode != 0
    assert "a cluster that stops reporting" in run.stdout + run.stderr
    assert "absent metrics raise" not in run.stdout + run.stderr


def _one_slo_catalog(tmp_path: Path, slos_yaml: str) -> Path:
    """The small catalog's service with only the SLOs of `slos_yaml` (its `slos:` list items)."""
    catalog = tmp_path / "catalog" / "catalog.yaml"
    catalog.parent.mkdir()
    catalog.write_text(SMALL_CATALOG.split("    slos:\n")[0] + "    slos:\n" + slos_yaml, encoding="utf-8")
    return catalog.parent


def _slo_tests_pass(plan: Plan, tmp_path: Path) -> list[Artifact]:
    """Writes the plan's SLO rules and tests, runs promtool on the tests, returns the test artifacts."""
    artifacts = write_slo_files(plan, tmp_path / "bundle")
    tests = _unit_tests(artifacts)
    run = _run_promtool(tmp_path / "bundle", [a.path for a in tests])
    assert run.returncode == 0, run.stdout + run.stderr
    return tests


def test_a_28_day_slo_whose_page_needs_exact_slices_pages_in_time(tmp_path: Path) -> None:
    # At 99% over 28d the page's detection time (483s) exceeds one 5m slice, so its long window is
    # summed from slices; a 56m window (not a whole number of them) never paged in a short outage.
    catalog = _one_slo_catalog(
        tmp_path, "      - {name: lat, objective: 99, period: 28d, sli: {kind: latency, threshold: 0.5, buckets: [0.5, 1]}}\n"
    )
    tests = _slo_tests_pass(plan_of([catalog]), tmp_path)
    assert any("pages within 483.84s" in t["name"] for a in tests for t in a.data["tests"])  # 14.66 x 1% x 55m = 2% of 28d


def test_a_custom_slo_over_a_week_has_a_cluster_stop_test_promtool_passes(tmp_path: Path) -> None:
    # A custom SLI's tests feed its recorded base count, which promtool still sees for the 5m
    # lookback after its last sample; over 7d the base window is shorter than that, and the
    # cluster-stop expectation came too early.
    catalog = _one_slo_catalog(
        tmp_path,
        "      - name: jobs\n        objective: 95\n        period: 7d\n"
        "        sli: {kind: custom, bad_query: 'sum by (cluster) (increase(jobs_failed_total[{{window}}]))',"
        " total_query: 'sum by (cluster) (increase(jobs_total[{{window}}]))'}\n",
    )
    plan = plan_of([catalog])
    assert plan.slos[0].base_window < 300
    tests = _slo_tests_pass(plan, tmp_path)
    assert any("a cluster that stops reporting" in t["name"] for a in tests for t in a.data["tests"])


def test_a_probe_slo_with_min_events_beyond_one_series_is_tested_with_enough_probes(tmp_path: Path) -> None:
    # A probe SLI counts samples: one series fed every 30s gives fewer than min_events in the short
    # long window of a 7d page, so the full-outage test fed one probe and expected a page that
    # cannot fire.
    catalog = _one_slo_catalog(
        tmp_path,
        "      - {name: up, objective: 99, period: 7d, sli: {kind: probe, selector: 'probe_success{job=\"bb\"}'},"
        " alerting: {min_events: 50}}\n",
    )
    tests = _slo_tests_pass(plan_of([catalog]), tmp_path)
    outage = next(t for a in tests for t in a.data["tests"] if "full outage" in t["name"])
    probes = {s["series"] for s in outage["input_series"]}
    assert len(probes) > 1 and all('lgtmgen_probe="' in s for s in probes), probes


@pytest.mark.parametrize(
    ("interval", "period", "shortest"),
    [("5m", "30d", 600), ("1m", "1h", 120)],
)
def test_an_evaluation_interval_as_long_as_the_shortest_window_stretches_the_windows_promtool_passes(
    tmp_path: Path, interval: str, period: str, shortest: int
) -> None:
    # The base count over the shortest window is recorded once per evaluation: at 5m over 30d
    # (and 1m over 1h at 15s scrapes) that window was one interval long, a single sample of the
    # generated tests' inputs fell in it, and no page or per-cluster absent ticket came.
    catalog = tmp_path / "catalog" / "catalog.yaml"
    catalog.parent.mkdir()
    catalog.write_text(
        SMALL_CATALOG.replace("evaluation_interval: 30s", f"evaluation_interval: {interval}, slo_period: {period}")
        .split("    slos:\n")[0]
        + "    slos:\n      - {name: availability, objective: 99.5, sli: {kind: availability}}\n",
        encoding="utf-8",
    )
    plan = plan_of([catalog.parent])
    assert plan.slos[0].base_window == shortest
    artifacts = write_slo_files(plan, tmp_path / "bundle")
    run = _run_promtool(tmp_path / "bundle", [a.path for a in _unit_tests(artifacts)])
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize(
    "counts",
    [
        "bad_query: 'sum by (cluster) (increase(jobs_failed_total[{{window}}]))'",
        "good_query: 'sum by (cluster) (increase(jobs_succeeded_total[{{window}}]))'",
    ],
    ids=["bad", "good"],
)
def test_a_custom_sli_whose_error_series_appears_with_the_first_errors_counts_them_once(
    tmp_path: Path, counts: str
) -> None:
    # Error counters often have no series until the first error. Were the base count absent
    # until then, the 1h window (an average of the recorded 5m counts times 12) would average
    # only the slices with errors: a 5-minute blip of 3% read as about 1.6% over the hour, and
    # paged. Counted as 0 while the total has a series, it is 3% x 5m / 1h = 0.25%.
    catalog = _one_slo_catalog(
        tmp_path,
        # 99.9%: the 1h window averages the recorded 5m counts (at 99% it sums exact slices)
        "      - name: jobs\n        objective: 99.9\n"
        f"        sli: {{kind: custom, {counts}, total_query: 'sum by (cluster) (increase(jobs_total[{{{{window}}}}]))'}}\n",
    )
    artifacts = write_slo_files(plan_of([catalog]), tmp_path / "bundle")
    [rules] = [a.path for a in artifacts if a.path.startswith("prometheus/rules/slo/")]
    test = {
        "rule_files": [rules],
        "evaluation_interval": "30s",
        "tests": [
            {
                "interval": "30s",
                "input_series": [
                    # 100 jobs a second for 2h; 3 a second fail from 100m to 105m, on a new series
                    {"series": 'jobs_total{cluster="c"}', "values": "0+3000x250"},
                    {"series": 'jobs_failed_total{cluster="c"}', "values": "_x200 0+90x10 900+0x40"},
                    {"series": 'jobs_succeeded_total{cluster="c"}', "values": "0+3000x200 602910+2910x9 632100+3000x40"},
                ],
                "promql_expr_test": [
                    {
                        "expr": 'count((slo:sli_error:ratio_rate1h{slo="jobs"} > 0.001) < 0.004)',
                        "eval_time": "2h",
                        "exp_samples": [{"labels": "{}", "value": 1}],
                    }
                ],
            }
        ],
    }
    run = promtool_test(tmp_path / "bundle", test)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("interval", ["2m", "45s"])
def test_an_evaluation_interval_that_does_not_divide_five_minutes_gets_windows_its_tests_pass(
    tmp_path: Path, interval: str
) -> None:
    # Every 2m (or 45s), a 5m base count is not a whole number of evaluations: the fastest page
    # of a 99% SLO, summed from base counts, fired later than its own generated test expected.
    catalog = _one_slo_catalog(
        tmp_path, "      - {name: lat, objective: 99, sli: {kind: latency, threshold: 0.5, buckets: [0.5, 1]}}\n"
    )
    text = (catalog / "catalog.yaml").read_text(encoding="utf-8")
    (catalog / "catalog.yaml").write_text(
        text.replace("evaluation_interval: 30s", f"evaluation_interval: {interval}"), encoding="utf-8"
    )
    plan = plan_of([catalog])
    _slo_tests_pass(plan, tmp_path)
    assert plan.slos[0].base_window == 360  # 6m: whole evaluations, and whole minutes


def test_grouping_by_a_label_the_selector_pins_gives_tests_promtool_passes(tmp_path: Path) -> None:
    # The selectors pin job="api": the test series carry it, so the expected alerts must too
    # (they expected job="test" and every test of the file failed).
    catalog = _one_slo_catalog(
        tmp_path,
        "      - {name: availability, objective: 99.9, group_by: [job], sli: {kind: availability}}\n"
        "      - name: jobs\n        objective: 99.5\n        group_by: [job]\n"
        """        sli: {kind: events, bad: 'jobs_total{job="api",result="failed"}', total: 'jobs_total{job="api"}'}\n"""
        # pinned by a regex: the value is found as the input series' labels are
        "      - name: queues\n        objective: 99.5\n        group_by: [queue]\n"
        """        sli: {kind: events, bad: 'jobs_total{queue=~"mail|sms",result="failed"}', total: 'jobs_total{queue=~"mail|sms"}'}\n""",
    )
    tests = _slo_tests_pass(plan_of([catalog]), tmp_path)
    assert 'job="api"' in yaml.safe_dump([a.data for a in tests])
