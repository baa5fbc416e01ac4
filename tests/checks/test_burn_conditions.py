"""Both windows of every burn condition are held to one threshold over one SLI's series."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from lgtmgen.checks import run_checks
from lgtmgen.checks.burn_conditions import burn_conditions, burn_findings
from lgtmgen.promql import parse
from lgtmgen.toolchain.locate import locate_tools
from tests.checks.bundle_edits import SHOP_BUNDLE, copied


def _burn_alerts() -> list[dict[str, Any]]:
    alerts = []
    for path in sorted((SHOP_BUNDLE / "prometheus" / "rules").rglob("*.yaml")):
        for group in yaml.safe_load(path.read_text(encoding="utf-8")).get("groups", []):
            alerts += [rule for rule in group["rules"] if "Burn" in rule.get("alert", "")]
    return alerts


def _findings(rule: dict[str, Any]) -> list[str]:
    return [d.message for d in burn_findings(rule, parse(rule["expr"]), "groups[0].rules[0]", "f.yaml")]


def _slo_burn() -> dict[str, Any]:
    """A page of the shop's checkout orders-placed SLO (99.9%): 1h and 5m at 14.4 times the budget."""
    return next(
        copy.deepcopy(rule)
        for rule in _burn_alerts()
        if rule["alert"] == "SLOErrorBudgetBurn"
        and rule["labels"]["service"] == "checkout"
        and rule["labels"]["slo"] == "orders-placed"
        and rule["labels"]["long_window"] == "1h"
        and "min_events" not in rule["expr"]
    )


def test_every_burn_alert_of_the_shop_has_consistent_conditions_that_the_check_reads() -> None:
    alerts = _burn_alerts()
    assert len(alerts) > 60
    for rule in alerts:
        conditions = burn_conditions(parse(rule["expr"]))
        # Journeys page on either of two conditions; every SLO alert holds one.
        assert len(conditions) == (2 if rule["alert"] == "JourneySLOBurn" else 1), rule["expr"]
        assert _findings(rule) == [], rule["expr"]


def test_the_shop_rule_the_mutations_start_from_reads_as_expected() -> None:
    rule = _slo_burn()
    [(long, short)] = burn_conditions(parse(rule["expr"]))
    assert (long.window, short.window) == ("1h", "5m")
    assert long.threshold == short.threshold == pytest.approx(14.4 * 0.001)
    assert ("slo", "=", "orders-placed") in long.matchers


def test_a_short_window_held_to_another_factor_is_reported() -> None:
    rule = _slo_burn()
    at = rule["expr"].rindex("(14.4 * ")
    rule["expr"] = rule["expr"][:at] + "(6 * " + rule["expr"][at + len("(14.4 * "):]
    assert [m for m in _findings(rule) if "the 1h window is held to 0.0144 and the 5m window to 0.006" in m]


def test_a_short_window_reading_another_slo_is_reported() -> None:
    rule = _slo_burn()
    at = rule["expr"].rindex('slo="orders-placed"')
    rule["expr"] = rule["expr"][:at] + 'slo="latency"' + rule["expr"][at + len('slo="orders-placed"'):]
    assert [m for m in _findings(rule) if "the 1h and 5m windows read different series" in m and 'slo="latency"' in m]


def test_swapped_windows_are_reported_and_so_are_labels_naming_other_windows() -> None:
    rule = _slo_burn()
    rule["expr"] = rule["expr"].replace("ratio_rate1h", "ratio_rateX").replace("ratio_rate5m", "ratio_rate1h").replace("ratio_rateX", "ratio_rate5m")
    messages = _findings(rule)
    assert [m for m in messages if "the long window (5m) is not longer than the short one (1h)" in m]
    assert [m for m in messages if "labels name the windows 1h and 5m, but its condition reads 5m and 1h" in m]
    relabelled = _slo_burn()
    relabelled["labels"]["long_window"] = "6h"
    assert [m for m in _findings(relabelled) if "labels name the windows 6h and 5m" in m]


def test_a_threshold_no_ratio_can_exceed_is_reported() -> None:
    rule = _slo_burn()
    rule["expr"] = rule["expr"].replace("(14.4 * 0.001)", "(14.4 * 0.5)")
    assert [m for m in _findings(rule) if "its threshold 7.2 is no error ratio can exceed" in m]


def test_check_reports_a_drifted_condition_in_a_bundle(tmp_path: Path) -> None:
    bundle = copied(SHOP_BUNDLE, tmp_path)
    rules = bundle / "prometheus" / "rules" / "slo" / "checkout.yaml"
    text = rules.read_text(encoding="utf-8")
    # The second `(14.4 * ` of the file is the short side of its first page.
    second = text.index("(14.4 * ", text.index("(14.4 * ") + 1)
    rules.write_text(text[:second] + "(1.44 * " + text[second + len("(14.4 * "):], encoding="utf-8")
    found = run_checks(bundle, locate_tools(), only={"rule-hygiene"})
    assert [(d.check, d.location.file if d.location else "") for d in found] == [
        ("rules/burn-condition", "prometheus/rules/slo/checkout.yaml")
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("\nand\n", "\nor\n"),
        ("\nand\n", "\nand on ()\n"),
        ('slo="orders-placed"} > (14.4 * 0.001)\n)', 'slo="orders-placed"} < (14.4 * 0.001)\n)'),
        ('slo="orders-placed"} > (14.4 * 0.001)\n)', 'slo="orders-placed"} offset 1h > (14.4 * 0.001)\n)'),
    ],
    ids=["or", "and on ()", "short side below", "short side an hour late"],
)
def test_a_condition_of_another_shape_is_reported_as_not_firing_as_its_labels_say(before: str, after: str) -> None:
    rule = _slo_burn()
    assert before in rule["expr"]
    rule["expr"] = rule["expr"].replace(before, after)
    assert [m for m in _findings(rule) if "holds no condition `ratio_rate<long> > t and ratio_rate<short> > t`" in m]


def test_thresholds_written_differently_but_equal_are_one_threshold() -> None:
    rule = _slo_burn()
    at = rule["expr"].rindex("(14.4 * 0.001)")
    rule["expr"] = rule["expr"][:at] + "0.0144" + rule["expr"][at + len("(14.4 * 0.001)"):]
    assert _findings(rule) == []
