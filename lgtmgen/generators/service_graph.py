"""Service-graph rules: traced edges against declared dependencies, with promtool tests.

Tempo's service-graph processor counts calls in ``traces_service_graph_request_total``
with `client` and `server` labels. Each declared dependency becomes a
``service_graph:declared_edge:info`` series; per calling service two alerts compare them:
an edge that carries traffic but is not declared, and a declared edge that carried no
traffic for `traces.service_graph.idle_after`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models import Service
from lgtmgen.catalog.models.base import format_duration, parse_duration
from lgtmgen.naming import slug
from lgtmgen.plan import Plan
from lgtmgen.promql import matchers
from lgtmgen.templating import go_text

REQUESTS = "traces_service_graph_request_total"
DECLARED = "service_graph:declared_edge:info"
UNDECLARED_ALERT = "UndeclaredDependency"
IDLE_ALERT = "DeclaredDependencyIdle"
RULES_PATH = "prometheus/rules/traces/service-graph.yaml"
TESTS_PATH = "prometheus/tests/traces/service-graph.test.yaml"
MAX_RULES_PER_GROUP = 20
RATE_WINDOW = "5m"
SERVER = "{{ $labels.server }}"


def edge_record(client: str, server: str) -> dict[str, Any]:
    return {"record": DECLARED, "expr": "vector(1)", "labels": {"client": client, "server": server}}


def alert_labels(service: Service, severity: str) -> dict[str, str]:
    return {"severity": severity, "team": service.team, "service": service.name, "tier": str(service.tier)}


def undeclared_alert(service: Service, hold: str) -> dict[str, Any]:
    client = matchers({"client": service.name})
    return {
        "alert": UNDECLARED_ALERT,
        "expr": (
            f"sum by (client, server) (rate({REQUESTS}{{{client}}}[{RATE_WINDOW}])) > 0\n"
            f"unless on (client, server)\n{DECLARED}"
        ),
        "for": hold,
        "labels": alert_labels(service, "ticket"),
        "annotations": undeclared_annotations(go_text(service.name), SERVER),
    }


def undeclared_annotations(service: str, server: str) -> dict[str, str]:
    """Annotations with `service` and `server` as Go template text (rules) or as expanded (tests)."""
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


def idle_alert(service: Service, idle_after: str) -> dict[str, Any]:
    client = matchers({"client": service.name})
    return {
        "alert": IDLE_ALERT,
        "expr": (
            f"{DECLARED}{{{client}}}\nunless on (client, server)\n"
            f"(sum by (client, server) (increase({REQUESTS}{{{client}}}[{idle_after}])) > 0)"
        ),
        "labels": alert_labels(service, "ticket"),
        "annotations": idle_annotations(go_text(service.name), SERVER, idle_after),
    }


def service_groups(service: Service, hold: str, idle_after: str) -> list[dict[str, Any]]:
    """The service's edge records and its two alerts, split to stay within Mimir's group limit."""
    records = [edge_record(service.name, d) for d in sorted(set(service.depends_on))]
    alerts = [undeclared_alert(service, hold)]
    if records:
        alerts.append(idle_alert(service, idle_after))
    rules = records + alerts
    name = f"service-graph:{service.name}"
    if len(rules) <= MAX_RULES_PER_GROUP:
        return [{"name": name, "rules": rules}]
    chunks = [records[i : i + MAX_RULES_PER_GROUP] for i in range(0, len(records), MAX_RULES_PER_GROUP)]
    groups = [{"name": f"{name}:edges-{n + 1}", "rules": chunk} for n, chunk in enumerate(chunks)]
    return [*groups, {"name": name, "rules": alerts}]


def service_graph_rules(plan: Plan) -> dict[str, Any]:
    settings = plan.catalog.traces.service_graph
    idle_after = format_duration(parse_duration(settings.idle_after))
    hold = format_duration(parse_duration(settings.undeclared_for))
    groups: list[dict[str, Any]] = []
    for service in plan.catalog.services:
        groups += service_groups(service, hold, idle_after)
    return {"groups": groups}


def _series(labels: dict[str, str]) -> str:
    return f"{REQUESTS}{{{matchers(labels)}}}"


def service_graph_tests(plan: Plan) -> dict[str, Any] | None:
    """promtool tests on the service with most dependencies: one undeclared, one idle edge."""
    candidates = [s for s in plan.catalog.services if s.depends_on]
    if not candidates:
        return None
    service = max(candidates, key=lambda s: len(set(s.depends_on)))
    idle = max(service.depends_on)
    stranger = f"undeclared-{slug(service.name)}"
    settings = plan.catalog.traces.service_graph
    hold = parse_duration(settings.undeclared_for)
    idle_after = format_duration(parse_duration(settings.idle_after))
    eval_time = format_duration(hold + 600)
    busy = [(s.name, d) for s in plan.catalog.services for d in sorted(set(s.depends_on))]
    busy = [edge for edge in busy if edge != (service.name, idle)] + [(service.name, stranger)]
    series = [
        {"series": _series({"client": client, "server": server}), "values": "0+60x120"}
        for client, server in busy
    ]
    labels = alert_labels(service, "ticket")
    return {
        "rule_files": [f"../../rules/traces/{RULES_PATH.rsplit('/', 1)[1]}"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": [
                    {
                        "eval_time": eval_time,
                        "alertname": UNDECLARED_ALERT,
                        "exp_alerts": [
                            {
                                "exp_labels": {**labels, "client": service.name, "server": stranger},
                                "exp_annotations": undeclared_annotations(service.name, stranger),
                            }
                        ],
                    },
                    {
                        "eval_time": eval_time,
                        "alertname": IDLE_ALERT,
                        "exp_alerts": [
                            {
                                "exp_labels": {**labels, "client": service.name, "server": idle},
                                "exp_annotations": idle_annotations(service.name, idle, idle_after),
                            }
                        ],
                    },
                ],
            }
        ],
    }


class ServiceGraphRules:
    """Alerts on undeclared and idle dependencies, with promtool unit tests."""

    name = "service-graph"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        if not plan.catalog.services:
            return
        yield Artifact(
            path=RULES_PATH,
            role=Role.PROMETHEUS_RULES,
            data=service_graph_rules(plan),
            comment="Traced service graph against the catalog's declared dependencies.",
        )
        tests = service_graph_tests(plan)
        if tests is not None:
            yield Artifact(
                path=TESTS_PATH,
                role=Role.PROMETHEUS_RULE_TESTS,
                data=tests,
                comment="promtool test rules: an undeclared edge and an idle declared edge.",
            )
