"""The `loki-rules` check: LogQL ruler files read the way the Loki ruler reads them.

No maintained LogQL parser exists for Python, so expressions go through
`lgtmgen.logql_syntax`, a documented structural check. Besides the expressions it
checks the Prometheus-style rule file shape, unique group names, recording names of
the `level:metric:operation` form (Loki refuses others), that recording rules are
metric queries, and label names.

Check ids: ``loki-rules/structure``, ``loki-rules/duplicate-group``,
``loki-rules/record-name``, ``loki-rules/log-query-recorded``, ``loki-rules/logql``,
``loki-rules/label-name``, ``loki-rules/unreadable``.
"""

from __future__ import annotations

import re
from typing import Any

from lgtmgen.artifacts import Role
from lgtmgen.catalog.models.base import DURATION_PATTERN, LABEL_NAME_PATTERN
from lgtmgen.checks.base import CheckContext
from lgtmgen.checks.bundle_yaml import load_bundle_yaml
from lgtmgen.checks.rule_hygiene import RECORDING_NAME as RECORD_NAME
from lgtmgen.diagnostics import Diagnostic, Location
from lgtmgen.logql_syntax import logql_problem

LABEL_NAME = re.compile(LABEL_NAME_PATTERN)
DURATION = re.compile(DURATION_PATTERN)
GROUP_KEYS = {"name", "interval", "limit", "rules"}
RULE_KEYS = {"record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"}


class _File:
    def __init__(self, path: str) -> None:
        self.path = path
        self.found: list[Diagnostic] = []

    def add(self, check: str, where: str, message: str) -> None:
        self.found.append(
            Diagnostic(
                check,
                f"{where}: {message}" if where else message,
                location=Location(self.path),
                path=where or None,
            )
        )


def _check_rule(f: _File, rule: object, where: str) -> None:
    if not isinstance(rule, dict):
        f.add("loki-rules/structure", where, "a rule is a mapping")
        return
    for key in rule:
        if key not in RULE_KEYS:
            f.add("loki-rules/structure", f"{where}.{key}", "unknown rule key")
    kinds = [k for k in ("record", "alert") if k in rule]
    if len(kinds) != 1:
        f.add("loki-rules/structure", where, "a rule has exactly one of record and alert")
        return
    expr = rule.get("expr")
    if not isinstance(expr, str) or not expr.strip():
        f.add("loki-rules/structure", f"{where}.expr", "expr must be a non-empty string")
        return
    if (problem := logql_problem(expr)) is not None:
        f.add("loki-rules/logql", f"{where}.expr", problem)
    if kinds == ["record"]:
        name = str(rule["record"])
        if not RECORD_NAME.fullmatch(name):
            f.add(
                "loki-rules/record-name",
                f"{where}.record",
                f"{name!r} is not of the form level:metric:operation",
            )
        if expr.lstrip().startswith("{"):
            f.add(
                "loki-rules/log-query-recorded",
                f"{where}.expr",
                "a recording rule needs a metric query, not a log query",
            )
        if "for" in rule:
            f.add("loki-rules/structure", f"{where}.for", "only alerts have for")
    for key in ("for", "keep_firing_for"):
        if key in rule and not (isinstance(rule[key], str) and DURATION.fullmatch(rule[key])):
            f.add("loki-rules/structure", f"{where}.{key}", f"{rule[key]!r} is not a duration")
    for key in ("labels", "annotations"):
        block = rule.get(key) or {}
        if not isinstance(block, dict):
            f.add("loki-rules/structure", f"{where}.{key}", "must be a mapping")
            continue
        for name, value in block.items():
            if not LABEL_NAME.fullmatch(str(name)):
                f.add("loki-rules/label-name", f"{where}.{key}.{name}", "not a label name")
            if not isinstance(value, str):
                f.add("loki-rules/structure", f"{where}.{key}.{name}", "values must be strings")


def validate_rule_file(doc: Any, path: str) -> list[Diagnostic]:
    """Every problem of one Loki rule file."""
    f = _File(path)
    groups = doc.get("groups") if isinstance(doc, dict) else None
    if not isinstance(groups, list) or set(doc) != {"groups"}:
        f.add("loki-rules/structure", "", "a rule file is a mapping with only a groups list")
        return f.found
    seen: set[str] = set()
    for g_index, group in enumerate(groups):
        where = f"groups[{g_index}]"
        if (
            not isinstance(group, dict)
            or not isinstance(group.get("name"), str)
            or not group["name"]
        ):
            f.add("loki-rules/structure", where, "a group is a mapping with a name")
            continue
        for key in group:
            if key not in GROUP_KEYS:
                f.add("loki-rules/structure", f"{where}.{key}", "unknown group key")
        if group["name"] in seen:
            f.add(
                "loki-rules/duplicate-group",
                f"{where}.name",
                f"group {group['name']!r} appears twice",
            )
        seen.add(group["name"])
        interval = group.get("interval")
        if interval is not None and not (
            isinstance(interval, str) and DURATION.fullmatch(interval)
        ):
            f.add("loki-rules/structure", f"{where}.interval", f"{interval!r} is not a duration")
        rules = group.get("rules")
        if not isinstance(rules, list) or not rules:
            f.add("loki-rules/structure", f"{where}.rules", "a group needs a list of rules")
            continue
        for r_index, rule in enumerate(rules):
            _check_rule(f, rule, f"{where}.rules[{r_index}]")
    return f.found


class LokiRulesCheck:
    """Every LOKI_RULES file of the bundle."""

    name = "loki-rules"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        findings: list[Diagnostic] = []
        for bundle_file in ctx.by_role(Role.LOKI_RULES):
            doc, unreadable = load_bundle_yaml(bundle_file, "loki-rules/unreadable")
            if unreadable is not None:
                findings.append(unreadable)
                continue
            findings += validate_rule_file(doc, bundle_file.path)
        return findings
