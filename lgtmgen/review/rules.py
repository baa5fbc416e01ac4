"""The alert rules a catalog generates, read from the generators' artifacts (never from files).

An alert rule is known by its name and its fixed labels: the label values that are plain text
(not Go templates), such as ``service``, ``slo``, ``severity`` and the burn-rate windows. An
alert of the history belongs to the rule of its name whose fixed labels it all carries; the
labels its expression adds (``cluster``, ``route``, ...) tell its series apart.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lgtmgen.artifacts import RULE_ROLES, Artifact, Role
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.plan import Plan
from lgtmgen.promql import selected_metrics
from lgtmgen.review.history import Labels
from lgtmgen.templating import GO_LITERAL_BRACES, literal_text

DESCRIPTIVE_LABELS = frozenset({"team", "tenant", "tier", "sli_kind"})
"""Labels that describe an alert but, in lgtmgen's rules, never tell two rules of a name apart:
left out of the short name people read (they still identify the rule)."""
COPY_ROLES = frozenset({Role.PROMETHEUS_RULE_OBJECT})
"""Per-cluster copies (a PrometheusRule object per cluster): a rule is named by its file
elsewhere when it has one, or a suggestion would point at one cluster's copy."""


@dataclass(frozen=True, slots=True)
class AlertRule:
    """One generated alerting rule, as a review needs it."""

    name: str
    labels: Labels
    """The fixed labels, sorted by name."""
    expr: str
    for_seconds: float
    keep_firing_for_seconds: float
    file: str
    group: str
    reads: tuple[str, ...] = ()
    """For a rule no test shows firing: the raw series its PromQL expression needs, the metric
    names it reads with those the bundle's recording rules produce replaced by what those read."""
    language: str = "promql"
    """The expression's language: ``promql``, or ``logql`` for the Loki ruler's rules."""
    tested_in: str | None = None
    """A generated promtool test file that expects this alert to fire, if any."""

    def label(self, name: str) -> str | None:
        return dict(self.labels).get(name)

    def matches(self, labels: Mapping[str, str]) -> bool:
        return labels.get("alertname") == self.name and all(labels.get(k) == v for k, v in self.labels)

    @property
    def key(self) -> str:
        """``Name{label="value",...}``: how reports name the rule."""
        inner = ",".join(f'{k}="{v}"' for k, v in self.labels)
        return f"{self.name}{{{inner}}}" if inner else self.name


    @property
    def short_key(self) -> str:
        """The key without the descriptive labels: ``SLOErrorBudgetBurn{service="api",...}``."""
        inner = ",".join(f'{k}="{v}"' for k, v in self.labels if k not in DESCRIPTIVE_LABELS)
        return f"{self.name}{{{inner}}}" if inner else self.name


def fixed_labels(labels: Mapping[str, Any]) -> Labels:
    """The labels whose values are plain text once `go_text` escapes are undone."""
    fixed = []
    for name, value in labels.items():
        text = str(value)
        if "{{" in text.replace(GO_LITERAL_BRACES, ""):
            continue  # a template: its value depends on the series
        fixed.append((name, literal_text(text)))
    return tuple(sorted(fixed))


def _groups(artifact: Artifact) -> list[dict[str, Any]]:
    if not isinstance(artifact.data, dict):
        return []
    if artifact.role in RULE_ROLES:
        return list(artifact.data.get("groups", []))
    if artifact.role is Role.PROMETHEUS_RULE_OBJECT:
        return list(artifact.data.get("spec", {}).get("groups", []))
    return []


def _seconds(value: Any) -> float:
    return parse_duration(str(value)) if value else 0.0


@dataclass
class _Recordings:
    """The bundle's recording rules, to follow an alert's recorded inputs back to raw series.

    A recording applies to an alert unless a label both fix differs (the SLOs' many recordings
    of one name differ by `service` and `slo`); its expression is parsed only when followed.
    """

    by_name: dict[str, dict[tuple[str | None, str | None], dict[Labels, str]]] = field(default_factory=dict)
    """name → (its `service`, `slo`) → labels → expression: an SLO's lookup skips the other SLOs'."""
    keys: dict[str, frozenset[str]] = field(default_factory=dict)
    memo: dict[tuple[str, Labels], frozenset[str]] = field(default_factory=dict)

    def add(self, name: str, labels: Labels, expr: str) -> None:
        fixed = dict(labels)
        by_identity = self.by_name.setdefault(name, {})
        by_identity.setdefault((fixed.get("service"), fixed.get("slo")), {}).setdefault(labels, expr)

    def raw_series(self, expr: str, labels: Labels) -> tuple[str, ...]:
        """The metric names `expr` needs that no recording rule applying to `labels` produces."""
        fixed = dict(labels)
        raw: set[str] = set()
        for name in _metric_names(expr):
            raw |= self._raw(name, fixed, ())
        return tuple(sorted(raw))

    def _raw(self, name: str, fixed: dict[str, str], path: tuple[str, ...]) -> frozenset[str]:
        by_identity = self.by_name.get(name)
        if by_identity is None:
            return frozenset({name})
        if name in path:  # a cycle: promtool refuses it; stop here
            return frozenset()
        if name not in self.keys:
            self.keys[name] = frozenset(k for rules in by_identity.values() for labels in rules for k, _ in labels)
        # Only the labels the recordings of `name` fix decide which apply: memoised on them.
        key = (name, tuple(sorted((k, v) for k, v in fixed.items() if k in self.keys[name])))
        if key not in self.memo:
            service, slo = fixed.get("service"), fixed.get("slo")
            identities = {(service, slo), (service, None), (None, slo), (None, None)}
            if service is None or slo is None:  # the alert does not fix them: any recording may apply
                identities = set(by_identity)
            found: set[str] = set()
            for identity in identities:
                for labels, expr in by_identity.get(identity, {}).items():
                    if all(fixed.get(k, v) == v for k, v in labels):
                        for read in _metric_names(expr):
                            found |= self._raw(read, fixed, (*path, name))
            self.memo[key] = frozenset(found)
        return self.memo[key]


def alert_rules(artifacts: Iterable[Artifact]) -> list[AlertRule]:
    """Every distinct alerting rule of `artifacts` (the same rule in several files counts once,
    at its first file that is not a per-cluster copy), marked with the promtool test that expects it to fire; an untested
    rule's inputs are followed through the recording rules to the raw series they need."""
    rules: dict[tuple[str, Labels], AlertRule] = {}
    copies: set[tuple[str, Labels]] = set()  # rules known so far only from a per-cluster copy
    recordings = _Recordings()
    expected: dict[tuple[str, str | None], list[tuple[dict[str, str], str]]] = {}  # (alertname, service) → tests
    for artifact in artifacts:
        if artifact.role is Role.PROMETHEUS_RULE_TESTS and isinstance(artifact.data, dict):
            for alertname, exp_labels, file in _expected_alerts(artifact):
                expected.setdefault((alertname, exp_labels.get("service")), []).append((exp_labels, file))
        promql = artifact.role is not Role.LOKI_RULES
        for group in _groups(artifact):
            for rule in group.get("rules", []):
                expr = str(rule.get("expr", ""))
                labels = fixed_labels(rule.get("labels", {}))
                if "record" in rule:
                    if promql:
                        recordings.add(str(rule["record"]), labels, expr)
                    continue
                key = (str(rule["alert"]), labels)
                if key in rules:
                    if key in copies and artifact.role not in COPY_ROLES:
                        rules[key] = dataclasses.replace(rules[key], file=artifact.path, group=str(group.get("name", "")))
                        copies.discard(key)
                    continue
                if artifact.role in COPY_ROLES:
                    copies.add(key)
                rules[key] = AlertRule(
                    name=str(rule["alert"]),
                    labels=labels,
                    expr=expr,
                    for_seconds=_seconds(rule.get("for")),
                    keep_firing_for_seconds=_seconds(rule.get("keep_firing_for")),
                    file=artifact.path,
                    group=str(group.get("name", "")),
                    language="promql" if promql else "logql",
                )
    out = []
    for rule in rules.values():
        tests = expected.get((rule.name, rule.label("service")), [])
        test = next((file for labels, file in tests if rule.matches({**labels, "alertname": rule.name})), None)
        if test is not None:
            out.append(dataclasses.replace(rule, tested_in=test))
        elif rule.language == "promql":  # what to look for when it never fires
            out.append(dataclasses.replace(rule, reads=recordings.raw_series(rule.expr, rule.labels)))
        else:
            out.append(rule)
    return out


@functools.lru_cache(maxsize=65536)
def _metric_names(expr: str) -> tuple[str, ...]:
    try:
        return tuple(sorted(selected_metrics(expr).names))
    except ValueError:  # not PromQL; the rule checks report it
        return ()


def _expected_alerts(artifact: Artifact) -> list[tuple[str, dict[str, str], str]]:
    found = []
    for test in artifact.data.get("tests", []):
        for case in test.get("alert_rule_test", []):
            for alert in case.get("exp_alerts", []):
                labels = {k: str(v) for k, v in alert.get("exp_labels", {}).items()}
                found.append((str(case.get("alertname", "")), labels, artifact.path))
    return found


def generated_alert_rules(plan: Plan) -> list[AlertRule]:
    """The alerting rules a build of `plan` writes, in registry order."""
    from lgtmgen.bundle import WITHOUT_ALERTS
    from lgtmgen.generators import GENERATORS

    # Generators without alerts are skipped, except the SLO tests, which tell which alerts can fire.
    skipped = WITHOUT_ALERTS - {"slo-tests"}
    artifacts = (a for g in GENERATORS if g.name not in skipped for a in g.generate(plan))
    return alert_rules(artifacts)
