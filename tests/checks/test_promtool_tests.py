"""The promtool-tests check runs the bundle's unit-test files side by side and reports each failing file."""

from __future__ import annotations

from pathlib import Path

import yaml

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import BundleFile, CheckContext
from lgtmgen.checks.promtool import (
    EVALUATIONS_PER_RUN,
    PromtoolRules,
    PromtoolUnitTests,
    balanced_chunks,
    unit_test_cost,
    unit_test_runs,
)
from lgtmgen.toolchain.locate import locate_tools

RULES = {"groups": [{"name": "g", "rules": [{"record": "job:up:sum", "expr": "sum by (job) (up)"}]}]}


def _test_file(name: str, expected: float) -> dict[str, object]:
    return {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "name": name,
                "interval": "1m",
                "input_series": [{"series": 'up{job="a"}', "values": "1x5"}],
                "promql_expr_test": [
                    {"expr": "job:up:sum", "eval_time": "2m", "exp_samples": [{"labels": 'job:up:sum{job="a"}', "value": expected}]}
                ],
            }
        ],
    }


def test_every_failing_file_is_reported_once_and_passing_files_are_not(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(RULES), encoding="utf-8")
    outcomes = {"a.yaml": 1, "b.yaml": 2, "c.yaml": 1, "d.yaml": 3, "e.yaml": 1}
    for name, expected in outcomes.items():
        (tmp_path / name).write_text(yaml.safe_dump(_test_file(name, expected)), encoding="utf-8")
    files = tuple(BundleFile(n, Role.PROMETHEUS_RULE_TESTS, tmp_path / n) for n in outcomes)
    found = PromtoolUnitTests().run(CheckContext(tmp_path, files, locate_tools()))
    assert sorted(d.location.file for d in found if d.location) == ["b.yaml", "d.yaml"]
    assert all(d.check == "promtool/tests" for d in found)


def test_chunks_balance_sizes_and_keep_bundle_order() -> None:
    chunks = balanced_chunks(["a", "b", "c", "d", "e"], [10, 50, 20, 30, 5], 2)
    assert sorted(f for c in chunks for f in c) == ["a", "b", "c", "d", "e"]
    assert all(c == sorted(c) for c in chunks)
    totals = sorted(sum({"a": 10, "b": 50, "c": 20, "d": 30, "e": 5}[f] for f in c) for c in chunks)
    assert totals == [55, 60]


def test_a_large_bundle_is_tested_in_runs_of_bounded_cost_however_few_the_cpus() -> None:
    files = [f"t{n:03}.yaml" for n in range(300)]
    costs = [EVALUATIONS_PER_RUN // 10] * 300  # about a thousand services' worth of tests
    runs = unit_test_runs(files, costs, 2)
    assert sorted(f for run in runs for f in run) == files
    assert len(runs) == 30 and all(len(run) * costs[0] <= EVALUATIONS_PER_RUN for run in runs)
    # A small bundle still runs once per CPU.
    assert len(unit_test_runs(files[:4], costs[:4], 2)) == 2


def _weekly_test(rules: int, days: int) -> tuple[dict[str, object], dict[str, object]]:
    """A short test file whose one group is evaluated every 5m for `days`, and its rule file."""
    rule_file = {"groups": [{"name": "g", "rules": [{"record": f"r:{n}", "expr": "up"} for n in range(rules)]}]}
    test = {
        "rule_files": ["rules/*.yaml"],
        "evaluation_interval": "5m",
        "tests": [
            {"interval": "5m", "input_series": [], "promql_expr_test": [{"expr": "up", "eval_time": "10m"}]},
            {"interval": "5m", "input_series": [], "alert_rule_test": [{"alertname": "X", "eval_time": f"{days}d"}]},
        ],
    }
    return test, rule_file


def test_the_cost_of_a_test_file_is_its_evaluation_steps_times_its_rules(tmp_path: Path) -> None:
    test, rules = _weekly_test(rules=10, days=8)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    (tmp_path / "rules" / "b.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(test), encoding="utf-8")
    # Steps 0..10m and 0..8d every 5m; both rule files match the glob.
    assert unit_test_cost(tmp_path / "t.yaml") == ((10 // 5 + 1) + (8 * 24 * 12 + 1)) * 20
    (tmp_path / "broken.yaml").write_text("tests: [\n", encoding="utf-8")
    assert unit_test_cost(tmp_path / "broken.yaml") == 1


def test_weekly_season_tests_are_spread_by_cost_not_by_their_small_size(tmp_path: Path) -> None:
    # Forty services with weekly-season anomaly tests: short files, each near a quarter of a run.
    test, rules = _weekly_test(rules=10, days=8)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    files = [f"t{n:02}.yaml" for n in range(40)]
    for name in files:
        (tmp_path / name).write_text(yaml.safe_dump(test), encoding="utf-8")
    costs = [unit_test_cost(tmp_path / name) for name in files]
    assert sum((tmp_path / n).stat().st_size for n in files) < 20_000  # by bytes, one run would take them all
    runs = unit_test_runs(files, costs, 2)
    cost_of = dict(zip(files, costs, strict=True))
    assert sorted(f for run in runs for f in run) == files
    assert all(sum(cost_of[f] for f in run) <= EVALUATIONS_PER_RUN for run in runs)
    assert len(runs) == -(-sum(costs) // EVALUATIONS_PER_RUN)


def test_a_file_costlier_than_a_run_gets_a_run_of_its_own() -> None:
    runs = unit_test_runs(["big.yaml", "a.yaml", "b.yaml"], [3 * EVALUATIONS_PER_RUN, 10, 10], 2)
    assert ["big.yaml"] in runs


def test_fewer_files_than_cpus_give_one_chunk_each() -> None:
    assert balanced_chunks(["only"], [1], 8) == [["only"]]


def test_a_test_file_promtool_cannot_read_is_reported_at_that_file(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(RULES), encoding="utf-8")
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(_test_file("a.yaml", 1)), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("rule_files: [rules.yaml]\ntests: [\n", encoding="utf-8")
    files = tuple(BundleFile(n, Role.PROMETHEUS_RULE_TESTS, tmp_path / n) for n in ("a.yaml", "broken.yaml"))
    found = PromtoolUnitTests().run(CheckContext(tmp_path, files, locate_tools()))
    assert [(d.check, d.location.file if d.location else None) for d in found] == [("promtool/tests", "broken.yaml")]
    # lgtmgen cannot tell which files it names, so promtool is not given it
    assert "cannot read the file as one YAML test file" in found[0].message


def test_a_rule_file_that_does_not_load_is_reported_at_that_file(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(RULES), encoding="utf-8")
    broken = {"groups": [{"name": "x", "rules": [{"record": "a", "expr": "sum("}]}]}
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    names = ("good.yaml", "bad.yaml", "also-good.yaml")
    (tmp_path / "also-good.yaml").write_text(yaml.safe_dump(RULES), encoding="utf-8")
    files = tuple(BundleFile(n, Role.PROMETHEUS_RULES, tmp_path / n) for n in names)
    found = PromtoolRules().run(CheckContext(tmp_path, files, locate_tools()))
    assert [(d.check, d.location.file if d.location else None) for d in found] == [("promtool/rules", "bad.yaml")]


def test_test_cases_failing_alike_on_a_rule_file_that_does_not_load_are_one_finding(tmp_path: Path) -> None:
    """Every case of a file fails with the same load error: one finding naming how many, not one a case.
    Cases failing each its own way stay apart."""
    broken = {"groups": [{"name": "x", "rules": [{"record": "a", "expr": "sum("}]}]}
    (tmp_path / "bad-rules.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(RULES), encoding="utf-8")
    on_broken = _test_file("first", 1)
    on_broken["rule_files"] = ["bad-rules.yaml"]
    on_broken["tests"] = [{**case, "name": name} for case in on_broken["tests"] for name in ("first", "second", "third")]  # type: ignore[attr-defined]
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(on_broken), encoding="utf-8")
    two_ways = _test_file("off by one", 2)
    two_ways["tests"] += _test_file("off by two", 3)["tests"]  # type: ignore[operator]
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(two_ways), encoding="utf-8")
    files = tuple(BundleFile(n, Role.PROMETHEUS_RULE_TESTS, tmp_path / n) for n in ("a.yaml", "b.yaml"))
    found = PromtoolUnitTests().run(CheckContext(tmp_path, files, locate_tools()))
    by_file = sorted((d.location.file if d.location else "", d.message) for d in found)
    assert [file for file, _ in by_file] == ["a.yaml", "b.yaml", "b.yaml"]
    assert by_file[0][1].startswith("first (and 2 more test cases): ") and "bad-rules.yaml" in by_file[0][1]
