"""`lgtmgen alerts review` as users and CI run it: both formats, JSON, exit codes, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STARTER = REPO / "examples" / "starter" / "catalog.yaml"
LGTMGEN = str(Path(sys.executable).parent / "lgtmgen")
PAGE = {
    "alertname": "SLOErrorBudgetBurn", "severity": "page", "team": "web", "service": "api", "slo": "availability",
    "tier": "1", "tenant": "prod", "sli_kind": "availability", "long_window": "1h", "short_window": "5m",
}
START = 1793577600  # 2026-11-02T00:00:00Z


def lgtmgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LGTMGEN, *args], check=False, capture_output=True, text=True, timeout=120)


def _query_range(tmp_path: Path) -> Path:
    """The api page firing for 2 minutes four times, 5 minutes apart (step 30s), and a Watchdog."""
    page = {**PAGE, "__name__": "ALERTS", "alertstate": "firing", "cluster": "prod-1"}
    values = [[START + k * 420 + i * 30, "1"] for k in range(4) for i in range(4)]
    watchdog = {"__name__": "ALERTS", "alertstate": "firing", "alertname": "Watchdog"}
    result = [{"metric": page, "values": values}, {"metric": watchdog, "values": [[START, "1"], [START + 30, "1"]]}]
    path = tmp_path / "alerts.json"
    path.write_text(json.dumps({"status": "success", "data": {"resultType": "matrix", "result": result}}))
    return path


def test_a_flapping_page_in_a_query_range_answer_fails_the_review(tmp_path: Path) -> None:
    result = lgtmgen("alerts", "review", str(STARTER), "--history", str(_query_range(tmp_path)))
    assert result.returncode == 1, result.stderr
    # Each firing: 4 samples 30s apart, counted to one step after the last: 2m; pauses of 5m.
    assert "flapping SLOErrorBudgetBurn{long_window=\"1h\",service=\"api\",severity=\"page\",short_window=\"5m\",slo=\"availability\"}: " \
        "fired again within 15m of resolving 3 times (longest gap 5m)" in result.stdout
    assert "services[api].slos[availability].alerting.windows" in result.stdout
    assert "orphan Watchdog: fired once but this catalog generates no such alert" in result.stdout
    assert "span from the data" in result.stdout
    assert "✗ alerts review: 1 noisy, 1 flapping" in result.stderr


def test_json_output_summarises_the_failing_findings_as_the_human_output_does(tmp_path: Path) -> None:
    history = str(_query_range(tmp_path))
    human = lgtmgen("alerts", "review", str(STARTER), "--history", history)
    report = json.loads(lgtmgen("--output", "json", "alerts", "review", str(STARTER), "--history", history).stdout)
    assert report["ok"] is False and report["diagnostics"] == []
    assert report["summary"] == "1 noisy, 1 flapping"
    assert f"✗ alerts review: {report['summary']}" in human.stderr


def test_json_output_for_ci(tmp_path: Path) -> None:
    result = lgtmgen(
        "--output", "json", "alerts", "review", str(STARTER), "--history", str(_query_range(tmp_path)),
        "--since", "2026-11-02T00:00:00Z", "--until", "2026-11-09T00:00:00Z", "--fail-on", "orphan",
    )
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["fail_on"] == ["orphan"]
    assert report["history"]["duration"] == "7d" and report["history"]["span_from_data"] is False
    [fired] = [a for a in report["alerts"] if a["statistics"]["firings"]]
    assert fired["labels"] == {k: v for k, v in PAGE.items() if k != "alertname"}  # the rule's fixed labels
    assert fired["statistics"] == {
        "firings": 4, "series": 1, "firing_seconds": 480.0, "median_firing_seconds": 120.0, "firings_per_week": 4.0,
        "short_firings": 4, "refirings": 3, "longest_refire_gap_seconds": 300.0, "still_firing": 0,
    }
    assert [f["kind"] for f in fired["findings"]] == ["noisy", "flapping"]
    assert [o["alertname"] for o in report["orphans"]] == ["Watchdog"]
    assert report["counts"]["orphan"] == 1


def test_webhook_lines_of_a_quiet_week_pass(tmp_path: Path) -> None:
    alert = {"status": "resolved", "labels": {**PAGE, "cluster": "prod-1"}, "annotations": {},
             "startsAt": "2026-11-03T10:00:00Z", "endsAt": "2026-11-03T11:30:00Z", "fingerprint": "1"}
    lines = [json.dumps({"version": "4", "status": "firing", "alerts": [{**alert, "status": "firing", "endsAt": "0001-01-01T00:00:00Z"}]}),
             json.dumps({"version": "4", "status": "resolved", "alerts": [alert]})]
    path = tmp_path / "hook.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = lgtmgen("--output", "json", "alerts", "review", str(STARTER), "--history", str(path),
                     "--since", "1793577600", "--until", "2026-11-09T00:00:00Z")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["history"]["files"] == [{"path": str(path), "format": "alertmanager-webhook", "firings": 1}]
    [fired] = [a for a in report["alerts"] if a["statistics"]["firings"]]
    assert (fired["statistics"]["firing_seconds"], fired["findings"]) == (5400.0, [])
    # A week says nothing about the 30-day SLOs' alerts that did not fire; it is min_history for the others.
    quiet = [a for a in report["alerts"] if not a["statistics"]["firings"]]
    assert {a["findings"][0]["kind"] for a in quiet if "slo" in a["labels"]} == {"unjudged"}
    assert {a["findings"][0]["kind"] for a in quiet if "slo" not in a["labels"]} == {"never-firing"}


@pytest.mark.parametrize(
    ("content", "diagnostic"),
    [
        (b"", "history.json review/unreadable-history: empty: expected a query_range answer or Alertmanager webhook notifications"),
        (b'{"status": "success",\n  "data": ]', "history.json:2:11 review/unreadable-history: not valid JSON: Expecting value"),
        (b'{"kind": "Other"}', "history.json:1:1 review/unreadable-history: neither a Prometheus query_range answer"),
        (b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{}}]}}',
         "history.json review/unreadable-history: a series is an object with `metric` (labels) and `values` (samples)"),
        (b'{"version": "4", "alerts": []}\n\xff\n', "history.json:2:1 review/unreadable-history: not UTF-8 text (byte 0xff)"),
    ],
)
def test_bad_history_exits_1_with_file_and_line(tmp_path: Path, content: bytes, diagnostic: str) -> None:
    path = tmp_path / "history.json"
    path.write_bytes(content)
    result = lgtmgen("alerts", "review", str(STARTER), "--history", str(path))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert f"{tmp_path}/{diagnostic}" in result.stdout


def test_bad_history_in_json_output_names_the_json_path(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    path.write_text('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"alertname":"X"},"values":[[1]]}]}}')
    result = lgtmgen("--output", "json", "alerts", "review", str(STARTER), "--history", str(path))
    assert result.returncode == 1
    [problem] = json.loads(result.stdout)["diagnostics"]
    assert problem["check"] == "review/unreadable-history"
    assert problem["path"] == "$.data.result[0].values[0]"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "last week"], "--since 'last week' is neither an RFC 3339 time nor Unix seconds"),
        (["--flap-gap", "fifteen"], "--flap-gap: 'fifteen' is not a duration"),
        (["--fail-on", "loud"], "unknown finding kind loud; the kinds: noisy, flapping, never-firing, unjudged, orphan"),
        (["--since", "2026-11-02T00:00:00Z", "--until", "2026-11-01T00:00:00Z"], "--since must be before --until"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = lgtmgen("alerts", "review", str(STARTER), "--history", str(_query_range(tmp_path)), *args)
    assert result.returncode == 2
    assert message in result.stderr
