"""SLO alerts: multiwindow burn rate (page, ticket), absent metrics, budget exhausted."""

from __future__ import annotations

import functools
from typing import Any

from lgtmgen.catalog.models.base import format_duration
from lgtmgen.generators.slo.records import (
    HOUR,
    identity_selector,
    ratio_record,
    total_record,
    window_events,
)
from lgtmgen.naming import grafana_uid
from lgtmgen.plan import BurnWindow, SLOPlan
from lgtmgen.templating import go_text

BURN_ALERT = "SLOErrorBudgetBurn"
ABSENT_ALERT = "SLOMetricsAbsent"
EXHAUSTED_ALERT = "SLOErrorBudgetExhausted"
ABSENT_FOR_MIN = 600


def alert_labels(plan: SLOPlan, severity: str) -> dict[str, str]:
    """Labels of an SLO alert; Prometheus expands alert label values as templates, hence `go_text`."""
    service, slo = plan.service, plan.slo
    labels = {"severity": go_text(severity)}
    labels.update(_slo_labels(service.team, service.name, slo.name, str(service.tier), service.tenant, slo.sli.kind))
    return labels


@functools.lru_cache(maxsize=4096)
def _slo_labels(team: str, service: str, slo: str, tier: str, tenant: str, sli_kind: str) -> tuple[tuple[str, str], ...]:
    # Once per SLO, not per alert: every alert of an SLO (and its tests) carries them. The catalog
    # refuses an SLO grouped by any of them (RESERVED_GROUP_BY_LABELS; tests/slo/test_group_by_reserved.py
    # holds that list to the labels set here): the alert would overwrite it.
    labels = {"team": team, "service": service, "slo": slo, "tier": tier, "tenant": tenant, "sli_kind": sli_kind}
    return tuple((key, go_text(value)) for key, value in labels.items())


@functools.lru_cache(maxsize=4096)
def dashboard_url(grafana_url: str, service: str) -> str:
    """The service dashboard's address (hashed into its uid once per service, not per alert)."""
    return f"{grafana_url.rstrip('/')}/d/{grafana_uid('service', service)}"


def _annotations(plan: SLOPlan, summary: str, description: str, grafana_url: str) -> dict[str, str]:
    return {
        "summary": summary,
        "description": description,
        "runbook_url": plan.runbook_url,
        "dashboard_url": dashboard_url(grafana_url, plan.service.name),
    }


_ESCAPED_BRACES = go_text("{{")


def expanded(annotations: dict[str, str]) -> dict[str, str]:
    """The annotations as Prometheus prints them: the only template actions are `go_text` escapes."""
    return {key: value.replace(_ESCAPED_BRACES, "{{") for key, value in annotations.items()}


def _who(plan: SLOPlan) -> str:
    return _slo_of(plan.slo.name, plan.service.name)


@functools.lru_cache(maxsize=4096)
def _slo_of(slo: str, service: str) -> str:
    return f"SLO {go_text(slo)} of {go_text(service)}"


def burn_alert(plan: SLOPlan, burn: BurnWindow, grafana_url: str) -> dict[str, Any]:
    """Both windows burn faster than `burn.factor`, and the long window saw enough events."""
    return {
        "alert": BURN_ALERT,
        "expr": burn_expr(plan, burn),
        "labels": burn_labels(plan, burn),
        "annotations": burn_annotations(plan, burn, grafana_url),
    }


def burn_expr(plan: SLOPlan, burn: BurnWindow) -> str:
    sel = identity_selector(plan)
    threshold = f"({burn.factor!r} * {plan.error_budget!r})"
    expr = (
        f"(\n  {ratio_record(burn.long)}{{{sel}}} > {threshold}\nand\n"
        f"  {ratio_record(burn.short)}{{{sel}}} > {threshold}\n)"
    )
    min_events = plan.slo.alerting.min_events
    if min_events:
        expr += f"\nand\n{window_events(plan, 'slo:sli_events:increase', burn.long)} >= {min_events}"
    return expr


def burn_labels(plan: SLOPlan, burn: BurnWindow) -> dict[str, str]:
    # Both window labels are in the catalog's RESERVED_GROUP_BY_LABELS too (a test holds every label set here to it).
    labels = alert_labels(plan, burn.severity)
    labels["long_window"], labels["short_window"] = format_duration(burn.long), format_duration(burn.short)
    return labels


def burn_annotations(plan: SLOPlan, burn: BurnWindow, grafana_url: str) -> dict[str, str]:
    return _annotations(
        plan,
        f"{_who(plan)} is burning its error budget too fast",
        _burn_description(plan.error_budget, plan.period, burn.factor, burn.long, burn.short),
        grafana_url,
    )


@functools.lru_cache(maxsize=1024)
def _burn_description(error_budget: float, period: int, factor: float, long: int, short: int) -> str:
    return (
        f"The error budget ({error_budget * 100:.4g}% of events over {format_duration(period)}) is burning "
        f"more than {factor:g}x faster than allowed over {format_duration(long)} and {format_duration(short)}."
    )


def absent_for(plan: SLOPlan) -> int:
    return max(ABSENT_FOR_MIN, 2 * plan.base_window)


SEEN_WITHIN = "1d"
"""A cluster whose SLI reported within this long and has stopped is reported missing."""


def absent_expr(plan: SLOPlan) -> str:
    """Per cluster: reported within a day (hourly records, cheap) but not now; or nothing at all.

    A cluster gone for longer than `SEEN_WITHIN` counts as decommissioned. The
    `absent` branch covers an SLI that never reported (or no cluster within a day).
    """
    sel = identity_selector(plan)
    current = f"{total_record(plan.base_window)}{{{sel}}}"
    seen = f"max_over_time({total_record(HOUR)}{{{sel}}}[{SEEN_WITHIN}])"
    return (
        f"(\n  max by (cluster) ({seen})\nunless\n  max by (cluster) ({current})\n)\n"
        f"or\n(\n  absent({current})\nunless on ()\n  {seen}\n)"
    )


def absent_alert(plan: SLOPlan, grafana_url: str) -> dict[str, Any]:
    """The SLI's event counts are missing in a cluster that reported them, or everywhere."""
    return {
        "alert": ABSENT_ALERT,
        "expr": absent_expr(plan),
        "for": format_duration(absent_for(plan)),
        "labels": alert_labels(plan, "ticket"),
        "annotations": _annotations(
            plan,
            f"{_who(plan)} has no data",
            "The metrics the SLI is computed from are absent (in the cluster of the alert's cluster "
            "label, or everywhere when it has none), so its burn-rate alerts cannot fire there.",
            grafana_url,
        ),
    }


def exhausted_alert(plan: SLOPlan, grafana_url: str) -> dict[str, Any]:
    """Nothing of the period's error budget is left."""
    return {
        "alert": EXHAUSTED_ALERT,
        "expr": f"slo:error_budget_remaining:ratio{{{identity_selector(plan)}}} <= 0",
        "labels": alert_labels(plan, "ticket"),
        "annotations": _annotations(
            plan,
            f"{_who(plan)} has spent its error budget",
            f"The error budget of the last {format_duration(plan.period)} is exhausted.",
            grafana_url,
        ),
    }
