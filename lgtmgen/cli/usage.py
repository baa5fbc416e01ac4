"""The error of a command line a command cannot act on."""

from __future__ import annotations

import typer


class UsageProblem(typer.TyperException):
    """A command line the command cannot act on (exit 2): `lgtmgen.cli.main` prints the message,
    and the JSON report when one was asked for."""

    exit_code = 2
