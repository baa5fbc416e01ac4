"""The Mimir namespaces and PrometheusRule objects hold the very groups the promtool tests prove."""

from __future__ import annotations

import shutil
from pathlib import Path

from lgtmgen.checks import run_checks
from lgtmgen.checks.rule_copies import rule_groups
from lgtmgen.toolchain.locate import locate_tools

SHOP_BUNDLE = Path(__file__).resolve().parents[2] / "generated" / "shop"


def test_every_group_of_the_shops_rule_files_is_read_whole_from_the_text() -> None:
    text = (SHOP_BUNDLE / "prometheus" / "rules" / "slo" / "checkout.yaml").read_text(encoding="utf-8")
    groups = rule_groups(text)
    assert list(groups) == [line.strip().removeprefix("- name: ") for line in text.splitlines() if line.strip().startswith("- name: ")]
    assert sum(body.count("\n") + 1 for body in groups.values()) == len(text.splitlines()) - 3  # two comment lines and `groups:`


def test_a_copy_that_drifted_from_its_group_is_reported_at_the_copy(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(SHOP_BUNDLE, bundle)
    assert [d for d in run_checks(bundle, locate_tools(), only={"rule-copies"})] == []
    mimir = bundle / "mimir" / "rules" / "shop-prod" / "checkout.yaml"
    mimir.write_text(mimir.read_text(encoding="utf-8").replace('code=~\\"5..\\"', 'code=~\\"4..\\"', 1), encoding="utf-8")
    objects = sorted((bundle / "kubernetes").rglob("slo-*.yaml"))
    objects[0].write_text(objects[0].read_text(encoding="utf-8").replace("(14.4 * ", "(1.44 * ", 1), encoding="utf-8")
    found = run_checks(bundle, locate_tools(), only={"rule-copies"})
    assert sorted((d.check, d.location.file if d.location else "") for d in found) == sorted(
        [("rules/copy-differs", mimir.relative_to(bundle).as_posix()), ("rules/copy-differs", objects[0].relative_to(bundle).as_posix())]
    )
