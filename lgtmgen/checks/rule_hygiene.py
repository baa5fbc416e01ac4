"""Offline rule hygiene of every Prometheus and Mimir rule file of the bundle.

Recording rules are named ``level:metric:operation``; every alert carries the
labels and annotations routing and runbooks need, and the two windows of each
burn-rate condition one threshold and one SLI (`burn_conditions`); a rate-like function never
looks at fewer than four scrape intervals; every expression parses. The scrape
interval comes from the bundle's rule metadata file, written by the SLO rules
generator from the catalog defaults.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import promql_parser

from lgtmgen.artifacts import PROMQL_RULE_ROLES, RULES_METADATA_PATH, Role
from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.checks.base import CheckContext
from lgtmgen.checks.bundle_yaml import safe_load
from lgtmgen.checks.burn_conditions import burn_findings
from lgtmgen.checks.passed_runs import lint_digest, reused_note
from lgtmgen.diagnostics import Diagnostic, Location
from lgtmgen.promql import nodes
from lgtmgen.promql import parse as parse_promql

METADATA_PATH = RULES_METADATA_PATH
RECORDING_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+$")
ALERT_LABELS = ("severity", "team", "service")
ALERT_ANNOTATIONS = ("summary", "description", "runbook_url")
RATE_FUNCTIONS = frozenset({"rate", "irate", "increase", "delta", "idelta", "deriv", "predict_linear"})
MIN_SCRAPES = 4
PASSED_KIND = "rule-hygiene-passed"


def short_ranges(parsed: Any, min_range: float) -> list[tuple[str, float]]:
    """(function, range seconds) of every rate-like call over raw samples shorter than `min_range`
    in the parsed expression (`promql_parser.parse`)."""
    found: list[tuple[str, float]] = []

    for node in nodes(parsed):
        if isinstance(node, promql_parser.Call) and node.func.name in RATE_FUNCTIONS:
            for arg in node.args:
                if isinstance(arg, promql_parser.MatrixSelector):
                    seconds = arg.range.total_seconds()
                    if seconds < min_range:
                        found.append((node.func.name, seconds))
    return found


def rule_findings(rule: dict[str, Any], where: str, file: str, min_range: float | None) -> list[Diagnostic]:
    """Every hygiene problem of one rule."""
    found: list[Diagnostic] = []
    location = Location(file)
    expr = str(rule.get("expr", ""))
    try:
        parsed = parse_promql(expr)
    except ValueError as exc:
        return [Diagnostic("rules/promql-syntax", f"{where}: {exc}", location=location, path=where)]
    if "record" in rule:
        name = str(rule["record"])
        if not RECORDING_NAME.fullmatch(name):
            found.append(
                Diagnostic(
                    "rules/recording-name",
                    f"{where}: recording rule {name!r} is not named level:metric:operation",
                    location=location,
                    path=where,
                )
            )
    else:
        labels, annotations = rule.get("labels") or {}, rule.get("annotations") or {}
        missing = [f"label {k}" for k in ALERT_LABELS if not labels.get(k)]
        missing += [f"annotation {k}" for k in ALERT_ANNOTATIONS if not annotations.get(k)]
        if missing:
            found.append(
                Diagnostic(
                    "rules/alert-metadata",
                    f"{where}: alert {rule.get('alert')!r} lacks {', '.join(missing)}",
                    location=location,
                    path=where,
                )
            )
        found += burn_findings(rule, parsed, where, file)
    if min_range is not None:
        for function, seconds in short_ranges(parsed, min_range):
            found.append(
                Diagnostic(
                    "rules/rate-window",
                    f"{where}: {function} over {format_duration(seconds)} sees fewer than "
                    f"{MIN_SCRAPES} scrapes (window at least {format_duration(min_range)})",
                    location=location,
                    path=where,
                )
            )
    return found


def file_findings(doc: Any, file: str, min_range: float | None) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    groups = doc.get("groups") if isinstance(doc, dict) else None
    for g, group in enumerate(groups or []):
        for r, rule in enumerate(group.get("rules") or []):
            found += rule_findings(rule, f"groups[{g}].rules[{r}]", file, min_range)
    return found


def scrape_interval(bundle_dir: Path) -> float | None:
    path = bundle_dir / METADATA_PATH
    if not path.is_file():
        return None
    data = safe_load(path.read_text(encoding="utf-8")) or {}
    return parse_duration(str(data["scrape_interval"])) if "scrape_interval" in data else None


class RuleHygiene:
    """Names, alert metadata, burn conditions, rate windows and syntax of every rule file and PrometheusRule object, offline."""

    name = "rule-hygiene"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        interval = scrape_interval(ctx.bundle_dir)
        min_range = None if interval is None else MIN_SCRAPES * interval
        # A file without findings is remembered by its bytes (and the rate window it was held to).
        passed = ctx.remembered(PASSED_KIND)
        found: list[Diagnostic] = []
        files = ctx.by_role(*PROMQL_RULE_ROLES, Role.PROMETHEUS_RULE_OBJECT)
        reused = 0
        for bundle_file in files:
            data = bundle_file.absolute.read_bytes()
            digest = lint_digest(data, f"{PASSED_KIND} {bundle_file.role} {min_range}") if passed else ""
            if passed and passed.passed(digest):
                reused += 1
                continue
            doc = safe_load(data.decode("utf-8"))
            if bundle_file.role is Role.PROMETHEUS_RULE_OBJECT and isinstance(doc, dict):
                doc = doc.get("spec")
            findings = file_findings(doc, bundle_file.path, min_range)
            found += findings
            if passed and not findings:
                passed.remember([digest])
        if reused:
            found.append(reused_note("rules/passed-before", reused, len(files), "rule files had no hygiene finding"))
        return found
