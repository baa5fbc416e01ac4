"""Fixtures of the traces tests: catalogs loaded the way the CLI loads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgtmgen.artifacts import Artifact
from lgtmgen.plan import Plan
from lgtmgen.render import render_artifact
from tests.support import error_loader
from tests.traces.traces_catalog import ArtifactWriter, CatalogLoader, base_catalog


@pytest.fixture
def load(tmp_path: Path) -> CatalogLoader:
    """Write a catalog dict to a file and load it the way the CLI does; only errors come back."""
    return error_loader(tmp_path)


@pytest.fixture
def plan(load: CatalogLoader) -> Plan:
    built, diagnostics = load(base_catalog())
    assert built is not None, [str(d) for d in diagnostics]
    assert diagnostics == []
    return built


@pytest.fixture
def write_artifacts(tmp_path: Path) -> ArtifactWriter:
    """Render artifacts into a bundle-shaped tree and return its root."""
    root = tmp_path / "bundle"

    def _write(artifacts: list[Artifact]) -> Path:
        for artifact in artifacts:
            target = root / artifact.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(render_artifact(artifact))
        return root

    return _write
