"""The review: each generated alert's statistics and findings, and the alerts nobody generates.

Findings:

- ``noisy``: fires at least `noisy_per_week` times a week, or at least half of its firings
  (and at least `MIN_SHORT_FIRINGS`) resolve within `short_firing`: too often, or too briefly
  for anyone to act;
- ``flapping``: fired again within `flap_gap` of resolving at least `flap_min` times;
- ``never-firing``: a generated alert that did not fire in a history at least as long as it
  needs (`min_history`, and for an SLO's alerts the SLO's period);
- ``unjudged``: did not fire, but the history is shorter than that;
- ``orphan``: fired, but the catalog generates no such alert.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lgtmgen.catalog.models.anomaly import AnomalyDetection
from lgtmgen.catalog.models.base import format_duration
from lgtmgen.plan import SLOPlan
from lgtmgen.review import suggestions
from lgtmgen.review.history import Firing, History, Labels
from lgtmgen.review.rules import AlertRule
from lgtmgen.review.statistics import AlertStatistics, alert_statistics

MIN_SHORT_FIRINGS = 3
"""One or two quick firings are no pattern: a short-lived alert is noisy from this many on."""
ORPHAN_LABELS = ("service", "slo", "severity")
"""The labels that tell apart orphans of one name (rules lgtmgen once generated carry them)."""
ORPHAN_ADVICE = (
    "a rule the catalog no longer generates (remove what is left of it where it still runs), "
    "or an alert of another source (route or drop it there)"
)
FINDING_KINDS = ("noisy", "flapping", "never-firing", "unjudged", "orphan")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """What counts as noisy, flapping and a history long enough; durations in seconds."""

    noisy_per_week: float = 5.0
    short_firing: float = 300.0
    flap_gap: float = 900.0
    flap_min: int = 3
    min_history: float = 7 * 86400.0

    def as_json(self) -> dict[str, object]:
        return {
            "noisy_per_week": self.noisy_per_week,
            "short_firing": format_duration(self.short_firing),
            "flap_gap": format_duration(self.flap_gap),
            "flap_min": self.flap_min,
            "min_history": format_duration(self.min_history),
        }


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    message: str
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AlertReview:
    """One generated rule (`rule`), or one group of orphans (`rule` None) with their labels."""

    name: str
    labels: Labels
    rule: AlertRule | None
    statistics: AlertStatistics
    findings: tuple[Finding, ...] = field(default=())

    @property
    def key(self) -> str:
        """The rule's short key (see `AlertRule.short_key`), or the orphans' name and labels."""
        if self.rule is not None:
            return self.rule.short_key
        inner = ",".join(f'{k}="{v}"' for k, v in self.labels)
        return f"{self.name}{{{inner}}}" if inner else self.name


@dataclass(frozen=True, slots=True)
class Review:
    history: History
    thresholds: Thresholds
    alerts: tuple[AlertReview, ...]
    """Every generated rule, in the order the generators write them."""
    orphans: tuple[AlertReview, ...]

    def findings(self, kind: str) -> list[AlertReview]:
        return [a for a in (*self.alerts, *self.orphans) if any(f.kind == kind for f in a.findings)]


def owner(rules: Sequence[AlertRule], labels: Mapping[str, str]) -> AlertRule | None:
    """The rule an alert with `labels` comes from: of those it matches, the one with most fixed labels."""
    matching = [r for r in rules if r.matches(labels)]
    return max(matching, key=lambda r: len(r.labels), default=None)


def review_alerts(
    rules: Sequence[AlertRule],
    history: History,
    thresholds: Thresholds,
    slos: Sequence[SLOPlan],
    anomalies: Mapping[str, AnomalyDetection] | None = None,
) -> Review:
    """Assign every firing to its rule (or to an orphan group) and judge each.

    `anomalies` (service name → its anomaly settings) lets anomaly alerts' suggestions
    name the settings to change and their values.
    """
    anomalies = anomalies or {}
    by_name: dict[str, list[AlertRule]] = {}
    for rule in rules:
        by_name.setdefault(rule.name, []).append(rule)
    of_rule: dict[int, list[Firing]] = {}
    orphaned: dict[tuple[str, Labels], list[Firing]] = {}
    owners: dict[Labels, AlertRule | None] = {}  # a series fires many times: its rule is looked up once
    for firing in history.firings:
        labels = dict(firing.labels)
        if firing.labels not in owners:
            owners[firing.labels] = owner(by_name.get(firing.alertname, []), labels)
        found = owners[firing.labels]
        if found is None:
            key = tuple((k, labels[k]) for k in ORPHAN_LABELS if k in labels)
            orphaned.setdefault((firing.alertname, key), []).append(firing)
        else:
            of_rule.setdefault(id(found), []).append(firing)
    slo_index = {(s.service.name, s.slo.name): s for s in slos}
    alerts = []
    for rule in rules:
        stats = _statistics(of_rule.get(id(rule), []), history, thresholds)
        slo = slo_index.get((rule.label("service") or "", rule.label("slo") or ""))
        findings = _judge(rule, stats, history, thresholds, slo, anomalies.get(rule.label("service") or ""))
        alerts.append(AlertReview(rule.name, rule.labels, rule, stats, findings))
    orphans = []
    for (name, identity), firings in sorted(orphaned.items()):
        stats = _statistics(firings, history, thresholds)
        orphan = Finding(
            "orphan",
            f"fired {_times(stats.firings)} but this catalog generates no such alert",
            (ORPHAN_ADVICE,),
        )
        orphans.append(AlertReview(name, identity, None, stats, (orphan, *_behaviour(None, stats, thresholds, None))))
    return Review(history, thresholds, tuple(alerts), tuple(orphans))


def _statistics(firings: list[Firing], history: History, thresholds: Thresholds) -> AlertStatistics:
    return alert_statistics(firings, history.seconds, thresholds.short_firing, thresholds.flap_gap)


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def needed_history(rule: AlertRule, slo: SLOPlan | None, thresholds: Thresholds) -> float:
    """How long a history must be to say the rule never fires: an SLO's alerts need its period."""
    return max(thresholds.min_history, float(slo.period) if slo is not None else 0.0)


def _judge(
    rule: AlertRule,
    stats: AlertStatistics,
    history: History,
    thresholds: Thresholds,
    slo: SLOPlan | None,
    anomaly: AnomalyDetection | None = None,
) -> tuple[Finding, ...]:
    if stats.firings == 0:
        needed = needed_history(rule, slo, thresholds)
        span = format_duration(history.seconds)
        if history.seconds < needed:
            by_period = slo is not None and slo.period > thresholds.min_history
            why = f"the period of SLO {slo.slo.name}" if slo is not None and by_period else "min_history"
            message = f"did not fire in {span}; saying it never fires takes {format_duration(needed)} ({why})"
            return (Finding("unjudged", message),)
        return (Finding("never-firing", f"did not fire once in {span}", tuple(suggestions.never_firing(rule, slo))),)
    return _behaviour(rule, stats, thresholds, slo, anomaly)


def _behaviour(
    rule: AlertRule | None,
    stats: AlertStatistics,
    thresholds: Thresholds,
    slo: SLOPlan | None,
    anomaly: AnomalyDetection | None = None,
) -> tuple[Finding, ...]:
    found = []
    short = format_duration(thresholds.short_firing)
    often = stats.per_week >= thresholds.noisy_per_week
    brief = stats.short_firings >= MIN_SHORT_FIRINGS and stats.short_firings * 2 >= stats.firings
    if often or brief:
        reasons = []
        if often:
            reasons.append(f"{stats.per_week:.1f} firings a week (threshold {thresholds.noisy_per_week:g})")
        if brief:
            reasons.append(f"{stats.short_firings} of {stats.firings} firings resolved within {short}")
        advice = suggestions.noisy(rule, stats, slo, thresholds.short_firing, anomaly)
        found.append(Finding("noisy", "; ".join(reasons), tuple(advice)))
    if stats.refirings >= thresholds.flap_min:
        message = (
            f"fired again within {format_duration(thresholds.flap_gap)} of resolving {_times(stats.refirings)} "
            f"(longest gap {format_duration(stats.longest_refire_gap)})"
        )
        found.append(Finding("flapping", message, tuple(suggestions.flapping(rule, stats, slo))))
    return tuple(found)
