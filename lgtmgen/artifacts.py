"""Artifacts: what generators return, a bundle-relative path with data.

Generators build data (dicts and lists); serialisation happens in one place,
`lgtmgen.render`, so that every file of the bundle is formatted the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Format(StrEnum):
    YAML = "yaml"
    JSON = "json"
    TEXT = "text"


RULES_METADATA_PATH = "prometheus/rules-metadata.yaml"
"""Bundle file with the intervals rule files were generated for: the SLO rules
generator writes it, the rule-hygiene check reads it."""


class Role(StrEnum):
    """What a file is for; checks pick the files they validate by role."""

    PROMETHEUS_RULES = "prometheus-rules"
    PROMETHEUS_RULE_TESTS = "prometheus-rule-tests"
    PROMETHEUS_TEST_RULES = "prometheus-test-rules"
    """The rules of one SLO alone, loaded only by its promtool tests (never deployed)."""
    PROMETHEUS_CONFIG = "prometheus-config"
    PROMETHEUS_AGENT_CONFIG = "prometheus-agent-config"
    PROMETHEUS_RULE_OBJECT = "prometheus-rule-object"
    KUSTOMIZATION = "kustomization"
    KUBERNETES_OBJECT = "kubernetes-object"
    MIMIR_CONFIG = "mimir-config"
    MIMIR_RUNTIME = "mimir-runtime"
    MIMIR_RULES = "mimir-rules"
    MIMIR_FEDERATED_RULES = "mimir-federated-rules"
    ALERTMANAGER_CONFIG = "alertmanager-config"
    ALERTMANAGER_TEMPLATE = "alertmanager-template"
    ALERTMANAGER_ROUTE_TESTS = "alertmanager-route-tests"
    LOKI_CONFIG = "loki-config"
    LOKI_RUNTIME = "loki-runtime"
    LOKI_RULES = "loki-rules"
    TEMPO_CONFIG = "tempo-config"
    TEMPO_OVERRIDES = "tempo-overrides"
    OTELCOL_CONFIG = "otelcol-config"
    GRAFANA_DASHBOARD = "grafana-dashboard"
    GRAFANA_PROVISIONING = "grafana-provisioning"
    OBJECT_STORE_LIFECYCLE = "object-store-lifecycle"
    REPORT = "report"
    DOC = "doc"


PROMQL_RULE_ROLES = (Role.PROMETHEUS_RULES, Role.MIMIR_RULES, Role.MIMIR_FEDERATED_RULES)
"""Deployed rule files whose expressions are PromQL: Prometheus's and the Mimir ruler's."""
RULE_ROLES = (*PROMQL_RULE_ROLES, Role.LOKI_RULES)
"""Every deployed rule file (the Loki ruler's expressions are LogQL)."""
PROMTOOL_RULE_ROLES = (Role.PROMETHEUS_RULES, Role.MIMIR_RULES)
"""Rule files `promtool check rules` can read: federated groups carry Mimir's `source_tenants`,
which Prometheus' rule format refuses (the Mimir ruler check runs them through promtool
without it)."""
ALERT_SOURCE_ROLES = (Role.PROMETHEUS_RULES, Role.LOKI_RULES)
"""Where each alert is read once: the Mimir ruler namespaces repeat the Prometheus rules."""


@dataclass(frozen=True, slots=True)
class Artifact:
    """One file of the bundle.

    `path` is POSIX and relative to the bundle root. `data` is a dict or list for
    YAML and JSON, a str for TEXT. `comment` is written as a header for formats
    that have comments (the do-not-edit banner is added by the writer).
    """

    path: str
    role: Role
    data: Any
    format: Format = Format.YAML
    comment: str | None = None
