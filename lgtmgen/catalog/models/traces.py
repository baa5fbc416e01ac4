"""Catalog models of the traces area."""

from __future__ import annotations

from lgtmgen.catalog.models.base import Strict


class TracesSettings(Strict):
    """Tempo configuration, tenant tiers and tail-sampling settings."""


class ServiceTraces(Strict):
    """A service's sampling wishes and business-critical routes."""


class Journey(Strict):
    """A user journey: ordered steps across services with a value."""
