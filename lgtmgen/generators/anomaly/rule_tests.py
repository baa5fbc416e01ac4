"""promtool unit tests of every anomaly alert, against the service's anomaly groups alone.

Per service, in one test with a cluster per scenario: a steady daily pattern over
a whole season and trend window raises nothing and its band holds the signal; per
alert, a departure (a request surge or drop, an error spike, a latency spike) fires
it after `for`, and nothing fires before (nor when the prediction first appears); a
drop fires too when every series of the service ends (no sample is a rate of 0). The rules run every 5m as in production (promtool evaluates every group
at the test's interval, so the test file sets the groups' own), a weekly season is
about 2,300 evaluations; inputs are one sample a minute.

The rules are written beside the tests (`<service>.rules.yaml`, the groups the
deployed rule file holds, built by the same function; a test holds them equal):
the deployed file also holds the service's other families, which the scenarios do
not need to evaluate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models import Service
from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.generators.anomaly.rules import (
    ALERT,
    alert_annotations,
    alert_labels,
    anomaly_groups,
    directions,
)
from lgtmgen.generators.anomaly.scenarios import (
    DEPARTURE,
    HOUR,
    STEP,
    Rate,
    Timeline,
    counter,
    daily,
    departing,
    gauge,
    peak,
    segments,
)
from lgtmgen.generators.anomaly.signals import Signal, service_signals
from lgtmgen.generators.slo.alerts import expanded
from lgtmgen.generators.slo.labels import label_set, selector_matchers
from lgtmgen.naming import slug
from lgtmgen.plan import Plan, resolve_metrics
from lgtmgen.promql import matchers, string_literal

TESTS_DIR = "prometheus/tests/anomaly"
PLACE = {"cluster": "test-cluster", "environment": "test"}
LATENCY_BASE = 0.2
ERROR_RATIO = 0.02
"""The steady error ratio at midnight: small, so a spike of four times the peak (or twice the
`min_error_ratio` floor) stays a ratio and clears any band."""

Test = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Departures:
    """Per-second values from the departure on (None: the daily pattern goes on)."""

    requests: float | None = None
    error_ratio: float | None = None
    latency: float | None = None
    vanish: bool = False
    """Every series of the cluster ends at the departure (a stale marker), as when all pods are gone."""


class _Inputs:
    """The service's input series in one cluster: raw request counters and, for latency, the recorded percentile."""

    def __init__(self, service: Service, signals: list[Signal], timeline: Timeline) -> None:
        self.timeline = timeline
        self.signals = {s.kind: s for s in signals}
        settings = signals[0].settings
        self.traffic = max(10.0, 10 * settings.min_rate)
        self.error_ratio = ERROR_RATIO
        self.min_error_ratio = settings.min_error_ratio
        metrics = resolve_metrics(service)
        assert metrics.requests is not None
        total = selector_matchers(f"{metrics.requests}{{{matchers(metrics.selector)}}}")
        assert total is not None  # a metric name and equality matchers
        self.total = total
        self.bad = None
        if metrics.status_label and metrics.error_status_regex:
            regex = f"{metrics.status_label}=~{string_literal(metrics.error_status_regex)}"
            self.bad = selector_matchers(f"{metrics.requests}{{{matchers(metrics.selector, regex)}}}")
        self.errors_testable = "errors" in self.signals and self._labels(PLACE) is not None

    def _labels(self, place: dict[str, str]) -> tuple[dict[str, str], dict[str, str] | None] | None:
        """(labels of the good requests, of the failed ones); None when no values fit the matchers."""
        if self.bad is None:
            plain = label_set(place, [self.total], [])
            return None if plain is None else (plain, None)
        good, bad = label_set(place, [self.total], [self.bad]), label_set(place, [self.total, self.bad], [])
        return None if good is None or bad is None else (good, bad)

    def series(self, cluster: str, departures: Departures) -> list[dict[str, str]]:
        place = {**PLACE, "cluster": cluster}
        start = self.timeline.start
        line, end = self.timeline, ""
        if departures.vanish:
            line, end = Timeline(start, start - STEP), " stale"
        total = departing(daily(self.traffic), departures.requests, start)
        ratio: Rate = departing(daily(self.error_ratio), departures.error_ratio, start)
        found = self._labels(place) if self.errors_testable else None
        if found is None:
            plain = label_set(place, [self.total], [])  # equality matchers alone always fit
            assert plain is not None
            found, ratio = (plain, None), (lambda t: 0.0)
        good, bad = found
        out = [_series(good, counter(segments(line, lambda t: total(t) * (1 - ratio(t)))) + end)]
        if bad is not None:
            out.append(_series(bad, counter(segments(line, lambda t: total(t) * ratio(t))) + end))
        latency = self.signals.get("latency")
        if latency is not None:
            level = departing(daily(LATENCY_BASE), departures.latency, start)
            labels = {"__name__": latency.record, **dict(latency.labels), **place}
            out.append(_series(labels, gauge(segments(line, level)) + end))
        return out


def _series(labels: dict[str, str], values: str) -> dict[str, str]:
    name = labels["__name__"]
    rest = {k: v for k, v in labels.items() if k != "__name__"}
    return {"series": f"{name}{{{matchers(rest)}}}", "values": values}


def timeline(signal: Signal, evaluation: int) -> tuple[Timeline, int]:
    """The departure starts two hours after a season and a trend window; (timeline, time of the firing check)."""
    start = signal.history + 2 * HOUR
    # Pending from the first evaluation after the start, firing `for` later; checked one evaluation after.
    check = math.ceil((start + evaluation + parse_duration(signal.settings.for_) + evaluation) / evaluation) * evaluation
    return Timeline(start, check + evaluation), check


def _expected(signal: Signal, direction: str, cluster: str, runbooks: str, grafana_url: str) -> dict[str, Any]:
    labels = {**alert_labels(signal, direction), **dict(signal.labels), **PLACE, "cluster": cluster}
    return {
        "exp_labels": expanded(labels),
        "exp_annotations": expanded(alert_annotations(signal, direction, runbooks, grafana_url)),
    }


def _inside_band(signal: Signal, at: int) -> dict[str, Any]:
    sel = matchers({**dict(signal.labels), "cluster": STEADY})
    value = f"{signal.record}{{{sel}}}"
    expr = (
        f"count({value} <= {signal.derived('upper_band')}{{{sel}}} "
        f"and {value} >= {signal.derived('lower_band')}{{{sel}}})"
    )
    return {"eval_time": format_duration(at), "expr": expr, "exp_samples": [{"labels": "{}", "value": 1}]}


def _departures(signal: Signal, inputs: _Inputs, direction: str) -> Departures:
    if signal.kind == "requests":
        return Departures(requests=0.0 if direction == "drop" else DEPARTURE * peak(inputs.traffic))
    if signal.kind == "errors":
        # Above the floor too, or the spike could not fire whatever the band.
        return Departures(error_ratio=min(1.0, max(DEPARTURE * peak(inputs.error_ratio), 2 * inputs.min_error_ratio)))
    return Departures(latency=DEPARTURE * peak(LATENCY_BASE))


STEADY = "steady"
VANISHED = "requests-drop-vanished"


def service_tests(plan: Plan, service: Service, evaluation: int) -> list[Test]:
    """One test, a cluster per scenario: `steady` keeps the daily pattern, `<signal>-<direction>` departs.

    One test rather than one per scenario: promtool evaluates every rule at every step of
    every test, and a weekly season is the expensive part.
    """
    defaults = plan.catalog.defaults
    signals = service_signals(service, parse_duration(defaults.scrape_interval))
    if not signals:
        return []
    line, check = timeline(signals[0], evaluation)
    inputs = _Inputs(service, signals, line)
    watched = [s for s in signals if s.kind != "errors" or inputs.errors_testable]
    series = inputs.series(STEADY, Departures())
    firing, vanishes = [], False
    for signal in watched:
        for direction in directions(signal):
            cluster = f"{signal.kind}-{direction}"
            series += inputs.series(cluster, _departures(signal, inputs, direction))
            firing.append(_expected(signal, direction, cluster, defaults.runbook_base_url, defaults.grafana_url))
            if direction == "drop":
                # The service gone altogether: its series end, and the drop fires all the same.
                vanishes = True
                series += inputs.series(VANISHED, Departures(vanish=True))
                firing.append(_expected(signal, direction, VANISHED, defaults.runbook_base_url, defaults.grafana_url))
        if signal.kind == "requests":
            # The direction the catalog leaves out departs too, and must stay quiet.
            for ignored in sorted({"drop", "surge"} - set(directions(signal))):
                series += inputs.series(f"requests-{ignored}-ignored", _departures(signal, inputs, ignored))
    notes = "; latency inputs: the recorded percentile" if "latency" in inputs.signals else ""
    if "errors" in inputs.signals and not inputs.errors_testable:
        notes += "; errors untested: no label values fit the error status regex"
    vanished = f", a drop also when every series ends ({VANISHED})" if vanishes else ""
    quiet = (signals[0].history, line.start - HOUR, line.start)
    return [
        {
            "name": (
                f"{service.name}: a steady daily pattern (cluster {STEADY}) raises nothing and stays inside every band; "
                f"each departure (cluster <signal>-<direction>) from {format_duration(line.start)} fires its "
                f"{ALERT} after {signals[0].settings.for_}{vanished} (a requests-<direction>-ignored cluster, none){notes}"
            ),
            "interval": format_duration(STEP),
            "input_series": series,
            "alert_rule_test": [
                *({"eval_time": format_duration(t), "alertname": ALERT, "exp_alerts": []} for t in quiet),
                {"eval_time": format_duration(check), "alertname": ALERT, "exp_alerts": firing},
            ],
            "promql_expr_test": [_inside_band(s, check) for s in watched],
        }
    ]


class AnomalyTests:
    """promtool tests of the anomaly alerts of every service that opts in, with their rules."""

    name = "anomaly-tests"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        for service in plan.catalog.services:
            groups = anomaly_groups(plan, service)
            if not groups:
                continue
            name = slug(service.name)
            yield Artifact(
                path=f"{TESTS_DIR}/{name}.rules.yaml",
                role=Role.PROMETHEUS_TEST_RULES,
                data={"groups": groups},
                comment=(
                    f"The anomaly rules of service {service.name!r} alone, for their promtool tests. "
                    "Not for deployment (prometheus/rules/metrics/ holds them)."
                ),
            )
            yield Artifact(
                path=f"{TESTS_DIR}/{name}.yaml",
                role=Role.PROMETHEUS_RULE_TESTS,
                data={
                    "rule_files": [f"{name}.rules.yaml"],
                    "evaluation_interval": groups[0]["interval"],
                    # promtool orders groups it is not told about at random, run to run.
                    "group_eval_order": [g["name"] for g in groups],
                    "tests": service_tests(plan, service, int(parse_duration(groups[0]["interval"]))),
                },
                comment=f"promtool tests: the anomaly alerts of service {service.name!r}.",
            )
