"""The commented starter catalog that `lgtmgen init` writes (also examples/starter/)."""

from __future__ import annotations

from importlib.resources import files

SCHEMA_COMMENT = "# yaml-language-server: $schema="


def starter_catalog(schema_ref: str | None = None) -> str:
    """The starter text; `schema_ref` replaces the path of the schema named on its first line."""
    text = files("lgtmgen.starter").joinpath("catalog.yaml").read_text(encoding="utf-8")
    if schema_ref is None:
        return text
    first, rest = text.split("\n", 1)
    assert first.startswith(SCHEMA_COMMENT)
    return f"{SCHEMA_COMMENT}{schema_ref}\n{rest}"
