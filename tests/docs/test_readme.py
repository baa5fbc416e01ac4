"""The README's examples are what lgtmgen prints."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_error_example_is_what_validate_prints(tmp_path: Path) -> None:
    """The example shows a typo on a line of the shop catalog: that line has to stay where it says."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```\n((examples/\S+?):(\d+):\d+ .*?\n)```", readme, re.DOTALL)
    assert found is not None
    shown, path, line = found.group(1), found.group(2), int(found.group(3))
    typo = re.search(r"unknown field '(\w+)'", shown)
    meant = re.search(r"did you mean '(\w+)'", shown)
    assert typo is not None and meant is not None
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    target = tmp_path / path
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    shown_line = re.search(rf"^  {line} \| (.*)$", shown, re.MULTILINE)
    assert shown_line is not None
    assert lines[line - 1].rstrip("\n") == shown_line.group(1).replace(typo.group(1), meant.group(1))
    lines[line - 1] = shown_line.group(1) + "\n"
    target.write_text("".join(lines), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "lgtmgen", "validate", "examples/shop"],
        cwd=tmp_path, capture_output=True, text=True, check=False, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 1
    assert shown in run.stdout + run.stderr


def test_the_readme_names_every_check_that_check_only_selects() -> None:
    from lgtmgen.checks import check_names

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"`lgtmgen check --only NAME` \(repeatable\) runs some checks: (.*?)\.\n", readme, re.DOTALL)
    assert found is not None
    assert re.findall(r"`([a-z-]+)`", found.group(1)) == check_names()


def test_the_deployment_guide_places_every_part_of_the_shop_bundle() -> None:
    """Every file and folder two levels down in the shop's bundle is named in docs/deploying.md
    (tenant names written `<tenant>`), deployed somewhere or listed as not deployed."""
    guide = (ROOT / "docs" / "deploying.md").read_text(encoding="utf-8")
    bundle = ROOT / "generated" / "shop"
    tenants = json.loads((bundle / "mimir" / "rules" / "tenants.json").read_text(encoding="utf-8"))["may_read"]
    unnamed = []
    for path in sorted(p.relative_to(bundle).as_posix() for p in bundle.glob("*/*")):
        for tenant in tenants:
            path = path.replace(f"-{tenant}.", "-<tenant>.")
        if f"`{path}" not in guide:
            unnamed.append(path)
    assert unnamed == []
    assert "manifest.json" in guide
