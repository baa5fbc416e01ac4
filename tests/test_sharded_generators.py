"""A sharded generator's shards together give exactly what it gives whole, whatever the count."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgtmgen.catalog import load_catalog
from lgtmgen.generators import GENERATORS
from lgtmgen.plan import Plan, build_plan
from lgtmgen.render import render_artifact

SHOP = Path(__file__).resolve().parents[1] / "examples" / "shop"
SHARDED = [g for g in GENERATORS if hasattr(g, "generate_shard")]


@pytest.fixture(scope="module")
def plan() -> Plan:
    loaded = load_catalog([SHOP])
    assert loaded.catalog is not None
    return build_plan(loaded.catalog)


def test_the_per_service_generators_are_sharded() -> None:
    assert {g.name for g in SHARDED} == {"slo-tests", "grafana-dashboards"}


@pytest.mark.parametrize("generator", SHARDED, ids=lambda g: g.name)
@pytest.mark.parametrize("count", [2, 3, 5])
def test_shards_add_up_to_the_whole(plan: Plan, generator: object, count: int) -> None:
    whole = {a.path: render_artifact(a) for a in generator.generate(plan)}  # type: ignore[attr-defined]
    shards = [
        {a.path: render_artifact(a) for a in generator.generate_shard(plan, k, count)}  # type: ignore[attr-defined]
        for k in range(count)
    ]
    assert sum(len(s) for s in shards) == len(whole) > count
    assert {path: content for s in shards for path, content in s.items()} == whole
