"""End to end: a real Prometheus evaluates a generated alert that flaps, and the review says so.

The catalog's cluster-outage alert is given an expression that holds six seconds out of every
twelve (``time() % 12 < 6``), `for: 1s`. Prometheus 3.5 evaluates the bundle's rule file every
second for 45 s and sends its alerts to a real Alertmanager, whose webhook notifications
a logger writes one a line. The ``ALERTS`` series are exported the two ways the docs give (the
HTTP API's query_range and ``promtool query range -o json``); each export and the webhook log
go through ``lgtmgen alerts review``: the alert is the catalog's, it fired several times, and
it flaps.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from lgtmgen.pipeline import compile_catalog
from lgtmgen.render import dump_yaml
from lgtmgen.toolchain.locate import locate_tools
from lgtmgen.writer import write_bundle
from tests.e2e.loopback import (
    HOST,
    alertmanager_command,
    free_port,
    get_json,
    http_thread,
    server_process,
    wait_for,
)

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
LGTMGEN = str(Path(sys.executable).parent / "lgtmgen")
RUN_SECONDS = 45
FLAPPING = "vector(1) and on () (vector(time()) % 12 < 6)"


def _catalog(path: Path) -> Path:
    document: dict[str, Any] = YAML(typ="safe", pure=True).load((REPO / "examples/starter/catalog.yaml").read_text())
    document.setdefault("alerting", {})["cluster_outage"] = {"team": "web", "expr": FLAPPING, "for": "1s"}
    with path.open("w", encoding="utf-8") as handle:
        YAML().dump(document, handle)
    return path


def _webhook_logger(log: Path) -> type[BaseHTTPRequestHandler]:
    """Append every notification's body to `log`, one JSON object a line, as a webhook logger does."""
    lock = threading.Lock()

    class Logger(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            with lock, log.open("a", encoding="utf-8") as out:
                out.write(json.dumps(body) + "\n")
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Logger


def _alertmanager_config(hook: str) -> dict[str, Any]:
    """Every alert to the logger, each in its own group, changes flushed every second."""
    return {
        "route": {
            "receiver": "log",
            "group_by": ["..."],
            "group_wait": "1s",
            "group_interval": "1s",
            "repeat_interval": "1h",
        },
        "receivers": [{"name": "log", "webhook_configs": [{"url": hook, "send_resolved": True}]}],
    }


def _review(catalog: Path, history: Path, since: float, until: float) -> dict[str, Any]:
    result = subprocess.run(
        [
            LGTMGEN, "--output", "json", "alerts", "review", str(catalog), "--history", str(history),
            "--since", str(since), "--until", str(until), "--flap-gap", "1m", "--flap-min", "2",
        ],
        check=False, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1, result.stderr  # flapping fails the review
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _failing_targets_outage(alert: dict[str, Any]) -> bool:
    """The cluster outage of failing targets (the one this test makes flap), not its sibling for
    clusters gone silent, which the Mimir ruler evaluates (label `cause`)."""
    return bool(alert["alertname"] == "ClusterOutage" and "cause" not in alert["labels"])


def test_a_flapping_generated_alert_is_found_in_real_alerts_history(tmp_path: Path) -> None:
    tools = locate_tools()
    if tools.prometheus is None or tools.promtool is None or tools.alertmanager is None:
        pytest.fail("prometheus/promtool/alertmanager are missing: run scripts/bootstrap")
    catalog = _catalog(tmp_path / "catalog.yaml")
    compiled = compile_catalog([catalog])
    assert compiled.ok and compiled.bundle is not None, [str(d) for d in compiled.diagnostics]
    write_bundle(compiled.bundle, tmp_path / "bundle")
    rules = tmp_path / "bundle/prometheus/rules/alerting/cluster-outage.yaml"
    log = tmp_path / "webhook.jsonl"
    prometheus_url, alertmanager_url = f"http://{HOST}:{free_port()}", f"http://{HOST}:{free_port()}"
    with ExitStack() as stack:
        hook = stack.enter_context(http_thread(_webhook_logger(log)))
        am_config = tmp_path / "alertmanager.yml"
        am_config.write_text(dump_yaml(_alertmanager_config(hook + "/hook")))
        stack.enter_context(
            server_process(
                alertmanager_command(
                    tools.alertmanager.path,
                    [
                        f"--config.file={am_config}",
                        f"--storage.path={tmp_path / 'am-data'}",
                        f"--web.listen-address={alertmanager_url.removeprefix('http://')}",
                        "--cluster.listen-address=",
                    ],
                ),
                tmp_path / "alertmanager.log",
                f"{alertmanager_url}/-/ready",
            )
        )
        config = tmp_path / "prometheus.yml"
        alerting = {"alertmanagers": [{"static_configs": [{"targets": [alertmanager_url.removeprefix("http://")]}]}]}
        config.write_text(
            dump_yaml({"global": {"evaluation_interval": "1s"}, "rule_files": [str(rules)], "alerting": alerting})
        )
        stack.enter_context(
            server_process(
                [
                    str(tools.prometheus.path),
                    f"--config.file={config}",
                    f"--storage.tsdb.path={tmp_path / 'data'}",
                    f"--web.listen-address={prometheus_url.removeprefix('http://')}",
                ],
                tmp_path / "prometheus.log",
                f"{prometheus_url}/-/ready",
            )
        )
        # Prometheus finds its Alertmanager some seconds after it starts evaluating: the span
        # reviewed starts once a notification shows alerts reach Alertmanager.
        wait_for(lambda: log.is_file(), 30, "the first webhook notification")
        since = time.time()
        time.sleep(RUN_SECONDS)
        until = time.time()
        query = {"query": 'ALERTS{alertstate="firing"}', "start": f"{since:.3f}", "end": f"{until:.3f}", "step": "1s"}
        api = tmp_path / "api.json"
        api.write_text(json.dumps(get_json(f"{prometheus_url}/api/v1/query_range?{urllib.parse.urlencode(query)}")))
        printed = subprocess.run(
            [str(tools.promtool.path), "query", "range", "-o", "json", f"--start={since:.3f}", f"--end={until:.3f}",
             "--step=1s", prometheus_url, query["query"]],
            check=True, capture_output=True, text=True, timeout=60,
        )
        bare = tmp_path / "promtool.json"
        bare.write_text(printed.stdout)
    reports = [_review(catalog, api, since, until), _review(catalog, bare, since, until)]
    for report in reports:
        assert report["orphans"] == []
        [outage] = [a for a in report["alerts"] if _failing_targets_outage(a)]
        stats = outage["statistics"]
        # 45 s of a 12 s cycle: three firings at least, each of about five seconds (six true,
        # less the one pending), each after a pause of about seven.
        assert stats["firings"] >= 3, stats
        assert 3 <= stats["median_firing_seconds"] <= 7, stats
        assert stats["refirings"] == stats["firings"] - 1
        assert 5 <= stats["longest_refire_gap_seconds"] <= 9, stats
        [flapping] = [f for f in outage["findings"] if f["kind"] == "flapping"]
        assert any("alerting.cluster_outage.for" in s for s in flapping["suggestions"]), flapping
    assert reports[0]["alerts"] == reports[1]["alerts"]  # the API's answer and promtool's say the same
    # Alertmanager saw the same firings (their times are Prometheus' own, to the millisecond).
    [notified] = [a for a in _review(catalog, log, since, until)["alerts"] if _failing_targets_outage(a)]
    from_api = next(a for a in reports[0]["alerts"] if _failing_targets_outage(a))["statistics"]
    assert abs(notified["statistics"]["firings"] - from_api["firings"]) <= 1, (notified, from_api)
    assert "flapping" in [f["kind"] for f in notified["findings"]]
