"""How long Grafana waits for each datasource: the longest query its backend allows, plus a margin.

Grafana's data proxy gives up after `dataproxy.timeout` (30s by default) unless the
datasource's `jsonData.timeout` (seconds) says otherwise, so a Loki tier allowed a
five-minute query would be cut at 30s with a bare gateway error. Each datasource
waits as long as its backend lets a query of that tenant run, plus the margin Loki's
HTTP server is given to write the result (`loki.config.http_write_timeout`), so the
backend's own, explicit, timeout error is what the user sees.

Mimir and Tempo take no per-tenant query timeout from lgtmgen; their process-wide
defaults (Mimir 3.0 `querier.timeout`, Tempo 3.0 `querier.search.query_timeout`),
which the generated configs leave alone, are the longest queries they allow.
"""

from __future__ import annotations

from lgtmgen.catalog.models import Tenant
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.generators.loki.common import tier_of
from lgtmgen.generators.loki.config import WRITE_MARGIN_SECONDS
from lgtmgen.plan import Plan

MIMIR_QUERY_TIMEOUT = "2m"
"""Mimir 3.0's `querier.timeout` default (not set in mimir/mimir.yaml)."""
TEMPO_SEARCH_TIMEOUT = "30s"
"""Tempo 3.0's `querier.search.query_timeout` default, its longest query (trace by id: 10s)."""


def _seconds(duration: str) -> int:
    return int(parse_duration(duration)) + WRITE_MARGIN_SECONDS


def loki_timeout(plan: Plan, tenant: Tenant) -> int:
    """Seconds Grafana waits for the tenant's Loki: its logs tier's `query_timeout` plus the margin."""
    return _seconds(tier_of(plan.catalog.logs, tenant).query_timeout)


def mimir_timeout() -> int:
    """Seconds Grafana waits for Mimir."""
    return _seconds(MIMIR_QUERY_TIMEOUT)


def tempo_timeout() -> int:
    """Seconds Grafana waits for Tempo."""
    return _seconds(TEMPO_SEARCH_TIMEOUT)
