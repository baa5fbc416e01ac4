"""What a tenant's tier means for traces, and Go durations for Tempo."""

from __future__ import annotations

from lgtmgen.catalog.models.org import Tenant
from lgtmgen.catalog.models.traces import TempoTier, TracesSettings

SERVICE_GRAPHS = "service-graphs"
SPAN_METRICS = "span-metrics"


def tier_of(settings: TracesSettings, tenant: Tenant) -> TempoTier:
    """The tenant's tier; catalogs without a traces section fall back to the defaults."""
    return settings.tiers.get(tenant.tier, TempoTier())


def processors(tier: TempoTier) -> list[str]:
    """Metrics-generator processors the tier runs, in Tempo's names."""
    names = []
    if tier.service_graphs:
        names.append(SERVICE_GRAPHS)
    if tier.span_metrics:
        names.append(SPAN_METRICS)
    return names


