"""promtool: rule files must load, generated unit tests must pass, configs must load."""

from __future__ import annotations

import glob
import json
import math
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import yaml

from lgtmgen.artifacts import PROMTOOL_RULE_ROLES, Role
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.checks.base import CheckContext, leaves_bundle, outside_reference
from lgtmgen.checks.bundle_yaml import safe_load
from lgtmgen.checks.passed_runs import (
    PassedRuns,
    bytes_digest,
    inputs_digest,
    lint_digest,
    tool_identity,
    unpassed,
)
from lgtmgen.checks.run_tool import (
    ToolRun,
    diagnostics_from_failures,
    failures_by_file,
    missing_tool,
    run_tool,
)
from lgtmgen.cpus import available_cpus
from lgtmgen.diagnostics import Diagnostic, Location

RULES_PASSED_KIND = "promtool-rules-passed"
TESTS_PASSED_KIND = "promtool-tests-passed"
TEST_RULE_FILES_KIND = "promtool-test-rule-files"
EVALUATIONS_PER_RUN = 100_000
"""Rule evaluations (see `unit_test_cost`) one promtool run takes on. Measured on the shop
bundle, promtool spends 0.15 to 0.6 ms per rule evaluation (the weekly-season anomaly tests
at the top), so a run lasts about 15 to 60 s, far from the tool timeout; a run of a whole
large bundle per CPU exceeded it (a 210-service catalog took 300 s)."""
DEFAULT_EVALUATION_INTERVAL = "1m"
"""promtool's `evaluation_interval` when a test file sets none."""


class PromtoolRules:
    """`promtool check rules` on every Prometheus and Mimir rule file."""

    name = "promtool-rules"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        files = [f.path for f in ctx.by_role(*PROMTOOL_RULE_ROLES)]
        if not files:
            return []
        if ctx.tools.promtool is None:
            return [missing_tool("promtool", self.name)]
        promtool = ctx.tools.promtool
        # A file promtool accepted is remembered by its bytes and promtool's identity.
        identity = tool_identity(promtool) if ctx.cache_dir is not None else None
        passed = ctx.remembered(RULES_PASSED_KIND) if identity else None

        def digest(path: str) -> str | None:
            try:
                return bytes_digest((ctx.bundle_dir / path).read_bytes(), f"{RULES_PASSED_KIND} {identity}")
            except OSError:
                return None

        before = {f: digest(f) for f in files} if passed else {}
        todo, found = unpassed(
            passed, files, before, "promtool/rules-passed-before", f"rule files passed {promtool.name} {promtool.version} check rules"
        )
        if not todo:
            return found
        sizes = [(ctx.bundle_dir / f).stat().st_size if (ctx.bundle_dir / f).is_file() else 1 for f in todo]
        chunks = balanced_chunks(todo, sizes, available_cpus())

        def check(chunk: list[str]) -> tuple[ToolRun, list[str]]:
            return run_tool(promtool, ["check", "rules", *chunk], ctx.bundle_dir), chunk

        with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
            for run, chunk in pool.map(check, chunks):
                failures = failures_by_file(run.output)
                found += diagnostics_from_failures("promtool/rules", failures, run, chunk[0])
                if passed and run.returncode == 0 and not failures:
                    passed.remember(d for f in chunk if (d := before[f]) and digest(f) == d)
        return found


class PromtoolRuleObjects:
    """`promtool check rules` on the `spec` of every PrometheusRule object.

    The operator hands `spec.groups` to Prometheus as a rule file; promtool reads only rule
    files, so each object's spec is copied under its own bundle path into a scratch directory.
    """

    name = "promtool-rule-objects"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        objects = ctx.by_role(Role.PROMETHEUS_RULE_OBJECT)
        if not objects:
            return []
        if ctx.tools.promtool is None:
            return [missing_tool("promtool", self.name)]
        found: list[Diagnostic] = []
        with tempfile.TemporaryDirectory(prefix="lgtmgen-rule-objects-") as scratch:
            copies = []
            for bundle_file in objects:
                try:
                    doc = safe_load(bundle_file.absolute.read_text(encoding="utf-8"))
                except (OSError, yaml.YAMLError) as exc:
                    found.append(Diagnostic("promtool/rule-objects", str(exc), location=Location(bundle_file.path)))
                    continue
                spec = doc.get("spec") if isinstance(doc, dict) and doc.get("kind") == "PrometheusRule" else None
                if not isinstance(spec, dict):
                    found.append(
                        Diagnostic("promtool/rule-objects", "not a PrometheusRule object with a spec", location=Location(bundle_file.path))
                    )
                    continue
                copy = Path(scratch) / bundle_file.path
                copy.parent.mkdir(parents=True, exist_ok=True)
                copy.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
                copies.append(bundle_file.path)
            if copies:
                run = run_tool(ctx.tools.promtool, ["check", "rules", *copies], Path(scratch))
                found += diagnostics_from_failures("promtool/rule-objects", failures_by_file(run.output), run, copies[0])
        return found


class PromtoolUnitTests:
    """`promtool test rules` on every generated rule unit-test file."""

    name = "promtool-tests"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        files = [f.path for f in ctx.by_role(Role.PROMETHEUS_RULE_TESTS)]
        if not files:
            return []
        if ctx.tools.promtool is None:
            return [missing_tool("promtool", self.name)]
        promtool = ctx.tools.promtool
        identity = tool_identity(promtool) if ctx.cache_dir is not None else None
        passed = ctx.remembered(TESTS_PASSED_KIND) if identity else None
        # The rule files a test file names are remembered by its bytes: a check with nothing to
        # run need not parse the test files (18 s at 1,000 services).
        known = ctx.remembered(TEST_RULE_FILES_KIND)
        plans = {f: _test_plan(ctx.bundle_dir / f, identity, known) for f in files}
        outside = [
            (f, name) for f in files for name in plans[f].rule_files if leaves_bundle(ctx.bundle_dir, ctx.bundle_dir / f, name)
        ]
        unread = [f for f in files if not plans[f].readable]
        files = [f for f in files if f not in {path for path, _ in outside} and f not in unread]
        todo, found = unpassed(
            passed,
            files,
            {f: plan.digest for f, plan in plans.items()},
            "promtool/tests-passed-before",
            f"unit-test files passed {promtool.name} {promtool.version} test rules (with their rule files)",
        )
        found = [*(outside_reference(f, name) for f, name in outside), *map(_unread_test, unread), *found]
        if not todo:
            return found
        cpus = available_cpus()
        costs = [cost if (cost := plans[f].cost) is not None else unit_test_cost(ctx.bundle_dir / f) for f in todo]
        chunks = unit_test_runs(todo, costs, cpus)
        with tempfile.TemporaryDirectory(prefix="lgtmgen-junit-") as reports:

            def test(numbered: tuple[int, list[str]]) -> tuple[ToolRun, Path]:
                report = Path(reports) / f"{numbered[0]}.xml"
                return run_tool(promtool, ["test", "rules", f"--junit={report}", *numbered[1]], ctx.bundle_dir), report

            with ThreadPoolExecutor(max_workers=min(cpus, len(chunks))) as pool:
                for (run, report), chunk in zip(pool.map(test, enumerate(chunks)), chunks, strict=True):
                    failures = _test_failures(run, report, chunk)
                    found += failures
                    if passed and identity and run.returncode == 0 and not failures:
                        # Only bytes promtool read: a file rewritten during the run has another digest now.
                        after = {f: inputs_digest(ctx.bundle_dir / f, plans[f].rule_files, identity) for f in chunk}
                        passed.remember(d for f in chunk if (d := plans[f].digest) and after[f] == d)
        return found


def _unread_test(path: str) -> Diagnostic:
    return Diagnostic(
        "promtool/tests",
        "not run: lgtmgen cannot read the file as one YAML test file with a list of rule_files, so it "
        "cannot tell which files promtool would read for it",
        location=Location(path),
    )


@dataclass(frozen=True, slots=True)
class _TestPlan:
    digest: str | None
    """What promtool reads to run the file (see `passed_runs.inputs_digest`); None: not remembered."""
    rule_files: tuple[str, ...] = ()
    cost: int | None = None
    """Rule evaluations (see `unit_test_cost`), when the file was parsed to plan it."""
    readable: bool = True
    """Whether lgtmgen could read the file's `rule_files`: unread, it could name any file, and
    promtool (whose YAML reader may take what lgtmgen's refused) is not given it."""


def _test_plan(path: Path, tool: str | None, known: PassedRuns | None) -> _TestPlan:
    """The digest of a unit-test file's inputs, given the tool's identity, and its cost when the
    rule files it names were not remembered (`known`) and it had to be parsed."""
    try:
        data = path.read_bytes()
    except OSError:
        return _TestPlan(None, cost=1, readable=False)
    key = lint_digest(data, TEST_RULE_FILES_KIND) if known is not None else None
    note = known.recall(key) if known is not None and key is not None else None
    names = _noted_names(note)
    cost = None
    if names is None:
        try:
            doc = safe_load(data.decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError):
            return _TestPlan(None, cost=1, readable=False)
        cost = _unit_test_cost(path, doc)
        names = _names(doc.get("rule_files", []) if isinstance(doc, dict) else [])
        if names is None:
            return _TestPlan(None, cost=cost, readable=False)
        if known is not None and key is not None:
            known.remember_note(key, json.dumps(names))
    digest = inputs_digest(path, names, tool) if tool is not None else None
    return _TestPlan(digest, tuple(names), cost)


def _names(value: object) -> list[str] | None:
    """A test file's `rule_files` when it is a list of names; None otherwise."""
    if isinstance(value, list) and all(isinstance(n, str) for n in value):
        return value
    return None


def _noted_names(note: str | None) -> list[str] | None:
    """The rule file names remembered (as JSON) for a test file's bytes; None when there are none."""
    try:
        return _names(json.loads(note)) if note is not None else None
    except ValueError:
        return None


def _test_failures(run: ToolRun, report: Path, files: list[str]) -> list[Diagnostic]:
    """Failures by file from promtool's JUnit report (its text output does not say which file failed)."""
    try:
        suites = ElementTree.parse(report).getroot().iter("testsuite")
        # One failure text in several cases of a file (a rule file that does not load) is one finding.
        cases: dict[tuple[str, str], list[str]] = {}
        for suite in suites:
            for case in suite.iter("testcase"):
                for failure in [*case.iter("failure"), *case.iter("error")]:
                    key = (suite.get("name") or files[0], (failure.text or "").strip())
                    cases.setdefault(key, []).append(case.get("name", ""))
        found = [
            Diagnostic(
                "promtool/tests",
                f"{names[0]}{f' (and {len(names) - 1} more test cases)' if len(names) > 1 else ''}: {text}",
                location=Location(file),
            )
            for (file, text), names in cases.items()
        ]
    except (OSError, ElementTree.ParseError):
        found = []
    if run.returncode != 0 and not found:
        return diagnostics_from_failures("promtool/tests", failures_by_file(run.output), run, files[0])
    return found


def unit_test_cost(path: Path) -> int:
    """Rule evaluations promtool performs for the unit-test file at `path`.

    For each test group promtool evaluates every rule of the file's rule files at every
    `evaluation_interval` from 0 to the group's latest `eval_time`: the steps times the rule
    count. File size is a poor proxy (a long weekly-season test is short text). A file that
    cannot be read costs 1: promtool reports it at once.
    """
    try:
        doc = safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return 1
    return _unit_test_cost(path, doc)


def _unit_test_cost(path: Path, doc: object) -> int:
    if not isinstance(doc, dict):
        return 1
    try:
        step = parse_duration(str(doc.get("evaluation_interval", DEFAULT_EVALUATION_INTERVAL)))
        rules = sum(_rule_count(Path(p)) for pattern in doc.get("rule_files", []) for p in _rule_paths(path, pattern))
        steps = 0
        for test in doc.get("tests", []):
            cases = [*test.get("alert_rule_test", []), *test.get("promql_expr_test", [])]
            latest = max((parse_duration(str(case["eval_time"])) for case in cases), default=0.0)
            steps += int(latest // step) + 1
    except (OSError, yaml.YAMLError, AttributeError, KeyError, TypeError, ValueError, ZeroDivisionError):
        return 1
    return max(1, steps * rules)


def _rule_paths(test_file: Path, pattern: str) -> list[str]:
    # promtool resolves rule_files against the test file's directory, globs included.
    return sorted(glob.glob(str(test_file.parent / pattern)))


def _rule_count(rule_file: Path) -> int:
    doc = safe_load(rule_file.read_text(encoding="utf-8"))
    return sum(len(group.get("rules", [])) for group in doc.get("groups", []))


def unit_test_runs(files: list[str], costs: list[int], cpus: int) -> list[list[str]]:
    """The files of each promtool run: one run per CPU at least, and enough runs that none nears
    the tool timeout on a large bundle (`costs` as `unit_test_cost` gives them)."""
    return balanced_chunks(files, costs, max(cpus, math.ceil(sum(costs) / EVALUATIONS_PER_RUN)))


def balanced_chunks(files: list[str], costs: list[int], count: int) -> list[list[str]]:
    """`files` in at most `count` non-empty chunks of about equal total cost, each in bundle order.

    promtool runs the test files of one invocation one after another; one
    invocation per CPU runs them side by side (test time grows with each file's cost).
    """
    loads = [0] * min(count, len(files))
    chosen: list[list[int]] = [[] for _ in loads]
    for index in sorted(range(len(files)), key=lambda i: (-costs[i], i)):
        lightest = loads.index(min(loads))
        loads[lightest] += costs[index]
        chosen[lightest].append(index)
    return [[files[i] for i in sorted(chunk)] for chunk in chosen if chunk]


class PromtoolConfig:
    """`promtool check config --syntax-only` on every Prometheus configuration (`--agent` for agents).

    In agent mode Prometheus refuses what an agent cannot do, `rule_files` and `alerting` among them.
    """

    name = "promtool-config"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        for role, flags in ((Role.PROMETHEUS_CONFIG, []), (Role.PROMETHEUS_AGENT_CONFIG, ["--agent"])):
            files = [f.path for f in ctx.by_role(role)]
            if not files:
                continue
            if ctx.tools.promtool is None:
                return [missing_tool("promtool", self.name)]
            run = run_tool(ctx.tools.promtool, ["check", "config", "--syntax-only", *flags, *files], ctx.bundle_dir)
            found += diagnostics_from_failures("promtool/config", failures_by_file(run.output), run, files[0])
        return found
