"""Metric naming conventions: a service's request metrics with its convention's defaults filled in.

Part of the catalog layer because semantic checks (a journey step must be
measurable) need the same resolution the plan and generators use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from lgtmgen.catalog.models import Service


@dataclass(frozen=True, slots=True)
class RequestMetrics:
    """A service's request metric names with its convention's defaults filled in."""

    selector: Mapping[str, str]
    requests: str | None
    status_label: str | None
    error_status_regex: str | None
    duration: str | None
    native_histograms: bool
    route_label: str | None


_CONVENTIONS: dict[str, dict[str, str | None]] = {
    "http": {
        "requests": "http_requests_total",
        "status_label": "code",
        "error_status_regex": "5..",
        "duration": "http_request_duration_seconds",
        "route_label": "route",
    },
    "grpc": {
        "requests": "grpc_server_handled_total",
        "status_label": "grpc_code",
        "error_status_regex": "Unknown|DeadlineExceeded|Unimplemented|Internal|Unavailable|DataLoss",
        "duration": "grpc_server_handling_seconds",
        "route_label": "grpc_method",
    },
    "custom": {},
}


def resolve_metrics(service: Service) -> RequestMetrics:
    """The service's metric names, each defaulting to its convention's (none for `custom`)."""
    m = service.metrics
    default = _CONVENTIONS[m.convention]
    return RequestMetrics(
        selector=MappingProxyType(dict(m.selector)),
        requests=m.requests_metric or default.get("requests"),
        status_label=m.status_label or default.get("status_label"),
        error_status_regex=m.error_status_regex or default.get("error_status_regex"),
        duration=m.duration_metric or default.get("duration"),
        native_histograms=m.native_histograms,
        route_label=m.route_label or default.get("route_label"),
    )
