"""The registry of generators: one module per output family, one line here each."""

from __future__ import annotations

from lgtmgen.generators.base import Generator
from lgtmgen.generators.slo_rules import SLORules

GENERATORS: tuple[Generator, ...] = (
    SLORules(),
)

__all__ = ["GENERATORS", "Generator"]
