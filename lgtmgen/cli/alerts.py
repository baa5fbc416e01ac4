"""`lgtmgen alerts review CATALOG --history FILE...`: how the catalog's alerts behaved.

Exit codes: 0 no finding of the `--fail-on` kinds (default noisy, flapping); 1 such findings,
an invalid catalog or an unreadable history file; 2 a bad option value.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.cli.usage import UsageProblem
from lgtmgen.diagnostics import Diagnostic, Location

if TYPE_CHECKING:
    from rich.console import Console

    from lgtmgen.review import AlertReview, Review, Thresholds

# Without no_args_is_help: `lgtmgen alerts` alone is the usage error "Missing command." (exit 2, on
# standard error), where typer's help would have gone to standard output ahead of a JSON report.
alerts_app = typer.Typer(help="Review how the catalog's alerts behaved in exported alert history.")

DEFAULT_FAIL_ON = ("noisy", "flapping")

HistoryOption = Annotated[
    list[Path],
    typer.Option(
        "--history",
        help="Exported history (repeatable): a query_range answer of ALERTS, or Alertmanager webhook lines.",
    ),
]
TimeOption = Annotated[str | None, typer.Option(help="RFC 3339 time or Unix seconds.")]
DurationOption = Annotated[str, typer.Option(help="A Prometheus duration.")]


def _time(option: str, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageProblem(f"{option} {value!r} is neither an RFC 3339 time nor Unix seconds") from None
    if moment.tzinfo is None:
        raise UsageProblem(f"{option} {value!r} needs a time zone (e.g. Z)")
    return moment.timestamp()


def _seconds(option: str, value: str) -> float:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise UsageProblem(f"{option}: {exc}") from None


@alerts_app.command("review")
def review_command(
    catalog: Annotated[list[Path], typer.Argument(help="Catalog file(s) or directory(ies).")],
    history: HistoryOption,
    since: TimeOption = None,
    until: TimeOption = None,
    noisy_per_week: Annotated[float, typer.Option(min=0, help="Firings a week from which an alert is noisy.")] = 5.0,
    short_firing: DurationOption = "5m",
    flap_gap: DurationOption = "15m",
    flap_min: Annotated[int, typer.Option(min=1, help="Re-firings within --flap-gap that make an alert flapping.")] = 3,
    min_history: DurationOption = "7d",
    fail_on: Annotated[
        list[str] | None, typer.Option("--fail-on", help="Finding kinds that make the command exit 1 (repeatable).")
    ] = None,
) -> None:
    """Noisy, flapping and never-firing alerts, orphans, and what to change in the catalog."""
    from lgtmgen.review import FINDING_KINDS, Thresholds

    kinds = tuple(fail_on) if fail_on is not None else DEFAULT_FAIL_ON
    unknown = sorted(set(kinds) - set(FINDING_KINDS))
    if unknown:
        raise UsageProblem(f"unknown finding kind {', '.join(unknown)}; the kinds: {', '.join(FINDING_KINDS)}")
    start, end = _time("--since", since), _time("--until", until)
    if start is not None and end is not None and start >= end:
        raise UsageProblem("--since must be before --until")
    thresholds = Thresholds(
        noisy_per_week=noisy_per_week,
        short_firing=_seconds("--short-firing", short_firing),
        flap_gap=_seconds("--flap-gap", flap_gap),
        flap_min=flap_min,
        min_history=_seconds("--min-history", min_history),
    )
    _review(catalog, history, start, end, thresholds, kinds)


def _review(
    catalog: list[Path],
    files: list[Path],
    since: float | None,
    until: float | None,
    thresholds: Thresholds,
    kinds: tuple[str, ...],
) -> None:
    from lgtmgen.cli.app import OutputFormat, _finish, _valid_plan, err, out, state
    from lgtmgen.cli.report import json_report, print_human
    from lgtmgen.review import UnreadableHistory, generated_alert_rules, read_history, review_alerts
    from lgtmgen.review.report import review_json

    command = "alerts review"
    if not files:
        raise UsageProblem("give the exported history with --history FILE")
    plan, diagnostics = _valid_plan(command, catalog)
    try:
        history = read_history(files, since, until)
    except UnreadableHistory as exc:
        problems = [
            Diagnostic("review/unreadable-history", p.message, location=Location(p.path, p.line, p.column), path=p.where)
            for p in exc.problems
        ]
        _finish(command, [*diagnostics, *problems], "", failed=True)
    anomalies = {s.name: s.anomaly for s in plan.catalog.services if s.anomaly is not None}
    review = review_alerts(generated_alert_rules(plan), history, thresholds, plan.slos, anomalies)
    failing = {kind: len(review.findings(kind)) for kind in kinds if review.findings(kind)}
    failure = ", ".join(f"{n} {k}" for k, n in failing.items()) or None
    if state.output is OutputFormat.json:
        print(json_report(command, not failing, diagnostics, failure, fail_on=list(kinds), **review_json(review)))
        raise typer.Exit(1 if failing else 0)
    print_review(out, review)
    print_human(err, diagnostics)  # the catalog's warnings
    if failure:
        err.print(f"[bold red]✗[/] {command}: {failure}")
        raise typer.Exit(1)
    err.print(f"[green]✓[/] {command}: no {' or '.join(kinds) or 'failing'} alerts")


def print_review(console: Console, review: Review) -> None:
    """The history read, a table of the alerts that fired, then every finding with its suggestions."""
    from lgtmgen.review.report import utc

    history = review.history
    formats = ", ".join(sorted({f.format for f in history.files}))
    span = f"{utc(history.start)} .. {utc(history.end)} ({format_duration(history.seconds)})"
    note = "; span from the data: give --since/--until for the span you exported" if history.span_from_data else ""
    console.print(f"history: {len(history.files)} file(s) ({formats}), {span}{note}", markup=False)
    fired = [a for a in (*review.alerts, *review.orphans) if a.statistics.firings]
    console.print(
        f"{len(review.alerts)} generated alerts, {sum(1 for a in review.alerts if a.statistics.firings)} fired; "
        f"{len(review.orphans)} orphan group(s)",
        markup=False,
    )
    if fired:
        console.print(_table(fired))
    for kind in ("noisy", "flapping", "orphan"):
        for alert in review.findings(kind):
            _print_finding(console, alert, kind)
    _print_never_firing(console, review)
    unjudged = review.findings("unjudged")
    if unjudged:
        console.print(
            Text(
                f"{len(unjudged)} alert(s) did not fire, but the history ({format_duration(history.seconds)}) is too "
                "short to call them never firing (see --output json for each)",
                style="dim",
            )
        )


QUIET = "their generated promtool tests show they fire when their condition holds: they have only been quiet"


def _print_never_firing(console: Console, review: Review) -> None:
    """Never-firing alerts grouped by what to do about them: thousands of quiet alerts stay readable."""
    groups: dict[str, list[AlertReview]] = {}
    for alert in review.findings("never-firing"):
        finding = next(f for f in alert.findings if f.kind == "never-firing")
        tested = alert.rule is not None and alert.rule.tested_in is not None
        groups.setdefault(QUIET if tested else "; ".join(finding.suggestions), []).append(alert)
    span = format_duration(review.history.seconds)
    for advice, alerts in sorted(groups.items(), key=lambda item: item[0] == QUIET):
        head = Text()
        head.append("never-firing", style=_STYLE["never-firing"])
        head.append(f" {len(alerts)} alert(s) did not fire once in {span}")
        console.print(head, soft_wrap=True)
        console.print(Text(f"    {'' if advice == QUIET else 'suggestion: '}{advice}", style="green"), soft_wrap=True)
        for alert in alerts:
            console.print(Text(f"      {alert.key}", style="dim"), soft_wrap=True)


def _table(alerts: list[AlertReview]) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    for column in ("alert", "fired", "a week", "firing", "median", "series", "findings"):
        table.add_column(column, justify="left" if column in ("alert", "findings") else "right", overflow="fold")
    for a in alerts:
        s = a.statistics
        table.add_row(
            a.key,
            str(s.firings),
            f"{s.per_week:.1f}",
            format_duration(s.firing_seconds),
            format_duration(s.median_seconds),
            str(s.series),
            ", ".join(f.kind for f in a.findings),
        )
    return table


_STYLE = {"noisy": "yellow", "flapping": "yellow", "orphan": "cyan", "never-firing": "cyan"}


def _print_finding(console: Console, alert: AlertReview, kind: str) -> None:
    for finding in alert.findings:
        if finding.kind != kind:
            continue
        head = Text()
        head.append(kind, style=_STYLE[kind])
        head.append(f" {alert.key}: {finding.message}")
        console.print(head, soft_wrap=True)
        for suggestion in finding.suggestions:
            console.print(Text(f"    suggestion: {suggestion}", style="green"), soft_wrap=True)
