"""Links to the generated runbook pages (``docs/runbooks/``), the one builder every alert uses.

Pages are named ``<slug(service)>.md`` (``_alerting.md`` for the alerting layer) and
sections by the slug of the alert or SLO, as the runbooks generator writes them;
a service's own `runbook_url` replaces its generated page.
"""

from __future__ import annotations

from lgtmgen.naming import slug


def runbook_page_url(base_url: str, page: str, anchor: str) -> str:
    """``<base_url>/<page>#<anchor>``, whatever trailing slash the base has."""
    return f"{base_url.rstrip('/')}/{page}#{anchor}"


def service_runbook_url(base_url: str, service: str, section: str, own: str | None = None) -> str:
    """The `section` (alert or SLO name) of the service's runbook page, or the service's `own` link."""
    if own:
        return own
    return runbook_page_url(base_url, f"{slug(service)}.md", slug(section))
