"""Anomaly rules: what the signals evaluate to, where the groups go, and that their generated tests can fail."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from lgtmgen.artifacts import Role
from lgtmgen.generators.anomaly import signals as anomaly_signals
from lgtmgen.generators.anomaly.rule_tests import AnomalyTests
from lgtmgen.generators.anomaly.rules import ALERT, anomaly_groups
from lgtmgen.generators.mimir.ruler import ruler_layout
from lgtmgen.generators.recording_rules import MAX_RULES_PER_GROUP, service_families, service_groups
from lgtmgen.plan import Plan
from lgtmgen.toolchain.locate import locate_tools
from tests.anomaly.conftest import base_catalog
from tests.support import Loader, assert_promtool_evaluates


def _plan(load: Loader, doc: dict[str, Any] | None = None) -> Plan:
    plan, errors = load(doc or base_catalog())
    assert plan is not None and errors == [], [str(e) for e in errors]
    return plan


def _daily(doc: dict[str, Any]) -> dict[str, Any]:
    # A daily season: a weekly one is 2,300 evaluations (the shop example's bundle test runs one).
    doc["services"][0]["anomaly"] = {"season": "1d"}
    return doc


def test_signals_keep_the_placement_labels_of_the_red_records() -> None:
    assert anomaly_signals.PLACEMENT == service_families.PLACEMENT


def test_only_services_that_opt_in_get_anomaly_groups_one_per_signal_within_mimirs_limit(load: Loader) -> None:
    plan = _plan(load)
    names = {s.name: [g["name"] for g in anomaly_groups(plan, s)] for s in plan.catalog.services}
    assert names == {
        "api": ["anomaly:api:requests", "anomaly:api:errors", "anomaly:api:latency"],
        "worker": ["anomaly:worker:requests", "anomaly:worker:errors", "anomaly:worker:latency"],
        "quiet": [],
    }
    for service in plan.catalog.services:
        for group in anomaly_groups(plan, service):
            assert group["interval"] == "5m" and len(group["rules"]) <= MAX_RULES_PER_GROUP
            assert group in service_groups(plan, service)


def test_alerts_fire_only_in_the_directions_asked_for(load: Loader) -> None:
    plan = _plan(load)
    directions = {
        (s.name, r["labels"]["signal"], r["labels"]["direction"])
        for s in plan.catalog.services
        for g in anomaly_groups(plan, s)
        for r in g["rules"]
        if r.get("alert") == ALERT
    }
    assert directions == {
        ("api", "requests", "drop"), ("api", "requests", "surge"), ("api", "errors", "up"), ("api", "latency", "up"),
        ("worker", "requests", "surge"), ("worker", "errors", "up"), ("worker", "latency", "up"),
    }


def test_the_mimir_ruler_holds_the_groups_in_the_services_tenant_and_team(load: Loader) -> None:
    plan = _plan(load)
    groups = ruler_layout(plan).namespaces["prod"]["shop"]
    assert {g["name"] for g in groups if g["name"].startswith("anomaly:")} == {
        f"anomaly:{s}:{k}" for s in ("api", "worker") for k in ("requests", "errors", "latency")
    }


def test_signals_record_no_nan_an_error_ratio_of_zero_without_errors_and_nothing_without_traffic(
    load: Loader, tmp_path: Path
) -> None:
    plan = _plan(load)
    api = plan.services["api"]
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": anomaly_groups(plan, api)}), encoding="utf-8")
    series = [
        # 10 requests/s, none failed, observed below 0.1s; cluster idle: no requests at all.
        {"series": 'http_requests_total{job="api",code="200",cluster="busy",environment="p"}', "values": "0+600x30"},
        {"series": 'http_requests_total{job="api",code="200",cluster="idle",environment="p"}', "values": "0+0x30"},
        {"series": 'http_request_duration_seconds_bucket{job="api",le="0.1",cluster="busy",environment="p"}', "values": "0+600x30"},
        {"series": 'http_request_duration_seconds_bucket{job="api",le="+Inf",cluster="busy",environment="p"}', "values": "0+600x30"},
        {"series": 'http_request_duration_seconds_bucket{job="api",le="0.1",cluster="idle",environment="p"}', "values": "0+0x30"},
        {"series": 'http_request_duration_seconds_bucket{job="api",le="+Inf",cluster="idle",environment="p"}', "values": "0+0x30"},
    ]
    own = 'service="api"'
    cases: list[dict[str, Any]] = [
        {
            "expr": "service:anomaly_requests:rate5m",
            "eval_time": "20m",
            "exp_samples": [
                {"labels": f'service:anomaly_requests:rate5m{{cluster="busy",environment="p",{own}}}', "value": 10},
                {"labels": f'service:anomaly_requests:rate5m{{cluster="idle",environment="p",{own}}}', "value": 0},
            ],
        },
        {
            "expr": "service:anomaly_request_errors:ratio_rate5m",
            "eval_time": "20m",
            "exp_samples": [
                {"labels": f'service:anomaly_request_errors:ratio_rate5m{{cluster="busy",environment="p",{own}}}', "value": 0}
            ],
        },
        {
            "expr": "service:anomaly_request_duration_seconds:histogram_quantile_rate5m",
            "eval_time": "20m",
            "exp_samples": [
                {
                    "labels": "service:anomaly_request_duration_seconds:histogram_quantile_rate5m"
                    f'{{cluster="busy",environment="p",quantile="0.95",{own}}}',
                    "value": 0.095,
                }
            ],
        },
        # A season of a few minutes has no prediction yet, so no band and no alert.
        {"expr": "service:anomaly_requests:prediction_1w", "eval_time": "20m", "exp_samples": []},
    ]
    assert_promtool_evaluates(tmp_path, series, cases, ["rules.yaml"])


def _generated(plan: Plan, into: Path) -> list[Path]:
    tests = []
    for artifact in AnomalyTests().generate(plan):
        path = into / artifact.path.rsplit("/", 1)[-1]
        path.write_text(yaml.safe_dump(artifact.data, sort_keys=False), encoding="utf-8")
        if artifact.role is Role.PROMETHEUS_RULE_TESTS:
            tests.append(path)
    return tests


def _promtool(files: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    promtool = locate_tools().promtool
    assert promtool is not None, "run scripts/bootstrap: promtool is required"
    return subprocess.run(
        [str(promtool.path), "test", "rules", *map(str, files)], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_the_generated_tests_pass_with_the_real_promtool(load: Loader, tmp_path: Path) -> None:
    tests = _generated(_plan(load, _daily(base_catalog())), tmp_path)
    assert [p.name for p in tests] == ["api.yaml", "worker.yaml"]
    run = _promtool(tests, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize(
    ("mutation", "broken"),
    [
        # A band a thousand times wider: the departures no longer fire.
        ((" * service:anomaly_", " * 1000 * service:anomaly_"), "got:"),
        # No band at all (worker has no margin): the steady pattern fires.
        (("10.0 * service:anomaly_", "0.0 * service:anomaly_"), "got:"),
    ],
    ids=["band too wide", "band of zero width"],
)
def test_the_generated_tests_fail_when_the_rules_are_broken(
    load: Loader, tmp_path: Path, mutation: tuple[str, str], broken: str
) -> None:
    plan = _plan(load, _daily(base_catalog()))
    tests = [p for p in _generated(plan, tmp_path) if p.name == "worker.yaml"]
    rules = tmp_path / "worker.rules.yaml"
    text = rules.read_text(encoding="utf-8")
    assert mutation[0] in text
    rules.write_text(text.replace(*mutation), encoding="utf-8")
    run = _promtool(tests, tmp_path)
    assert run.returncode != 0 and broken in run.stdout + run.stderr, run.stdout


def test_the_test_rules_are_the_deployed_groups(load: Loader) -> None:
    plan = _plan(load)
    written = {a.path: a.data for a in AnomalyTests().generate(plan) if a.role is Role.PROMETHEUS_TEST_RULES}
    for name in ("api", "worker"):
        deployed = [g for g in service_groups(plan, plan.services[name]) if g["name"].startswith("anomaly:")]
        assert written[f"prometheus/tests/anomaly/{name}.rules.yaml"] == {"groups": deployed}


@pytest.mark.parametrize(
    ("metrics", "anomaly"),
    [
        (
            {"convention": "custom", "requests_metric": "calls_total", "status_label": "outcome",
             "error_status_regex": "fail.*|timeout", "duration_metric": "call_seconds", "selector": {"job": "api"}},
            {"season": "1d", "min_error_ratio": 0.5, "min_margin": 1, "sensitivity": 10, "for": "1h", "requests": "drop"},
        ),
        ({"selector": {"job": "api"}}, {"season": "1d", "min_rate": 200, "latency_quantile": 0.5, "min_margin": 0}),
    ],
    ids=["custom metrics, extreme settings", "high traffic floor"],
)
def test_the_generated_tests_pass_at_the_edges_of_the_settings(
    load: Loader, tmp_path: Path, metrics: dict[str, Any], anomaly: dict[str, Any]
) -> None:
    doc = base_catalog()
    doc["services"] = [{**doc["services"][0], "metrics": metrics, "anomaly": anomaly}]
    tests = _generated(_plan(load, doc), tmp_path)
    run = _promtool(tests, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_team_rename_mid_season_keeps_the_prediction_and_the_alert(load: Loader, tmp_path: Path) -> None:
    # The signal recorded under the old team until a rename half a day in, under the new one
    # after; a day and a half in, traffic drops to nothing. The statistics read last season,
    # recorded before the rename: a prediction keyed on the team would find nothing.
    def signal_of(team: str) -> tuple[Plan, Any]:
        doc = base_catalog()
        doc["teams"].append({"name": "old", "notify": {"webhook": {"url_file": "/etc/am/old.url"}}})
        doc["services"] = [{**doc["services"][0], "team": team, "anomaly": {"season": "1d", "signals": ["requests"]}}]
        plan = _plan(load, doc)
        return plan, anomaly_signals.service_signals(plan.services["api"], 30)[0]

    _, before = signal_of("old")
    plan, after = signal_of("shop")
    rename, drop, end = 150, 360, 380  # in steps of 5m
    place = {"cluster": "eu", "environment": "production"}
    values: dict[str, list[str]] = {}
    for step in range(end):
        signal = before if step < rename else after
        labels = {**dict(signal.labels), **place}
        series = f"{signal.record}{{{','.join(f'{k}={v!r}' for k, v in sorted(labels.items()))}}}".replace("'", '"')
        values.setdefault(series, ["_"] * end)[step] = "10" if step < drop else "0"
    (group,) = anomaly_groups(plan, plan.services["api"])
    # The signal is the input: its own record would recompute it under the new team only.
    rules = {"groups": [{**group, "rules": group["rules"][1:]}]}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    firing = f'ALERTS{{alertname="{ALERT}",alertstate="firing",direction="drop",team="shop",cluster="eu"}}'
    tests = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "5m",
        "tests": [
            {
                "interval": "5m",
                "input_series": [{"series": s, "values": " ".join(v)} for s, v in values.items()],
                "promql_expr_test": [
                    {"expr": f"count({after.derived('prediction')})", "eval_time": f"{5 * (drop - 1)}m",
                     "exp_samples": [{"labels": "{}", "value": 1}]},
                    {"expr": f"count({firing})", "eval_time": f"{5 * (drop + 5)}m",
                     "exp_samples": [{"labels": "{}", "value": 1}]},
                ],
            }
        ],
    }
    (tmp_path / "tests.yaml").write_text(yaml.safe_dump(tests, sort_keys=False), encoding="utf-8")
    run = _promtool([tmp_path / "tests.yaml"], tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr


def test_an_outage_one_season_ago_does_not_echo_as_a_surge(load: Loader, tmp_path: Path) -> None:
    # A steady 10 requests/s, and an hour of nothing a day and six hours in (a drop, once the
    # warm-up is over). A day later the same hour is normal again: read from last season alone,
    # the prediction would be 0 and the normal rate a surge.
    doc = base_catalog()
    doc["services"] = [{**doc["services"][0], "anomaly": {"season": "1d", "signals": ["requests"]}}]
    plan = _plan(load, doc)
    (signal,) = anomaly_signals.service_signals(plan.services["api"], 30)
    outage, day = 360, 288  # in steps of 5m
    values = ["0" if outage <= step < outage + 12 else "10" for step in range(outage + day + 24)]
    labels = {**dict(signal.labels), "cluster": "eu", "environment": "production"}
    series = signal.record + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
    (group,) = anomaly_groups(plan, plan.services["api"])
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": [{**group, "rules": group["rules"][1:]}]}), "utf-8")

    def firing(direction: str, step: int, count: int) -> dict[str, Any]:
        alerts = f'ALERTS{{alertname="{ALERT}",alertstate="firing",direction="{direction}"}}'
        samples = [{"labels": "{}", "value": count}] if count else []
        return {"expr": f"count({alerts})", "eval_time": f"{5 * step}m", "exp_samples": samples}

    echo = outage + day + 6
    tests = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "5m",
        "tests": [
            {
                "interval": "5m",
                "input_series": [{"series": series, "values": " ".join(values)}],
                "promql_expr_test": [
                    firing("drop", outage + 8, 1),  # the outage itself is a drop
                    {
                        "expr": signal.derived("prediction"),
                        "eval_time": f"{5 * echo}m",
                        "exp_samples": [{"labels": series.replace(signal.record, signal.derived("prediction"), 1), "value": 10}],
                    },
                    *(firing("surge", step, 0) for step in range(echo - 6, echo + 18, 3)),
                ],
            }
        ],
    }
    (tmp_path / "tests.yaml").write_text(yaml.safe_dump(tests, sort_keys=False), encoding="utf-8")
    run = _promtool([tmp_path / "tests.yaml"], tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
