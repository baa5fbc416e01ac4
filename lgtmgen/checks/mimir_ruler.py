"""Mimir ruler limits and tenant isolation on the ruler namespaces of a bundle.

Check ids: ``mimir-ruler/record-name`` (a recording name without a colon),
``mimir-ruler/rules-per-group``, ``mimir-ruler/groups-per-tenant``,
``mimir-ruler/tenant-isolation`` (a group reads a tenant it may not),
``mimir-ruler/unreadable``.

Isolation follows `mimir/rules/tenants.json`: `source_tenants` may only appear in a
federated namespace file (the roll-up tenant's, or the one holding journeys whose steps
span tenants), and only name the sources listed for that namespace under
`federated_namespaces` (or, without that entry, the tenant's `may_read`). Federated
files are also run through ``promtool check rules`` with `source_tenants` set aside,
since promtool does not know that Mimir field.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import yaml

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import BundleFile, CheckContext
from lgtmgen.checks.bundle_yaml import safe_load
from lgtmgen.checks.passed_runs import lint_digest, reused_note
from lgtmgen.checks.run_tool import (
    diagnostics_from_failures,
    failures_by_file,
    missing_tool,
    run_tool,
)
from lgtmgen.diagnostics import Diagnostic, Location

DEFAULT_RULES_PER_GROUP = 20
DEFAULT_GROUPS_PER_TENANT = 70
ISOLATION_FILE = "mimir/rules/tenants.json"
RULES_PREFIX = "mimir/rules/"


def tenant_of(path: str) -> str:
    """The tenant of a ruler file laid out as ``mimir/rules/<tenant>/<namespace>.yaml``."""
    return path.removeprefix(RULES_PREFIX).split("/", 1)[0]


def _groups_limit(ctx: CheckContext) -> dict[str, int]:
    limits: dict[str, int] = {}
    for bundle_file in ctx.by_role(Role.MIMIR_RUNTIME):
        doc = safe_load(bundle_file.absolute.read_text(encoding="utf-8")) or {}
        for tenant, entry in (doc.get("overrides") or {}).items():
            if isinstance(entry, dict) and "ruler_max_rule_groups_per_tenant" in entry:
                limits[str(tenant)] = int(entry["ruler_max_rule_groups_per_tenant"])
    return limits


def _isolation(ctx: CheckContext) -> dict[str, Any]:
    path = ctx.bundle_dir / ISOLATION_FILE
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def namespace_of(path: str) -> str:
    """The namespace of a ruler file laid out as ``mimir/rules/<tenant>/<namespace>.yaml``."""
    return path.rsplit("/", 1)[-1].removesuffix(".yaml")


def readable_tenants(isolation: dict[str, Any], path: str) -> list[str]:
    """The tenants the groups of one ruler file may read, from tenants.json."""
    tenant = tenant_of(path)
    declared = isolation.get("federated_namespaces", {}).get(tenant, {}).get(namespace_of(path))
    if declared is not None:
        return [tenant, *declared]
    return list(isolation.get("may_read", {}).get(tenant, [tenant]))


def group_findings(group: dict[str, Any], file: str, federated: bool, readable: list[str]) -> list[Diagnostic]:
    """Record names, group size and the tenants one group reads."""
    where = Location(file)
    name = group.get("name", "?")
    found = []
    rules = group.get("rules") or []
    if len(rules) > DEFAULT_RULES_PER_GROUP:
        found.append(
            Diagnostic("mimir-ruler/rules-per-group", f"group {name!r} has {len(rules)} rules; Mimir allows {DEFAULT_RULES_PER_GROUP}", location=where)
        )
    for rule in rules:
        record = rule.get("record")
        if record is not None and ":" not in str(record):
            found.append(
                Diagnostic("mimir-ruler/record-name", f"recording rule {record!r} in group {name!r} has no colon (level:metric:operation)", location=where)
            )
    sources = group.get("source_tenants")
    if sources is not None:
        tenant = tenant_of(file)
        outside = sorted(set(map(str, sources)) - set(readable))
        if not federated or outside:
            reason = (
                f"beyond its declared sources {sorted(readable)}" if federated else "in a namespace that is not federated"
            )
            found.append(
                Diagnostic(
                    "mimir-ruler/tenant-isolation",
                    f"group {name!r} of tenant {tenant!r} reads tenants {sorted(map(str, sources))} {reason}",
                    location=where,
                )
            )
    return found


def _count(note: str | None) -> int | None:
    """The group count a remembered file was noted with; None when there is none to trust."""
    return int(note) if note is not None and note.isascii() and note.isdigit() else None


def _without_source_tenants(files: list[BundleFile], into: Path) -> list[str]:
    copies = []
    for bundle_file in files:
        doc = safe_load(bundle_file.absolute.read_text(encoding="utf-8")) or {}
        for group in doc.get("groups") or []:
            group.pop("source_tenants", None)
        target = into / bundle_file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        copies.append(bundle_file.path)
    return copies


PASSED_KIND = "mimir-ruler-files-passed"


class MimirRulerCheck:
    """Mimir's ruler limits and tenant isolation on every ruler namespace file.

    A file without findings is remembered with its group count (`lgtmgen.checks.passed_runs`),
    by its bytes, whether it is federated and the tenants it may read: at 1,000 services,
    parsing the ruler namespaces was most of this check's 12 s.
    """

    name = "mimir-ruler"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        isolation = _isolation(ctx)
        limits = _groups_limit(ctx)
        passed = ctx.remembered(PASSED_KIND)
        groups_per_tenant: dict[str, int] = {}
        files = ctx.by_role(Role.MIMIR_RULES, Role.MIMIR_FEDERATED_RULES)
        reused = 0
        for bundle_file in files:
            tenant = tenant_of(bundle_file.path)
            federated = bundle_file.role is Role.MIMIR_FEDERATED_RULES
            readable = readable_tenants(isolation, bundle_file.path)
            try:
                data = bundle_file.absolute.read_bytes()
            except OSError as exc:
                found.append(Diagnostic("mimir-ruler/unreadable", str(exc), location=Location(bundle_file.path)))
                continue
            context = f"{PASSED_KIND} {bundle_file.path} {federated} {json.dumps(readable)}"
            digest = lint_digest(data, context) if passed is not None else ""
            count = _count(passed.recall(digest)) if passed is not None else None
            if count is not None:
                groups_per_tenant[tenant] = groups_per_tenant.get(tenant, 0) + count
                reused += 1
                continue
            try:
                doc = safe_load(data.decode("utf-8")) or {}
            except (UnicodeDecodeError, yaml.YAMLError) as exc:
                found.append(Diagnostic("mimir-ruler/unreadable", str(exc), location=Location(bundle_file.path)))
                continue
            groups = doc.get("groups") or []
            groups_per_tenant[tenant] = groups_per_tenant.get(tenant, 0) + len(groups)
            findings = [f for group in groups for f in group_findings(group, bundle_file.path, federated, readable)]
            if not findings and passed is not None:
                passed.remember_note(digest, str(len(groups)))
            found += findings
        if reused:
            found.append(reused_note("mimir-ruler/passed-before", reused, len(files), "ruler namespace files passed"))
        for tenant, count in sorted(groups_per_tenant.items()):
            limit = limits.get(tenant, DEFAULT_GROUPS_PER_TENANT)
            if count > limit:
                found.append(
                    Diagnostic(
                        "mimir-ruler/groups-per-tenant",
                        f"tenant {tenant!r} has {count} rule groups; its limit is {limit}",
                        location=Location(RULES_PREFIX + tenant),
                        hint="give the tenant's tier Mimir limits (mimir.tiers): the runtime overrides then hold "
                        "its groups",
                    )
                )
        return found + self._promtool_federated(ctx)

    def _promtool_federated(self, ctx: CheckContext) -> list[Diagnostic]:
        federated = ctx.by_role(Role.MIMIR_FEDERATED_RULES)
        if not federated:
            return []
        if ctx.tools.promtool is None:
            return [missing_tool("promtool", self.name)]
        with tempfile.TemporaryDirectory(prefix="lgtmgen-federated-") as tmp:
            copies = _without_source_tenants(federated, Path(tmp))
            run = run_tool(ctx.tools.promtool, ["check", "rules", *copies], Path(tmp))
        return diagnostics_from_failures("promtool/rules", failures_by_file(run.output), run, copies[0])
