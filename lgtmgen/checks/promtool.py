"""promtool: rule files must load, generated unit tests must pass, configs must load."""

from __future__ import annotations

import math
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree

import yaml

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import CheckContext
from lgtmgen.checks.run_tool import (
    ToolRun,
    diagnostics_from_failures,
    failures_by_file,
    missing_tool,
    run_tool,
)
from lgtmgen.cpus import available_cpus
from lgtmgen.diagnostics import Diagnostic, Location

RULE_ROLES = (Role.PROMETHEUS_RULES, Role.MIMIR_RULES)
TEST_BYTES_PER_RUN = 200_000
"""Test-file bytes one promtool run takes on (about ten to thirty seconds of tests): a run of a
whole large bundle per CPU exceeded the tool timeout (a 210-service catalog took 300 s)."""


class PromtoolRules:
    """`promtool check rules` on every Prometheus and Mimir rule file."""

    name = "promtool-rules"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        files = [f.path for f in ctx.by_role(*RULE_ROLES)]
        if not files:
            return []
        if ctx.tools.promtool is None:
            return [missing_tool("promtool", self.name)]
        run = run_tool(ctx.tools.promtool, ["check", "rules", *files], ctx.bundle_dir)
        return diagnostics_from_failures("promtool/rules", failures_by_file(run.output), run, files[0])


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
                    doc = yaml.safe_load(bundle_file.absolute.read_text(encoding="utf-8"))
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
        cpus = available_cpus()
        chunks = unit_test_runs(files, [(ctx.bundle_dir / f).stat().st_size for f in files], cpus)
        with tempfile.TemporaryDirectory(prefix="lgtmgen-junit-") as reports:

            def test(numbered: tuple[int, list[str]]) -> tuple[ToolRun, Path]:
                report = Path(reports) / f"{numbered[0]}.xml"
                return run_tool(promtool, ["test", "rules", f"--junit={report}", *numbered[1]], ctx.bundle_dir), report

            with ThreadPoolExecutor(max_workers=min(cpus, len(chunks))) as pool:
                found: list[Diagnostic] = []
                for (run, report), chunk in zip(pool.map(test, enumerate(chunks)), chunks, strict=True):
                    found += _test_failures(run, report, chunk)
        return found


def _test_failures(run: ToolRun, report: Path, files: list[str]) -> list[Diagnostic]:
    """Failures by file from promtool's JUnit report (its text output does not say which file failed)."""
    try:
        suites = ElementTree.parse(report).getroot().iter("testsuite")
        found = [
            Diagnostic(
                "promtool/tests",
                f"{case.get('name', '')}: {(failure.text or '').strip()}",
                location=Location(suite.get("name") or files[0]),
            )
            for suite in suites
            for case in suite.iter("testcase")
            for failure in [*case.iter("failure"), *case.iter("error")]
        ]
    except (OSError, ElementTree.ParseError):
        found = []
    if run.returncode != 0 and not found:
        return diagnostics_from_failures("promtool/tests", failures_by_file(run.output), run, files[0])
    return found


def unit_test_runs(files: list[str], sizes: list[int], cpus: int) -> list[list[str]]:
    """The files of each promtool run: one run per CPU at least, and enough runs that none nears
    the tool timeout on a large bundle."""
    return balanced_chunks(files, sizes, max(cpus, math.ceil(sum(sizes) / TEST_BYTES_PER_RUN)))


def balanced_chunks(files: list[str], sizes: list[int], count: int) -> list[list[str]]:
    """`files` in at most `count` non-empty chunks of about equal total size, each in bundle order.

    promtool runs the test files of one invocation one after another; one
    invocation per CPU runs them side by side (test time grows with file size).
    """
    loads = [0] * min(count, len(files))
    chosen: list[list[int]] = [[] for _ in loads]
    for index in sorted(range(len(files)), key=lambda i: (-sizes[i], i)):
        lightest = loads.index(min(loads))
        loads[lightest] += sizes[index]
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
