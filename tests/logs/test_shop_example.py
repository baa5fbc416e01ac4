"""The example shop's logs bundle: Loki config, overrides, rules and pipelines pass every logs check."""

from __future__ import annotations

from pathlib import Path

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import BundleFile, CheckContext
from lgtmgen.checks.loki_rules import LokiRulesCheck
from lgtmgen.checks.otelcol import OtelcolCheck
from lgtmgen.checks.reference_check import ReferenceCheck
from lgtmgen.generators.loki import LokiGenerator
from lgtmgen.generators.otelcol_logs import LogPipelines
from lgtmgen.generators.tail_sampling import TailSampling
from lgtmgen.pipeline import validate
from lgtmgen.render import render_artifact
from lgtmgen.toolchain.locate import Toolbox

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"


def test_the_shop_logs_files_are_written_and_pass_the_logs_checks(tmp_path: Path) -> None:
    plan, diagnostics = validate([SHOP])
    assert plan is not None, [str(d) for d in diagnostics]
    files = []
    for generator in (LokiGenerator(), LogPipelines(), TailSampling()):
        for artifact in generator.generate(plan):
            target = tmp_path / artifact.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(render_artifact(artifact))
            files.append(BundleFile(artifact.path, artifact.role, target))
    roles = {f.role for f in files}
    assert {Role.LOKI_CONFIG, Role.LOKI_RUNTIME, Role.LOKI_RULES, Role.OTELCOL_CONFIG} <= roles
    ctx = CheckContext(tmp_path, tuple(files), Toolbox())
    findings = [*ReferenceCheck().run(ctx), *LokiRulesCheck().run(ctx), *OtelcolCheck().run(ctx)]
    assert [str(f) for f in findings] == []
