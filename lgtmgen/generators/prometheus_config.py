"""Per-cluster prometheus.yml (one per HA replica) and the optional global federation Prometheus.

Each cluster's Prometheus evaluates the rule files of the services it runs (for
federation and local dashboards; it has no `alerting` block, so alerts come from
Mimir's ruler alone; an agent evaluates none, and an operator-run Prometheus gets
them as PrometheusRule objects) and remote-writes to Mimir, once per tenant, only the raw series that Mimir's ruler
and the declared `keep_metrics` need (recorded series are re-recorded by the
ruler, so sending them too would double them). In a cluster running services of several
tenants, each tenant's keep-list also marks its services' series by their selectors and keeps
the names they expose only when marked (`write_relabel_configs`), so no tenant receives
another's series by a shared name.

Queue sizing follows Prometheus' remote-write tuning guidance: throughput is
about shards × max_samples_per_send / send latency, and capacity should be a
few times max_samples_per_send. With samples/s = expected_series / scrape_interval:
  min_shards = ceil(samples/s × SEND_LATENCY / MAX_SAMPLES_PER_SEND)
  max_shards = max(DEFAULT_MAX_SHARDS, CATCH_UP × min_shards)
  capacity   = CAPACITY_FACTOR × MAX_SAMPLES_PER_SEND
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models import AvailabilitySLI, CustomSLI, LatencySLI, Service
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.catalog.models.org import Cluster
from lgtmgen.generators.kubernetes import set_dir
from lgtmgen.generators.mimir.runtime import HA_REPLICA_LABEL
from lgtmgen.generators.recording_rules import RULES_DIR as METRICS_RULES_DIR
from lgtmgen.generators.recording_rules import service_groups
from lgtmgen.generators.remote_write import credentials
from lgtmgen.generators.slo.groups import record_names
from lgtmgen.naming import slug
from lgtmgen.plan import Plan, resolve_metrics
from lgtmgen.promql import SelectedMetrics, SeriesMatch, matchers, selected_metrics, series_matches
from lgtmgen.regex import alternation, re2_escape
from lgtmgen.sli import classic_histogram, event_counts

MAX_SAMPLES_PER_SEND = 2000
CAPACITY_FACTOR = 5
SEND_LATENCY_SECONDS = 1.0
CATCH_UP = 3
DEFAULT_MAX_SHARDS = 50
CONFIG_DIR = "prometheus/clusters"
GLOBAL_CONFIG = "prometheus/global/prometheus.yml"


def queue_config(expected_series: int, scrape_interval: float) -> dict[str, int]:
    """Queue settings sized from the cluster's declared active series (formula in the module doc)."""
    samples_per_second = expected_series / scrape_interval
    min_shards = max(1, math.ceil(samples_per_second * SEND_LATENCY_SECONDS / MAX_SAMPLES_PER_SEND))
    return {
        "capacity": CAPACITY_FACTOR * MAX_SAMPLES_PER_SEND,
        "max_samples_per_send": MAX_SAMPLES_PER_SEND,
        "min_shards": min_shards,
        "max_shards": max(DEFAULT_MAX_SHARDS, CATCH_UP * min_shards),
    }


@dataclass(frozen=True)
class RawReads:
    """The raw series a service's rules read in Mimir.

    `owned` are names whose series the service's own targets expose (its convention's metrics,
    its KPIs', the metrics of its SLI queries): in a cluster shared by tenants each tenant is sent
    only those of its services, told apart by `marks`, the selectors they are read with. `by_name`
    are read whoever exposes them (a KPI with `selector: {}`, the platform's resource and security
    metrics) and are sent by name, as `up` is (`keep_regex`).
    """

    owned: SelectedMetrics
    marks: tuple[SeriesMatch, ...]
    by_name: SelectedMetrics


def raw_metrics(plan: Plan, service: Service) -> RawReads:
    """Raw metrics the service's rules read in Mimir; the SLIs' from their parsed PromQL."""
    settings = plan.catalog.metrics
    m = resolve_metrics(service)
    owned = {n for n in (m.requests,) if n}
    if m.duration:
        owned |= {m.duration} if m.native_histograms else {f"{m.duration}_{s}" for s in ("bucket", "count", "sum")}
    kpis = [(kpi.metric, kpi.selector_of(m.selector)) for kpi in service.kpis]
    by_name = {metric for metric, labels in kpis if not labels}  # a KPI of every series of its metric
    selector = _series_match({label: re2_escape(value) for label, value in m.selector.items()})
    marks = [selector]
    if service.resources is not None:
        # The platform's container and security series, read by the service's namespace (and
        # container): marked by those, not sent by name to every tenant of a shared cluster.
        r, security = settings.resource_metrics, settings.security
        namespace = service.resources.namespace
        containers = [r.cpu_usage, r.memory_usage, r.requests]
        in_namespace = [
            *([security.certificate_expiry_metric] if "cert-manager" in security.exporters else []),
            *([security.vulnerability_metric] if "trivy-operator" in security.exporters else []),
        ]
        owned |= {*containers, *in_namespace}
        container = {"container": re2_escape(service.resources.container or service.name)}
        marks.append(_series_match({"__name__": f"(?:{alternation(containers)})", "namespace": re2_escape(namespace), **container}))
        if in_namespace:
            marks.append(_series_match({"__name__": f"(?:{alternation(in_namespace)})", "namespace": re2_escape(namespace)}))
    for metric, labels in kpis:
        if labels:
            owned.add(metric)
        if labels and dict(labels) != dict(m.selector):
            marks.append(_series_match({k: re2_escape(v) for k, v in {"__name__": metric, **labels}.items()}))
    selected = SelectedMetrics(frozenset(owned))
    for slo in plan.slos_of(service.name):
        counts = event_counts(slo, "5m")
        selected |= selected_metrics(counts.errors)
        if isinstance(slo.slo.sli, CustomSLI):  # the other kinds' error count reads its total count
            selected |= selected_metrics(counts.total)
        if not isinstance(slo.slo.sli, AvailabilitySLI | LatencySLI):  # the others read with the selector
            # Equality matchers only: a user's `=~` can hold anchors or flags that would not survive
            # being joined with other labels' values in one relabel regex. Without it a mark matches
            # more series, never fewer, so nothing a rule reads is dropped.
            marks += series_matches(counts.errors, regexes=False) + series_matches(counts.total, regexes=False)
    if not selector.labels:  # nothing tells the service's series apart from others'
        return RawReads(SelectedMetrics(), (), selected | SelectedMetrics(frozenset(by_name)))
    return RawReads(selected, tuple(sorted(set(marks), key=lambda match: match.labels)), SelectedMetrics(frozenset(by_name)))


def _series_match(regexes: dict[str, str]) -> SeriesMatch:
    """A mark of the series whose labels match these RE2 regexes (label names sorted, as marks are)."""
    return SeriesMatch(tuple(sorted(regexes.items())))


def capacity_reads(plan: Plan) -> dict[str, SelectedMetrics]:
    """Raw metrics the capacity forecasts read, by the tenant their team's dashboard opens on
    (its first service's): every cluster that writes to that tenant keeps them. Recorded names
    (with a colon) are the user's rules' or lgtmgen's, never sent."""
    reads: dict[str, SelectedMetrics] = {}
    for signal in plan.catalog.grafana.capacity:
        tenant = plan.team_tenant(signal.team)
        if tenant is None:
            continue
        for expr in signal.queries():
            selected = selected_metrics(expr)
            raw = SelectedMetrics(frozenset(n for n in selected.names if ":" not in n), selected.patterns)
            reads[tenant] = reads.get(tenant, SelectedMetrics()) | raw
    return reads


def keep_regex(selected: SelectedMetrics, up: bool = True) -> str:
    """The write-relabel `keep` regex: exact names escaped (and `up`), `__name__=~` patterns grouped."""
    exact = sorted(re2_escape(n) for n in selected.names | ({"up"} if up else set()))
    return "|".join(exact + sorted(f"(?:{p})" for p in selected.patterns))


OWNER_LABEL = "__tmp_lgtmgen_tenant_series"
"""The temporary label that marks, in a cluster shared by tenants, the series of one tenant's services."""


def _mark_rules(marks: Iterable[SeriesMatch]) -> list[dict[str, Any]]:
    """One `replace` per set of label names, marking every series one of `marks` matches."""
    by_labels: dict[tuple[str, ...], set[str]] = {}
    for match in marks:
        names = tuple(label for label, _ in match.labels)
        by_labels.setdefault(names, set()).add(";".join(regex for _, regex in match.labels))
    if () in by_labels:  # a selector of a name pattern alone: every series may be the tenant's
        return [{"target_label": OWNER_LABEL, "replacement": "yes", "action": "replace"}]
    return [
        {
            "source_labels": list(names),
            "separator": ";",
            "regex": "|".join(sorted(values)),
            "target_label": OWNER_LABEL,
            "replacement": "yes",
            "action": "replace",
        }
        for names, values in sorted(by_labels.items())
    ]


SELF_JOB = "prometheus"
"""The scrape job of each cluster's Prometheus itself: its `up` tells Mimir the cluster is writing."""


def platform_up(plan: Plan) -> SeriesMatch:
    """`up` of the jobs no tenant owns and every tenant's alerts read: the cluster outage's
    `critical_jobs`, and Prometheus' own, which the cluster-silence alert needs (`absent_over_time(up)`)."""
    outage = plan.catalog.alerting.cluster_outage
    jobs = [SELF_JOB, *(outage.critical_jobs if outage is not None else [])]
    return _series_match({"__name__": "up", "job": f"(?:{alternation(jobs)})"})


def write_relabel_configs(
    owned: SelectedMetrics, marks: Iterable[SeriesMatch], by_name: SelectedMetrics, shared_up: SeriesMatch | None
) -> list[dict[str, Any]]:
    """What one tenant's remote write keeps: the names its rules read, and in a cluster shared with
    other tenants' services only the series of its own services among the names they own.

    `shared_up` is None in a cluster of one tenant; in a shared one, the `platform_up` mark: there
    `up` is the tenant's own services' (marked by their selectors) and the platform's, not every
    target's by name.
    """
    if shared_up is None:
        return [{"source_labels": ["__name__"], "regex": keep_regex(owned | by_name), "action": "keep"}]
    owned |= SelectedMetrics(frozenset({"up"}))
    alternatives = [f"yes;(?:{keep_regex(owned, up=False)})"]
    if by_name.names or by_name.patterns:
        alternatives.append(f"(?:yes)?;(?:{keep_regex(by_name, up=False)})")
    return [
        *_mark_rules([*marks, shared_up]),
        {"source_labels": [OWNER_LABEL, "__name__"], "separator": ";", "regex": "|".join(alternatives), "action": "keep"},
        {"regex": OWNER_LABEL, "action": "labeldrop"},
    ]


def reads_native_histograms(plan: Plan, service: Service) -> bool:
    """Whether rules or dashboards of `service` read a native histogram from Mimir: its convention's
    duration histogram, or the histogram of a latency SLO declared `native`."""
    metrics = resolve_metrics(service)
    if metrics.native_histograms and metrics.duration:
        return True
    return any(isinstance(p.slo.sli, LatencySLI) and not classic_histogram(p) for p in plan.slos_of(service.name))


def remote_write(
    plan: Plan, cluster: Cluster, tenant: str, relabel: list[dict[str, Any]], native_histograms: bool = False
) -> dict[str, Any]:
    settings = plan.catalog.metrics
    scrape = parse_duration(plan.catalog.defaults.scrape_interval)
    expected = cluster.prometheus.expected_series if cluster.prometheus else 100000
    entry: dict[str, Any] = {
        "url": settings.remote_write_url,
        "name": f"mimir-{slug(tenant)}",
        "headers": {"X-Scope-OrgID": tenant},
    }
    entry |= credentials(settings.remote_write_auth)
    if native_histograms:
        # Remote write 1.0 drops native histogram samples unless told to send them.
        entry["send_native_histograms"] = True
    if plan.catalog.mimir.max_exemplars_per_tenant:
        # The applications' exemplars (trace ids on histogram buckets), which the Mimir datasources
        # link to Tempo; not sent unless asked, and kept by Mimir only within that limit.
        entry["send_exemplars"] = True
    entry["queue_config"] = queue_config(expected, scrape)
    entry["write_relabel_configs"] = relabel
    return entry


@dataclass(frozen=True)
class ServiceReads:
    """What each cluster's configuration needs of a service, worked out once for every cluster and replica."""

    metrics: RawReads
    slo_rules: bool
    metric_rules: bool
    native_histograms: bool


def service_reads(plan: Plan) -> dict[str, ServiceReads]:
    return {
        s.name: ServiceReads(
            raw_metrics(plan, s),
            bool(plan.slos_of(s.name)),
            bool(service_groups(plan, s)),
            reads_native_histograms(plan, s),
        )
        for s in plan.catalog.services
    }


def cluster_config(
    plan: Plan,
    cluster: Cluster,
    replica: int | None,
    reads: dict[str, ServiceReads] | None = None,
    capacity: dict[str, SelectedMetrics] | None = None,
) -> dict[str, Any]:
    """The prometheus.yml of one cluster (and replica, for HA pairs); `reads` and `capacity`, the
    same for every cluster, are worked out once by the caller that has many."""
    reads = service_reads(plan) if reads is None else reads
    capacity = capacity_reads(plan) if capacity is None else capacity
    defaults = plan.catalog.defaults
    labels = {"cluster": cluster.name, "environment": cluster.environment}
    if cluster.region:
        labels["region"] = cluster.region
    if replica is not None:
        labels[HA_REPLICA_LABEL] = f"{cluster.name}-{replica}"
    services = plan.services_in(cluster.name)
    owned: dict[str, SelectedMetrics] = {}
    marks: dict[str, set[SeriesMatch]] = {}
    by_name: dict[str, SelectedMetrics] = {}
    if cluster.tenant:
        by_name[cluster.tenant] = SelectedMetrics(frozenset(plan.catalog.metrics.keep_metrics))
    native: set[str] = set()
    for service in services:
        read = reads[service.name].metrics
        owned[service.tenant] = owned.get(service.tenant, SelectedMetrics()) | read.owned
        marks.setdefault(service.tenant, set()).update(read.marks)
        by_name[service.tenant] = by_name.get(service.tenant, SelectedMetrics()) | read.by_name
        if reads[service.name].native_histograms:
            native.add(service.tenant)
    for tenant in by_name.keys() | owned.keys():
        by_name[tenant] = by_name.get(tenant, SelectedMetrics()) | capacity.get(tenant, SelectedMetrics())
    # Writes to several tenants here (services of several, or a cluster tenant other than its services'):
    # one tenant's series must not reach another's by a shared name, `up` included.
    shared_up = platform_up(plan) if len(by_name) > 1 else None
    relabel = {
        tenant: write_relabel_configs(owned.get(tenant, SelectedMetrics()), marks.get(tenant, set()), by_name[tenant], shared_up)
        for tenant in by_name
    }
    config: dict[str, Any] = {
        "global": {
            "scrape_interval": defaults.scrape_interval,
            "evaluation_interval": defaults.evaluation_interval,
            "external_labels": labels,
        },
    }
    if cluster.rules_from() == "files":
        config["rule_files"] = rule_files(services, reads)
    config["scrape_configs"] = [{"job_name": SELF_JOB, "static_configs": [{"targets": ["localhost:9090"]}]}]
    config["remote_write"] = [remote_write(plan, cluster, t, r, t in native) for t, r in sorted(relabel.items())]
    return config


def rule_files(services: list[Service], reads: dict[str, ServiceReads]) -> list[str]:
    """The rule files of `services`, relative to a cluster's prometheus.yml: SLO, then recording rules."""
    files = []
    for service in services:
        if reads[service.name].slo_rules:
            files.append(f"../../rules/slo/{slug(service.name)}.yaml")
        if reads[service.name].metric_rules:
            files.append(f"../../{METRICS_RULES_DIR.removeprefix('prometheus/')}/{slug(service.name)}.yaml")
    return files


def _rules_note(cluster: Cluster) -> str:
    source = cluster.rules_from()
    if source == "none":
        return " Agent mode (prometheus --agent): it scrapes and remote-writes; Mimir's ruler evaluates every rule."
    if source == "objects":
        return f" Run by the Prometheus Operator, which loads its rules from {set_dir(cluster.name, 'prometheus-rules')}/."
    return ""


def federated_names(plan: Plan) -> list[str]:
    """Every name recorded by the rule files the clusters evaluate (SLO and metrics families).

    The SLO families' names come per SLO shape (`record_names`), so this generator does not
    need every SLO rule built and can run beside the generators that do.
    """
    names: set[str] = set()
    for service in plan.catalog.services:
        names.update(rule["record"] for group in service_groups(plan, service) for rule in group["rules"] if "record" in rule)
        for slo in plan.slos_of(service.name):
            names |= record_names(slo)
    return sorted(names)


def global_config(plan: Plan) -> dict[str, Any] | None:
    """A global Prometheus that federates only recorded aggregates from every cluster."""
    targets = sorted(c.prometheus.address for c in plan.catalog.clusters if c.prometheus and c.prometheus.address and c.rules_from() != "none")
    names = federated_names(plan)
    if not targets or not names:
        return None
    return {
        "global": {"scrape_interval": "1m", "evaluation_interval": plan.catalog.defaults.evaluation_interval},
        "scrape_configs": [
            {
                "job_name": "federate",
                "honor_labels": True,
                "metrics_path": "/federate",
                "params": {"match[]": ["{" + matchers({"__name__": name}) + "}" for name in names]},
                "static_configs": [{"targets": targets}],
            }
        ],
    }


class PrometheusConfig:
    """prometheus.yml per cluster and replica; the global federation Prometheus when asked for."""

    name = "prometheus-config"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        reads, capacity = service_reads(plan), capacity_reads(plan)
        for cluster in plan.catalog.clusters:
            replicas = cluster.prometheus.replicas if cluster.prometheus else 1
            for replica in range(replicas) if replicas > 1 else [None]:
                suffix = "" if replica is None else f"-{replica}"
                yield Artifact(
                    path=f"{CONFIG_DIR}/{slug(cluster.name)}/prometheus{suffix}.yml",
                    role=Role.PROMETHEUS_AGENT_CONFIG if cluster.rules_from() == "none" else Role.PROMETHEUS_CONFIG,
                    data=cluster_config(plan, cluster, replica, reads, capacity),
                    comment=f"Prometheus of cluster {cluster.name!r} ({cluster.environment}).{_rules_note(cluster)}",
                )
        if plan.catalog.metrics.federation:
            config = global_config(plan)
            if config is not None:
                yield Artifact(
                    path=GLOBAL_CONFIG,
                    role=Role.PROMETHEUS_CONFIG,
                    data=config,
                    comment="Global Prometheus: federates recorded aggregates only.",
                )
