"""Catalog models of the grafana area."""

from __future__ import annotations

from lgtmgen.catalog.models.base import Strict


class GrafanaSettings(Strict):
    """Grafana dashboards and provisioning settings."""
