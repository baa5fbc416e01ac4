"""OpenTelemetry collector (contrib) log pipelines: parse, classify, route per tenant.

One pipeline per service that declares its logs: the `filelog` receiver reads the
service's container logs, parses its declared format (json, logfmt, regex), takes the
level and the trace id, and promotes the level to the resource so that Loki indexes
it. The `transform` processor lower-cases the level and classifies error lines by the
catalog's rules in order (first match wins, so every class is explainable). The
`otlp_http` exporter of the service's tenant sends to Loki with `X-Scope-OrgID`.

With clusters declared, each cluster gets its own configuration, holding the
pipelines of the services that run there and naming the cluster in the
`k8s.cluster.name` resource attribute, which Loki indexes by default as
`k8s_cluster_name`: the log alerts aggregate by it and carry it as `cluster`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models.logs import LogsSettings, ServiceLogs
from lgtmgen.catalog.models.service import Service
from lgtmgen.generators.collector import MEMORY_LIMITER, literal_dollars, memory_limiter
from lgtmgen.generators.loki.common import (
    CLUSTER_ATTRIBUTE,
    ERROR_CLASS_ATTRIBUTE,
    LEVEL_LABEL,
    logging_services,
)
from lgtmgen.naming import slug
from lgtmgen.plan import Plan

PIPELINES_PATH = "otelcol/logs.yaml"
"""The one configuration of a catalog without clusters."""
POD_LOGS = "/var/log/pods"
STATE_DIR = "/var/lib/otelcol/file_storage"
TENANT_ATTRIBUTE = "tenant"
_PLAIN_FIELD = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_OTTL_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def ottl_string(value: str) -> str:
    """An OTTL double-quoted string literal holding `value` exactly."""
    return '"' + "".join(_OTTL_ESCAPES.get(ch, ch) for ch in value) + '"'


def attribute_field(name: str, scope: str = "attributes") -> str:
    """A stanza field path: `attributes.level`, or `attributes["log.level"]` when needed."""
    if _PLAIN_FIELD.fullmatch(name):
        return f"{scope}.{name}"
    return f"{scope}[{ottl_string(name)}]"


def _present(name: str) -> str:
    return f"attributes[{ottl_string(name)}] != nil"


def parser_operator(logs: ServiceLogs) -> dict[str, Any]:
    common = {
        "id": "parse",
        "parse_from": "body",
        "parse_to": "attributes",
        "on_error": "send_quiet",
    }
    if logs.format == "json":
        return {"type": "json_parser", **common}
    if logs.format == "logfmt":
        return {"type": "key_value_parser", **common, "delimiter": "=", "pair_delimiter": " "}
    return {"type": "regex_parser", **common, "regex": logs.regex or ""}


def pod_log_files(service: Service, logs: ServiceLogs) -> str:
    """Kubernetes writes `/var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log`."""
    workload = service.workload()
    container = logs.container or workload
    return f"{POD_LOGS}/*_{workload}-*/{container}/*.log"


def filelog_receiver(service: Service, logs: ServiceLogs) -> dict[str, Any]:
    level = logs.level_field
    trace = logs.trace_id_field
    return {
        "include": [pod_log_files(service, logs)],
        "include_file_path": True,
        "start_at": "end",
        "storage": "file_storage",
        "operators": [
            {"type": "container", "id": "container"},
            parser_operator(logs),
            {
                "type": "severity_parser",
                "id": "level",
                "parse_from": attribute_field(level),
                "if": _present(level),
                "on_error": "send_quiet",
            },
            {
                "type": "trace_parser",
                "id": "trace",
                "trace_id": {"parse_from": attribute_field(trace)},
                "if": _present(trace),
                "on_error": "send_quiet",
            },
            {
                "type": "copy",
                "id": "level_to_resource",
                "from": attribute_field(level),
                "to": attribute_field(LEVEL_LABEL, "resource"),
                "if": _present(level),
                "on_error": "send_quiet",
            },
        ],
    }


def cluster_pipelines_path(cluster: str) -> str:
    """The configuration of the collector running in `cluster`."""
    return f"otelcol/clusters/{slug(cluster)}/logs.yaml"


def resource_processor(
    service: Service, logs: ServiceLogs, cluster: str | None = None
) -> dict[str, Any]:
    """Service, team, tenant and cluster, and the declared stream labels (which Loki indexes)."""
    attributes = [
        {"key": "service.name", "value": service.name, "action": "upsert"},
        {"key": "service.namespace", "value": service.team, "action": "upsert"},
        {"key": TENANT_ATTRIBUTE, "value": service.tenant, "action": "upsert"},
    ]
    if cluster is not None:
        attributes.append({"key": CLUSTER_ATTRIBUTE, "value": cluster, "action": "upsert"})
    attributes += [
        {"key": name, "value": value, "action": "upsert"}
        for name, value in sorted(logs.stream_labels.items())
    ]
    return {"attributes": attributes}


def classification_statements(logs: ServiceLogs) -> list[str]:
    """OTTL that sets `error.class` on error lines: the first matching rule wins.

    A rule's regex is matched against the message field, or the whole line when the
    line has no message field.
    """
    level = f"resource.attributes[{ottl_string(LEVEL_LABEL)}]"
    is_error = " or ".join(f"{level} == {ottl_string(v.lower())}" for v in logs.error_levels)
    unset = f"attributes[{ottl_string(ERROR_CLASS_ATTRIBUTE)}] == nil"
    message = f"attributes[{ottl_string(logs.message_field)}]"
    statements = []
    for rule in logs.error_classes:
        regex = ottl_string(rule.regex)
        matches = (
            f"({message} != nil and IsMatch({message}, {regex})) "
            f"or ({message} == nil and IsMatch(body, {regex}))"
        )
        statements.append(
            f"set(attributes[{ottl_string(ERROR_CLASS_ATTRIBUTE)}], {ottl_string(rule.name)}) "
            f"where {unset} and ({is_error}) and ({matches})"
        )
    return statements


def transform_processor(logs: ServiceLogs) -> dict[str, Any]:
    level = f"attributes[{ottl_string(LEVEL_LABEL)}]"
    groups: list[dict[str, Any]] = [
        {
            "context": "resource",
            "statements": [f'set({level}, ConvertCase({level}, "lower")) where {level} != nil'],
        }
    ]
    if logs.error_classes:
        groups.append({"context": "log", "statements": classification_statements(logs)})
    return {"error_mode": "ignore", "log_statements": groups}


def collector_config(
    services: list[Service], settings: LogsSettings, cluster: str | None = None
) -> dict[str, Any]:
    """The collector configuration for `services`, run in `cluster` when there are clusters."""
    receivers: dict[str, Any] = {}
    processors: dict[str, Any] = {
        MEMORY_LIMITER: memory_limiter(),
        "batch": {},
    }
    exporters: dict[str, Any] = {}
    pipelines: dict[str, Any] = {}
    for service, logs in logging_services(services):
        name = slug(service.name)
        receivers[f"filelog/{name}"] = filelog_receiver(service, logs)
        processors[f"resource/{name}"] = resource_processor(service, logs, cluster)
        processors[f"transform/{name}"] = transform_processor(logs)
        exporter = f"otlp_http/{slug(service.tenant)}"
        exporters[exporter] = {
            "endpoint": settings.otlp_endpoint,
            "headers": {"X-Scope-OrgID": service.tenant},
        }
        pipelines[f"logs/{name}"] = {
            "receivers": [f"filelog/{name}"],
            "processors": [MEMORY_LIMITER, f"resource/{name}", f"transform/{name}", "batch"],
            "exporters": [exporter],
        }
    return {
        "extensions": {
            "health_check": {"endpoint": "0.0.0.0:13133"},
            "file_storage": {"directory": STATE_DIR},
        },
        "receivers": receivers,
        "processors": processors,
        "exporters": dict(sorted(exporters.items())),
        "service": {"extensions": ["file_storage", "health_check"], "pipelines": pipelines},
    }


class LogPipelines:
    """The log collector configuration, one per cluster when clusters are declared; nothing
    where no service declares its logs."""

    name = "otelcol-logs"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        services = list(plan.services.values())
        purpose = "parses each service's declared format and classifies errors."
        if not plan.catalog.clusters:
            if logging_services(services):
                yield Artifact(
                    PIPELINES_PATH,
                    Role.OTELCOL_CONFIG,
                    literal_dollars(collector_config(services, plan.catalog.logs)),
                    comment=f"Log collector: {purpose}",
                )
            return
        for cluster in plan.catalog.clusters:
            here = plan.services_in(cluster.name)
            if logging_services(here):
                yield Artifact(
                    cluster_pipelines_path(cluster.name),
                    Role.OTELCOL_CONFIG,
                    literal_dollars(collector_config(here, plan.catalog.logs, cluster.name)),
                    comment=f"Log collector of cluster {cluster.name}: {purpose}",
                )
