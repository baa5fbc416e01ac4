"""Where every writer of the bundle sends series to Mimir, and with which credentials.

The clusters' Prometheus, Tempo's metrics generator and Loki's ruler all write to Mimir.
`metrics.remote_write_url` with `metrics.remote_write_auth` names it once; Tempo and Loki
follow it unless their own URL is set (then without credentials, as before), so a gateway
that wants credentials gets them from every writer. Credentials are file references only.
"""

from __future__ import annotations

from typing import Any

from lgtmgen.catalog.models.metrics_platform import MetricsSettings, RemoteWriteAuth


def credentials(auth: RemoteWriteAuth | None) -> dict[str, Any]:
    """The `basic_auth` or `authorization` block of a Prometheus-style remote-write entry, or nothing."""
    if auth is not None and auth.password_file:
        return {"basic_auth": {"username": auth.username or "", "password_file": auth.password_file}}
    if auth is not None and auth.bearer_token_file:
        return {"authorization": {"type": "Bearer", "credentials_file": auth.bearer_token_file}}
    return {}


def mimir_target(own_url: str | None, metrics: MetricsSettings) -> dict[str, Any]:
    """`url` and credentials for a writer with an optional URL of its own."""
    if own_url is not None:
        return {"url": own_url}
    return {"url": metrics.remote_write_url, **credentials(metrics.remote_write_auth)}
