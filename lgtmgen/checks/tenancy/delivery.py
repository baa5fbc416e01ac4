"""Whether a cluster's remote write delivers the series a rule reads, and which rules a cluster runs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import CheckContext
from lgtmgen.checks.bundle_yaml import safe_load
from lgtmgen.checks.tenancy.relabel import KNOWN_ACTIONS, Values, apply, may_hold, value_of
from lgtmgen.checks.tenancy.rule_series import Selector
from lgtmgen.checks.tenancy.wiring import (
    CLUSTERS_DIR,
    DEFAULT_HA_CLUSTER_LABEL,
    DEFAULT_HA_REPLICA_LABEL,
    PrometheusConfig,
    RemoteWrite,
)

RULE_OBJECTS_DIR = "prometheus-rules"
RULER_SERIES = frozenset({"ALERTS", "ALERTS_FOR_STATE"})
TEMPO_PREFIX = "traces_"
IDENTITY_LABELS = frozenset({DEFAULT_HA_CLUSTER_LABEL, DEFAULT_HA_REPLICA_LABEL})
"""External labels that name the cluster (and replica) a series comes from: see `keeps`."""


def remote_writes_send(name: str, tempo: bool) -> bool:
    """Whether the series of metric `name` reach Mimir through the clusters' remote writes: not a
    recorded name (with a colon: rules record those, and no keep-list sends one), not the ruler's
    own `ALERTS`, not what Tempo's metrics generator writes (`traces_*`, in a bundle with Tempo)."""
    return ":" not in name and name not in RULER_SERIES and not (tempo and name.startswith(TEMPO_PREFIX))


_GROUP_NAME = re.compile(rb"\n *- name: ([^\n]*)")
"""A group's name line (a line of its own: the text is read with a newline before it)."""


def keeps(config: PrometheusConfig, write: RemoteWrite, selector: Selector) -> bool:
    """Whether `write` may send a series `selector` reads, as the cluster's Prometheus labels it.

    The series holds the selector's name and equality matchers, and the external labels it does
    not hold itself (Prometheus adds an external label only to a series without that label), except
    the cluster's identity labels (`cluster`, the HA replica label): lgtmgen's rules name a cluster's
    series by them, and a scraped series holds none of its own, so a selector naming another
    cluster's value reads another cluster's series. After relabelling the series must still match
    the selector."""
    labels: dict[str, Values] = {}
    for label, op, value in selector.matchers:
        if op == "=":
            labels[label] = frozenset({value})
    for name, value in config.external_labels.items():
        if name in IDENTITY_LABELS or name not in labels:
            labels[name] = frozenset({value})
    labels["__name__"] = frozenset({selector.name})
    final = apply(write.steps, labels)
    if final is None:
        return False
    wanted = [("__name__", "=", selector.name), *selector.matchers]
    return all(may_hold(value_of(final, label), op, value) for label, op, value in wanted)


@dataclass(frozen=True, slots=True)
class _Touched:
    """The labels a write's rules read or write: by name, or by the regex of a labeldrop or labelkeep.
    None of `names`: a rule may touch any label."""

    names: frozenset[str] | None
    patterns: tuple[str, ...]

    def touches(self, label: str) -> bool:
        return self.names is None or label in self.names or any(may_hold(frozenset({label}), "=~", p) for p in self.patterns)


def _touched(rules: tuple[Any, ...]) -> _Touched:
    names: set[str] = {"__name__"}
    patterns = []
    for rule in rules:
        if not isinstance(rule, Mapping):
            continue
        action = str(rule.get("action", "replace")).lower()
        target = str(rule.get("target_label", ""))
        # A labelkeep removes the labels its regex does not match: any label may be touched.
        if action not in KNOWN_ACTIONS or "$" in target or action == "labelkeep":
            return _Touched(None, ())
        if action in ("labeldrop", "labelkeep"):
            patterns.append(str(rule.get("regex", "(.*)")))
        listed = rule.get("source_labels")
        if isinstance(listed, list):
            names.update(str(label) for label in listed)
        names.add(target)
    return _Touched(frozenset(names), tuple(patterns))


class Delivery:
    """`keeps`, answered once for every selector alike in what the write's rules look at.

    Whether a write keeps a series depends on the labels its rules touch and on the external labels;
    the selector's matchers on any other label hold whatever the rules do. At 1,000 services the
    rules of a tenant read some 14,000 selectors, which differ mostly in such labels."""

    def __init__(self) -> None:
        self._answers: dict[tuple[object, ...], bool] = {}
        self._touched: dict[tuple[str, int], _Touched] = {}

    def keeps(self, config: PrometheusConfig, write: RemoteWrite, selector: Selector) -> bool:
        touched = self._touched.get((config.path, write.index))
        if touched is None:
            touched = self._touched[config.path, write.index] = _touched(write.relabel)
        relevant = tuple(
            m for m in selector.matchers if m[0] in config.external_labels or touched.touches(m[0])
        )
        key = (config.path, write.index, selector.name, relevant)
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = keeps(config, write, Selector(selector.name, relevant))
        return answer


def group_names(data: bytes) -> list[str]:
    """The rule group names of a rule file or PrometheusRule object, from its `- name:` lines (a
    group written another way is not found: its rules are then held to the tenant-wide check)."""
    names = []
    for found in _GROUP_NAME.findall(b"\n" + data):
        raw = found.decode("utf-8", "replace").strip()
        try:
            value = safe_load(raw) if raw[:1] in "\"'" else raw
        except yaml.YAMLError:
            continue
        names.append(str(value))
    return names


def evaluated_groups(ctx: CheckContext, configs: Iterable[PrometheusConfig]) -> dict[str, frozenset[str]]:
    """The rule groups each configuration's Prometheus evaluates: those of its `rule_files`, or for
    a Prometheus the operator runs, of its cluster's PrometheusRule objects."""
    texts: dict[str, list[str]] = {}

    def names(path: str) -> list[str]:
        if path not in texts:
            try:
                texts[path] = group_names((ctx.bundle_dir / path).read_bytes())
            except OSError:
                texts[path] = []
        return texts[path]

    listed = {f.path for f in ctx.files}
    objects: dict[str, list[str]] = {}
    for bundle_file in ctx.by_role(Role.PROMETHEUS_RULE_OBJECT):
        parts = bundle_file.path.split("/")
        if len(parts) == 5 and parts[:2] == ["kubernetes", "clusters"] and parts[3] == RULE_OBJECTS_DIR:
            objects.setdefault(CLUSTERS_DIR + parts[2], []).append(bundle_file.path)
    found = {}
    for config in configs:
        files = [f for f in config.rule_files if f in listed] or objects.get(config.cluster_dir, [])
        found[config.path] = frozenset(name for path in files for name in names(path))
    return found
