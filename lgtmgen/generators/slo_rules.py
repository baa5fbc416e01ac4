"""SLO recording rules, metadata rules and multiwindow multi-burn-rate alerts.

One rule file per service, one group per SLO (at most 20 rules, Mimir's
default per-group limit). Recorded series are named ``slo:<what>:<operation>``
and carry the SLO's identity labels (service, slo).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models.base import format_duration
from lgtmgen.naming import grafana_uid, slug
from lgtmgen.plan import BurnWindow, Plan, SLOPlan
from lgtmgen.promql import matchers
from lgtmgen.sli import error_ratio
from lgtmgen.templating import go_text

ALERT_NAME = "SLOErrorBudgetBurn"


def ratio_record(window: int) -> str:
    return f"slo:sli_error:ratio_rate{format_duration(window)}"


def recorded_windows(plan: SLOPlan) -> list[int]:
    windows = {w for b in plan.windows for w in (b.long, b.short)}
    windows.add(plan.period)
    return sorted(windows)


def _recording_rules(plan: SLOPlan) -> list[dict[str, Any]]:
    labels = plan.identity
    rules: list[dict[str, Any]] = [
        {"record": ratio_record(w), "expr": error_ratio(plan, format_duration(w)), "labels": dict(labels)}
        for w in recorded_windows(plan)
    ]
    sel = matchers(labels)
    period = format_duration(plan.period)
    rules += [
        {"record": "slo:objective:ratio", "expr": f"vector({plan.objective!r})", "labels": dict(labels)},
        {"record": "slo:error_budget:ratio", "expr": f"vector({plan.error_budget!r})", "labels": dict(labels)},
        {"record": "slo:period:seconds", "expr": f"vector({plan.period})", "labels": dict(labels)},
        {
            "record": "slo:error_budget_remaining:ratio",
            "expr": f"1 - {ratio_record(plan.period)}{{{sel}}} / {plan.error_budget!r}",
            "labels": dict(labels),
        },
    ]
    del period
    return rules


def _condition(plan: SLOPlan, burn: BurnWindow) -> str:
    sel = matchers(plan.identity)
    threshold = f"({burn.factor!r} * {plan.error_budget!r})"
    return (
        f"(\n  {ratio_record(burn.long)}{{{sel}}} > {threshold}\nand\n"
        f"  {ratio_record(burn.short)}{{{sel}}} > {threshold}\n)"
    )


def alert_labels(plan: SLOPlan, severity: str) -> dict[str, str]:
    service = plan.service
    return {
        "severity": severity,
        "team": service.team,
        "service": service.name,
        "slo": plan.slo.name,
        "tier": str(service.tier),
        "tenant": service.tenant,
        "sli_kind": plan.slo.sli.kind,
    }


def _describe(plan: SLOPlan, burns: list[BurnWindow]) -> str:
    budget = plan.error_budget * 100
    pairs = "; ".join(
        f"{b.factor:g}x over {format_duration(b.long)} and {format_duration(b.short)}" for b in burns
    )
    return (
        f"The error budget ({budget:.4g}% of events over {format_duration(plan.period)}) is burning "
        f"faster than allowed ({pairs}). Current error ratio over the long window: "
        "{{ $value | humanizePercentage }}."
    )


def _alert(plan: SLOPlan, severity: str, grafana_url: str) -> dict[str, Any] | None:
    burns = [b for b in plan.windows if b.severity == severity]
    if not burns:
        return None
    summary = (
        f"{go_text(plan.service.name)} is burning the error budget of SLO "
        f"{go_text(plan.slo.name)} too fast"
    )
    dashboard = f"{grafana_url.rstrip('/')}/d/{grafana_uid('service', plan.service.name)}"
    return {
        "alert": ALERT_NAME,
        "expr": "\nor\n".join(_condition(plan, b) for b in burns),
        "labels": alert_labels(plan, severity),
        "annotations": {
            "summary": summary,
            "description": _describe(plan, burns),
            "runbook_url": plan.runbook_url,
            "dashboard_url": dashboard,
        },
    }


def slo_group(plan: SLOPlan, grafana_url: str) -> dict[str, Any]:
    rules = _recording_rules(plan)
    alerting = plan.slo.alerting
    for severity, wanted in (("page", alerting.page), ("ticket", alerting.ticket)):
        alert = _alert(plan, severity, grafana_url) if wanted else None
        if alert is not None:
            rules.append(alert)
    return {
        "name": f"slo:{plan.service.name}:{plan.slo.name}",
        "interval": format_duration(plan.evaluation_interval),
        "rules": rules,
    }


class SLORules:
    """Prometheus rule files with the SLO rules of each service."""

    name = "slo-rules"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        grafana_url = plan.catalog.defaults.grafana_url
        for service in plan.catalog.services:
            slos = plan.slos_of(service.name)
            if not slos:
                continue
            yield Artifact(
                path=f"prometheus/rules/slo/{slug(service.name)}.yaml",
                role=Role.PROMETHEUS_RULES,
                data={"groups": [slo_group(s, grafana_url) for s in slos]},
                comment=f"SLO rules of service {service.name!r} (team {service.team}).",
            )
