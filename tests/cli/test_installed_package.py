"""An installed lgtmgen (a wheel: pip, the environment pre-commit builds for the hooks) has
everything a checkout has: the runbook templates and the upstream references ship with it."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from lgtmgen.cache import code_identity, package_digest

REPO = Path(__file__).resolve().parents[2]
STARTER = REPO / "examples" / "starter" / "catalog.yaml"


def _wheel_like_copy(target: Path) -> None:
    """The files a wheel of the package holds: its modules and its package data, links followed."""
    package = REPO / "lgtmgen"
    settings = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    patterns = ["**/*.py", *settings["package-data"]["lgtmgen"]]
    for pattern in patterns:
        for name in glob.glob(str(package / pattern), recursive=True):
            source = Path(name)
            if source.is_file() and "__pycache__" not in source.parts:
                destination = target / "lgtmgen" / source.relative_to(package)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)


def _run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from lgtmgen.cli import main; sys.argv[0] = 'lgtmgen'; main()"
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_an_installed_package_builds_runbooks_and_runs_the_reference_checks(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _wheel_like_copy(site)
    assert not (site / "lgtmgen" / "_data" / "templates").is_symlink()
    shutil.copy(STARTER, tmp_path / "catalog.yaml")
    built = _run(site, tmp_path, "build", "catalog.yaml", "-o", "out")
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "out" / "docs" / "runbooks" / "frontend.md").is_file()
    assert (tmp_path / "out" / "alertmanager" / "templates" / "lgtmgen.tmpl").is_file()
    checked = _run(site, tmp_path, "check", "out", "--only", "reference", "--only", "otelcol")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # Once as the build left it (the package's files give the code identity), once compiled again.
    # The installed files are the checkout's, so both have one code identity: a pre-commit hook's
    # lgtmgen finds the bundle the checkout's build remembered.
    assert package_digest(site / "lgtmgen") == package_digest(REPO / "lgtmgen")
    installed = subprocess.run(
        [sys.executable, "-c", "from lgtmgen.cache import code_identity; print(code_identity())"],
        env={**os.environ, "PYTHONPATH": str(site)}, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.strip()
    assert installed == code_identity()
    for options, reused in (((), True), (("--no-cache",), False)):
        diffed = _run(site, tmp_path, "--output", "json", "diff", "catalog.yaml", "-o", "out", *options)
        assert diffed.returncode == 0, diffed.stdout + diffed.stderr
        assert json.loads(diffed.stdout)["reused"] is reused
