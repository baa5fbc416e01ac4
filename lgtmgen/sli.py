"""PromQL for each SLI kind: the error ratio of an SLO over a window.

Every builder quotes label values through `lgtmgen.promql`, so names with
quotes, backslashes or any Unicode survive; user-given queries are inserted
only after the catalog checks have parsed them.
"""

from __future__ import annotations

from lgtmgen.catalog.models import (
    WINDOW_PLACEHOLDER,
    AvailabilitySLI,
    CustomSLI,
    EventsSLI,
    LatencySLI,
)
from lgtmgen.plan import SLOPlan
from lgtmgen.promql import add_matchers, matchers, string_literal

GROUP_BY = "cluster"


def _rate_sum(selector: str, window: str) -> str:
    return f"sum by ({GROUP_BY}) (rate({selector}[{window}]))"


def _bad_over_total(bad: str, total: str) -> str:
    # `or 0 * total` keeps the ratio at 0 instead of absent when no bad event was ever counted.
    return f"({bad} or 0 * {total})\n/\n{total}"


def le_matcher(threshold: float) -> str:
    """Match the `le` bucket of `threshold` whether written ``1`` or ``1.0`` (Prometheus 3 writes 1.0)."""
    text = repr(float(threshold))
    if text.endswith(".0"):
        whole = text[:-2]
        return f'le=~"{whole}|{whole}\\\\.0"'
    return f"le={string_literal(text)}"


def error_ratio(plan: SLOPlan, window: str) -> str:
    """The fraction of bad events of `plan` over `window` (0 is perfect)."""
    sli = plan.slo.sli
    m = plan.metrics
    base = matchers(m.selector)
    if isinstance(sli, AvailabilitySLI):
        errors = f"{m.status_label}=~{string_literal(m.error_status_regex or '')}"
        total = _rate_sum(f"{m.requests}{{{base}}}", window)
        bad = _rate_sum(f"{m.requests}{{{matchers(m.selector, errors)}}}", window)
        return _bad_over_total(bad, total)
    if isinstance(sli, EventsSLI):
        total = _rate_sum(sli.total, window)
        if sli.bad is not None:
            return _bad_over_total(_rate_sum(sli.bad, window), total)
        return f"1 - (\n{_rate_sum(sli.good or '', window)}\n/\n{total}\n)"
    if isinstance(sli, LatencySLI):
        metric = sli.metric or m.duration or ""
        native = m.native_histograms if sli.native is None else sli.native
        if native:
            return (
                f"1 - histogram_fraction(0, {sli.threshold!r}, "
                f"{_rate_sum(f'{metric}{{{base}}}', window)})"
            )
        good = _rate_sum(f"{metric}_bucket{{{matchers(m.selector, le_matcher(sli.threshold))}}}", window)
        total = _rate_sum(f"{metric}_count{{{base}}}", window)
        return f"1 - (\n{good}\n/\n{total}\n)"
    if isinstance(sli, CustomSLI):
        total_q = sli.total_query.replace(WINDOW_PLACEHOLDER, window)
        if sli.bad_query is not None:
            return f"({sli.bad_query.replace(WINDOW_PLACEHOLDER, window)})\n/\n({total_q})"
        return f"1 - (\n({(sli.good_query or '').replace(WINDOW_PLACEHOLDER, window)})\n/\n({total_q})\n)"
    raise TypeError(f"no error-ratio builder for {type(sli).__name__}")


__all__ = ["add_matchers", "error_ratio", "le_matcher"]
