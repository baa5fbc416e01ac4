"""Catalog v1 as pydantic models: strict, frozen, documented (descriptions feed the JSON Schema)."""

from lgtmgen.catalog.models.catalog import API_VERSION, Catalog, Defaults
from lgtmgen.catalog.models.org import Cluster, Environment, Tenant
from lgtmgen.catalog.models.service import MetricConventions, Service
from lgtmgen.catalog.models.slo import (
    SLI,
    SLO,
    WINDOW_PLACEHOLDER,
    AvailabilitySLI,
    CustomSLI,
    EventsSLI,
    LatencySLI,
)
from lgtmgen.catalog.models.teams import NotificationTargets, Team

__all__ = [
    "API_VERSION",
    "SLI",
    "SLO",
    "WINDOW_PLACEHOLDER",
    "AvailabilitySLI",
    "Catalog",
    "Cluster",
    "CustomSLI",
    "Defaults",
    "Environment",
    "EventsSLI",
    "LatencySLI",
    "MetricConventions",
    "NotificationTargets",
    "Service",
    "Team",
    "Tenant",
]
