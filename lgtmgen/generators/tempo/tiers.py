"""What a tenant's tier means for traces, and Go durations for Tempo."""

from __future__ import annotations

from lgtmgen.catalog.models.base import parse_duration
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


def go_duration(text: str) -> str:
    """A catalog duration (``14d``) as a Go duration (``336h``); Go has no day unit."""
    whole = int(parse_duration(text))
    hours, rest = divmod(whole, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (seconds, "s")) if n]
    return "".join(parts) or "0s"
