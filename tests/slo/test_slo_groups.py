"""The test files' group order is named from rule counts: it must name exactly the rule files' groups."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest

from lgtmgen.generators.slo.groups import SPEEDS, _build_groups, rule_counts, slo_rule_group_names
from lgtmgen.plan import SLOPlan
from tests.slo.slo_bundle import plan_of

ROOT = Path(__file__).resolve().parents[2]
SHOP, STARTER = ROOT / "examples" / "shop", ROOT / "examples" / "starter"
SWITCHES = ("page", "ticket", "absent", "budget_exhausted")


def _names(plans: list[SLOPlan], owner: str) -> list[str]:
    # The groups built afresh (not the shared memo), as the rule files hold them.
    return [g["name"] for g in _build_groups(plans, "https://grafana.example", owner)]


def _switched(plan: SLOPlan, on: tuple[bool, ...], interval: int) -> SLOPlan:
    alerting = plan.slo.alerting.model_copy(update=dict(zip(SWITCHES, on, strict=True)))
    slo = plan.slo.model_copy(update={"alerting": alerting})
    return dataclasses.replace(plan, slo=slo, evaluation_interval=interval)


@pytest.mark.parametrize("catalog", [SHOP, STARTER], ids=["shop", "starter"])
def test_group_names_from_counts_equal_the_built_groups_per_service_team_and_catalog(catalog: Path) -> None:
    plan = plan_of([catalog])
    owners = {
        **{f"service {s.name}": [p for p in plan.slos if p.service.name == s.name] for s in plan.catalog.services},
        **{f"team {t.name}": [p for p in plan.slos if p.service.team == t.name] for t in plan.catalog.teams},
        "everything": list(plan.slos),
    }
    split = 0
    for owner, plans in owners.items():
        if plans:
            names = _names(plans, "x")
            assert slo_rule_group_names(plans, "x") == names, owner
            split += any(name.count(":") > 2 for name in names)
    if catalog == SHOP:
        assert split, "some owner must need more than one group of a speed"


def test_group_names_from_counts_follow_every_alerting_switch_and_interval() -> None:
    slos = list(plan_of([SHOP]).slos)
    for n, on in enumerate(itertools.product([True, False], repeat=len(SWITCHES))):
        # Two evaluation intervals in one file give interval-suffixed groups.
        plans = [_switched(p, on, 30 if k % 3 else 60 + n) for k, p in enumerate(slos)]
        assert slo_rule_group_names(plans, "x") == _names(plans, "x"), on


def test_rule_counts_equal_the_rules_built_for_every_alerting_switch_and_interval() -> None:
    # Counts are kept per shape: a switch missing from the key would hand one variant another's count.
    for slo in plan_of([SHOP]).slos:
        for on in itertools.product([True, False], repeat=len(SWITCHES)):
            for interval in (30, 60):
                plan = _switched(slo, on, interval)
                built = tuple(len(build(plan, "https://grafana.example")) for _speed, build, _every in SPEEDS)
                assert rule_counts(plan) == built, (slo.slo.name, on, interval)
