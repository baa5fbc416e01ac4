"""Commands: init, validate, build, check, diff, schema (and graph, import, alerts)."""

from __future__ import annotations

import contextlib
import difflib
import errno
import inspect
import os
import sys
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from lgtmgen import __version__
from lgtmgen.cli.alerts import alerts_app
from lgtmgen.cli.graph import graph_command
from lgtmgen.cli.importers import import_app
from lgtmgen.cli.report import json_report, print_human, summary
from lgtmgen.cli.usage import UsageProblem
from lgtmgen.diagnostics import Diagnostic, Location, Severity, has_errors
from lgtmgen.pipeline import validate
from lgtmgen.writer import (
    MANIFEST,
    clear_leftovers,
    followed,
    read_own,
    replace_refusal,
    staging_for,
    swap_in,
    tree_paths,
)

if TYPE_CHECKING:  # the toolchain is imported only by the commands that run tools; Plan for annotations
    from lgtmgen.built_bundles import BuiltBundles
    from lgtmgen.plan import Plan
    from lgtmgen.toolchain.locate import Toolbox

# The checks, the toolchain and the schema exporters are imported by the commands
# that use them: `validate` runs as a pre-commit hook and must start quickly.


class OutputFormat(str, Enum):
    human = "human"
    json = "json"


@dataclass
class State:
    output: OutputFormat = OutputFormat.human
    debug: bool = False


state = State()
app = typer.Typer(
    name="lgtmgen",
    help="Compile a service catalog into a checked configuration bundle for the Grafana LGTM stack.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

CatalogArg = Annotated[
    list[Path],
    typer.Argument(help="Catalog file(s) or directory(ies); directories are searched recursively for *.yaml and *.yml, skipping hidden names and bundles built inside them."),
]
def _out_path(text: str | Path) -> Path:
    # `--out ""` would otherwise be Path("."): the working directory, never what was meant. (The
    # default, `generated`, arrives as a Path.)
    if isinstance(text, Path):
        return text
    if not text.strip():
        raise typer.BadParameter("is empty; name the bundle directory, such as generated")
    return Path(text)


MAX_JOBS = 256
"""More workers than this is a typing slip: each is a process holding a copy-on-write image of the plan."""

OutOption = Annotated[Path, typer.Option("--out", "-o", help="Bundle directory.", parser=_out_path)]
JobsOption = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        min=0,
        max=MAX_JOBS,
        help="Worker processes, at most one per service or task; 0: one per CPU for large catalogs, else one.",
    ),
]


def _version(value: bool) -> None:
    if value:
        print(f"lgtmgen {__version__}")
        raise typer.Exit(0)


@app.callback()
def _global(
    output: Annotated[
        OutputFormat, typer.Option("--output", help="human, or json for CI.")
    ] = OutputFormat.human,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    state.output = output
    state.debug = debug


def _finish(
    command: str,
    diagnostics: list[Diagnostic],
    message: str,
    failed: bool | None = None,
    **extra: object,
) -> NoReturn:
    failed = has_errors(diagnostics) if failed is None else failed
    if state.output is OutputFormat.json:
        print(json_report(command, not failed, diagnostics, **extra))
    else:
        print_human(out, diagnostics)
        if failed:
            err.print(f"[bold red]✗[/] {command}: {summary(diagnostics)}")
        else:
            err.print(f"[green]✓[/] {message}", markup=True)
    raise typer.Exit(1 if failed else 0)


@app.command("validate")
def validate_command(catalog: CatalogArg) -> None:
    """Check the catalog only (fast; for pre-commit hooks)."""
    from lgtmgen.catalog import load_catalog

    started = time.perf_counter()
    # The plan adds nothing to check: every finding comes from loading (schema and semantics).
    loaded = load_catalog(catalog)
    diagnostics = loaded.diagnostics
    # Counted from a valid catalog only (null in JSON otherwise): 0 would read as an empty catalog.
    services = len(loaded.catalog.services) if loaded.catalog else None
    slos = sum(len(s.slos) for s in loaded.catalog.services) if loaded.catalog else None
    _finish(
        "validate",
        diagnostics,
        f"catalog valid: {services} services, {slos} SLOs ({time.perf_counter() - started:.2f} s)",
        services=services,
        slos=slos,
    )


def _toolbox() -> Toolbox:
    from lgtmgen.toolchain.locate import ToolOverrideError, locate_tools

    try:
        return locate_tools()
    except ToolOverrideError as exc:
        raise UsageProblem(str(exc)) from exc


def _valid_plan(command: str, catalog: list[Path]) -> tuple[Plan, list[Diagnostic]]:
    """The plan of a valid catalog and its findings (warnings); ends the command on an error."""
    plan, diagnostics = validate(catalog)
    if plan is None or has_errors(diagnostics):
        _finish(command, diagnostics, "", failed=True)
    return plan, diagnostics


def _linked(old: Path, new: Path) -> bool:
    """Whether the staged file `new` is the previous bundle's `old` itself (a link, never followed)."""
    try:
        return not old.is_symlink() and os.path.samefile(old, new)
    except OSError:
        return False


def _linked_to(staging: Path, out_dir: Path, staged: list[str]) -> int:
    """How many staged files are the previous bundle's own, linked because their bytes did not change."""
    return sum(_linked(out_dir / path, staging / path) for path in staged)


def _stage(
    command: str,
    plan: Plan,
    diagnostics: list[Diagnostic],
    root: Path,
    jobs: int,
    out_dir: Path,
    previous: Path | None = None,
) -> list[str]:
    """Write the plan's bundle into `root` (the staging tree of `out_dir`) and return its paths; ends
    the command when it cannot (`out_dir` is then what the diagnostic names)."""
    from lgtmgen.bundle import default_jobs, stage_bundle

    try:
        staged, problems = stage_bundle(plan, root, jobs or default_jobs(plan), previous)
    except OSError as exc:
        if exc.errno not in WRITE_ERRORS:
            raise
        _finish(command, [*diagnostics, _cannot_write(out_dir, exc)], "")
    diagnostics += problems
    if staged is None:
        _finish(command, diagnostics, "", failed=True)
    return list(staged)


CacheDirOption = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="Where lgtmgen remembers, by digest, the bundles it built and the checks that passed "
        "(default: $LGTMGEN_CACHE_DIR, else $XDG_CACHE_HOME/lgtmgen or ~/.cache/lgtmgen).",
    ),
]
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Compile and check everything; reuse and remember nothing.")
]


def _cache_dir(cache_dir: Path | None, no_cache: bool) -> Path | None:
    """The cache directory of a command, pruned of long-unused entries (once a day); None: none."""
    from lgtmgen.cache import default_cache_dir, prune_unused

    directory = None if no_cache else (cache_dir or default_cache_dir())
    if directory is not None:
        prune_unused(directory)
    return directory


def _built_bundles(cache_dir: Path | None) -> BuiltBundles | None:
    from lgtmgen.built_bundles import BuiltBundles

    return None if cache_dir is None else BuiltBundles(cache_dir)


@app.command()
def build(
    catalog: CatalogArg,
    out_dir: OutOption = Path("generated"),
    check: Annotated[
        bool, typer.Option("--check", help="Also run every check before replacing the bundle.")
    ] = False,
    jobs: JobsOption = 0,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Compile the catalog and replace the bundle directory atomically.

    A directory that already holds, byte for byte, what this lgtmgen built from the same catalog
    before is left as it is (see --cache-dir and --no-cache).
    """
    started = time.perf_counter()
    out_dir = followed(out_dir)
    _refuse_what_is_not_a_bundle("build", out_dir)
    plan, diagnostics = _valid_plan("build", catalog)
    cache = _cache_dir(cache_dir, no_cache)
    bundles = _built_bundles(cache)
    current = bundles.current(plan.catalog_digest, out_dir) if bundles else None
    if current is not None:
        clear_leftovers(out_dir.absolute())  # as a compiling build would
        if check:
            diagnostics += _checked(out_dir, cache)
        _finish(
            "build",
            diagnostics,
            f"{out_dir} already holds this catalog's bundle: {current} files, none written "
            f"({time.perf_counter() - started:.2f} s)",
            out=str(out_dir),
            files=current,
            reused=True,
        )
    with contextlib.ExitStack() as stack:
        staging = _staging("build", out_dir, stack)
        staged = _stage("build", plan, diagnostics, staging, jobs, out_dir, previous=out_dir)
        if check:
            diagnostics += _checked(staging, cache)
        manifest = (staging / MANIFEST).read_bytes()
        kept = _linked_to(staging, out_dir, staged)
        try:
            swap_in(staging, out_dir)
        except OSError as exc:
            if exc.errno not in WRITE_ERRORS:
                raise
            _finish("build", [*diagnostics, _cannot_write(out_dir, exc)], "")
    if bundles:
        bundles.remember(plan.catalog_digest, manifest)
    count = len(staged)
    unchanged = f": {count - kept} new or changed, {kept} unchanged" if kept else ""
    _finish(
        "build",
        diagnostics,
        f"wrote {count} files to {out_dir}{unchanged} ({time.perf_counter() - started:.2f} s)",
        out=str(out_dir),
        files=count,
        reused=False,
    )


def _refuse_what_is_not_a_bundle(command: str, out_dir: Path) -> None:
    """End the command when `out_dir` holds something a build must not replace.

    `diff` refuses it too: a diff against a folder of other files (or a file) would list them as
    removed, as if a build would remove them, when a build refuses to touch them.
    """
    refusal = replace_refusal(out_dir.absolute())
    if refusal is not None:
        where = Location(str(out_dir))
        _finish(command, [Diagnostic(refusal.check, refusal.message, location=where)], "")


def _staging(command: str, out_dir: Path, stack: contextlib.ExitStack) -> Path:
    """The directory beside `out_dir` to stage the bundle in; ends the command when the system
    refuses to make it (a file in the path, a read-only or special file system), before anything
    is written."""
    try:
        return stack.enter_context(staging_for(out_dir))
    except OSError as exc:
        _finish(command, [_cannot_write(out_dir, exc)], "")


WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO})
"""What the system answers a write that the machine, not lgtmgen, is in the way of: a full disk or
quota, a file-size limit, a read-only or failing file system, no permission."""


def _cannot_write(out_dir: Path, exc: OSError) -> Diagnostic:
    """The path, the system's reason and the name it gave, and the file in the way if there is one."""
    reason = exc.strerror or type(exc).__name__
    named = f" ({exc.filename})" if exc.filename else ""
    in_the_way = _file_in_the_way(out_dir)
    beside = f"a build stages the new bundle beside {out_dir.name}, in {out_dir.absolute().parent}"
    if in_the_way:
        hint = f"{in_the_way} is not a directory: choose another --out"
    elif exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        hint = f"{beside}, before the old one goes: that file system needs room for both"
    else:
        hint = f"{beside}: that folder must be writable"
    return Diagnostic(
        "bundle/cannot-write",
        f"cannot write the bundle to {out_dir}: {reason}{named}",
        location=Location(str(out_dir)),
        hint=hint,
    )


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest existing ancestor of `path` when it is a file: the one name the user has to change."""
    for ancestor in path.absolute().parents:
        if ancestor.exists():
            return None if ancestor.is_dir() else ancestor
    return None


def _checked(bundle_dir: Path, cache: Path | None) -> list[Diagnostic]:
    """Every check's findings on `bundle_dir`; ends the command when one is an error."""
    from lgtmgen.checks import run_checks

    diagnostics = run_checks(bundle_dir, _toolbox(), cache_dir=cache)
    if has_errors(diagnostics):
        _finish("build", diagnostics, "", failed=True)
    return diagnostics


@app.command()
def check(
    bundle_dir: Annotated[Path, typer.Argument(help="Bundle directory to check.")] = Path(
        "generated"
    ),
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Run only this check (repeat for more); an unknown name lists them all.")
    ] = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Check a written bundle with promtool, amtool and the upstream references.

    promtool unit-test files that passed before with the very same bytes (test file, rule
    files, promtool) are not run again; see --cache-dir and --no-cache.
    """
    from lgtmgen.checks import check_names, run_checks

    unknown = sorted(set(only or ()) - set(check_names()))
    if unknown:  # a misspelt --only would otherwise run nothing and pass
        raise UsageProblem(f"unknown check {', '.join(unknown)}; the checks: {', '.join(check_names())}")
    tools = _toolbox()
    used = {
        name: {"path": str(t.path), "version": t.version}
        for name in ("promtool", "amtool")
        if (t := getattr(tools, name)) is not None
    }
    if state.output is OutputFormat.human:
        for name, info in used.items():
            err.print(f"using {name} {info['version']} ({info['path']})", markup=False)
    diagnostics = run_checks(bundle_dir, tools, set(only) if only else None, _cache_dir(cache_dir, no_cache))
    _finish("check", diagnostics, f"bundle {bundle_dir} passed every check", tools=used)


@app.command()
def diff(
    catalog: CatalogArg,
    out_dir: OutOption = Path("generated"),
    jobs: JobsOption = 0,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    stat: Annotated[
        bool, typer.Option("--stat", help="One line a file (added, changed or removed, lines + and -) instead of the diff.")
    ] = False,
) -> None:
    """Dry run: show what a build would add, change or remove; exit 1 when anything differs.

    A directory that holds, byte for byte, what this lgtmgen built from the same catalog before is
    up to date without compiling the catalog again (see --cache-dir and --no-cache). A directory
    that build would refuse to replace is refused here too.
    """
    out_dir = followed(out_dir)
    _refuse_what_is_not_a_bundle("diff", out_dir)
    plan, diagnostics = _valid_plan("diff", catalog)
    if in_the_way := _file_in_the_way(out_dir):  # the dry run itself stages elsewhere
        diagnostics.append(
            Diagnostic(
                "bundle/cannot-write",
                f"a build could not write the bundle to {out_dir}: {in_the_way} is not a directory",
                location=Location(str(out_dir)),
                severity=Severity.WARNING,
                hint="choose another --out",
            )
        )
    bundles = _built_bundles(_cache_dir(cache_dir, no_cache))
    reused = bundles is not None and bundles.current(plan.catalog_digest, out_dir) is not None
    changed, manifest = ({}, None) if reused else _changes(plan, diagnostics, out_dir, jobs, stat)
    if bundles and not changed and manifest is not None:
        bundles.remember(plan.catalog_digest, manifest)
    pending = f"{len(changed)} file(s) would change in {out_dir}" if changed else None
    if state.output is OutputFormat.json:
        print(json_report("diff", not changed, diagnostics, pending, changes=changed, reused=reused))
        raise typer.Exit(1 if changed else 0)
    print_human(err, diagnostics)  # warnings; standard output holds the diff
    if pending:
        err.print(f"[yellow]{pending}[/]")
        raise typer.Exit(1)
    how = " (this catalog's bundle as built before; not compiled again)" if reused else ""
    err.print(f"[green]✓[/] {out_dir} is up to date{how}")


def _changes(
    plan: Plan, diagnostics: list[Diagnostic], out_dir: Path, jobs: int, stat: bool = False
) -> tuple[dict[str, str], bytes]:
    """Every file a build would add, change or remove in `out_dir`, printed as a unified diff
    (in human output; with `stat`, one line a file), and the would-be bundle's manifest."""
    changed: dict[str, str] = {}
    # The would-be bundle is staged on disk like a build's, then compared file by file. Beside a
    # previous bundle it is staged as a build would be, its unchanged files linked to the bundle's:
    # they are then neither written nor read to be compared.
    with contextlib.ExitStack() as stack:
        scratch, previous = _diff_scratch(stack, out_dir)
        staged = _stage("diff", plan, diagnostics, scratch, jobs, out_dir, previous)
        old = tree_paths(out_dir)
        for path in sorted(set(staged) | old):
            if path in staged and path in old and _linked(out_dir / path, scratch / path):
                continue
            before = read_own(out_dir, path) if path in old else None
            after = (scratch / path).read_bytes() if path in staged else None
            if before == after:
                continue
            changed[path] = "added" if before is None else "removed" if after is None else "changed"
            if state.output is OutputFormat.human:
                unified = _unified(path, before, after)
                sys.stdout.write(_stat_line(changed[path], path, unified) if stat else "".join(unified))
        manifest = (scratch / MANIFEST).read_bytes()
    return changed, manifest


def _diff_scratch(stack: contextlib.ExitStack, out_dir: Path) -> tuple[Path, Path | None]:
    """Where `diff` stages the would-be bundle, and the previous bundle to link unchanged files to.

    Beside a previous bundle when its folder is writable; else (no bundle yet, a read-only
    checkout) in a temporary directory, every file written.
    """
    import tempfile

    if out_dir.is_dir() and replace_refusal(out_dir.absolute()) is None:
        try:
            return stack.enter_context(staging_for(out_dir)), out_dir
        except OSError:
            pass
    return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lgtmgen-diff-"))), None


def _stat_line(change: str, path: str, unified: list[str]) -> str:
    """`changed  prometheus/rules/slo/cart.yaml  +3 -1`: a file's change and its lines added and removed."""
    added = sum(1 for line in unified if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in unified if line.startswith("-") and not line.startswith("---"))
    return f"{change:<8} {path}  +{added} -{removed}\n"


def _unified(path: str, before: bytes | None, after: bytes | None) -> list[str]:
    def lines(content: bytes | None) -> list[str]:
        if content is None:
            return []
        try:
            return content.decode("utf-8").splitlines(keepends=True)
        except UnicodeDecodeError:
            return ["(binary content)\n"]

    a = f"a/{path}" if before is not None else "/dev/null"
    b = f"b/{path}" if after is not None else "/dev/null"
    out = list(difflib.unified_diff(lines(before), lines(after), a, b))
    return [
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out
    ]


def write_text_or_exit(path: Path, text: str) -> None:
    """Write `text` to `path` (creating its folder); a path that cannot be written is a usage error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        # mkdir's "File exists" for `a-file/catalog.yaml` would name neither the file nor the trouble.
        blocking = next((p for p in reversed(path.parents) if p.exists() and not p.is_dir()), None)
        reason = f"{blocking} is a file, not a folder" if blocking is not None else exc.strerror or str(exc)
        raise UsageProblem(f"cannot write {path}: {reason}") from exc


@app.command()
def schema(
    write: Annotated[
        Path | None, typer.Option("--write", help="Write to this file instead of stdout.")
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", help="json (JSON Schema) or markdown (catalog reference).")
    ] = "json",
) -> None:
    """Print the catalog's JSON Schema (for editors and yaml-language-server) or its reference."""
    from lgtmgen.catalog.reference_doc import catalog_reference_markdown
    from lgtmgen.catalog.schema import catalog_json_schema

    if format_ not in ("json", "markdown"):
        raise UsageProblem("--format is json or markdown")
    text = catalog_json_schema() if format_ == "json" else catalog_reference_markdown()
    if write is None:
        sys.stdout.write(text)
    else:
        write_text_or_exit(write, text)
        err.print(f"wrote {write}", markup=False)


@app.command()
def init(
    path: Annotated[
        Path, typer.Argument(help="The starter catalog's file, or a folder to write catalog.yaml into.")
    ] = Path("catalog.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite the files if they exist.")] = False,
) -> None:
    """Write a commented starter catalog, and its JSON Schema beside it for editors (missing folders
    are made)."""
    from lgtmgen.catalog.schema import catalog_json_schema
    from lgtmgen.starter import starter_catalog

    if path.is_dir() or path.suffix not in (".yaml", ".yml"):  # `lgtmgen init catalog/`
        path = path / "catalog.yaml"
    schema_path = path.parent / "catalog.schema.json"
    schema = catalog_json_schema()
    # The schema beside it may be the one an earlier init wrote, unchanged: that is no conflict.
    in_the_way = [p for p in (path, schema_path) if p.exists() and not (p == schema_path and _holds(p, schema))]
    if in_the_way and not force:
        named = " and ".join(str(p) for p in in_the_way)
        refusal = f"{named} exist{'s' if len(in_the_way) == 1 else ''}; use --force to overwrite"
        if state.output is OutputFormat.json:
            print(json_report("init", False, [], refusal, existing=[str(p) for p in in_the_way]))
        err.print(f"lgtmgen: {refusal}", markup=False)
        raise typer.Exit(1)
    made = [str(folder) for folder in (*reversed(path.parent.parents), path.parent) if not folder.exists()]
    write_text_or_exit(path, starter_catalog(f"./{schema_path.name}"))
    write_text_or_exit(schema_path, schema)
    if state.output is OutputFormat.json:
        print(json_report("init", True, [], written=[str(path), str(schema_path)], folders_made=made))
    made_note = f" (made {made[-1]})" if made else ""
    err.print(f"wrote {path} and {schema_path}{made_note}; next: lgtmgen validate {path}", markup=False)


def _holds(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False


app.command("graph")(graph_command)
app.add_typer(import_app, name="import")
app.add_typer(alerts_app, name="alerts")


def _reflowed(doc: str) -> str:
    """A docstring's paragraphs each on one line: typer's help keeps the line breaks of every
    paragraph after the first, which a narrow terminal then wraps again mid-sentence."""
    return "\n\n".join(" ".join(p.split()) for p in inspect.cleandoc(doc).split("\n\n"))


def _reflow_help(typer_app: typer.Typer) -> None:
    for info in typer_app.registered_commands:
        if info.help is None and info.callback is not None and info.callback.__doc__:
            info.help = _reflowed(info.callback.__doc__)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _reflow_help(group.typer_instance)


_reflow_help(app)
