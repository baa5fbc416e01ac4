"""Rule hygiene reads every rule file of the bundle, the roll-up tenant's federated ones included."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

import lgtmgen.promql
from lgtmgen.checks import run_checks
from lgtmgen.checks.rule_hygiene import rule_findings
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


def _chain(terms: int) -> str:
    """`terms` rates added up, the first (the deepest node of the left-leaning tree) over 30s."""
    return " + ".join(["rate(up[30s])", *["rate(up[5m])"] * (terms - 1)])


def _chain_nodes(terms: int) -> int:
    """Each term is a call, a matrix selector and a vector selector; n terms need n - 1 additions."""
    return 3 * terms + terms - 1


def test_rule_hygiene_walks_a_parsed_rule_without_promql_parser_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """promql_parser.walk converts every subtree it visits into Python objects again, which grows with
    the square of a chain's length (18 s at 400 terms); rule hygiene must not call it at all."""
    walked: list[str] = []  # not the tree: its repr at 390 terms takes pytest half a minute
    monkeypatch.setattr(promql_parser, "walk", lambda tree, visit: walked.append(type(tree).__name__))
    found = rule_findings({"record": "a:b:c", "expr": _chain(390)}, "g", "f", 60.0)
    assert walked == []
    assert [d.message for d in found] == ["g: rate over 30s sees fewer than 4 scrapes (window at least 1m)"]


def test_rule_hygiene_visits_each_node_of_a_long_chain_a_fixed_number_of_times(monkeypatch: pytest.MonkeyPatch) -> None:
    """Linear time, counted rather than timed: every walk of lgtmgen.promql descends through
    `_children`, once a node visited; the timing lives in benchmarks/promql_walk.py."""
    visits = [0]
    children = lgtmgen.promql._children

    def counted(node: object) -> list[object]:
        visits[0] += 1
        return children(node)

    monkeypatch.setattr(lgtmgen.promql, "_children", counted)
    per_node: int | None = None
    for terms in (1, 95, 190, 390):  # growing: a walk that is not lgtmgen's fails on the smallest
        visits[0] = 0
        found = rule_findings({"record": "a:b:c", "expr": _chain(terms)}, "g", "f", 60.0)
        assert [d.check for d in found] == ["rules/rate-window"]
        assert visits[0] > 0 and visits[0] % _chain_nodes(terms) == 0, (terms, visits[0])
        per_node = per_node or visits[0] // _chain_nodes(terms)
        assert visits[0] == per_node * _chain_nodes(terms), (terms, visits[0], per_node)
