"""Exported alert history: read one or more files into firing intervals, whatever their format.

Two formats are read, told apart by their content (never by the file name):

- the answer of a Prometheus or Mimir range query of ``ALERTS{alertstate="firing"}``: the
  HTTP API's envelope (``{"status": "success", "data": {"resultType": "matrix", ...}}``) or
  the bare matrix ``promtool query range -o json`` prints;
- Alertmanager webhook notifications (payload version 4), one JSON object a line, as a webhook
  logger records them (a file holding one pretty-printed notification is read too).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Labels = tuple[tuple[str, str], ...]
"""An alert's labels, sorted by name: hashable, and the same however the source ordered them."""


@dataclass(frozen=True, slots=True)
class Firing:
    """One interval in which one alert series fired; `open` when still firing where the history ends."""

    labels: Labels
    start: float
    end: float
    open: bool = False

    @property
    def alertname(self) -> str:
        return dict(self.labels).get("alertname", "")


@dataclass(frozen=True, slots=True)
class HistoryFile:
    """What one file held: its format and its firing intervals (open ones end at its last instant)."""

    path: str
    format: str
    firings: tuple[Firing, ...]
    start: float | None
    end: float | None


class HistoryError(Exception):
    """A history file that cannot be read; `line` is 1-based, 0 when no line applies."""

    def __init__(self, path: str, message: str, line: int = 0, column: int = 0, where: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line
        self.column = column or (1 if line else 0)  # a whole line: its start
        self.where = where
        """The JSON path of the offending value, for formats read as one document."""


def read_history_file(path: Path) -> HistoryFile:
    """One history file, its format detected from its content; raises HistoryError."""
    from lgtmgen.review.alertmanager_webhook import read_webhook_lines, read_webhook_payloads
    from lgtmgen.review.prometheus_matrix import read_matrix

    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise HistoryError(name, f"cannot be read: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        raise HistoryError(name, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", line, column) from exc
    if not text.strip():
        raise HistoryError(name, "empty: expected a query_range answer or Alertmanager webhook notifications")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg != "Extra data":  # several documents one after another: JSON Lines
            raise HistoryError(name, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from exc
        return read_webhook_lines(name, text)
    if isinstance(document, dict) and "alerts" in document:  # before the matrix: it has a `status` too
        return read_webhook_payloads(name, [(1, document)])
    if _is_matrix(document):
        return read_matrix(name, document)
    raise HistoryError(
        name,
        "neither a Prometheus query_range answer (a matrix of ALERTS series) nor Alertmanager "
        "webhook notifications (objects with `alerts`, one a line)",
        1,
        1,
    )


def _is_matrix(document: Any) -> bool:
    """The API envelope of any answer, or a bare list (what promtool prints)."""
    return isinstance(document, list) or (isinstance(document, dict) and ("data" in document or "status" in document))


@dataclass(frozen=True, slots=True)
class History:
    """Every file's firings, clipped to the reviewed span [start, end] (seconds since the epoch)."""

    files: tuple[HistoryFile, ...]
    firings: tuple[Firing, ...]
    start: float
    end: float
    span_from_data: bool
    """True when no --since/--until fixed the span: it is then where the data begins and ends,
    which can be shorter than the span that was exported."""

    @property
    def seconds(self) -> float:
        return max(self.end - self.start, 0.0)


class UnreadableHistory(Exception):
    """Every problem of the history files of one review, each a HistoryError."""

    def __init__(self, problems: list[HistoryError]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def read_history(paths: Sequence[Path], since: float | None = None, until: float | None = None) -> History:
    """Every file of `paths`; raises UnreadableHistory with every file that cannot be read, or
    when no file holds an alert and no --since and --until give the span: a review over no
    time at all would judge nothing.

    The span is `since`..`until` where given, else where the files' data begins and ends.
    """
    read, problems = [], []
    for path in paths:
        try:
            read.append(read_history_file(path))
        except HistoryError as problem:
            problems.append(problem)
    if problems:
        raise UnreadableHistory(problems)
    files = tuple(read)
    starts = [f.start for f in files if f.start is not None]
    ends = [f.end for f in files if f.end is not None]
    start = since if since is not None else min(starts, default=None)
    end = until if until is not None else max(ends, default=None)
    if start is None or end is None:  # no alert in any file, and the span not given in full
        raise UnreadableHistory(
            [
                HistoryError(
                    ", ".join(str(p) for p in paths),
                    "holds no alert, so the span it covers is unknown: give --since and --until "
                    "(the span the history was exported for)",
                )
            ]
        )
    firings = []
    for file in files:
        # A notification log ends where its file does: an alert it never saw resolve fires to the
        # span's end. A range query has a sample for every step an alert fired: its firings end
        # where their samples do, still firing only if that is the span's end.
        extend = file.format != "prometheus-query-range"
        for firing in file.firings:
            if firing.end < start or firing.start > end:
                continue
            last = end if firing.open and extend else min(firing.end, end)
            still = firing.end > end or (firing.open and (extend or firing.end >= end))
            firings.append(Firing(firing.labels, max(firing.start, start), last, still))
    return History(files, tuple(firings), start, end, since is None or until is None)
