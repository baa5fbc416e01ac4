"""What every OpenTelemetry collector configuration of the bundle shares."""

from __future__ import annotations

from typing import Any


def memory_limiter() -> dict[str, Any]:
    """The `memory_limiter` processor, first in every pipeline: above 80% of the container's memory
    (less a 20% spike allowance) the collector refuses data, and senders retry, instead of being
    killed with everything it held. Samplers need it most: they keep every trace for the decision wait."""
    return {"check_interval": "1s", "limit_percentage": 80, "spike_limit_percentage": 20}


MEMORY_LIMITER = "memory_limiter"
