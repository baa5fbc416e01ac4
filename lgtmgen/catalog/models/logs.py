"""Catalog models of the logs area: Loki, tenant tiers, stream retention, log formats and rules."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lgtmgen.catalog.models.base import (
    Duration,
    Identifier,
    KubernetesName,
    LabelName,
    Strict,
    WebUrl,
)

LogLevel = Literal["trace", "debug", "info", "warn", "error", "fatal", "audit"]



class LokiTier(Strict):
    """What a tenant tier (`tenants[].tier`) means for logs: retention and limits."""

    retention: Duration = Field(default="744h", description="Retention of the tenant's streams.")
    ingestion_rate_mb: float = Field(default=4.0, gt=0, description="Ingested MB per second.")
    ingestion_burst_size_mb: float = Field(
        default=6.0, gt=0, description="Burst above the rate, MB."
    )
    max_global_streams_per_user: int = Field(default=5000, gt=0, description="Active streams.")
    max_query_series: int = Field(
        default=500, gt=0, description="Series a metric query may return."
    )
    max_query_parallelism: int = Field(
        default=32,
        gt=0,
        description="Parallel sub-queries of a query (Loki's `tsdb_max_query_parallelism`, which TSDB "
        "periods read, and `max_query_parallelism`).",
    )
    query_timeout: Duration = Field(default="1m", description="Longest a query may run.")


class LokiStorage(Strict):
    """Object storage of chunks and index: filesystem (local), S3 or GCS.

    Credentials come from the environment or a workload identity, never the catalog.
    """

    backend: Literal["filesystem", "s3", "gcs"] = Field(default="filesystem", description="Store.")
    bucket: str = Field(default="", description="Bucket name (s3, gcs).")
    endpoint: str = Field(default="", description="S3 endpoint host (s3).")
    region: str = Field(default="", description="Bucket region (s3).")
    directory: str = Field(default="/var/loki/chunks", description="Chunk directory (filesystem).")


class SecurityPattern(Strict):
    """A security signature searched in every service's logs; matches raise an alert."""

    name: Identifier = Field(description="Pattern name, the `pattern` label of its alert.")
    regex: str = Field(min_length=1, description="RE2 regex matched against the log line.")
    threshold: int = Field(default=10, ge=1, description="Matching lines in 5m that fire.")
    severity: Literal["page", "ticket"] = Field(default="ticket", description="Alert severity.")
    description: str = Field(default="", description="What a match means.")


def _default_security_patterns() -> list[SecurityPattern]:
    return [
        SecurityPattern(
            name="auth-failure",
            regex="(?i)(authentication failed|invalid (password|credentials|token)|unauthori[sz]ed)",
            threshold=50,
            description="Many failed authentications: credential stuffing or a broken client.",
        ),
        SecurityPattern(
            name="sql-injection",
            # `sleep(` only after AND/OR, as injected: a stack trace's Thread.sleep( is no attack.
            # A ticket: a signature in the logs is an attempt, not an outage, and one line must
            # not page anyone at night.
            regex="(?i)(union\\s+(all\\s+)?select|or\\s+1\\s*=\\s*1|;\\s*drop\\s+table|(and|or)\\s+(pg_)?sleep\\s*\\()",
            threshold=1,
            description="SQL injection signatures in requests.",
        ),
        SecurityPattern(
            name="path-traversal",
            regex="(\\.\\./\\.\\./|%2e%2e%2f)",
            threshold=1,
            description="Path traversal attempts.",
        ),
    ]


class LogsRules(Strict):
    """Thresholds of the generated log-based alerts."""

    error_spike_factor: float = Field(
        default=3.0, gt=1, description="Error rate this many times the last hour's average fires."
    )
    error_spike_min_rate: float = Field(
        default=0.1, ge=0, description="Error lines per second below which no spike fires."
    )
    volume_anomaly_factor: float = Field(
        default=2.0, gt=1, description="Volume above factor×, or below 1/factor×, last week's."
    )
    security_patterns: list[SecurityPattern] = Field(
        default_factory=_default_security_patterns, description="Security signatures."
    )


class LogsSettings(Strict):
    """Loki configuration, tenant tiers and log-based rules."""

    deployment: Literal["single-binary", "scalable"] = Field(
        default="single-binary",
        description="Loki deployment mode (`target: all` or read/write/backend).",
    )
    storage: LokiStorage = Field(default=LokiStorage(), description="Chunk and index storage.")
    schema_from: str = Field(
        default="2024-04-01", pattern=r"^\d{4}-\d{2}-\d{2}$", description="Start of the v13 schema."
    )
    default_retention: Duration = Field(
        default="744h", description="Retention of tenants of no tier."
    )
    tiers: dict[Identifier, LokiTier] = Field(
        default_factory=dict, description="Tenant tiers by name (`tenants[].tier`)."
    )
    split_queries_by_interval: Duration = Field(default="1h", description="Query splitting.")
    max_query_parallelism: int = Field(
        default=32,
        gt=0,
        description="Default parallel sub-queries of a query (Loki's `tsdb_max_query_parallelism`, which "
        "TSDB periods read, and `max_query_parallelism`).",
    )
    memcached_results: str = Field(
        default="",
        description="Memcached address of the results cache (dns+host:port); empty: off.",
    )
    memcached_chunks: str = Field(
        default="", description="Memcached address of the chunk cache; empty: off."
    )
    mimir_remote_write_url: WebUrl | None = Field(
        default=None,
        description=(
            "Where the ruler writes log-derived metrics (per tenant, X-Scope-OrgID); default: "
            "`metrics.remote_write_url`, with `metrics.remote_write_auth`."
        ),
    )
    alertmanager_url: WebUrl = Field(
        default="http://alertmanager.monitoring.svc:9093", description="Alertmanager of the ruler's alerts."
    )
    otlp_endpoint: WebUrl = Field(
        default="http://loki-gateway.loki.svc/otlp",
        description="Loki OTLP endpoint the collector exports to.",
    )
    rules: LogsRules = Field(default=LogsRules(), description="Log-based alert thresholds.")


class StreamRetention(Strict):
    """Retention of one level's stream of a service, such as debug 7d or audit 400d."""

    level: LogLevel = Field(description="Log level of the stream (the `level` label).")
    period: Duration = Field(description="How long the stream is kept.")
    priority: int | None = Field(
        default=None,
        ge=0,
        description=(
            "Loki priority, default 1. Loki applies the matching rule of highest priority, then "
            "the shortest period; each entry selects one service and level, so entries overlap "
            "only with rules added outside lgtmgen."
        ),
    )


class ErrorClass(Strict):
    """An error classification rule: a line matching `regex` is of class `name`.

    Rules apply in order; the first match wins, so the class is explainable.
    """

    name: Identifier = Field(description="Error class, the `error_class` attribute.")
    regex: str = Field(
        min_length=1,
        description="RE2 regex matched against the message field (the whole line when it has none).",
    )


class RecurringError(Strict):
    """A known recurring error, matched with LogQL's `|>` pattern filter; alerts above a count."""

    name: Identifier = Field(description="Name of the recurring error.")
    pattern: str = Field(
        min_length=1,
        description=(
            "LogQL pattern the whole line must match, e.g. `<_> timeout after <duration>`; "
            "named captures document the line and are matched as `<_>`."
        ),
    )
    threshold: int = Field(default=10, ge=1, description="Occurrences in `window` that fire.")
    window: Duration = Field(default="10m", description="Counting window.")


class ServiceLogs(Strict):
    """A service's log format, level field, retention per stream and error classes."""

    format: Literal["json", "logfmt", "regex"] = Field(description="How lines are structured.")
    regex: str | None = Field(
        default=None,
        description="For `regex`: RE2 with named groups (level, message, trace_id, ...).",
    )
    level_field: str = Field(default="level", min_length=1, description="Field holding the level.")
    message_field: str = Field(
        default="msg", min_length=1, description="Field holding the message."
    )
    trace_id_field: str = Field(default="trace_id", min_length=1, description="Trace id field.")
    error_levels: list[str] = Field(
        default_factory=lambda: ["error", "fatal"],
        min_length=1,
        description="Levels counted as errors.",
    )
    workload: KubernetesName | None = Field(
        default=None,
        description=(
            "Kubernetes workload whose pods write the logs (pods named `<workload>-…`); "
            "default: `resources.workload`, else the service name, which must then be a Kubernetes name."
        ),
    )
    container: KubernetesName | None = Field(
        default=None, description="Container of those pods that writes the logs; default: the workload."
    )
    stream_labels: dict[LabelName, str] = Field(
        default_factory=dict,
        description="Extra stream labels with fixed values: the collector attaches them, Loki indexes them.",
    )
    retention: list[StreamRetention] = Field(
        default_factory=list, description="Per-level retention."
    )
    error_classes: list[ErrorClass] = Field(
        default_factory=list, description="Error classification."
    )
    recurring_errors: list[RecurringError] = Field(
        default_factory=list, description="Known errors."
    )
