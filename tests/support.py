"""Helpers shared by the areas' conftests: catalogs written to a file and loaded the way the CLI does."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from lgtmgen.catalog import load_catalog
from lgtmgen.diagnostics import Diagnostic
from lgtmgen.plan import Plan, build_plan

Loader = Callable[[dict[str, Any]], tuple[Plan | None, list[Diagnostic]]]


def load_catalog_document(directory: Path, document: dict[str, Any]) -> tuple[Plan | None, list[Diagnostic]]:
    """Write `document` as `catalog.yaml` under `directory`, load it and build its plan.

    Every diagnostic comes back; callers that pin one area's findings keep only the errors.
    """
    path = directory / "catalog.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    loaded = load_catalog([path])
    plan = build_plan(loaded.catalog) if loaded.catalog is not None else None
    return plan, loaded.diagnostics


def error_loader(directory: Path) -> Loader:
    """A loader of catalog dicts under `directory` that keeps only the errors.

    Other areas may warn about the same catalog; an area's tests pin their own findings.
    """

    def load(document: dict[str, Any]) -> tuple[Plan | None, list[Diagnostic]]:
        plan, diagnostics = load_catalog_document(directory, document)
        return plan, [d for d in diagnostics if d.is_error]

    return load


def one_service_catalog(slo: dict[str, Any], metrics: dict[str, Any] | None = None) -> dict[str, Any]:
    """A production cluster `eu`, team `web` (Slack by file), tenant `prod`, and service `api`
    (selected by job="api" unless `metrics` says otherwise) with the one SLO `slo`."""
    return {
        "apiVersion": "lgtmgen/v1",
        "teams": [{"name": "web", "notify": {"slack": {"channel": "#web", "api_url_file": "/etc/am/slack.url"}}}],
        "tenants": [{"name": "prod"}],
        "environments": [{"name": "production", "production": True}],
        "clusters": [{"name": "eu", "environment": "production", "region": "eu-west-1", "tenant": "prod"}],
        "services": [
            {
                "name": "api",
                "team": "web",
                "tenant": "prod",
                "metrics": metrics or {"selector": {"job": "api"}},
                "slos": [slo],
            }
        ],
    }


def errors_of(directory: Path, document: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    """The check, path and message of each error `document` gets from `lgtmgen validate`."""
    _, diagnostics = load_catalog_document(directory, document)
    return [(d.check, d.path, d.message) for d in diagnostics if d.is_error]


def promtool_test(directory: Path, tests: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """Write the promtool unit-test document `tests` as tests.yaml in `directory` (its rule files
    relative to it) and run the real `promtool test rules` there."""
    from lgtmgen.toolchain.locate import locate_tools

    (directory / "tests.yaml").write_text(yaml.safe_dump(tests, sort_keys=False), encoding="utf-8")
    promtool = locate_tools().promtool
    assert promtool is not None, "run scripts/bootstrap: promtool is required"
    return subprocess.run(
        [str(promtool.path), "test", "rules", "tests.yaml"], cwd=directory, capture_output=True, text=True, check=False
    )


def assert_promtool_evaluates(
    directory: Path,
    series: list[dict[str, str]],
    cases: list[dict[str, Any]],
    rule_files: list[str] | None = None,
) -> None:
    """Run `cases` (promql_expr_test entries) over `series`, one sample a minute, with the real promtool.

    `rule_files` are paths below `directory`; without any, the expressions read the series alone.
    """
    if not rule_files:
        (directory / "empty.yaml").write_text("groups: []\n", encoding="utf-8")
        rule_files = ["empty.yaml"]
    tests = {
        "rule_files": rule_files,
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": series, "promql_expr_test": cases}],
    }
    run = promtool_test(directory, tests)
    assert run.returncode == 0, run.stdout + run.stderr
