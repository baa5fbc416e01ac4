"""Builds sharing an output folder with other builds, other containers and the user's own files."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lgtmgen.cli.app import app
from lgtmgen.writer import read_tree, swap_in

STARTER = Path(__file__).resolve().parents[2] / "examples" / "starter" / "catalog.yaml"


def run(*args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(app, ["--output", "json", *args])
    return result.exit_code, json.loads(result.stdout)


def test_a_staging_tree_a_live_build_holds_is_left_alone_whatever_its_name(tmp_path: Path) -> None:
    """A build in another PID namespace (a container sharing the folder) has a process id this one
    cannot see; its lock on its staging tree is what keeps the tree."""
    live = tmp_path / f".out.new-{2**31 - 1}-elsewhere"  # a process id no process here has
    (live / "prometheus").mkdir(parents=True)
    fd = os.open(live, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        code, report = run("build", str(STARTER), "--out", str(tmp_path / "out"), "--no-cache")
        assert (code, report["ok"]) == (0, True)
        assert (live / "prometheus").is_dir()
    finally:
        os.close(fd)
    # Once no build holds it, it is the tree of a killed build: the next build removes it.
    run("build", str(STARTER), "--out", str(tmp_path / "out"), "--no-cache")
    assert not live.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_folder_made_by_another_build_meanwhile_is_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two first builds into one new folder: the one swapping in second finds the folder made."""
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)  # the other build's bundle, made after this one looked
    (out / "a" / "x").write_text("other", encoding="utf-8")
    staging = tmp_path / ".out.new-mine"
    staging.mkdir()
    (staging / "mine").write_text("mine", encoding="utf-8")
    real_exists = Path.exists
    monkeypatch.setattr(Path, "exists", lambda self: False if self == out else real_exists(self))
    swap_in(staging, out)
    monkeypatch.undo()
    assert sorted(p.name for p in out.iterdir()) == ["mine"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("foreign", [".git/HEAD", "README.md", "notes/todo.txt"])
def test_files_the_manifest_does_not_list_stop_the_build_and_are_kept(tmp_path: Path, foreign: str) -> None:
    out = tmp_path / "out"
    assert run("build", str(STARTER), "--out", str(out))[0] == 0
    (out / foreign).parent.mkdir(parents=True, exist_ok=True)
    (out / foreign).write_text("the user's\n", encoding="utf-8")
    before = read_tree(out)
    for command in ("build", "diff"):
        code, report = run(command, str(STARTER), "--out", str(out), "--no-cache")
        assert code == 1
        [finding] = report["diagnostics"]  # type: ignore[misc]
        assert finding["check"] == "bundle/foreign-files"
        assert foreign in finding["message"]
    assert read_tree(out) == before
    shutil.rmtree(out / foreign.split("/")[0]) if "/" in foreign else (out / foreign).unlink()
    assert run("build", str(STARTER), "--out", str(out), "--no-cache")[0] == 0
