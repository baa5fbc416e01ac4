"""promtool unit tests proving the timing of every SLO alert.

The inputs are the recorded base-window event counts (the one place an SLI
kind differs), so the same scenarios hold for every kind, custom PromQL
included. Per SLO: a full outage pages no later than the Workbook detection
time plus one evaluation interval and the page resolves within the short
window; a steady 0.9x burn raises nothing; a steady 2x burn raises the ticket,
not the page, and exhausts the budget; absent metrics raise their ticket; with
low-traffic protection, an outage below the event floor does not page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models.base import format_duration
from lgtmgen.generators.slo.alerts import (
    ABSENT_ALERT,
    BURN_ALERT,
    EXHAUSTED_ALERT,
    absent_alert,
    absent_for,
    burn_alert,
    exhausted_alert,
    expanded,
)
from lgtmgen.generators.slo.records import (
    HOUR,
    SLOW_INTERVAL,
    errors_record,
    fast_pair,
    total_record,
    uses_hourly,
)
from lgtmgen.generators.slo_rules import service_rule_files
from lgtmgen.naming import slug
from lgtmgen.plan import BurnWindow, Plan, SLOPlan
from lgtmgen.promql import matchers

TEST_CLUSTER = "test-cluster"
STEADY_CHECK = 2 * SLOW_INTERVAL
"""Every group, hourly included, has evaluated on the steady inputs by then."""
MAX_OUTAGE = 20 * 60
AMBIGUITY = 0.1
"""Steady-burn scenarios are left out when a factor lies within 10% of the burn tested."""

Test = dict[str, Any]


def series_labels(plan: SLOPlan) -> dict[str, str]:
    extra = {label: "test" for label in plan.group_by if label != "cluster"}
    return {**plan.identity, "cluster": TEST_CLUSTER, **extra}


def compact(values: list[float]) -> str:
    """promtool's expanding notation: runs of equal steps as ``a+bxn``."""
    parts: list[str] = []
    i = 0
    while i < len(values):
        j = i + 1
        step = values[j] - values[i] if j < len(values) else 0.0
        while j + 1 < len(values) and math.isclose(values[j + 1] - values[j], step, abs_tol=1e-9):
            j += 1
        if j >= len(values):
            j = len(values) - 1
        count = j - i
        step_text = _num(step) if count else "0"
        sign = "" if step_text.startswith("-") else "+"
        parts.append(f"{_num(values[i])}{sign}{step_text}x{count}")
        i = j + 1
    return " ".join(parts)


def _num(value: float) -> str:
    text = repr(round(value, 9))
    return text.removesuffix(".0")


def _inputs(plan: SLOPlan, steps: int, rate: float, error_seconds: Callable[[int, int], float]) -> list[dict[str, str]]:
    """Base-window counts for `steps` evaluations; `error_seconds(lo, hi)` weighs (lo, hi] by error share."""
    e, base = plan.evaluation_interval, plan.base_window
    labels = series_labels(plan)
    totals = [rate * base] * (steps + 1)
    errors = []
    for i in range(steps + 1):
        t = i * e
        errors.append(rate * error_seconds(t - base, t))
    return [
        {"series": f"{errors_record(base)}{{{matchers(labels)}}}", "values": compact(errors)},
        {"series": f"{total_record(base)}{{{matchers(labels)}}}", "values": compact(totals)},
    ]


def _expect(plan: SLOPlan, alert: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    return {"exp_labels": expanded({**alert["labels"], **labels}), "exp_annotations": expanded(alert["annotations"])}


def _burn_check(plan: SLOPlan, at: int, burns: list[BurnWindow], url: str) -> dict[str, Any]:
    labels = series_labels(plan)
    return {
        "eval_time": format_duration(at),
        "alertname": BURN_ALERT,
        "exp_alerts": [_expect(plan, burn_alert(plan, b, url), labels) for b in burns],
    }


def _event_rate(plan: SLOPlan, low: bool = False) -> float:
    pair = fast_pair(plan) or plan.windows[0]
    floor = plan.slo.alerting.min_events / pair.long
    return floor / 4 if low else max(1.0, 2 * floor)


def full_outage(plan: SLOPlan, url: str, *, low_traffic: bool = False) -> Test | None:
    pair = fast_pair(plan)
    if pair is None or pair.factor * plan.error_budget >= 1:
        return None
    e = plan.evaluation_interval
    detection = pair.factor * plan.error_budget * pair.long
    fired = math.floor((detection + e) / e) * e
    others = [b for b in plan.windows if b != pair]
    # Enough clean history that no other condition read from the base counts can reach its
    # threshold with the outage's errors. promtool evaluates every group at the test's interval,
    # so hourly sums overlap there and trail a short outage; a long outage (a low objective) could
    # raise them within the scenario, so it is left out.
    if fired > MAX_OUTAGE:
        return None
    history = max(
        [pair.long]
        + [min(b.long, 1.2 * fired / (b.factor * plan.error_budget)) for b in others if not uses_hourly(b.long)]
    )
    start = math.ceil(history / HOUR) * HOUR + plan.base_window
    end = start + fired
    resolved = end + pair.short + e
    if start % e or any(
        not uses_hourly(b.long) and b.factor * plan.error_budget * b.long <= fired + e for b in others
    ):
        return None
    steps = (resolved + e) // e
    checks = [
        _burn_check(plan, start - e, [], url),
        _burn_check(plan, start + fired, [] if low_traffic else [pair], url),
    ]
    if not low_traffic:
        checks.append(_burn_check(plan, resolved, [], url))
    name = "low traffic: an outage below min_events does not page" if low_traffic else (
        f"full outage pages within {detection:g}s + one evaluation interval and resolves within {format_duration(pair.short)}"
    )
    return {
        "name": f"{plan.service.name}/{plan.slo.name}: {name}",
        "interval": format_duration(e),
        "input_series": _inputs(plan, steps, _event_rate(plan, low_traffic), lambda lo, hi: max(0, min(hi, end) - max(lo, start))),
        "alert_rule_test": checks,
    }


def steady_burn(plan: SLOPlan, url: str, burn: float) -> Test | None:
    if burn * plan.error_budget >= 1 or any(abs(b.factor - burn) <= AMBIGUITY * burn for b in plan.windows):
        return None
    alerting = plan.slo.alerting
    expected = [
        b for b in plan.windows
        if b.factor < burn and (alerting.page if b.severity == "page" else alerting.ticket)
    ]
    if any(b.severity == "page" for b in expected) and burn < 1:
        return None
    labels = series_labels(plan)
    checks = [_burn_check(plan, STEADY_CHECK, expected, url)]
    if alerting.budget_exhausted:
        exhausted = [_expect(plan, exhausted_alert(plan, url), labels)] if burn > 1 else []
        checks.append({"eval_time": format_duration(STEADY_CHECK), "alertname": EXHAUSTED_ALERT, "exp_alerts": exhausted})
    share = burn * plan.error_budget
    what = "raises nothing" if not expected else "raises " + ", ".join(sorted({b.severity for b in expected})) + " only"
    return {
        "name": f"{plan.service.name}/{plan.slo.name}: a steady {burn:g}x burn {what}",
        "interval": format_duration(plan.evaluation_interval),
        "input_series": _inputs(plan, STEADY_CHECK // plan.evaluation_interval, _event_rate(plan), lambda lo, hi: share * (hi - lo)),
        "alert_rule_test": checks,
    }


def absent_metrics(plans: list[SLOPlan], url: str) -> Test | None:
    """With no metrics at all, every SLO of the file that asks for it raises its absent ticket."""
    wanted = [p for p in plans if p.slo.alerting.absent]
    if not wanted:
        return None
    e = plans[0].evaluation_interval
    at = max(absent_for(p) for p in wanted) + 2 * SLOW_INTERVAL
    return {
        "name": f"{plans[0].service.name}: absent metrics raise a ticket for every SLO",
        "interval": format_duration(e),
        "input_series": [{"series": 'lgtmgen_unrelated{job="test"}', "values": f"1+0x{at // e}"}],
        "alert_rule_test": [
            {
                "eval_time": format_duration(at),
                "alertname": ABSENT_ALERT,
                "exp_alerts": [_expect(p, absent_alert(p, url), dict(p.identity)) for p in wanted],
            }
        ],
    }


def slo_tests(plan: SLOPlan, url: str) -> list[Test]:
    """Every scenario that applies to `plan` (a scenario whose outcome is ambiguous is left out)."""
    found = [full_outage(plan, url), steady_burn(plan, url, 0.9), steady_burn(plan, url, 2.0)]
    if plan.slo.alerting.min_events:
        found.append(full_outage(plan, url, low_traffic=True))
    return [t for t in found if t is not None]


class SLOTests:
    """promtool unit tests for the SLO rules of each service."""

    name = "slo-tests"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        url = plan.catalog.defaults.grafana_url
        for service, _team, slos in service_rule_files(plan):
            name = slug(service)
            yield Artifact(
                path=f"prometheus/tests/slo/{name}.yaml",
                role=Role.PROMETHEUS_RULE_TESTS,
                data={
                    "rule_files": [f"../../rules/slo/{name}.yaml"],
                    "evaluation_interval": format_duration(slos[0].evaluation_interval),
                    "tests": [t for s in slos for t in slo_tests(s, url)]
                    + [t for t in (absent_metrics(slos, url),) if t is not None],
                },
                comment=f"promtool test rules: alert timing of the SLOs of service {service!r}.",
            )


__all__ = ["SLOTests", "compact", "slo_tests"]
