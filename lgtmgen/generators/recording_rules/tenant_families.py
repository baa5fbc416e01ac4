"""Recording rules across services: cost allocation per team, environment comparison, roll-ups."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from lgtmgen.catalog.models import Service
from lgtmgen.generators.recording_rules.service_families import Rule
from lgtmgen.plan import Plan, resolve_metrics
from lgtmgen.promql import matchers

BYTES_PER_GIB = 1024**3
TEAM_COST = "team:resource_cost:currency_per_hour"

# Records whose values add up across instances and clusters; ratios and quantiles do not.
ADDITIVE_RECORDS = (
    "service:requests:rate5m",
    "service:request_errors:rate5m",
    "service:cpu_usage:cores",
    "service:memory_usage:bytes",
)


def price_rules(plan: Plan) -> list[Rule]:
    """One constant series per cluster and resource holding its unit price."""
    rules = []
    for cluster in plan.catalog.clusters:
        prices = cluster.prometheus.prices if cluster.prometheus else None
        if prices is None:
            continue
        labels = {"cluster": cluster.name, "currency": prices.currency}
        rules.append({"record": "cluster:cpu_core_hour:price", "expr": f"vector({prices.cpu_core_hour!r})", "labels": labels})
        rules.append({"record": "cluster:memory_gib_hour:price", "expr": f"vector({prices.memory_gib_hour!r})", "labels": dict(labels)})
    return rules


def team_cost(team: str) -> Rule:
    """Hourly cost of a team's containers: usage times the price of the cluster they run in."""
    own = matchers({"team": team})
    cpu = f"sum by (cluster, environment, team) (service:cpu_usage:cores{{{own}}})\n* on (cluster) group_left (currency) cluster:cpu_core_hour:price"
    memory = (
        f"sum by (cluster, environment, team) (service:memory_usage:bytes{{{own}}}) / {BYTES_PER_GIB}\n"
        "* on (cluster) group_left (currency) cluster:memory_gib_hour:price"
    )
    return {"record": TEAM_COST, "expr": f"(\n{cpu}\n)\n+\n(\n{memory}\n)", "labels": {"team": team}}


def environment_comparison(plan: Plan, service: Service) -> list[Rule]:
    """Error ratio and request rate of the target environment over the baseline's."""
    settings = plan.catalog.metrics.comparison
    envs = {plan.clusters[c].environment for c in (service.clusters or plan.clusters) if c in plan.clusters}
    metrics = resolve_metrics(service)
    if not {settings.target, settings.baseline} <= envs or not metrics.requests:
        return []
    own = {"service": service.name, "team": service.team}
    rules: list[Rule] = []
    for metric in ("requests", "request_errors"):
        per_env = f"sum by (environment) (service:{metric}:rate5m{{{matchers(own)}}})"
        rules.append({"record": f"service_environment:{metric}:rate5m", "expr": per_env, "labels": dict(own)})
    ratio = (
        f"service_environment:request_errors:rate5m{{{matchers(own)}}}\n"
        f"/ service_environment:requests:rate5m{{{matchers(own)}}}"
    )
    rules.append({"record": "service_environment:request_errors:ratio_rate5m", "expr": ratio, "labels": dict(own)})
    for metric in ("requests", "request_errors"):
        record = f"service_environment:{metric}:rate5m" if metric == "requests" else "service_environment:request_errors:ratio_rate5m"
        target = matchers({**own, "environment": settings.target})
        baseline = matchers({**own, "environment": settings.baseline})
        expr = f"{record}{{{target}}}\n/ ignoring (environment) {record}{{{baseline}}}"
        op = f"{settings.target}_over_{settings.baseline}".replace("-", "_")
        name = "service:requests:rate5m_" + op if metric == "requests" else "service:request_errors:ratio_" + op
        rules.append({"record": name, "expr": expr, "labels": dict(own)})
    return rules


GLOBAL_LEVEL = "global"


def rollup_level(keep: list[str]) -> str:
    """The level part of a roll-up record: the labels it keeps, joined (`global` for none)."""
    return "_".join(sorted(keep)) or GLOBAL_LEVEL


def additive_records(rules: list[Rule]) -> set[str]:
    """Names among `rules` whose values add up across instances, clusters and services."""
    out = set()
    for rule in rules:
        name = rule.get("record", "")
        summed_kpi = "kpi" in rule.get("labels", {}) and name.split(":")[-1].startswith("sum")
        if name in ADDITIVE_RECORDS or name == TEAM_COST or summed_kpi:
            out.add(name)
    return out


def rollup_rules(keep_labels: list[str], record_names: set[str], dimensions: Mapping[str, Collection[str]]) -> list[Rule]:
    """Aggregate each additive record of the source tenants down to the kept labels; a KPI's record
    keeps its `dimensions` too (order values in EUR and in USD do not add up, nor do failed and
    placed orders)."""
    keep = sorted(set(keep_labels))
    rules = []
    for name in sorted(record_names):
        by = sorted({*keep, "currency"} - {"service"}) if name == TEAM_COST else sorted({*keep, *dimensions.get(name, ())})
        _, metric, op = name.split(":")
        rules.append({"record": f"{rollup_level(by)}:{metric}:{op}", "expr": f"sum by ({', '.join(by)}) ({name})"})
    return rules
