"""A rule group is the same wherever the bundle holds it.

The groups of `prometheus/rules/` are written again as Mimir ruler namespaces and as
PrometheusRule objects, and the Mimir ruler, not the cluster Prometheus, raises the alerts.
The promtool unit tests load only the `prometheus/rules/` files, so a copy that drifted from
its original (another threshold, another matcher) would pass them all. Each copy of a group
that a `prometheus/rules/` file holds must be that group, byte for byte once indented alike.

The files are compared as the text lgtmgen's one serialiser writes, not parsed: a group is
its `- name:` line and the deeper lines below it. Parsing 80 MB of rules at 1,000 services
would take longer than every other offline check; the text takes about a second, and nothing
when the same files passed before.
"""

from __future__ import annotations

import hashlib

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import BundleFile, CheckContext
from lgtmgen.checks.passed_runs import lint_digest, reused_note
from lgtmgen.diagnostics import Diagnostic, Location

PASSED_KIND = "rule-copies-passed"
COPY_ROLES = (Role.MIMIR_RULES, Role.MIMIR_FEDERATED_RULES, Role.PROMETHEUS_RULE_OBJECT)


def rule_groups(text: str) -> dict[str, str]:
    """Each group of a rule file (or PrometheusRule object) written by lgtmgen: its `- name:` text,
    and its lines indented as if it were at the top."""
    lines = text.splitlines()
    groups: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.lstrip(" ")
        if not stripped.startswith("- name: "):
            index += 1
            continue
        indent = len(line) - len(stripped)
        end = index + 1
        while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) > indent):
            end += 1
        name = stripped.removeprefix("- name: ")
        groups[name] = "\n".join(text_line[indent:] for text_line in lines[index:end])
        index = end
    return groups


class RuleCopies:
    """Every Mimir namespace and PrometheusRule copy of a `prometheus/rules/` group is that group."""

    name = "rule-copies"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        originals_files = [f for f in ctx.by_role(Role.PROMETHEUS_RULES) if f.path.startswith("prometheus/rules/")]
        copies_files = ctx.by_role(*COPY_ROLES)
        if not originals_files or not copies_files:
            return []
        texts = {f.path: f.absolute.read_bytes() for f in (*originals_files, *copies_files)}
        passed = ctx.remembered(PASSED_KIND)
        listing = "".join(f"{path}\0{hashlib.sha256(texts[path]).hexdigest()}\0" for path in sorted(texts))
        digest = lint_digest(listing.encode(), PASSED_KIND)
        if passed and passed.passed(digest):
            return [reused_note("rules/copies-passed-before", len(copies_files), len(copies_files), "rule copies matched their groups")]
        found = _differing(originals_files, copies_files, texts)
        if passed and not found:
            passed.remember([digest])
        return found


def _differing(originals_files: list[BundleFile], copies_files: list[BundleFile], texts: dict[str, bytes]) -> list[Diagnostic]:
    originals: dict[str, tuple[str, str]] = {}
    for bundle_file in originals_files:
        for name, body in rule_groups(texts[bundle_file.path].decode("utf-8", "replace")).items():
            originals.setdefault(name, (bundle_file.path, body))
    found: list[Diagnostic] = []
    for bundle_file in copies_files:
        for name, body in rule_groups(texts[bundle_file.path].decode("utf-8", "replace")).items():
            original = originals.get(name)
            if original is not None and original[1] != body:
                found.append(
                    Diagnostic(
                        "rules/copy-differs",
                        f"group {name} differs from the group of that name in {original[0]}, which the "
                        "promtool tests prove; this copy is the one its evaluator runs",
                        location=Location(bundle_file.path),
                        hint="rebuild the bundle; a generator that writes them apart is a bug",
                    )
                )
    return found
