"""The grafana check on a written bundle: dashboards read only series the bundle records."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from lgtmgen.bundle import compile_bundle
from lgtmgen.checks import run_checks
from lgtmgen.checks.grafana import (
    BROKEN_LINK,
    DUPLICATE_UID,
    EXTERNAL_SERIES,
    UNKNOWN_DATASOURCE,
    UNRECORDED_SERIES,
)
from lgtmgen.diagnostics import Severity
from lgtmgen.plan import Plan
from lgtmgen.toolchain.locate import Toolbox
from lgtmgen.writer import write_bundle
from tests.grafana.conftest import plan_of

SERVICE_DASHBOARD = "grafana/dashboards/payments/service-checkout.json"


def written(plan: Plan, out: Path) -> Path:
    bundle, problems = compile_bundle(plan)
    assert bundle is not None, [str(p) for p in problems]
    write_bundle(bundle, out)
    return out


def grafana_findings(bundle_dir: Path) -> list[str]:
    found = run_checks(bundle_dir, Toolbox(), only={"grafana"})
    return [f"{d.check} {d.location} {d.path} {d.message}" for d in found if d.check.startswith("grafana/")]


def test_the_compiled_bundle_passes_the_grafana_check(small_plan: Plan, tmp_path: Path) -> None:
    assert grafana_findings(written(small_plan, tmp_path / "bundle")) == []


def test_a_dashboard_reading_a_series_no_rule_records_is_reported(small_plan: Plan, tmp_path: Path) -> None:
    bundle_dir = written(small_plan, tmp_path / "bundle")
    path = bundle_dir / SERVICE_DASHBOARD
    doc = json.loads(path.read_text(encoding="utf-8"))
    panel = next(p for p in doc["panels"] if p["type"] == "bargauge")
    panel["targets"][0]["expr"] = 'slo:error_budget_left:ratio{service="checkout"}'
    path.write_text(json.dumps(doc), encoding="utf-8")
    findings = grafana_findings(bundle_dir)
    assert len(findings) == 1
    assert findings[0].startswith(f"{UNRECORDED_SERIES} {SERVICE_DASHBOARD} panels[")
    assert "slo:error_budget_left:ratio" in findings[0]


def test_a_link_to_a_dashboard_not_in_the_bundle_is_reported(small_plan: Plan, tmp_path: Path) -> None:
    bundle_dir = written(small_plan, tmp_path / "bundle")
    path = bundle_dir / SERVICE_DASHBOARD
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["links"][0]["url"] = "https://grafana.test/d/team-nobody-0000000000"
    path.write_text(json.dumps(doc), encoding="utf-8")
    expected = f"{BROKEN_LINK} {SERVICE_DASHBOARD} links[0] https://grafana.test/d/team-nobody-0000000000"
    assert grafana_findings(bundle_dir) == [f"{expected} names no dashboard of the bundle"]


def test_two_dashboards_with_one_uid_are_reported(small_plan: Plan, tmp_path: Path) -> None:
    bundle_dir = written(small_plan, tmp_path / "bundle")
    team = json.loads((bundle_dir / "grafana/dashboards/web/team-slos.json").read_text(encoding="utf-8"))
    path = bundle_dir / SERVICE_DASHBOARD
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["uid"] = team["uid"]
    path.write_text(json.dumps(doc), encoding="utf-8")
    found = grafana_findings(bundle_dir)
    assert [f.split(" ")[0] for f in found if not f.startswith(BROKEN_LINK)] == [DUPLICATE_UID]


def test_the_example_shop_bundle_holds_every_dashboard_and_passes_the_grafana_check(
    shop_plan: Plan, tmp_path: Path
) -> None:
    shop = shop_plan
    bundle_dir = written(shop, tmp_path / "shop")
    assert grafana_findings(bundle_dir) == []
    root = bundle_dir / "grafana" / "dashboards"
    dashboards = {p.relative_to(root).as_posix() for p in root.rglob("*.json")}
    services = {f"{s.team}/service-{s.name}.json" for s in shop.catalog.services}
    teams = {f"{t.name}/team-slos.json" for t in shop.catalog.teams}
    capacity = {f"{c.team}/capacity-forecasts.json" for c in shop.catalog.grafana.capacity}
    # The roll-up tier's records (read from its federated rule file) feed the long-term dashboard.
    overview = {"overview/executive.json", "overview/service-map.json", "overview/cost.json", "overview/long-term.json"}
    assert dashboards == services | teams | capacity | overview


def test_a_dashboard_defaulting_to_a_datasource_not_provisioned_is_reported(small_plan: Plan, tmp_path: Path) -> None:
    bundle_dir = written(small_plan, tmp_path / "bundle")
    path = bundle_dir / SERVICE_DASHBOARD
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["templating"]["list"][0]["current"] = {"text": "mimir-gone", "value": "mimir-gone"}
    path.write_text(json.dumps(doc), encoding="utf-8")
    message = "variable 'metrics' defaults to datasource 'mimir-gone', which is not provisioned"
    assert grafana_findings(bundle_dir) == [f"{UNKNOWN_DATASOURCE} {SERVICE_DASHBOARD} templating.list[0].current {message}"]


def test_a_provisioned_link_to_an_unknown_datasource_is_reported(small_plan: Plan, tmp_path: Path) -> None:
    bundle_dir = written(small_plan, tmp_path / "bundle")
    path = bundle_dir / "grafana/provisioning/datasources/prod.yaml"
    text = path.read_text(encoding="utf-8")
    broken = text.replace("serviceMap:\n        datasourceUid: mimir-prod", "serviceMap:\n        datasourceUid: gone-prod")
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    found = grafana_findings(bundle_dir)
    assert len(found) == 1 and found[0].startswith(f"{UNKNOWN_DATASOURCE} grafana/provisioning/datasources/prod.yaml")
    assert "jsonData.serviceMap.datasourceUid" in found[0]


LOOSE_CATALOG = """\
apiVersion: lgtmgen/v1
defaults: {grafana_url: "https://grafana.test", runbook_base_url: "https://runbooks.test"}
environments: [{name: production, production: true}]
teams:
  - {name: web, notify: {slack: {channel: "#web", api_url_file: /run/secrets/slack-web}}}
  - {name: ops, notify: {slack: {channel: "#ops", api_url_file: /run/secrets/slack-ops}}}
tenants: [{name: prod}]
clusters: [{name: eu-1, environment: production, tenant: prod}]
services:
  - name: api
    team: web
    tenant: prod
    metrics: {convention: http, selector: {job: api}}
    slos: [{name: availability, objective: 99.9, sli: {kind: availability}}]
grafana:
  capacity:
    - {name: disk, team: ops, usage: sum(disk_used_bytes), limit: sum(disk_size_bytes), unit: bytes}
"""


def test_a_team_without_services_and_a_catalog_without_dependencies_pass_the_grafana_check(tmp_path: Path) -> None:
    # A team that owns no service has no team dashboard (so nothing may link to one), and with no
    # depends_on anywhere the service-graph rules record no declared edge for the map to subtract.
    (tmp_path / "catalog.yaml").write_text(LOOSE_CATALOG, encoding="utf-8")
    bundle_dir = written(plan_of(tmp_path / "catalog.yaml"), tmp_path / "bundle")
    assert (bundle_dir / "grafana/dashboards/ops/capacity-forecasts.json").is_file()
    assert grafana_findings(bundle_dir) == []


def test_a_catalog_of_services_without_slos_passes_the_grafana_check(tmp_path: Path) -> None:
    # A new catalog lists its services before their SLOs: the executive overview's SLO panels
    # would read series no rule records, so they are left out until there is an SLO.
    (tmp_path / "catalog.yaml").write_text(
        "apiVersion: lgtmgen/v1\n"
        "teams: [{name: web, notify: {webhook: {url_file: /etc/am/web}}}]\n"
        "tenants: [{name: prod}]\n"
        "services: [{name: api, team: web, tenant: prod}]\n",
        encoding="utf-8",
    )
    bundle_dir = written(plan_of(tmp_path / "catalog.yaml"), tmp_path / "bundle")
    executive = json.loads((bundle_dir / "grafana/dashboards/overview/executive.json").read_text(encoding="utf-8"))
    assert not any("SLO" in str(p.get("title")) for p in executive["panels"])
    assert grafana_findings(bundle_dir) == []


CAPACITY = """\
apiVersion: lgtmgen/v1
grafana:
  capacity:
    - name: request-load
      team: payments
      usage: sum(http_requests:rate5m)
      limit: 100
    - name: pod-memory
      team: payments
      usage: sum(node_namespace_pod_container:container_memory_working_set_bytes{namespace="ledger"})
      limit: sum(cluster:namespace:pod_memory:active:kube_pod_container_resource_limits{namespace="ledger"})
      unit: bytes
"""
CAPACITY_DASHBOARD = "grafana/dashboards/payments/capacity-forecasts.json"
EXTERNAL = {
    "http_requests:rate5m",
    "node_namespace_pod_container:container_memory_working_set_bytes",
    "cluster:namespace:pod_memory:active:kube_pod_container_resource_limits",
}


def test_series_the_catalog_queries_read_are_listed_in_the_manifest(
    plan_with_grafana: Callable[[str], Plan], tmp_path: Path
) -> None:
    bundle_dir = written(plan_with_grafana(CAPACITY), tmp_path / "bundle")
    manifest = json.loads((bundle_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["declared_series"] == sorted(EXTERNAL)


def test_series_recorded_outside_lgtmgen_that_the_catalog_reads_only_warn(
    plan_with_grafana: Callable[[str], Plan], tmp_path: Path
) -> None:
    bundle_dir = written(plan_with_grafana(CAPACITY), tmp_path / "bundle")
    found = [d for d in run_checks(bundle_dir, Toolbox(), only={"grafana"}) if d.check.startswith("grafana/")]
    assert found, "the capacity panels read series no rule of the bundle records"
    assert {d.check for d in found} == {EXTERNAL_SERIES}
    assert {d.severity for d in found} == {Severity.WARNING}
    assert {str(d.location) for d in found} == {CAPACITY_DASHBOARD}
    # One warning per series and dashboard, though several targets read each.
    assert sorted(d.message.split(",")[0] for d in found) == sorted(EXTERNAL)


def test_lgtmgen_own_panels_reading_an_unrecorded_series_still_fail_beside_declared_ones(
    plan_with_grafana: Callable[[str], Plan], tmp_path: Path
) -> None:
    bundle_dir = written(plan_with_grafana(CAPACITY), tmp_path / "bundle")
    path = bundle_dir / SERVICE_DASHBOARD
    doc = json.loads(path.read_text(encoding="utf-8"))
    panel = next(p for p in doc["panels"] if p["type"] == "bargauge")
    panel["targets"][0]["expr"] = 'slo:error_budget_left:ratio{service="checkout"}'
    path.write_text(json.dumps(doc), encoding="utf-8")
    errors = [d for d in run_checks(bundle_dir, Toolbox(), only={"grafana"}) if d.is_error]
    assert [(d.check, str(d.location)) for d in errors] == [(UNRECORDED_SERIES, SERVICE_DASHBOARD)]
