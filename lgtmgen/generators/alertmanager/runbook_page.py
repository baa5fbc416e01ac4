"""The runbook page of the alerts this layer adds (escalation, cluster outage), rendered by jinja2."""

from __future__ import annotations

from lgtmgen.catalog.models.alerting import AlertingSettings
from lgtmgen.generators.alertmanager.alert_rules import outage_expr
from lgtmgen.templating import jinja_environment, markdown_code

TEMPLATE = "alertmanager/runbook.md.j2"


def alerting_runbook(
    settings: AlertingSettings, escalating_teams: list[str], non_production: list[str]
) -> str:
    """Markdown with a section per generated alert; sections for absent alerts are left out.
    `non_production` clusters are named as those whose pages reach chat only."""
    outage = settings.cluster_outage
    return (
        jinja_environment()
        .get_template(TEMPLATE)
        .render(
            escalating_teams=escalating_teams,
            non_production=non_production,
            escalation_after=settings.escalation.after if escalating_teams else "",
            outage_team=outage.team if outage else "",
            outage_for=outage.for_ if outage else "",
            outage_signal=markdown_code(outage_expr(outage)) if outage else "",
        )
    )
