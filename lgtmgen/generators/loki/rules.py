"""LogQL ruler rules per tenant: error rates, spikes, recurring errors, security, volume.

Recording rules are remote-written to Mimir by the ruler, so their names follow
`level:metric:operation`. Alerts evaluate LogQL directly (the Loki ruler cannot
read Mimir) and carry the routing labels team, service, severity and tier, and
`cluster`: they aggregate per cluster (`k8s_cluster_name`, which each cluster's
collector sets), so that a cluster's outage and dependency inhibitions
(`equal: [cluster]`) cover them, pages of non-production clusters stay off the
pager, and one cluster's errors are not diluted by the others' traffic. The
recording rules keep the cluster too, as `k8s_cluster_name` (a recording rule's
labels are not templates, so it cannot be renamed to `cluster` there).
"""

from __future__ import annotations

from typing import Any

from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.catalog.models.logs import LogsRules, ServiceLogs
from lgtmgen.catalog.models.service import Service
from lgtmgen.generators.loki.common import (
    CLUSTER_LABEL,
    ERROR_CLASS_METADATA,
    LEVEL_LABEL,
    logging_services,
    service_selector,
)
from lgtmgen.logql import (
    WEEK,
    Binary,
    LabelFilter,
    LineFilter,
    LogQuery,
    Matcher,
    Number,
    RangeAggregation,
    StreamSelector,
    VectorAggregation,
    error_lines,
    line_pattern,
    sum_count,
    sum_rate,
)
from lgtmgen.naming import slug
from lgtmgen.regex import alternation
from lgtmgen.runbook_links import service_runbook_url
from lgtmgen.templating import go_text

RATE_WINDOW = 300
BASELINE_WINDOW = 3600
GROUP_INTERVAL = "1m"
LINES_RATE = "service:log_lines:rate5m"
ERROR_LINES_RATE = "service:log_error_lines:rate5m"
ERROR_RATIO = "service:log_error_ratio:rate5m"
ERROR_CLASS_RATE = "service_error_class:log_error_lines:rate5m"
PER_CLUSTER = (CLUSTER_LABEL,)


def rules_path(tenant: str) -> str:
    return f"loki/rules/{tenant}/logs.yaml"


def _routing(service: Service, severity: str) -> dict[str, str]:
    """Routing labels; the ruler expands label values as Go templates, hence `go_text`.

    `cluster` copies the stream's cluster label; without one it expands to nothing,
    and the ruler drops a label with an empty value.
    """
    return {
        "team": service.team,
        "service": go_text(service.name),
        "severity": severity,
        "tier": str(service.tier),
        "cluster": f"{{{{ $labels.{CLUSTER_LABEL} }}}}",
    }


def _error_lines(service: Service, logs: ServiceLogs) -> LogQuery:
    """Error lines by the level label, which the collector writes in lower case."""
    levels = [level.lower() for level in logs.error_levels]
    return error_lines(service_selector(service, logs), LEVEL_LABEL, levels)


def recording_rules(service: Service, logs: ServiceLogs) -> list[dict[str, Any]]:
    """Rates of the service's log lines per cluster: a tenant may receive the streams of several
    clusters (a production tenant's service that also runs in staging), and one cluster's errors
    must not be diluted by, or leak into, another's ratio."""
    lines = LogQuery(service_selector(service, logs))
    errors = _error_lines(service, logs)
    identity = {"service": service.name, "team": service.team}
    lines_rate = sum_rate(lines, RATE_WINDOW, by=PER_CLUSTER)
    # Loki returns no series for a window without error lines; 0 while the service logs at
    # all, so that a healthy service reads 0 rather than "no data".
    errors_rate = Binary(
        sum_rate(errors, RATE_WINDOW, by=PER_CLUSTER), "or", Binary(Number(0), "*", lines_rate)
    )
    rules = [
        {"record": LINES_RATE, "expr": str(lines_rate), "labels": identity},
        {"record": ERROR_LINES_RATE, "expr": str(errors_rate), "labels": identity},
        {"record": ERROR_RATIO, "expr": str(Binary(errors_rate, "/", lines_rate)), "labels": identity},
    ]
    if logs.error_classes:
        classified = errors.then(LabelFilter(Matcher(ERROR_CLASS_METADATA, "!=", "")))
        by_class = VectorAggregation(
            "sum", RangeAggregation("rate", classified, RATE_WINDOW), (*PER_CLUSTER, ERROR_CLASS_METADATA)
        )
        rules.append({"record": ERROR_CLASS_RATE, "expr": str(by_class), "labels": identity})
    return rules


def error_spike(service: Service, logs: ServiceLogs, thresholds: LogsRules) -> dict[str, Any]:
    errors = _error_lines(service, logs)
    now = sum_rate(errors, RATE_WINDOW, by=PER_CLUSTER)
    baseline = sum_rate(errors, BASELINE_WINDOW, by=PER_CLUSTER)
    spike = Binary(
        Binary(now, ">", Number(thresholds.error_spike_min_rate)),
        "and",
        Binary(now, ">", Binary(Number(thresholds.error_spike_factor), "*", baseline)),
    )
    return {
        "alert": "LogErrorSpike",
        "expr": str(spike),
        "for": "5m",
        "labels": _routing(service, "page" if service.tier == 1 else "ticket"),
        "annotations": {
            "summary": f"{go_text(service.name)}: error log lines spiked",
            "description": (
                f"Error lines of {go_text(service.name)} are above {thresholds.error_spike_factor:g}x "
                "their last hour's rate."
            ),
        },
    }


VOLUME_HISTORY = WEEK + BASELINE_WINDOW
"""How old the lines are that the volume alerts compare with: the same hour a week ago."""


def short_lived_levels(logs: ServiceLogs) -> list[str]:
    """The levels whose stream Loki deletes before the volume alerts read last week's hour (a level
    has one retention rule, `catalog/logs-duplicate-retention`); sorted."""
    return sorted(rule.level for rule in logs.retention if parse_duration(rule.period) < VOLUME_HISTORY)


def volume_anomalies(
    service: Service, logs: ServiceLogs, thresholds: LogsRules, tenant_retention: float
) -> list[dict[str, Any]]:
    """Log volume against the same hour last week, of the streams kept that long: none when the
    tenant keeps less than that, and without the levels whose own retention is shorter (last
    week's debug lines are gone while this hour's count: the alert would read a deletion as a surge)."""
    if tenant_retention < VOLUME_HISTORY:
        return []
    selector = service_selector(service, logs)
    if gone := short_lived_levels(logs):
        selector = StreamSelector((*selector.matchers, Matcher(LEVEL_LABEL, "!~", alternation(gone))))
    lines = LogQuery(selector)
    now = sum_rate(lines, BASELINE_WINDOW, by=PER_CLUSTER)
    last_week = sum_rate(lines, BASELINE_WINDOW, offset=WEEK, by=PER_CLUSTER)
    # No line in the last hour gives no series: read as 0, so that a service (or its log
    # pipeline) that went silent is the lowest volume there is, not a missing alert.
    silent_as_zero = Binary(now, "or", Binary(Number(0), "*", last_week))
    factor = thresholds.volume_anomaly_factor
    out = []
    for name, current, op, scale, words in (
        ("LogVolumeHigh", now, ">", factor, "above"),
        ("LogVolumeLow", silent_as_zero, "<", round(1 / factor, 6), "below"),
    ):
        out.append(
            {
                "alert": name,
                "expr": str(Binary(current, op, Binary(Number(scale), "*", last_week))),  # type: ignore[arg-type]
                "for": "30m",
                "labels": _routing(service, "ticket"),
                "annotations": {
                    "summary": f"{go_text(service.name)}: log volume {words} the same time last week",
                    "description": f"The last hour's log rate is {words} {scale:g}x that of one week ago.",
                },
            }
        )
    return out


def recurring_errors(service: Service, logs: ServiceLogs) -> list[dict[str, Any]]:
    out = []
    for known in logs.recurring_errors:
        # Loki's `|>` filter refuses named captures, so they become `<_>`; a `| pattern`
        # stage would only extract labels that the sum throws away.
        query = LogQuery(service_selector(service, logs)).then(
            LineFilter("|>", line_pattern(known.pattern))
        )
        count = sum_count(query, int(parse_duration(known.window)), PER_CLUSTER)
        out.append(
            {
                "alert": "LogRecurringError",
                "expr": str(Binary(count, ">=", Number(known.threshold))),
                "labels": {**_routing(service, "ticket"), "error": known.name},
                "annotations": {
                    "summary": f"{go_text(service.name)}: recurring error {known.name}",
                    "description": (
                        f"At least {known.threshold} lines matching `{go_text(known.pattern)}` "
                        f"in {known.window}."
                    ),
                },
            }
        )
    return out


def security_alerts(
    service: Service, logs: ServiceLogs, thresholds: LogsRules
) -> list[dict[str, Any]]:
    out = []
    for pattern in thresholds.security_patterns:
        query = LogQuery(service_selector(service, logs)).then(LineFilter("|~", pattern.regex))
        count = sum_count(query, RATE_WINDOW, PER_CLUSTER)
        out.append(
            {
                "alert": "LogSecurityPattern",
                "expr": str(Binary(count, ">=", Number(pattern.threshold))),
                "labels": {**_routing(service, pattern.severity), "pattern": pattern.name},
                "annotations": {
                    "summary": f"{go_text(service.name)}: {pattern.name} signatures in logs",
                    "description": go_text(pattern.description)
                    or f"Lines matching the {pattern.name} signature.",
                },
            }
        )
    return out


def runbook_url(service: Service, alert: str, runbook_base_url: str) -> str:
    """The alert's section in the service's generated runbook (or the service's own link)."""
    return service_runbook_url(runbook_base_url, service.name, alert, service.runbook_url)


def tenant_rule_groups(
    services: list[Service], thresholds: LogsRules, runbook_base_url: str, retention: float
) -> list[dict[str, Any]]:
    """One group per service that declares its logs, in catalog order; `retention`: the tenant's, in seconds."""
    groups = []
    for service, logs in logging_services(services):
        rules = [
            *recording_rules(service, logs),
            error_spike(service, logs, thresholds),
            *volume_anomalies(service, logs, thresholds, retention),
            *recurring_errors(service, logs),
            *security_alerts(service, logs, thresholds),
        ]
        for rule in rules:
            if "alert" in rule:
                rule["annotations"]["runbook_url"] = runbook_url(
                    service, rule["alert"], runbook_base_url
                )
        groups.append(
            {"name": f"logs-{slug(service.name)}", "interval": GROUP_INTERVAL, "rules": rules}
        )
    return groups
