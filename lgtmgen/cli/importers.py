"""`lgtmgen import sloth|openslo|pyrra FILE...`: write catalog entries from existing SLO specs."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
import yaml

from lgtmgen.cli.report import json_report, print_human, summary
from lgtmgen.diagnostics import Diagnostic, has_errors

if TYPE_CHECKING:  # the importers are loaded by the import commands only, not on `lgtmgen validate`'s path
    from lgtmgen.importers import Imported

import_app = typer.Typer(
    help="Import SLOs from Sloth, OpenSLO or Pyrra specs as catalog entries. The entries are checked as "
    "`lgtmgen validate` would check them (whether their teams and tenants are declared is left to the catalog "
    "they join): when one would not validate, nothing was imported, or an SLO could not be imported (without "
    "--partial), the problems are reported, nothing is written, and the exit code is 1.",
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
        "when nothing was imported, an SLO could not be imported (without --partial) or an entry would not "
        "validate (exit 1).",
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite an existing --out file.")]
TierOption = Annotated[
    int,
    typer.Option(
        min=1,
        max=3,
        help="Tier written for every imported service: 1 pages at any hour, as Sloth's and Pyrra's pages did; "
        "2 and 3 page in business hours only.",
    ),
]
PartialOption = Annotated[
    bool,
    typer.Option("--partial", help="Write the SLOs that import even when others cannot be imported (listed)."),
]
PeriodOption = Annotated[
    str | None,
    typer.Option(
        help="Period of every imported SLO, e.g. 28d: what Sloth ran with (its --default-slo-period); "
        "default: the catalog's (30d).",
    ),
]


class UnreadableSpec(Exception):
    """A spec file that is not readable YAML; the message says where and why."""


def _yaml_problem(path: Path, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{where}: not valid YAML: {problem}"


def read_documents(files: list[Path]) -> list[tuple[str, dict[str, Any]]]:
    """Every YAML document of `files` that is a mapping, with its source file."""
    from lgtmgen.importers import load_spec_documents

    found: list[tuple[str, dict[str, Any]]] = []
    for path in files:
        try:
            documents = load_spec_documents(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise UnreadableSpec(_yaml_problem(path, exc)) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise UnreadableSpec(f"{path}: cannot be read as UTF-8 text: {exc}") from exc
        found.extend((str(path), document) for document in _listed(documents))
    return found


def _listed(documents: list[Any]) -> list[dict[str, Any]]:
    """The mappings of `documents`, each `kind: List` (what `kubectl get -o yaml` writes) by its items."""
    found: list[dict[str, Any]] = []
    for document in documents:
        if isinstance(document, dict) and document.get("kind") == "List" and isinstance(document.get("items"), list):
            found.extend(item for item in document["items"] if isinstance(item, dict))
        elif isinstance(document, dict):
            found.append(document)
    return found


@dataclass(frozen=True, slots=True)
class ImportSettings:
    """What the command line sets on every imported entry, and whether a partial import is written."""

    team: str
    tenant: str
    tier: int
    period: str | None = None
    partial: bool = False


def _settled(result: Imported, settings: ImportSettings) -> None:
    """Write the command line's tier into every service (after its team) and its period into every SLO
    that has none of its own (after its objective)."""
    for n, service in enumerate(result.services):
        result.services[n] = _with_after(service, "team", "tier", settings.tier)
        if settings.period is not None:
            service = result.services[n]
            service["slos"] = [
                slo if "period" in slo else _with_after(slo, "objective", "period", settings.period) for slo in service["slos"]
            ]


def _with_after(entry: dict[str, Any], after: str, key: str, value: object) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, item in entry.items():
        if name != key:
            out[name] = item
        if name == after:
            out[key] = value
    return out


def _run(
    command: str, importer: Callable[..., Imported], files: list[Path], settings: ImportSettings, out: Path | None, force: bool
) -> None:
    """Import `files`; write the entries to `out` (else standard output) only when every one validates.

    Whatever does not carry over is listed; a problem (an existing `out` without `force`, an
    unreadable spec, nothing imported, an SLO that cannot be imported without `partial`, an entry
    the catalog would refuse) writes nothing and exits 1.
    """
    from lgtmgen.render.yaml_emitter import dump_yaml  # not on the path of `lgtmgen validate`

    if out is not None and out.exists() and not force:  # as `lgtmgen init`: never lose a file
        _fail(command, [Diagnostic("import/output-exists", f"{out} exists; use --force to overwrite")])
    try:
        documents = read_documents(files)
    except UnreadableSpec as exc:
        _fail(command, [Diagnostic("import/unreadable-spec", str(exc))])
    result = importer(documents, settings.team, settings.tenant)
    _settled(result, settings)
    diagnostics = _problems(result, settings.partial)
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
    skipped = f"; {len(result.skipped)} not imported" if result.skipped else ""
    print(
        f"imported {count} SLOs of {len(result.services)} services{skipped}, every service as tier {settings.tier}",
        file=sys.stderr,
    )


def _problems(result: Imported, partial: bool) -> list[Diagnostic]:
    """Why the imported entries must not be written (errors), and the catalog's warnings about them."""
    if result.slo_count() == 0:
        return [
            Diagnostic(
                "import/nothing-imported",
                "no SLO of the specs could be imported",
                hint="each spec's reason is listed as not imported or not carried over",
            )
        ]
    from lgtmgen.importers.validation import check_imported  # the catalog checks, only when needed

    found = check_imported(result)
    if result.skipped and not partial:
        found.append(
            Diagnostic(
                "import/slos-not-imported",
                f"{len(result.skipped)} SLOs or specs of the input cannot be imported (listed as not imported), "
                f"{result.slo_count()} can",
                hint="change or drop those specs, or pass --partial to write the others",
            )
        )
    return found


def _counts(result: Imported) -> dict[str, object]:
    return {
        "services": len(result.services),
        "slos": result.slo_count(),
        "not_imported": result.skipped,
        "not_carried": result.not_carried,
    }


def _print_human(diagnostics: list[Diagnostic], result: Imported | None) -> None:
    from lgtmgen.cli.app import err  # the app imports this module

    print_human(err, diagnostics)
    for line in result.skipped if result is not None else ():
        print(f"not imported: {line}", file=sys.stderr)
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
    files: FilesArg,
    team: TeamOption,
    tenant: TenantOption,
    out: OutOption = None,
    force: ForceOption = False,
    tier: TierOption = 1,
    period: PeriodOption = None,
    partial: PartialOption = False,
) -> None:
    """Sloth `prometheus/v1` specs and Kubernetes `PrometheusServiceLevel` objects."""
    from lgtmgen.importers.sloth import import_sloth

    _run("import sloth", import_sloth, files, ImportSettings(team, tenant, tier, _period(period), partial), out, force)


@import_app.command("openslo")
def openslo_command(
    files: FilesArg,
    team: TeamOption,
    tenant: TenantOption,
    out: OutOption = None,
    force: ForceOption = False,
    tier: TierOption = 1,
    partial: PartialOption = False,
) -> None:
    """OpenSLO v1 `SLO` documents (with their `SLI` documents): ratio and threshold metrics."""
    from lgtmgen.importers.openslo import import_openslo

    _run("import openslo", import_openslo, files, ImportSettings(team, tenant, tier, partial=partial), out, force)


@import_app.command("pyrra")
def pyrra_command(
    files: FilesArg,
    team: TeamOption,
    tenant: TenantOption,
    out: OutOption = None,
    force: ForceOption = False,
    tier: TierOption = 1,
    partial: PartialOption = False,
) -> None:
    """Pyrra `ServiceLevelObjective` objects: ratio, latency, native latency and bool-gauge indicators."""
    from lgtmgen.importers.pyrra import import_pyrra

    _run("import pyrra", import_pyrra, files, ImportSettings(team, tenant, tier, partial=partial), out, force)


def _period(period: str | None) -> str | None:
    """`--period` as given, when it is a duration (a usage error, exit 2, otherwise)."""
    if period is None:
        return None
    from lgtmgen.catalog.models.base import parse_duration

    try:
        parse_duration(period)
    except ValueError as exc:
        raise typer.BadParameter(f"{period!r} is not a duration such as 28d ({exc})", param_hint="--period") from exc
    return period
