"""Which tenants a journey reads and which tenant's ruler evaluates it.

Teams have no tenant of their own, so a journey is evaluated in the tenant of its first
step run by the owning team, else of its first step. When its steps span tenants, that
tenant's ruler reads the others through a federated rule group (`source_tenants`).
"""

from __future__ import annotations

from collections.abc import Mapping

from lgtmgen.catalog.models import Service
from lgtmgen.catalog.models.traces import Journey


def step_tenants(journey: Journey, services: Mapping[str, Service]) -> list[str]:
    """The tenants holding the journey's step metrics, sorted; unknown services are skipped."""
    return sorted({services[s.service].tenant for s in journey.steps if s.service in services})


def journey_tenant(journey: Journey, services: Mapping[str, Service]) -> str | None:
    """The tenant whose ruler evaluates the journey; None when no step names a known service."""
    steps = [services[s.service] for s in journey.steps if s.service in services]
    owned = [s for s in steps if s.team == journey.team]
    chosen = owned or steps
    return chosen[0].tenant if chosen else None
