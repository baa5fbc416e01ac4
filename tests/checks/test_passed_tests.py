"""A unit-test file that passed promtool is not run again while nothing promtool reads for it changed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import BundleFile, CheckContext
from lgtmgen.checks.passed_tests import inputs_digest
from lgtmgen.checks.promtool import PromtoolUnitTests
from lgtmgen.diagnostics import Diagnostic, Severity
from lgtmgen.toolchain.locate import Toolbox, locate_tools
from tests.checks.test_promtool_tests import RULES, _test_file

REUSED = "promtool/tests-passed-before"


def _bundle(tmp_path: Path, outcomes: dict[str, float]) -> tuple[BundleFile, ...]:
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(RULES), encoding="utf-8")
    for name, expected in outcomes.items():
        (tmp_path / name).write_text(yaml.safe_dump(_test_file(name, expected)), encoding="utf-8")
    return tuple(BundleFile(n, Role.PROMETHEUS_RULE_TESTS, tmp_path / n) for n in outcomes)


def _check(tmp_path: Path, files: tuple[BundleFile, ...], cache: Path | None, tools: Toolbox | None = None) -> list[Diagnostic]:
    return PromtoolUnitTests().run(CheckContext(tmp_path, files, tools or locate_tools(), cache_dir=cache))


def _failed(found: list[Diagnostic]) -> list[str]:
    return sorted(d.location.file for d in found if d.is_error and d.location)


def _reused(found: list[Diagnostic]) -> list[str]:
    return [d.message.split(" unit-test")[0] for d in found if d.check == REUSED]


def test_passing_files_are_not_run_again_failing_ones_always_are(tmp_path: Path) -> None:
    bundle, cache = tmp_path / "bundle", tmp_path / "cache"
    bundle.mkdir()
    files = _bundle(bundle, {"a.yaml": 1, "b.yaml": 2, "c.yaml": 1})
    first = _check(bundle, files, cache)
    assert _failed(first) == ["b.yaml"] and _reused(first) == []
    again = _check(bundle, files, cache)
    assert _failed(again) == ["b.yaml"]  # run again: a failure is never remembered
    assert _reused(again) == ["2 of 3"]
    assert all(d.severity is Severity.INFO for d in again if d.check == REUSED)


def test_a_changed_rule_file_or_another_promtool_runs_the_files_again(tmp_path: Path) -> None:
    bundle, cache = tmp_path / "bundle", tmp_path / "cache"
    bundle.mkdir()
    files = _bundle(bundle, {"a.yaml": 1, "c.yaml": 1})
    assert _failed(_check(bundle, files, cache)) == []
    assert _reused(_check(bundle, files, cache)) == ["2 of 2"]

    tools = locate_tools()
    assert tools.promtool is not None
    other = dataclasses.replace(tools, promtool=dataclasses.replace(tools.promtool, version="0.0.0-other"))
    assert _reused(_check(bundle, files, cache, other)) == []

    # The rule now sums `up` times two: both tests read it, both fail, nothing is reused.
    doubled = {"groups": [{"name": "g", "rules": [{"record": "job:up:sum", "expr": "2 * sum by (job) (up)"}]}]}
    (bundle / "rules.yaml").write_text(yaml.safe_dump(doubled), encoding="utf-8")
    changed = _check(bundle, files, cache)
    assert _failed(changed) == ["a.yaml", "c.yaml"] and _reused(changed) == []


def test_without_a_cache_directory_every_file_runs_and_nothing_is_written(tmp_path: Path) -> None:
    files = _bundle(tmp_path, {"a.yaml": 1})
    assert _check(tmp_path, files, None) == []
    assert _check(tmp_path, files, None) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "rules.yaml"]


def test_the_digest_covers_the_test_file_the_rule_files_a_glob_names_and_the_tool(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "one.yaml").write_text("groups: []\n", encoding="utf-8")
    test = tmp_path / "t.yaml"
    test.write_text("tests: []\n", encoding="utf-8")
    base = inputs_digest(test, ["rules/*.yaml"], "promtool 3.5.3 1")
    assert base is not None and base == inputs_digest(test, ["rules/*.yaml"], "promtool 3.5.3 1")
    assert base != inputs_digest(test, ["rules/*.yaml"], "promtool 3.5.4 1")
    (tmp_path / "rules" / "two.yaml").write_text("groups: []\n", encoding="utf-8")
    with_two = inputs_digest(test, ["rules/*.yaml"], "promtool 3.5.3 1")
    assert with_two != base
    (tmp_path / "rules" / "two.yaml").write_text("groups: [] \n", encoding="utf-8")
    assert inputs_digest(test, ["rules/*.yaml"], "promtool 3.5.3 1") != with_two
    test.write_text("tests: [ ]\n", encoding="utf-8")
    assert inputs_digest(test, ["rules/*.yaml"], "promtool 3.5.3 1") not in {base, with_two}
