"""A runbook page for every service, with a section for every alert that names it.

Runbooks describe the alerts the other generators produced, so this stage
reads their artifacts (in memory) after they ran; it never reads files.
Text is rendered by jinja2 (sandboxed, StrictUndefined).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lgtmgen.artifacts import Artifact, Format, Role
from lgtmgen.naming import grafana_uid, slug
from lgtmgen.plan import Plan
from lgtmgen.render import DO_NOT_EDIT
from lgtmgen.templating import jinja_environment

RULE_ROLES = (Role.PROMETHEUS_RULES, Role.LOKI_RULES)

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
_DEFAULT_STEPS = ["Open the dashboard and the logs of this service around the time the alert started."]


_GO_ACTION = re.compile(r"\{\{.*?\}\}")


def _readable(text: str) -> str:
    """Annotation text for people: Go template actions become a plain placeholder."""
    return _GO_ACTION.sub("(the value when it fired)", text)


@dataclass
class _Alert:
    name: str
    severity: str
    summary: str
    description: str
    expr: str
    group: str
    file: str
    steps: list[str]


@dataclass
class _Section:
    anchor: str
    title: str
    alerts: list[_Alert] = field(default_factory=list)


def _alerts(artifacts: Iterable[Artifact]) -> Iterable[tuple[str, dict[str, Any], Artifact]]:
    for artifact in artifacts:
        if artifact.role not in RULE_ROLES or not isinstance(artifact.data, dict):
            continue
        for group in artifact.data.get("groups", []):
            for rule in group.get("rules", []):
                if "alert" in rule:
                    yield str(group.get("name", "")), rule, artifact


def runbook_artifacts(plan: Plan, artifacts: list[Artifact]) -> list[Artifact]:
    """One Markdown runbook per service under docs/runbooks/."""
    sections: dict[str, dict[str, _Section]] = {name: {} for name in plan.services}
    for group, rule, artifact in _alerts(artifacts):
        labels = rule.get("labels", {})
        service = labels.get("service")
        if service not in sections:
            continue
        slo = labels.get("slo")
        anchor = slug(slo) if slo else slug(rule["alert"])
        title = f"SLO {slo}" if slo else rule["alert"]
        section = sections[service].setdefault(anchor, _Section(anchor, title))
        annotations = rule.get("annotations", {})
        severity = str(labels.get("severity", "none"))
        section.alerts.append(
            _Alert(
                name=rule["alert"],
                severity=severity,
                summary=_readable(str(annotations.get("summary", ""))),
                description=_readable(str(annotations.get("description", ""))),
                expr=str(rule.get("expr", "")),
                group=group,
                file=artifact.path,
                steps=_STEPS.get(severity, _DEFAULT_STEPS),
            )
        )
    template = jinja_environment().get_template("runbooks/service.md.j2")
    base = plan.catalog.defaults.grafana_url.rstrip("/")
    out = []
    for name, service in plan.services.items():
        text = template.render(
            banner=DO_NOT_EDIT,
            service=service,
            depends_on=", ".join(service.depends_on),
            dependents=", ".join(plan.dependents.get(name, ())),
            dashboard=f"{base}/d/{grafana_uid('service', name)}",
            sections=list(sections[name].values()),
        )
        out.append(Artifact(f"docs/runbooks/{slug(name)}.md", Role.DOC, text, Format.TEXT))
    return out
