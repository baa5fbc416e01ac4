"""Rule-evaluation cost of lgtmgen's SLO rules against Sloth-shaped rules, on a real Prometheus.

Usage: python benchmarks/slo_cost/run.py [--slos 200] [--polls 8] [--work DIR]

1. a catalog of N availability SLOs (12 raw series each: 2 clusters x 3 routes x 2 codes);
2. a day of synthetic counters (and 30 minutes ahead, so raw windows stay full while measuring)
   backfilled with `promtool tsdb create-blocks-from openmetrics`;
3. the history of the recorded series both rule sets read, written into the same OpenMetrics
   file from the synthetic rates (`promtool tsdb create-blocks-from rules` gives the same values
   but wrote one block per rule and two hours, over 7,000 blocks at 200 SLOs, which would have
   made the measured Prometheus read thousands of blocks);
4. one Prometheus loading both rule sets at once (every group at 30s so that each group is
   measured many times), polled through /api/v1/rules; a group's cost per hour is the median
   of its `evaluationTime` samples times the evaluations per hour of its real interval;
5. page detection times of both rule sets from a full outage, by `promtool test rules`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import TextIO

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from detection import detection_seconds
from rules import lgtmgen_groups, sloth_group

from lgtmgen.catalog import load_catalog
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.plan import build_plan
from lgtmgen.toolchain.locate import locate_tools

CLUSTERS = ("eu", "us")
ROUTES = ("/a", "/b", "/c")
HISTORY = 86400
AHEAD = 1800
STEP = 60
MEASURE_INTERVAL = "30s"


def catalog_text(slos: int) -> str:
    services = "\n".join(
        f"  - {{name: svc{i:03d}, team: bench, tenant: prod, metrics: {{selector: {{job: svc{i:03d}}}}}, "
        f"slos: [{{name: availability, objective: 99.9, sli: {{kind: availability}}}}]}}"
        for i in range(slos)
    )
    return (
        "apiVersion: lgtmgen/v1\n"
        "defaults: {scrape_interval: 15s, evaluation_interval: 30s}\n"
        "teams: [{name: bench, notify: {slack: {channel: '#b', api_url_file: /etc/s}}}]\n"
        "tenants: [{name: prod}]\n"
        f"services:\n{services}\n"
    )


def write_openmetrics(path: Path, slos: int, start: int, end: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("# TYPE http_requests counter\n")
        for i in range(slos):
            for cluster in CLUSTERS:
                for route in ROUTES:
                    for code, per_step in (("200", 600.0), ("500", _errors_per_step(i))):
                        labels = f'job="svc{i:03d}",cluster="{cluster}",route="{route}",code="{code}"'
                        value = 0.0
                        for t in range(start, end + 1, STEP):
                            out.write(f"http_requests_total{{{labels}}} {value:.1f} {t}\n")
                            value += per_step
        write_recorded_history(out, slos, end - AHEAD, end)
        out.write("# EOF\n")


def _errors_per_step(i: int) -> float:
    return 0.3 + (i % 7) * 0.1


def _family(out: TextIO, name: str, series: list[tuple[str, float]], start: int, end: int, step: int) -> None:
    out.write(f"# TYPE {name} gauge\n")
    for labels, value in series:
        out.writelines(f"{name}{{{labels}}} {value!r} {t}\n" for t in range(start, end + 1, step))


def write_recorded_history(out: TextIO, slos: int, now: int, end: int) -> None:
    """What the recording rules would have written, from the synthetic rates (per cluster: 3 routes).

    Like the raw data it runs ahead of the clock, so every lookup finds its latest sample while
    measuring; the rules' own results then fall behind the stored data and are discarded, for
    both rule sets alike.
    """
    minutes = {"increase5m": 5, "increase1h": 60}
    for record, span, step in (("increase5m", 7 * 3600, 30), ("increase1h", HISTORY, 3600)):
        for metric, errors_only in (("slo:sli_events", False), ("slo:sli_error_events", True)):
            series = [
                (f'cluster="{c}",service="svc{i:03d}",slo="availability"',
                 len(ROUTES) * (_errors_per_step(i) if errors_only else 600 + _errors_per_step(i)) * minutes[record])
                for i in range(slos) for c in CLUSTERS
            ]
            _family(out, f"{metric}:{record}", series, now - span + step, end, step)
    ratios = [
        (f'cluster="{c}",sloth_service="svc{i:03d}",sloth_slo="availability"', _errors_per_step(i) / (600 + _errors_per_step(i)))
        for i in range(slos) for c in CLUSTERS
    ]
    _family(out, "slo:sli_error:ratio_rate5m", ratios, now - HISTORY + 300, end, 30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Prometheus:
    """A real Prometheus on loopback, started and stopped by this benchmark only."""

    def __init__(self, binary: Path, data: Path, rule_files: list[Path], work: Path) -> None:
        self.port = free_port()
        config = work / f"prometheus-{self.port}.yml"
        config.write_text(yaml.safe_dump({"global": {"evaluation_interval": MEASURE_INTERVAL}, "rule_files": [str(p) for p in rule_files]}))
        self.process = subprocess.Popen(
            [str(binary), f"--config.file={config}", f"--storage.tsdb.path={data}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--storage.tsdb.retention.time=60d"],
            stdout=subprocess.DEVNULL, stderr=(work / f"prometheus-{self.port}.log").open("w"),
        )
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{self.url}/-/ready", timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("Prometheus did not become ready")

    def rules(self) -> list[dict]:
        with urllib.request.urlopen(f"{self.url}/api/v1/rules", timeout=30) as answer:
            return json.load(answer)["data"]["groups"]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def dump_groups(path: Path, groups: list[dict], interval: str | None = None) -> Path:
    if interval is not None:
        groups = [{**g, "interval": interval} for g in groups]
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False, width=1000))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slos", type=int, default=200)
    parser.add_argument("--polls", type=int, default=8)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    tools = locate_tools()
    assert tools.prometheus and tools.promtool, "run scripts/bootstrap first"
    work = args.work or Path(tempfile.mkdtemp(prefix="slo-cost-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "catalog.yaml").write_text(catalog_text(args.slos))
    loaded = load_catalog([work / "catalog.yaml"])
    assert loaded.catalog is not None, loaded.diagnostics
    plans = list(build_plan(loaded.catalog).slos)

    now = int(time.time()) // STEP * STEP
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    started = time.monotonic()
    write_openmetrics(work / "raw.om", args.slos, now - HISTORY, now + AHEAD)
    promtool = str(tools.promtool.path)
    subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", str(work / "raw.om"), str(data)], check=True, capture_output=True)
    (work / "raw.om").unlink()
    prepared = time.monotonic() - started

    ours = lgtmgen_groups(plans)
    theirs = [sloth_group(p) for p in plans]
    real_interval = {g["name"]: parse_duration(g["interval"]) for g in ours + theirs}
    files = [dump_groups(work / "lgtmgen.yaml", ours, MEASURE_INTERVAL), dump_groups(work / "sloth.yaml", theirs, MEASURE_INTERVAL)]
    samples: dict[str, set[tuple[str, float]]] = {name: set() for name in real_interval}
    server = Prometheus(tools.prometheus.path, data, files, work)
    try:
        for _ in range(args.polls):
            time.sleep(parse_duration(MEASURE_INTERVAL))
            for group in server.rules():
                if group.get("lastEvaluation", "").startswith("0001"):
                    continue
                samples[group["name"]].add((group["lastEvaluation"], float(group["evaluationTime"])))
    finally:
        server.stop()

    def per_hour(names: list[str]) -> float:
        total = 0.0
        for name in names:
            times = [t for _, t in samples[name]]
            assert times, f"group {name} was never evaluated"
            total += statistics.median(times) * 3600 / real_interval[name]
        return total

    breakdown = {
        name: {"median_seconds": statistics.median([t for _, t in found]), "interval": real_interval[name]}
        for name, found in samples.items() if found
    }
    (work / "groups.json").write_text(json.dumps(breakdown, indent=1, sort_keys=True))
    ours_cost = per_hour([g["name"] for g in ours])
    theirs_cost = per_hour([g["name"] for g in theirs])
    detect_ours, detect_theirs = detection_seconds(promtool, plans[0], work)
    result = {
        "slos": args.slos,
        "raw_series": args.slos * len(CLUSTERS) * len(ROUTES) * 2,
        "history_hours": HISTORY // 3600,
        "polls": args.polls,
        "lgtmgen_rule_seconds_per_hour": round(ours_cost, 2),
        "sloth_rule_seconds_per_hour": round(theirs_cost, 2),
        "ratio": round(ours_cost / theirs_cost, 3),
        "page_detection_seconds": {"lgtmgen": detect_ours, "sloth": detect_theirs},
        "prepare_seconds": round(prepared, 1),
    }
    print(json.dumps(result, indent=2))
    (HERE / "results.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
