"""Semantic checks of SLOs: histogram thresholds, probe selectors, burn-rate window overrides."""

from __future__ import annotations

from lgtmgen.catalog.models import SLO, Catalog, LatencySLI
from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.catalog.models.slo import MAX_EXACT_SLICES, ProbeSLI
from lgtmgen.catalog.semantics import Reporter
from lgtmgen.diagnostics import Severity
from lgtmgen.promql import selector_error


def check_slos(catalog: Catalog, report: Reporter) -> None:
    """Report SLO problems the models alone cannot see."""
    for s, service in enumerate(catalog.services):
        for n, slo in enumerate(service.slos):
            path: list[str | int] = ["services", s, "slos", n]
            sli = slo.sli
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
            seen: dict[tuple[str, float, float], int] = {}
            for w, window in enumerate(slo.alerting.windows or []):
                if parse_duration(window.short) >= parse_duration(window.long):
                    report.add(
                        "catalog/slo-window-order",
                        f"the short window {window.short} must be shorter than the long window {window.long}",
                        [*path, "alerting", "windows", w, "short"],
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
            _page_windows_are_whole_slices(slo, path, report)


def _page_windows_are_whole_slices(slo: SLO, path: list[str | int], report: Reporter) -> None:
    """Declared page windows that a full outage needs summed exactly are whole multiples of the shortest window.

    The rules record events per shortest window and sum a page's windows from those slices
    when the page's detection time (factor × budget × long window) exceeds one slice; a
    window that is not a whole number of slices falls back to an average that fills slowly,
    and the page would fire later than the detection time after a full outage.
    """
    windows = slo.alerting.windows or []
    if not windows:
        return
    base = min(min(parse_duration(w.long), parse_duration(w.short)) for w in windows)
    budget = 1 - slo.objective / 100
    for w, window in enumerate(windows):
        long, short = parse_duration(window.long), parse_duration(window.short)
        if window.severity != "page" or window.factor * budget * long <= base:
            continue
        for field, seconds in (("long", long), ("short", short)):
            if seconds % base or seconds // base > MAX_EXACT_SLICES:
                report.add(
                    "catalog/slo-window-slices",
                    f"the page's {field} window {getattr(window, field)} is not a whole number of at most "
                    f"{MAX_EXACT_SLICES} {format_duration(base)} slices (the shortest window), so after a full outage it would "
                    f"page later than its detection time of {window.factor * budget * long:g}s",
                    [*path, "alerting", "windows", w, field],
                    hint=f"use a multiple of {format_duration(base)}",
                )
