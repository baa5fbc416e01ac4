"""PromQL for each SLI kind: error and total event counts of an SLO over a window.

Every builder quotes label values through `lgtmgen.promql`, so names with
quotes, backslashes or any Unicode survive; user-given queries are inserted
only after the catalog checks have parsed them. Counts are aggregated
``by (cluster, <group_by labels>)`` so one rule serves every label value.
"""

from __future__ import annotations

from dataclasses import dataclass

from lgtmgen.catalog.models import (
    WINDOW_PLACEHOLDER,
    AvailabilitySLI,
    CustomSLI,
    EventsSLI,
    LatencySLI,
)
from lgtmgen.catalog.models.slo import ProbeSLI
from lgtmgen.plan import SLOPlan
from lgtmgen.promql import matchers, string_literal


@dataclass(frozen=True, slots=True)
class EventCounts:
    """Two PromQL expressions: error events and all events over one window."""

    errors: str
    total: str


def le_matcher(threshold: float) -> str:
    """Match the `le` bucket of `threshold` whether written ``1`` or ``1.0`` (Prometheus 3 writes 1.0)."""
    text = repr(float(threshold))
    if text.endswith(".0"):
        whole = text[:-2]
        return "le=~" + string_literal(whole + "|" + whole + r"\.0")
    return f"le={string_literal(text)}"


def _sum(plan: SLOPlan, inner: str) -> str:
    return f"sum by ({', '.join(plan.group_by)}) ({inner})"


def _errors_or_zero(errors: str, total: str) -> str:
    # `or 0 * total` keeps the count at 0 instead of absent when no error was ever counted.
    return f"({errors} or 0 * {total})"


def _total_minus_good(good: str, total: str) -> str:
    return f"({total} - ({good} or 0 * {total}))"


def classic_histogram(plan: SLOPlan) -> bool:
    """Whether a latency SLI reads a classic (bucketed) histogram."""
    sli = plan.slo.sli
    if not isinstance(sli, LatencySLI):
        return False
    return not (plan.metrics.native_histograms if sli.native is None else sli.native)


def event_counts(plan: SLOPlan, window: str) -> EventCounts:
    """Error and total events of `plan` over `window` (samples, for probe SLIs).

    For every kind but `custom`, the error count is built around the total count's
    expression (`or 0 * total`, `total - good`, `total * fraction`): it reads every series
    the total reads (the keep-list parses only the error count of those kinds).
    """
    sli = plan.slo.sli
    m = plan.metrics
    base = matchers(m.selector)

    def increase(selector: str) -> str:
        return _sum(plan, f"increase({selector}[{window}])")

    if isinstance(sli, AvailabilitySLI):
        errors = f"{m.status_label}=~{string_literal(m.error_status_regex or '')}"
        total = increase(f"{m.requests}{{{base}}}")
        return EventCounts(_errors_or_zero(increase(f"{m.requests}{{{matchers(m.selector, errors)}}}"), total), total)
    if isinstance(sli, EventsSLI):
        total = increase(sli.total)
        if sli.bad is not None:
            return EventCounts(_errors_or_zero(increase(sli.bad), total), total)
        return EventCounts(_total_minus_good(increase(sli.good or ""), total), total)
    if isinstance(sli, LatencySLI):
        metric = sli.metric or m.duration or ""
        if not classic_histogram(plan):
            histogram = increase(f"{metric}{{{base}}}")
            total = f"histogram_count({histogram})"
            errors = f"({total} * (1 - histogram_fraction(0, {sli.threshold!r}, {histogram})))"
            return EventCounts(errors, total)
        total = increase(f"{metric}_count{{{base}}}")
        good = increase(f"{metric}_bucket{{{matchers(m.selector, le_matcher(sli.threshold))}}}")
        return EventCounts(_total_minus_good(good, total), total)
    if isinstance(sli, ProbeSLI):
        total = _sum(plan, f"count_over_time({sli.selector}[{window}])")
        good = _sum(plan, f"sum_over_time({sli.selector}[{window}])")
        return EventCounts(_total_minus_good(good, total), total)
    if isinstance(sli, CustomSLI):
        # Like the other kinds: a bad (or good) count that has no series yet, as error series
        # often have none until the first error, is 0 wherever the total has one. Absent, the
        # long windows would average only the slices that had errors, and over-count them.
        total_q = f"({sli.total_query.replace(WINDOW_PLACEHOLDER, window)})"
        if sli.bad_query is not None:
            return EventCounts(_errors_or_zero(f"({sli.bad_query.replace(WINDOW_PLACEHOLDER, window)})", total_q), total_q)
        good_q = f"({(sli.good_query or '').replace(WINDOW_PLACEHOLDER, window)})"
        return EventCounts(_total_minus_good(good_q, total_q), total_q)
    raise TypeError(f"no event-count builder for {type(sli).__name__}")


def error_ratio(plan: SLOPlan, window: str) -> str:
    """The straightforward fraction of bad events over `window`, read from the raw series (0 is perfect)."""
    counts = event_counts(plan, window)
    return f"{counts.errors}\n/\n{counts.total}"


__all__ = ["EventCounts", "classic_histogram", "error_ratio", "event_counts", "le_matcher"]
