"""End to end: a real Prometheus evaluates a generated alert that flaps, and the review says so.

The catalog's cluster-outage alert is given an expression that holds six seconds out of every
twelve (``time() % 12 < 6``), `for: 1s`. Prometheus 3.5 evaluates the bundle's rule file every
second for about 40 s; the ``ALERTS`` series it writes are exported twice, the way the docs
tell users to (the HTTP API's query_range and ``promtool query range -o json``), and each
export goes through ``lgtmgen alerts review``: the alert is the catalog's, it fired several
times, and it flaps.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from lgtmgen.pipeline import compile_catalog
from lgtmgen.render import dump_yaml
from lgtmgen.toolchain.locate import locate_tools
from lgtmgen.writer import write_bundle
from tests.e2e.loopback import HOST, free_port, get_json, server_process

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
LGTMGEN = str(Path(sys.executable).parent / "lgtmgen")
RUN_SECONDS = 40
FLAPPING = "vector(1) and on () (vector(time()) % 12 < 6)"


def _catalog(path: Path) -> Path:
    document: dict[str, Any] = YAML(typ="safe", pure=True).load((REPO / "examples/starter/catalog.yaml").read_text())
    document.setdefault("alerting", {})["cluster_outage"] = {"team": "web", "expr": FLAPPING, "for": "1s"}
    with path.open("w", encoding="utf-8") as handle:
        YAML().dump(document, handle)
    return path


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


def test_a_flapping_generated_alert_is_found_in_real_alerts_history(tmp_path: Path) -> None:
    tools = locate_tools()
    if tools.prometheus is None or tools.promtool is None:
        pytest.fail("prometheus/promtool are missing: run scripts/bootstrap")
    catalog = _catalog(tmp_path / "catalog.yaml")
    compiled = compile_catalog([catalog])
    assert compiled.ok and compiled.bundle is not None, [str(d) for d in compiled.diagnostics]
    write_bundle(compiled.bundle, tmp_path / "bundle")
    config = tmp_path / "prometheus.yml"
    rules = tmp_path / "bundle/prometheus/rules/alerting/cluster-outage.yaml"
    config.write_text(dump_yaml({"global": {"evaluation_interval": "1s"}, "rule_files": [str(rules)]}))
    url = f"http://{HOST}:{free_port()}"
    with server_process(
        [
            str(tools.prometheus.path),
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address={url.removeprefix('http://')}",
        ],
        tmp_path / "prometheus.log",
        f"{url}/-/ready",
    ):
        since = time.time()
        time.sleep(RUN_SECONDS)
        until = time.time()
        query = {"query": 'ALERTS{alertstate="firing"}', "start": f"{since:.3f}", "end": f"{until:.3f}", "step": "1s"}
        api = tmp_path / "api.json"
        api.write_text(json.dumps(get_json(f"{url}/api/v1/query_range?{urllib.parse.urlencode(query)}")))
        printed = subprocess.run(
            [str(tools.promtool.path), "query", "range", "-o", "json", f"--start={since:.3f}", f"--end={until:.3f}",
             "--step=1s", url, query["query"]],
            check=True, capture_output=True, text=True, timeout=60,
        )
        bare = tmp_path / "promtool.json"
        bare.write_text(printed.stdout)
    reports = [_review(catalog, api, since, until), _review(catalog, bare, since, until)]
    for report in reports:
        assert report["orphans"] == []
        [outage] = [a for a in report["alerts"] if a["alertname"] == "ClusterOutage"]
        stats = outage["statistics"]
        # 40 s of a 12 s cycle: three firings at least, each of about five seconds (six true,
        # less the one pending), each after a pause of about seven.
        assert stats["firings"] >= 3, stats
        assert 3 <= stats["median_firing_seconds"] <= 7, stats
        assert stats["refirings"] == stats["firings"] - 1
        assert 5 <= stats["longest_refire_gap_seconds"] <= 9, stats
        [flapping] = [f for f in outage["findings"] if f["kind"] == "flapping"]
        assert any("alerting.cluster_outage.for" in s for s in flapping["suggestions"]), flapping
    assert reports[0]["alerts"] == reports[1]["alerts"]  # the API's answer and promtool's say the same
