"""The same catalog always gives the same bytes, wherever it lies and however often it is built."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from lgtmgen.cli.app import app
from lgtmgen.writer import read_tree

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from generate_catalog import write_catalog

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"
LGTMGEN = str(Path(sys.executable).parent / "lgtmgen")


def build(catalog: Path, out: Path) -> dict[str, bytes]:
    # --no-cache: every build here compiles, none finds its directory current and stops there.
    result = CliRunner().invoke(app, ["build", str(catalog), "--out", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    return read_tree(out)


HASH_SEEDS = ("1", "2", "3")
"""Three processes, each with its own string hashing: a set or hash order that reaches the output
(receivers ordered by hash(name)) differs between them. In one process every build hashes alike."""


def build_in_a_process(catalog: Path, out: Path, hash_seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [LGTMGEN, "build", str(catalog), "--out", str(out), "--no-cache"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return read_tree(out)


def test_processes_with_different_hash_seeds_build_byte_identical_bundles(tmp_path: Path) -> None:
    first, *others = [build_in_a_process(SHOP, tmp_path / f"seed-{seed}", seed) for seed in HASH_SEEDS]
    assert len(first) > 100
    for other in others:
        assert sorted(other) == sorted(first)
        assert [path for path in first if other[path] != first[path]] == []


def test_a_copy_of_the_catalog_elsewhere_builds_the_same_bundle(tmp_path: Path) -> None:
    copy = tmp_path / "somewhere" / "else" / "shop"
    shutil.copytree(SHOP, copy)
    assert build(copy, tmp_path / "copy") == build(SHOP, tmp_path / "original")


def test_rebuilding_into_the_same_directory_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    first = build(SHOP, out)
    assert build(SHOP, out) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]


def test_worker_processes_build_the_same_bytes_as_one_process(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "catalog", 60)
    result = CliRunner().invoke(app, ["build", str(catalog), "--out", str(tmp_path / "serial"), "--jobs", "1", "--no-cache"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["build", str(catalog), "--out", str(tmp_path / "parallel"), "--jobs", "2", "--no-cache"])
    assert result.exit_code == 0, result.output
    serial, parallel = read_tree(tmp_path / "serial"), read_tree(tmp_path / "parallel")
    assert len(serial) > 300
    assert serial == parallel
