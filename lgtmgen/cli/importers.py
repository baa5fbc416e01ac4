"""`lgtmgen import sloth|openslo|pyrra FILE...`: write catalog entries from existing SLO specs."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from lgtmgen.cli.report import json_report
from lgtmgen.diagnostics import Diagnostic
from lgtmgen.importers import Imported
from lgtmgen.importers.openslo import import_openslo
from lgtmgen.importers.pyrra import import_pyrra
from lgtmgen.importers.sloth import import_sloth

import_app = typer.Typer(help="Import SLOs from Sloth, OpenSLO or Pyrra specs as catalog entries.", no_args_is_help=True)

FilesArg = Annotated[
    list[Path],
    typer.Argument(help="Spec files (YAML, several documents each allowed).", exists=True, dir_okay=False),
]
TeamOption = Annotated[str, typer.Option(help="Team that owns the imported services.")]
TenantOption = Annotated[str, typer.Option(help="Tenant the imported services' rules read.")]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Catalog file to write (default: stdout).")]


class UnreadableSpec(Exception):
    """A spec file that is not readable YAML; the message says where and why."""


def _yaml_problem(path: Path, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{where}: not valid YAML: {problem}"


def read_documents(files: list[Path]) -> list[tuple[str, dict[str, Any]]]:
    """Every YAML document of `files` that is a mapping, with its source file."""
    found: list[tuple[str, dict[str, Any]]] = []
    for path in files:
        try:
            documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except yaml.YAMLError as exc:
            raise UnreadableSpec(_yaml_problem(path, exc)) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise UnreadableSpec(f"{path}: cannot be read as UTF-8 text: {exc}") from exc
        found.extend((str(path), document) for document in documents if isinstance(document, dict))
    return found


def _run(importer: Callable[..., Imported], files: list[Path], team: str, tenant: str, out: Path | None) -> None:
    from lgtmgen.render.yaml_emitter import dump_yaml  # not on the path of `lgtmgen validate`

    try:
        documents = read_documents(files)
    except UnreadableSpec as exc:
        if _as_json():
            print(json_report("import", False, [Diagnostic("import/unreadable-spec", str(exc))]))
        else:
            print(f"lgtmgen: {exc}", file=sys.stderr)
        raise typer.Exit(1) from exc
    result = importer(documents, team, tenant)
    count = sum(len(s["slos"]) for s in result.services)
    if out is not None:
        from lgtmgen.cli.app import write_text_or_exit  # the app imports this module

        write_text_or_exit(out, dump_yaml(result.catalog()))
    if _as_json():
        written: dict[str, object] = {"out": str(out)} if out is not None else {"catalog": result.catalog()}
        extra = {"services": len(result.services), "slos": count, "not_carried": result.not_carried, **written}
        print(json_report("import", True, [], **extra))
        return
    if out is None:
        sys.stdout.write(dump_yaml(result.catalog()))
    for line in result.not_carried:
        print(f"not carried over: {line}", file=sys.stderr)
    print(f"imported {count} SLOs of {len(result.services)} services", file=sys.stderr)


def _as_json() -> bool:
    from lgtmgen.cli.app import OutputFormat, state  # the app imports this module

    return state.output is OutputFormat.json


@import_app.command("sloth")
def sloth_command(files: FilesArg, team: TeamOption, tenant: TenantOption, out: OutOption = None) -> None:
    """Sloth `prometheus/v1` specs and Kubernetes `PrometheusServiceLevel` objects."""
    _run(import_sloth, files, team, tenant, out)


@import_app.command("openslo")
def openslo_command(files: FilesArg, team: TeamOption, tenant: TenantOption, out: OutOption = None) -> None:
    """OpenSLO v1 `SLO` documents (with their `SLI` documents): ratio and threshold metrics."""
    _run(import_openslo, files, team, tenant, out)


@import_app.command("pyrra")
def pyrra_command(files: FilesArg, team: TeamOption, tenant: TenantOption, out: OutOption = None) -> None:
    """Pyrra `ServiceLevelObjective` objects: ratio, latency, native latency and bool-gauge indicators."""
    _run(import_pyrra, files, team, tenant, out)
