"""Semantic checks of the metrics platform: Mimir tiers, storage classes, roll-up, KPIs, ruler limits."""

from __future__ import annotations

import re

from lgtmgen.catalog.models import Catalog
from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.catalog.positions import PathStep
from lgtmgen.catalog.semantics import Reporter, reference_hint
from lgtmgen.diagnostics import Severity
from lgtmgen.promql import quantile_label, string_literal, syntax_error
from lgtmgen.regex import re2_problem

ARCHIVE_STORAGE_CLASS = "catalog/archive-storage-class"
UNKNOWN_STORAGE_CLASS = "catalog/unknown-storage-class"
UNKNOWN_TIER = "catalog/mimir-unknown-tier"
ROLLUP_UNKNOWN_TENANT = "catalog/rollup-unknown-tenant"
ROLLUP_READS_ITSELF = "catalog/rollup-reads-itself"
KPI_DUPLICATE = "catalog/kpi-duplicate-name"
UNKNOWN_ENVIRONMENT = "catalog/comparison-unknown-environment"
REMOTE_WRITE_AUTH = "catalog/remote-write-auth"
INVALID_REGEX = "catalog/metrics-invalid-regex"
AGENT_RULES = "catalog/agent-evaluates-no-rules"
AUTOSCALING_NEEDS_MAX = "catalog/autoscaling-needs-max"
AUTOSCALING_RANGE = "catalog/autoscaling-range"
AUTOSCALING_NAME = "catalog/autoscaling-invalid-name"
AUTOSCALING_DUPLICATE = "catalog/autoscaling-duplicate"

# A workload name is an RFC 1123 subdomain (the namespace, a label, is typed in the model).
_K8S_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
AGENT_FEDERATION = "catalog/agent-cannot-be-federated"
OPERATOR_NO_LABELS = "catalog/operator-no-rule-labels"
TEAM_RESERVED = "catalog/team-reserved-name"
SCRAPE_TOO_LONG = "catalog/scrape-interval-too-long"
KPI_WINDOW = "catalog/kpi-window-too-short"
EVALUATION_SHORT = "catalog/evaluation-interval-short"
SHORTEST_USUAL_EVALUATION = 10.0
"""Below this, rules run far more often than the usual 15s to 1m, at a matching cost."""
PERCENTILE = "catalog/percentile-invalid"
MIN_SCRAPES = 4
"""Scrapes a rate window must hold (the bundle's `rules/rate-window` hygiene check)."""
FAMILY_RATE_WINDOW = 300.0
"""The fixed rate window of the recording families, journeys and service-graph rules (5m)."""

RULER_NAMESPACES = ("alerting", "cost", "journeys-federated", "rollup", "service-graph")
"""Mimir ruler namespaces of the bundle's own groups (`generators/mimir/ruler.py`; a test holds them
equal): a team's namespace is its name, so a team of one of these names would merge with them."""

# Mimir's queriers and compactor read any block within retention at any time.
ARCHIVE_CLASSES: dict[str, frozenset[str]] = {
    "s3": frozenset({"GLACIER", "DEEP_ARCHIVE"}),
    "gcs": frozenset({"ARCHIVE"}),
}
INSTANT_CLASSES: dict[str, frozenset[str]] = {
    "s3": frozenset({"STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR"}),
    "gcs": frozenset({"STANDARD", "NEARLINE", "COLDLINE"}),
}


def storage_class_problem(backend: str, storage_class: str) -> str | None:
    """Why `storage_class` cannot hold Mimir blocks, or None when it is instantly readable."""
    name = storage_class.upper()
    if name in ARCHIVE_CLASSES[backend]:
        return (
            f"{storage_class} is an archive class, for data that is almost never read (slow or costly to read), "
            "but Mimir's queriers and compactor read every block within retention at any time"
        )
    if name not in INSTANT_CLASSES[backend]:
        known = ", ".join(sorted(INSTANT_CLASSES[backend]))
        return f"{storage_class} is not a known instant-access {backend} class (use one of {known})"
    return None


def mimir_storage_is_instant(catalog: Catalog, report: Reporter) -> None:
    """Blocks live in instantly readable classes only: Mimir reads every block within retention."""
    storage = catalog.mimir.storage
    if storage is None:
        return
    base: list[PathStep] = ["mimir", "storage"]
    wanted: list[tuple[str, list[PathStep]]] = [(storage.storage_class, [*base, "storage_class"])]
    wanted += [
        (t.storage_class, [*base, "lifecycle_transitions", i, "storage_class"])
        for i, t in enumerate(storage.lifecycle_transitions)
    ]
    for storage_class, path in wanted:
        problem = storage_class_problem(storage.backend, storage_class)
        if problem is None:
            continue
        archive = storage_class.upper() in ARCHIVE_CLASSES[storage.backend]
        report.add(
            ARCHIVE_STORAGE_CLASS if archive else UNKNOWN_STORAGE_CLASS,
            problem,
            path,
            hint="keep blocks in an instant-access class; the compactor deletes blocks past retention",
        )


def mimir_tiers_are_declared(catalog: Catalog, report: Reporter) -> None:
    """Once `mimir.tiers` is given, every tenant's tier must be one of them."""
    tiers = catalog.mimir.tiers
    if not tiers:
        return
    for index, tenant in enumerate(catalog.tenants):
        if tenant.tier not in tiers:
            report.add(
                UNKNOWN_TIER,
                f"tenant {tenant.name!r} has tier {tenant.tier!r}, which mimir.tiers does not define "
                f"(defined: {', '.join(sorted(tiers))})",
                ["tenants", index, "tier"],
                hint=f"add mimir.tiers.{tenant.tier} with its retention and limits",
            )


def rollup_is_declared(catalog: Catalog, report: Reporter) -> None:
    """The roll-up tenant and its sources are declared tenants; the roll-up never reads itself."""
    rollup = catalog.mimir.rollup
    if rollup is None:
        return
    tenants = {t.name for t in catalog.tenants}
    if rollup.tenant not in tenants:
        report.add(
            ROLLUP_UNKNOWN_TENANT, f"roll-up tenant {rollup.tenant!r} is not declared", ["mimir", "rollup", "tenant"],
            hint=reference_hint(rollup.tenant, tenants, "tenant"),
        )
    for index, source in enumerate(rollup.source_tenants):
        path: list[PathStep] = ["mimir", "rollup", "source_tenants", index]
        if source not in tenants:
            report.add(
                ROLLUP_UNKNOWN_TENANT, f"source tenant {source!r} is not declared", path,
                hint=reference_hint(source, tenants, "tenant"),
            )
        elif source == rollup.tenant:
            report.add(ROLLUP_READS_ITSELF, f"the roll-up tenant {source!r} cannot be its own source", path)


def _matcher_regex_problem(regex: str) -> str | None:
    """Why `regex` cannot be a PromQL `=~` matcher: RE2 refuses it, or the PromQL parser does
    (`x{{.A}}` compiles in RE2, braces read literally, but the parser's engine refuses it)."""
    return re2_problem(regex) or syntax_error(f"up{{code=~{string_literal(regex)}}}")


def metrics_settings_are_consistent(catalog: Catalog, report: Reporter) -> None:
    """KPI names unique per service, status regexes RE2, compared environments declared, credentials complete."""
    for s_index, service in enumerate(catalog.services):
        status_regex = service.metrics.error_status_regex
        if status_regex is not None and (problem := _matcher_regex_problem(status_regex)) is not None:
            # Prometheus reads it as an RE2 `=~` matcher; promtool would only find out at check time.
            report.add(INVALID_REGEX, f"invalid regex: {problem}", ["services", s_index, "metrics", "error_status_regex"])
        seen: set[str] = set()
        for k_index, kpi in enumerate(service.kpis):
            if kpi.name.replace("-", "_") in seen:
                report.add(KPI_DUPLICATE, f"service {service.name!r} declares KPI {kpi.name!r} twice", ["services", s_index, "kpis", k_index, "name"])
            seen.add(kpi.name.replace("-", "_"))
    environments = {e.name for e in catalog.environments}
    comparison = catalog.metrics.comparison
    if "comparison" in catalog.metrics.model_fields_set:
        for field in ("target", "baseline"):
            if getattr(comparison, field) not in environments:
                name = getattr(comparison, field)
                report.add(
                    UNKNOWN_ENVIRONMENT, f"environment {name!r} is not declared", ["metrics", "comparison", field],
                    hint=reference_hint(name, environments, "environment"),
                )
    auth = catalog.metrics.remote_write_auth
    if auth is not None and (auth.username is None) != (auth.password_file is None):
        report.add(REMOTE_WRITE_AUTH, "basic auth needs both `username` and `password_file`", ["metrics", "remote_write_auth"])
    if auth is not None and auth.password_file and auth.bearer_token_file:
        report.add(REMOTE_WRITE_AUTH, "give basic auth or a bearer token file, not both", ["metrics", "remote_write_auth"])


def percentiles_are_distinct_quantiles(catalog: Catalog, report: Reporter) -> None:
    """Each latency percentile is a quantile between 0 and 1, and no two share a `quantile` label.

    The label is `quantile_label`, the one the recording families write (the shortest general
    format of the number), so 0.5 and 0.50000001 are one series recorded twice, which promtool
    refuses as duplicate rules. Outside 0..1, histogram_quantile returns ±Inf.
    """
    seen: dict[str, int] = {}
    for index, q in enumerate(catalog.metrics.percentiles):
        path: list[PathStep] = ["metrics", "percentiles", index]
        if not 0 <= q <= 1:
            report.add(PERCENTILE, f"percentile {q:g} is not a quantile between 0 and 1", path, hint="write p99 as 0.99")
            continue
        label = quantile_label(q)
        if label in seen:
            report.add(
                PERCENTILE,
                f"percentile {q!r} records the same quantile=\"{label}\" series as percentiles[{seen[label]}]",
                path,
                hint="list each percentile once",
            )
        seen.setdefault(label, index)


def rate_windows_hold_four_scrapes(catalog: Catalog, report: Reporter) -> None:
    """Every rate window of the bundle holds four scrapes, as `lgtmgen check` requires of each rule.

    The recording families, journeys and service-graph rules rate over a fixed 5m, so the scrape
    interval is at most a quarter of it; a counter KPI's own window must hold four scrapes too.
    """
    scrape = parse_duration(catalog.defaults.scrape_interval)
    if MIN_SCRAPES * scrape > FAMILY_RATE_WINDOW:
        report.add(
            SCRAPE_TOO_LONG,
            f"a scrape interval of {catalog.defaults.scrape_interval} leaves fewer than {MIN_SCRAPES} scrapes in "
            f"the {format_duration(FAMILY_RATE_WINDOW)} rate windows of the recording rules",
            ["defaults", "scrape_interval"],
            hint=f"scrape at most every {format_duration(FAMILY_RATE_WINDOW / MIN_SCRAPES)}",
        )
    for s_index, service in enumerate(catalog.services):
        for k_index, kpi in enumerate(service.kpis):
            if kpi.kind == "counter" and parse_duration(kpi.window) < MIN_SCRAPES * scrape:
                report.add(
                    KPI_WINDOW,
                    f"KPI {kpi.name!r} rates over {kpi.window}, fewer than {MIN_SCRAPES} scrapes of "
                    f"{catalog.defaults.scrape_interval}",
                    ["services", s_index, "kpis", k_index, "window"],
                    hint=f"use a window of at least {format_duration(MIN_SCRAPES * scrape)}",
                )


def evaluation_interval_is_usual(catalog: Catalog, report: Reporter) -> None:
    """A warning for rules evaluated every few seconds: Prometheus (or Mimir's ruler) runs every
    SLO rule that often, and the generated promtool tests step through hours of history at that
    interval (a three-SLO catalog at 1s took five minutes of `lgtmgen check`)."""
    evaluation = parse_duration(catalog.defaults.evaluation_interval)
    if evaluation < SHORTEST_USUAL_EVALUATION:
        report.add(
            EVALUATION_SHORT,
            f"rules evaluated every {catalog.defaults.evaluation_interval} cost Prometheus {30 / evaluation:g} "
            "times the rule CPU of a 30s interval, and the generated promtool tests step through hours of "
            "history at that interval (minutes per service in lgtmgen check)",
            ["defaults", "evaluation_interval"],
            hint=f"evaluate every {format_duration(SHORTEST_USUAL_EVALUATION)} or more (15s to 1m is usual)",
            severity=Severity.WARNING,
        )


def cluster_prometheus_is_consistent(catalog: Catalog, report: Reporter) -> None:
    """An agent-mode Prometheus evaluates no rules and serves no queries (so no /federate); rule objects
    for an operator-run one carry the labels its ruleSelector needs."""
    for index, cluster in enumerate(catalog.clusters):
        prometheus = cluster.prometheus
        if prometheus is not None and prometheus.operator is not None and not prometheus.operator.rule_labels:
            report.add(
                OPERATOR_NO_LABELS,
                f"cluster {cluster.name!r}: the Prometheus resource loads only the PrometheusRule objects its "
                "ruleSelector matches, and the objects carry no label of yours",
                ["clusters", index, "prometheus", "operator"],
                hint="set rule_labels to what the ruleSelector matches (kube-prometheus-stack: {release: <release name>}), "
                "unless it selects every object",
                severity=Severity.WARNING,
            )
        if prometheus is None or prometheus.mode != "agent":
            continue
        base: list[PathStep] = ["clusters", index, "prometheus"]
        if prometheus.operator is not None:
            report.add(
                AGENT_RULES,
                f"cluster {cluster.name!r} runs Prometheus in agent mode, which loads no rules, so no PrometheusRule objects are written for it",
                [*base, "operator"],
                hint="remove `operator`, or set `mode: server` if this Prometheus should evaluate rules",
            )
        if catalog.metrics.federation and prometheus.address:
            report.add(
                AGENT_FEDERATION,
                f"cluster {cluster.name!r} runs Prometheus in agent mode, which has no /federate endpoint for the global Prometheus",
                [*base, "address"],
                hint="remove `address` (its series reach Mimir by remote write), or set `mode: server`",
            )


def autoscaling_is_complete(catalog: Catalog, report: Reporter) -> None:
    """Autoscaling hints make valid HorizontalPodAutoscalers: a ceiling, floor <= ceiling, a Kubernetes
    workload name, and no two services scaling the same workload."""
    seen: dict[tuple[str, str, str], str] = {}
    for index, service in enumerate(catalog.services):
        hints = service.resources
        if hints is None:
            continue
        base: list[PathStep] = ["services", index, "resources"]
        if hints.max_replicas is None:
            for field in ("min_replicas", "target_cpu_utilization"):
                if getattr(hints, field) is not None:
                    report.add(
                        AUTOSCALING_NEEDS_MAX,
                        f"service {service.name!r} sets {field} but no max_replicas, so no autoscaler is written",
                        [*base, field],
                        hint="add max_replicas (a HorizontalPodAutoscaler needs a ceiling)",
                        severity=Severity.WARNING,
                    )
            continue
        if hints.min_replicas is not None and hints.min_replicas > hints.max_replicas:
            report.add(
                AUTOSCALING_RANGE,
                f"min_replicas {hints.min_replicas} is above max_replicas {hints.max_replicas}",
                [*base, "min_replicas"],
            )
        name = service.workload()
        # Point at the field the name came from; a default from the service name points at the request.
        path: list[PathStep] = [*base, "workload"] if hints.workload else (
            ["services", index, "logs", "workload"] if service.logs and service.logs.workload else [*base, "max_replicas"]
        )
        if len(name) > 253 or not _K8S_SUBDOMAIN.fullmatch(name):
            report.add(
                AUTOSCALING_NAME,
                f"workload name {name!r} is not a Kubernetes object name (lower-case letters, digits, '-' and '.')",
                path,
                hint="set resources.workload to the name of the Deployment" if path[-1] == "max_replicas" else None,
            )
        identity = (hints.namespace, hints.workload_kind, name)
        if identity in seen:
            report.add(
                AUTOSCALING_DUPLICATE,
                f"service {seen[identity]!r} already scales {hints.workload_kind} {hints.namespace}/{name}; "
                "two autoscalers of one workload fight (and kubectl apply -k refuses the pair)",
                path,
                hint="give each service its own workload (resources.workload)",
            )
        seen.setdefault(identity, service.name)


def team_names_leave_ruler_namespaces_free(catalog: Catalog, report: Reporter) -> None:
    """A team's Mimir ruler namespace is its name; the bundle's own namespaces are not free for teams."""
    for index, team in enumerate(catalog.teams):
        if team.name in RULER_NAMESPACES:
            report.add(
                TEAM_RESERVED,
                f"team {team.name!r} would share the Mimir ruler namespace the bundle uses for its own "
                "groups, so their rule files would collide or merge",
                ["teams", index, "name"],
                hint=f"choose a team name other than {', '.join(RULER_NAMESPACES)}",
            )
