"""Semantic checks of the logs area: tiers, storage, formats, regexes, patterns, retention."""

from __future__ import annotations

import re

from lgtmgen.catalog.models import Catalog
from lgtmgen.catalog.models.base import KUBERNETES_NAME_PATTERN, parse_duration
from lgtmgen.catalog.models.logs import ServiceLogs
from lgtmgen.catalog.positions import PathStep
from lgtmgen.catalog.semantics import Reporter
from lgtmgen.logql import pattern_problem
from lgtmgen.regex import re2_group_names, re2_problem

UNKNOWN_TIER = "catalog/logs-unknown-tier"
STORAGE = "catalog/logs-storage"
REGEX_FORMAT = "catalog/logs-regex-format"
INVALID_REGEX = "catalog/logs-invalid-regex"
PATTERN = "catalog/logs-pattern"
DUPLICATE_RETENTION = "catalog/logs-duplicate-retention"
DUPLICATE_NAME = "catalog/logs-duplicate-name"
RESERVED_LABEL = "catalog/logs-reserved-label"
WORKLOAD = "catalog/logs-workload"
RESERVED_LABELS = {"service_name", "level"}
SHORT_RETENTION = "catalog/logs-retention-too-short"
MIN_RETENTION = 86400.0
"""Loki's minimum retention: it refuses a shorter `retention_stream` period when it loads its
limits (at start-up, or the runtime file at every reload) and documents 24h as the least
`retention_period`; the compactor deletes whole daily index tables."""


def _at_least_a_day(period: str, path: list[PathStep], report: Reporter) -> None:
    if parse_duration(period) < MIN_RETENTION:
        report.add(
            SHORT_RETENTION,
            f"a log retention of {period} is shorter than Loki's minimum of 24h",
            path,
            hint="keep logs for at least 24h (1d)",
        )


def logs_retention_is_at_least_a_day(catalog: Catalog, report: Reporter) -> None:
    """The default, each tier's and each stream's retention are at least Loki's 24h."""
    _at_least_a_day(catalog.logs.default_retention, ["logs", "default_retention"], report)
    for name, tier in catalog.logs.tiers.items():
        _at_least_a_day(tier.retention, ["logs", "tiers", name, "retention"], report)
    for s, service in enumerate(catalog.services):
        for n, rule in enumerate(service.logs.retention if service.logs is not None else []):
            _at_least_a_day(rule.period, ["services", s, "logs", "retention", n, "period"], report)


def logs_tiers_are_declared(catalog: Catalog, report: Reporter) -> None:
    """Once `logs.tiers` is given, every tenant's tier has a meaning for logs."""
    if "tiers" not in catalog.logs.model_fields_set:
        return
    tiers = catalog.logs.tiers
    for index, tenant in enumerate(catalog.tenants):
        if tenant.tier not in tiers:
            report.add(
                UNKNOWN_TIER,
                f"tenant {tenant.name!r} has tier {tenant.tier!r}, which logs.tiers does not define "
                f"(defined: {', '.join(sorted(tiers)) or 'none'})",
                ["tenants", index, "tier"],
                hint=f"add logs.tiers.{tenant.tier} with its retention and limits",
            )


def logs_storage_is_usable(catalog: Catalog, report: Reporter) -> None:
    """Object stores need a bucket; the scalable deployment cannot share a local filesystem."""
    storage = catalog.logs.storage
    if storage.backend in ("s3", "gcs") and not storage.bucket:
        report.add(STORAGE, f"{storage.backend} storage needs a bucket", ["logs", "storage"])
    if catalog.logs.deployment == "scalable" and storage.backend == "filesystem":
        report.add(
            STORAGE,
            "the scalable deployment runs several Loki processes that must share object storage; "
            "filesystem storage only suits single-binary",
            ["logs", "storage", "backend"],
            hint="use backend: s3 or gcs, or deployment: single-binary",
        )
    for index, pattern in enumerate(catalog.logs.rules.security_patterns):
        if (problem := re2_problem(pattern.regex)) is not None:
            report.add(
                INVALID_REGEX,
                f"invalid regex: {problem}",
                ["logs", "rules", "security_patterns", index, "regex"],
            )


def _check_format(logs: ServiceLogs, base: list[PathStep], report: Reporter) -> None:
    if logs.format != "regex":
        if logs.regex is not None:
            report.add(
                REGEX_FORMAT,
                f"regex is only used by format: regex (format is {logs.format})",
                [*base, "regex"],
            )
        return
    if logs.regex is None:
        report.add(REGEX_FORMAT, "format: regex needs a regex with named groups", [*base, "format"])
        return
    if (problem := re2_problem(logs.regex)) is not None:
        report.add(INVALID_REGEX, f"invalid regex: {problem}", [*base, "regex"])
        return
    groups = re2_group_names(logs.regex)
    if logs.level_field not in groups:
        report.add(
            REGEX_FORMAT,
            f"the regex has no named group {logs.level_field!r} for the level field",
            [*base, "regex"],
            hint=f"add (?P<{logs.level_field}>...) or set level_field",
        )


def service_logs_are_valid(catalog: Catalog, report: Reporter) -> None:
    """Formats, regexes, patterns, retention levels and class names of every service."""
    for s_index, service in enumerate(catalog.services):
        logs = service.logs
        if logs is None:
            continue
        base: list[PathStep] = ["services", s_index, "logs"]
        _check_format(logs, base, report)
        if not re.fullmatch(KUBERNETES_NAME_PATTERN, service.workload()):
            report.add(
                WORKLOAD,
                f"no pod or container can be named {service.workload()!r}, so the collector would read no "
                "log file of this service",
                base,
                hint="set logs.workload (and logs.container when it differs) to the Kubernetes names",
            )
        for name in logs.stream_labels:
            if name in RESERVED_LABELS:
                report.add(
                    RESERVED_LABEL,
                    f"{name!r} is set by lgtmgen",
                    [*base, "stream_labels", name],
                    key=True,
                )
        levels: dict[str, int] = {}
        for index, rule in enumerate(logs.retention):
            if rule.level in levels:
                report.add(
                    DUPLICATE_RETENTION,
                    f"level {rule.level!r} already has a retention (retention[{levels[rule.level]}])",
                    [*base, "retention", index, "level"],
                )
            levels.setdefault(rule.level, index)
        seen: set[str] = set()
        for index, error_class in enumerate(logs.error_classes):
            if error_class.name in seen:
                report.add(
                    DUPLICATE_NAME,
                    f"error class {error_class.name!r} is declared twice",
                    [*base, "error_classes", index, "name"],
                )
            seen.add(error_class.name)
            if (problem := re2_problem(error_class.regex)) is not None:
                report.add(
                    INVALID_REGEX,
                    f"invalid regex: {problem}",
                    [*base, "error_classes", index, "regex"],
                )
        for index, known in enumerate(logs.recurring_errors):
            if (problem := pattern_problem(known.pattern)) is not None:
                report.add(PATTERN, problem, [*base, "recurring_errors", index, "pattern"])
