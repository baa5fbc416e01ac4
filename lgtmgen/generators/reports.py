"""Static reports for people: SLO inventory, alert coverage and ownership gaps.

Each report is a table built as data from the plan (so tests read the rows, not
the Markdown) and rendered by one template, `templates/reports/table.md.j2`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lgtmgen.artifacts import Artifact, Format, Role
from lgtmgen.catalog.models import Service, Team
from lgtmgen.catalog.models.base import format_duration
from lgtmgen.generators.grafana.dashboard import dashboard_url
from lgtmgen.naming import grafana_uid
from lgtmgen.plan import Plan, SLOPlan
from lgtmgen.render import DO_NOT_EDIT
from lgtmgen.templating import jinja_environment, markdown_text

REPORTS_DIR = "docs/reports"
PAGER_TARGETS = ("pagerduty", "pushover")
"""Notification targets that page a person (docs/alerting.md): without one, pages fall back to chat."""


@dataclass(frozen=True)
class Report:
    """One table: its file name, title, what it says, column headers and rows."""

    name: str
    title: str
    intro: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    empty: str


def _percent(ratio: float) -> str:
    return f"{round(ratio * 100, 6):g}%"


def _windows(slo: SLOPlan, severity: str) -> list[str]:
    """The burn-rate windows that raise an alert of `severity` (none when the SLO switches it off)."""
    if not (slo.slo.alerting.page if severity == "page" else slo.slo.alerting.ticket):
        return []
    return [f"{format_duration(b.long)}/{format_duration(b.short)}" for b in slo.windows if b.severity == severity]


def slo_inventory(plan: Plan) -> Report:
    """Every SLO with its owner, objective, period and alert windows."""
    grafana_url = plan.catalog.defaults.grafana_url
    rows: list[tuple[str, ...]] = []
    for service in plan.catalog.services:
        for slo in plan.slos_of(service.name):
            rows.append(
                (
                    service.name,
                    service.team,
                    str(service.tier),
                    service.tenant,
                    slo.slo.name,
                    slo.slo.sli.kind,
                    _percent(slo.objective),
                    format_duration(slo.period),
                    ", ".join(_windows(slo, "page")) or "none",
                    ", ".join(_windows(slo, "ticket")) or "none",
                    dashboard_url(grafana_url, grafana_uid("service", service.name)),
                )
            )
    return Report(
        "slo-inventory",
        "SLO inventory",
        "Every SLO of the catalog; alert windows are long/short burn-rate windows.",
        ("Service", "Team", "Tier", "Tenant", "SLO", "SLI", "Objective", "Period", "Page windows",
         "Ticket windows", "Dashboard"),
        rows,
        "The catalog declares no SLO.",
    )


def _pagers(team: Team | None) -> list[str]:
    return [t for t in PAGER_TARGETS if team is not None and getattr(team.notify, t) is not None]


def alert_coverage(plan: Plan) -> Report:
    """Per service: how many SLO alerts page or open tickets, and who is paged."""
    teams = {t.name: t for t in plan.catalog.teams}
    rows: list[tuple[str, ...]] = []
    for service in plan.catalog.services:
        slos = plan.slos_of(service.name)
        pages = sum(len(_windows(s, "page")) for s in slos)
        tickets = sum(len(_windows(s, "ticket")) for s in slos)
        pagers = _pagers(teams.get(service.team))
        rows.append(
            (
                service.name,
                service.team,
                str(service.tier),
                str(len(slos)),
                str(pages),
                str(tickets),
                ", ".join(pagers) if pages and pagers else "chat fallback" if pages else "nothing pages",
            )
        )
    return Report(
        "alert-coverage",
        "Alert coverage",
        "SLO alerts per service: burn-rate pages and tickets (one per window pair and SLO), "
        "and the team's paging targets.",
        ("Service", "Team", "Tier", "SLOs", "Page alerts", "Ticket alerts", "Paged through"),
        rows,
        "The catalog declares no service.",
    )


def _service_gaps(service: Service, plan: Plan, teams: dict[str, Team]) -> Iterable[tuple[str, ...]]:
    if not plan.slos_of(service.name):
        yield ("service", service.name, service.team, "no SLO: no burn-rate alert pages or tickets for it")
    team = teams.get(service.team)
    pages = any(_windows(s, "page") for s in plan.slos_of(service.name))
    if pages and not _pagers(team):
        when = "at any hour" if service.tier == 1 else "in business hours"
        yield (
            "service", service.name, service.team,
            f"tier {service.tier}, pages {when}, but its team has no PagerDuty or Pushover: pages go to chat",
        )
    if service.tier == 1 and team is not None and team.escalate_to is None:
        yield ("service", service.name, service.team, "tier 1, but its team has no escalate_to: unanswered pages stay with it")


def ownership_gaps(plan: Plan) -> Report:
    """What the catalog leaves unowned or unwatched: services, teams, paging."""
    teams = {t.name: t for t in plan.catalog.teams}
    owners = {s.team for s in plan.catalog.services}
    rows: list[tuple[str, ...]] = []
    for service in plan.catalog.services:
        rows.extend(_service_gaps(service, plan, teams))
    for team in plan.catalog.teams:
        if team.name not in owners:
            rows.append(("team", team.name, team.name, "owns no service: no team dashboard, receives no service alert"))
    return Report(
        "ownership-gaps",
        "Ownership gaps",
        "Services nothing alerts on, tier-1 services without a pager or an escalation, and teams without services.",
        ("Kind", "Name", "Team", "Gap"),
        rows,
        "No gap found.",
    )


def _cell(text: str) -> str:
    # A `|` would end the Markdown cell; `<`, `>` and `&` of a free-text name stay text.
    return markdown_text(text)


def render(report: Report) -> Artifact:
    text = jinja_environment().get_template("reports/table.md.j2").render(
        banner=DO_NOT_EDIT,
        title=report.title,
        intro=report.intro,
        headers=list(report.headers),
        rows=[[_cell(c) for c in row] for row in report.rows],
        empty=report.empty,
    )
    return Artifact(f"{REPORTS_DIR}/{report.name}.md", Role.REPORT, text, Format.TEXT)


class StaticReports:
    """SLO inventory, alert coverage and ownership gaps as Markdown tables under docs/reports/."""

    name = "reports"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        for report in (slo_inventory(plan), alert_coverage(plan), ownership_gaps(plan)):
            yield render(report)
