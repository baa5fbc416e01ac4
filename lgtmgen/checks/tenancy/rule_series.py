"""The series each ruler namespace file records and reads, remembered by the file's bytes.

At 1,000 services the Mimir ruler namespaces are about 40 MB of YAML holding 80,000 PromQL
expressions: loading and parsing them takes some 14 s, so what a file records and what its
groups read is remembered in the cache directory by the file's bytes (and lgtmgen's code), and
for the other checks of the same run that ask (the `grafana` check needs the records, the
`remote-write-keep` check the reads).

A record is kept with the values of the labels its rules set (`service: checkout`), which tell
the series of one tenant from those of another under one name. A selector is kept as its metric
name and matchers; a selector without a name (or with a name
pattern, or `or` matchers) could read anything and is left out. The selectors of a group that
reads its own tenant are kept only for names the file does not record itself (those it reads
where it writes them); a federated group (`source_tenants`) keeps all, as it reads other tenants.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import promql_parser
import yaml

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import BundleFile, CheckContext
from lgtmgen.checks.bundle_yaml import safe_load
from lgtmgen.checks.passed_runs import lint_digest
from lgtmgen.promql import match_operator, vector_selectors
from lgtmgen.promql import parse as parse_promql

READS_KIND = "ruler-file-reads"
LABELS_KIND = "ruler-file-record-labels"
RECORDS_KIND = "rule-file-records"

Matcher = tuple[str, str, str]
"""A label name, a PromQL match operator (`=`, `!=`, `=~`, `!~`) and its value."""




@dataclass(frozen=True, slots=True)
class Selector:
    """One vector selector a rule reads: its metric name and its other matchers."""

    name: str
    matchers: tuple[Matcher, ...]

    def __str__(self) -> str:
        inner = ", ".join(f"{label}{op}{json.dumps(value)}" for label, op, value in self.matchers)
        return f"{self.name}{{{inner}}}" if inner else self.name


@dataclass(frozen=True, slots=True)
class GroupReads:
    """The selectors one rule group reads; `sources` are its `source_tenants` (None: its own tenant)."""

    name: str
    sources: tuple[str, ...] | None
    reads: tuple[Selector, ...]


RecordLabels = Mapping[str, frozenset[str] | None]
"""The labels a record name's rules set: the values each takes, None where some rule leaves it open."""


@dataclass(frozen=True, slots=True)
class FileSeries:
    """What one rule file records (each name with the labels its rules set), and what each group reads."""

    labels: Mapping[str, RecordLabels]
    groups: tuple[GroupReads, ...]

    @property
    def records(self) -> frozenset[str]:
        return frozenset(self.labels)


def selectors(expr: str) -> set[Selector]:
    """The named selectors of one PromQL expression (empty when it does not parse: promtool's finding)."""
    try:
        tree = parse_promql(expr)
    except ValueError:
        return set()
    found = set()
    for node in vector_selectors(tree):
        group = node.matchers
        if group.or_matchers:
            continue
        named = [m.value for m in group.matchers if m.name == "__name__" and m.op == promql_parser.MatchOp.Equal]
        name = node.name or (named[0] if named else "")
        if not name:
            continue
        rest = tuple(sorted((m.name, match_operator(m.op), m.value) for m in group.matchers if m.name != "__name__"))
        found.add(Selector(name, rest))
    return found


def _records(doc: object) -> set[str]:
    names: set[str] = set()
    for group in _groups(doc):
        for rule in _rules(group):
            if "record" in rule:
                names.add(str(rule["record"]))
    return names


def _groups(doc: object) -> list[dict[str, Any]]:
    groups = doc.get("groups") if isinstance(doc, dict) else None
    return [g for g in groups if isinstance(g, dict)] if isinstance(groups, list) else []


def _rules(group: dict[str, Any]) -> list[dict[str, Any]]:
    rules = group.get("rules")
    return [r for r in rules if isinstance(r, dict)] if isinstance(rules, list) else []


def record_labels(doc: object) -> dict[str, RecordLabels]:
    """For each record name, the values each label the rules set take; None where a rule of that
    name does not set the label (its value then comes from the expression: any value)."""
    labelled: dict[str, list[dict[str, str]]] = {}
    for group in _groups(doc):
        for rule in _rules(group):
            if "record" in rule:
                labels = rule.get("labels")
                static = {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}
                labelled.setdefault(str(rule["record"]), []).append(static)
    return {name: merge_labels(rules) for name, rules in labelled.items()}


def merge_labels(rules: list[dict[str, str]]) -> RecordLabels:
    """The values of each label over rules that record one name; None where one rule leaves it open."""
    names = {label for rule in rules for label in rule}
    return {
        label: frozenset(rule[label] for rule in rules) if all(label in rule for rule in rules) else None
        for label in sorted(names)
    }


def merge_records(records: list[RecordLabels]) -> RecordLabels:
    """`merge_labels` of records summarised already (files of one tenant)."""
    names = {label for labels in records for label in labels}
    merged: dict[str, frozenset[str] | None] = {}
    for label in sorted(names):
        values = [labels.get(label) if label in labels else None for labels in records]
        merged[label] = None if any(v is None for v in values) else frozenset().union(*(v for v in values if v is not None))
    return merged


def _summary(doc: object, reads_promql: bool) -> FileSeries:
    records = record_labels(doc)
    groups = []
    for group in _groups(doc) if reads_promql else []:
        sources = group.get("source_tenants")
        federated = tuple(str(s) for s in sources) if isinstance(sources, list) else None
        reads: set[Selector] = set()
        for rule in _rules(group):
            if isinstance(rule.get("expr"), str | int | float):
                reads |= selectors(str(rule["expr"]))
        if federated is None:
            reads = {s for s in reads if s.name not in records}
        groups.append(GroupReads(str(group.get("name", "")), federated, tuple(sorted(reads, key=str))))
    return FileSeries(records, tuple(groups))


def _encode(series: FileSeries) -> str:
    groups = [[g.name, g.sources, [[s.name, s.matchers] for s in g.reads]] for g in series.groups]
    records = {
        name: {label: None if values is None else sorted(values) for label, values in labels.items()}
        for name, labels in sorted(series.labels.items())
    }
    return json.dumps({"records": records, "groups": groups}, separators=(",", ":"))


def _decode(note: str) -> FileSeries | None:
    try:
        data = json.loads(note)
        groups = tuple(
            GroupReads(
                str(name),
                None if sources is None else tuple(map(str, sources)),
                tuple(Selector(str(n), tuple((str(a), str(b), str(c)) for a, b, c in m)) for n, m in reads),
            )
            for name, sources, reads in data["groups"]
        )
        records = {
            str(name): {str(label): None if values is None else frozenset(map(str, values)) for label, values in labels.items()}
            for name, labels in data["records"].items()
        }
        return FileSeries(records, groups)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def file_series(ctx: CheckContext, bundle_file: BundleFile, reads: bool = True) -> FileSeries | None:
    """What one ruler file records and (a PromQL file, when `reads`) what its groups read; None when
    it cannot be read or parsed (the rule checks' finding). Without `reads` no PromQL is parsed, and
    the groups are empty unless a check that asked for them remembered them."""
    try:
        data = bundle_file.absolute.read_bytes()
    except OSError:
        return None
    promql = bundle_file.role is not Role.LOKI_RULES
    full = lint_digest(data, f"{READS_KIND} {promql}")
    digests = [(full, READS_KIND)] if reads and promql else [(full, READS_KIND), (lint_digest(data, LABELS_KIND), LABELS_KIND)]
    for digest, kind in digests:
        series = _recalled(ctx, digest, kind)
        if series is not None:
            break
    else:
        try:
            series = _summary(safe_load(data.decode("utf-8")), promql and reads)
        except (UnicodeDecodeError, yaml.YAMLError):
            return None
        digest, kind = digests[-1]
        if (known := ctx.remembered(kind)) is not None:
            known.remember_note(digest, _encode(series))
    ctx.shared[digest] = series
    # The records are what the `grafana` check asks of the same bytes: no second parse.
    ctx.shared[lint_digest(data, RECORDS_KIND)] = series.records
    return series


def _recalled(ctx: CheckContext, digest: str, kind: str) -> FileSeries | None:
    shared = ctx.shared.get(digest)
    if isinstance(shared, FileSeries):
        return shared
    known = ctx.remembered(kind)
    note = known.recall(digest) if known is not None else None
    return _decode(note) if note is not None else None


def file_records(ctx: CheckContext, bundle_file: BundleFile) -> frozenset[str] | None:
    """The record names of one rule file; None when it cannot be read or parsed."""
    try:
        data = bundle_file.absolute.read_bytes()
    except OSError:  # an unreadable rule file is the rule checks' finding; here it records nothing
        return None
    digest = lint_digest(data, RECORDS_KIND)
    shared = ctx.shared.get(digest)
    if isinstance(shared, frozenset):
        return shared
    known = ctx.remembered(RECORDS_KIND)
    note = known.recall(digest) if known is not None else None
    if note is not None:
        names = frozenset(name for name in note.split("\n") if name)
    else:
        try:
            names = frozenset(_records(safe_load(data.decode("utf-8"))))
        except (UnicodeDecodeError, yaml.YAMLError):
            return None
        if known is not None:
            known.remember_note(digest, "\n".join(sorted(names)))
    ctx.shared[digest] = names
    return names
