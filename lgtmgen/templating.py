"""Text produced for Go templates and jinja2, kept from colliding.

Alertmanager and Prometheus read annotations and notification templates as
Go templates; any catalog text placed there must not be taken for template
actions. jinja2 renders our own text artifacts in a sandbox with
StrictUndefined, so a missing variable is an error, never an empty string.
"""

from __future__ import annotations

import re

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from lgtmgen.resources import TEMPLATES_DIR

GO_LITERAL_BRACES = '{{ "{{" }}'
"""The Go template action that prints ``{{``: how `go_text` escapes it."""


def go_text(text: str) -> str:
    """`text` as a Go template that prints it literally (``{{`` becomes a string action)."""
    return text.replace("{{", GO_LITERAL_BRACES)


def literal_text(template: str) -> str:
    """The text `go_text` escaped, for readers of a rule that do not run templates."""
    return template.replace(GO_LITERAL_BRACES, "{{")


def markdown_text(text: object) -> str:
    """Catalog text as Markdown prose that stays text: `&`, `<` and `>` as HTML entities, so a
    service named `<img src=x onerror=...>` is not markup on a site that renders the runbooks
    (MkDocs and others pass HTML through), and `|` escaped, so it ends no table cell. Both render
    as the characters. Code spans (`...`) are left as they are: Markdown shows them literally,
    entities included, and reads no HTML in them; code blocks are not given this filter."""
    out: list[str] = []
    rest = str(text)
    while (span := _CODE_SPAN.search(rest)) is not None:
        # A `|` ends a table cell even inside a code span (tables are split first): escaped too.
        out += [_prose(rest[: span.start()]), span.group(1).replace("|", "\\|")]
        rest = rest[span.end() :]
    return "".join([*out, _prose(rest)])


_CODE_SPAN = re.compile(r"((?<![`\\])(`+)(?!`)[^\n`]*(?:(?!\2)`+[^\n`]*)*?(?<!`)\2(?!`))")
"""A code span as CommonMark reads one, within one line: a run of backticks not escaped by a
backslash, up to the next run of the same length. Across lines Markdown reads the blocks first (a
line starting with `<script>` is an HTML block whatever backticks surround it), so a span never
spans lines here."""


def _backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def markdown_code(text: object) -> str:
    """`text` as one Markdown code span, whatever backticks it holds: fenced by a longer run (and
    padded where it starts or ends with one), so a name holding a backtick cannot close the span."""
    value = str(text)
    fence = "`" * (_backtick_run(value) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def markdown_fence(text: object) -> str:
    """The backtick fence of a code block that `text` cannot close: three, or longer than its longest run."""
    return "`" * max(3, _backtick_run(str(text)) + 1)


def _prose(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def jinja_environment() -> SandboxedEnvironment:
    """The one jinja2 environment: sandboxed, strict, with Go-template-safe delimiters.

    jinja2's own delimiters are switched to ``[[ ]]`` and ``[% %]`` so that the Go
    template actions ``{{ ... }}`` written in notification templates pass
    through untouched.
    """
    from jinja2 import FileSystemLoader

    environment = SandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        variable_start_string="[[",
        variable_end_string="]]",
        block_start_string="[%",
        block_end_string="%]",
        comment_start_string="[#",
        comment_end_string="#]",
    )
    environment.filters["text"] = markdown_text
    environment.filters["code"] = markdown_code
    environment.filters["fence"] = markdown_fence
    return environment
