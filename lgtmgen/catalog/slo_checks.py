"""Semantic checks of SLOs: histogram thresholds, probe selectors, burn-rate window overrides."""

from __future__ import annotations

from dataclasses import dataclass

from lgtmgen.burn_windows import BurnWindow, derived_windows, override_windows
from lgtmgen.catalog.conventions import resolve_metrics
from lgtmgen.catalog.models import SLO, AvailabilitySLI, Catalog, LatencySLI, Service
from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.catalog.models.slo import RESERVED_GROUP_BY_LABELS, ProbeSLI, reserved_label_reason
from lgtmgen.catalog.semantics import Reporter
from lgtmgen.diagnostics import Severity
from lgtmgen.promql import selector_error
from lgtmgen.slices import MAX_EXACT_SLICES, fastest_page, needs_slices, sliceable

UNNAMED_METRIC = "catalog/slo-metric-unnamed"


def _metrics_named(service: Service, slo: SLO, path: list[str | int], report: Reporter) -> None:
    """An availability or latency SLI reads the names of the service's metric convention, which
    `custom` leaves to the catalog: without them its rules would read a metric named `None`, or
    count every request as an error."""
    metrics = resolve_metrics(service)
    sli = slo.sli
    if isinstance(sli, AvailabilitySLI):
        missing = [
            field
            for field, value in (
                ("requests_metric", metrics.requests),
                ("status_label", metrics.status_label),
                ("error_status_regex", metrics.error_status_regex),
            )
            if not value
        ]
    elif isinstance(sli, LatencySLI) and not sli.metric and not metrics.duration:
        missing = ["duration_metric"]
    else:
        return
    if missing:
        names = ", ".join(f"metrics.{field}" for field in missing)
        report.add(
            UNNAMED_METRIC,
            f"the {sli.kind} SLI {slo.name!r} takes its metric names from the service, whose "
            f"`{service.metrics.convention}` convention names no {names}",
            [*path, "sli", "kind"],
            hint=f"set {names} on service {service.name!r}"
            + (", or sli.metric" if isinstance(sli, LatencySLI) else ", or use an `events` or `custom` SLI"),
        )


GROUP_BY_RESERVED = "catalog/slo-group-by-reserved"


def check_slos(catalog: Catalog, report: Reporter) -> None:
    """Report SLO problems the models alone cannot see."""
    interval = int(parse_duration(catalog.defaults.evaluation_interval))
    for s, service in enumerate(catalog.services):
        for n, slo in enumerate(service.slos):
            path: list[str | int] = ["services", s, "slos", n]
            sli = slo.sli
            _metrics_named(service, slo, path, report)
            if isinstance(sli, LatencySLI):
                native = service.metrics.native_histograms if sli.native is None else sli.native
                if not native and sli.buckets is None:
                    report.add(
                        "catalog/slo-threshold-unchecked",
                        f"threshold {sli.threshold:g}s cannot be checked against the histogram's buckets",
                        [*path, "sli", "threshold"],
                        severity=Severity.WARNING,
                        hint="declare the bucket boundaries in sli.buckets, or use a native histogram",
                    )
                elif not native and sli.buckets is not None and sli.threshold not in sli.buckets:
                    report.add(
                        "catalog/slo-threshold-not-bucket",
                        f"threshold {sli.threshold:g}s is not a bucket boundary of the histogram "
                        f"({', '.join(f'{b:g}' for b in sli.buckets)})",
                        [*path, "sli", "threshold"],
                    )
            if isinstance(sli, ProbeSLI) and (problem := selector_error(sli.selector)):
                report.add("catalog/promql-syntax", f"selector: {problem}", [*path, "sli", "selector"])
            _group_by_is_free(slo, path, report)
            seen: dict[tuple[str, float, float], int] = {}
            for w, window in enumerate(slo.alerting.windows or []):
                if parse_duration(window.short) >= parse_duration(window.long):
                    report.add(
                        "catalog/slo-window-order",
                        f"the short window {window.short} must be shorter than the long window {window.long}",
                        [*path, "alerting", "windows", w, "short"],
                    )
                # The base count over the shortest window is recorded once per evaluation; see
                # `lgtmgen.burn_windows.shortest_burn_window`, which derived windows follow too.
                if parse_duration(window.short) < 2 * interval:
                    report.add(
                        "catalog/slo-window-below-evaluation",
                        f"the short window {window.short} is shorter than two evaluation intervals "
                        f"({catalog.defaults.evaluation_interval}): events between evaluations would go "
                        "uncounted, or the window would rest on a single evaluation",
                        [*path, "alerting", "windows", w, "short"],
                        hint=f"use a short window of at least {format_duration(2 * interval)}, "
                        "or shorten defaults.evaluation_interval",
                    )
                # Two conditions of one severity on the same windows are one alert series twice
                # (promtool refuses the rule file); the smaller factor alone says it all.
                key = (window.severity, parse_duration(window.long), parse_duration(window.short))
                if key in seen:
                    report.add(
                        "catalog/slo-window-duplicate",
                        f"windows[{seen[key]}] already has {window.severity} over {window.long} and {window.short}",
                        [*path, "alerting", "windows", w],
                        hint="keep one condition: the one with the smaller factor fires whenever the other would",
                    )
                seen.setdefault(key, w)
            _page_windows_are_whole_slices(slo, path, interval, report)
            period = parse_duration(slo.period or catalog.defaults.slo_period)
            _burn_conditions_can_fire(slo, path, override_windows(slo) or derived_windows(period, catalog.defaults), report)


def _group_by_is_free(slo: SLO, path: list[str | int], report: Reporter) -> None:
    """An SLO is not split by a label its rules or alerts set or rely on (`RESERVED_GROUP_BY_LABELS`).

    The rules would overwrite the label's values, so two of them would become two series with one
    label set, which Prometheus refuses; and the bundle's own promtool tests would fail.
    """
    for n, label in enumerate(slo.group_by):
        why = reserved_label_reason(label)
        if why is None:
            continue
        reserved = ", ".join(sorted(RESERVED_GROUP_BY_LABELS))
        report.add(
            GROUP_BY_RESERVED,
            f"group_by cannot list {label!r}: {why} (reserved: {reserved}, and names starting with __)",
            [*path, "group_by", n],
            hint="split the SLO by a label of its own series, such as route; it is always split by cluster",
        )


def _burn_conditions_can_fire(slo: SLO, path: list[str | int], windows: tuple[BurnWindow, ...], report: Reporter) -> None:
    """A condition above factor × budget with factor × budget ≥ 1 needs more errors than events."""
    budget = 1 - slo.objective / 100
    enabled = {"page": slo.alerting.page, "ticket": slo.alerting.ticket}
    for window in windows:
        if not enabled[window.severity] or window.can_fire(budget):
            continue
        report.add(
            "catalog/slo-burn-unreachable",
            f"the {window.severity} over {format_duration(window.long)} and {format_duration(window.short)} fires "
            f"above {window.factor:g} × the {budget:.4g} error budget, more than every event failing, so it can never fire",
            [*path, "alerting", "windows"] if slo.alerting.windows else [*path, "objective"],
            severity=Severity.WARNING,
            hint=f"declare alerting.windows with factors below {1 / budget:.4g} (one over the error budget), "
            f"or switch the {window.severity} off",
        )


def _page_windows_are_whole_slices(
    slo: SLO, path: list[str | int], interval: int, report: Reporter
) -> None:
    """The fastest declared page's windows are whole slices when a full outage needs them summed exactly.

    `lgtmgen.slices` says when: otherwise that page would fire later than its detection time.
    """
    declared = [
        (n, window, _Condition(window.severity, int(parse_duration(window.long)), int(parse_duration(window.short)), window.factor))
        for n, window in enumerate(slo.alerting.windows or [])
    ]
    if not declared:
        return
    base = min(min(c.long, c.short) for _, _, c in declared)
    pair = fastest_page([c for _, _, c in declared], slo.alerting.page)
    budget = 1 - slo.objective / 100
    if pair is None or not needs_slices(pair, base, budget):
        return
    n, window = next((n, w) for n, w, c in declared if c is pair)
    for field, seconds in (("long", pair.long), ("short", pair.short)):
        if sliceable(seconds, base, interval):
            continue
        report.add(
            "catalog/slo-window-slices",
            f"the fastest page's {field} window {getattr(window, field)} is not a whole number of at most "
            f"{MAX_EXACT_SLICES} slices of {format_duration(base)} (the shortest window, itself a whole number of "
            f"{format_duration(interval)} evaluations), so after a full outage it would page later than its "
            f"detection time of {pair.factor * budget * pair.long:g}s",
            [*path, "alerting", "windows", n, field],
            hint=f"make the shortest window a multiple of {format_duration(interval)} and this window a multiple of it, "
            f"at most {MAX_EXACT_SLICES} times",
        )


@dataclass(frozen=True, slots=True)
class _Condition:
    severity: str
    long: int
    short: int
    factor: float
