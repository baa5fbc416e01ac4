"""What every OpenTelemetry collector configuration of the bundle shares."""

from __future__ import annotations

from typing import Any


def memory_limiter() -> dict[str, Any]:
    """The `memory_limiter` processor, first in every pipeline: above 80% of the container's memory
    (less a 20% spike allowance) the collector refuses data, and senders retry, instead of being
    killed with everything it held. Samplers need it most: they keep every trace for the decision wait."""
    return {"check_interval": "1s", "limit_percentage": 80, "spike_limit_percentage": 20}


MEMORY_LIMITER = "memory_limiter"


def literal_dollars(config: Any) -> Any:
    """`config` with every `$` of its text written `$$`: the collector expands `${env:X}`,
    `${file:/path}` (and more providers) anywhere in its configuration when it starts, so a
    service name or regex from the catalog holding `${env:AWS_SECRET_ACCESS_KEY}` would put that
    secret into every log line's labels. `$$` is the collector's literal `$`; the bundle's collector
    files reference no variable of their own."""
    if isinstance(config, str):
        return config.replace("$", "$$")
    if isinstance(config, dict):
        return {literal_dollars(key): literal_dollars(value) for key, value in config.items()}
    if isinstance(config, list):
        return [literal_dollars(item) for item in config]
    return config
