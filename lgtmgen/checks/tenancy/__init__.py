"""Checks of how series reach each Mimir tenant: the clusters' remote writes (`remote-write`)."""

from __future__ import annotations

from lgtmgen.checks.tenancy.remote_write import RemoteWriteCheck

__all__ = ["RemoteWriteCheck"]
