"""The committed specs/upstream/ equal a fresh derivation from ../shared/upstream."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
UPSTREAM = REPO_ROOT.parent / "shared" / "upstream"
SPECS = REPO_ROOT / "specs" / "upstream"


def derive_specs() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "derive_specs", REPO_ROOT / "scripts" / "derive_specs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


needs_upstream = pytest.mark.skipif(
    not UPSTREAM.is_dir(), reason=f"upstream references not present at {UPSTREAM}"
)


@needs_upstream
def test_committed_specs_equal_a_fresh_derivation() -> None:
    stale = derive_specs().stale_files(UPSTREAM, SPECS)
    assert stale == [], "run: python scripts/derive_specs.py"


@needs_upstream
def test_derivation_is_deterministic(tmp_path: Path) -> None:
    module = derive_specs()
    assert module.derive(UPSTREAM) == module.derive(UPSTREAM)
    module.write(UPSTREAM, tmp_path)
    assert module.stale_files(UPSTREAM, tmp_path) == []


def test_committed_specs_keep_headers_types_and_defaults() -> None:
    data = json.loads((SPECS / "mimir-3.0" / "tenant-limits-keys.json").read_text())
    assert set(data["header"]) == {"project", "version", "commit", "source"}
    assert data["keys"]["compactor_blocks_retention_period"] == {
        "default": "0s",
        "type": "duration",
    }
    assert "overrides" in data["runtime_file"]["top_level_keys"]
    tail = json.loads((SPECS / "otelcol-tail-sampling.json").read_text())
    assert set(tail["header"]) == {"project", "version", "commit", "source"}
    assert (SPECS / "grafana-dashboard-schema" / "LICENSE").is_file()
