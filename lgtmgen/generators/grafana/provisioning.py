"""Grafana provisioning: datasources per tenant wired to each other, and the dashboard provider.

Each tenant gets a Mimir (Prometheus type), a Loki and a Tempo datasource,
all sending `X-Scope-OrgID`; Mimir's correlations link a series' `service`
label to that service's logs and traces in Explore. The header value is read by Grafana at start-up
from an environment variable or a file, never written here. Correlations:
exemplars on Mimir open the trace in Tempo; derived fields on Loki turn the
`trace_id` structured metadata (or a trace id in the line) into a Tempo link; Tempo links spans to logs and to
span metrics and draws the service map from Mimir, where the tenant's tier generates them. `$` is doubled where
Grafana must keep it literally (provisioning expands `$NAME`). Each datasource
waits as long as its backend lets the tenant's queries run (`query_timeouts`).

The catalog is the source of truth, so what leaves it leaves Grafana: every
datasource file sets `prune`, so Grafana deletes at its next provisioning (start-up
or the admin reload API) the provisioned datasources no file lists any more (a
removed tenant's, or the Loki and Tempo of a tenant that became roll-up only); the
dashboard provider deletes a dashboard once its file is gone (`disableDeletion`
off). Nothing is lost: UI changes to provisioned dashboards are refused
(`allowUiUpdates` off) and datasources are not editable.
"""

from __future__ import annotations

from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models import Tenant
from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.catalog.models.grafana import GrafanaSettings
from lgtmgen.generators.grafana.dashboard import datasource_uid
from lgtmgen.generators.grafana.query_timeouts import loki_timeout, mimir_timeout, tempo_timeout
from lgtmgen.generators.loki.common import SERVICE_LABEL, TRACE_ID_METADATA
from lgtmgen.generators.tempo.config import EXEMPLAR_TRACE_ID
from lgtmgen.generators.tempo.tiers import tier_of
from lgtmgen.naming import slug
from lgtmgen.plan import Plan

TENANT_HEADER = "X-Scope-OrgID"
TRACE_ID_PATTERN = r"""(?:trace_?id|traceID)["']?[=:]\s*["']?(\w+)"""
SPAN_TIME_SHIFT = "5m"


def tenant_header_value(settings: GrafanaSettings, tenant: str) -> str:
    """What Grafana expands to the tenant id: `$VAR` from the environment or `$__file{path}`."""
    header = settings.tenant_header
    if header.source == "file":
        return f"$__file{{{header.file_dir.rstrip('/')}/{tenant}}}"
    # The documented `$NAME` form: a `$` inside the value is then not expanded a second time.
    return f"${header.variable(tenant)}"


def _tenant_auth(settings: GrafanaSettings, tenant: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"httpHeaderName1": TENANT_HEADER}, {"httpHeaderValue1": tenant_header_value(settings, tenant)}


def metrics_only(plan: Plan, tenant: str) -> bool:
    """The roll-up tenant, when no service sends to it: it holds recorded metrics, no logs or traces."""
    rollup = plan.catalog.mimir.rollup
    return rollup is not None and rollup.tenant == tenant and all(s.tenant != tenant for s in plan.catalog.services)


def _mimir(plan: Plan, tenant: Tenant, linked: bool = True) -> dict[str, Any]:
    """The tenant's Mimir datasource; `linked` adds the exemplar and Explore links to its Tempo and Loki."""
    settings = plan.catalog.grafana
    json_data, secure = _tenant_auth(settings, tenant.name)
    json_data.update(
        httpMethod="POST",
        prometheusType="Mimir",
        timeInterval=format_duration(parse_duration(plan.catalog.defaults.scrape_interval)),
        timeout=mimir_timeout(),
    )
    if linked and plan.catalog.mimir.max_exemplars_per_tenant:  # Mimir keeps no exemplars at 0
        json_data["exemplarTraceIdDestinations"] = [
            {"name": EXEMPLAR_TRACE_ID, "datasourceUid": datasource_uid("tempo", tenant.name)}
        ]
    source: dict[str, Any] = {
        "name": f"Mimir {tenant.name}",
        "type": "prometheus",
        "uid": datasource_uid("mimir", tenant.name),
        "access": "proxy",
        "url": settings.datasources.mimir_url,
        "jsonData": json_data,
        "secureJsonData": secure,
    }
    if linked:
        source["correlations"] = _service_correlations(tenant.name)
    source["editable"] = False
    return source


def _service_correlations(tenant: str) -> list[dict[str, Any]]:
    """Explore links from any series with a `service` label to that service's logs and traces."""
    return [
        {
            "targetUID": datasource_uid("loki", tenant),
            "label": "Logs of this service",
            "description": "The service's log lines in Loki over the same time range.",
            "config": {
                "type": "query",
                "field": "service",
                "target": {"expr": f'{{{SERVICE_LABEL}="$${{service}}"}}', "queryType": "range"},
            },
        },
        {
            "targetUID": datasource_uid("tempo", tenant),
            "label": "Traces of this service",
            "description": "Trace search in Tempo for the service.",
            "config": {
                "type": "query",
                "field": "service",
                "target": {"query": '{ resource.service.name = "$${service}" }', "queryType": "traceql"},
            },
        },
    ]


def _loki(plan: Plan, tenant: Tenant) -> dict[str, Any]:
    settings = plan.catalog.grafana
    json_data, secure = _tenant_auth(settings, tenant.name)
    json_data.update(
        timeout=loki_timeout(plan, tenant),
        derivedFields=[
            {
                "name": "trace_id",
                "matcherType": "label",
                "matcherRegex": TRACE_ID_METADATA,
                "datasourceUid": datasource_uid("tempo", tenant.name),
                "url": "$${__value.raw}",
                "urlDisplayLabel": "Open trace",
            },
            {
                "name": "trace_id_in_line",
                "matcherType": "regex",
                "matcherRegex": TRACE_ID_PATTERN,
                "datasourceUid": datasource_uid("tempo", tenant.name),
                "url": "$${__value.raw}",
                "urlDisplayLabel": "Open trace",
            }
        ],
    )
    return {
        "name": f"Loki {tenant.name}",
        "type": "loki",
        "uid": datasource_uid("loki", tenant.name),
        "access": "proxy",
        "url": settings.datasources.loki_url,
        "jsonData": json_data,
        "secureJsonData": secure,
        "editable": False,
    }


def _tempo(plan: Plan, tenant: Tenant) -> dict[str, Any]:
    settings = plan.catalog.grafana
    json_data, secure = _tenant_auth(settings, tenant.name)
    shift = {"spanStartTimeShift": f"-{SPAN_TIME_SHIFT}", "spanEndTimeShift": SPAN_TIME_SHIFT}
    logs_tag = [{"key": "service.name", "value": SERVICE_LABEL}]
    metrics_tag = [{"key": "service.name", "value": "service"}]
    # Links to metrics only where the tenant's tier has Tempo's metrics generator write them: a
    # link to series never written opens an empty panel.
    tier = tier_of(plan.catalog.traces, tenant)
    to_metrics: dict[str, Any] = {}
    if tier.span_metrics:
        to_metrics["tracesToMetrics"] = {
            "datasourceUid": datasource_uid("mimir", tenant.name),
            "tags": metrics_tag,
            "queries": [
                {"name": "Request rate", "query": "sum(rate(traces_spanmetrics_calls_total{$$__tags}[5m]))"},
                {
                    "name": "p99 latency",
                    "query": "histogram_quantile(0.99, sum by (le) "
                    "(rate(traces_spanmetrics_latency_bucket{$$__tags}[5m])))",
                },
            ],
            **shift,
        }
    if tier.service_graphs:
        to_metrics["serviceMap"] = {"datasourceUid": datasource_uid("mimir", tenant.name)}
    json_data.update(
        timeout=tempo_timeout(),
        tracesToLogsV2={
            "datasourceUid": datasource_uid("loki", tenant.name),
            "tags": logs_tag,
            "filterByTraceID": True,
            "filterBySpanID": False,
            **shift,
        },
        **to_metrics,
        nodeGraph={"enabled": True},
        lokiSearch={"datasourceUid": datasource_uid("loki", tenant.name)},
        search={"hide": False},
        traceQuery={"timeShiftEnabled": True, **shift},
    )
    return {
        "name": f"Tempo {tenant.name}",
        "type": "tempo",
        "uid": datasource_uid("tempo", tenant.name),
        "access": "proxy",
        "url": settings.datasources.tempo_url,
        "jsonData": json_data,
        "secureJsonData": secure,
        "editable": False,
    }


def _tenant_file(plan: Plan, tenant: Tenant) -> Artifact:
    path = f"grafana/provisioning/datasources/{slug(tenant.name)}.yaml"
    if metrics_only(plan, tenant.name):
        return Artifact(
            path=path,
            role=Role.GRAFANA_PROVISIONING,
            data={"apiVersion": 1, "prune": True, "datasources": [_mimir(plan, tenant, linked=False)]},
            comment=f"Datasource of roll-up tenant {tenant.name!r}: Mimir only (it holds no logs or traces).",
        )
    return Artifact(
        path=path,
        role=Role.GRAFANA_PROVISIONING,
        data={
            "apiVersion": 1,
            "prune": True,
            "datasources": [_mimir(plan, tenant), _loki(plan, tenant), _tempo(plan, tenant)],
        },
        comment=f"Datasources of tenant {tenant.name!r}: Mimir, Loki and Tempo, linked to each other.",
    )


def datasource_files(plan: Plan) -> list[Artifact]:
    """One provisioning file per tenant with its three datasources (Mimir alone for the roll-up tenant)."""
    return [_tenant_file(plan, tenant) for tenant in plan.catalog.tenants]


def dashboard_provider(plan: Plan) -> Artifact:
    """One file provider; each directory of grafana/dashboards becomes a folder (one per team).

    A dashboard whose file the bundle no longer has (a removed service or team) is deleted.
    """
    settings = plan.catalog.grafana
    return Artifact(
        path="grafana/provisioning/dashboards/lgtmgen.yaml",
        role=Role.GRAFANA_PROVISIONING,
        data={
            "apiVersion": 1,
            "providers": [
                {
                    "name": "lgtmgen",
                    "orgId": 1,
                    "type": "file",
                    "disableDeletion": False,
                    "allowUiUpdates": False,
                    "updateIntervalSeconds": 60,
                    "options": {"path": settings.dashboards_path, "foldersFromFilesStructure": True},
                }
            ],
        },
        comment="Dashboards generated by lgtmgen; folders follow the directories (one per team).",
    )
