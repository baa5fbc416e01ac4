"""`lgtmgen import sloth|openslo|pyrra FILE...`: write catalog entries from existing SLO specs."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import yaml

from lgtmgen.cli.report import json_report, print_human, summary
from lgtmgen.diagnostics import Diagnostic, has_errors
from lgtmgen.importers import Imported, load_spec_documents
from lgtmgen.importers.openslo import import_openslo
from lgtmgen.importers.pyrra import import_pyrra
from lgtmgen.importers.sloth import import_sloth

import_app = typer.Typer(
    help="Import SLOs from Sloth, OpenSLO or Pyrra specs as catalog entries. The entries are checked as "
    "`lgtmgen validate` would check them (whether their teams and tenants are declared is left to the catalog "
    "they join): when one would not validate, or nothing was imported, the problems are reported, nothing is written, and the "
    "exit code is 1.",
)

FilesArg = Annotated[
    list[Path],
    typer.Argument(help="Spec files (YAML, several documents each allowed).", exists=True, dir_okay=False),
]
TeamOption = Annotated[str, typer.Option(help="Team that owns the imported services.")]
TenantOption = Annotated[str, typer.Option(help="Tenant the imported services' rules read.")]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Catalog file to write (default: stdout); an existing file only with --force. Nothing is written "
        "when nothing was imported or an entry would not validate (exit 1).",
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite an existing --out file.")]


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
            documents = load_spec_documents(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise UnreadableSpec(_yaml_problem(path, exc)) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise UnreadableSpec(f"{path}: cannot be read as UTF-8 text: {exc}") from exc
        found.extend((str(path), document) for document in documents if isinstance(document, dict))
    return found


def _run(
    command: str, importer: Callable[..., Imported], files: list[Path], team: str, tenant: str, out: Path | None, force: bool
) -> None:
    """Import `files`; write the entries to `out` (else standard output) only when every one validates.

    Whatever does not carry over is listed; a problem (an existing `out` without `force`, an
    unreadable spec, nothing imported, an entry the catalog would refuse) writes nothing and exits 1.
    """
    from lgtmgen.render.yaml_emitter import dump_yaml  # not on the path of `lgtmgen validate`

    if out is not None and out.exists() and not force:  # as `lgtmgen init`: never lose a file
        _fail(command, [Diagnostic("import/output-exists", f"{out} exists; use --force to overwrite")])
    try:
        documents = read_documents(files)
    except UnreadableSpec as exc:
        _fail(command, [Diagnostic("import/unreadable-spec", str(exc))])
    result = importer(documents, team, tenant)
    diagnostics = _problems(result)
    if has_errors(diagnostics):
        _fail(command, diagnostics, result)
    if out is not None:
        from lgtmgen.cli.app import write_text_or_exit  # the app imports this module

        write_text_or_exit(out, dump_yaml(result.catalog()))
    count = result.slo_count()
    if _as_json():
        written: dict[str, object] = {"out": str(out)} if out is not None else {"catalog": result.catalog()}
        print(json_report(command, True, diagnostics, **_counts(result), **written))
        return
    if out is None:
        sys.stdout.write(dump_yaml(result.catalog()))
    _print_human(diagnostics, result)
    print(f"imported {count} SLOs of {len(result.services)} services", file=sys.stderr)


def _problems(result: Imported) -> list[Diagnostic]:
    """Why the imported entries must not be written (errors), and the catalog's warnings about them."""
    if result.slo_count() == 0:
        return [
            Diagnostic(
                "import/nothing-imported",
                "no SLO of the specs could be imported",
                hint="each spec's reason is listed as not carried over",
            )
        ]
    from lgtmgen.importers.validation import check_imported  # the catalog checks, only when needed

    return check_imported(result)


def _counts(result: Imported) -> dict[str, object]:
    return {"services": len(result.services), "slos": result.slo_count(), "not_carried": result.not_carried}


def _print_human(diagnostics: list[Diagnostic], result: Imported | None) -> None:
    from lgtmgen.cli.app import err  # the app imports this module

    print_human(err, diagnostics)
    for line in result.not_carried if result is not None else ():
        print(f"not carried over: {line}", file=sys.stderr)


def _fail(command: str, diagnostics: list[Diagnostic], result: Imported | None = None) -> NoReturn:
    """Report `diagnostics` (and what did not carry over), write nothing, exit 1."""
    if _as_json():
        print(json_report(command, False, diagnostics, **(_counts(result) if result is not None else {})))
    else:
        from lgtmgen.cli.app import err  # the app imports this module

        _print_human(diagnostics, result)
        err.print(f"[bold red]✗[/] {command}: {summary(diagnostics)}; nothing written")
    raise typer.Exit(1)


def _as_json() -> bool:
    from lgtmgen.cli.app import OutputFormat, state  # the app imports this module

    return state.output is OutputFormat.json


@import_app.command("sloth")
def sloth_command(
    files: FilesArg, team: TeamOption, tenant: TenantOption, out: OutOption = None, force: ForceOption = False
) -> None:
    """Sloth `prometheus/v1` specs and Kubernetes `PrometheusServiceLevel` objects."""
    _run("import sloth", import_sloth, files, team, tenant, out, force)


@import_app.command("openslo")
def openslo_command(
    files: FilesArg, team: TeamOption, tenant: TenantOption, out: OutOption = None, force: ForceOption = False
) -> None:
    """OpenSLO v1 `SLO` documents (with their `SLI` documents): ratio and threshold metrics."""
    _run("import openslo", import_openslo, files, team, tenant, out, force)


@import_app.command("pyrra")
def pyrra_command(
    files: FilesArg, team: TeamOption, tenant: TenantOption, out: OutOption = None, force: ForceOption = False
) -> None:
    """Pyrra `ServiceLevelObjective` objects: ratio, latency, native latency and bool-gauge indicators."""
    _run("import pyrra", import_pyrra, files, team, tenant, out, force)
