"""The Go-template notification file, produced by jinja2 with Go-safe delimiters."""

from __future__ import annotations

from lgtmgen.catalog.models.catalog import Defaults
from lgtmgen.templating import go_text, jinja_environment

TEMPLATE = "alertmanager/notifications.tmpl.j2"
FILE_NAME = "lgtmgen.tmpl"


def notification_templates(defaults: Defaults) -> str:
    """Templates `lgtmgen.title` and `lgtmgen.text` (with runbook and dashboard links per alert)."""
    template = jinja_environment().get_template(TEMPLATE)
    return template.render(
        runbook_base_url=go_text(defaults.runbook_base_url),
        grafana_url=go_text(defaults.grafana_url),
    )
