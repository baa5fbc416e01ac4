"""The `remote-write` check: each cluster's Prometheus writes to tenants Mimir knows, once each, and
HA replicas are told apart the way Mimir's HA tracker deduplicates them.

Check ids:
- ``remote-write/unknown-tenant``: a remote write without an `X-Scope-OrgID` header, or naming a
  tenant `mimir/runtime.yaml` has no overrides for (every tenant of the catalog has an entry);
- ``remote-write/duplicate-tenant``: two remote writes of one Prometheus into one tenant (every
  sample sent twice);
- ``remote-write/replicas-differ``: the configurations of one cluster's HA replicas
  (`prometheus-<n>.yml`) differ in more than the replica label, so one replica sends what the
  other does not, and Mimir's tracker keeps one replica's samples at a time;
- ``remote-write/ha-labels``: a replica without the tenant's HA cluster or replica label
  (`ha_cluster_label`, `ha_replica_label`, Mimir's defaults `cluster` and `__replica__`), two
  replicas with one replica value, a tenant written by replicas that does not accept HA samples,
  or a `mimir/mimir.yaml` without the HA tracker: each stores both replicas' samples;
- ``remote-write/cluster-label``: two clusters writing into one tenant under one cluster label, which
  the HA tracker takes for replicas of one cluster (and rules by cluster add up).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from lgtmgen.checks.base import CheckContext
from lgtmgen.checks.tenancy.wiring import MimirSetup, PrometheusConfig, cluster_configs, mimir_setup
from lgtmgen.diagnostics import Diagnostic, Location

UNKNOWN_TENANT = "remote-write/unknown-tenant"
DUPLICATE_TENANT = "remote-write/duplicate-tenant"
REPLICAS_DIFFER = "remote-write/replicas-differ"
HA_LABELS = "remote-write/ha-labels"
CLUSTER_LABEL = "remote-write/cluster-label"


def _tenant_findings(config: PrometheusConfig, mimir: MimirSetup) -> list[Diagnostic]:
    found = []
    seen: dict[tuple[str, str], str] = {}
    for write in config.writes:
        where = Location(config.path)
        if write.tenant is None:
            found.append(
                Diagnostic(UNKNOWN_TENANT, f"{write.title()} sends no X-Scope-OrgID header: Mimir takes no write without a tenant",
                           location=where, path=f"{write.where}.headers")
            )
        elif not mimir.knows(write.tenant):
            known = ", ".join(sorted(mimir.overrides)) or "none"
            found.append(
                Diagnostic(
                    UNKNOWN_TENANT,
                    f"{write.title()} writes to tenant {write.tenant!r}, which {mimir.runtime_path} has no overrides for "
                    f"(its tenants: {known}): no rule or dashboard of the bundle reads what it sends",
                    location=where, path=f"{write.where}.headers",
                )
            )
        elif (write.tenant, write.url) in seen:
            found.append(
                Diagnostic(
                    DUPLICATE_TENANT,
                    f"{write.title()} writes to tenant {write.tenant!r} at the same URL as {seen[write.tenant, write.url]} "
                    "does: Mimir receives every sample both keep twice",
                    location=where, path=f"{write.where}.headers",
                )
            )
        if write.tenant is not None:
            seen.setdefault((write.tenant, write.url), write.title())
    return found


def _first_difference(left: Any, right: Any, where: str = "") -> str | None:
    """The path of the first place two parsed documents differ; None when they are equal."""
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        for key in [*left, *(k for k in right if k not in left)]:
            if key not in left or key not in right:
                return f"{where}.{key}".lstrip(".")
            if (found := _first_difference(left[key], right[key], f"{where}.{key}")) is not None:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        for index, (a, b) in enumerate(zip(left, right, strict=False)):
            if (found := _first_difference(a, b, f"{where}[{index}]")) is not None:
                return found
        return None if len(left) == len(right) else f"{where}[{min(len(left), len(right))}]"
    return None if left == right else where.lstrip(".") or "(the document)"


def _replica_labels(configs: list[PrometheusConfig], mimir: MimirSetup | None) -> set[str]:
    tenants = {w.tenant for c in configs for w in c.writes if w.tenant is not None}
    labels = {mimir.ha_labels(t)[1] for t in tenants} if mimir is not None else set()
    return labels or {"__replica__"}


def _without(config: PrometheusConfig, labels: set[str]) -> Any:
    doc = copy.deepcopy(dict(config.doc))
    external = (doc.get("global") or {}).get("external_labels") if isinstance(doc.get("global"), Mapping) else None
    if isinstance(external, dict):
        for label in labels:
            external.pop(label, None)
    return doc


def _replica_findings(replicas: list[PrometheusConfig], mimir: MimirSetup | None) -> list[Diagnostic]:
    found = []
    labels = _replica_labels(replicas, mimir)
    first = _without(replicas[0], labels)
    for other in replicas[1:]:
        if (path := _first_difference(first, _without(other, labels))) is not None:
            found.append(
                Diagnostic(
                    REPLICAS_DIFFER,
                    f"differs from {replicas[0].path}, another HA replica of its cluster, at {path}: replicas differ only in "
                    f"their replica label ({', '.join(sorted(labels))}), as Mimir's HA tracker keeps one replica's samples "
                    "at a time",
                    location=Location(other.path), path=path,
                )
            )
    if mimir is None:
        return found
    for config in replicas:
        for tenant in sorted({w.tenant for w in config.writes if w.tenant is not None and mimir.knows(w.tenant)}):
            cluster_label, replica_label = mimir.ha_labels(tenant)
            missing = [label for label in (cluster_label, replica_label) if label not in config.external_labels]
            if missing:
                found.append(
                    Diagnostic(
                        HA_LABELS,
                        f"an HA replica without the external label {' and '.join(missing)}, by which Mimir deduplicates "
                        f"tenant {tenant!r}'s replicas: both replicas' samples are stored",
                        location=Location(config.path), path="global.external_labels",
                    )
                )
            if not mimir.accepts_ha(tenant):
                found.append(
                    Diagnostic(
                        HA_LABELS,
                        f"an HA replica writes to tenant {tenant!r}, whose overrides in {mimir.runtime_path} do not set "
                        "accept_ha_samples: Mimir stores both replicas' samples",
                        location=Location(config.path), path="remote_write",
                    )
                )
    owners: dict[tuple[str, str], str] = {}
    for config in replicas:
        for label in sorted(labels):
            value = config.external_labels.get(label)
            if value is None:
                continue
            if (label, value) in owners:
                found.append(
                    Diagnostic(
                        HA_LABELS,
                        f"replica label {label}={value!r} is also {owners[label, value]}'s: Mimir takes both replicas for one "
                        "and stores the samples of each",
                        location=Location(config.path), path=f"global.external_labels.{label}",
                    )
                )
            owners.setdefault((label, value), config.path)
    return found


def _cluster_findings(configs: list[PrometheusConfig], mimir: MimirSetup) -> list[Diagnostic]:
    """Clusters (folders) writing one tenant under one cluster label."""
    owners: dict[tuple[str, str], str] = {}
    found = []
    for config in configs:
        for tenant in sorted({w.tenant for w in config.writes if w.tenant is not None and mimir.knows(w.tenant)}):
            label = mimir.ha_labels(tenant)[0]
            value = config.external_labels.get(label)
            if value is None:
                continue
            owner = owners.setdefault((tenant, value), config.cluster_dir)
            if owner != config.cluster_dir:
                found.append(
                    Diagnostic(
                        CLUSTER_LABEL,
                        f"writes to tenant {tenant!r} with {label}={value!r}, as the Prometheus of {owner}/ does: Mimir's HA "
                        "tracker takes them for replicas of one cluster and drops one's samples, and rules by cluster add "
                        "them up",
                        location=Location(config.path), path=f"global.external_labels.{label}",
                    )
                )
    return found


class RemoteWriteCheck:
    """Remote writes name tenants Mimir knows, once each; HA replicas are deduplicated as Mimir expects."""

    name = "remote-write"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        configs = cluster_configs(ctx)
        if not configs:
            return []
        mimir = mimir_setup(ctx)
        found: list[Diagnostic] = []
        if mimir is not None:
            for config in configs:
                found += _tenant_findings(config, mimir)
        by_cluster: dict[str, list[PrometheusConfig]] = {}
        for config in configs:
            by_cluster.setdefault(config.cluster_dir, []).append(config)
        replicated = [replicas for replicas in by_cluster.values() if len(replicas) > 1]
        for replicas in replicated:
            found += _replica_findings(replicas, mimir)
        if replicated and mimir is not None and mimir.ha_tracker is False:
            found.append(
                Diagnostic(
                    HA_LABELS,
                    f"{replicated[0][0].cluster_dir}/ runs HA replicas, but distributor.ha_tracker.enable_ha_tracker is not "
                    "on: without the tracker Mimir accepts every replica and drops the replica label, so both write into "
                    "one series",
                    location=Location(mimir.config_path or ""), path="distributor.ha_tracker",
                )
            )
        if mimir is not None:
            found += _cluster_findings(configs, mimir)
        return found
