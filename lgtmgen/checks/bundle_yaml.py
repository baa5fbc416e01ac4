"""Read one YAML file of the written bundle, or say why it cannot be read."""

from __future__ import annotations

import yaml

from lgtmgen.checks.base import BundleFile
from lgtmgen.diagnostics import Diagnostic, Location


def load_bundle_yaml(bundle_file: BundleFile, check: str) -> tuple[object, Diagnostic | None]:
    """The parsed document, or None and a `<check>` diagnostic when reading or parsing fails."""
    try:
        return yaml.safe_load(bundle_file.absolute.read_text(encoding="utf-8")), None
    except (OSError, yaml.YAMLError) as exc:
        return None, Diagnostic(
            check, f"cannot read {bundle_file.path}: {exc}", location=Location(bundle_file.path)
        )
