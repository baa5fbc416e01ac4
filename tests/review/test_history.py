"""Reading exported history: both formats, detected by content, and the span of a review."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lgtmgen.review.history import (
    Firing,
    HistoryError,
    UnreadableHistory,
    read_history,
    read_history_file,
)

FIRING = {"__name__": "ALERTS", "alertname": "HighErrors", "alertstate": "firing", "service": "api"}
LABELS = (("alertname", "HighErrors"), ("service", "api"))


def _write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def matrix(*series: tuple[dict[str, str], list[float]]) -> dict[str, Any]:
    result = [{"metric": m, "values": [[t, "1"] for t in times]} for m, times in series]
    return {"status": "success", "data": {"resultType": "matrix", "result": result}}


def test_a_query_range_answer_gives_runs_of_samples_one_step_apart(tmp_path: Path) -> None:
    # Step 60 (the smallest distance of two samples): samples at 0, 60, 120 are one firing
    # until 180; 600 and 660 another, still firing at the last sample of the answer.
    other = {**FIRING, "service": "web"}
    path = _write(tmp_path, "alerts.json", matrix((FIRING, [0, 60, 120, 600, 660]), (other, [60])))
    read = read_history_file(path)
    assert read.format == "prometheus-query-range"
    web = (("alertname", "HighErrors"), ("service", "web"))
    assert read.firings == (Firing(LABELS, 0, 180), Firing(LABELS, 600, 720, open=True), Firing(web, 60, 120))
    assert (read.start, read.end) == (0, 720)


def test_the_step_comes_from_every_series_so_single_sample_firings_stay_apart(tmp_path: Path) -> None:
    # Each alert fired for one sample at a time; api's two firings an hour apart stay two firings
    # of one step (60 s, the distance of api's and web's samples), not one of two hours.
    other = {**FIRING, "service": "web"}
    path = _write(tmp_path, "alerts.json", matrix((FIRING, [0, 3600]), (other, [60])))
    web = (("alertname", "HighErrors"), ("service", "web"))
    assert read_history_file(path).firings == (
        Firing(LABELS, 0, 60), Firing(LABELS, 3600, 3660, open=True), Firing(web, 60, 120)
    )


def test_the_bare_matrix_promtool_prints_is_read_too(tmp_path: Path) -> None:
    path = _write(tmp_path, "alerts.json", matrix((FIRING, [0, 30]))["data"]["result"])
    assert read_history_file(path).firings == (Firing(LABELS, 0, 60, open=True),)


def test_pending_series_are_left_out(tmp_path: Path) -> None:
    pending = {**FIRING, "alertstate": "pending"}
    path = _write(tmp_path, "alerts.json", matrix((pending, [0, 30])))
    assert read_history_file(path).firings == ()


def _notification(status: str, starts: str, ends: str = "0001-01-01T00:00:00Z", **labels: str) -> str:
    alert = {
        "status": status,
        "labels": {"alertname": "HighErrors", "service": "api", **labels},
        "annotations": {},
        "startsAt": starts,
        "endsAt": ends,
        "fingerprint": "0123456789abcdef",
    }
    return json.dumps({"version": "4", "status": status, "receiver": "r", "alerts": [alert]})


def test_webhook_lines_pair_firing_and_resolved_notifications(tmp_path: Path) -> None:
    lines = [
        _notification("firing", "2026-11-02T10:00:00Z"),
        _notification("firing", "2026-11-02T10:00:00Z"),  # a repeat: the same firing
        _notification("resolved", "2026-11-02T10:00:00Z", "2026-11-02T10:03:00Z"),
        "",
        _notification("firing", "2026-11-02T11:00:00+01:00", service="web"),  # 10:00 UTC, never resolved
    ]
    read = read_history_file(_write(tmp_path, "hook.jsonl", "\n".join(lines) + "\n"))
    assert read.format == "alertmanager-webhook"
    start = 1793613600.0  # 2026-11-02T10:00:00Z
    web = (("alertname", "HighErrors"), ("service", "web"))
    # The open one lasts to the file's latest instant: the resolution at 10:03.
    assert read.firings == (Firing(LABELS, start, start + 180), Firing(web, start, start + 180, open=True))


def test_one_pretty_printed_notification_is_read(tmp_path: Path) -> None:
    payload = json.loads(_notification("resolved", "2026-11-02T10:00:00Z", "2026-11-02T10:01:00Z"))
    read = read_history_file(_write(tmp_path, "hook.json", json.dumps(payload, indent=2)))
    assert [f.end - f.start for f in read.firings] == [60]


def test_since_and_until_clip_firings_and_fix_the_span(tmp_path: Path) -> None:
    path = _write(tmp_path, "alerts.json", matrix((FIRING, [0, 60, 120, 1000, 1060])))
    history = read_history([path], since=100, until=1030)
    # [0, 180] is cut to [100, 180]; [1000, 1120] to [1000, 1030], open at the span's end.
    assert history.firings == (Firing(LABELS, 100, 180), Firing(LABELS, 1000, 1030, open=True))
    assert (history.seconds, history.span_from_data) == (930, False)
    assert read_history([path]).span_from_data
    # A range query over a longer span would have had samples had it kept firing: it resolved.
    assert read_history([path], until=5000).firings[-1] == Firing(LABELS, 1000, 1120)


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ("", "empty: expected a query_range answer or Alertmanager webhook notifications", 0),
        ('{"status": "success",\n "data": [}', "not valid JSON: Expecting value", 2),
        ('{"a": 1}', "neither a Prometheus query_range answer", 1),
        ('{"status": "success", "data": {"resultType": "vector", "result": []}}', "resultType is 'vector'", 0),
        ('{"status": "error", "errorType": "bad_data", "error": "parse error"}', "the query failed: bad_data: parse error", 0),
        ('[{"metric": {"alertname": "X"}, "values": [[1, 1]]}]', 'a sample is [unix seconds, "value"]', 0),
        (_notification("firing", "2026-11-02T10:00:00Z") + "\n{oops\n", "not valid JSON: Expecting property name", 2),
        ('{"version": "4", "alerts": []}\n{"version": "3", "alerts": []}\n', "payload version '3'", 2),
        (_notification("firing", "yesterday") + "\n" + _notification("firing", "x"), "`startsAt` 'yesterday' is not an RFC 3339 time", 1),
        (_notification("resolved", "2026-11-02T10:00:00Z", "0001-01-01T00:00:00Z"), "a resolved alert has the time it resolved", 1),
    ],
)
def test_bad_input_says_what_and_where(tmp_path: Path, content: str, message: str, line: int) -> None:
    with pytest.raises(HistoryError) as caught:
        read_history_file(_write(tmp_path, "history.json", content))
    assert caught.value.message.startswith(message), caught.value.message
    assert caught.value.line == line


def test_non_utf8_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    path.write_bytes(b'{"version": "4",\n"alerts": [\xff]}\n')
    with pytest.raises(HistoryError) as caught:
        read_history_file(path)
    assert (caught.value.message, caught.value.line) == ("not UTF-8 text (byte 0xff)", 2)


def test_every_unreadable_file_is_reported_at_once(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.json", matrix((FIRING, [60.0, 120.0])))
    with pytest.raises(UnreadableHistory) as caught:
        read_history([tmp_path / "gone.json", good, _write(tmp_path, "bad.json", "{oops")])
    assert [(Path(p.path).name, p.message.split(":")[0]) for p in caught.value.problems] == [
        ("gone.json", "cannot be read"),
        ("bad.json", "not valid JSON"),
    ]


def test_a_history_without_alerts_needs_the_span_it_was_exported_for(tmp_path: Path) -> None:
    # An empty answer is what a quiet week gives: reviewed over "no time at all" (1970, 0 s) it
    # judged nothing and passed; with --since and --until it is that quiet week.
    empty = _write(tmp_path, "empty.json", [])
    with pytest.raises(UnreadableHistory) as caught:
        read_history([empty])
    assert "give --since and --until" in caught.value.problems[0].message
    with pytest.raises(UnreadableHistory):
        read_history([empty], since=1000.0)
    quiet = read_history([empty], since=1000.0, until=1000.0 + 7 * 86400)
    assert quiet.seconds == 7 * 86400 and quiet.firings == ()
