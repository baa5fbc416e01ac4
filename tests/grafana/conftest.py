"""A small two-team catalog shared by the grafana tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lgtmgen.catalog import load_catalog
from lgtmgen.plan import Plan, build_plan

CATALOG = Path(__file__).parent / "catalog"
SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"


def plan_of(*paths: Path) -> Plan:
    loaded = load_catalog(list(paths))
    assert loaded.catalog is not None, [str(d) for d in loaded.diagnostics]
    return build_plan(loaded.catalog)


@pytest.fixture(scope="session")
def small_plan() -> Plan:
    return plan_of(CATALOG)


@pytest.fixture
def plan_with_grafana(tmp_path: Path) -> Callable[[str], Plan]:
    """The small catalog with its grafana.yaml replaced by the given text."""

    def build(text: str) -> Plan:
        grafana = tmp_path / "grafana.yaml"
        grafana.write_text(text, encoding="utf-8")
        return plan_of(CATALOG / "catalog.yaml", grafana)

    return build


@pytest.fixture(scope="session")
def shop_plan() -> Plan:
    return plan_of(SHOP)


@pytest.fixture
def plan_with_extra(tmp_path: Path) -> Callable[[str], Plan]:
    """The small catalog plus one more catalog file (list sections concatenate)."""

    def build(text: str) -> Plan:
        extra = tmp_path / "extra.yaml"
        extra.write_text(text, encoding="utf-8")
        return plan_of(CATALOG, extra)

    return build
