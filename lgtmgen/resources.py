"""Where the data files read at run time lie: the repository's `templates/` and `specs/`.

Both stay at the top of the repository (DESIGN.md) and reach the package through the links
`lgtmgen/_data/templates` and `lgtmgen/_data/specs`. A wheel copies what the links point to
(`package-data` in pyproject.toml), so an installed lgtmgen (pip, the environment pre-commit
builds for the hooks) renders runbooks and runs its reference checks like a checkout does.
"""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).parent / "_data"
TEMPLATES_DIR = DATA_DIR / "templates"
SPECS_DIR = DATA_DIR / "specs"
