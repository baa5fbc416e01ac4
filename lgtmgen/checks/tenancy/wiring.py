"""How the bundle's writers reach Mimir's tenants, read from the bundle alone.

- The clusters' Prometheus configurations (`prometheus/clusters/<cluster>/prometheus*.yml`): each
  `remote_write` names its tenant in the `X-Scope-OrgID` header and keeps what its
  `write_relabel_configs` keep; the external labels, which Prometheus adds before it relabels,
  tell the clusters (and HA replicas) apart.
- Mimir's set-up: the tenants of the runtime overrides (`mimir/runtime.yaml`, one entry a tenant),
  their HA labels, and whether `mimir/mimir.yaml`, when the bundle has it, turns the HA tracker on.
- The rules that write into a tenant: its ruler namespaces (`mimir/rules/<tenant>/`), and its Loki
  ruler's records (`loki/rules/<tenant>/`) when Loki's ruler remote-writes them under the tenant's id.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import BundleFile, CheckContext
from lgtmgen.checks.bundle_yaml import safe_load
from lgtmgen.checks.tenancy.relabel import Step, compile_rules

CLUSTERS_DIR = "prometheus/clusters/"
TENANT_HEADER = "x-scope-orgid"
MIMIR_RULES_DIR = "mimir/rules/"
LOKI_RULES_DIR = "loki/rules/"
DEFAULT_HA_CLUSTER_LABEL = "cluster"
DEFAULT_HA_REPLICA_LABEL = "__replica__"
"""Mimir's defaults for a tenant whose overrides do not name them."""


@dataclass(frozen=True, slots=True)
class RemoteWrite:
    """One `remote_write` entry of a Prometheus configuration."""

    index: int
    name: str
    tenant: str | None
    relabel: tuple[Any, ...]
    steps: tuple[Step, ...]
    """`relabel` read once, for `lgtmgen.checks.tenancy.relabel.apply`."""
    url: str = ""

    @property
    def where(self) -> str:
        return f"remote_write[{self.index}]"

    def title(self) -> str:
        return f"remote_write {self.name!r}" if self.name else self.where


@dataclass(frozen=True, slots=True)
class PrometheusConfig:
    """A cluster's Prometheus configuration (one per HA replica), as far as writing to Mimir goes."""

    path: str
    cluster_dir: str
    doc: Mapping[str, Any]
    external_labels: Mapping[str, str]
    writes: tuple[RemoteWrite, ...]
    rule_files: tuple[str, ...]
    """The bundle paths of its `rule_files` (those naming files inside the bundle)."""

    def writes_to(self, tenant: str) -> list[RemoteWrite]:
        return [w for w in self.writes if w.tenant == tenant]


def _header(entry: Mapping[str, Any]) -> str | None:
    headers = entry.get("headers")
    if not isinstance(headers, Mapping):
        return None
    values = [str(v) for k, v in headers.items() if str(k).lower() == TENANT_HEADER]
    return values[0] if values else None


def _rule_files(path: str, doc: Mapping[str, Any]) -> tuple[str, ...]:
    listed = doc.get("rule_files")
    found = []
    for name in listed if isinstance(listed, list) else []:
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), str(name)))
        if not resolved.startswith(("../", "/")):
            found.append(resolved)
    return tuple(found)


def _config(bundle_file: BundleFile) -> PrometheusConfig | None:
    try:
        doc = safe_load(bundle_file.absolute.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None  # promtool check config's finding
    if not isinstance(doc, Mapping):
        return None
    global_ = doc.get("global")
    labels = global_.get("external_labels") if isinstance(global_, Mapping) else None
    external = {str(k): str(v) for k, v in labels.items()} if isinstance(labels, Mapping) else {}
    writes = []
    entries = doc.get("remote_write")
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, Mapping):
            continue
        listed = entry.get("write_relabel_configs")
        rules = tuple(listed) if isinstance(listed, list) else ()
        url = str(entry.get("url") or "")
        writes.append(RemoteWrite(index, str(entry.get("name") or ""), _header(entry), rules, compile_rules(rules), url))
    cluster_dir = posixpath.dirname(bundle_file.path)
    return PrometheusConfig(bundle_file.path, cluster_dir, doc, external, tuple(writes), _rule_files(bundle_file.path, doc))


def cluster_configs(ctx: CheckContext) -> list[PrometheusConfig]:
    """Every cluster Prometheus configuration of the bundle that parses (the global one writes nowhere)."""
    configs = []
    for bundle_file in ctx.by_role(Role.PROMETHEUS_CONFIG, Role.PROMETHEUS_AGENT_CONFIG):
        if bundle_file.path.startswith(CLUSTERS_DIR) and (config := _config(bundle_file)) is not None:
            configs.append(config)
    return configs


@dataclass(frozen=True, slots=True)
class MimirSetup:
    """The tenants Mimir's runtime overrides know, their overrides, and the HA tracker switch."""

    overrides: Mapping[str, Mapping[str, Any]]
    runtime_path: str | None
    ha_tracker: bool | None
    """Whether `mimir/mimir.yaml` turns the distributor's HA tracker on; None without that file."""
    config_path: str | None

    def knows(self, tenant: str) -> bool:
        return tenant in self.overrides

    def ha_labels(self, tenant: str) -> tuple[str, str]:
        entry = self.overrides.get(tenant, {})
        return (
            str(entry.get("ha_cluster_label", DEFAULT_HA_CLUSTER_LABEL)),
            str(entry.get("ha_replica_label", DEFAULT_HA_REPLICA_LABEL)),
        )

    def accepts_ha(self, tenant: str) -> bool:
        return self.overrides.get(tenant, {}).get("accept_ha_samples") is True


def _load(bundle_file: BundleFile) -> Any:
    try:
        return safe_load(bundle_file.absolute.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def mimir_setup(ctx: CheckContext) -> MimirSetup | None:
    """Mimir's tenants and HA settings; None when the bundle has no runtime overrides to read them from."""
    runtimes = ctx.by_role(Role.MIMIR_RUNTIME)
    if not runtimes:
        return None
    doc = _load(runtimes[0])
    overrides = doc.get("overrides") if isinstance(doc, Mapping) else None
    if not isinstance(overrides, Mapping):
        return None
    tenants = {str(t): (entry if isinstance(entry, Mapping) else {}) for t, entry in overrides.items()}
    configs = ctx.by_role(Role.MIMIR_CONFIG)
    tracker = None
    if configs:
        config = _load(configs[0])
        distributor = config.get("distributor") if isinstance(config, Mapping) else None
        ha = distributor.get("ha_tracker") if isinstance(distributor, Mapping) else None
        tracker = isinstance(ha, Mapping) and ha.get("enable_ha_tracker") is True
    return MimirSetup(tenants, runtimes[0].path, tracker, configs[0].path if configs else None)


def tenant_of_rule_file(path: str) -> str | None:
    """The tenant of a ruler file laid out as ``mimir/rules/<tenant>/...`` or ``loki/rules/<tenant>/...``."""
    for prefix in (MIMIR_RULES_DIR, LOKI_RULES_DIR):
        if path.startswith(prefix) and path.count("/") >= 3:
            return path.removeprefix(prefix).split("/", 1)[0]
    return None


def loki_ruler_writes_to_mimir(ctx: CheckContext) -> bool:
    """Whether Loki's ruler remote-writes its records, under each tenant's own id."""
    for bundle_file in ctx.by_role(Role.LOKI_CONFIG):
        doc = _load(bundle_file)
        ruler = doc.get("ruler") if isinstance(doc, Mapping) else None
        write = ruler.get("remote_write") if isinstance(ruler, Mapping) else None
        if isinstance(write, Mapping) and write.get("enabled") is True and write.get("add_org_id_header", True) is True:
            return True
    return False


def tenant_rule_files(ctx: CheckContext) -> dict[str, list[BundleFile]]:
    """The rule files whose records land in each tenant's Mimir: its ruler namespaces, and its Loki
    rules when Loki's ruler writes them there."""
    roles = [Role.MIMIR_RULES, Role.MIMIR_FEDERATED_RULES]
    if ctx.by_role(Role.LOKI_RULES) and loki_ruler_writes_to_mimir(ctx):
        roles.append(Role.LOKI_RULES)
    found: dict[str, list[BundleFile]] = {}
    for bundle_file in ctx.by_role(*roles):
        tenant = tenant_of_rule_file(bundle_file.path)
        if tenant is not None:
            found.setdefault(tenant, []).append(bundle_file)
    return found
