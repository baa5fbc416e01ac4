"""What the anomaly alerts bring beside their rules: routing, runbook sections, dashboard bands."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from lgtmgen.naming import slug
from lgtmgen.pipeline import compile_catalog
from lgtmgen.toolchain.locate import locate_tools
from lgtmgen.writer import write_bundle
from tests.anomaly.conftest import base_catalog


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("anomaly")
    (directory / "catalog.yaml").write_text(yaml.safe_dump(base_catalog(), sort_keys=False), encoding="utf-8")
    compiled = compile_catalog([directory / "catalog.yaml"])
    assert compiled.bundle is not None, [str(d) for d in compiled.diagnostics if d.is_error]
    write_bundle(compiled.bundle, directory / "bundle")
    return directory / "bundle"


def _alerts(bundle: Path, service: str) -> list[dict[str, Any]]:
    rules = yaml.safe_load((bundle / f"prometheus/rules/metrics/{slug(service)}.yaml").read_text(encoding="utf-8"))
    return [r for g in rules["groups"] for r in g["rules"] if r.get("alert") == "ServiceAnomaly"]


def _receivers(bundle: Path, labels: dict[str, str]) -> str:
    amtool = locate_tools().amtool
    assert amtool is not None, "run scripts/bootstrap: amtool is required"
    run = subprocess.run(
        [str(amtool.path), "config", "routes", "test", "--config.file=alertmanager/alertmanager.yml",
         *(f"{k}={v}" for k, v in labels.items())],
        cwd=bundle, capture_output=True, text=True, check=True,
    )
    return run.stdout.strip()


def test_anomaly_tickets_reach_the_receiver_of_the_teams_slo_tickets(bundle: Path) -> None:
    alerts = _alerts(bundle, "api")
    assert {a["labels"]["severity"] for a in alerts} == {"ticket"}
    slo_ticket = {"alertname": "SLOErrorBudgetBurn", "severity": "ticket", "team": "shop", "service": "api",
                  "tier": "2", "tenant": "prod", "slo": "availability", "cluster": "eu"}
    expected = _receivers(bundle, slo_ticket)
    assert expected and "catch-all" not in expected
    for alert in alerts:
        assert _receivers(bundle, {"alertname": "ServiceAnomaly", **alert["labels"], "cluster": "eu"}) == expected


def test_the_runbook_has_a_section_with_anomaly_steps_where_the_alerts_link(bundle: Path) -> None:
    page = (bundle / "docs/runbooks/api.md").read_text(encoding="utf-8")
    links = {a["annotations"]["runbook_url"] for a in _alerts(bundle, "api")}
    assert len(links) == 1
    anchor = links.pop().rsplit("#", 1)[1]
    section = page.split(f'<a id="{anchor}"></a>', 1)[1]
    assert section.lstrip().startswith("## ServiceAnomaly")
    assert section.count("### ServiceAnomaly (ticket)") == 4  # requests drop and surge, errors, latency
    assert "band around its prediction" in section and "burning" not in section


def _panels(bundle: Path, service: str) -> list[dict[str, Any]]:
    path = bundle / f"grafana/dashboards/shop/service-{service}.json"
    return list(json.loads(path.read_text(encoding="utf-8"))["panels"])


def test_the_dashboard_shows_a_band_per_watched_signal_and_none_without_opt_in(bundle: Path) -> None:
    titles = [p["title"] for p in _panels(bundle, "api")]
    assert "Anomaly bands" in titles
    bands = [p for p in _panels(bundle, "api") if p["title"].endswith("and its anomaly band")]
    assert [p["title"] for p in bands] == [
        "Request rate and its anomaly band", "Error ratio and its anomaly band", "Latency and its anomaly band",
    ]
    rules = {r["record"] for g in yaml.safe_load(
        (bundle / "prometheus/rules/metrics/api.yaml").read_text(encoding="utf-8"))["groups"] for r in g["rules"] if "record" in r}
    for panel in bands:
        legends = [t["legendFormat"] for t in panel["targets"]]
        assert legends == ["value", "prediction", "lower band", "band"]
        # The band is stacked: two clusters in one panel would stack their bands into one.
        # The cluster variable selects All by default, so each panel repeats per cluster.
        assert (panel.get("repeat"), panel.get("repeatDirection")) == ("cluster", "v")
        assert all('cluster=~"$cluster"' in t["expr"] for t in panel["targets"])
        # Every series the panel reads is one the rules record.
        read = {t["expr"].split("{", 1)[0] for t in panel["targets"]}
        assert read <= rules, read - rules
    assert not any("anomaly" in p["title"].lower() for p in _panels(bundle, "quiet"))
