"""The error of a command line a command cannot act on."""

from __future__ import annotations

import sys
from typing import IO, Any

# typer bundles click; its ClickException is what the command line's parser handles as an error
# whatever the caller (`lgtmgen.cli.main`, a test's CliRunner).
from typer._click.exceptions import ClickException


class UsageProblem(ClickException):
    """A command line the command cannot act on (exit 2): its message on standard error, and
    from `lgtmgen.cli.main` the JSON report when one was asked for."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        print(f"lgtmgen: {self.message}", file=file or sys.stderr)
