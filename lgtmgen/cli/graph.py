"""`lgtmgen graph`: print the declared dependency graph or a service's blast radius."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lgtmgen.cli.report import json_report, print_human, summary
from lgtmgen.cli.usage import UsageProblem
from lgtmgen.diagnostics import has_errors
from lgtmgen.graph import (
    blast_radius,
    declared_edges,
    dot_text,
    impact_text,
    mermaid_text,
    tree_text,
)
from lgtmgen.pipeline import validate

if TYPE_CHECKING:
    from lgtmgen.plan import Plan


class GraphFormat(str, Enum):
    tree = "tree"
    mermaid = "mermaid"
    dot = "dot"


RENDERERS = {GraphFormat.tree: tree_text, GraphFormat.mermaid: mermaid_text, GraphFormat.dot: dot_text}


def graph_data(plan: Plan, impact: str | None) -> dict[str, object]:
    """The graph (or one service's blast radius) as data, for `--output json`."""
    if impact is not None:
        dependents = blast_radius(plan, impact)
        return {
            "impact": impact,
            "affected": [
                {"service": d.service, "tier": d.tier, "team": d.team, "distance": d.distance} for d in dependents
            ],
            "highest_tier": min((d.tier for d in dependents), default=None),
        }
    return {
        "services": [
            {"name": name, "tier": service.tier, "team": service.team} for name, service in sorted(plan.services.items())
        ],
        "edges": [{"client": e.client, "server": e.server} for e in declared_edges(plan)],
    }


def graph_command(
    ctx: typer.Context,
    catalog: Annotated[list[Path], typer.Argument(help="Catalog file(s) or directory(ies).")],
    format_: Annotated[GraphFormat, typer.Option("--format", help="tree, mermaid or dot.")] = GraphFormat.tree,
    impact: Annotated[
        str | None, typer.Option("--impact", help="List the services that depend on SERVICE, with tiers.")
    ] = None,
) -> None:
    """Print the service dependency graph, or with --impact the blast radius of one service."""
    from lgtmgen.cli.app import err  # the app imports this module

    as_json = ctx.find_root().params.get("output") == "json"
    plan, diagnostics = validate(catalog)
    if plan is None or has_errors(diagnostics):
        if as_json:
            print(json_report("graph", False, diagnostics))
        else:
            print_human(err, diagnostics)
            typer.echo(f"✗ graph: {summary(diagnostics)}", err=True)
        raise typer.Exit(1)
    if impact is not None and impact not in plan.services:
        known = ", ".join(sorted(plan.services))
        raise UsageProblem(f"unknown service {impact!r} (known: {known})")
    if as_json:
        print(json_report("graph", True, diagnostics, **graph_data(plan, impact)))
        return
    if diagnostics:  # the catalog's warnings, on standard error: standard output is the graph
        print_human(err, diagnostics)
    if impact is not None:
        sys.stdout.write(impact_text(plan, impact))
    else:
        sys.stdout.write(RENDERERS[format_](plan))


__all__ = ["graph_command", "graph_data"]
