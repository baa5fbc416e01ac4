"""User-journey rules: success rate, SLO burn alerts, revenue at risk, latency regression.

A journey's success ratio is the product of its steps' success ratios (each step is one
route of one service, measured by that service's request metrics). Revenue at risk is
the rate of started journeys (first step's requests) × (1 − success) × value.
Latency regression compares each step's p99 with the same time one week earlier.

Everything is computed per `cluster`, like the service SLOs: a journey runs where all of its
steps run, its alerts carry the cluster, so a failing staging journey reaches chat rather than
the pager and a cluster outage inhibits it, and one cluster's failures are not diluted by
another's traffic.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models import Service
from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.catalog.models.traces import Journey, JourneyStep
from lgtmgen.generators.service_graph import runbook_link
from lgtmgen.plan import BurnWindow, Plan, derived_windows, resolve_metrics
from lgtmgen.promql import matchers, string_literal
from lgtmgen.templating import go_text

RULES_PATH = "prometheus/rules/traces/journeys.yaml"
SLO_ALERT = "JourneySLOBurn"
REGRESSION_ALERT = "JourneyLatencyRegression"
RATE_WINDOW = 300
MAX_RULES_PER_GROUP = 20
BY = "cluster"
"""What every journey series is kept apart by (the external label each Prometheus sends to Mimir)."""
P99_RECORD = "journey_step:request_duration_seconds:p99_rate5m"


def success_record(window: int) -> str:
    return f"journey:success:ratio_rate{format_duration(window)}"


def _step_selector(service: Service, step: JourneyStep, extra: str = "") -> tuple[str, str]:
    m = resolve_metrics(service)
    labels = {**m.selector, str(m.route_label): step.route}
    return str(m.requests), matchers(labels, extra)


def step_success(service: Service, step: JourneyStep, window: str) -> str:
    """1 − the step's error ratio over `window`; 1 when no error was ever counted."""
    m = resolve_metrics(service)
    metric, total_sel = _step_selector(service, step)
    _, error_sel = _step_selector(
        service, step, f"{m.status_label}=~{string_literal(m.error_status_regex or '')}"
    )
    total = f"sum by ({BY}) (rate({metric}{{{total_sel}}}[{window}]))"
    errors = f"sum by ({BY}) (rate({metric}{{{error_sel}}}[{window}]))"
    return f"(1 - (({errors} or 0 * {total}) / {total}))"


def journey_success(plan: Plan, journey: Journey, window: str) -> str:
    return f"\n* on ({BY})\n".join(step_success(plan.services[s.service], s, window) for s in journey.steps)


def step_p99(service: Service, step: JourneyStep) -> str:
    m = resolve_metrics(service)
    _, sel = _step_selector(service, step)
    window = format_duration(RATE_WINDOW)
    if m.native_histograms:
        return f"histogram_quantile(0.99, sum by ({BY}) (rate({m.duration}{{{sel}}}[{window}])))"
    return f"histogram_quantile(0.99, sum by ({BY}, le) (rate({m.duration}_bucket{{{sel}}}[{window}])))"


def journey_windows(plan: Plan, journey: Journey) -> tuple[int, tuple[BurnWindow, ...]]:
    defaults = plan.catalog.defaults
    period = int(parse_duration(journey.slo.period or defaults.slo_period))
    return period, derived_windows(period, defaults)


def _labels(journey: Journey, service: str, severity: str) -> dict[str, str]:
    """Alert labels; Prometheus expands their values as Go templates, hence `go_text`."""
    return {
        "severity": severity,
        "team": journey.team,
        "service": go_text(service),
        "tier": str(journey.tier),
        "journey": journey.name,
    }


def _burn_alert(journey: Journey, severity: str, burns: list[BurnWindow], budget: float) -> dict[str, Any]:
    sel = matchers({"journey": journey.name})
    conditions = []
    for b in burns:
        threshold = f"({b.factor!r} * {budget!r})"
        conditions.append(
            f"(\n  (1 - {success_record(b.long)}{{{sel}}}) > {threshold}\nand\n"
            f"  (1 - {success_record(b.short)}{{{sel}}}) > {threshold}\n)"
        )
    return {
        "alert": SLO_ALERT,
        "expr": "\nor\n".join(conditions),
        "labels": _labels(journey, journey.steps[0].service, severity),
        "annotations": {
            "summary": f"Journey {go_text(journey.name)} is failing faster than its SLO allows",
            "description": (
                f"Successful journeys should stay above {journey.slo.objective:g}%. Failed share over "
                "the long window: {{ $value | humanizePercentage }}."
            ),
        },
    }


def journey_group(plan: Plan, journey: Journey) -> dict[str, Any]:
    """Success ratios per burn window, started/failed rates, revenue at risk and SLO alerts."""
    period, burns = journey_windows(plan, journey)
    windows = sorted({RATE_WINDOW} | {w for b in burns for w in (b.long, b.short)})
    identity = {"journey": journey.name}
    sel = matchers(identity)
    first = journey.steps[0]
    metric, first_sel = _step_selector(plan.services[first.service], first)
    objective = round(journey.slo.objective / 100, 12)
    budget = round(1 - objective, 12)
    rules: list[dict[str, Any]] = [
        {"record": success_record(w), "expr": journey_success(plan, journey, format_duration(w)), "labels": dict(identity)}
        for w in windows
    ]
    rules += [
        {"record": "journey:started:rate5m", "expr": f"sum by ({BY}) (rate({metric}{{{first_sel}}}[{format_duration(RATE_WINDOW)}]))", "labels": dict(identity)},
        {
            "record": "journey:failed:rate5m",
            "expr": f"journey:started:rate5m{{{sel}}} * on ({BY}, journey) (1 - {success_record(RATE_WINDOW)}{{{sel}}})",
            "labels": dict(identity),
        },
        {
            "record": "journey:revenue_at_risk:rate5m",
            "expr": f"journey:failed:rate5m{{{sel}}} * {journey.value!r}",
            "labels": {**identity, "currency": journey.currency},
        },
        {"record": "journey:objective:ratio", "expr": f"vector({objective!r})", "labels": dict(identity)},
        {"record": "journey:period:seconds", "expr": f"vector({period})", "labels": dict(identity)},
    ]
    for severity in ("page", "ticket"):
        chosen = [b for b in burns if b.severity == severity]
        if chosen:
            alert = _burn_alert(journey, severity, chosen, budget)
            alert["annotations"]["runbook_url"] = runbook_link(plan, first.service, SLO_ALERT)
            rules.append(alert)
    return {"name": f"journey:{journey.name}", "rules": rules}


def latency_rules(plan: Plan, journey: Journey) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for n, step in enumerate(journey.steps, start=1):
        identity = {"journey": journey.name, "step": str(n), "service": step.service, "route": step.route}
        sel = matchers({"journey": journey.name, "step": str(n)})
        rules.append({"record": P99_RECORD, "expr": step_p99(plan.services[step.service], step), "labels": identity})
        rules.append(
            {
                "alert": REGRESSION_ALERT,
                "expr": (
                    f"{P99_RECORD}{{{sel}}}\n> {journey.latency_regression_factor!r} * "
                    f"({P99_RECORD}{{{sel}}} offset 1w)"
                ),
                "for": "30m",
                "labels": {**_labels(journey, step.service, "ticket"), "step": str(n)},
                "annotations": {
                    "summary": (
                        f"Step {n} of journey {go_text(journey.name)} ({go_text(step.service)} "
                        f"{go_text(step.route)}) is slower than last week"
                    ),
                    "description": (
                        f"p99 latency is {{{{ $value | humanizeDuration }}}}, more than "
                        f"{journey.latency_regression_factor:g}x the p99 at the same time one week ago."
                    ),
                    "runbook_url": runbook_link(plan, step.service, REGRESSION_ALERT),
                },
            }
        )
    return rules


def journey_rules(plan: Plan) -> dict[str, Any]:
    groups: list[dict[str, Any]] = []
    for journey in plan.catalog.journeys:
        group = journey_group(plan, journey)
        latency = latency_rules(plan, journey)
        groups.append(group)
        for i in range(0, len(latency), MAX_RULES_PER_GROUP):
            suffix = f":{i // MAX_RULES_PER_GROUP + 1}" if len(latency) > MAX_RULES_PER_GROUP else ""
            groups.append({"name": f"journey:{journey.name}:latency{suffix}", "rules": latency[i : i + MAX_RULES_PER_GROUP]})
    return {"groups": groups}


class JourneyRules:
    """Recording and alerting rules of every declared user journey."""

    name = "journeys"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        if not plan.catalog.journeys:
            return
        yield Artifact(
            path=RULES_PATH,
            role=Role.PROMETHEUS_RULES,
            data=journey_rules(plan),
            comment="User journeys: success SLOs, revenue at risk and latency regression.",
        )
