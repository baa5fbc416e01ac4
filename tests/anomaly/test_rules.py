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


def _fed_signal(load: Loader, tmp_path: Path, anomaly: dict[str, Any]) -> tuple[Any, str]:
    """The requests signal of a one-service catalog and its series name; the rules that read it
    (the group without the signal's own record, which the test feeds) in rules.yaml."""
    doc = base_catalog()
    doc["services"] = [{**doc["services"][0], "anomaly": {"signals": ["requests"], **anomaly}}]
    plan = _plan(load, doc)
    (signal,) = anomaly_signals.service_signals(plan.services["api"], 30)
    labels = {**dict(signal.labels), "cluster": "eu", "environment": "production"}
    series = signal.record + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
    (group,) = anomaly_groups(plan, plan.services["api"])
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": [{**group, "rules": group["rules"][1:]}]}), "utf-8")
    return signal, series


def _fed_test(tmp_path: Path, series: str, values: list[str], checks: list[dict[str, Any]]) -> subprocess.CompletedProcess[str]:
    tests = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "5m",
        "tests": [{"interval": "5m", "input_series": [{"series": series, "values": " ".join(values)}], "promql_expr_test": checks}],
    }
    (tmp_path / "tests.yaml").write_text(yaml.safe_dump(tests, sort_keys=False), encoding="utf-8")
    return _promtool([tmp_path / "tests.yaml"], tmp_path)


def _value(expr: str, step: int, value: float | None) -> dict[str, Any]:
    """`expr` (one series, or none) at `step` (of 5m)."""
    samples = [] if value is None else [{"labels": "{}", "value": value}]
    return {"expr": f"sum({expr})" if value is not None else expr, "eval_time": f"{5 * step}m", "exp_samples": samples}


@pytest.mark.parametrize(
    ("low", "high", "std", "above", "below"),
    [
        (8, 12, 2.0, 6.0, 6.0),  # 3 standard deviations on each side
        (10, 10, 0.0, 1.0, 1.0),  # flat: no spread, the band is min_margin (10%) of the prediction of 10
        (0, 4, 2.0, 6.0, None),  # wider than the prediction of about 2: the lower band stops at 0
    ],
    ids=["spread", "flat", "clamped at zero"],
)
def test_the_band_is_the_prediction_give_or_take_sensitivity_deviations_at_least_min_margin(
    load: Loader, tmp_path: Path, low: float, high: float, std: float, above: float, below: float | None
) -> None:
    # The signal alternates between `low` and `high` every 5m: over a season of 288 samples its
    # standard deviation is exactly half their difference. Two hours after the warm-up:
    signal, series = _fed_signal(load, tmp_path, {"season": "1d"})
    assert (signal.settings.sensitivity, signal.settings.min_margin) == (3.0, 0.1)
    step = signal.history // 300 + 24
    values = [str(low if n % 2 == 0 else high) for n in range(step + 1)]
    sel = signal.selector
    prediction, upper, lower = (f"{signal.derived(n)}{{{sel}}}" for n in ("prediction", "upper_band", "lower_band"))
    checks = [
        _value(f"{signal.derived('stddev_over_time')}{{{sel}}}", step, std),
        _value(f"{upper} - {prediction}", step, above),
        _value(lower, step, 0) if below is None else _value(f"{prediction} - {lower}", step, below),
    ]
    if low == high:
        checks.append(_value(prediction, step, low))
    run = _fed_test(tmp_path, series, values, checks)
    assert run.returncode == 0, run.stdout + run.stderr


def test_nothing_is_predicted_until_the_signal_has_a_season_the_lag_and_a_trend_window_behind_it(
    load: Loader, tmp_path: Path
) -> None:
    # The first sample must have left the oldest window the prediction reads (a trend window a
    # season and the lag ago), less the smoothing window: 29h - 30m with a daily season.
    signal, series = _fed_signal(load, tmp_path, {"season": "1d"})
    filled = (signal.history - anomaly_signals.SMOOTHING["1d"]) // 300
    assert filled == 342
    prediction = f"{signal.derived('prediction')}{{{signal.selector}}}"
    steady = _fed_test(tmp_path, series, ["10"] * (filled + 2), [_value(prediction, filled - 1, None), _value(prediction, filled, 10)])
    assert steady.returncode == 0, steady.stdout + steady.stderr
    # Nothing fires meanwhile either, not even a drop to nothing: there is no band to leave.
    firing = f'ALERTS{{alertname="{ALERT}"}}'
    values = ["10" if n < filled - 24 else "0" for n in range(filled)]
    dropped = _fed_test(tmp_path, series, values, [_value(firing, filled - 1, None)])
    assert dropped.returncode == 0, dropped.stdout + dropped.stderr


def test_a_service_idle_at_night_raises_no_drop_though_its_lower_band_is_zero(load: Loader, tmp_path: Path) -> None:
    # Idle from midnight to 6h, 10 requests/s otherwise. At night last season's reading (0) sits
    # at its lower band (0), not below it: the prediction stays 0, under the traffic floor, and
    # no drop fires. Were sitting at the band a departure (`<=`), the prediction would fall back
    # to the recent mean and every night would raise a drop: the same test then fails.
    signal, series = _fed_signal(load, tmp_path, {"season": "1d"})
    # The fourth night: the third is the first with a band a season earlier.
    day, hour = 288, 12
    values = ["0" if n % day < 6 * hour else "10" for n in range(4 * day)]
    sel = signal.selector
    firing = f'ALERTS{{alertname="{ALERT}",direction="drop"}}'
    checks = [
        *(_value(firing, 3 * day + h * hour, None) for h in range(1, 6)),
        _value(f"{signal.derived('prediction')}{{{sel}}}", 3 * day + 3 * hour, 0),
        _value(firing, 3 * day + 7 * hour, None),  # morning: back to the day's 10
    ]
    run = _fed_test(tmp_path, series, values, checks)
    assert run.returncode == 0, run.stdout + run.stderr
    rules = tmp_path / "rules.yaml"
    strict = rules.read_text(encoding="utf-8")
    assert strict.count(" < ") == 1
    rules.write_text(strict.replace(" < ", " <= "), encoding="utf-8")
    assert _fed_test(tmp_path, series, values, checks).returncode != 0
