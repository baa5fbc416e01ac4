"""What the logs area shares: stream labels of a service, tenant tiers, Loki durations."""

from __future__ import annotations

from lgtmgen.catalog.models.logs import LogsSettings, LokiTier, ServiceLogs
from lgtmgen.catalog.models.org import Tenant
from lgtmgen.catalog.models.service import Service
from lgtmgen.logql import StreamSelector

SERVICE_LABEL = "service_name"
"""Loki's index label for the OTLP resource attribute `service.name`."""
CLUSTER_ATTRIBUTE = "k8s.cluster.name"
"""Resource attribute the collector of a cluster sets on every record (OpenTelemetry's name)."""
CLUSTER_LABEL = "k8s_cluster_name"
"""Loki's index label for `k8s.cluster.name`, one of the resource attributes it indexes by default."""
LEVEL_LABEL = "level"
"""Index label of the normalised level; the collector promotes it to a resource attribute."""
ERROR_CLASS_ATTRIBUTE = "error.class"
"""Log attribute set by the collector; Loki keeps it as structured metadata `error_class`."""
ERROR_CLASS_METADATA = "error_class"
TRACE_ID_METADATA = "trace_id"


def tier_of(settings: LogsSettings, tenant: Tenant) -> LokiTier:
    """The tenant's tier; a tier not declared in `logs.tiers` means the defaults."""
    return settings.tiers.get(tenant.tier, LokiTier(retention=settings.default_retention))




def stream_labels(service: Service, logs: ServiceLogs) -> dict[str, str]:
    """Index labels that select the service's streams."""
    return {SERVICE_LABEL: service.name, **dict(sorted(logs.stream_labels.items()))}


def service_selector(service: Service, logs: ServiceLogs) -> StreamSelector:
    return StreamSelector.equal(stream_labels(service, logs))


def logging_services(services: list[Service]) -> list[tuple[Service, ServiceLogs]]:
    """Services that declare their logs, in catalog order."""
    return [(s, s.logs) for s in services if s.logs is not None]
