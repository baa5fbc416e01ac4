"""The commented starter catalog that `lgtmgen init` writes (also examples/starter/)."""

from __future__ import annotations

from importlib.resources import files


def starter_catalog() -> str:
    return files("lgtmgen.starter").joinpath("catalog.yaml").read_text(encoding="utf-8")
