"""The blocks of Mimir's main configuration that lgtmgen owns.

Compactor, query-frontend sharding and memcached results cache, ruler with
tenant federation (for the ruler's federated groups: the roll-up tier, journeys across tenants), blocks and ruler storage.
"""

from __future__ import annotations

from typing import Any

from lgtmgen.catalog.models.base import go_duration
from lgtmgen.catalog.models.metrics_platform import MimirSettings, MimirStorage

RULER_RULE_PATH = "/data/ruler"
COMPACTOR_DATA_DIR = "/data/compactor"


def _bucket(storage: MimirStorage, bucket: str) -> dict[str, Any]:
    if storage.backend == "gcs":
        return {"backend": "gcs", "gcs": {"bucket_name": bucket}}
    s3: dict[str, Any] = {"bucket_name": bucket}
    if storage.endpoint:
        s3["endpoint"] = storage.endpoint
    if storage.region:
        s3["region"] = storage.region
    s3["storage_class"] = storage.storage_class.upper()
    return {"backend": "s3", "s3": s3}


def main_config(
    settings: MimirSettings, evaluation_interval: str, federated: bool, ha_pairs: bool = False
) -> dict[str, Any]:
    """The owned blocks; `federated` turns on ruler tenant federation for the federated groups (roll-up, cross-tenant journeys).

    Mimir 3.0 has a ruler switch (`ruler.tenant_federation.enabled`) but refuses to start the
    ruler with it unless the process-wide `tenant_federation.enabled` is on as well, and that
    one also lets the query path answer `X-Scope-OrgID: a|b`. One shared file cannot keep it
    to the ruler, so both are on and the gateway must refuse `|` (docs/metrics.md).

    `ha_pairs` (a cluster runs Prometheus replicas) turns on the distributor's HA tracker: with
    the overrides' `accept_ha_samples` but no tracker, Mimir 3 accepts every replica and strips
    `__replica__`, so two replicas write into one series (out-of-order rejections, counters that
    jump between replicas and read as resets by `rate`). Its key-value store is left at Mimir's
    default (memberlist).
    """
    storage = settings.storage
    assert storage is not None
    ha: dict[str, Any] = {"distributor": {"ha_tracker": {"enable_ha_tracker": True}}} if ha_pairs else {}
    return {
        **ha,
        "blocks_storage": _bucket(storage, storage.bucket),
        "ruler_storage": _bucket(storage, storage.ruler_bucket or f"{storage.bucket}-ruler"),
        "compactor": {
            "data_dir": COMPACTOR_DATA_DIR,
            "block_ranges": ["2h", "12h", "24h"],
            "compaction_interval": "1h",
            "deletion_delay": "12h",
        },
        "frontend": {
            # Go durations (time.Duration, no day unit): Mimir refuses `1d` here at start-up, where
            # the per-tenant limits (model.Duration) take it.
            "split_queries_by_interval": go_duration(settings.split_queries_by_interval),
            "parallelize_shardable_queries": True,
            "cache_results": True,
            "results_cache": {
                "backend": "memcached",
                "memcached": {"addresses": settings.memcached_addresses},
            },
        },
        "ruler": {
            "rule_path": RULER_RULE_PATH,
            "alertmanager_url": settings.alertmanager_url,
            "evaluation_interval": go_duration(evaluation_interval),
            "enable_api": True,
            "tenant_federation": {"enabled": federated},
        },
        "tenant_federation": {"enabled": federated},
    }
