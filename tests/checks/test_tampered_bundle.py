"""`lgtmgen check` of a bundle someone changed by hand reports what changed; it never crashes.

Every file of the starter bundle is removed in turn, and replaced in turn by bytes no reader
parses: each time the check must name that file (`bundle/missing-file`, `bundle/modified`) and
finish its other checks, where it used to stop with an internal error (exit 3).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import lgtmgen.checks
from lgtmgen.checks import run_checks
from lgtmgen.checks.base import Check, CheckContext
from lgtmgen.diagnostics import Diagnostic
from lgtmgen.toolchain.locate import locate_tools
from lgtmgen.writer import MANIFEST

STARTER_BUNDLE = Path(__file__).resolve().parents[2] / "generated" / "starter"
LISTED = sorted(json.loads((STARTER_BUNDLE / MANIFEST).read_text(encoding="utf-8"))["files"])
GARBAGE = b"{{{: [\x00\xff not yaml, not json\n"


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the module: what passed in one tampered copy is not checked again in the next."""
    return tmp_path_factory.mktemp("check-cache")


class Recorded:
    """A registered check, run for real, that notes what it returned."""

    def __init__(self, check: Check, findings: dict[str, list[Diagnostic]]) -> None:
        self.name = check.name
        self._check = check
        self._findings = findings

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        self._findings[self.name] = []  # a check stopped by the change is reported as it stopped
        found = self._check.run(ctx)
        self._findings[self.name] = found
        return found


@pytest.fixture
def later_findings(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Diagnostic]]:
    """What each check after the manifest's returned, by name, in the run_checks calls of a test
    (nothing for one that raised).

    No later check has a finding for every file a test removes (a missing runbook breaks no
    rule), so the tests see the checks run through the registry rather than through a finding."""
    findings: dict[str, list[Diagnostic]] = {}
    monkeypatch.setattr(lgtmgen.checks, "CHECKS", tuple(Recorded(c, findings) for c in lgtmgen.checks.CHECKS))
    return findings


def assert_every_later_check_ran(found: list[Diagnostic], later: dict[str, list[Diagnostic]]) -> None:
    """Every registered check ran after the manifest's found the change, and what each found is reported."""
    assert sorted(later) == sorted(lgtmgen.checks.check_names()[1:])
    assert all(d in found for findings in later.values() for d in findings)


def _copy(tmp_path: Path) -> Path:
    bundle = tmp_path / "bundle"
    shutil.copytree(STARTER_BUNDLE, bundle)
    return bundle


def test_the_starter_bundle_lists_files_of_every_kind() -> None:
    assert len(LISTED) > 20
    assert {path.rsplit(".", 1)[-1] for path in LISTED} >= {"yaml", "json", "md"}


@pytest.mark.parametrize("path", LISTED)
def test_a_missing_file_is_reported_and_the_other_checks_run(
    path: str, tmp_path: Path, cache_dir: Path, later_findings: dict[str, list[Diagnostic]]
) -> None:
    bundle = _copy(tmp_path)
    (bundle / path).unlink()
    found = run_checks(bundle, locate_tools(), cache_dir=cache_dir)
    assert ("bundle/missing-file", path) in {(d.check, d.location.file if d.location else None) for d in found}
    assert_every_later_check_ran(found, later_findings)


@pytest.mark.parametrize("path", LISTED)
def test_a_file_replaced_by_garbage_is_reported_and_the_other_checks_run(
    path: str, tmp_path: Path, cache_dir: Path, later_findings: dict[str, list[Diagnostic]]
) -> None:
    bundle = _copy(tmp_path)
    (bundle / path).write_bytes(GARBAGE)
    found = run_checks(bundle, locate_tools(), cache_dir=cache_dir)
    assert ("bundle/modified", path) in {(d.check, d.location.file if d.location else None) for d in found}
    assert_every_later_check_ran(found, later_findings)


def test_a_tampered_bundle_still_gets_the_findings_of_the_tool_checks(tmp_path: Path, cache_dir: Path) -> None:
    """A finding only a later check makes: promtool refuses a garbage rule file, amtool a garbage
    configuration, beside the manifest check's `bundle/modified` of each."""
    bundle = _copy(tmp_path)
    rules = next(p for p in LISTED if p.startswith("prometheus/rules/"))
    for path in (rules, "alertmanager/alertmanager.yml"):
        (bundle / path).write_bytes(GARBAGE)
    found = run_checks(bundle, locate_tools(), cache_dir=cache_dir)
    reported = {(d.check, d.location.file if d.location else None) for d in found}
    assert {("bundle/modified", rules), ("bundle/modified", "alertmanager/alertmanager.yml")} <= reported
    assert ("promtool/rules", rules) in reported
    assert ("amtool/config", "alertmanager/alertmanager.yml") in reported


SECRET = b"https://ci-bot:not-a-real-token@git.example.com\n"


def test_a_committed_bundle_cannot_make_check_read_outside_it_or_pass_a_flag_to_a_tool(tmp_path: Path) -> None:
    """A pull request shapes the committed bundle: a listed link to a secret file, a path out of the
    bundle, a name promtool or amtool would take for a flag. None is read or handed to a tool."""
    bundle = _copy(tmp_path)
    secret = tmp_path / "credentials"
    secret.write_bytes(SECRET)
    manifest = json.loads((bundle / MANIFEST).read_text(encoding="utf-8"))
    rules = next(p for p in manifest["files"] if p.startswith("prometheus/rules/slo/"))
    (bundle / rules).unlink()
    (bundle / rules).symlink_to(secret)
    entry = manifest["files"]["alertmanager/alertmanager.yml"]
    for listed in ("--help", "../credentials", "/etc/hostname"):
        manifest["files"][listed] = entry
    (bundle / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    found = run_checks(bundle, locate_tools())
    reported = {(d.check, d.location.file if d.location else None) for d in found}
    assert ("bundle/symlink", rules) in reported
    assert {d.message for d in found if d.check == "bundle/unsafe-path"} == {
        f"the manifest lists {listed!r}, which is no path inside the bundle" for listed in ("--help", "../credentials", "/etc/hostname")
    }
    assert not any("not-a-real-token" in d.message for d in found)


def test_no_tool_reads_outside_the_bundle_by_a_reference_or_a_link_the_bundle_holds(tmp_path: Path) -> None:
    """A unit-test file naming /etc/hostname as a rule file, an Alertmanager configuration whose
    templates climb out with `..`, an unlisted link among the templates: promtool and amtool would
    read them and print lines of what they failed to parse."""
    bundle = _copy(tmp_path)
    (tmp_path / "secret.tmpl").write_bytes(SECRET)
    tests = next(p for p in LISTED if p.startswith("prometheus/tests/slo/"))
    test_file = bundle / tests
    test_file.write_text(test_file.read_text(encoding="utf-8").replace("rule_files:\n", "rule_files:\n  - /etc/hostname\n", 1), encoding="utf-8")
    config = bundle / "alertmanager" / "alertmanager.yml"
    config.write_text(config.read_text(encoding="utf-8").replace('  - "templates/*.tmpl"', '  - "../../secret.tmpl"', 1), encoding="utf-8")
    found = run_checks(bundle, locate_tools(), only={"promtool-tests", "amtool-config"})
    assert sorted((d.check, d.location.file if d.location else None) for d in found) == [
        ("bundle/unsafe-path", "alertmanager/alertmanager.yml"),
        ("bundle/unsafe-path", tests),
    ]
    (bundle / "alertmanager" / "templates" / "more.tmpl").symlink_to(tmp_path / "secret.tmpl")
    found = run_checks(bundle, locate_tools(), only={"amtool-config", "promtool-rules"})
    assert [(d.check, d.location.file if d.location else None) for d in found] == [("bundle/symlink", "alertmanager/templates/more.tmpl")]
    assert not any("not-a-real-token" in d.message for d in found)


def test_a_file_lgtmgen_cannot_read_is_not_handed_to_the_tool_that_might(tmp_path: Path) -> None:
    """A rule_files list with a number among the names, an Alertmanager configuration followed by a
    second YAML document: PyYAML refuses what Go's reader takes (the first document), so lgtmgen
    could not see the outside files they name."""
    bundle = _copy(tmp_path)
    tests = next(p for p in LISTED if p.startswith("prometheus/tests/slo/"))
    test_file = bundle / tests
    test_file.write_text(test_file.read_text(encoding="utf-8").replace("rule_files:\n", "rule_files:\n  - 1\n  - /etc/hostname\n", 1), encoding="utf-8")
    config = bundle / "alertmanager" / "alertmanager.yml"
    config.write_text(config.read_text(encoding="utf-8") + "---\nx: 1\n", encoding="utf-8")
    found = run_checks(bundle, locate_tools(), only={"promtool-tests", "amtool-config"})
    assert sorted((d.check, d.location.file if d.location else None, d.message.split(":")[0]) for d in found) == [
        ("amtool/config", "alertmanager/alertmanager.yml", "not checked"),
        ("promtool/tests", tests, "not run"),
    ]
