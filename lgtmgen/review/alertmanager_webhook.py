"""Alertmanager webhook notifications (payload version 4), as a webhook logger records them.

Every notification repeats the alerts of its group: an alert is identified by its labels and
its `startsAt` (a new firing of the same series starts later), firing until a notification
says `resolved`, whose `endsAt` is when it resolved. A firing alert's `endsAt` is not an end
(the zero time, or a renewal deadline), so an alert never seen resolved is still firing where
the file ends: at the latest instant the file mentions.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from lgtmgen.review.history import Firing, HistoryError, HistoryFile, Labels

PAYLOAD_VERSION = "4"


def read_webhook_lines(path: str, text: str) -> HistoryFile:
    """One notification a line; blank lines are skipped."""
    payloads: list[tuple[int, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            payloads.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise HistoryError(path, f"not valid JSON: {exc.msg}", number, exc.colno) from exc
    return read_webhook_payloads(path, payloads)


def read_webhook_payloads(path: str, payloads: list[tuple[int, Any]]) -> HistoryFile:
    """The firings of notifications, each with the line it starts on."""
    started: dict[tuple[Labels, float], float | None] = {}  # (labels, start) → end once resolved
    instants: list[float] = []
    for line, payload in payloads:
        for alert in _alerts(path, line, payload):
            labels, status, start, end = _alert(path, line, alert)
            instants.append(start)
            key = (labels, start)
            if status == "resolved":
                if end is None:
                    raise HistoryError(path, "a resolved alert has the time it resolved in `endsAt`", line)
                started[key] = end
                instants.append(end)
            else:
                started.setdefault(key, None)
    last = max(instants, default=None)
    firings = tuple(
        Firing(labels, start, end if end is not None else max(start, last or start), open=end is None)
        for (labels, start), end in started.items()
    )
    return HistoryFile(path, "alertmanager-webhook", firings, min(instants, default=None), last)


def _alerts(path: str, line: int, payload: Any) -> list[Any]:
    if not isinstance(payload, dict) or not isinstance(payload.get("alerts"), list):
        raise HistoryError(path, "a notification is an object with `alerts`, a list", line)
    version = payload.get("version")
    if version != PAYLOAD_VERSION:
        message = f"payload version {version!r}; this reads Alertmanager's version {PAYLOAD_VERSION!r}"
        raise HistoryError(path, message, line)
    alerts: list[Any] = payload["alerts"]
    return alerts


def _alert(path: str, line: int, alert: Any) -> tuple[Labels, str, float, float | None]:
    if not isinstance(alert, dict) or not isinstance(alert.get("labels"), dict):
        raise HistoryError(path, "an alert is an object with `labels`", line)
    labels = alert["labels"]
    if not isinstance(labels.get("alertname"), str) or not all(isinstance(v, str) for v in labels.values()):
        raise HistoryError(path, "an alert's labels are strings, `alertname` among them", line)
    status = alert.get("status")
    if status not in ("firing", "resolved"):
        raise HistoryError(path, f"an alert's status is 'firing' or 'resolved', not {status!r}", line)
    start = _time(path, line, alert.get("startsAt"), "startsAt")
    if start is None:
        raise HistoryError(path, "an alert without `startsAt`", line)
    end = _time(path, line, alert.get("endsAt"), "endsAt") if status == "resolved" else None
    return tuple(sorted(labels.items())), status, start, end


def _time(path: str, line: int, value: Any, field: str) -> float | None:
    """Seconds since the epoch of an RFC 3339 time; None for Go's zero time (no time set)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise HistoryError(path, f"`{field}` is an RFC 3339 time", line)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise HistoryError(path, f"`{field}` {value!r} is not an RFC 3339 time", line) from exc
    if moment.year <= 1:
        return None
    if moment.tzinfo is None:
        raise HistoryError(path, f"`{field}` {value!r} has no time zone", line)
    return moment.timestamp()
