"""Print diagnostics for people (pint's shape, with the source line) or as JSON for CI."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from lgtmgen.diagnostics import Diagnostic, Severity

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _caret_line(source: str, column: int) -> str:
    prefix = "".join(ch if ch == "\t" else " " for ch in source[: max(column - 1, 0)])
    return prefix + "^"


def print_human(console: Console, diagnostics: Sequence[Diagnostic]) -> None:
    for d in diagnostics:
        head = Text()
        if d.location is not None:
            head.append(str(d.location), style="bold")
            head.append(" ")
        head.append(d.check, style=_STYLE[d.severity])
        head.append(f" {d.severity.value}: " if d.severity is not Severity.ERROR else ": ")
        head.append(d.message)
        console.print(head, soft_wrap=True)
        if d.path and (d.location is None or d.location.line == 0 or d.source_line is None):
            # Where the line shown does not say it: no line, or the line of the entry (an import).
            console.print(Text(f"    at {d.path}", style="dim"), soft_wrap=True)
        if d.source_line is not None and d.location is not None and d.location.line > 0:
            number = str(d.location.line)
            console.print(Text(f"  {number} | {d.source_line}"), soft_wrap=True)
            console.print(
                Text(f"  {' ' * len(number)} | {_caret_line(d.source_line, d.location.column)}", style="red"),
                soft_wrap=True,
            )
        if d.hint:
            console.print(Text(f"    hint: {d.hint}", style="green"), soft_wrap=True)


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    counts = Counter(d.severity for d in diagnostics)
    parts = [f"{counts[s]} {s.value}{'s' if counts[s] != 1 else ''}" for s in Severity if counts[s]]
    return ", ".join(parts) if parts else "no problems"


def failure_summary(failure: str, diagnostics: Sequence[Diagnostic]) -> str:
    """The summary of a command that failed for something other than its diagnostics (a pending
    change, a noisy alert): `failure` as the human output says it, then the diagnostics' counts.
    The counts alone would say "no problems" next to `"ok": false`."""
    return f"{failure}; {summary(diagnostics)}" if diagnostics else failure


def json_report(
    command: str, ok: bool, diagnostics: Sequence[Diagnostic], failure: str | None = None, /, **extra: object
) -> str:
    """The JSON report every command answers; `failure` is why it failed when no diagnostic says so.

    The first four arguments are positional only: every keyword is a key of the report.
    """
    body: dict[str, object] = {
        "command": command,
        "ok": ok,
        "summary": summary(diagnostics) if failure is None else failure_summary(failure, diagnostics),
        "diagnostics": [d.to_json() for d in diagnostics],
    }
    body.update(extra)
    return json.dumps(body, indent=2, ensure_ascii=False)
