"""Loki 3.7 main configuration for the single-binary and the scalable deployment.

tsdb index with schema v13, object storage from the catalog, compactor retention
(which Loki only accepts with `compactor.delete_request_store`), query splitting and
parallelism, memcached results and chunk caches, and a ruler that remote-writes
log-derived metrics to Mimir under each rule's tenant.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lgtmgen.catalog.models.base import go_duration, parse_duration
from lgtmgen.catalog.models.logs import LogsSettings, LokiTier
from lgtmgen.catalog.models.metrics_platform import MetricsSettings
from lgtmgen.generators.loki.common import LEVEL_LABEL
from lgtmgen.generators.remote_write import mimir_target

CONFIG_PATH = "loki/loki.yaml"
RUNTIME_MOUNT = "/etc/loki/runtime.yaml"
RULES_MOUNT = "/etc/loki/rules"
DATA_DIR = "/var/loki"
MEMBERLIST = "loki-memberlist:7946"
WRITE_MARGIN_SECONDS = 30


def storage_block(settings: LogsSettings) -> dict[str, Any]:
    storage = settings.storage
    if storage.backend == "s3":
        s3: dict[str, Any] = {"bucketnames": storage.bucket}
        if storage.endpoint:
            s3["endpoint"] = storage.endpoint
        if storage.region:
            s3["region"] = storage.region
        return {"s3": s3}
    if storage.backend == "gcs":
        return {"gcs": {"bucket_name": storage.bucket}}
    return {
        "filesystem": {
            "chunks_directory": storage.directory,
            "rules_directory": f"{DATA_DIR}/rules",
        }
    }


def _memcached(address: str) -> dict[str, Any]:
    return {"memcached_client": {"addresses": address, "timeout": "500ms"}}


def query_range(settings: LogsSettings) -> dict[str, Any]:
    block: dict[str, Any] = {"align_queries_with_step": True, "parallelise_shardable_queries": True}
    if settings.memcached_results:
        block["cache_results"] = True
        block["results_cache"] = {"cache": _memcached(settings.memcached_results)}
    return block


def default_limits(settings: LogsSettings, extra_labels: Iterable[str] = ()) -> dict[str, Any]:
    return {
        "retention_period": go_duration(settings.default_retention),
        "split_queries_by_interval": go_duration(settings.split_queries_by_interval),
        # The frontend reads tsdb_max_query_parallelism for TSDB periods (every period here) and
        # max_query_parallelism for the others: both hold the catalog's value.
        "max_query_parallelism": settings.max_query_parallelism,
        "tsdb_max_query_parallelism": settings.max_query_parallelism,
        "allow_structured_metadata": True,
        "volume_enabled": True,
        # The collector promotes the normalised level and the declared stream labels to
        # resource attributes so that retention_stream and the rules can select by them.
        "otlp_config": {
            "resource_attributes": {
                "attributes_config": [
                    {"action": "index_label", "attributes": sorted({LEVEL_LABEL, *extra_labels})}
                ]
            }
        },
    }


def http_write_timeout(settings: LogsSettings) -> str:
    """Longer than the longest tenant `query_timeout`, with a margin to write the result.

    Loki's HTTP server closes a response after `http_server_write_timeout` (30s by
    default) whatever the tenant's query timeout says, so a 5m tier would end at 30s.
    """
    timeouts = [LokiTier().query_timeout, *(tier.query_timeout for tier in settings.tiers.values())]
    longest = max(parse_duration(t) for t in timeouts)
    return go_duration(f"{int(longest) + WRITE_MARGIN_SECONDS}s")


def ruler(settings: LogsSettings, metrics: MetricsSettings) -> dict[str, Any]:
    return {
        "storage": {"type": "local", "local": {"directory": RULES_MOUNT}},
        "rule_path": f"{DATA_DIR}/rules-temp",
        "alertmanager_url": settings.alertmanager_url,
        "enable_api": True,
        "enable_alertmanager_v2": True,
        "wal": {"dir": f"{DATA_DIR}/ruler-wal"},
        "remote_write": {
            "enabled": True,
            # The ruler writes each tenant's series with that tenant's X-Scope-OrgID.
            "add_org_id_header": True,
            "clients": {"mimir": mimir_target(settings.mimir_remote_write_url, metrics)},
        },
    }


def loki_config(settings: LogsSettings, metrics: MetricsSettings, extra_labels: Iterable[str] = ()) -> dict[str, Any]:
    """The main configuration; the scalable deployment runs it with `-target=read|write|backend`.

    `extra_labels` are the services' declared stream labels, indexed besides `level`.
    """
    scalable = settings.deployment == "scalable"
    kvstore = {"store": "memberlist" if scalable else "inmemory"}
    config: dict[str, Any] = {
        "auth_enabled": True,
        "target": "all",
        "server": {
            "http_listen_port": 3100,
            "grpc_listen_port": 9095,
            "http_server_write_timeout": http_write_timeout(settings),
        },
        "common": {
            "path_prefix": DATA_DIR,
            "replication_factor": 3 if scalable else 1,
            "ring": {"kvstore": kvstore},
            "storage": storage_block(settings),
        },
    }
    if scalable:
        config["memberlist"] = {"join_members": [MEMBERLIST]}
    config |= {
        "schema_config": {
            "configs": [
                {
                    "from": settings.schema_from,
                    "store": "tsdb",
                    "object_store": settings.storage.backend,
                    "schema": "v13",
                    "index": {"prefix": "index_", "period": "24h"},
                }
            ]
        },
        "storage_config": {
            "tsdb_shipper": {
                "active_index_directory": f"{DATA_DIR}/tsdb-index",
                "cache_location": f"{DATA_DIR}/tsdb-cache",
            }
        },
        "compactor": {
            "working_directory": f"{DATA_DIR}/compactor",
            "compaction_interval": "10m",
            "retention_enabled": True,
            "retention_delete_delay": "2h",
            "delete_request_store": settings.storage.backend,
        },
        "limits_config": default_limits(settings, extra_labels),
        "query_range": query_range(settings),
        "frontend": {"max_outstanding_per_tenant": 2048},
        "querier": {"max_concurrent": 8 if scalable else 4},
        "ruler": ruler(settings, metrics),
        "runtime_config": {"file": RUNTIME_MOUNT, "period": "10s"},
    }
    if settings.memcached_chunks:
        config["chunk_store_config"] = {"chunk_cache_config": _memcached(settings.memcached_chunks)}
    return config
