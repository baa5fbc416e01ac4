"""Provisioning: one datasource file per tenant, wired to each other; the dashboard provider."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.generators.grafana import GrafanaDashboards, GrafanaProvisioning
from lgtmgen.generators.grafana.dashboard import datasource_uid
from lgtmgen.generators.grafana.layout import PANEL_LINK_CONTEXT
from lgtmgen.generators.loki import LokiGenerator
from lgtmgen.generators.mimir import MimirGenerator
from lgtmgen.generators.slo_rules import SLORules
from lgtmgen.generators.tempo import TempoConfig
from lgtmgen.generators.tempo.config import tempo_overrides
from lgtmgen.naming import grafana_uid
from lgtmgen.plan import Plan
from lgtmgen.render.serialise import render_artifact

UPSTREAM = Path(__file__).resolve().parents[2] / "specs" / "upstream"
DATAPROXY_DEFAULT_SECONDS = 30


def datasources(plan: Plan) -> dict[str, dict[str, Any]]:
    files = [a for a in GrafanaProvisioning().generate(plan) if "/datasources/" in a.path]
    return {d["type"]: d for a in files for d in a.data["datasources"]}


def test_every_datasource_sends_the_tenant_header_from_the_environment(small_plan: Plan) -> None:
    for ds in datasources(small_plan).values():
        assert ds["jsonData"]["httpHeaderName1"] == "X-Scope-OrgID"
        assert ds["secureJsonData"] == {"httpHeaderValue1": "$GRAFANA_TENANT_PROD"}


def test_the_tenant_header_can_come_from_a_file(plan_with_grafana: Callable[[str], Plan]) -> None:
    plan = plan_with_grafana("apiVersion: lgtmgen/v1\ngrafana:\n  tenant_header: {source: file, file_dir: /run/tenants/}\n")
    for ds in datasources(plan).values():
        assert ds["secureJsonData"] == {"httpHeaderValue1": "$__file{/run/tenants/prod}"}


def test_signals_link_to_each_other_by_the_provisioned_uids(small_plan: Plan) -> None:
    by_type = datasources(small_plan)
    uids = {kind: ds["uid"] for kind, ds in by_type.items()}
    assert uids == {
        "prometheus": datasource_uid("mimir", "prod"),
        "loki": datasource_uid("loki", "prod"),
        "tempo": datasource_uid("tempo", "prod"),
    }
    assert by_type["prometheus"]["jsonData"]["exemplarTraceIdDestinations"][0]["datasourceUid"] == uids["tempo"]
    assert {f["datasourceUid"] for f in by_type["loki"]["jsonData"]["derivedFields"]} == {uids["tempo"]}
    tempo = by_type["tempo"]["jsonData"]
    assert tempo["tracesToLogsV2"]["datasourceUid"] == uids["loki"]
    assert tempo["tracesToMetrics"]["datasourceUid"] == uids["prometheus"]
    assert tempo["serviceMap"]["datasourceUid"] == uids["prometheus"]
    assert tempo["nodeGraph"] == {"enabled": True}


def test_dashboards_default_to_the_datasources_of_their_tenant(small_plan: Plan) -> None:
    provisioned = {ds["uid"] for ds in datasources(small_plan).values()}
    for artifact in GrafanaDashboards().generate(small_plan):
        chosen = {
            v["current"]["value"] for v in artifact.data["templating"]["list"] if v["type"] == "datasource"
        }
        assert chosen and chosen <= provisioned, artifact.path


def test_the_provider_makes_a_folder_of_every_directory(small_plan: Plan) -> None:
    provider = next(a for a in GrafanaProvisioning().generate(small_plan) if "/dashboards/" in a.path)
    options = provider.data["providers"][0]["options"]
    assert options == {"path": "/var/lib/grafana/dashboards", "foldersFromFilesStructure": True}
    folders = {a.path.split("/")[2] for a in GrafanaDashboards().generate(small_plan)}
    assert folders == {"payments", "web", "overview"}


def test_the_service_dashboard_has_the_uid_the_slo_alerts_link_to(small_plan: Plan) -> None:
    uids = {a.data["uid"] for a in GrafanaDashboards().generate(small_plan)}
    rules = [a for a in SLORules().generate(small_plan) if a.path.endswith("checkout.yaml")]
    links = {
        r["annotations"]["dashboard_url"]
        for a in rules
        for g in a.data["groups"]
        for r in g["rules"]
        if "alert" in r and "dashboard_url" in r.get("annotations", {})
    }
    assert links == {f"https://grafana.test/d/{grafana_uid('service', 'checkout')}"}
    assert grafana_uid("service", "checkout") in uids


def test_mimir_correlations_open_the_service_logs_and_traces_of_the_tenant(small_plan: Plan) -> None:
    mimir = datasources(small_plan)["prometheus"]
    targets = {c["targetUID"]: c["config"] for c in mimir["correlations"]}
    assert set(targets) == {datasource_uid("loki", "prod"), datasource_uid("tempo", "prod")}
    assert all(config["field"] == "service" and config["type"] == "query" for config in targets.values())


def test_every_dollar_grafana_must_keep_is_doubled(small_plan: Plan) -> None:
    for artifact in GrafanaProvisioning().generate(small_plan):
        text = render_artifact(artifact).decode()
        expanded = re.findall(r"(?<!\$)\$(?!\$)[{_A-Za-z][^\s\"]*", text.replace("$$", ""))
        assert set(expanded) <= {"$GRAFANA_TENANT_PROD"}, artifact.path


def test_the_rollup_tenant_holds_metrics_only_so_it_gets_mimir_alone(shop_plan: Plan) -> None:
    files = {a.path: a.data for a in GrafanaProvisioning().generate(shop_plan) if "/datasources/" in a.path}
    rollup = files["grafana/provisioning/datasources/shop-rollup.yaml"]["datasources"]
    assert [(d["type"], d["uid"]) for d in rollup] == [("prometheus", datasource_uid("mimir", "shop-rollup"))]
    assert "exemplarTraceIdDestinations" not in rollup[0]["jsonData"] and "correlations" not in rollup[0]
    assert len(files["grafana/provisioning/datasources/shop-prod.yaml"]["datasources"]) == 3


def test_links_between_dashboards_keep_the_chosen_tenant_and_time(small_plan: Plan) -> None:
    # One dashboard serves every tenant through its datasource variables: a link that dropped
    # them would open the next dashboard on its default tenant, not the one being looked at.
    seen = 0
    for artifact in GrafanaDashboards().generate(small_plan):
        for link in artifact.data["links"]:
            inside = "/d/" in link["url"]
            assert (link["includeVars"], link["keepTime"]) == (inside, inside), (artifact.path, link)
            seen += inside
    assert seen


def test_panel_links_to_other_services_carry_the_tenant_and_time_in_their_url(small_plan: Plan) -> None:
    frontend = next(a.data for a in GrafanaDashboards().generate(small_plan) if a.path.endswith("service-frontend.json"))
    urls = [link["url"] for panel in frontend["panels"] for link in panel.get("links", [])]
    assert urls and all(url.endswith(PANEL_LINK_CONTEXT) and "/d/service-checkout-" in url for url in urls)
    variables = {v["name"] for v in frontend["templating"]["list"]}
    assert set(re.findall(r"var-(\w+)=", PANEL_LINK_CONTEXT)) <= variables


def _dig(doc: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        if not isinstance(doc, dict) or key not in doc:
            return None
        doc = doc[key]
    return doc


def _reference_default(project: str, key: str) -> float:
    keys = json.loads((UPSTREAM / project / "config-keys.json").read_text(encoding="utf-8"))["keys"]
    return parse_duration(keys[key]["default"])


def test_grafana_waits_for_the_longest_query_each_backend_allows(shop_plan: Plan) -> None:
    """Grafana's 30s data-proxy default would cut a 5m Loki tier; each datasource outlasts its backend."""
    bundle = {
        a.path: a.data
        for generator in (LokiGenerator(), MimirGenerator(), TempoConfig())
        for a in generator.generate(shop_plan)
    }
    loki_limits = bundle["loki/runtime.yaml"]["overrides"]
    # Mimir and Tempo keep their upstream defaults, so those are the longest queries they run.
    assert _dig(bundle["mimir/mimir.yaml"], "querier.timeout") is None
    assert _dig(bundle["tempo/tempo.yaml"], "querier.search.query_timeout") is None
    backend_limit = {
        "prometheus": lambda tenant: _reference_default("mimir-3.0", "querier.timeout"),
        "tempo": lambda tenant: _reference_default("tempo-3.0", "querier.search.query_timeout"),
        "loki": lambda tenant: parse_duration(loki_limits[tenant]["query_timeout"]),
    }
    seen_loki = set()
    for artifact in GrafanaProvisioning().generate(shop_plan):
        if "/datasources/" not in artifact.path:
            continue
        for ds in artifact.data["datasources"]:
            tenant = ds["name"].split(" ", 1)[1]
            timeout = ds["jsonData"]["timeout"]
            assert isinstance(timeout, int), ds["name"]
            assert timeout > backend_limit[ds["type"]](tenant), ds["name"]
            if ds["type"] == "loki":
                seen_loki.add(timeout)
    assert len(seen_loki) > 1, "each tenant waits as long as its own logs tier allows"
    assert max(seen_loki) > DATAPROXY_DEFAULT_SECONDS


def test_what_leaves_the_catalog_leaves_grafana(small_plan: Plan) -> None:
    """Removed tenants' datasources are pruned; a dashboard whose file is gone is deleted."""
    artifacts = list(GrafanaProvisioning().generate(small_plan))
    datasource_files = [a for a in artifacts if "/datasources/" in a.path]
    assert datasource_files and all(a.data["prune"] is True for a in datasource_files)
    assert all("deleteDatasources" not in a.data for a in datasource_files)
    provider = next(a for a in artifacts if "/dashboards/" in a.path).data["providers"][0]
    # Deletion of removed dashboards is safe only because nobody can save UI edits to them.
    assert provider["disableDeletion"] is False and provider["allowUiUpdates"] is False


def test_tempo_links_to_the_metrics_its_tenant_tier_generates(shop_plan: Plan) -> None:
    """A bronze tenant has no span metrics: a 'Request rate' link from its spans would open an empty panel."""
    processors = {
        tenant: set(entry["metrics_generator"]["processors"])
        for tenant, entry in tempo_overrides(shop_plan)["overrides"].items()
    }
    files = [a for a in GrafanaProvisioning().generate(shop_plan) if "/datasources/" in a.path]
    tempo = {d["uid"]: d["jsonData"] for a in files for d in a.data["datasources"] if d["type"] == "tempo"}
    seen = set()
    for tenant, generated in processors.items():
        uid = datasource_uid("tempo", tenant)
        if uid not in tempo:  # a roll-up tenant holds no traces
            continue
        seen.add(tenant)
        assert ("tracesToMetrics" in tempo[uid]) == ("span-metrics" in generated), tenant
        assert ("serviceMap" in tempo[uid]) == ("service-graphs" in generated), tenant
    assert {t for t in seen if "span-metrics" not in processors[t]}, "the shop has a tenant without span metrics"
    assert {t for t in seen if "span-metrics" in processors[t]}
