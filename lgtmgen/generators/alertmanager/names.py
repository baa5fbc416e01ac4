"""Receiver names, label names and values shared by routes, receivers, rules and route tests."""

from __future__ import annotations

from typing import Literal

ReceiverKind = Literal[
    "page", "page-business-hours", "chat", "ticket", "escalation", "escalation-business-hours"
]

CATCH_ALL = "catch-all"
# Not "catch-all-page": that is the page receiver of a team named catch-all.
CATCH_ALL_PAGER = "catch-all-pager"
BUSINESS_HOURS = "business-hours"
ESCALATED_LABEL = "escalated"
ESCALATION_ALERT = "PageEscalation"
ESCALATION_ORIGIN_LABEL = "escalated_alertname"
CLUSTER_OUTAGE_ALERT = "ClusterOutage"
LOWER_TIERS = ("2", "3")
SEVERITIES = ("page", "ticket", "info")
TIERS = ("1", "2", "3")


def receiver_name(team: str, kind: ReceiverKind) -> str:
    """``payments-page``, ``payments-chat`` ...; team names are identifiers, so these are too."""
    return f"{team}-{kind}"
