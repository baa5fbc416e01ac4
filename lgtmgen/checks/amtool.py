"""amtool: the Alertmanager configuration must load, and every routing test must reach its receivers."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from lgtmgen.artifacts import Role
from lgtmgen.cache import code_identity
from lgtmgen.checks.base import BundleFile, CheckContext, leaves_bundle, outside_reference
from lgtmgen.checks.bundle_yaml import safe_load
from lgtmgen.checks.passed_runs import PassedRuns, tool_identity, unpassed
from lgtmgen.checks.run_tool import (
    diagnostics_from_failures,
    failures_by_file,
    missing_tool,
    run_tool,
)
from lgtmgen.cpus import available_cpus
from lgtmgen.diagnostics import Diagnostic, Location
from lgtmgen.matchers import matcher
from lgtmgen.toolchain.locate import Tool

ROUTE_TEST_CHECK = "amtool/route-test"
ROUTES_PASSED_KIND = "amtool-route-cases-passed"


class AmtoolConfig:
    """`amtool check-config` on every Alertmanager configuration (templates included)."""

    name = "amtool-config"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        files = [f.path for f in ctx.by_role(Role.ALERTMANAGER_CONFIG)]
        if not files:
            return []
        if ctx.tools.amtool is None:
            return [missing_tool("amtool", self.name)]
        # amtool reads the templates a configuration names, relative to it: only the bundle's.
        templates = {f: _templates(ctx.bundle_dir / f) for f in files}
        outside = [(f, t) for f in files for t in templates[f] or [] if leaves_bundle(ctx.bundle_dir, ctx.bundle_dir / f, t)]
        unread = [f for f in files if templates[f] is None]
        found = [outside_reference(f, t) for f, t in outside] + [
            Diagnostic(
                "amtool/config",
                "not checked: lgtmgen cannot read it as one YAML document with a list of templates, so it "
                "cannot tell which files amtool would read for it",
                location=Location(f),
            )
            for f in unread
        ]
        files = [f for f in files if f not in {path for path, _ in outside} and f not in unread]
        if not files:
            return found
        run = run_tool(ctx.tools.amtool, ["check-config", *files], ctx.bundle_dir)
        return found + diagnostics_from_failures(
            "amtool/config", failures_by_file(run.output), run, files[0]
        )


def _templates(config: Path) -> list[str] | None:
    """The template files (globs) an Alertmanager configuration names; None when lgtmgen cannot
    read it as one YAML document whose `templates` is a list of names (Go's reader may take what
    PyYAML refuses, such as a second document)."""
    try:
        document = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    templates = document.get("templates", []) if isinstance(document, dict) else None
    if not isinstance(templates, list) or not all(isinstance(t, str) for t in templates):
        return None
    return templates


def label_matcher(name: str, value: str) -> str:
    """A label for `amtool config routes test`, which reads each label as an equality matcher."""
    return matcher(name, "=", value)


def _cases(document: Any) -> list[dict[str, Any]] | None:
    if not isinstance(document, dict) or not isinstance(document.get("cases"), list):
        return None
    cases: list[dict[str, Any]] = document["cases"]
    if all(isinstance(c, dict) and isinstance(c.get("labels"), dict) for c in cases):
        return cases
    return None


def _run_case(amtool: Tool, config: Path, case: dict[str, Any], cwd: Path) -> str | None:
    expected = [str(r) for r in case.get("receivers", [])]
    labels = [label_matcher(str(k), str(v)) for k, v in case["labels"].items()]
    args = [
        "config",
        "routes",
        "test",
        f"--config.file={config}",
        f"--verify.receivers={','.join(expected)}",
    ]
    run = run_tool(amtool, [*args, "--", *labels], cwd)
    if run.returncode == 0:
        return None
    got = [
        line.strip()
        for line in run.output.splitlines()
        if line.strip() and not line.startswith("Warning")
    ]
    return f"case {case.get('name', '?')!r}: expected {','.join(expected)}; amtool said: {' | '.join(got)}"


def case_digest(config: bytes, case: dict[str, Any], amtool: str) -> str:
    """What amtool's verdict on one case depends on: the configuration's bytes, the case's labels
    and expected receivers (not its name), amtool itself and how lgtmgen asks it (its code)."""
    asked = json.dumps(
        {"labels": {str(k): str(v) for k, v in case["labels"].items()}, "receivers": [str(r) for r in case.get("receivers", [])]},
        sort_keys=True,
    )
    return hashlib.sha256(f"{ROUTES_PASSED_KIND}\0{code_identity()}\0{amtool}\0{asked}\0".encode() + config).hexdigest()


class AmtoolRouteTests:
    """`amtool config routes test --verify.receivers` for every case of every route-tests file.

    A case that passed is remembered (`lgtmgen.checks.passed_runs`) by the configuration's bytes,
    its labels and receivers and amtool's identity, and not run again while they are unchanged:
    each run loads the whole configuration, about a tenth of a second at 1,000 services.
    """

    name = "amtool-route-tests"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        files = ctx.by_role(Role.ALERTMANAGER_ROUTE_TESTS)
        if not files:
            return []
        if ctx.tools.amtool is None:
            return [missing_tool("amtool", self.name)]
        identity = tool_identity(ctx.tools.amtool) if ctx.cache_dir is not None else None
        passed = ctx.remembered(ROUTES_PASSED_KIND) if identity else None
        found: list[Diagnostic] = []
        for file in files:
            found.extend(self._run_file(ctx.tools.amtool, file, ctx.bundle_dir, passed, identity or ""))
        return found

    def _run_file(
        self, amtool: Tool, file: BundleFile, bundle_dir: Path, passed: PassedRuns | None, identity: str
    ) -> list[Diagnostic]:
        where = Location(file.path)
        try:
            document = safe_load(file.absolute.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            return [
                Diagnostic(
                    ROUTE_TEST_CHECK, f"cannot read the routing tests: {exc}", location=where
                )
            ]
        cases = _cases(document)
        if cases is None:
            return [
                Diagnostic(
                    ROUTE_TEST_CHECK, "not a routing-tests file (config and cases)", location=where
                )
            ]
        config = (file.absolute.parent / str(document.get("config", ""))).resolve()
        try:
            config_bytes = config.read_bytes()
        except OSError:
            return [
                Diagnostic(
                    ROUTE_TEST_CHECK,
                    f"the tested configuration {config} is missing",
                    location=where,
                )
            ]
        numbers = list(range(len(cases)))
        digests = {n: case_digest(config_bytes, cases[n], identity) for n in numbers} if passed else {}
        todo, notes = unpassed(passed, numbers, digests, "amtool/route-cases-passed-before", "routing cases passed")
        # One amtool run per case, side by side (a case runs in a few milliseconds of amtool's
        # own work after tens of start-up): the order of the report stays the cases' order.
        with ThreadPoolExecutor(max_workers=available_cpus()) as pool:
            problems = list(pool.map(lambda n: _run_case(amtool, config, cases[n], bundle_dir), todo))
        if passed is not None and config.is_file() and config.read_bytes() == config_bytes:
            passed.remember(digests[n] for n, problem in zip(todo, problems, strict=True) if problem is None)
        notes = [dataclasses.replace(note, location=where) for note in notes]
        return notes + [Diagnostic(ROUTE_TEST_CHECK, p, location=where) for p in problems if p]
