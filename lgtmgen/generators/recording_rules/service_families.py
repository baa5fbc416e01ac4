"""Recording rules of one service: latency percentiles, RED, KPIs, resource efficiency, security.

Every record is named ``level:metric:operation``; every series carries the
`service` and `team` labels so roll-ups and cost allocation can group by them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from lgtmgen.catalog.models import Service
from lgtmgen.catalog.models.metrics_platform import KPI, MetricsSettings
from lgtmgen.plan import RequestMetrics, resolve_metrics
from lgtmgen.promql import matchers, quantile_label, string_literal

Rule = dict[str, Any]
RATE_WINDOW = "5m"
# Where a series comes from; in Mimir both are external labels of the sending Prometheus.
PLACEMENT = "cluster, environment"
SECONDS_PER_DAY = 86400


def _identity(service: Service) -> dict[str, str]:
    return {"service": service.name, "team": service.team}


def _record(name: str, expr: str, service: Service, **labels: str) -> Rule:
    return {"record": name, "expr": expr, "labels": {**_identity(service), **labels}}


def latency_percentiles(service: Service, metrics: RequestMetrics, settings: MetricsSettings) -> list[Rule]:
    """p-quantiles per route, from classic buckets or native histograms."""
    if not metrics.duration:
        return []
    sel = matchers(metrics.selector)
    route = metrics.route_label
    by = ", ".join([PLACEMENT, *([route] if route else [])])
    rules = []
    for q in settings.percentiles:
        if metrics.native_histograms:
            inner = f"sum by ({by}) (rate({metrics.duration}{{{sel}}}[{RATE_WINDOW}]))"
            name = "service_route:request_duration_seconds:histogram_quantile_native"
        else:
            inner = f"sum by ({by}, le) (rate({metrics.duration}_bucket{{{sel}}}[{RATE_WINDOW}]))"
            name = "service_route:request_duration_seconds:histogram_quantile"
        rules.append(_record(name, f"histogram_quantile({q!r}, {inner})", service, quantile=quantile_label(q)))
    return rules


def red(service: Service, metrics: RequestMetrics) -> list[Rule]:
    """Request rate, error rate and error ratio per cluster."""
    if not metrics.requests:
        return []
    sel = matchers(metrics.selector)
    total = f"sum by ({PLACEMENT}) (rate({metrics.requests}{{{sel}}}[{RATE_WINDOW}]))"
    rules = [_record("service:requests:rate5m", total, service)]
    if metrics.status_label and metrics.error_status_regex:
        err_sel = matchers(metrics.selector, f"{metrics.status_label}=~{string_literal(metrics.error_status_regex)}")
        errors = f"sum by ({PLACEMENT}) (rate({metrics.requests}{{{err_sel}}}[{RATE_WINDOW}]))"
        own = matchers(_identity(service))
        rules.append(_record("service:request_errors:rate5m", errors, service))
        rules.append(
            _record(
                "service:request_errors:ratio_rate5m",
                f"service:request_errors:rate5m{{{own}}}\n/ service:requests:rate5m{{{own}}}",
                service,
            )
        )
    return rules


def kpi_name(name: str) -> str:
    """A KPI identifier as the metric part of a record name (hyphens are not allowed there)."""
    return name.replace("-", "_")


def kpi_record(kpi: KPI) -> str:
    """The name of a KPI's record: ``service:<kpi>:<aggregation>`` (counters: ``..._rate<window>``)."""
    op = f"{kpi.aggregation}_rate{kpi.window}" if kpi.kind == "counter" else kpi.aggregation
    return f"service:{kpi_name(kpi.name)}:{op}"


def kpis(service: Service) -> list[Rule]:
    """One record per KPI: its aggregation by cluster and the declared dimensions."""
    rules = []
    selector = resolve_metrics(service).selector
    for kpi in service.kpis:
        by = ", ".join([PLACEMENT, *kpi.dimensions])
        # Only the service's series: another service exposing the same metric is not this KPI.
        labels = kpi.selector_of(selector)
        series = f"{kpi.metric}{{{matchers(labels)}}}" if labels else kpi.metric
        rated = f"rate({series}[{kpi.window}])" if kpi.kind == "counter" else series
        rules.append(_record(kpi_record(kpi), f"{kpi.aggregation} by ({by}) ({rated})", service, kpi=kpi.name))
    return rules


def kpi_dimensions(services: Iterable[Service]) -> dict[str, set[str]]:
    """The dimensions each KPI record of `services` keeps, by record name (a name two services
    share keeps the labels of both)."""
    kept: dict[str, set[str]] = {}
    for service in services:
        for kpi in service.kpis:
            kept.setdefault(kpi_record(kpi), set()).update(kpi.dimensions)
    return kept


def resource_selector(service: Service) -> str:
    """Matchers of the service's containers (namespace and container name)."""
    assert service.resources is not None
    return matchers({"namespace": service.resources.namespace, "container": service.resources.container or service.name})


def resource_efficiency(service: Service, settings: MetricsSettings) -> list[Rule]:
    """CPU cores and memory bytes used and requested, and their ratios."""
    if service.resources is None:
        return []
    names = settings.resource_metrics
    sel = resource_selector(service)
    own = matchers(_identity(service))
    rules = [
        _record("service:cpu_usage:cores", f"sum by ({PLACEMENT}) (rate({names.cpu_usage}{{{sel}}}[{RATE_WINDOW}]))", service),
        _record("service:memory_usage:bytes", f"sum by ({PLACEMENT}) ({names.memory_usage}{{{sel}}})", service),
    ]
    for resource, unit in (("cpu", "cores"), ("memory", "bytes")):
        req_sel = matchers({"namespace": service.resources.namespace, "container": service.resources.container or service.name, "resource": resource})
        rules.append(_record(f"service:{resource}_requests:{unit}", f"sum by ({PLACEMENT}) ({names.requests}{{{req_sel}}})", service))
        rules.append(
            _record(
                f"service:{resource}_usage:ratio_requests",
                f"service:{resource}_usage:{unit}{{{own}}}\n/ service:{resource}_requests:{unit}{{{own}}}",
                service,
            )
        )
    return rules


def security_posture(service: Service, settings: MetricsSettings) -> list[Rule]:
    """Days to the nearest certificate expiry and vulnerability counts in the service's namespace."""
    if service.resources is None:
        return []
    ns = matchers({"namespace": service.resources.namespace})
    rules = []
    if "cert-manager" in settings.security.exporters:
        expiry = f"min by ({PLACEMENT}) ({settings.security.certificate_expiry_metric}{{{ns}}} - time()) / {SECONDS_PER_DAY}"
        rules.append(_record("service:certificate_expiry:days", expiry, service))
    if "trivy-operator" in settings.security.exporters:
        vulns = f"sum by ({PLACEMENT}, severity) ({settings.security.vulnerability_metric}{{{ns}}})"
        rules.append(_record("service:image_vulnerabilities:sum", vulns, service))
    return rules


def service_rules(
    service: Service, settings: MetricsSettings, only: Collection[str] | None = None
) -> list[tuple[str, list[Rule]]]:
    """(family, rules) of every switched-on family (of `only`, if given) that has rules for this service."""
    metrics = resolve_metrics(service)
    families = settings.families
    chosen: list[tuple[str, bool, Callable[[], list[Rule]]]] = [
        ("latency", families.latency_percentiles, lambda: latency_percentiles(service, metrics, settings)),
        ("red", families.red, lambda: red(service, metrics)),
        ("kpis", families.kpis, lambda: kpis(service)),
        ("resources", families.resource_efficiency, lambda: resource_efficiency(service, settings)),
        ("security", families.security_posture, lambda: security_posture(service, settings)),
    ]
    out = []
    for family, enabled, build in chosen:
        rules = build() if enabled and (only is None or family in only) else []
        if rules:
            out.append((family, rules))
    return out
