"""Mimir ruler namespaces: placement by tenant and team, roll-up federation, isolation, limits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from lgtmgen.bundle import compile_bundle
from lgtmgen.checks import run_checks
from lgtmgen.checks.mimir_ruler import _count
from lgtmgen.generators.mimir import ISOLATION_PATH, MimirGenerator
from lgtmgen.generators.mimir.ruler import ruler_layout
from lgtmgen.plan import Plan
from lgtmgen.toolchain.locate import locate_tools
from lgtmgen.writer import write_bundle
from tests.metrics.conftest import Loader, base_catalog

CHECKS = {"mimir-ruler", "promtool-rules", "promtool-config", "reference"}


def _service_labels(groups: list[dict[str, Any]]) -> set[str]:
    return {r["labels"]["service"] for g in groups for r in g["rules"] if "service" in r.get("labels", {})}


def test_every_rule_lands_in_the_tenant_that_holds_its_service_data(plan: Plan) -> None:
    layout = ruler_layout(plan)
    assert set(layout.namespaces) == {"prod", "stage"}
    for tenant, namespaces in layout.namespaces.items():
        owned = {s.name for s in plan.catalog.services if s.tenant == tenant}
        for groups in namespaces.values():
            assert _service_labels(groups) <= owned, tenant
    # unit prices and the list of known services sit in namespaces of their own
    assert set(layout.namespaces["prod"]) == {"shop", "cost", "service-graph"}
    assert set(layout.namespaces["stage"]) == {"ops", "service-graph"}
    shop_groups = {g["name"] for g in layout.namespaces["prod"]["shop"]}
    assert "service-graph:api" in shop_groups
    assert any(name.startswith("metrics:api") for name in shop_groups)
    assert not any(name.startswith("service-graph:worker") for name in shop_groups)


def test_without_a_rollup_no_rule_reads_another_tenant(plan: Plan) -> None:
    layout = ruler_layout(plan)
    assert layout.federated == {}
    assert layout.may_read() == {"prod": ["prod"], "stage": ["stage"]}
    for namespaces in layout.namespaces.values():
        for groups in namespaces.values():
            assert all("source_tenants" not in g for g in groups)


def test_a_declared_rollup_alone_reads_its_source_tenants(load: Loader) -> None:
    doc = base_catalog()
    doc["mimir"]["rollup"] = {"tenant": "longterm", "source_tenants": ["prod", "stage"], "keep_labels": ["service", "team"]}
    plan, errors = load(doc)
    assert plan is not None and errors == []
    layout = ruler_layout(plan)
    assert list(layout.federated) == ["longterm"] and list(layout.federated["longterm"]) == ["rollup"]
    assert "longterm" not in layout.namespaces
    assert layout.may_read()["longterm"] == ["longterm", "prod", "stage"]
    records = {r["record"]: r["expr"] for g in layout.federated["longterm"]["rollup"] for r in g["rules"]}
    assert records["service_team:requests:rate5m"] == "sum by (service, team) (service:requests:rate5m)"
    assert "service_team:cpu_usage:ratio_requests" not in records  # ratios do not add up
    assert all(g["source_tenants"] == ["prod", "stage"] for g in layout.federated["longterm"]["rollup"])
    config = {a.path: a.data for a in MimirGenerator().generate(plan)}["mimir/mimir.yaml"]
    assert config["ruler"]["tenant_federation"] == {"enabled": True}


def test_a_rollup_keeps_the_dimensions_of_every_kpi_recorded_under_a_name(load: Loader) -> None:
    """Order values in EUR and USD, or failed and placed orders, do not add up: the roll-up keeps
    a KPI's dimensions, those of every service that records the same name."""
    doc = base_catalog()
    doc["services"][1]["kpis"] = [{"name": "orders", "metric": "jobs_total", "kind": "counter", "dimensions": ["channel"]}]
    doc["mimir"]["rollup"] = {"tenant": "longterm", "source_tenants": ["prod", "stage"], "keep_labels": ["service", "team"]}
    plan, errors = load(doc)
    assert plan is not None and errors == []
    records = {r["record"]: r["expr"] for g in ruler_layout(plan).federated["longterm"]["rollup"] for r in g["rules"]}
    assert records["channel_result_service_team:orders:sum_rate5m"] == (
        "sum by (channel, result, service, team) (service:orders:sum_rate5m)"
    )
    assert records["service_team:requests:rate5m"] == "sum by (service, team) (service:requests:rate5m)"


def test_a_rollup_of_an_undeclared_tenant_is_reported(load: Loader) -> None:
    doc = base_catalog()
    doc["mimir"]["rollup"] = {"tenant": "longterm", "source_tenants": ["prod", "nowhere", "longterm"]}
    _, errors = load(doc)
    assert [(e.check, e.path) for e in errors] == [
        ("catalog/rollup-unknown-tenant", "mimir.rollup.source_tenants[1]"),
        ("catalog/rollup-reads-itself", "mimir.rollup.source_tenants[2]"),
    ]


@pytest.mark.tools
def test_the_shop_ruler_files_pass_promtool_the_reference_and_the_ruler_limits(shop_bundle: Path) -> None:
    findings = run_checks(shop_bundle, locate_tools(), only=CHECKS)
    assert [f"{d.location} {d.check}: {d.message}" for d in findings if d.is_error] == []
    may_read = json.loads((shop_bundle / ISOLATION_PATH).read_text(encoding="utf-8"))["may_read"]
    assert may_read["shop-rollup"] == ["shop-prod", "shop-rollup", "shop-staging"]
    assert may_read["shop-prod"] == ["shop-prod"]


def _copy(bundle: Path, tmp_path: Path) -> Path:
    target = tmp_path / "bundle"
    shutil.copytree(bundle, target)
    return target


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def _ruler_findings(bundle: Path) -> list[tuple[str, str]]:
    return sorted((d.check, str(d.location)) for d in run_checks(bundle, locate_tools(), only={"mimir-ruler"}) if d.is_error)


@pytest.mark.tools
def test_the_ruler_check_catches_a_tenant_reading_another_without_a_rollup(shop_bundle: Path, tmp_path: Path) -> None:
    bundle = _copy(shop_bundle, tmp_path)
    _edit(bundle / "mimir/rules/shop-staging/platform.yaml", lambda d: d["groups"][0].__setitem__("source_tenants", ["shop-prod"]))
    assert _ruler_findings(bundle) == [("mimir-ruler/tenant-isolation", "mimir/rules/shop-staging/platform.yaml")]


@pytest.mark.tools
def test_the_ruler_check_catches_a_rollup_reading_beyond_its_sources(shop_bundle: Path, tmp_path: Path) -> None:
    bundle = _copy(shop_bundle, tmp_path)
    _edit(bundle / "mimir/rules/shop-rollup/rollup.yaml", lambda d: d["groups"][0]["source_tenants"].append("other"))
    assert _ruler_findings(bundle) == [("mimir-ruler/tenant-isolation", "mimir/rules/shop-rollup/rollup.yaml")]


@pytest.mark.tools
def test_the_ruler_check_enforces_names_group_size_and_groups_per_tenant(shop_bundle: Path, tmp_path: Path) -> None:
    bundle = _copy(shop_bundle, tmp_path)
    path = bundle / "mimir/rules/shop-staging/platform.yaml"

    def break_limits(doc: dict[str, Any]) -> None:
        doc["groups"][0]["rules"][0]["record"] = "nocolon"
        doc["groups"][0]["rules"] = doc["groups"][0]["rules"] + [{"record": f"a:b:c{n}", "expr": "vector(1)"} for n in range(21)]
        doc["groups"] += [{"name": f"extra-{n}", "rules": [{"record": "a:b:c", "expr": "vector(1)"}]} for n in range(80)]

    _edit(path, break_limits)
    found = _ruler_findings(bundle)
    assert ("mimir-ruler/record-name", "mimir/rules/shop-staging/platform.yaml") in found
    assert ("mimir-ruler/rules-per-group", "mimir/rules/shop-staging/platform.yaml") in found
    assert ("mimir-ruler/groups-per-tenant", "mimir/rules/shop-staging") in found
    assert len(found) == 3


def test_clean_ruler_files_are_remembered_and_still_count_toward_their_tenants_groups(
    shop_bundle: Path, tmp_path: Path
) -> None:
    bundle, cache = _copy(shop_bundle, tmp_path), tmp_path / "cache"
    count = len(list((bundle / "mimir" / "rules").rglob("*.yaml")))

    def run() -> tuple[list[tuple[str, str]], list[str]]:
        found = run_checks(bundle, locate_tools(), only={"mimir-ruler"}, cache_dir=cache)
        reused = [d.message.split(" ruler namespace")[0] for d in found if d.check == "mimir-ruler/passed-before"]
        return sorted((d.check, str(d.location)) for d in found if d.is_error), reused

    assert run() == ([], [])
    assert run() == ([], [f"{count} of {count}"])
    # platform.yaml gets as many groups as the tenant may hold on its own (70): only with the
    # groups of the tenant's remembered files does the tenant go over its limit.
    path = bundle / "mimir/rules/shop-staging/platform.yaml"
    _edit(path, lambda d: d["groups"].extend({"name": f"extra-{n}", "rules": [{"record": "a:b:c", "expr": "vector(1)"}]} for n in range(70 - len(d["groups"]))))
    assert run() == ([("mimir-ruler/groups-per-tenant", "mimir/rules/shop-staging")], [f"{count - 1} of {count}"])


@pytest.mark.tools
def test_ruler_directories_are_the_tenant_ids_so_an_underscore_tenant_passes_the_ruler_check(
    load: Loader, tmp_path: Path
) -> None:
    # Mimir's local ruler storage and `mimirtool rules` take the directory as the tenant id, and so
    # does the ruler check: a tenant id may hold `_`, which a file slug would rewrite.
    doc = base_catalog()
    doc["tenants"] = [{"name": "prod_eu", "tier": "gold"}, {"name": "stage", "tier": "bronze"}, {"name": "long_term", "tier": "gold"}]
    doc["clusters"][0]["tenant"] = "prod_eu"
    doc["services"][0]["tenant"] = "prod_eu"
    doc["mimir"]["rollup"] = {"tenant": "long_term", "source_tenants": ["prod_eu"], "keep_labels": ["service"]}
    plan, errors = load(doc)
    assert plan is not None and errors == []
    compiled = compile_bundle(plan)[0]
    assert compiled is not None
    write_bundle(compiled, tmp_path / "bundle")
    tenants = sorted(p.name for p in (tmp_path / "bundle/mimir/rules").iterdir() if p.is_dir())
    assert tenants == ["long_term", "prod_eu", "stage"]
    assert _ruler_findings(tmp_path / "bundle") == []


def test_the_reserved_team_names_are_the_ruler_namespaces_of_the_bundle_own_groups() -> None:
    from lgtmgen.catalog.metrics_checks import RULER_NAMESPACES
    from lgtmgen.generators.mimir import ruler

    own = {getattr(ruler, name) for name in dir(ruler) if name.endswith("_NAMESPACE")}
    assert set(RULER_NAMESPACES) == own


@pytest.mark.parametrize("team", ["alerting", "cost", "journeys-federated", "rollup", "service-graph"])
def test_a_team_named_like_a_ruler_namespace_of_the_bundle_is_refused(load: Loader, team: str) -> None:
    doc = base_catalog()
    doc["teams"][1]["name"] = team
    doc["services"][1]["team"] = team
    _, errors = load(doc)
    assert [(e.check, e.path) for e in errors] == [("catalog/team-reserved-name", "teams[1].name")]


def test_a_remembered_group_count_that_is_no_number_is_not_trusted() -> None:
    assert [_count(note) for note in ("12", "", "²", "-1", None)] == [12, None, None, None, None]
