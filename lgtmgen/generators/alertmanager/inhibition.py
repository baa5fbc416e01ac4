"""Inhibition rules derived from severity, the dependency graph and the cluster outage alert.

Each rule is wrapped in `Commented` so the generated file says why it exists.
`equal` names only labels every such alert carries: SLO alerts always have
service and slo, and cluster comes from the recorded series or from the
evaluating Prometheus' external labels.
"""

from __future__ import annotations

from collections.abc import Mapping

from lgtmgen.generators.alertmanager.dependency_cycles import cycle_groups
from lgtmgen.generators.alertmanager.names import (
    CLUSTER_OUTAGE_ALERT,
    ESCALATION_ORIGIN_LABEL,
    LOWER_TIERS,
)
from lgtmgen.generators.alertmanager.routing import LOWER_TIER
from lgtmgen.generators.anomaly.rules import ALERT as ANOMALY_ALERT
from lgtmgen.generators.journeys import SLO_ALERT as JOURNEY_ALERT
from lgtmgen.generators.slo.alerts import ABSENT_ALERT
from lgtmgen.matchers import matcher
from lgtmgen.plan import Plan
from lgtmgen.regex import alternation
from lgtmgen.render import Commented


def inhibited_callers(
    dependents: Mapping[str, tuple[str, ...]],
    service: str,
    pages: set[str],
    cycles: Mapping[str, int] | None = None,
) -> list[str]:
    """The callers whose alerts an outage page (`SLO.pages_outages`) of `service` inhibits.

    Direct callers, and through every caller that has no outage page of
    its own, that caller's callers. A caller that does page is not passed
    through: its own (inhibited, still firing) page inhibits the next hop, as
    Alertmanager lets an inhibited alert act as a source. This keeps the
    rules as large as the dependency graph instead of its transitive closure.

    A caller in the same dependency cycle as `service` (`cycles`, from
    `cycle_groups`) is never inhibited: it is as likely the cause as the
    symptom, and Alertmanager lets two pages inhibit each other, so both would
    go unsent. The walk still passes through it to callers outside the cycle.
    """
    cycles = cycles or {}
    group = cycles.get(service)
    seen: set[str] = set()
    inhibited: set[str] = set()
    todo = list(dependents.get(service, ()))
    while todo:
        current = todo.pop()
        if current in seen or current == service:
            continue
        seen.add(current)
        if group is None or cycles.get(current) != group:
            inhibited.add(current)
        if current not in pages:
            todo.extend(dependents.get(current, ()))
    return sorted(inhibited)


def _page_inhibits_ticket(plan: Plan) -> Commented:
    # An SLO with `group_by` alerts per value (a route, a customer): one value's page says
    # nothing of another's ticket. Alertmanager takes a label both alerts lack as equal, so
    # the labels of every SLO's group_by serve all of them.
    split = sorted({label for s in plan.slos for label in s.group_by} - {"service", "slo", "cluster"})
    why = "why: a page of an SLO already demands action; its slower ticket of the same SLO and cluster adds nothing"
    if split:
        why += f" (and of the same {', '.join(split)}, where an SLO alerts per value)"
    return Commented(
        {
            "source_matchers": [matcher("severity", "=", "page"), matcher("slo", "=~", ".+")],
            "target_matchers": [matcher("severity", "=", "ticket")],
            "equal": ["service", "slo", "cluster", *split],
        },
        why,
    )


def _journey_page_inhibits_ticket() -> Commented:
    # Journey burn alerts carry `journey` and the cluster of their recorded ratios, no `slo`:
    # the SLO rule above never matches them.
    return Commented(
        {
            "source_matchers": [matcher("alertname", "=", JOURNEY_ALERT), matcher("severity", "=", "page")],
            "target_matchers": [matcher("alertname", "=", JOURNEY_ALERT), matcher("severity", "=", "ticket")],
            "equal": ["journey", "cluster"],
        },
        "why: a page of a user journey already demands action; its slower ticket of the same journey and "
        "cluster adds nothing",
    )


def _slo_page_inhibits_anomaly() -> Commented:
    return Commented(
        {
            "source_matchers": [matcher("severity", "=", "page"), matcher("slo", "=~", ".+")],
            "target_matchers": [matcher("alertname", "=", ANOMALY_ALERT)],
            "equal": ["service", "cluster"],
        },
        "why: while an SLO of a service pages in a cluster, its anomaly alerts there (a traffic drop, an "
        "error or latency spike) describe the same incident, which already demands action",
    )


def _absent_inhibits_anomaly_drop() -> Commented:
    # Only drops: a surge, an error or a latency rise needs samples, so missing metrics never
    # raise them. Per service, not per cluster: one service's metrics vanishing (its pods gone,
    # a relabelling) must not hide a real drop of another service in that cluster.
    return Commented(
        {
            "source_matchers": [matcher("alertname", "=", ABSENT_ALERT)],
            "target_matchers": [matcher("alertname", "=", ANOMALY_ALERT), matcher("direction", "=", "drop")],
            "equal": ["service", "cluster"],
        },
        "why: while a service's SLO metrics are absent in a cluster (a remote-write stall, failing scrapes), "
        "its request rate there vanished with them: the drop ticket of its anomaly alert is that same "
        "absence, which the absent ticket names",
    )


def _watches_drops_with_absent_tickets(plan: Plan) -> bool:
    """Whether some service both watches request drops and has an SLO that raises the absent ticket."""
    return any(
        service.anomaly is not None
        and "requests" in service.anomaly.signals
        and service.anomaly.requests != "surge"
        and any(slo.alerting.absent for slo in service.slos)
        for service in plan.catalog.services
    )


def _dependency_rules(plan: Plan) -> list[Commented]:
    rules = []
    outage_slos: dict[str, list[str]] = {}
    for s in plan.slos:
        if s.slo.pages_outages():
            outage_slos.setdefault(s.service.name, []).append(s.slo.name)
    pages = set(outage_slos)
    cycles = cycle_groups(plan.dependents)
    for service in sorted(plan.services):
        callers = inhibited_callers(plan.dependents, service, pages, cycles)
        if service not in pages or not callers:
            continue
        targets = [matcher("service", "=~", alternation(callers))]
        one = len(callers) == 1
        whose = "this caller's" if one else "these callers'"
        why = (
            f"why: {', '.join(callers)} depend{'s' if one else ''} on {service}; while {service} is unavailable "
            f"in a cluster, {'its' if one else 'their'} alerts there are symptoms of it (callers further up "
            f"are inhibited by {whose} own outage pages)"
        )
        if str(plan.services[service].tier) in LOWER_TIERS:
            # Its page reaches a pager in business hours only: at night it must not hold back a
            # page that would reach one (tier 1, or no tier), or nobody is paged at all.
            targets.append(LOWER_TIER)
            why += (
                f"; of tier {' or '.join(LOWER_TIERS)} only, as {service}'s page reaches a pager in business "
                "hours only and must not hold back a page that reaches one at any hour"
            )
        rules.append(
            Commented(
                {
                    "source_matchers": [
                        matcher("service", "=", service),
                        matcher("severity", "=", "page"),
                        _slo_matcher(sorted(outage_slos[service])),
                    ],
                    "target_matchers": targets,
                    "equal": ["cluster"],
                },
                why,
            )
        )
    return rules


def _slo_matcher(names: list[str]) -> str:
    """The SLOs whose page says the service is down (`SLO.pages_outages`)."""
    return matcher("slo", "=", names[0]) if len(names) == 1 else matcher("slo", "=~", alternation(names))


def _cluster_outage_rule() -> Commented:
    return Commented(
        {
            "source_matchers": [matcher("alertname", "=", CLUSTER_OUTAGE_ALERT)],
            "target_matchers": [
                matcher("service", "=~", ".+"),
                matcher("alertname", "!=", CLUSTER_OUTAGE_ALERT),
                matcher(ESCALATION_ORIGIN_LABEL, "!=", CLUSTER_OUTAGE_ALERT),
            ],
            "equal": ["cluster"],
        },
        "why: while a whole cluster is down, every per-service alert in it is a symptom of that "
        "outage (the outage's own escalation is not)",
    )


def inhibit_rules(plan: Plan) -> list[Commented]:
    """All inhibition rules, in a stable order."""
    rules = [_page_inhibits_ticket(plan)]
    if plan.catalog.journeys:
        rules.append(_journey_page_inhibits_ticket())
    if any(service.anomaly is not None for service in plan.catalog.services):
        rules.append(_slo_page_inhibits_anomaly())
    if _watches_drops_with_absent_tickets(plan):
        rules.append(_absent_inhibits_anomaly_drop())
    rules += _dependency_rules(plan)
    if plan.catalog.alerting.cluster_outage is not None:
        rules.append(_cluster_outage_rule())
    return rules
