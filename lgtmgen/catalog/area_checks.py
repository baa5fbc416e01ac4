"""Registry of semantic checks owned by each area (alerting, metrics, logs, traces, grafana, SLOs).

Each area keeps its checks in its own module, as functions ``(catalog, report) -> None``
that call ``report.add(check_id, message, path)``; add one line here per function.
"""

from __future__ import annotations

from lgtmgen.catalog.semantics import DomainCheck
from lgtmgen.catalog.traces_checks import journeys_are_consistent, traces_tiers_are_declared

AREA_CHECKS: list[DomainCheck] = []
AREA_CHECKS += [traces_tiers_are_declared, journeys_are_consistent]
