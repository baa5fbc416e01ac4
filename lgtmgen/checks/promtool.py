"""promtool: rule files must load, generated unit tests must pass, configs must load."""

from __future__ import annotations

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import CheckContext
from lgtmgen.checks.run_tool import (
    diagnostics_from_failures,
    failures_by_file,
    missing_tool,
    run_tool,
)
from lgtmgen.diagnostics import Diagnostic

RULE_ROLES = (Role.PROMETHEUS_RULES, Role.MIMIR_RULES)


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


class PromtoolUnitTests:
    """`promtool test rules` on every generated rule unit-test file."""

    name = "promtool-tests"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        files = [f.path for f in ctx.by_role(Role.PROMETHEUS_RULE_TESTS)]
        if not files:
            return []
        if ctx.tools.promtool is None:
            return [missing_tool("promtool", self.name)]
        run = run_tool(ctx.tools.promtool, ["test", "rules", *files], ctx.bundle_dir)
        return diagnostics_from_failures("promtool/tests", failures_by_file(run.output), run, files[0])


class PromtoolConfig:
    """`promtool check config --syntax-only` on every Prometheus configuration."""

    name = "promtool-config"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        files = [f.path for f in ctx.by_role(Role.PROMETHEUS_CONFIG)]
        if not files:
            return []
        if ctx.tools.promtool is None:
            return [missing_tool("promtool", self.name)]
        run = run_tool(ctx.tools.promtool, ["check", "config", "--syntax-only", *files], ctx.bundle_dir)
        return diagnostics_from_failures("promtool/config", failures_by_file(run.output), run, files[0])
