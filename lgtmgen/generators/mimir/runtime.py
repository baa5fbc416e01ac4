"""Mimir runtime overrides: one entry per tenant from its tier."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.catalog.models.metrics_platform import MimirTier
from lgtmgen.plan import Plan

HA_CLUSTER_LABEL = "cluster"
HA_REPLICA_LABEL = "__replica__"


HA_DEDUPLICATION = {"accept_ha_samples": True, "ha_cluster_label": HA_CLUSTER_LABEL, "ha_replica_label": HA_REPLICA_LABEL}
"""HA pairs are deduplicated on cluster and `__replica__` (the distributor's tracker is per tenant)."""


def tenant_limits(tier: MimirTier | None, max_rule_groups: int, max_exemplars: int = 0) -> dict[str, Any]:
    """The override entry of one tenant: its tier's limits (Mimir's defaults without a declared
    tier), HA deduplication, a ruler group limit that holds the bundle's groups, and the exemplars
    it keeps (Mimir keeps none by default)."""
    limits: dict[str, Any] = {}
    if tier is not None:
        limits = {
            "compactor_blocks_retention_period": format_duration(parse_duration(tier.retention)),
            "ingestion_rate": float(tier.ingestion_rate),
            "ingestion_burst_size": tier.ingestion_burst_size,
            "max_global_series_per_user": tier.max_global_series_per_user,
            "max_query_parallelism": tier.max_query_parallelism,
            "query_sharding_total_shards": tier.query_sharding_total_shards,
            "results_cache_ttl": format_duration(parse_duration(tier.results_cache_ttl)),
        }
    exemplars = {"max_global_exemplars_per_user": max_exemplars} if max_exemplars else {}
    return {**limits, **HA_DEDUPLICATION, "ruler_max_rule_groups_per_tenant": max_rule_groups, **exemplars}


def runtime_overrides(plan: Plan, rule_groups: Mapping[str, int] | None = None) -> dict[str, Any]:
    """`overrides:` with every tenant, sorted: the limits of its tier where `mimir.tiers` defines it.

    Every tenant needs an entry even without a tier: the HA tracker deduplicates only tenants
    that accept HA samples, and the ruler refuses groups beyond the tenant's limit.
    `rule_groups` is the number of ruler groups the bundle gives each tenant: a tenant's group
    limit is `mimir.max_rule_groups_per_tenant` or, when its own rules need more, that number
    (a service with SLOs brings about five).
    """
    mimir = plan.catalog.mimir
    needed = rule_groups or {}
    overrides = {
        name: tenant_limits(
            mimir.tiers.get(tenant.tier),
            max(mimir.max_rule_groups_per_tenant, needed.get(name, 0)),
            mimir.max_exemplars_per_tenant,
        )
        for name, tenant in sorted(plan.tenants.items())
    }
    if mimir.rollup is not None and mimir.rollup.tenant in overrides:
        retention = format_duration(parse_duration(mimir.rollup.retention))
        overrides[mimir.rollup.tenant]["compactor_blocks_retention_period"] = retention
    return {"overrides": overrides}
