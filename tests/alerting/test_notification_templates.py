"""Notification templates: rendered by the real amtool with alert data, links and SLO context readable."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from lgtmgen.generators.alertmanager.receivers import PAGERDUTY_SEVERITY, PUSHOVER_PRIORITY
from lgtmgen.toolchain.locate import locate_tools
from tests.alerting.catalogs import SECRETS, alertmanager_bundle, catalog

pytestmark = pytest.mark.tools

ALERT = {
    "status": "firing",
    "labels": {
        "alertname": "SLOErrorBudgetBurn",
        "severity": "page",
        "team": "payments",
        "service": "db",
        "slo": "availability",
        "sli_kind": "availability",
        "tier": "1",
        "cluster": "eu-1",
    },
    "annotations": {
        "summary": "db is burning the error budget of SLO availability too fast",
        "description": "Burning 14.4x faster than allowed. Error ratio over the long window: 21.5%.",
        "runbook_url": "https://runbooks.example.com/db.md#availability",
        "dashboard_url": "https://grafana.example.com/d/service-db",
    },
    "startsAt": "2026-01-05T10:00:00Z",
    "endsAt": "0001-01-01T00:00:00Z",
}


def _render(tmp_path: Path, bundle: Path, text: str, alerts: list[dict]) -> str:
    amtool = locate_tools().amtool
    if amtool is None:
        pytest.fail("amtool is missing: run scripts/bootstrap")
    labels = alerts[0]["labels"]
    data = {
        "receiver": "payments-page",
        "status": alerts[0]["status"],
        "alerts": alerts,
        "groupLabels": {"alertname": labels["alertname"]},
        "commonLabels": labels,
        "commonAnnotations": alerts[0]["annotations"],
        "externalURL": "http://alertmanager.example",
    }
    data_file = tmp_path / "data.json"
    data_file.write_text(json.dumps(data), encoding="utf-8")
    done = subprocess.run(
        [
            str(amtool.path),
            "template",
            "render",
            f"--template.glob={bundle / 'alertmanager/templates/*.tmpl'}",
            f"--template.text={text}",
            f"--template.data={data_file}",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_title_names_severity_alert_service_slo_and_cluster(tmp_path: Path) -> None:
    bundle, _ = alertmanager_bundle(tmp_path, catalog())
    title = _render(tmp_path, bundle, '{{ template "lgtmgen.title" . }}', [ALERT])
    assert title.strip() == "[FIRING:1] page: SLOErrorBudgetBurn · db / SLO availability in eu-1"


def test_the_text_carries_burn_rate_runbook_and_dashboard_links(tmp_path: Path) -> None:
    bundle, _ = alertmanager_bundle(tmp_path, catalog())
    text = _render(tmp_path, bundle, '{{ template "lgtmgen.text" . }}', [ALERT])
    assert "Service: db (tier 1)" in text
    assert "SLO: availability (availability)" in text
    assert "Error ratio over the long window: 21.5%." in text
    assert "Runbook: https://runbooks.example.com/db.md#availability" in text
    assert "Dashboard: https://grafana.example.com/d/service-db" in text
    assert "Started: 2026-01-05 10:00 UTC" in text


def test_an_alert_without_links_falls_back_to_the_catalog_bases(tmp_path: Path) -> None:
    """The bases are printed as written (a URL holds no braces: the catalog refuses them)."""
    document = catalog(defaults={"grafana_url": "https://grafana.example.com/base?orgId=1"})
    bundle, _ = alertmanager_bundle(tmp_path, document)
    bare = {**ALERT, "annotations": {}}
    text = _render(tmp_path, bundle, '{{ template "lgtmgen.text" . }}', [bare])
    assert "Dashboard: https://grafana.example.com/base?orgId=1" in text
    assert "Runbook: https://runbooks.example.com" in text
    assert text.startswith("SLOErrorBudgetBurn\n")


def test_pagerduty_severity_and_pushover_priority_follow_severity_and_tier(tmp_path: Path) -> None:
    """Only a firing page of the most critical tier is a Pushover emergency (2, acknowledged)."""
    bundle, _ = alertmanager_bundle(tmp_path, catalog())
    expected = {
        ("firing", "page", "1"): ("critical", "2"),
        ("firing", "page", "2"): ("error", "1"),
        ("firing", "page", ""): ("critical", "2"),
        ("firing", "ticket", "1"): ("warning", "0"),
        ("firing", "ticket", "3"): ("warning", "0"),
        ("firing", "info", "1"): ("info", "-1"),
        ("firing", "info", "3"): ("info", "-1"),
        ("resolved", "page", "1"): ("critical", "0"),
    }
    for (status, severity, tier), (pagerduty, pushover) in expected.items():
        labels = {
            k: v for k, v in {**ALERT["labels"], "severity": severity, "tier": tier}.items() if v
        }
        alert = {**ALERT, "status": status, "labels": labels}
        case = (status, severity, tier)
        assert _render(tmp_path, bundle, PAGERDUTY_SEVERITY, [alert]).strip() == pagerduty, case
        assert _render(tmp_path, bundle, PUSHOVER_PRIORITY, [alert]).strip() == pushover, case


def test_an_unknown_teams_page_is_low_urgency_in_catch_all_and_urgent_in_catch_all_pager(
    tmp_path: Path,
) -> None:
    """amtool renders the catch-all receivers' own fields for a firing tier-1 page of no known
    team, with a catch-all team that has only pagers (so its chat falls back to a pager)."""
    document = catalog()
    document["teams"][1] = {
        "name": "search",
        "notify": {
            "pagerduty": {"routing_key_file": f"{SECRETS}/pd"},
            "pushover": {"user_key_file": f"{SECRETS}/u", "token_file": f"{SECRETS}/t"},
        },
    }
    document["alerting"] = {**document.get("alerting", {}), "catch_all_team": "search"}
    bundle, _ = alertmanager_bundle(tmp_path, document)
    config = YAML(typ="safe", pure=True).load((bundle / "alertmanager/alertmanager.yml").read_text())
    receivers = {r["name"]: r for r in config["receivers"]}
    labels = {**ALERT["labels"], "team": "nobody", "severity": "page", "tier": "1"}
    page = [{**ALERT, "labels": labels}]
    quiet = receivers["catch-all"]
    # catch-all's chat falls back to the first pager only, PagerDuty, and at low urgency.
    assert "pushover_configs" not in quiet
    assert _render(tmp_path, bundle, quiet["pagerduty_configs"][0]["severity"], page).strip() == "warning"
    pager = receivers["catch-all-pager"]
    assert _render(tmp_path, bundle, pager["pagerduty_configs"][0]["severity"], page).strip() == "critical"
    assert _render(tmp_path, bundle, pager["pushover_configs"][0]["priority"], page).strip() == "2"
