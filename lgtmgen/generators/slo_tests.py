"""promtool unit tests proving the timing of every SLO alert.

The inputs are the raw series each SLI kind reads, derived from the SLO's plan
(`lgtmgen.generators.slo.feeds`); custom PromQL cannot be inverted, so its
tests feed the recorded base counts and say so. Per SLO: a full outage pages
no later than the Workbook detection time plus one evaluation interval and the
page resolves within its short window, every other condition as the model
computes it (`lgtmgen.generators.slo.model`); a steady 0.9x burn raises nothing;
a steady 2x burn raises the tickets with a smaller factor and exhausts the
budget; steady burns 5% below and above every condition's factor raise exactly
the conditions under them (a threshold written 5% off fails); with low-traffic
protection, an outage below the event floor does not page. Per service: absent metrics, and one cluster that stops reporting, raise
their ticket.

promtool evaluates every rule of the file at every step of every test, so the
SLOs of a service share tests where no expectation changes: their full outages
run one after the other in one test (`staggered_outages`), and their steady
burns at once, one test per burn level.

The scenarios of an SLO whose input series another SLO of its service also reads
(two objectives on one request counter, two latency thresholds on one histogram)
cannot run against the service's rule file: the sibling would see the same
outage and raise alerts of the same name. Such an SLO's scenarios get a test file
of their own (`<service>/<slo>.yaml`) beside the rules of that SLO alone
(`<service>/<slo>.rules.yaml`, the same rules as in the service's file, built by
the same function; a test holds them equal).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.burn_windows import burn_can_fire
from lgtmgen.catalog.models.base import format_duration
from lgtmgen.catalog.models.slo import EventsSLI, ProbeSLI
from lgtmgen.generators.slo.alerts import (
    ABSENT_ALERT,
    BURN_ALERT,
    EXHAUSTED_ALERT,
    absent_alert,
    absent_for,
    burn_annotations,
    burn_labels,
    exhausted_alert,
    expanded,
)
from lgtmgen.generators.slo.feeds import Layout, Traffic, feed_layout
from lgtmgen.generators.slo.groups import slo_rule_group_names, slo_rule_groups
from lgtmgen.generators.slo.labels import Matcher, label_set, selector_matchers
from lgtmgen.generators.slo.model import Verdict
from lgtmgen.generators.slo.records import fast_pair
from lgtmgen.generators.slo.scenarios import (
    STEADY_CHECK,
    Staggered,
    outage_outcome,
    per_step_events,
    staggered_outages,
    steady_outcome,
    traffic_of,
)
from lgtmgen.generators.slo.series import compact, input_series
from lgtmgen.generators.slo_rules import service_rule_files
from lgtmgen.naming import slug
from lgtmgen.plan import BurnWindow, Plan, SLOPlan
from lgtmgen.promql import selected_metrics
from lgtmgen.sli import event_counts

TEST_CLUSTER = "test-cluster"
OTHER_CLUSTER = "test-cluster-2"
STOP_AT = 20 * 60
LOOKBACK = 5 * 60
"""Prometheus' lookback delta (promtool's too): how long an instant query still sees a series after its last sample."""
NUDGE = 1.05
"""A steady burn that ties a window's factor exactly is moved by 5% (and the test name says so)."""

Test = dict[str, Any]


def series_labels(plan: SLOPlan, cluster: str = TEST_CLUSTER) -> dict[str, str]:
    """The labels a test's series and alerts carry: the cluster, and each `group_by` label at a
    value the SLI's selectors accept (`job` grouped on a `job="api"` service is "api"), else "test"."""
    return {"cluster": cluster, **_grouped_values(plan)}


def _grouped_values(plan: SLOPlan) -> dict[str, str]:
    """The `group_by` labels at values the SLI's selectors match, found as the input series' labels
    are (`label_set`): the series then carry the values their alerts are expected with. A custom
    query's selectors are unknown: its labels stay "test"."""
    grouped = {label: "test" for label in plan.group_by if label != "cluster"}
    if not grouped:
        return {}
    sli = plan.slo.sli
    texts = [sli.total, sli.good, sli.bad] if isinstance(sli, EventsSLI) else []
    texts += [sli.selector] if isinstance(sli, ProbeSLI) else []
    selectors = [tuple(Matcher(k, "=", v) for k, v in plan.metrics.selector.items())]
    selectors += [found for text in texts if text and (found := selector_matchers(text)) is not None]
    on_grouped = [tuple(m for m in sel if m.label in grouped) for sel in selectors]
    resolved = label_set(grouped, [sel for sel in on_grouped if sel], []) or grouped
    return {label: resolved[label] for label in grouped}


def _expect(alert: dict[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
    return _expected(alert["labels"], alert["annotations"], labels)


def _expected(labels: dict[str, str], annotations: dict[str, str], extra: Mapping[str, str]) -> dict[str, Any]:
    return {"exp_labels": expanded({**labels, **extra}), "exp_annotations": expanded(annotations)}


class _Context:
    """Per-SLO pieces reused by its scenarios and its service's tests (alert bodies, labels, input layouts)."""

    def __init__(self, plan: SLOPlan, url: str) -> None:
        self.plan, self.url = plan, url
        self.labels = {**plan.identity, **series_labels(plan)}
        self._layouts: dict[str, Layout] = {}
        self.layout = self.layout_in(TEST_CLUSTER)
        self._burns: dict[BurnWindow, dict[str, Any]] = {}

    def layout_in(self, cluster: str) -> Layout:
        found = self._layouts.get(cluster)
        if found is None:
            found = self._layouts[cluster] = feed_layout(self.plan, series_labels(self.plan, cluster))
        return found

    def burn_alerts(self, burns: Iterable[BurnWindow]) -> list[dict[str, Any]]:
        alerts = []
        for burn in burns:
            found = self._burns.get(burn)
            if found is None:
                # Labels and annotations only: the expression is the rule file's business.
                labels, annotations = burn_labels(self.plan, burn), burn_annotations(self.plan, burn, self.url)
                found = self._burns[burn] = _expected(labels, annotations, self.labels)
            alerts.append(found)
        return alerts

    def burn_check(self, at: int, burns: Iterable[BurnWindow]) -> dict[str, Any]:
        return {"eval_time": format_duration(at), "alertname": BURN_ALERT, "exp_alerts": self.burn_alerts(burns)}

    @functools.cached_property
    def exhausted(self) -> dict[str, Any]:
        return _expect(exhausted_alert(self.plan, self.url), self.labels)

    @functools.cached_property
    def absent(self) -> dict[str, Any]:
        return absent_alert(self.plan, self.url)

    def inputs_note(self) -> str:
        return "" if self.layout.raw else " [inputs: recorded base counts, custom PromQL is not invertible]"


def _recorded_note(contexts: list[_Context]) -> str:
    """What a test of several SLOs says of those fed their recorded counts (custom PromQL)."""
    recorded = [c.plan.slo.name for c in contexts if not c.layout.raw]
    return f" [inputs of {', '.join(recorded)}: recorded base counts, custom PromQL is not invertible]" if recorded else ""


def _outage_pages(ctx: _Context) -> bool:
    """Whether a full outage can fire the SLO's fastest page (an outage test applies)."""
    pair = fast_pair(ctx.plan)
    return pair is not None and pair.can_fire(ctx.plan.error_budget)


def _floor_tested(ctx: _Context) -> bool:
    """Whether an outage below the SLO's event floor is tested (a probe's floor counts series, not traffic)."""
    return bool(ctx.plan.slo.alerting.min_events) and ctx.layout.kind != "probe"


def outages(contexts: list[_Context], *, low_traffic: bool = False) -> list[Test]:
    """The full outages of the SLOs of one rule file: one staggered test when they can share it
    (`staggered_outages`, not below the event floor), else a test each."""
    wanted = [c for c in contexts if _outage_pages(c) and (_floor_tested(c) or not low_traffic)]
    if len(wanted) > 1 and not low_traffic:
        staggered = staggered_outages([(c.plan, c.layout) for c in wanted])
        if staggered is not None:
            return [_staggered_test(wanted, staggered)]
    return [t for c in wanted if (t := full_outage(c, low_traffic=low_traffic)) is not None]


def _staggered_test(contexts: list[_Context], staggered: Staggered) -> Test:
    first = contexts[0].plan
    parts, modelled = [], False
    for k, (ctx, start) in enumerate(zip(contexts, staggered.starts, strict=True)):
        plan, pair = ctx.plan, fast_pair(ctx.plan)
        assert pair is not None
        detection = pair.factor * plan.error_budget * pair.long
        parts.append(
            f"{plan.slo.name} from {format_duration(start)} pages within {detection:g}s "
            f"+ one evaluation interval and resolves within {format_duration(pair.short)}"
        )
        modelled = modelled or any(b != pair for burns in staggered.expected[k] for b in burns)
        modelled = modelled or sum(pair in burns for burns in staggered.expected[k]) > 1
    what = f"full outages after {format_duration(staggered.starts[0])} of clean traffic, one SLO after the other"
    name = f"{first.service.name}: {what}: " + "; ".join(parts)
    if modelled:
        name += "; other conditions as modelled, evaluated every step here (5m or 1h apart in production)"
    name += _recorded_note(contexts)
    e = first.evaluation_interval
    return {
        "name": name,
        "interval": format_duration(e),
        "input_series": [
            item
            for ctx, traffic in zip(contexts, staggered.traffics, strict=True)
            for item in input_series(ctx.layout, traffic, ctx.plan.base_window)
        ],
        "alert_rule_test": [
            {
                "eval_time": format_duration(at),
                "alertname": BURN_ALERT,
                "exp_alerts": [
                    alert for k, ctx in enumerate(contexts) for alert in ctx.burn_alerts(staggered.expected[k][n])
                ],
            }
            for n, at in enumerate(staggered.times)
        ],
    }


def full_outage(ctx: _Context, *, low_traffic: bool = False) -> Test | None:
    """100% errors from `start`; the fastest page must fire by the Workbook time + e and resolve within its short window."""
    plan = ctx.plan
    pair = fast_pair(plan)
    if pair is None or not _outage_pages(ctx):
        return None
    outcome = outage_outcome(plan, ctx.layout, low_traffic)
    detection = pair.factor * plan.error_budget * pair.long
    checks = [ctx.burn_check(at, burns) for at, burns in outcome.checks]
    if low_traffic:
        name = f"an outage at a quarter of min_events ({plan.slo.alerting.min_events}) does not page"
    else:
        name = (
            f"full outage after {format_duration(outcome.start)} of clean traffic pages within {detection:g}s "
            f"+ one evaluation interval and resolves within {format_duration(pair.short)}"
        )
    if any(b != pair for _, burns in outcome.checks for b in burns):
        name += "; other conditions as modelled, evaluated every step here (5m or 1h apart in production)"
    if outcome.ties:
        name += "; ties: " + ", ".join(outcome.ties)
    return {
        "name": f"{plan.service.name}/{plan.slo.name}: {name}{ctx.inputs_note()}",
        "interval": format_duration(plan.evaluation_interval),
        "input_series": input_series(ctx.layout, outcome.traffic, plan.base_window),
        "alert_rule_test": checks,
    }


@dataclass(frozen=True, slots=True)
class SteadyBurn:
    """One SLO's part of a steady-burn test: its traffic and the alerts the model expects."""

    ctx: _Context
    traffic: Traffic
    verdict: Verdict
    text: str
    """What it shows, e.g. "a steady 2x burn raises ticket only, budget exhausted"."""


def steady_burn(ctx: _Context, burn: float) -> SteadyBurn | None:
    """Errors at `burn` times the budget rate from the start: the conditions with a smaller factor fire."""
    plan = ctx.plan
    note = ""
    if any(math.isclose(b.factor, burn) for b in plan.windows):
        tied, burn = burn, burn * NUDGE if burn > 1 else burn / NUDGE
        note = f" ({tied:g}x ties a window's factor)"
    if not burn_can_fire(burn, plan.error_budget):
        return None
    traffic, verdict = steady_outcome(plan, ctx.layout, burn)
    raised = sorted({b.severity for b in verdict.firing})
    what = "raises nothing" if not raised else "raises " + ", ".join(raised) + " only"
    if plan.slo.alerting.budget_exhausted:
        what += ", budget " + ("exhausted" if verdict.exhausted else "not exhausted")
    if verdict.ties:
        what += "; ties: " + ", ".join(verdict.ties)
    return SteadyBurn(ctx, traffic, verdict, f"a steady {burn:g}x burn{note} {what}")


def steady_test(parts: list[SteadyBurn]) -> Test:
    """One test of steady burns, each SLO of `parts` at its own rate from the start: each reads only
    its own series, so together they cost promtool one test's steps and expect what each would alone."""
    first = parts[0].ctx.plan
    checks = [
        {
            "eval_time": format_duration(STEADY_CHECK),
            "alertname": BURN_ALERT,
            "exp_alerts": [alert for p in parts for alert in p.ctx.burn_alerts(p.verdict.firing)],
        }
    ]
    if any(p.ctx.plan.slo.alerting.budget_exhausted for p in parts):
        exhausted = [p.ctx.exhausted for p in parts if p.ctx.plan.slo.alerting.budget_exhausted and p.verdict.exhausted]
        checks.append({"eval_time": format_duration(STEADY_CHECK), "alertname": EXHAUSTED_ALERT, "exp_alerts": exhausted})
    if len(parts) == 1:
        name = f"{first.service.name}/{first.slo.name}: {parts[0].text}{parts[0].ctx.inputs_note()}"
    else:
        name = f"{first.service.name}: one steady burn per SLO at once: " + "; ".join(
            f"{p.ctx.plan.slo.name} {p.text}" for p in parts
        )
        name += _recorded_note([p.ctx for p in parts])
    return {
        "name": name,
        "interval": format_duration(first.evaluation_interval),
        "input_series": [
            item for p in parts for item in input_series(p.ctx.layout, p.traffic, p.ctx.plan.base_window)
        ],
        "alert_rule_test": checks,
    }


def _absent_tickets(contexts: list[_Context]) -> list[_Context]:
    """The SLOs of a file that ask for the absent-metrics ticket."""
    return [c for c in contexts if c.plan.slo.alerting.absent]


def absent_metrics(contexts: list[_Context]) -> Test | None:
    """With no metrics at all, every SLO of the file that asks for it raises its absent ticket."""
    if not (wanted := _absent_tickets(contexts)):
        return None
    first = contexts[0].plan
    e = first.evaluation_interval
    at = max(absent_for(c.plan) for c in wanted) + 2 * e
    return {
        "name": f"{first.service.name}: absent metrics raise a ticket for every SLO",
        "interval": format_duration(e),
        "input_series": [{"series": 'lgtmgen_unrelated{job="test"}', "values": f"1+0x{at // e}"}],
        "alert_rule_test": [
            {
                "eval_time": format_duration(at),
                "alertname": ABSENT_ALERT,
                "exp_alerts": [_expect(c.absent, c.plan.identity) for c in wanted],
            }
        ],
    }


def _vanishes_after(ctx: _Context) -> int:
    """How long the SLO's base count outlives its last input: a count recorded from raw series
    within its window; a fed count (custom SLIs) for the lookback delta."""
    return ctx.plan.base_window if ctx.layout.raw else LOOKBACK


def cluster_stops(contexts: list[_Context]) -> Test | None:
    """Two clusters report; one stops after an hour: its absent ticket fires, the other cluster's does not."""
    if not (wanted := _absent_tickets(contexts)):
        return None
    first = contexts[0].plan
    e = first.evaluation_interval
    at = STOP_AT + max(_vanishes_after(c) + absent_for(c.plan) for c in wanted) + e
    series: dict[str, str] = {}
    for ctx in wanted:
        plan = ctx.plan
        per_step = per_step_events(plan)
        for cluster, steps in ((TEST_CLUSTER, at // e), (OTHER_CLUSTER, STOP_AT // e)):
            traffic = traffic_of(e, [(steps, per_step, 0.0)])
            for item in input_series(ctx.layout_in(cluster), traffic, plan.base_window):
                series.setdefault(item["series"], item["values"])
    return {
        "name": f"{first.service.name}: a cluster that stops reporting raises a ticket for every SLO, the other cluster none",
        "interval": format_duration(e),
        "input_series": [{"series": k, "values": v} for k, v in series.items()],
        "alert_rule_test": [
            {"eval_time": format_duration(STOP_AT), "alertname": ABSENT_ALERT, "exp_alerts": []},
            {
                "eval_time": format_duration(at),
                "alertname": ABSENT_ALERT,
                "exp_alerts": [_expect(c.absent, {"cluster": OTHER_CLUSTER}) for c in wanted],
            },
        ],
    }


def _fed_names(ctx: _Context) -> frozenset[str]:
    """Metric names the SLO's scenarios feed that another SLO could read (recorded counts carry its identity)."""
    return frozenset(s.name for s in ctx.layout.series) if ctx.layout.raw else frozenset()


def _read_names(ctx: _Context) -> tuple[frozenset[str], bool]:
    """Metric names the SLO's rules read from raw series, and whether a name pattern could read any."""
    if ctx.layout.raw:  # the layout feeds exactly the series its SLI reads
        return _fed_names(ctx), False
    counts = event_counts(ctx.plan, format_duration(ctx.plan.base_window))
    read = selected_metrics(counts.errors) | selected_metrics(counts.total)
    return read.names, bool(read.patterns)


def sharing_inputs(contexts: list[_Context]) -> list[_Context]:
    """The SLOs whose scenarios feed a metric that another SLO of the same file reads."""
    reads = [_read_names(c) for c in contexts]
    found = []
    for i, ctx in enumerate(contexts):
        fed = _fed_names(ctx)
        if fed and any(fed & names or anything for j, (names, anything) in enumerate(reads) if j != i):
            found.append(ctx)
    return found


def slo_tests(plan: SLOPlan, url: str) -> list[Test]:
    """Every scenario that applies to `plan`."""
    return _scenarios([_Context(plan, url)])


QUIET_BURN = 0.9
"""A steady burn under budget-neutral: nothing fires, the budget lasts."""
SLOW_BURN = 2.0
"""A steady burn that fires the conditions of factor below 2 (the Workbook's 3d ticket) and no other."""
ABOVE = 1.2
"""How far above the largest intermediate factor the covering burn runs."""


def covering_burn(plan: SLOPlan) -> float | None:
    """A steady burn that fires every enabled condition the other scenarios never see fire.

    The full outage fires the fastest page and the `SLOW_BURN` the conditions below it; a burn
    above the largest remaining factor proves the rest can fire too (the Workbook's 6h page and
    1d ticket; at low objectives also a fastest page no outage can fire, which `steady_burn`
    skips when even every event failing is not enough). None when no condition is left.
    """
    pair = fast_pair(plan)
    rest = [b.factor for b in plan.windows if plan.raises(b) and b != pair and b.factor >= SLOW_BURN]
    if not rest:
        return None
    # Below 100% errors: halfway to it when 1.2 times the factor would need more.
    return min(ABOVE * max(rest), (max(rest) + 1 / plan.error_budget) / 2)


BRACKET = 1.05
"""How far below and above each condition's factor a bracketing burn runs: a factor written 5% or
more off fails a test (a burn the model expects quiet fires, or one it expects firing does not)."""


def bracketing_burns(plan: SLOPlan) -> list[float]:
    """Steady burns just below and just above the factor of every enabled condition, in order.

    Under a steady burn every window reads the same ratio, so the burns pin the thresholds (not
    the windows' lengths, which the outages time); the quiet and slow burns alone left a factor
    free to move anywhere between them.
    """
    factors = sorted({b.factor for b in plan.windows if plan.raises(b)})
    return [burn for factor in factors for burn in (factor / BRACKET, factor * BRACKET)]


def steady_burns(contexts: list[_Context]) -> list[Test]:
    """A quiet burn, a slow burn, burns bracketing each factor and, where the highest bracket cannot
    fire, each SLO's covering burn: one test per level, every SLO of the file at once."""
    levels: list[list[SteadyBurn]] = []
    for ctx in contexts:
        brackets = [steady_burn(ctx, burn) for burn in bracketing_burns(ctx.plan)]
        parts = [steady_burn(ctx, QUIET_BURN), steady_burn(ctx, SLOW_BURN), *brackets]
        if brackets and brackets[-1] is None and (covering := covering_burn(ctx.plan)) is not None:
            parts.append(steady_burn(ctx, covering))
        kept = [part for part in parts if part is not None]
        levels += [[] for _ in range(len(kept) - len(levels))]
        for level, part in zip(levels, kept, strict=False):
            level.append(part)
    return [steady_test(level) for level in levels if level]


def _scenarios(contexts: list[_Context]) -> list[Test]:
    """Every scenario of the SLOs of one rule file (those whose inputs no other SLO there reads)."""
    return [*outages(contexts), *steady_burns(contexts), *outages(contexts, low_traffic=True)]


class SLOTests:
    """promtool unit tests for the SLO rules of each service."""

    name = "slo-tests"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        return self.generate_shard(plan, 0, 1)

    def generate_shard(self, plan: Plan, index: int, count: int) -> Iterable[Artifact]:
        url = plan.catalog.defaults.grafana_url
        for service, _team, slos in list(service_rule_files(plan))[index::count]:
            name = slug(service)
            contexts = [_Context(s, url) for s in slos]
            apart = sharing_inputs(contexts)
            tests = _scenarios([c for c in contexts if c not in apart])
            tests += [t for t in (absent_metrics(contexts), cluster_stops(contexts)) if t is not None]
            if tests:
                yield Artifact(
                    path=f"{TESTS_DIR}/{name}.yaml",
                    role=Role.PROMETHEUS_RULE_TESTS,
                    data=_test_file(f"../../rules/slo/{name}.yaml", slos, service, tests),
                    comment=f"promtool test rules: alert timing of the SLOs of service {service!r}.",
                )
            for ctx in apart:
                yield from _isolated(ctx, name, url)


TESTS_DIR = "prometheus/tests/slo"


def _test_file(rule_file: str, slos: list[SLOPlan], service: str, tests: list[Test]) -> dict[str, Any]:
    return {
        "rule_files": [rule_file],
        "evaluation_interval": format_duration(slos[0].evaluation_interval),
        # promtool's default order is not the file's; the model assumes fast, slow, hourly.
        "group_eval_order": slo_rule_group_names(slos, service),
        "tests": tests,
    }


def _isolated(ctx: _Context, service_slug: str, url: str) -> Iterable[Artifact]:
    """The scenarios of an SLO that shares its inputs, against its own rules alone."""
    plan = ctx.plan
    service, slo = plan.service.name, plan.slo.name
    base = f"{TESTS_DIR}/{service_slug}/{slug(slo)}"
    yield Artifact(
        path=f"{base}.rules.yaml",
        role=Role.PROMETHEUS_TEST_RULES,
        data={"groups": slo_rule_groups([plan], url, service)},
        comment=(
            f"The rules of SLO {slo!r} of service {service!r} alone, for its promtool tests: another SLO "
            "of the service reads the same series. Not for deployment (prometheus/rules/slo/ holds them)."
        ),
    )
    yield Artifact(
        path=f"{base}.yaml",
        role=Role.PROMETHEUS_RULE_TESTS,
        data=_test_file(f"{slug(slo)}.rules.yaml", [plan], service, _scenarios([ctx])),
        comment=f"promtool test rules: alert timing of SLO {slo!r} of service {service!r}.",
    )


__all__ = ["SLOTests", "compact", "slo_tests"]
