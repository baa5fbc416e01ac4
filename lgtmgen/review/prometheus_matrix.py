"""The answer of a range query of ``ALERTS``: series of samples, one every step while an alert fired.

Prometheus writes ``ALERTS{alertstate="firing"}`` with the value 1 at every evaluation while
an alert fires and a staleness marker when it stops, so a range query answers with a sample at
every step the alert was firing. The step is not in the answer: it is found from the
distances between samples (see `_step`). A run of samples one step apart is one firing, counted
from its first sample to one step after its last (the resolution of the export).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from lgtmgen.review.history import Firing, HistoryError, HistoryFile, Labels

IGNORED_LABELS = frozenset({"__name__", "alertstate"})
"""Labels of the ALERTS series that the alert itself does not carry."""


def read_matrix(path: str, document: Any) -> HistoryFile:
    """The firings of an API envelope or a bare matrix (``promtool query range -o json``)."""
    result, where = _result(path, document)
    series: list[tuple[Labels, list[float]]] = []
    for index, item in enumerate(result):
        at = f"{where}[{index}]"
        shaped = isinstance(item, dict) and isinstance(item.get("metric"), dict) and isinstance(item.get("values"), list)
        if not shaped:
            raise HistoryError(path, "a series is an object with `metric` (labels) and `values` (samples)", where=at)
        metric = item["metric"]
        if not all(isinstance(v, str) for v in metric.values()):
            raise HistoryError(path, "label values are strings", where=f"{at}.metric")
        if metric.get("alertstate", "firing") != "firing":
            continue  # a pending alert has not fired: query ALERTS{alertstate="firing"}
        if "alertname" not in metric:
            raise HistoryError(path, "a series without `alertname`: export the ALERTS series", where=f"{at}.metric")
        labels = tuple(sorted((k, v) for k, v in metric.items() if k not in IGNORED_LABELS))
        times = [_timestamp(path, sample, f"{at}.values[{i}]") for i, sample in enumerate(item["values"])]
        series.append((labels, times))
    step = _step([times for _, times in series])
    firings: list[Firing] = []
    last = max((times[-1] for _, times in series if times), default=None)
    for labels, times in series:
        firings += _runs(labels, sorted(times), step, last)
    first = min((times[0] for _, times in series if times), default=None)
    end = last + step if last is not None else None
    return HistoryFile(path, "prometheus-query-range", tuple(firings), first, end)


def _result(path: str, document: Any) -> tuple[list[Any], str]:
    if isinstance(document, list):
        return document, "$"
    if document.get("status") == "error":
        failure = f"{document.get('errorType', '')}: {document.get('error', '')}"
        raise HistoryError(path, f"the query failed: {failure}", where="$.status")
    data = document.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("result"), list):
        raise HistoryError(path, "an API answer has `data.result`, a list of series", where="$.data")
    if data.get("resultType") != "matrix":
        raise HistoryError(
            path,
            f"resultType is {data.get('resultType')!r}, not 'matrix': export with a range query (query_range)",
            where="$.data.resultType",
        )
    return data["result"], "$.data.result"


def _timestamp(path: str, sample: Any, where: str) -> float:
    if (
        isinstance(sample, list)
        and len(sample) == 2
        and isinstance(sample[0], int | float)
        and not isinstance(sample[0], bool)
        and isinstance(sample[1], str)
        and math.isfinite(sample[0])
    ):
        return float(sample[0])
    raise HistoryError(path, 'a sample is [unix seconds, "value"]', where=where)


def _step(series: list[list[float]]) -> float:
    """The query step: the smallest distance between two samples, of any series (0 when fewer than two).

    Every sample of an answer lies on the query's grid (start + k × step), across series, so
    this is the step as soon as two samples anywhere are one step apart. The smallest gap
    within one series is not: when every series fired for single samples, it is the distance
    between two firings, which would merge them into one.
    """
    times = sorted({t for ts in series for t in ts})
    return min((b - a for a, b in itertools.pairwise(times)), default=0.0)


def _runs(labels: Labels, times: list[float], step: float, last: float | None) -> list[Firing]:
    """Runs of samples one step apart; half a step of slack absorbs rounding of the timestamps."""
    runs: list[Firing] = []
    begin = previous = times[0] if times else 0.0
    for time in times[1:]:
        if time - previous > step * 1.5:
            runs.append(Firing(labels, begin, previous + step))
            begin = time
        previous = time
    if times:
        runs.append(Firing(labels, begin, previous + step, open=previous == last))
    return runs
