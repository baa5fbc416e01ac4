"""Which Mimir tenant each Prometheus datasource reads, and which records that tenant holds.

A provisioned datasource sends its tenant in the `X-Scope-OrgID` header (`jsonData.httpHeaderName<n>`
with `secureJsonData.httpHeaderValue<n>`). The value itself is never in the bundle, but its source
names the tenant: `$__file{<dir>/<tenant>}`, or `$<PREFIX><TENANT>` (the tenant upper-cased, `-` and
`.` as `_`, one prefix for every datasource of the bundle), or the tenant written out. The tenants are
those of Mimir's runtime overrides and ruler namespaces.

A tenant holds the records of its ruler namespaces (`mimir/rules/<tenant>/`, the roll-up included),
of its Loki rules when Loki's ruler writes them to Mimir under the tenant's id, and any recorded
series a cluster's remote write into it keeps (lgtmgen's keep-lists keep none: the ruler records
again what the clusters record). A record is told apart by name and by the labels its rules set:
`slo:objective:ratio{service="notifications"}` is in the tenant of the rules that set
`service: notifications`, whatever other tenants record under that name.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import CheckContext
from lgtmgen.checks.bundle_yaml import safe_load
from lgtmgen.checks.tenancy.delivery import Delivery, remote_writes_send
from lgtmgen.checks.tenancy.relabel import may_hold
from lgtmgen.checks.tenancy.rule_series import RecordLabels, Selector, file_series, merge_records
from lgtmgen.checks.tenancy.wiring import (
    TENANT_HEADER,
    cluster_configs,
    mimir_setup,
    tenant_rule_files,
)

_FILE = re.compile(r"^\$__file\{(.*)\}$")
_ENV = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*)|__env\{([A-Za-z_][A-Za-z0-9_]*)\})$")
"""Grafana's spellings of an environment variable in provisioning: `$VAR`, `${VAR}`, `$__env{VAR}`."""


def variable_suffix(tenant: str) -> str:
    """The part of a tenant's environment variable after the prefix (as `TenantHeader.variable` writes it)."""
    return tenant.upper().replace("-", "_").replace(".", "_")


Matchers = tuple[tuple[str, str, str], ...]
"""A selector's matchers: label, PromQL operator, value."""


def _holds(labels: RecordLabels | None, matchers: Matchers) -> bool:
    """Whether a record with these rule labels may match the matchers (an open label matches anything)."""
    if labels is None:
        return False
    return all(may_hold(labels.get(label), op, value) for label, op, value in matchers if label != "__name__")


@dataclass(frozen=True, slots=True)
class TenantSeries:
    """What one tenant's Mimir answers: its records, and the recorded series its remote writes keep."""

    tenant: str
    records: Mapping[str, RecordLabels]
    receives: Callable[[str, Matchers], bool] = field(compare=False)
    others: Mapping[str, Mapping[str, RecordLabels]] = field(compare=False, default_factory=dict)
    """Every tenant's records (shared by the tenants of a bundle), to name where a series is."""
    sent: Callable[[str], bool] | None = field(compare=False, default=None)
    """Whether the clusters' remote writes are to send a raw metric; None: the bundle configures
    no cluster, and its raw series come from Prometheus servers it does not hold."""

    def lacks_raw(self, name: str, matchers: Matchers) -> bool:
        """Whether a raw series the remote writes are to send reaches this tenant through none."""
        if self.sent is None or not self.sent(name):
            return False
        return name not in self.records and not self.receives(name, matchers)

    def holds(self, name: str, matchers: Matchers) -> bool:
        """Whether a selector of `name` with `matchers` finds series in this tenant."""
        return _holds(self.records.get(name), matchers) or self.receives(name, matchers)

    def recorded_elsewhere(self, name: str, matchers: Matchers) -> list[str]:
        """The other tenants whose records match the selector."""
        return [t for t, records in self.others.items() if t != self.tenant and _holds(records.get(name), matchers)]


@dataclass(frozen=True, slots=True)
class SeriesScope:
    """The tenant each Prometheus datasource uid reads, and which tenants record each name."""

    by_uid: Mapping[str, TenantSeries]
    unmapped: tuple[tuple[str, str, str], ...]
    """(file, datasource name, header source) of each datasource whose tenant header names no tenant."""
    context: str
    """What the verdicts depend on, for remembering passed dashboards."""

    def tenant_of(self, uid: str) -> TenantSeries | None:
        return self.by_uid.get(uid)


def _header_source(datasource: Mapping[str, Any]) -> str | None:
    json_data = datasource.get("jsonData")
    secure = datasource.get("secureJsonData")
    if not isinstance(json_data, Mapping) or not isinstance(secure, Mapping):
        return None
    for key, name in json_data.items():
        match = re.fullmatch(r"httpHeaderName(\d+)", str(key))
        if match and str(name).lower() == TENANT_HEADER:
            value = secure.get(f"httpHeaderValue{match.group(1)}")
            return str(value) if value is not None else None
    return None


def _env_name(source: str) -> str | None:
    match = _ENV.match(source)
    return (match.group(1) or match.group(2) or match.group(3)) if match else None


def variable_prefix(sources: Iterable[str], tenants: Iterable[str]) -> str | None:
    """The variable prefix most datasources share: the one explaining the most names as prefix + tenant."""
    suffixes = {variable_suffix(t) for t in tenants}
    votes: Counter[str] = Counter()
    for source in sources:
        name = _env_name(source)
        if name is None:
            continue
        votes.update({name[: len(name) - len(s)] for s in suffixes if name.endswith(s)})
    if not votes:
        return None
    return min(votes, key=lambda prefix: (-votes[prefix], prefix))


def header_tenant(source: str, tenants: frozenset[str], prefix: str | None) -> str | None:
    """The tenant a datasource's header source names, among `tenants`; None when it names none."""
    if (match := _FILE.match(source)) is not None:
        tenant = match.group(1).rstrip("/").rsplit("/", 1)[-1]
        return tenant if tenant in tenants else None
    name = _env_name(source)
    if name is None:
        return source if source in tenants else None
    if prefix is None or not name.startswith(prefix):
        return None
    named = [t for t in tenants if variable_suffix(t) == name[len(prefix) :]]
    return named[0] if len(named) == 1 else None


def prometheus_datasources(ctx: CheckContext) -> list[tuple[str, Mapping[str, Any]]]:
    """Every provisioned datasource of type prometheus, with its file."""
    found = []
    for bundle_file in ctx.by_role(Role.GRAFANA_PROVISIONING):
        try:
            doc = safe_load(bundle_file.absolute.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):  # `grafana/unknown-datasource` reports it
            continue
        sources = doc.get("datasources") if isinstance(doc, Mapping) else None
        for source in sources if isinstance(sources, list) else []:
            if isinstance(source, Mapping) and source.get("type") == "prometheus":
                found.append((bundle_file.path, source))
    return found


def _serialisable(records: Mapping[str, RecordLabels]) -> dict[str, dict[str, list[str] | None]]:
    return {
        name: {label: None if values is None else sorted(values) for label, values in labels.items()}
        for name, labels in records.items()
    }


def series_scope(ctx: CheckContext) -> SeriesScope | None:
    """The tenant and records behind each Prometheus datasource; None when the bundle has no Mimir tenants."""
    mimir = mimir_setup(ctx)
    rule_files = tenant_rule_files(ctx)
    tenants = frozenset([*(mimir.overrides if mimir is not None else ()), *rule_files])
    if not tenants:
        return None
    records: dict[str, dict[str, RecordLabels]] = {}
    for tenant in sorted(tenants):
        labelled: dict[str, list[RecordLabels]] = {}
        for bundle_file in rule_files.get(tenant, []):
            series = file_series(ctx, bundle_file, reads=False)
            for name, labels in (series.labels if series is not None else {}).items():
                labelled.setdefault(name, []).append(labels)
        records[tenant] = {name: merge_records(labels) for name, labels in labelled.items()}
    datasources = prometheus_datasources(ctx)
    sources = {str(ds.get("uid")): _header_source(ds) for _, ds in datasources}
    prefix = variable_prefix((s for s in sources.values() if s is not None), tenants)
    configs = cluster_configs(ctx)
    delivery = Delivery()
    tempo = bool(ctx.by_role(Role.TEMPO_CONFIG))
    sent = (lambda name: remote_writes_send(name, tempo)) if configs else None

    def receiver(tenant: str) -> Callable[[str, Matchers], bool]:
        def receives(name: str, matchers: Matchers) -> bool:
            selector = Selector(name, tuple(m for m in matchers if m[0] != "__name__"))
            return any(delivery.keeps(c, w, selector) for c in configs for w in c.writes_to(tenant))

        return receives

    by_uid = {}
    unmapped = []
    for file, datasource in datasources:
        uid, source = str(datasource.get("uid")), sources[str(datasource.get("uid"))]
        tenant = header_tenant(source, tenants, prefix) if source is not None else None
        if tenant is not None:
            by_uid[uid] = TenantSeries(tenant, records[tenant], receiver(tenant), records, sent)
        elif source is not None and mimir is not None:
            unmapped.append((file, str(datasource.get("name", uid)), source))
    context = hashlib.sha256()
    # Whether `traces_*` reads are judged at all (a bundle without Tempo sends them by remote write).
    context.update(f"tempo={tempo}\0".encode())
    for uid, reader in sorted(by_uid.items()):
        context.update(f"{uid}\0{reader.tenant}\0".encode())
    for tenant, held in records.items():
        context.update(f"{tenant}\0{json.dumps(_serialisable(held), sort_keys=True)}\0".encode())
    for config in configs:  # what the writes keep, as the configuration writes it
        writes = [(w.tenant, w.relabel) for w in config.writes]
        text = json.dumps([config.path, writes, config.external_labels], sort_keys=True, default=str)
        context.update(f"{text}\0".encode())
    return SeriesScope(by_uid, tuple(unmapped), context.hexdigest())
