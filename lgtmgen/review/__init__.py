"""Alert-effectiveness review: exported alert history against the alerts a catalog generates.

`read_history` reads the files (Prometheus/Mimir range queries of ``ALERTS``, Alertmanager
webhook notifications), `generated_alert_rules` lists the alerts of the catalog's Plan, and
`review_alerts` judges each: noisy, flapping, never firing, and the orphans no rule explains.
"""

from lgtmgen.review.findings import (
    FINDING_KINDS,
    AlertReview,
    Finding,
    Review,
    Thresholds,
    review_alerts,
)
from lgtmgen.review.history import Firing, History, HistoryError, UnreadableHistory, read_history
from lgtmgen.review.rules import AlertRule, generated_alert_rules

__all__ = [
    "FINDING_KINDS",
    "AlertReview",
    "AlertRule",
    "Finding",
    "Firing",
    "History",
    "HistoryError",
    "Review",
    "Thresholds",
    "UnreadableHistory",
    "generated_alert_rules",
    "read_history",
    "review_alerts",
]
