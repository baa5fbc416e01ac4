"""amtool: the Alertmanager configuration must load, and every routing test must reach its receivers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import BundleFile, CheckContext
from lgtmgen.checks.run_tool import (
    diagnostics_from_failures,
    failures_by_file,
    missing_tool,
    run_tool,
)
from lgtmgen.cpus import available_cpus
from lgtmgen.diagnostics import Diagnostic, Location
from lgtmgen.matchers import matcher
from lgtmgen.toolchain.locate import Tool

ROUTE_TEST_CHECK = "amtool/route-test"


class AmtoolConfig:
    """`amtool check-config` on every Alertmanager configuration (templates included)."""

    name = "amtool-config"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        files = [f.path for f in ctx.by_role(Role.ALERTMANAGER_CONFIG)]
        if not files:
            return []
        if ctx.tools.amtool is None:
            return [missing_tool("amtool", self.name)]
        run = run_tool(ctx.tools.amtool, ["check-config", *files], ctx.bundle_dir)
        return diagnostics_from_failures(
            "amtool/config", failures_by_file(run.output), run, files[0]
        )


def label_matcher(name: str, value: str) -> str:
    """A label for `amtool config routes test`, which reads each label as an equality matcher."""
    return matcher(name, "=", value)


def _cases(document: Any) -> list[dict[str, Any]] | None:
    if not isinstance(document, dict) or not isinstance(document.get("cases"), list):
        return None
    cases: list[dict[str, Any]] = document["cases"]
    if all(isinstance(c, dict) and isinstance(c.get("labels"), dict) for c in cases):
        return cases
    return None


def _run_case(amtool: Tool, config: Path, case: dict[str, Any], cwd: Path) -> str | None:
    expected = [str(r) for r in case.get("receivers", [])]
    labels = [label_matcher(str(k), str(v)) for k, v in case["labels"].items()]
    args = [
        "config",
        "routes",
        "test",
        f"--config.file={config}",
        f"--verify.receivers={','.join(expected)}",
    ]
    run = run_tool(amtool, [*args, "--", *labels], cwd)
    if run.returncode == 0:
        return None
    got = [
        line.strip()
        for line in run.output.splitlines()
        if line.strip() and not line.startswith("Warning")
    ]
    return f"case {case.get('name', '?')!r}: expected {','.join(expected)}; amtool said: {' | '.join(got)}"


class AmtoolRouteTests:
    """`amtool config routes test --verify.receivers` for every case of every route-tests file."""

    name = "amtool-route-tests"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        files = ctx.by_role(Role.ALERTMANAGER_ROUTE_TESTS)
        if not files:
            return []
        if ctx.tools.amtool is None:
            return [missing_tool("amtool", self.name)]
        found: list[Diagnostic] = []
        for file in files:
            found.extend(self._run_file(ctx.tools.amtool, file, ctx.bundle_dir))
        return found

    def _run_file(self, amtool: Tool, file: BundleFile, bundle_dir: Path) -> list[Diagnostic]:
        where = Location(file.path)
        try:
            document = YAML(typ="safe", pure=True).load(file.absolute.read_text(encoding="utf-8"))
        except (OSError, YAMLError) as exc:
            return [
                Diagnostic(
                    ROUTE_TEST_CHECK, f"cannot read the routing tests: {exc}", location=where
                )
            ]
        cases = _cases(document)
        if cases is None:
            return [
                Diagnostic(
                    ROUTE_TEST_CHECK, "not a routing-tests file (config and cases)", location=where
                )
            ]
        config = (file.absolute.parent / str(document.get("config", ""))).resolve()
        if not config.is_file():
            return [
                Diagnostic(
                    ROUTE_TEST_CHECK,
                    f"the tested configuration {config} is missing",
                    location=where,
                )
            ]
        # One amtool run per case, side by side (a case runs in a few milliseconds of amtool's
        # own work after tens of start-up): the order of the report stays the cases' order.
        with ThreadPoolExecutor(max_workers=available_cpus()) as pool:
            problems = list(pool.map(lambda case: _run_case(amtool, config, case, bundle_dir), cases))
        return [Diagnostic(ROUTE_TEST_CHECK, p, location=where) for p in problems if p]
