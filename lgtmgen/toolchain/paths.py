"""Where the project keeps its private copy of the checking programs."""

from __future__ import annotations

import os
from pathlib import Path

TOOLS_DIR_ENV = "LGTMGEN_TOOLS_DIR"


def default_tools_dir() -> Path:
    """`$LGTMGEN_TOOLS_DIR`, else `<repo>/.tools` for a source checkout, else a per-user cache."""
    configured = os.environ.get(TOOLS_DIR_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    repo = Path(__file__).resolve().parents[2]
    if (repo / "pyproject.toml").is_file():
        return repo / ".tools"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "lgtmgen" / "tools"
