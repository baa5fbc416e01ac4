"""Shared test set-up: every test checks with an empty cache of passed promtool tests, so a
`lgtmgen check` in a test runs promtool on every unit-test file (a test of the cache sets its own)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _empty_check_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path_factory.mktemp("lgtmgen-cache")
    monkeypatch.setenv("LGTMGEN_CACHE_DIR", str(cache))
    return cache
