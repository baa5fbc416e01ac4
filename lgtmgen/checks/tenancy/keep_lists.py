"""The `remote-write-keep` check: what each tenant's Mimir ruler reads is written into that tenant.

Mimir's ruler evaluates a tenant's rules on the series written into that tenant: the raw series
the clusters' Prometheus remote-write (each write keeping what its `write_relabel_configs`
keep), and the records of the tenant's own rules (its ruler namespaces, its Loki ruler). A rule
reading a series none of them delivers evaluates on nothing: its SLO shows no data, its alert
never fires.

Check ids:
- ``remote-write/missing-tenant``: a cluster's Prometheus evaluates rule groups whose ruler copies
  are tenant T's (its `rule_files`, or its cluster's PrometheusRule objects), so the series they
  read are in that cluster, but it has no remote write into T;
- ``remote-write/series-dropped``: such a cluster's write into T drops a series those groups read;
  or a group that no cluster evaluates (alerting, service graph, journeys) reads a series no
  remote write into its tenant keeps, and no rule of the tenant records (a federated group: of
  any tenant it reads).

A series is judged by its name, its selector's equality matchers and the cluster's external labels;
a label the rule leaves open may hold any value (`lgtmgen.checks.tenancy.relabel`), so only a
series dropped whatever those hold is reported. Not judged: selectors without a metric name, the
ruler's own `ALERTS` series, the series Tempo's metrics generator writes (`traces_*`, when the
bundle configures Tempo), and recorded names (with a colon): no keep-list sends one, as Mimir's
ruler records them again, and one that no rule records is either read on purpose (the service
graph's `unless` reads the declared edges a catalog may not have) or recorded outside the bundle.
A bundle without cluster configurations (the catalog declares no clusters) gets its series from
Prometheus servers it does not configure: nothing is checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import CheckContext
from lgtmgen.checks.tenancy.delivery import Delivery, evaluated_groups, remote_writes_send
from lgtmgen.checks.tenancy.rule_series import GroupReads, Selector, file_series
from lgtmgen.checks.tenancy.wiring import (
    PrometheusConfig,
    RemoteWrite,
    cluster_configs,
    tenant_rule_files,
)
from lgtmgen.diagnostics import Diagnostic, Location

MISSING_TENANT = "remote-write/missing-tenant"
SERIES_DROPPED = "remote-write/series-dropped"
SHOWN = 3
"""Selectors named in one finding; the rest are counted."""


_Delivers = Callable[[PrometheusConfig, RemoteWrite, Selector], bool]


@dataclass(frozen=True, slots=True)
class Read:
    """A selector one rule group of a tenant reads, and where."""

    tenant: str
    file: str
    group: GroupReads
    selector: Selector

    @property
    def tenants(self) -> tuple[str, ...]:
        """The tenants the group reads: its `source_tenants`, else its own."""
        return self.group.sources if self.group.sources is not None else (self.tenant,)


def _tenant_reads(ctx: CheckContext) -> tuple[dict[str, frozenset[str]], list[Read]]:
    """Each tenant's records, and every selector its ruler namespaces read."""
    records: dict[str, frozenset[str]] = {}
    reads: list[Read] = []
    for tenant, files in tenant_rule_files(ctx).items():
        names: set[str] = set()
        for bundle_file in files:
            series = file_series(ctx, bundle_file)
            if series is None:
                continue
            names |= series.records
            if bundle_file.role is Role.LOKI_RULES:
                continue  # LogQL: reads Loki's streams, not Mimir's series
            reads += [Read(tenant, bundle_file.path, g, s) for g in series.groups for s in g.reads]
        records[tenant] = frozenset(names)
    return records, reads


def _judged(ctx: CheckContext, reads: list[Read], records: dict[str, frozenset[str]]) -> list[Read]:
    """The reads whose series the remote writes are to deliver: raw names (a name with a colon is a
    rule's to record, and no keep-list sends one), not recorded where they are read, nor written by
    Mimir's ruler or Tempo."""
    tempo = bool(ctx.by_role(Role.TEMPO_CONFIG))

    def judged(read: Read) -> bool:
        name = read.selector.name
        return remote_writes_send(name, tempo) and not any(name in records.get(t, ()) for t in read.tenants)

    return [read for read in reads if judged(read)]


def _listing(reads: list[Read]) -> str:
    shown = [f"{r.selector} (group {r.group.name} of {r.file})" for r in reads[:SHOWN]]
    more = f" and {len(reads) - SHOWN} more" if len(reads) > SHOWN else ""
    return "; ".join(shown) + more


class RemoteWriteKeepCheck:
    """The series each tenant's ruler reads reach that tenant."""

    name = "remote-write-keep"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        configs = cluster_configs(ctx)
        if not configs:
            return []
        records, reads = _tenant_reads(ctx)
        judged = _judged(ctx, reads, records)
        delivers = Delivery().keeps
        evaluated = evaluated_groups(ctx, configs)
        found = self._per_cluster(configs, evaluated, judged, delivers)
        somewhere = frozenset().union(*evaluated.values()) if evaluated else frozenset()
        rest = [r for r in judged if r.group.name not in somewhere or r.group.sources is not None]
        return found + self._per_tenant(configs, rest, delivers)

    @staticmethod
    def _per_cluster(
        configs: list[PrometheusConfig],
        evaluated: dict[str, frozenset[str]],
        reads: list[Read],
        delivers: _Delivers,
    ) -> list[Diagnostic]:
        by_group: dict[str, list[Read]] = {}
        for read in reads:
            if read.group.sources is None:
                by_group.setdefault(read.group.name, []).append(read)
        found = []
        for config in configs:
            by_tenant: dict[str, list[Read]] = {}
            for group in sorted(evaluated.get(config.path, ())):
                for read in by_group.get(group, []):
                    by_tenant.setdefault(read.tenant, []).append(read)
            for tenant, tenant_reads in sorted(by_tenant.items()):
                writes = config.writes_to(tenant)
                if not writes:
                    groups = sorted({r.group.name for r in tenant_reads})
                    found.append(
                        Diagnostic(
                            MISSING_TENANT,
                            f"evaluates rule groups that tenant {tenant!r} also runs in Mimir's ruler "
                            f"({', '.join(groups[:SHOWN])}{' ...' if len(groups) > SHOWN else ''}) on the series of "
                            f"this cluster, but has no remote write into {tenant!r}: the ruler's copies read nothing "
                            "from this cluster",
                            location=Location(config.path), path="remote_write",
                        )
                    )
                    continue
                dropped = [r for r in tenant_reads if not any(delivers(config, w, r.selector) for w in writes)]
                found += _dropped(config, tenant, writes, dropped)
        return found

    @staticmethod
    def _per_tenant(configs: list[PrometheusConfig], reads: list[Read], delivers: _Delivers) -> list[Diagnostic]:
        missing: dict[str, list[Read]] = {}
        for read in reads:
            if not any(delivers(c, w, read.selector) for t in read.tenants for c in configs for w in c.writes_to(t)):
                missing.setdefault(read.file, []).append(read)
        found = []
        for file, file_reads in sorted(missing.items()):
            tenants = sorted({t for r in file_reads for t in r.tenants})
            found.append(
                Diagnostic(
                    SERIES_DROPPED,
                    f"reads series that no remote write into {', '.join(map(repr, tenants))} keeps and no rule there "
                    f"records: {_listing(file_reads)}; those rules evaluate on nothing",
                    location=Location(file),
                    hint="rebuild the bundle: lgtmgen's keep-lists hold every raw series a tenant's rules read",
                )
            )
        return found


def _dropped(config: PrometheusConfig, tenant: str, writes: list[RemoteWrite], dropped: list[Read]) -> list[Diagnostic]:
    if not dropped:
        return []
    by_name: dict[str, list[Read]] = {}
    for read in dropped:
        by_name.setdefault(read.selector.name, []).append(read)
    titles = " and ".join(w.title() for w in writes)
    where = writes[0].where
    return [
        Diagnostic(
            SERIES_DROPPED,
            f"{titles} into tenant {tenant!r} drops {name}, which the rule groups this Prometheus evaluates read "
            f"there: {_listing(reads)}; the ruler's copies of them evaluate on nothing from this cluster",
            location=Location(config.path),
            path=f"{where}.write_relabel_configs",
        )
        for name, reads in sorted(by_name.items())
    ]
