"""A runbook page for every service, with a section for every alert that names it.

Runbooks describe the alerts the other generators produced, so this stage
reads their artifacts (in memory) after they ran; it never reads files.
Text is rendered by jinja2 (sandboxed, StrictUndefined).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lgtmgen.artifacts import ALERT_SOURCE_ROLES, Artifact, Format, Role
from lgtmgen.naming import grafana_uid, slug
from lgtmgen.plan import Plan
from lgtmgen.render import DO_NOT_EDIT
from lgtmgen.templating import GO_LITERAL_BRACES, jinja_environment, literal_text

_STEPS = {
    "page": [
        "Acknowledge the page, open the dashboard and confirm the burn on the SLO panels.",
        "Check the dependencies listed above: an outage there is inhibited here but shows on their dashboards.",
        "Look for a recent deploy or config change of this service and roll it back if it matches the start.",
        "If users are affected, open an incident and post in the team channel.",
    ],
    "ticket": [
        "Open the dashboard: a slow burn shows as a steady error ratio above the budget line.",
        "Find the failing routes or methods and file the fix in the team's backlog.",
        "Check that the error budget left is enough for the rest of the period.",
    ],
}
# Steps of alerts that are not SLO burns, by alert name (they take precedence over the severity's).
_ALERT_STEPS = {
    "ServiceAnomaly": [
        "Open the dashboard's anomaly row: the signal, the band around its prediction, and when it left the band.",
        ("The alert's signal and direction labels say what departed: a request drop (callers, routing, DNS, "
        "a failed deploy upstream), a surge (retry storms, a client bug, a campaign, abuse), more errors or "
        "higher latency (a deploy, a dependency)."),
        ("Compare with the same time one season earlier: a holiday or planned event explains a departure; "
        "silence the alert for its duration rather than tuning it."),
        ("If it fires again without a cause, raise `sensitivity`, `min_rate` or `for` in the service's "
        "`anomaly` settings of the catalog."),
    ],
}
_DEFAULT_STEPS = ["Open the dashboard and the logs of this service around the time the alert started."]


_GO_ACTION = re.compile(r"\{\{.*?\}\}")


def _readable(text: str) -> str:
    """Annotation text for people: Go template actions become a plain placeholder.

    The `go_text` escapes of literal ``{{`` print as ``{{``, as Prometheus prints them.
    """
    pieces = text.split(GO_LITERAL_BRACES)
    return "{{".join(_GO_ACTION.sub("(the value when it fired)", piece) for piece in pieces)


@dataclass(frozen=True, slots=True)
class RunbookAlert:
    """What a runbook says about one alert rule: small, so it crosses process boundaries cheaply."""

    service: str
    slo: str | None
    name: str
    severity: str
    summary: str
    description: str
    expr: str
    group: str
    file: str

    def __reduce__(self) -> tuple[type[RunbookAlert], tuple[str | None, ...]]:
        # As constructor arguments: a third of the default pickling of a slotted dataclass, and
        # every alert crosses to the parent and back to a runbook worker.
        return RunbookAlert, (
            self.service, self.slo, self.name, self.severity, self.summary,
            self.description, self.expr, self.group, self.file,
        )

    def page_fields(self) -> dict[str, object]:
        """What the runbook template shows of the alert."""
        return {
            "name": self.name,
            "severity": self.severity,
            "summary": self.summary,
            "description": self.description,
            "expr": self.expr,
            "group": self.group,
            "file": self.file,
            "steps": _ALERT_STEPS.get(self.name) or _STEPS.get(self.severity, _DEFAULT_STEPS),
        }


@dataclass
class _Section:
    anchor: str
    title: str
    alerts: list[RunbookAlert] = field(default_factory=list)


def runbook_alerts(artifact: Artifact) -> list[RunbookAlert]:
    """The alerts of a rule file that name a service; nothing for other artifacts."""
    if artifact.role not in ALERT_SOURCE_ROLES or not isinstance(artifact.data, dict):
        return []
    found = []
    for group in artifact.data.get("groups", []):
        for rule in group.get("rules", []):
            if "alert" not in rule:
                continue
            # Alert label values are Go templates (`go_text`); the page shows what they expand to.
            labels = rule.get("labels", {})
            service = labels.get("service")
            if not isinstance(service, str):
                continue
            annotations = rule.get("annotations", {})
            slo = labels.get("slo")
            found.append(
                RunbookAlert(
                    service=literal_text(service),
                    slo=literal_text(str(slo)) if slo else None,
                    name=rule["alert"],
                    severity=literal_text(str(labels.get("severity", "none"))),
                    summary=_readable(str(annotations.get("summary", ""))),
                    description=_readable(str(annotations.get("description", ""))),
                    expr=str(rule.get("expr", "")),
                    group=str(group.get("name", "")),
                    file=artifact.path,
                )
            )
    return found


def runbook_artifacts(plan: Plan, alerts: Iterable[RunbookAlert], services: Iterable[str] | None = None) -> list[Artifact]:
    """One Markdown runbook per service (of `services`, default all) under docs/runbooks/.

    `alerts` come from `runbook_alerts` of every rule file, in bundle order.
    """
    names = list(plan.services) if services is None else list(services)
    sections: dict[str, dict[str, _Section]] = {name: {} for name in names}
    for alert in alerts:
        if alert.service not in sections:
            continue
        anchor = slug(alert.slo) if alert.slo else slug(alert.name)
        title = f"SLO {alert.slo}" if alert.slo else alert.name
        sections[alert.service].setdefault(anchor, _Section(anchor, title)).alerts.append(alert)
    template = jinja_environment().get_template("runbooks/service.md.j2")
    base = plan.catalog.defaults.grafana_url.rstrip("/")
    out = []
    for name in names:
        service = plan.services[name]
        # Plain dicts, read by subscription: the sandbox vets every attribute access, which
        # cost as much as the rest of the page at a thousand services.
        text = template.render(
            banner=DO_NOT_EDIT,
            service={
                "name": service.name,
                "description": service.description,
                "team": service.team,
                "tier": service.tier,
                "tenant": service.tenant,
            },
            depends_on=", ".join(service.depends_on),
            dependents=", ".join(plan.dependents.get(name, ())),
            dashboard=f"{base}/d/{grafana_uid('service', name)}",
            sections=[
                {"anchor": s.anchor, "title": s.title, "alerts": [a.page_fields() for a in s.alerts]}
                for s in sections[name].values()
            ],
        )
        out.append(Artifact(f"docs/runbooks/{slug(name)}.md", Role.DOC, text, Format.TEXT))
    return out
