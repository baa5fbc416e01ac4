"""Prometheus alerting rules the routing relies on: page escalation and cluster outage.

Escalation is a rule, not Alertmanager repeat mechanics: `ALERTS` holds every
firing alert of the same evaluator, and `for:` makes a page that has been
firing for `alerting.escalation.after` a new alert labelled
``escalated="true"``, which the routing tree sends to the team's
`escalate_to` receiver. It keeps the original labels (team, service, tier,
cluster ...) so inhibitions of the page, and silences that leave out
`alertname`, cover it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lgtmgen.catalog.models.alerting import ClusterOutage, Escalation
from lgtmgen.generators.alertmanager.names import (
    CLUSTER_OUTAGE_ALERT,
    ESCALATED_LABEL,
    ESCALATION_ALERT,
    ESCALATION_ORIGIN_LABEL,
)
from lgtmgen.promql import string_literal
from lgtmgen.regex import alternation
from lgtmgen.runbook_links import runbook_page_url
from lgtmgen.templating import go_text

RUNBOOK_PATH = "docs/runbooks/_alerting.md"


def runbook_link(runbook_base_url: str, anchor: str) -> str:
    """The runbook section of an alert of this layer; annotations are Go templates, hence `go_text`."""
    return go_text(runbook_page_url(runbook_base_url, RUNBOOK_PATH.removeprefix("docs/runbooks/"), anchor))


def escalation_group(
    escalation: Escalation,
    teams: list[str],
    runbook_base_url: str,
    non_production: Sequence[str] = (),
) -> dict[str, Any]:
    """One rule escalating the pages of `teams` (those with `escalate_to`).

    team and service are label templates that copy the page's own values, so
    the rule states the routing labels it carries. Pages of `non_production`
    clusters reach chat only and never escalate; a page without `cluster` (as
    in a cluster's own Prometheus, which adds it only when sending) still
    escalates here, and the routing tree sends that escalation to chat.
    """
    matchers = [
        'alertstate="firing"',
        'severity="page"',
        f'{ESCALATED_LABEL}!="true"',
        f"team=~{string_literal(alternation(teams))}",
    ]
    if non_production:
        matchers.append(f"cluster!~{string_literal(alternation(non_production))}")
    pages = f"ALERTS{{{','.join(matchers)}}}"
    expr = (
        "max without (alertname, alertstate) (\n"
        f'  label_replace({pages}, "{ESCALATION_ORIGIN_LABEL}", "$1", "alertname", "(.*)")\n'
        ")"
    )
    return {
        "name": "alerting:escalation",
        "rules": [
            {
                "alert": ESCALATION_ALERT,
                "expr": expr,
                "for": escalation.after,
                "labels": {
                    "severity": "page",
                    "team": "{{ $labels.team }}",
                    "service": "{{ $labels.service }}",
                    ESCALATED_LABEL: "true",
                },
                "annotations": {
                    "summary": (
                        "{{ $labels.escalated_alertname }} of {{ $labels.service }} has been paging for "
                        f"more than {escalation.after} without being resolved"
                    ),
                    "description": "Escalated to the team's second receiver.",
                    "runbook_url": runbook_link(runbook_base_url, "page-escalation"),
                },
            }
        ],
    }


def outage_expr(outage: ClusterOutage) -> str:
    """The declared expression, or the share of critical targets up per cluster below the threshold."""
    if outage.expr is not None:
        return outage.expr
    up = f"up{{job=~{string_literal(alternation(outage.critical_jobs))}}}"
    return f"(sum by (cluster) ({up}) / count by (cluster) ({up})) < {outage.min_up_ratio!r}"


SILENCE_WINDOW = "5m"
"""How long a cluster's `up` may be missing from Mimir before the cluster counts as silent."""


def silent_clusters_expr(clusters: list[str]) -> str:
    """Each of `clusters` whose `up` stopped reaching Mimir (labelled with its `cluster`)."""
    return "\nor\n".join(
        f"absent_over_time(up{{cluster={string_literal(c)}}}[{SILENCE_WINDOW}])" for c in clusters
    )


def cluster_outage_group(outage: ClusterOutage, runbook_base_url: str) -> dict[str, Any]:
    """The cluster outage alert: a tier-1 page of the declared team."""
    return {
        "name": "alerting:cluster-outage",
        "rules": [
            {
                "alert": CLUSTER_OUTAGE_ALERT,
                "expr": outage_expr(outage),
                "for": outage.for_,
                "labels": _outage_labels(outage),
                "annotations": {
                    "summary": "Cluster {{ $labels.cluster }} is down",
                    "description": (
                        "The cluster's critical targets are failing; per-service alerts in this "
                        "cluster are inhibited while this fires."
                    ),
                    "runbook_url": runbook_link(runbook_base_url, "cluster-outage"),
                },
            }
        ],
    }


def cluster_silence_group(outage: ClusterOutage, runbook_base_url: str, clusters: list[str]) -> dict[str, Any]:
    """The cluster outage alert for each of `clusters` whose `up` stopped reaching Mimir.

    For the Mimir ruler, outside the clusters: a cluster whose Prometheus, network or region is
    gone sends no failing targets, only silence, and a cluster's own Prometheus cannot see
    itself go. Its `cause` label sets it apart from the targets rule (promtool takes two rules
    of one name and labels in a file for duplicates).
    """
    return {
        "name": "alerting:cluster-silence",
        "rules": [
            {
                "alert": CLUSTER_OUTAGE_ALERT,
                "expr": silent_clusters_expr(clusters),
                "for": outage.for_,
                "labels": {**_outage_labels(outage), "cause": "no-metrics"},
                "annotations": {
                    "summary": "Cluster {{ $labels.cluster }} sends no metrics",
                    "description": (
                        f"No `up` series of the cluster reached Mimir for {SILENCE_WINDOW}: its Prometheus, "
                        "its network or the whole cluster is gone. Per-service alerts in this cluster are "
                        "inhibited while this fires."
                    ),
                    "runbook_url": runbook_link(runbook_base_url, "cluster-outage"),
                },
            }
        ],
    }


def _outage_labels(outage: ClusterOutage) -> dict[str, str]:
    return {"severity": "page", "team": outage.team, "service": go_text(outage.service), "tier": "1"}
