"""Loki runtime overrides: limits and retention per tenant tier, retention per stream."""

from __future__ import annotations

from typing import Any

from lgtmgen.catalog.models.base import go_duration, parse_duration
from lgtmgen.catalog.models.logs import LogsSettings, LokiTier
from lgtmgen.catalog.models.service import Service
from lgtmgen.generators.loki.common import (
    LEVEL_LABEL,
    logging_services,
    stream_labels,
    tier_of,
)
from lgtmgen.logql import Matcher, StreamSelector
from lgtmgen.plan import Plan
from lgtmgen.render.yaml_emitter import Commented

RUNTIME_PATH = "loki/runtime.yaml"
DEFAULT_STREAM_PRIORITY = 1
STREAM_ORDER_NOTE = (
    "Loki applies the matching entry of highest priority, then of shortest period; "
    "listed in that order, the first match is the one applied."
)


def retention_streams(services: list[Service]) -> list[dict[str, Any]]:
    """`retention_stream` entries of the services, in the order Loki applies them.

    Of the rules that match a stream Loki keeps the one of highest priority and, among
    equal priorities, the shortest period; listing them that way makes the file read
    like the decision. The selector breaks the remaining ties.
    """
    entries = []
    for service, logs in logging_services(services):
        for rule in logs.retention:
            selector = StreamSelector.equal(
                stream_labels(service, logs), Matcher(LEVEL_LABEL, "=", rule.level)
            )
            priority = DEFAULT_STREAM_PRIORITY if rule.priority is None else rule.priority
            entries.append((-priority, parse_duration(rule.period), str(selector), rule.period))
    entries.sort(key=lambda e: (e[0], e[1], e[2]))
    return [
        {"selector": selector, "priority": -neg_priority, "period": go_duration(period)}
        for neg_priority, _, selector, period in entries
    ]


def tenant_limits(tier: LokiTier) -> dict[str, Any]:
    return {
        "retention_period": go_duration(tier.retention),
        "ingestion_rate_mb": tier.ingestion_rate_mb,
        "ingestion_burst_size_mb": tier.ingestion_burst_size_mb,
        "max_global_streams_per_user": tier.max_global_streams_per_user,
        "max_query_series": tier.max_query_series,
        "max_query_parallelism": tier.max_query_parallelism,
        "tsdb_max_query_parallelism": tier.max_query_parallelism,
        "query_timeout": go_duration(tier.query_timeout),
    }


def runtime_overrides(plan: Plan, settings: LogsSettings) -> dict[str, Any]:
    """One complete entry per tenant, sorted by tenant id."""
    overrides: dict[str, Any] = {}
    for name in sorted(plan.tenants):
        entry = tenant_limits(tier_of(settings, plan.tenants[name]))
        streams = retention_streams([s for s in plan.services.values() if s.tenant == name])
        if streams:
            entry["retention_stream"] = Commented(streams, STREAM_ORDER_NOTE)
        overrides[name] = entry
    return {"overrides": overrides}
