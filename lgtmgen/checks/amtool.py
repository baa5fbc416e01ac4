"""amtool: the Alertmanager configuration must load."""

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
        return diagnostics_from_failures("amtool/config", failures_by_file(run.output), run, files[0])
