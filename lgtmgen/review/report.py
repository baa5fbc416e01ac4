"""A review as plain data (for `--output json`), and the times and durations people read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lgtmgen.catalog.models.base import format_duration
from lgtmgen.review.findings import FINDING_KINDS, AlertReview, Review
from lgtmgen.review.statistics import AlertStatistics


def utc(seconds: float) -> str:
    """RFC 3339 in UTC, to the second."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def statistics_json(stats: AlertStatistics) -> dict[str, Any]:
    return {
        "firings": stats.firings,
        "series": stats.series,
        "firing_seconds": round(stats.firing_seconds, 3),
        "median_firing_seconds": round(stats.median_seconds, 3),
        "firings_per_week": round(stats.per_week, 3),
        "short_firings": stats.short_firings,
        "refirings": stats.refirings,
        "longest_refire_gap_seconds": round(stats.longest_refire_gap, 3),
        "still_firing": stats.still_firing,
    }


def alert_json(alert: AlertReview) -> dict[str, Any]:
    body: dict[str, Any] = {"alertname": alert.name, "labels": dict(alert.labels), "generated": alert.rule is not None}
    if alert.rule is not None:
        body["file"] = alert.rule.file
        body["group"] = alert.rule.group
        body["tested_in"] = alert.rule.tested_in
    body["statistics"] = statistics_json(alert.statistics)
    body["findings"] = [
        {"kind": f.kind, "message": f.message, "suggestions": list(f.suggestions)} for f in alert.findings
    ]
    return body


def review_json(review: Review) -> dict[str, Any]:
    """Everything a CI job may want: the history read, the thresholds, every alert judged."""
    history = review.history
    return {
        "history": {
            "files": [{"path": f.path, "format": f.format, "firings": len(f.firings)} for f in history.files],
            "start": utc(history.start),
            "end": utc(history.end),
            "seconds": history.seconds,
            "duration": format_duration(history.seconds),
            "span_from_data": history.span_from_data,
        },
        "thresholds": review.thresholds.as_json(),
        "counts": {kind: len(review.findings(kind)) for kind in FINDING_KINDS},
        "alerts": [alert_json(a) for a in review.alerts],
        "orphans": [alert_json(a) for a in review.orphans],
    }
