"""The `lgtmgen` command line. Only this package prints.

Exit codes: 0 ok; 1 findings (invalid catalog, failing check, drift);
2 usage error; 3 internal error (one line; the traceback with --debug).
"""

from __future__ import annotations

import gc
import itertools
import os
import sys
import traceback
from typing import NoReturn

import typer

from lgtmgen.cli.app import OutputFormat, app, state
from lgtmgen.cli.report import json_report
from lgtmgen.cli.usage import UsageProblem

# A run allocates millions of short-lived objects and hardly any reference cycles; with the
# default threshold (700) the young generation is collected so often that a build of 1,000
# services spends a fifth of its time in the collector.
GC_THRESHOLD = (100_000, 20, 20)


def _hard_exit(code: int) -> NoReturn:
    """End without tearing down the interpreter's heap (a build's plan, up to a second):
    everything worth keeping is written and flushed by now."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`lgtmgen ... | head`), a closed stream
            pass
    os._exit(code)


def _command_of(args: list[str]) -> str:
    """The command path `args` name (``alerts review``), as the reports of successful runs say it:
    the words that name a command, skipping options and the global --output's value."""
    from typer.main import get_command

    command: object = get_command(app)
    path: list[str] = []
    words = iter(args)
    for word in words:
        if word == "--output":
            next(words, None)
        elif not word.startswith("-"):
            commands = getattr(command, "commands", None)
            if commands is None:  # an argument of the command
                break
            path.append(word)
            command = commands.get(word)
            if command is None:  # an unknown command: named as given
                break
    return " ".join(path) or "lgtmgen"


def _wants_json(args: list[str]) -> bool:
    """Whether `args` ask for JSON, read from the words themselves: a usage error can stop the
    parsing before `--output` is stored."""
    if state.output is OutputFormat.json:
        return True
    return "--output=json" in args or any(pair == ("--output", "json") for pair in itertools.pairwise(args))


def _fail(args: list[str], code: int, failure: str) -> NoReturn:
    """End a run that stopped before its command could report: the JSON report too when asked for,
    so a CI job that parses standard output has one."""
    if _wants_json(args):
        try:
            print(json_report(_command_of(args), False, [], failure, exit_code=code), flush=True)
        except OSError:  # the reader went away (`| head`): the exit code still says what happened
            _hard_exit(code)
    sys.exit(code)


def _global_options_first(args: list[str]) -> list[str]:
    """lgtmgen's own options (`--output`, `--debug`) moved before the command wherever they were
    written (up to a `--`): `lgtmgen validate --output json .` is `lgtmgen --output json validate .`.
    No command has an option of those names."""
    hoisted: list[str] = []
    rest: list[str] = []
    words = iter(args)
    for word in words:
        if word == "--":
            rest += [word, *words]
        elif word == "--debug" or word.startswith("--output="):
            hoisted.append(word)
        elif word == "--output":
            hoisted += [word, *itertools.islice(words, 1)]
        else:
            rest.append(word)
    return hoisted + rest


def main() -> None:
    gc.set_threshold(*GC_THRESHOLD)
    args = _global_options_first(sys.argv[1:])
    try:
        code = app(args=args, standalone_mode=False)
    except typer.TyperException as exc:  # a usage error: the parser's, or a command's own (UsageProblem)
        if isinstance(exc, UsageProblem):
            exc.show()
        else:
            from typer import rich_utils  # costs 0.15 s to import: only for an error

            rich_utils.rich_format_error(exc)  # type: ignore[arg-type]  # the parser's errors are click's
        _fail(args, exc.exit_code, f"{'usage error' if exc.exit_code == 2 else 'error'}: {exc.format_message()}")
    except typer.Abort:
        print("Aborted!", file=sys.stderr)
        _fail(args, 1, "aborted")
    except KeyboardInterrupt:
        print("lgtmgen: interrupted", file=sys.stderr)
        sys.exit(130)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            _hard_exit(exc.code or 0)
        raise
    except Exception as exc:  # noqa: BLE001 - the one place an unexpected error becomes exit code 3
        message = f"internal error: {type(exc).__name__}: {exc}"
        if state.debug:
            traceback.print_exc()
        else:
            print(f"lgtmgen: {message} (rerun with --debug for the traceback)", file=sys.stderr)
        _fail(args, 3, message)
    _hard_exit(code if isinstance(code, int) else 0)


__all__ = ["app", "main"]
