"""Service-graph rules: traced edges against declared dependencies, with promtool tests.

Tempo's service-graph processor counts calls in ``traces_service_graph_request_total``
with `client`, `server` and `connection_type` labels. Each declared dependency becomes a
``service_graph:declared_edge:info`` series and each catalog service a
``service_graph:known_client:info`` series. Alerts, all tickets:

- ``UndeclaredDependency`` (per calling service): an edge with traffic that is not declared;
- ``DeclaredDependencyIdle`` (per calling service): a declared edge with no traffic for
  `traces.service_graph.idle_after`;
- ``UnknownCaller`` (per called service): a caller the catalog does not know at all.

Edges whose `connection_type` is ignored (databases, uninstrumented peers by default)
never count as undeclared: depends_on can only name catalog services.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models import Service
from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.catalog.models.traces import ServiceGraphSettings
from lgtmgen.naming import slug
from lgtmgen.plan import Plan
from lgtmgen.promql import matchers, string_literal
from lgtmgen.regex import alternation
from lgtmgen.runbook_links import service_runbook_url
from lgtmgen.templating import go_text

REQUESTS = "traces_service_graph_request_total"
DECLARED = "service_graph:declared_edge:info"
KNOWN_CLIENT = "service_graph:known_client:info"
UNDECLARED_ALERT = "UndeclaredDependency"
IDLE_ALERT = "DeclaredDependencyIdle"
UNKNOWN_CALLER_ALERT = "UnknownCaller"
RULES_PATH = "prometheus/rules/traces/service-graph.yaml"
TESTS_PATH = "prometheus/tests/traces/service-graph.test.yaml"
MAX_RULES_PER_GROUP = 20
RATE_WINDOW = "5m"
SERVER = "{{ $labels.server }}"
CLIENT = "{{ $labels.client }}"


def edge_record(client: str, server: str) -> dict[str, Any]:
    return {"record": DECLARED, "expr": "vector(1)", "labels": {"client": client, "server": server}}


def runbook_link(plan: Plan, service_name: str, alert: str) -> str:
    """The runbook section of `alert` on the service's page (the runbooks generator's anchors)."""
    service = plan.services.get(service_name)
    own = service.runbook_url if service is not None else None
    return service_runbook_url(plan.catalog.defaults.runbook_base_url, service_name, alert, own)


def alert_labels(service: Service, severity: str) -> dict[str, str]:
    """The routing labels as an alert carries them (what a promtool test expects)."""
    return {"severity": severity, "team": service.team, "service": service.name, "tier": str(service.tier)}


def rule_labels(service: Service, severity: str) -> dict[str, str]:
    """`alert_labels` as written in a rule: Prometheus expands label values as Go templates."""
    return {key: go_text(value) for key, value in alert_labels(service, severity).items()}


def _traffic(labels: dict[str, str], settings: ServiceGraphSettings) -> str:
    ignored = "|".join(sorted(set(settings.ignored_connection_types)))
    extra = f"connection_type!~{string_literal(ignored)}" if ignored else ""
    return f"{REQUESTS}{{{matchers(labels, extra)}}}"


def undeclared_annotations(service: str, server: str) -> dict[str, str]:
    """Annotations with names as Go template text (rules) or as expanded (tests)."""
    return {
        "summary": f"{service} calls {server}, which it does not declare",
        "description": (
            f"Traces show calls from this service to {server}, but the catalog's "
            "depends_on does not list it. Declare the dependency or remove the call."
        ),
    }


def idle_annotations(service: str, server: str, idle_after: str) -> dict[str, str]:
    return {
        "summary": f"{service} declares a dependency on {server} that carried no traced call for {idle_after}",
        "description": (
            "The dependency is declared in the catalog but no trace shows it. Remove it from "
            "depends_on if it is gone, or check the instrumentation of both services."
        ),
    }


def unknown_caller_annotations(service: str, client: str) -> dict[str, str]:
    return {
        "summary": f"{client}, which the catalog does not know, calls {service}",
        "description": (
            f"Traces show calls from {client} to this service, but no catalog service has that "
            "name. Add the caller to the catalog with its dependencies, or fix its service.name."
        ),
    }


def _traffic_alert(
    service: Service, settings: ServiceGraphSettings, alert: str, side: str, unless: str, annotations: dict[str, str]
) -> dict[str, Any]:
    """Traffic on the service's `side` of an edge ("client" or "server") that `unless` does not explain."""
    traffic = _traffic({side: service.name}, settings)
    return {
        "alert": alert,
        "expr": f"sum by (client, server) (rate({traffic}[{RATE_WINDOW}])) > 0\nunless {unless}",
        "for": format_duration(parse_duration(settings.undeclared_for)),
        "labels": rule_labels(service, "ticket"),
        "annotations": annotations,
    }


def undeclared_alert(service: Service, settings: ServiceGraphSettings) -> dict[str, Any]:
    annotations = undeclared_annotations(go_text(service.name), SERVER)
    return _traffic_alert(service, settings, UNDECLARED_ALERT, "client", f"on (client, server)\n{DECLARED}", annotations)


def paired_dependencies(plan: Plan, service: Service) -> list[str]:
    """The declared dependencies Tempo can see `service` call: those of its own tenant.

    Tempo pairs a client span with its server span within one tenant; a call into another
    tenant's service never becomes an edge there, so it could only ever look idle.
    """
    return [d for d in sorted(set(service.depends_on)) if plan.services[d].tenant == service.tenant]


def idle_alert(service: Service, settings: ServiceGraphSettings, servers: list[str]) -> dict[str, Any]:
    """`servers`: the declared dependencies whose calls Tempo can see (`paired_dependencies`)."""
    declared = matchers({"client": service.name}, f"server=~{string_literal(alternation(servers))}")
    client = matchers({"client": service.name})
    idle_after = format_duration(parse_duration(settings.idle_after))
    return {
        "alert": IDLE_ALERT,
        "expr": (
            f"{DECLARED}{{{declared}}}\nunless on (client, server)\n"
            f"(sum by (client, server) (increase({REQUESTS}{{{client}}}[{idle_after}])) > 0)"
        ),
        "labels": rule_labels(service, "ticket"),
        "annotations": idle_annotations(go_text(service.name), SERVER, idle_after),
    }


def unknown_caller_alert(service: Service, settings: ServiceGraphSettings) -> dict[str, Any]:
    annotations = unknown_caller_annotations(go_text(service.name), CLIENT)
    return _traffic_alert(service, settings, UNKNOWN_CALLER_ALERT, "server", f"on (client)\n{KNOWN_CLIENT}", annotations)


def _chunks(rules: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rules[i : i + MAX_RULES_PER_GROUP] for i in range(0, len(rules), MAX_RULES_PER_GROUP)]


def service_groups(plan: Plan, service: Service, settings: ServiceGraphSettings) -> list[dict[str, Any]]:
    """The service's edge records and alerts, split to stay within Mimir's group limit."""
    records = [edge_record(service.name, d) for d in sorted(set(service.depends_on))]
    alerts = [undeclared_alert(service, settings), unknown_caller_alert(service, settings)]
    if paired := paired_dependencies(plan, service):
        alerts.append(idle_alert(service, settings, paired))
    for alert in alerts:
        alert["annotations"]["runbook_url"] = runbook_link(plan, service.name, alert["alert"])
    name = f"service-graph:{service.name}"
    if len(records) + len(alerts) <= MAX_RULES_PER_GROUP:
        return [{"name": name, "rules": records + alerts}]
    groups = [{"name": f"{name}:edges-{n + 1}", "rules": chunk} for n, chunk in enumerate(_chunks(records))]
    return [*groups, {"name": name, "rules": alerts}]


def known_service_groups(plan: Plan) -> list[dict[str, Any]]:
    """The records naming every catalog service as a known client (every tenant needs them)."""
    known = [
        {"record": KNOWN_CLIENT, "expr": "vector(1)", "labels": {"client": name}} for name in sorted(plan.services)
    ]
    # A colon before the number: a service name holds none, so no service's group
    # (`service-graph:<service>`) can take this name, whatever the service is called.
    return [
        {"name": f"service-graph:known-services:{n + 1}", "rules": chunk} for n, chunk in enumerate(_chunks(known))
    ]


def service_graph_rules(plan: Plan) -> dict[str, Any]:
    settings = plan.catalog.traces.service_graph
    groups = known_service_groups(plan)
    for service in plan.catalog.services:
        groups += service_groups(plan, service, settings)
    return {"groups": groups}


def _series(labels: dict[str, str]) -> str:
    return f"{REQUESTS}{{{matchers(labels)}}}"


def service_graph_tests(plan: Plan, group_order: list[str]) -> dict[str, Any] | None:
    """promtool tests on the service with most dependencies.

    Every declared edge carries traffic except one; the service also calls an undeclared
    service and a database, and an unknown caller calls it. Exactly one alert of each kind
    must fire.
    """
    candidates = [s for s in plan.catalog.services if paired_dependencies(plan, s)]
    if not candidates:
        return None
    service = max(candidates, key=lambda s: len(set(s.depends_on)))
    idle = max(paired_dependencies(plan, service))
    stranger = f"undeclared-{slug(service.name)}"
    caller = f"unknown-caller-of-{slug(service.name)}"
    settings = plan.catalog.traces.service_graph
    idle_after = format_duration(parse_duration(settings.idle_after))
    eval_time = format_duration(parse_duration(settings.undeclared_for) + 600)
    edges = [{"client": s.name, "server": d} for s in plan.catalog.services for d in sorted(set(s.depends_on))]
    edges = [e for e in edges if e != {"client": service.name, "server": idle}]
    edges += [{"client": service.name, "server": stranger}, {"client": caller, "server": service.name}]
    edges += [{"client": service.name, "server": "db", "connection_type": t} for t in settings.ignored_connection_types]
    labels = alert_labels(service, "ticket")

    def expect(alert: str, edge: dict[str, str], annotations: dict[str, str]) -> dict[str, Any]:
        runbook = {"runbook_url": runbook_link(plan, service.name, alert)}
        return {
            "eval_time": eval_time,
            "alertname": alert,
            "exp_alerts": [{"exp_labels": {**labels, **edge}, "exp_annotations": {**annotations, **runbook}}],
        }

    return {
        "rule_files": [f"../../rules/traces/{RULES_PATH.rsplit('/', 1)[1]}"],
        "evaluation_interval": "1m",
        # The file's order (edge records before the alerts that read them): promtool orders groups
        # it is not told about at random, run to run.
        "group_eval_order": group_order,
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": _series(e), "values": "0+60x120"} for e in edges],
                "alert_rule_test": [
                    expect(
                        UNDECLARED_ALERT,
                        {"client": service.name, "server": stranger},
                        undeclared_annotations(service.name, stranger),
                    ),
                    expect(
                        IDLE_ALERT,
                        {"client": service.name, "server": idle},
                        idle_annotations(service.name, idle, idle_after),
                    ),
                    expect(
                        UNKNOWN_CALLER_ALERT,
                        {"client": caller, "server": service.name},
                        unknown_caller_annotations(service.name, caller),
                    ),
                ],
            }
        ],
    }


class ServiceGraphRules:
    """Alerts on undeclared, idle and unknown dependencies, with promtool unit tests."""

    name = "service-graph"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        if not plan.catalog.services:
            return
        rules = service_graph_rules(plan)
        yield Artifact(
            path=RULES_PATH,
            role=Role.PROMETHEUS_RULES,
            data=rules,
            comment="Traced service graph against the catalog's declared dependencies.",
        )
        tests = service_graph_tests(plan, [g["name"] for g in rules["groups"]])
        if tests is not None:
            yield Artifact(
                path=TESTS_PATH,
                role=Role.PROMETHEUS_RULE_TESTS,
                data=tests,
                comment="promtool test rules: an undeclared, an idle and an unknown-caller edge.",
            )
