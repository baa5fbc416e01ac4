"""Suggested changes for an alert's findings, in catalog terms where the catalog has the knob.

SLO alerts are tuned through their SLO's `alerting` settings (windows and factors, `page`,
`min_events`); anomaly alerts through their service's `anomaly` settings (`sensitivity`,
`for`, `requests`); a few other alerts have a catalog setting for their `for`; for the rest the
suggestion names the rule and its generated file. Everything here is advice for people: text.
"""

from __future__ import annotations

import math

from lgtmgen.burn_windows import burn_can_fire
from lgtmgen.catalog.models.anomaly import AnomalyDetection
from lgtmgen.catalog.models.base import format_duration
from lgtmgen.plan import BurnWindow, SLOPlan
from lgtmgen.review.rules import AlertRule
from lgtmgen.review.statistics import AlertStatistics

FOR_SETTINGS = {
    "ClusterOutage": "alerting.cluster_outage.for",
    "PageEscalation": "alerting.escalation.after",
    "UndeclaredDependency": "traces.service_graph.undeclared_for",
    "UnknownCaller": "traces.service_graph.undeclared_for",
}
"""Alerts whose `for` a catalog setting gives, and that setting."""
ANOMALY_ALERT = "ServiceAnomaly"
"""Its `for` (and `keep_firing_for`, which follows it) is the service's `anomaly.for`."""
MAX_SENSITIVITY = 10.0
"""The catalog's upper bound of `anomaly.sensitivity`."""


def whole_minutes(seconds: float) -> str:
    """`seconds` rounded up to a whole minute, as a Prometheus duration (at least 1m)."""
    return format_duration(max(math.ceil(seconds / 60), 1) * 60)


def slo_path(slo: SLOPlan) -> str:
    return f"services[{slo.service.name}].slos[{slo.slo.name}].alerting"


def _window(w: BurnWindow) -> str:
    long, short = format_duration(w.long), format_duration(w.short)
    return f"{{severity: {w.severity}, long: {long}, short: {short}, factor: {w.factor:g}}}"


def _burn_window(rule: AlertRule, slo: SLOPlan) -> BurnWindow | None:
    """The window of the SLO's windows that a burn-rate alert rule checks."""
    for w in slo.windows:
        if (w.severity, format_duration(w.long), format_duration(w.short)) == (
            rule.label("severity"), rule.label("long_window"), rule.label("short_window")
        ):
            return w
    return None


def _windows_with(slo: SLOPlan, old: BurnWindow, new: BurnWindow) -> str | None:
    """The SLO's windows with `old` replaced, as catalog text; None when the catalog would refuse
    them (windows derived for a short period can have a short window as long as the long one)."""
    windows = [new if w == old else w for w in slo.windows]
    if any(w.short >= w.long for w in windows):
        return None
    return "[" + ", ".join(_window(w) for w in windows) + "]"


def longer_short_window(w: BurnWindow) -> int | None:
    """A short window about twice as long that still divides the long one into whole minutes."""
    for parts in range(int(w.long // (2 * w.short)), 1, -1):
        short = w.long / parts
        if short == int(short) and short % 60 == 0:
            return int(short)
    return None


def anomaly_path(rule: AlertRule) -> str:
    return f"services[{rule.label('service')}].anomaly"


def flapping(rule: AlertRule | None, stats: AlertStatistics, slo: SLOPlan | None) -> list[str]:
    hold = whole_minutes(stats.longest_refire_gap)
    if rule is None:
        return []
    if rule.name == ANOMALY_ALERT:  # keep_firing_for is `for`: a longer `for` holds it over the gaps too
        return [_for_advice(rule, stats.longest_refire_gap, "a signal that keeps crossing its band")]
    out = []
    window = _burn_window(rule, slo) if slo is not None else None
    if slo is not None and window is not None:
        short = longer_short_window(window)
        text = _windows_with(slo, window, BurnWindow(window.severity, window.long, short, window.factor)) if short else None
        if text is not None:
            out.append(
                f"lengthen the short window, which resolves the alert as soon as it recovers: "
                f"{slo_path(slo)}.windows: {text}"
            )
    if rule.keep_firing_for_seconds < stats.longest_refire_gap:
        where = "the catalog has no setting for it yet; " if slo is not None else ""
        out.append(
            f"keep_firing_for: {hold} (Prometheus 2.42 and later) on the rule would hold it over "
            f"the gaps seen ({where}rule {rule.name} in {rule.file})"
        )
    if slo is None:
        out.append(_for_advice(rule, stats.longest_refire_gap, "a signal that keeps crossing the threshold"))
    return out


def noisy(
    rule: AlertRule | None,
    stats: AlertStatistics,
    slo: SLOPlan | None,
    short_seconds: float,
    anomaly: AnomalyDetection | None = None,
) -> list[str]:
    if rule is None:
        return []
    mostly_short = stats.firings > 0 and stats.short_firings * 2 >= stats.firings
    if rule.name == ANOMALY_ALERT and anomaly is not None:
        return _noisy_anomaly(rule, stats, short_seconds, anomaly, mostly_short)
    window = _burn_window(rule, slo) if slo is not None else None
    if slo is None or window is None:
        if slo is not None:  # the SLO's other alerts: absent metrics, budget exhausted
            switches = "`absent`, `budget_exhausted`"
            return [f"check what makes it fire this often; {slo_path(slo)} can turn it off ({switches})"]
        return [_for_advice(rule, max(stats.median_seconds, short_seconds), "short firings nobody can act on")]
    out = []
    doubled = _windows_with(slo, window, BurnWindow(window.severity, window.long * 2, window.short * 2, window.factor))
    if doubled is not None:
        out.append(
            f"lengthen this {window.severity}'s windows (the budget spent before it fires doubles): "
            f"{slo_path(slo)}.windows: {doubled}"
        )
    raised_factor = round(window.factor * 1.5, 2)
    raised = _windows_with(slo, window, BurnWindow(window.severity, window.long, window.short, raised_factor))
    if raised is not None and burn_can_fire(raised_factor, slo.error_budget):
        out.append(f"or raise its factor by half: {slo_path(slo)}.windows: {raised}")
    if window.severity == "page":
        out.append(
            f"or demote it to a ticket: {slo_path(slo)}.page: false (the tickets still catch a sustained burn)"
        )
    if mostly_short and slo.slo.alerting.min_events == 0:
        out.append(
            f"most firings end within {format_duration(short_seconds)}: if traffic is low, a few failures burn "
            f"the budget fast; set {slo_path(slo)}.min_events (no burn-rate alert below that many events)"
        )
    return out


def _noisy_anomaly(
    rule: AlertRule, stats: AlertStatistics, short_seconds: float, anomaly: AnomalyDetection, mostly_short: bool
) -> list[str]:
    """A wider band for departures that are real but too small to act on; a longer `for` for brief ones."""
    path, out = anomaly_path(rule), []
    if mostly_short:
        out.append(_for_advice(rule, max(stats.median_seconds, short_seconds), "short firings nobody can act on"))
    if anomaly.sensitivity < MAX_SENSITIVITY:
        wider = min(MAX_SENSITIVITY, round(anomaly.sensitivity * 1.5, 1))
        out.append(
            f"{'or ' if out else ''}widen the band: {path}.sensitivity from {anomaly.sensitivity:g} to {wider:g} "
            "(standard deviations a departure must exceed)"
        )
    other = {"drop": "surge", "surge": "drop"}.get(rule.label("direction") or "")
    if rule.label("signal") == "requests" and other is not None and anomaly.requests == "both":
        out.append(f"or, if only a {other} of traffic matters, stop watching {rule.label('direction')}s: "
                   f"{path}.requests: {other}")
    if not out:
        out.append(_for_advice(rule, max(stats.median_seconds, short_seconds), "departures nobody acts on"))
    return out


def _for_advice(rule: AlertRule, seconds: float, why: str) -> str:
    now = format_duration(rule.for_seconds) if rule.for_seconds else "0s"
    target = whole_minutes(max(seconds * 2, rule.for_seconds * 2, 60))
    where = FOR_SETTINGS.get(rule.name)
    if rule.name == ANOMALY_ALERT and rule.label("service") is not None:
        where = f"{anomaly_path(rule)}.for"
        why += "; keep_firing_for follows it"
    if where is not None:
        return f"raise {where} from {now} to {target} ({why})"
    return f"raise `for` of {rule.name} ({rule.file}, group {rule.group}) from {now} to {target} ({why})"


def never_firing(rule: AlertRule, slo: SLOPlan | None) -> list[str]:
    window = _burn_window(rule, slo) if slo is not None else None
    if slo is not None and window is not None and not window.can_fire(slo.error_budget):
        ceiling = 1 / slo.error_budget
        return [
            (f"it cannot fire: {window.factor:g} times the error budget ({slo.error_budget:.4%}) is an error ratio "
            f"above 100 %; give this window a factor below {ceiling:g} in {slo_path(slo)}.windows, or drop it")
        ]
    if rule.tested_in is not None:
        return [
            (f"its generated promtool test ({rule.tested_in}) shows it fires when its condition holds: "
            "it has only been quiet")
        ]
    if rule.language == "logql":
        return ["no generated test shows it firing: check that the log streams its LogQL query selects exist"]
    if not rule.reads:
        return ["no generated test shows it firing: check that the series its expression reads exist"]
    names = "|".join(rule.reads)
    return [
        (f"no generated test shows it firing: check that the series it reads exist "
        f"({', '.join(rule.reads)}), e.g. count by (__name__) ({{__name__=~\"{names}\"}})")
    ]
