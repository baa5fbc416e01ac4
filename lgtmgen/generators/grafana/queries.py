"""PromQL, LogQL and TraceQL of the dashboards.

Rate windows are `$__rate_interval`; SLO figures read the series the SLO
rules record (`lgtmgen.generators.slo_rules`), so dashboards and alerts agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lgtmgen.catalog.models.base import format_duration
from lgtmgen.generators.slo.records import HOUR, ratio_record
from lgtmgen.plan import RequestMetrics, SLOPlan
from lgtmgen.promql import matchers, string_literal
from lgtmgen.regex import alternation

RATE = "$__rate_interval"
CLUSTER_MATCHER = 'cluster=~"$cluster"'
BUDGET_REMAINING = "slo:error_budget_remaining:ratio"
ERROR_BUDGET = "slo:error_budget:ratio"
OBJECTIVE = "slo:objective:ratio"
PERIOD = "slo:period:seconds"
HOURLY_LOOKBACK = format_duration(2 * HOUR)
"""How far back a panel looks for a series the SLO rules record once an hour (objective, budget,
period, budget left, the ratio over the period: `slo.groups`, the hourly speed). A query looks
back 5 minutes for a sample, so such a series would show for 5 minutes of each hour; over two
intervals a late evaluation still shows the last value."""
SERVICE_GRAPH_REQUESTS = "traces_service_graph_request_total"
SERVICE_GRAPH_FAILED = "traces_service_graph_request_failed_total"


def hourly(selector: str) -> str:
    """The latest value of a series recorded once an hour, at any moment of the hour."""
    return f"last_over_time({selector}[{HOURLY_LOOKBACK}])"


def regex_of(values: Iterable[str]) -> str:
    """A PromQL regex literal matching exactly `values`."""
    return string_literal(alternation(values))


def slo_selector(plan: SLOPlan) -> str:
    return "{" + plan.identity_selector + "}"


def compliance(plan: SLOPlan) -> str:
    """Share of good events over the SLO's whole period, of its worst recorded series.

    One value per SLO (the rules record one per cluster and group), so that the panel's
    per-SLO colours, matched by the SLO's name, apply.
    """
    return f"min by (service, slo) (1 - {hourly(ratio_record(plan.period) + slo_selector(plan))})"


def burn_rate(plan: SLOPlan, window: int) -> str:
    """How many times faster than allowed the budget burns over `window`.

    The ratio is recorded per cluster (and `group_by` value), the budget once per SLO: many to one.
    """
    sel = slo_selector(plan)
    ratio = ratio_record(window) + sel
    if window == plan.period:  # recorded by the hourly group, like the budget
        ratio = hourly(ratio)
    return f"{ratio} / on (service, slo) group_left {hourly(ERROR_BUDGET + sel)}"


def budget_runs_out_in(plan: SLOPlan, window: int) -> str:
    """Seconds until the budget left is spent if the errors keep the pace of the last `window`.

    Budget left × period / burn rate: at 1x the whole budget lasts one period. Nothing while
    nothing burns (never, at this pace); 0 once the budget is spent.
    """
    sel = slo_selector(plan)
    return (
        f"clamp_min(\n  {hourly(BUDGET_REMAINING + sel)} * on (service, slo) group_left {hourly(PERIOD + sel)}\n"
        f"  / ({burn_rate(plan, window)} > 0),\n  0\n)"
    )


def series_legend(plan: SLOPlan, *words: str) -> str:
    """Legend of one of the SLO's recorded series: its name, `words`, and the labels that split it."""
    return " ".join([plan.slo.name, *words, *(f"{{{{{label}}}}}" for label in plan.group_by)])


def budget_remaining(services: Iterable[str]) -> str:
    return hourly(f"{BUDGET_REMAINING}{{service=~{regex_of(services)}}}")


def _selector(metrics: RequestMetrics, extra: str = "", *, by_cluster: bool = True) -> str:
    cluster = CLUSTER_MATCHER if by_cluster else ""
    return matchers(dict(sorted(metrics.selector.items())), ",".join(filter(None, [cluster, extra])))


def request_rate(metrics: RequestMetrics, *, by_cluster: bool = True, offset: str = "") -> str | None:
    """Requests per second; `by_cluster` filters on the dashboard's `$cluster` variable."""
    if not metrics.requests:
        return None
    shift = f" offset {offset}" if offset else ""
    return f"sum(rate({metrics.requests}{{{_selector(metrics, by_cluster=by_cluster)}}}[{RATE}]{shift}))"


def error_ratio(metrics: RequestMetrics) -> str | None:
    if not (metrics.requests and metrics.status_label and metrics.error_status_regex):
        return None
    errors = f"{metrics.status_label}=~{string_literal(metrics.error_status_regex)}"
    return (
        f"sum(rate({metrics.requests}{{{_selector(metrics, errors)}}}[{RATE}]))\n/\n"
        f"sum(rate({metrics.requests}{{{_selector(metrics)}}}[{RATE}]))"
    )


def latency_quantile(metrics: RequestMetrics, quantile: float) -> str | None:
    if not metrics.duration:
        return None
    if metrics.native_histograms:
        inner = f"sum(rate({metrics.duration}{{{_selector(metrics)}}}[{RATE}]))"
    else:
        inner = f"sum by (le) (rate({metrics.duration}_bucket{{{_selector(metrics)}}}[{RATE}]))"
    return f"histogram_quantile({quantile!r}, {inner})"


def latency_buckets(metrics: RequestMetrics) -> str | None:
    """Request rate per latency bucket, for a heatmap (native histograms are bucketed by Grafana)."""
    if not metrics.duration:
        return None
    if metrics.native_histograms:
        return f"sum(rate({metrics.duration}{{{_selector(metrics)}}}[{RATE}]))"
    return f"sum by (le) (rate({metrics.duration}_bucket{{{_selector(metrics)}}}[{RATE}]))"


def dependency_calls(service: str) -> str:
    """Request rate from `service` to each server it calls, as traced."""
    return f"sum by (server) (rate({SERVICE_GRAPH_REQUESTS}{{client={string_literal(service)}}}[{RATE}]))"


def dependency_failures(service: str) -> str:
    """Failed-request rate from `service` to each server, as traced: not a share of the traced
    requests, which tail sampling thins (every failing trace is kept, the others only in part)."""
    return f"sum by (server) (rate({SERVICE_GRAPH_FAILED}{{client={string_literal(service)}}}[{RATE}]))"


def logql_stream(labels: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{k}={string_literal(v)}" for k, v in labels.items()) + "}"


def traceql_service(service: str) -> str:
    return "{ resource.service.name = " + string_literal(service) + " }"


def cluster_values(metrics: RequestMetrics) -> str:
    """Query of the `cluster` variable: the clusters where the service reports."""
    metric = metrics.requests or "up"
    sel = matchers(dict(sorted(metrics.selector.items())))
    return f"label_values({metric}{{{sel}}}, cluster)"
