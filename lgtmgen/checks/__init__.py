"""The registry of bundle checks, and the function that runs them on a written bundle."""

from __future__ import annotations

import json
import os
from pathlib import Path

from lgtmgen.artifacts import Role
from lgtmgen.checks.amtool import AmtoolConfig, AmtoolRouteTests
from lgtmgen.checks.base import BundleFile, Check, CheckContext
from lgtmgen.checks.grafana import GrafanaDashboardCheck
from lgtmgen.checks.integrity import ManifestIntegrity
from lgtmgen.checks.kubernetes import KubernetesObjects
from lgtmgen.checks.loki_rules import LokiRulesCheck
from lgtmgen.checks.mimir_ruler import MimirRulerCheck
from lgtmgen.checks.otelcol import OtelcolCheck
from lgtmgen.checks.promtool import (
    PromtoolConfig,
    PromtoolRuleObjects,
    PromtoolRules,
    PromtoolUnitTests,
)
from lgtmgen.checks.reference_check import ReferenceCheck
from lgtmgen.checks.rule_copies import RuleCopies
from lgtmgen.checks.rule_hygiene import RuleHygiene
from lgtmgen.checks.tenancy import RemoteWriteCheck, RemoteWriteKeepCheck
from lgtmgen.diagnostics import Diagnostic, Location
from lgtmgen.toolchain.locate import Toolbox
from lgtmgen.writer import MANIFEST

CHECKS: tuple[Check, ...] = (
    PromtoolRules(),
    PromtoolRuleObjects(),
    PromtoolUnitTests(),
    PromtoolConfig(),
    AmtoolConfig(),
    AmtoolRouteTests(),
    ReferenceCheck(),
    LokiRulesCheck(),
    OtelcolCheck(),
    RuleHygiene(),
    RuleCopies(),
    RemoteWriteCheck(),
    # Before `grafana`: the records it asks of the ruler files come with the reads parsed here.
    RemoteWriteKeepCheck(),
    GrafanaDashboardCheck(),
    MimirRulerCheck(),
    KubernetesObjects(),
)


def read_bundle_files(
    bundle_dir: Path, links: frozenset[str] = frozenset()
) -> tuple[tuple[BundleFile, ...], dict[str, str], frozenset[str], list[Diagnostic]]:
    """The manifest's files, their hashes, its declared series, and what is wrong with it. A file
    at or below one of the bundle's `links` (`_links`, reported by the caller) is left out: no
    check reads through a link."""
    manifest_path = bundle_dir / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        listed = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return (), {}, frozenset(), [
            Diagnostic(
                "bundle/no-manifest",
                f"{bundle_dir} is not an lgtmgen bundle: cannot read {MANIFEST} ({exc})",
                location=Location(str(manifest_path)),
            )
        ]
    files = []
    problems = []
    unsafe_paths = set()
    for path, entry in sorted(listed.items()):
        if (unsafe := _unsafe_path(path)) is not None:
            problems.append(unsafe)
            unsafe_paths.add(path)
            continue
        parts = path.split("/")
        if any("/".join(parts[:depth]) in links for depth in range(1, len(parts) + 1)):
            continue
        try:
            role = Role(entry["role"])
        except (ValueError, KeyError, TypeError):
            problems.append(Diagnostic("bundle/unknown-role", f"unknown role {entry!r}", location=Location(path)))
            continue
        files.append(BundleFile(path, role, bundle_dir / path))
    hashes = {path: str(entry.get("sha256", "")) for path, entry in listed.items() if path not in unsafe_paths}
    # A bundle written before the manifest listed them declares none: every name is lgtmgen's.
    declared = manifest.get("declared_series", [])
    names = frozenset(str(n) for n in declared) if isinstance(declared, list) else frozenset()
    return tuple(files), hashes, names, problems


def _unsafe_path(path: str) -> Diagnostic | None:
    """Why a manifest's `path` must not be read or handed to a tool: a committed bundle is a pull
    request's to shape. Outside the bundle (absolute, `..`), or a name a tool would take for a flag."""
    parts = path.split("/")
    if not path or path.startswith(("/", "-")) or "\\" in path or "\0" in path or ".." in parts or "" in parts:
        return Diagnostic("bundle/unsafe-path", f"the manifest lists {path!r}, which is no path inside the bundle", location=Location(MANIFEST))
    return None


def check_names() -> list[str]:
    """The name of every check `run_checks(only=...)` can select."""
    return [ManifestIntegrity.name, *(check.name for check in CHECKS)]


def run_checks(
    bundle_dir: Path, tools: Toolbox, only: set[str] | None = None, cache_dir: Path | None = None
) -> list[Diagnostic]:
    """Run every registered check (or the named ones) on the bundle at `bundle_dir`; with a
    `cache_dir`, unit-test files that passed before with the same bytes are not run again."""
    # A tool follows links (a template glob, a rule file of a test) and prints what it failed to
    # read: a bundle holding any is checked by lgtmgen alone, and no file is read through one.
    links = _links(bundle_dir)
    files, hashes, declared, problems = read_bundle_files(bundle_dir, frozenset(links))
    problems += [_link(path) for path in links]
    if problems and not files:
        return problems
    # A listed file that is gone is the manifest check's finding; the others check what is there.
    present = tuple(f for f in files if f.absolute.is_file())
    ctx = CheckContext(bundle_dir=bundle_dir, files=present, tools=tools, declared_series=declared, cache_dir=cache_dir)
    tampered = ManifestIntegrity(hashes).run(ctx)
    found = [*problems, *(tampered if only is None or ManifestIntegrity.name in only else [])]
    for check in CHECKS:
        if links and check.name.startswith(TOOL_CHECK_PREFIXES):
            continue
        if only is None or check.name in only:
            try:
                found.extend(check.run(ctx))
            except Exception as exc:
                # On a bundle as lgtmgen wrote it a check that fails is lgtmgen's bug (exit 3); on one
                # changed by hand it is what the change did, reported with the rest.
                if not tampered:
                    raise
                found.append(_stopped(check.name, exc))
    return found


TOOL_CHECK_PREFIXES = ("promtool", "amtool")


def _links(bundle_dir: Path) -> list[str]:
    """Every symbolic link below `bundle_dir` (files and folders), never followed."""
    found: list[str] = []
    for folder, dirs, files in os.walk(bundle_dir):
        base = Path(folder).relative_to(bundle_dir)
        found += [(base / name).as_posix() for name in (*dirs, *files) if os.path.islink(os.path.join(folder, name))]
    return sorted(found)


def _link(path: str) -> Diagnostic:
    return Diagnostic(
        "bundle/symlink",
        "a symbolic link: lgtmgen reads no bundle file through a link, and runs no tool on a bundle holding one",
        location=Location(path),
    )


def _stopped(check: str, exc: Exception) -> Diagnostic:
    return Diagnostic(
        "bundle/check-stopped",
        f"{check} stopped on a file changed by hand ({type(exc).__name__}: {' '.join(str(exc).split())})",
        hint="rebuild the bundle from the catalog instead of editing it, then check it again",
    )


__all__ = ["CHECKS", "Check", "CheckContext", "check_names", "run_checks"]
