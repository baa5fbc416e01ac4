"""Checks of how series reach each Mimir tenant: the clusters' remote writes (`remote-write`,
`remote-write-keep`), and what the `grafana` check asks of it (the records each tenant holds)."""

from __future__ import annotations

from lgtmgen.checks.tenancy.keep_lists import RemoteWriteKeepCheck
from lgtmgen.checks.tenancy.remote_write import RemoteWriteCheck

__all__ = ["RemoteWriteCheck", "RemoteWriteKeepCheck"]
