from __future__ import annotations

from pathlib import Path

import yaml

from lgtmgen.cli.app import app

REPO = Path(__file__).resolve().parents[2]


def test_the_hooks_file_offers_validate_and_drift_with_commands_that_exist() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {hook["id"]: hook for hook in hooks}
    assert set(by_id) == {"lgtmgen-validate", "lgtmgen-drift"}
    commands = {c.name or c.callback.__name__ for c in app.registered_commands}  # type: ignore[union-attr]
    for hook in hooks:
        program, command = hook["entry"].split()
        assert program == "lgtmgen"
        assert command in commands
        assert {"name", "language", "files"} <= set(hook)
    assert by_id["lgtmgen-validate"]["entry"] == "lgtmgen validate"
    assert by_id["lgtmgen-drift"]["entry"] == "lgtmgen diff"
