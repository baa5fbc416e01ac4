"""`lgtmgen graph`: print the declared dependency graph or a service's blast radius."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from lgtmgen.cli.report import print_human
from lgtmgen.diagnostics import has_errors
from lgtmgen.graph import dot_text, impact_text, mermaid_text, tree_text
from lgtmgen.pipeline import validate


class GraphFormat(str, Enum):
    tree = "tree"
    mermaid = "mermaid"
    dot = "dot"


RENDERERS = {GraphFormat.tree: tree_text, GraphFormat.mermaid: mermaid_text, GraphFormat.dot: dot_text}


def graph_command(
    catalog: Annotated[list[Path], typer.Argument(help="Catalog file(s) or directory(ies).")],
    format_: Annotated[GraphFormat, typer.Option("--format", help="tree, mermaid or dot.")] = GraphFormat.tree,
    impact: Annotated[
        str | None, typer.Option("--impact", help="List the services that depend on SERVICE, with tiers.")
    ] = None,
) -> None:
    """Print the service dependency graph, or with --impact the blast radius of one service."""
    plan, diagnostics = validate(catalog)
    if plan is None or has_errors(diagnostics):
        print_human(Console(stderr=True, highlight=False, soft_wrap=True), diagnostics)
        raise typer.Exit(1)
    if impact is not None:
        if impact not in plan.services:
            known = ", ".join(sorted(plan.services))
            typer.echo(f"lgtmgen: unknown service {impact!r} (known: {known})", err=True)
            raise typer.Exit(2)
        sys.stdout.write(impact_text(plan, impact))
        return
    sys.stdout.write(RENDERERS[format_](plan))
