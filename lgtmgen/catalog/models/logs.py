"""Catalog models of the logs area."""

from __future__ import annotations

from lgtmgen.catalog.models.base import Strict


class LogsSettings(Strict):
    """Loki configuration, tenant tiers and log-based rules."""


class ServiceLogs(Strict):
    """A service's log format, level field, retention per stream and error classes."""
