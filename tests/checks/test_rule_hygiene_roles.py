"""Rule hygiene reads every rule file of the bundle, the roll-up tenant's federated ones included."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from lgtmgen.checks import run_checks
from lgtmgen.pipeline import compile_catalog
from lgtmgen.toolchain.locate import Toolbox
from lgtmgen.writer import write_bundle

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop"
ROLLUP_FILE = "mimir/rules/shop-rollup/rollup.yaml"


def _bundle(catalog: list[Path], out: Path) -> Path:
    compiled = compile_catalog(catalog)
    assert compiled.bundle is not None, [str(d) for d in compiled.diagnostics if d.is_error]
    write_bundle(compiled.bundle, out)
    return out


def _hygiene(bundle: Path) -> list[tuple[str, str]]:
    return [
        (d.check, d.location.file if d.location else "")
        for d in run_checks(bundle, Toolbox(), only={"rule-hygiene"})
    ]


def test_a_badly_named_record_of_the_federated_roll_up_is_reported(tmp_path: Path) -> None:
    bundle = _bundle([SHOP], tmp_path / "bundle")
    assert _hygiene(bundle) == []
    path = bundle / ROLLUP_FILE
    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["groups"][0]["rules"][0]["record"] = "rollup_without_levels"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert _hygiene(bundle) == [("rules/recording-name", ROLLUP_FILE)]


def test_a_roll_up_that_keeps_no_label_is_still_named_level_metric_operation(
    tmp_path: Path,
) -> None:
    metrics = (SHOP / "metrics.yaml").read_text(encoding="utf-8")
    keep = "keep_labels: [environment, service, team]"
    assert keep in metrics
    shop = tmp_path / "shop"
    shutil.copytree(SHOP, shop)
    (shop / "metrics.yaml").write_text(metrics.replace(keep, "keep_labels: []"), encoding="utf-8")
    bundle = _bundle([shop], tmp_path / "bundle")
    rollup = yaml.safe_load((bundle / ROLLUP_FILE).read_text(encoding="utf-8"))
    assert rollup["groups"][0]["rules"][0]["expr"].startswith("sum by () (")
    assert _hygiene(bundle) == []


def test_a_long_chain_of_additions_is_walked_in_linear_time() -> None:
    """promql_parser.walk took 18 s on a 400-term chain; in a child process, so that a regression
    fails on its timeout instead of holding the test run."""
    import subprocess
    import sys

    code = (
        "from lgtmgen.checks.rule_hygiene import rule_findings; "
        "print(rule_findings({'record': 'a:b:c', 'expr': ' + '.join(['rate(up[1m])'] * 390)}, 'g', 'f', 60.0))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20, check=False)
    assert run.stdout.strip() == "[]", run.stdout + run.stderr
