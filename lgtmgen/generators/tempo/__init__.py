"""Tempo 3.0: the main configuration and the scoped per-tenant overrides file."""

from __future__ import annotations

from lgtmgen.generators.tempo.config import TempoConfig

__all__ = ["TempoConfig"]
