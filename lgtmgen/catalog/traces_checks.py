"""Semantic checks of the traces area: tenant tiers, journeys and their steps."""

from __future__ import annotations

import re

from lgtmgen.catalog.conventions import resolve_metrics
from lgtmgen.catalog.journey_tenancy import journey_tenant, step_tenants
from lgtmgen.catalog.models import Catalog, LatencySLI, Service
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.catalog.models.traces import endpoint_scheme
from lgtmgen.catalog.positions import PathStep
from lgtmgen.catalog.semantics import Reporter, reference_hint
from lgtmgen.diagnostics import Severity

UNKNOWN_TIER = "catalog/traces-unknown-tier"
JOURNEY_DUPLICATE = "catalog/journey-duplicate-name"
JOURNEY_UNKNOWN_SERVICE = "catalog/journey-unknown-service"
JOURNEY_UNKNOWN_TEAM = "catalog/journey-unknown-team"
JOURNEY_STEP_UNMEASURED = "catalog/journey-step-unmeasured"
JOURNEY_CROSS_TENANT = "catalog/journey-cross-tenant"
JOURNEY_NO_SHARED_CLUSTER = "catalog/journey-no-shared-cluster"
TEMPO_TLS_CONFLICT = "catalog/traces-tempo-tls-conflict"
DECISION_WAIT_BOUNDS = "catalog/traces-decision-wait-bounds"
DECISION_WAIT_CAPPED = "catalog/traces-decision-wait-capped"
DUPLICATE_DIMENSION = "catalog/traces-duplicate-dimension"

# Tempo names a dimension's label as Prometheus sanitises label names: every character
# outside [a-zA-Z0-9_] becomes `_`.
_LABEL_UNSAFE = re.compile(r"[^a-zA-Z0-9_]")


def tempo_label(attribute: str) -> str:
    """The label Tempo's metrics generator gives a span attribute used as a dimension."""
    return _LABEL_UNSAFE.sub("_", attribute)


def traces_tiers_are_declared(catalog: Catalog, report: Reporter) -> None:
    """Every tenant tier has a meaning for traces once the catalog has a `traces:` section."""
    if "tiers" not in catalog.traces.model_fields_set:
        return
    tiers = catalog.traces.tiers
    for index, tenant in enumerate(catalog.tenants):
        if tenant.tier not in tiers:
            report.add(
                UNKNOWN_TIER,
                f"tenant {tenant.name!r} has tier {tenant.tier!r}, which traces.tiers does not define "
                f"(defined: {', '.join(sorted(tiers)) or 'none'})",
                ["tenants", index, "tier"],
                hint=f"add traces.tiers.{tenant.tier} with its retention and limits",
            )


def journeys_are_consistent(catalog: Catalog, report: Reporter) -> None:
    """Journey names are unique; steps name declared, measurable services; owners exist."""
    services = {s.name: s for s in catalog.services}
    teams = {t.name for t in catalog.teams}
    seen: set[str] = set()
    for index, journey in enumerate(catalog.journeys):
        base: list[PathStep] = ["journeys", index]
        if journey.name in seen:
            report.add(
                JOURNEY_DUPLICATE,
                f"journey {journey.name!r} is declared twice",
                [*base, "name"],
            )
        seen.add(journey.name)
        if journey.team not in teams:
            report.add(
                JOURNEY_UNKNOWN_TEAM, f"unknown team {journey.team!r}", [*base, "team"],
                hint=reference_hint(journey.team, teams, "team"),
            )
        tenants = step_tenants(journey, services)
        if len(tenants) > 1:
            where = (
                f"journey {journey.name!r} reads the metrics of tenants {', '.join(tenants)}; the "
                f"Mimir ruler evaluates it in tenant {journey_tenant(journey, services)!r} with a "
                "federated rule group (source_tenants)"
            )
            if catalog.mimir.storage is not None:
                report.add(JOURNEY_CROSS_TENANT, f"{where}, so mimir.yaml turns tenant federation on", [*base, "steps"], severity=Severity.INFO)
            else:
                # Without mimir.storage the bundle writes no mimir.yaml, so nothing it writes turns federation on.
                report.add(
                    JOURNEY_CROSS_TENANT,
                    f"{where}, which Mimir refuses unless tenant federation is on; without mimir.storage the "
                    "bundle writes no mimir.yaml to turn it on",
                    [*base, "steps"],
                    severity=Severity.WARNING,
                    hint="start Mimir with -tenant-federation.enabled=true and -ruler.tenant-federation.enabled=true, "
                    "or declare mimir.storage so that mimir/mimir.yaml sets them",
                )
        for n, step in enumerate(journey.steps):
            service = services.get(step.service)
            if service is None:
                report.add(
                    JOURNEY_UNKNOWN_SERVICE,
                    f"journey {journey.name!r} step {n + 1} names unknown service {step.service!r}",
                    [*base, "steps", n, "service"],
                    hint=reference_hint(step.service, services, "service"),
                )
                continue
            metrics = resolve_metrics(service)
            if not (metrics.requests and metrics.status_label and metrics.route_label and metrics.duration):
                report.add(
                    JOURNEY_STEP_UNMEASURED,
                    f"service {service.name!r} lacks a requests metric, status label, route label "
                    "or duration histogram, so this step cannot be measured",
                    [*base, "steps", n],
                    hint="use the http or grpc convention, or name the metrics under services[].metrics",
                )
        _steps_share_a_cluster(catalog, journey.name, [services[s.service] for s in journey.steps if s.service in services], base, report)


def _steps_share_a_cluster(
    catalog: Catalog, journey: str, steps: list[Service], base: list[PathStep], report: Reporter
) -> None:
    """A journey is measured per cluster, so some cluster must run every one of its steps."""
    everywhere = [c.name for c in catalog.clusters]
    if not everywhere:
        return
    shared = set(everywhere)
    for service in steps:
        shared &= set(service.clusters or everywhere)
    if steps and not shared:
        placement = "; ".join(f"{s.name}: {', '.join(s.clusters or everywhere) or 'none'}" for s in steps)
        report.add(
            JOURNEY_NO_SHARED_CLUSTER,
            f"no cluster runs every step of journey {journey!r} ({placement}), and a journey is measured "
            "per cluster, so it would never be evaluated",
            [*base, "steps"],
            hint="run the step services in a common cluster (services[].clusters), or split the journey",
        )


def tempo_tls_is_consistent(catalog: Catalog, report: Reporter) -> None:
    """The export TLS agrees with the endpoint scheme, which the collector lets win."""
    sampling = catalog.traces.sampling
    tls = sampling.tempo_tls
    base: list[PathStep] = ["traces", "sampling", "tempo_tls"]
    scheme = endpoint_scheme(sampling.tempo_endpoint)
    if scheme == "https" and tls.insecure is True:
        report.add(
            TEMPO_TLS_CONFLICT,
            f"tempo_endpoint {sampling.tempo_endpoint!r} is https://, which makes the collector "
            "use TLS whatever insecure says",
            [*base, "insecure"],
            hint="drop the https:// scheme for plaintext gRPC, or remove insecure: true",
        )
    elif scheme == "http" and (tls.insecure is False or tls.ca_file is not None):
        report.add(
            TEMPO_TLS_CONFLICT,
            f"tempo_endpoint {sampling.tempo_endpoint!r} is http://, which makes the collector "
            "send plaintext whatever insecure or ca_file say",
            [*base, "insecure" if tls.insecure is False else "ca_file"],
            hint="use an https:// or bare host:port endpoint for TLS",
        )
    elif tls.ca_file is not None and tls.is_insecure(sampling.tempo_endpoint):
        report.add(
            TEMPO_TLS_CONFLICT,
            "ca_file is set but the export to Tempo is plaintext, so it would be ignored",
            [*base, "ca_file"],
            hint="remove insecure: true to verify Tempo with this CA",
        )


def decision_wait_bounds_hold(catalog: Catalog, report: Reporter) -> None:
    """The floor of the sampler's wait is not above its ceiling; say where the ceiling bites.

    The sampler gives every trace twice the tightest latency-SLO threshold of the slowest
    service; a service whose threshold needs more than `max_decision_wait` is warned about,
    since its slow traces are judged before they end.
    """
    sampling = catalog.traces.sampling
    base: list[PathStep] = ["traces", "sampling"]
    ceiling = parse_duration(sampling.max_decision_wait)
    if parse_duration(sampling.min_decision_wait) > ceiling:
        report.add(
            DECISION_WAIT_BOUNDS,
            f"min_decision_wait {sampling.min_decision_wait} is longer than max_decision_wait "
            f"{sampling.max_decision_wait}",
            [*base, "min_decision_wait"],
        )
        return
    for s_index, service in enumerate(catalog.services):
        latency = [
            (slo.sli.threshold, n, slo.name)
            for n, slo in enumerate(service.slos)
            if isinstance(slo.sli, LatencySLI)
        ]
        if not latency:
            continue
        # The slow policy and the wait use the service's tightest threshold.
        threshold, n, slo_name = min(latency)
        if 2 * threshold <= ceiling:
            continue
        fate = (
            "keep-slow cannot see any of them"
            if threshold >= ceiling
            else f"traces slower than about {sampling.max_decision_wait} are judged before they end"
        )
        report.add(
            DECISION_WAIT_CAPPED,
            f"latency SLO {slo_name!r} of service {service.name!r} has threshold {threshold:g}s, but "
            f"the sampler of tenant {service.tenant!r} waits at most {sampling.max_decision_wait} "
            f"(traces.sampling.max_decision_wait), less than twice the threshold: {fate}, and only "
            "errors, critical routes and the baseline keep them",
            ["services", s_index, "slos", n, "sli", "threshold"],
            severity=Severity.WARNING,
            hint="raise max_decision_wait (memory grows with it), or rely on the baseline for these traces",
        )


def dimensions_are_distinct(catalog: Catalog, report: Reporter) -> None:
    """No two dimensions of one list become the same label in Tempo.

    Tempo's metrics generator accepts such a list and keeps one label per name, the
    dimension listed last: a repeated attribute is a no-op that hides a typo, and two
    attributes sanitised alike (`http.method`, `http_method`) silently lose one of them.
    """
    for field in ("span_metrics_dimensions", "service_graph_dimensions"):
        first: dict[str, str] = {}
        for index, attribute in enumerate(getattr(catalog.traces, field)):
            label = tempo_label(attribute)
            if label not in first:
                first[label] = attribute
                continue
            same = first[label] == attribute
            report.add(
                DUPLICATE_DIMENSION,
                f"traces.{field} lists {attribute!r} twice"
                if same
                else f"traces.{field}: {attribute!r} and {first[label]!r} both become label {label!r} in Tempo",
                ["traces", field, index],
                hint="remove the repeated dimension"
                if same
                else "keep one of the two attributes; Tempo would keep only the one listed last",
            )
