"""Text produced for Go templates and jinja2, kept from colliding.

Alertmanager and Prometheus read annotations and notification templates as
Go templates; any catalog text placed there must not be taken for template
actions. jinja2 renders our own text artifacts in a sandbox with
StrictUndefined, so a missing variable is an error, never an empty string.
"""

from __future__ import annotations

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


def jinja_environment() -> SandboxedEnvironment:
    """The one jinja2 environment: sandboxed, strict, with Go-template-safe delimiters.

    jinja2's own delimiters are switched to ``[[ ]]`` and ``[% %]`` so that the Go
    template actions ``{{ ... }}`` written in notification templates pass
    through untouched.
    """
    from jinja2 import FileSystemLoader

    return SandboxedEnvironment(
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
