"""Catalog models of the alerting area."""

from __future__ import annotations

from lgtmgen.catalog.models.base import Strict


class AlertingSettings(Strict):
    """Alertmanager routing, business hours, escalation and receivers settings."""
