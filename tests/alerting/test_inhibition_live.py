"""Inhibition as the real Alertmanager applies it to firing alerts of the generated configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.alerting.catalogs import alertmanager_bundle, catalog
from tests.alerting.live import live_alertmanager

pytestmark = pytest.mark.e2e

CLUSTER = "eu-1"


def _availability_page(service: str, team: str, tier: str) -> dict[str, str]:
    return {
        "alertname": "SLOErrorBudgetBurn",
        "service": service,
        "team": team,
        "tier": tier,
        "severity": "page",
        "slo": "availability",
        "sli_kind": "availability",
        "cluster": CLUSTER,
    }


def _escalation_of(page: dict[str, str]) -> dict[str, str]:
    """The labels `PageEscalation` gives the escalation of `page`."""
    return {
        **page,
        "alertname": "PageEscalation",
        "escalated_alertname": page["alertname"],
        "escalated": "true",
    }


def test_services_in_a_dependency_cycle_both_page_while_their_callers_are_inhibited(
    tmp_path: Path,
) -> None:
    # db and api call each other: when both are down neither is the sure cause, so neither
    # page may silence the other. web calls api from outside the cycle and stays a symptom.
    services = catalog()["services"]
    services[0]["depends_on"] = ["api"]
    bundle, _ = alertmanager_bundle(tmp_path, catalog(services=services))
    db, api = _availability_page("db", "payments", "1"), _availability_page("api", "payments", "2")
    web = {
        "alertname": "HighLatency",
        "service": "web",
        "team": "search",
        "tier": "3",
        "severity": "page",
        "cluster": CLUSTER,
    }
    with live_alertmanager(bundle / "alertmanager/alertmanager.yml", tmp_path) as am:
        am.post(db, api, web)
        assert am.state("suppressed", service="web") == "suppressed"
        assert am.state("active", service="db") == "active"
        assert am.state("active", service="api") == "active"


def test_a_lower_tier_dependency_never_holds_back_a_page_that_reaches_a_pager_at_any_hour(
    tmp_path: Path,
) -> None:
    # api (tier 2) pages in business hours only; at night its page goes to chat. web (tier 1)
    # pages at any hour: were its page held back by api's, nobody would be paged at night.
    # batch (tier 3) pages in business hours only, like api, so api's page stands for it.
    services = catalog()["services"]
    services[2] = {**services[2], "tier": 1}
    services.append({"name": "batch", "team": "search", "tier": 3, "tenant": "prod", "depends_on": ["api"]})
    bundle, _ = alertmanager_bundle(tmp_path, catalog(services=services))
    api = _availability_page("api", "payments", "2")
    web = {"alertname": "HighLatency", "service": "web", "team": "search", "tier": "1", "severity": "page", "cluster": CLUSTER}
    web_ticket = {**web, "alertname": "HighErrors", "severity": "ticket"}
    untiered = {**web, "alertname": "QueueStuck"}
    del untiered["tier"]
    batch = {**web, "service": "batch", "tier": "3"}
    with live_alertmanager(bundle / "alertmanager/alertmanager.yml", tmp_path) as am:
        am.post(api, web, web_ticket, untiered, batch)
        assert am.state("suppressed", service="batch") == "suppressed"
        assert am.state("active", alertname="HighLatency", service="web") == "active"
        assert am.state("active", alertname="HighErrors", service="web") == "active"
        assert am.state("active", alertname="QueueStuck", service="web") == "active"
        assert am.state("active", service="api") == "active"


def test_a_cluster_outage_escalates_while_the_escalations_of_its_symptoms_are_inhibited(
    tmp_path: Path,
) -> None:
    bundle, _ = alertmanager_bundle(tmp_path, catalog())  # payments owns the outage and escalates
    outage = {
        "alertname": "ClusterOutage",
        "team": "payments",
        "service": "cluster",
        "tier": "1",
        "severity": "page",
        "cluster": CLUSTER,
    }
    db = _availability_page("db", "payments", "1")
    with live_alertmanager(bundle / "alertmanager/alertmanager.yml", tmp_path) as am:
        am.post(outage, _escalation_of(outage), db, _escalation_of(db))
        # the suppressions first: once they show, the inhibitor holds every source alert, so an
        # "active" read after them is not an inhibition still to come
        assert am.state("suppressed", alertname="SLOErrorBudgetBurn", service="db") == "suppressed"
        assert am.state("suppressed", alertname="PageEscalation", service="db") == "suppressed"
        assert am.state("active", alertname="ClusterOutage") == "active"
        assert am.state("active", alertname="PageEscalation", service="cluster") == "active"


DB_DROP = {
    "alertname": "ServiceAnomaly",
    "service": "db",
    "team": "payments",
    "tier": "1",
    "severity": "ticket",
    "signal": "requests",
    "direction": "drop",
}
"""db's anomaly ticket for a traffic drop, without its cluster."""


def _bundle_with_db_watching_anomalies(tmp_path: Path) -> Path:
    services = catalog()["services"]
    services[0]["metrics"] = {"convention": "http", "selector": {"job": "db"}}
    services[0]["anomaly"] = {}
    bundle, _ = alertmanager_bundle(tmp_path, catalog(services=services))
    return bundle


def test_an_slo_page_inhibits_the_anomaly_alerts_of_its_service_in_its_cluster_only(
    tmp_path: Path,
) -> None:
    bundle = _bundle_with_db_watching_anomalies(tmp_path)
    page = _availability_page("db", "payments", "1")
    here = {**DB_DROP, "cluster": CLUSTER}
    elsewhere = {**DB_DROP, "cluster": "us-1"}
    # web does not depend on db: the dependency inhibition leaves it alone, and so must this one
    other_service = {**here, "service": "web", "team": "search", "tier": "3"}
    with live_alertmanager(bundle / "alertmanager/alertmanager.yml", tmp_path) as am:
        am.post(page, here, elsewhere, other_service)
        assert am.state("suppressed", alertname="ServiceAnomaly", service="db", cluster=CLUSTER) == "suppressed"
        assert am.state("active", alertname="ServiceAnomaly", service="db", cluster="us-1") == "active"
        assert am.state("active", alertname="ServiceAnomaly", service="web") == "active"


def test_absent_slo_metrics_inhibit_the_anomaly_drop_of_their_service_in_their_cluster_only(
    tmp_path: Path,
) -> None:
    # A remote-write stall: db's SLO metrics are absent in eu-1, and its vanished request rate
    # reads as a drop to nothing. The absence names the cause; the drop repeats it.
    bundle = _bundle_with_db_watching_anomalies(tmp_path)
    absent = {
        "alertname": "SLOMetricsAbsent",
        "service": "db",
        "team": "payments",
        "tier": "1",
        "severity": "ticket",
        "slo": "availability",
        "sli_kind": "availability",
        "cluster": CLUSTER,
    }
    drop = {**DB_DROP, "cluster": CLUSTER}
    # missing metrics cannot raise a latency rise: one that fires is news, as are the
    # drops of another cluster and of another service
    latency = {**drop, "signal": "latency", "direction": "up"}
    elsewhere = {**drop, "cluster": "us-1"}
    other_service = {**drop, "service": "web", "team": "search", "tier": "3"}
    with live_alertmanager(bundle / "alertmanager/alertmanager.yml", tmp_path) as am:
        am.post(absent, drop, latency, elsewhere, other_service)
        assert am.state("suppressed", alertname="ServiceAnomaly", service="db", cluster=CLUSTER, direction="drop") == "suppressed"
        assert am.state("active", alertname="ServiceAnomaly", service="db", signal="latency") == "active"
        assert am.state("active", alertname="ServiceAnomaly", service="db", cluster="us-1") == "active"
        assert am.state("active", alertname="ServiceAnomaly", service="web") == "active"
        assert am.state("active", alertname="SLOMetricsAbsent") == "active"


def test_a_page_of_one_group_by_value_leaves_the_tickets_of_the_others(tmp_path: Path) -> None:
    # db's SLO alerts per route: a page on /pay says nothing of /refund's ticket. solo's SLO is
    # not grouped: its alerts lack `route`, which Alertmanager then takes as equal. (solo
    # depends on nothing, so no dependency inhibition is at play.)
    services = catalog()["services"]
    services[0]["slos"][0]["group_by"] = ["route"]
    services.append({**services[0], "name": "solo", "slos": [{**services[0]["slos"][0], "group_by": []}]})
    bundle, _ = alertmanager_bundle(tmp_path, catalog(services=services))
    page = {**_availability_page("db", "payments", "1"), "route": "/pay"}
    same_route = {**page, "severity": "ticket"}
    other_route = {**same_route, "route": "/refund"}
    solo_page = _availability_page("solo", "payments", "1")
    solo_ticket = {**solo_page, "severity": "ticket"}
    with live_alertmanager(bundle / "alertmanager/alertmanager.yml", tmp_path) as am:
        am.post(page, same_route, other_route, solo_page, solo_ticket)
        assert am.state("suppressed", service="db", severity="ticket", route="/pay") == "suppressed"
        assert am.state("suppressed", service="solo", severity="ticket") == "suppressed"
        assert am.state("active", service="db", severity="ticket", route="/refund") == "active"


CUSTOM_SLI = {
    "kind": "custom",
    "bad_query": "sum by (cluster) (increase(orders_failed_total[{{window}}]))",
    "total_query": "sum by (cluster) (increase(orders_total[{{window}}]))",
}


def _slo_page(service: str, slo: str, sli_kind: str) -> dict[str, str]:
    return {**_availability_page(service, "payments", "1"), "slo": slo, "sli_kind": sli_kind}


def test_a_custom_slo_marked_as_the_outage_signal_holds_back_the_callers(tmp_path: Path) -> None:
    # db pages through a custom SLI marked inhibits_callers; api pages through a custom SLI that is
    # not (a slow checkout is no outage), so api's page holds back nothing and db's reaches past it.
    services = catalog()["services"]
    services[0]["slos"] = [{"name": "writes", "objective": 99.9, "sli": CUSTOM_SLI, "alerting": {"inhibits_callers": True}}]
    services[1]["slos"] = [{"name": "orders", "objective": 99.9, "sli": CUSTOM_SLI}]
    services[1]["tier"] = services[2]["tier"] = 1
    bundle, _ = alertmanager_bundle(tmp_path, catalog(services=services))
    api, web = _slo_page("api", "orders", "custom"), {**_slo_page("web", "orders", "custom"), "team": "search"}
    with live_alertmanager(bundle / "alertmanager/alertmanager.yml", tmp_path) as am:
        am.post(api, web)
        assert am.state("active", service="web") == "active"
        am.post(_slo_page("db", "writes", "custom"))
        assert am.state("suppressed", service="api") == "suppressed"
        assert am.state("suppressed", service="web") == "suppressed"
        assert am.state("active", service="db") == "active"


def test_a_failing_probe_holds_back_the_callers_and_a_custom_ratio_does_not(tmp_path: Path) -> None:
    services = catalog()["services"]
    services[0]["slos"] = [
        {"name": "probe", "objective": 99.9, "sli": {"kind": "probe", "selector": 'probe_success{job="db"}'}},
        {"name": "writes", "objective": 99.9, "sli": CUSTOM_SLI},
    ]
    services[1]["tier"] = 1
    bundle, _ = alertmanager_bundle(tmp_path, catalog(services=services))
    api = _availability_page("api", "payments", "1")
    with live_alertmanager(bundle / "alertmanager/alertmanager.yml", tmp_path) as am:
        am.post(api, _slo_page("db", "writes", "custom"))
        assert am.state("active", service="api") == "active"
        am.post(_slo_page("db", "probe", "probe"))
        assert am.state("suppressed", service="api") == "suppressed"


def _journey_burn(severity: str, cluster: str) -> dict[str, str]:
    """A `JourneySLOBurn` as the journey rules label it: no `slo`, the journey and its cluster."""
    return {
        "alertname": "JourneySLOBurn",
        "severity": severity,
        "team": "payments",
        "service": "api",
        "tier": "1",
        "journey": "pay",
        "cluster": cluster,
    }


def test_a_journey_page_inhibits_the_ticket_of_that_journey_in_its_cluster_only(tmp_path: Path) -> None:
    services = catalog()["services"]
    services[1]["metrics"] = {"convention": "http", "selector": {"job": "api"}}
    journey = {
        "name": "pay",
        "team": "payments",
        "tier": 1,
        "steps": [{"service": "api", "route": "/pay"}],
        "value": 30,
        "currency": "EUR",
        "slo": {"objective": 99},
    }
    bundle, _ = alertmanager_bundle(tmp_path, catalog(services=services, journeys=[journey]))
    other_journey = {**_journey_burn("ticket", CLUSTER), "journey": "refund"}
    with live_alertmanager(bundle / "alertmanager/alertmanager.yml", tmp_path) as am:
        am.post(_journey_burn("page", CLUSTER), _journey_burn("ticket", CLUSTER), _journey_burn("ticket", "us-1"), other_journey)
        assert am.state("suppressed", journey="pay", severity="ticket", cluster=CLUSTER) == "suppressed"
        assert am.state("active", journey="pay", severity="ticket", cluster="us-1") == "active"
        assert am.state("active", journey="refund") == "active"
        assert am.state("active", journey="pay", severity="page") == "active"
