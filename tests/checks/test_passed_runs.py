"""A unit-test file that passed promtool is not run again while nothing promtool reads for it changed."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lgtmgen.artifacts import Role
from lgtmgen.cache import default_cache_dir
from lgtmgen.checks import promtool as promtool_check
from lgtmgen.checks import run_checks
from lgtmgen.checks.base import BundleFile, CheckContext
from lgtmgen.checks.grafana.bundle import recorded_series
from lgtmgen.checks.passed_runs import inputs_digest, tool_identity
from lgtmgen.checks.promtool import PromtoolRules, PromtoolUnitTests
from lgtmgen.checks.rule_hygiene import RuleHygiene
from lgtmgen.diagnostics import Diagnostic, Severity
from lgtmgen.toolchain.locate import Tool, Toolbox, locate_tools
from tests.checks.test_promtool_tests import RULES, _test_file

REUSED = "promtool/tests-passed-before"
SHOP_BUNDLE = Path(__file__).resolve().parents[2] / "generated" / "shop"


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


def test_the_rule_files_a_test_file_names_are_remembered_by_its_bytes(tmp_path: Path) -> None:
    bundle, cache = tmp_path / "bundle", tmp_path / "cache"
    bundle.mkdir()
    files = _bundle(bundle, {"a.yaml": 1})
    assert _failed(_check(bundle, files, cache)) == []
    assert _reused(_check(bundle, files, cache)) == ["1 of 1"]
    [noted] = [p for p in (cache / "promtool-test-rule-files").rglob("*") if p.is_file()]
    assert json.loads(noted.read_text(encoding="utf-8")) == ["rules.yaml"]
    # Read from the note, not from the file: a note naming another rule file gives another digest.
    noted.write_text(json.dumps(["other.yaml"]), encoding="utf-8")
    assert _reused(_check(bundle, files, cache)) == []


def test_without_a_cache_directory_every_file_runs_and_nothing_is_written(tmp_path: Path) -> None:
    files = _bundle(tmp_path, {"a.yaml": 1})
    assert _check(tmp_path, files, None) == []
    assert _check(tmp_path, files, None) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "rules.yaml"]


def test_the_digest_covers_the_test_file_its_rule_files_and_the_tool_and_no_glob(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "one.yaml").write_text("groups: []\n", encoding="utf-8")
    test = tmp_path / "t.yaml"
    test.write_text("tests: []\n", encoding="utf-8")
    base = inputs_digest(test, ["rules/one.yaml"], "promtool 3.5.3 sha256:a")
    assert base is not None and base == inputs_digest(test, ["rules/one.yaml"], "promtool 3.5.3 sha256:a")
    assert base != inputs_digest(test, ["rules/one.yaml"], "promtool 3.5.3 sha256:b")
    (tmp_path / "rules" / "one.yaml").write_text("groups: [] \n", encoding="utf-8")
    changed = inputs_digest(test, ["rules/one.yaml"], "promtool 3.5.3 sha256:a")
    assert changed not in {None, base}
    test.write_text("tests: [ ]\n", encoding="utf-8")
    assert inputs_digest(test, ["rules/one.yaml"], "promtool 3.5.3 sha256:a") not in {None, base, changed}
    # Go's globs match files Python's do not (dotfiles): a glob is never remembered.
    assert inputs_digest(test, ["rules/*.yaml"], "promtool 3.5.3 sha256:a") is None
    assert inputs_digest(test, ["rules/missing.yaml"], "promtool 3.5.3 sha256:a") is None


def test_two_builds_of_one_version_are_two_tools(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.write_bytes(b"build one")
    two.write_bytes(b"build two")
    identities = {tool_identity(Tool("promtool", path, "3.5.3")) for path in (one, two)}
    assert len(identities) == 2 and None not in identities
    assert tool_identity(Tool("promtool", tmp_path / "gone", "3.5.3")) is None


def test_an_unusable_cache_directory_runs_everything_and_fails_nothing(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    files = _bundle(bundle, {"a.yaml": 1})
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache directory should be", encoding="utf-8")
    assert _check(bundle, files, blocked) == []
    assert _check(bundle, files, blocked) == []


def test_no_home_directory_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("LGTMGEN_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert default_cache_dir() is None
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert default_cache_dir() == Path("/somewhere/lgtmgen")


def test_a_file_rewritten_while_promtool_ran_is_not_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """promtool passed the bytes it read; the digest taken before the run must not vouch for others."""
    bundle, cache = tmp_path / "bundle", tmp_path / "cache"
    bundle.mkdir()
    files = _bundle(bundle, {"a.yaml": 1})
    real_run = promtool_check.run_tool

    def run_then_rewrite(*args: object, **kwargs: object) -> object:
        result = real_run(*args, **kwargs)  # type: ignore[arg-type]
        (bundle / "rules.yaml").write_text(yaml.safe_dump(RULES) + "# edited\n", encoding="utf-8")
        return result

    monkeypatch.setattr(promtool_check, "run_tool", run_then_rewrite)
    assert _check(bundle, files, cache) == []
    monkeypatch.setattr(promtool_check, "run_tool", real_run)
    (bundle / "rules.yaml").write_text(yaml.safe_dump(RULES), encoding="utf-8")  # the bytes promtool read
    assert _reused(_check(bundle, files, cache)) == []


BAD_NAME = {"groups": [{"name": "g", "rules": [{"record": "not_three_parts", "expr": "sum(up)"}]}]}
BAD_SYNTAX = {"groups": [{"name": "g", "rules": [{"record": "job:up:sum", "expr": "sum by (job) (up"}]}]}


def _rule_files(directory: Path, docs: dict[str, object]) -> tuple[BundleFile, ...]:
    for name, doc in docs.items():
        (directory / name).write_text(yaml.safe_dump(doc), encoding="utf-8")
    return tuple(BundleFile(n, Role.PROMETHEUS_RULES, directory / n) for n in docs)


@pytest.mark.parametrize(
    ("check", "broken", "reused_check", "finding"),
    [
        (RuleHygiene(), BAD_NAME, "rules/passed-before", "rules/recording-name"),
        (PromtoolRules(), BAD_SYNTAX, "promtool/rules-passed-before", "promtool/rules"),
    ],
    ids=["rule hygiene", "promtool check rules"],
)
def test_rule_files_that_passed_a_check_are_not_checked_again_until_they_change(
    tmp_path: Path, check: RuleHygiene | PromtoolRules, broken: object, reused_check: str, finding: str
) -> None:
    bundle, cache = tmp_path / "bundle", tmp_path / "cache"
    bundle.mkdir()
    files = _rule_files(bundle, {"good.yaml": RULES, "bad.yaml": broken})

    def run() -> tuple[list[str], list[str]]:
        found = check.run(CheckContext(bundle, files, locate_tools(), cache_dir=cache))
        reused = [d.message.split(" rule files")[0] for d in found if d.check == reused_check]
        return sorted(d.location.file for d in found if d.check == finding and d.location), reused

    assert run() == (["bad.yaml"], [])
    assert run() == (["bad.yaml"], ["1 of 2"])  # the finding stays: only clean files are remembered
    (bundle / "good.yaml").write_text(yaml.safe_dump(RULES) + "# changed\n", encoding="utf-8")
    assert run() == (["bad.yaml"], [])
    assert check.run(CheckContext(bundle, files, locate_tools())) != []  # no cache: every file, every time


def test_dashboards_that_passed_are_not_validated_again_until_they_or_the_series_change(tmp_path: Path) -> None:
    bundle, cache = tmp_path / "bundle", tmp_path / "cache"
    shutil.copytree(SHOP_BUNDLE, bundle)

    def reused() -> list[str]:
        found = run_checks(bundle, locate_tools(), {"grafana"}, cache)
        assert not [d for d in found if d.is_error], [str(d) for d in found]
        return [d.message.split(" dashboards")[0] for d in found if d.check == "grafana/passed-before"]

    count = sum(1 for _ in (bundle / "grafana" / "dashboards").rglob("*.json"))
    assert reused() == []
    assert reused() == [f"{count} of {count}"]
    dashboard = next((bundle / "grafana" / "dashboards").rglob("*.json"))
    dashboard.write_text(dashboard.read_text(encoding="utf-8").replace('"title": "', '"title": "Edited ', 1), encoding="utf-8")
    assert reused() == [f"{count - 1} of {count}"]
    # Another set of recorded series is another lint: every dashboard is validated again.
    rules = next((bundle / "prometheus" / "rules" / "slo").glob("*.yaml"))
    rules.write_text(rules.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert reused() == [f"{count} of {count}"]  # other bytes, the same series: still remembered
    rules.write_text(rules.read_text(encoding="utf-8").replace("- record: ", "- record: extra:", 1), encoding="utf-8")
    assert reused() == []


def test_dashboards_that_passed_are_remembered_by_the_next_process(tmp_path: Path) -> None:
    """What a dashboard was held to (each tenant's records, the remote writes into it) is remembered
    by its text, not by objects of one process: a second `lgtmgen check` reuses every dashboard."""
    command = [sys.executable, "-m", "lgtmgen", "--output", "json", "check", str(SHOP_BUNDLE), "--only", "grafana"]
    command += ["--cache-dir", str(tmp_path / "cache")]
    runs = [json.loads(subprocess.run(command, capture_output=True, text=True, check=False).stdout) for _ in range(2)]
    count = sum(1 for _ in (SHOP_BUNDLE / "grafana" / "dashboards").rglob("*.json"))
    assert [[d["message"].split(" dashboards")[0] for d in run["diagnostics"]] for run in runs] == [[], [f"{count} of {count}"]]


def test_the_series_rule_files_record_are_remembered_by_their_bytes(tmp_path: Path) -> None:
    bundle, cache = tmp_path / "bundle", tmp_path / "cache"
    shutil.copytree(SHOP_BUNDLE, bundle)
    files = tuple(
        BundleFile(p.relative_to(bundle).as_posix(), Role.PROMETHEUS_RULES, p) for p in (bundle / "prometheus" / "rules").rglob("*.yaml")
    )

    def series(cache_dir: Path | None) -> frozenset[str] | None:
        return recorded_series(CheckContext(bundle, files, locate_tools(), cache_dir=cache_dir))

    parsed = series(None)
    assert parsed and len(parsed) > 50
    assert series(cache) == parsed  # parsed and remembered
    entries = [p for p in cache.rglob("*") if p.is_file()]
    assert len(entries) == len(files)
    entries[0].write_text("planted:series", encoding="utf-8")  # what a remembered file is read as
    assert "planted:series" in (series(cache) or ())
    entries[0].unlink()
    assert series(cache) == parsed
    rules = next((bundle / "prometheus" / "rules" / "slo").glob("*.yaml"))
    rules.write_text(rules.read_text(encoding="utf-8").replace("- record: ", "- record: extra:", 1), encoding="utf-8")
    changed = series(cache)
    assert changed == series(None) and changed != parsed
