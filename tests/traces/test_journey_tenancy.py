"""A journey whose steps span tenants runs in Mimir through a federated rule group."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

from lgtmgen.bundle import compile_bundle
from lgtmgen.checks import run_checks
from lgtmgen.generators.journeys import SLO_ALERT
from lgtmgen.generators.mimir import ISOLATION_PATH, MimirGenerator
from lgtmgen.generators.mimir.ruler import JOURNEYS_NAMESPACE, ruler_layout
from lgtmgen.plan import Plan
from lgtmgen.promql import selected_metrics
from lgtmgen.toolchain.locate import locate_tools
from lgtmgen.writer import write_bundle
from tests.support import load_catalog_document
from tests.traces.traces_catalog import CatalogLoader, base_catalog

# Owned by core, whose only step (lab-job) is in tenant lab; the first step is in prod.
WEB_STEP = {"service": "web", "route": "/pay"}
LAB_STEP = {"service": "lab-job", "route": "/run"}
LAB: dict[str, Any] = {
    "name": "lab",
    "team": "core",
    "steps": [WEB_STEP, LAB_STEP],
    "value": 5,
    "slo": {"objective": 99},
}


def _document(*journeys: dict[str, Any]) -> dict[str, Any]:
    document = base_catalog()
    document["services"][3]["metrics"] = {"convention": "http", "selector": {"job": "lab-job"}}
    document["journeys"] = list(journeys)
    document["mimir"] = {"storage": {"bucket": "mimir-blocks", "endpoint": "s3.example.com"}}
    return document


def _plan(load: CatalogLoader, *journeys: dict[str, Any]) -> Plan:
    plan, diagnostics = load(_document(*journeys))
    assert plan is not None, [str(d) for d in diagnostics]
    return plan


def _rules(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for g in groups for r in g["rules"]]


def test_a_journey_across_tenants_runs_in_the_owner_tenant_reading_the_step_tenants(load: CatalogLoader) -> None:
    layout = ruler_layout(_plan(load, LAB))
    federated = layout.federated["lab"][JOURNEYS_NAMESPACE]
    assert {g["name"] for g in federated} == {"journey:lab:steps", "journey:lab:latency:steps"}
    assert all(g["source_tenants"] == ["lab", "prod"] for g in federated)
    local = [g for g in layout.namespaces["lab"]["core"] if g["name"].startswith("journey:lab")]
    assert {g["name"] for g in local} == {"journey:lab", "journey:lab:latency"}
    assert [r["alert"] for r in _rules(local) if r.get("alert") == SLO_ALERT] == [SLO_ALERT, SLO_ALERT]
    # Nothing of the journey lands in the tenant of the first step.
    assert not any(g["name"].startswith("journey:lab") for ns in layout.namespaces["prod"].values() for g in ns)


def test_only_rules_on_step_metrics_are_federated_and_the_rest_read_their_records(load: CatalogLoader) -> None:
    layout = ruler_layout(_plan(load, LAB))
    federated = _rules(layout.federated["lab"][JOURNEYS_NAMESPACE])
    local = _rules([g for g in layout.namespaces["lab"]["core"] if g["name"].startswith("journey:lab")])
    written = {r["record"] for r in federated}
    assert {"journey:started:rate5m", "journey:success:ratio_rate5m", "journey_step:request_duration_seconds:p99_rate5m"} <= written
    # Federated queries add __tenant_id__ to each series; the step rules sum it away: every raw
    # selector sits under an aggregation that groups by labels other than __tenant_id__.
    for rule in federated:
        assert _tenant_summed_away(promql_parser.parse(rule["expr"]), False), rule["expr"]
    for rule in local:
        read = selected_metrics(rule["expr"]).names
        assert read <= written | {r["record"] for r in local if "record" in r}, rule


def test_a_journey_in_one_tenant_stays_a_plain_group(load: CatalogLoader) -> None:
    buy = {**LAB, "name": "buy", "team": "shop", "steps": [WEB_STEP, {"service": "orders", "route": "PlaceOrder"}]}
    layout = ruler_layout(_plan(load, buy))
    assert layout.federated == {}
    assert {g["name"] for g in layout.namespaces["prod"]["shop"]} >= {"journey:buy", "journey:buy:latency"}
    assert layout.may_read() == {"lab": ["lab"], "prod": ["prod"]}


def test_without_a_step_of_its_team_a_journey_runs_in_the_tenant_of_its_first_step(load: CatalogLoader) -> None:
    layout = ruler_layout(_plan(load, {**LAB, "team": "shop", "steps": [LAB_STEP, WEB_STEP]}))
    # shop owns web (prod), which is the second step: the owner's step wins over the first.
    assert list(layout.federated) == ["prod"]
    layout = ruler_layout(_plan(load, {**LAB, "steps": [WEB_STEP, {"service": "auth", "route": "/t"}]}))
    assert layout.federated == {}  # auth (core) and web are both in prod


def test_federation_is_turned_on_and_declared_in_the_isolation_file(load: CatalogLoader) -> None:
    artifacts = {a.path: a.data for a in MimirGenerator().generate(_plan(load, LAB))}
    assert artifacts["mimir/mimir.yaml"]["ruler"]["tenant_federation"] == {"enabled": True}
    assert artifacts["mimir/mimir.yaml"]["tenant_federation"] == {"enabled": True}
    isolation = artifacts[ISOLATION_PATH]
    assert isolation["may_read"] == {"lab": ["lab", "prod"], "prod": ["prod"]}
    assert isolation["federated_namespaces"] == {"lab": {JOURNEYS_NAMESPACE: ["lab", "prod"]}}


def test_a_journey_across_tenants_is_noted_with_the_tenant_that_evaluates_it(tmp_path: Path) -> None:
    plan, diagnostics = load_catalog_document(tmp_path, _document(LAB))
    assert plan is not None
    found = [(d.check, d.path, d.severity.value) for d in diagnostics if d.check.startswith("catalog/journey")]
    assert found == [("catalog/journey-cross-tenant", "journeys[0].steps", "info")]
    message = next(d.message for d in diagnostics if d.check == "catalog/journey-cross-tenant")
    assert "lab, prod" in message and "tenant 'lab'" in message


@pytest.fixture
def lab_bundle(load: CatalogLoader, tmp_path: Path) -> Path:
    bundle, diagnostics = compile_bundle(_plan(load, LAB))
    assert bundle is not None, [str(d) for d in diagnostics]
    out = tmp_path / "bundle"
    write_bundle(bundle, out)
    return out


def _ruler_errors(bundle: Path) -> list[tuple[str, str]]:
    findings = run_checks(bundle, locate_tools(), only={"mimir-ruler"})
    return sorted((d.check, str(d.location)) for d in findings if d.is_error)


@pytest.mark.tools
def test_the_ruler_check_passes_the_federated_journey_and_catches_a_read_beyond_its_steps(lab_bundle: Path) -> None:
    assert _ruler_errors(lab_bundle) == []
    path = lab_bundle / f"mimir/rules/lab/{JOURNEYS_NAMESPACE}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["groups"][0]["source_tenants"].append("other")
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    assert _ruler_errors(lab_bundle) == [("mimir-ruler/tenant-isolation", f"mimir/rules/lab/{JOURNEYS_NAMESPACE}.yaml")]


@pytest.mark.tools
def test_the_ruler_check_holds_each_federated_namespace_to_its_own_sources(lab_bundle: Path) -> None:
    # The tenant may read prod for the journey, but a plain namespace still may not.
    path = lab_bundle / "mimir/rules/lab/core.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["groups"][0]["source_tenants"] = ["prod"]
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    isolation = json.loads((lab_bundle / ISOLATION_PATH).read_text(encoding="utf-8"))
    assert isolation["may_read"]["lab"] == ["lab", "prod"]
    assert _ruler_errors(lab_bundle) == [("mimir-ruler/tenant-isolation", "mimir/rules/lab/core.yaml")]


def test_without_mimir_storage_a_journey_across_tenants_warns_how_to_turn_federation_on(tmp_path: Path) -> None:
    document = _document(LAB)
    document["mimir"].pop("storage", None)
    plan, diagnostics = load_catalog_document(tmp_path, document)
    assert plan is not None
    found = [d for d in diagnostics if d.check == "catalog/journey-cross-tenant"]
    assert [(d.path, d.severity.value) for d in found] == [("journeys[0].steps", "warning")]
    assert found[0].hint is not None and "-ruler.tenant-federation.enabled=true" in found[0].hint
    assert not any(a.path == "mimir/mimir.yaml" for a in MimirGenerator().generate(plan))


def _tenant_summed_away(node: Any, aggregated: bool) -> bool:
    """Whether every vector selector below `node` is under a `by` aggregation that drops __tenant_id__."""
    if isinstance(node, promql_parser.VectorSelector):
        return aggregated
    if isinstance(node, promql_parser.AggregateExpr):
        modifier = node.modifier
        drops = modifier is None or (
            modifier.type == promql_parser.AggModifierType.By and "__tenant_id__" not in modifier.labels
        )
        return drops and _tenant_summed_away(node.expr, True)
    if isinstance(node, promql_parser.MatrixSelector):
        return _tenant_summed_away(node.vector_selector, aggregated)
    if isinstance(node, promql_parser.BinaryExpr):
        return _tenant_summed_away(node.lhs, aggregated) and _tenant_summed_away(node.rhs, aggregated)
    if isinstance(node, promql_parser.Call):
        return all(_tenant_summed_away(arg, aggregated) for arg in node.args if isinstance(arg, promql_parser.Expr))
    if isinstance(node, promql_parser.ParenExpr | promql_parser.SubqueryExpr | promql_parser.UnaryExpr):
        return _tenant_summed_away(node.expr, aggregated)
    return True


def test_the_tenant_check_sees_a_grouping_that_keeps_the_tenant() -> None:
    assert _tenant_summed_away(promql_parser.parse("sum by (le) (rate(x[5m]))"), False)
    assert not _tenant_summed_away(promql_parser.parse("sum by (le, __tenant_id__) (rate(x[5m]))"), False)
    assert not _tenant_summed_away(promql_parser.parse("sum without (a) (x)"), False)
    assert not _tenant_summed_away(promql_parser.parse("rate(x[5m])"), False)
