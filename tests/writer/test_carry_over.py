"""A rebuild links the files that did not change to the previous bundle's, and writes the rest."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lgtmgen.cli.app import app
from lgtmgen.writer import read_tree

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from generate_catalog import write_catalog


def build(catalog: Path, out: Path, jobs: int) -> dict[str, bytes]:
    result = CliRunner().invoke(app, ["build", str(catalog), "--out", str(out), "--jobs", str(jobs)])
    assert result.exit_code == 0, result.output
    return read_tree(out)


def inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("jobs", [1, 2])
def test_unchanged_files_keep_their_inode_and_changed_ones_get_the_new_bytes(tmp_path: Path, jobs: int) -> None:
    catalog = write_catalog(tmp_path / "catalog", 8)
    out = tmp_path / "bundle"
    build(catalog, out, jobs)
    before = inodes(out)
    # One service's objective changes: its own files change, most others do not.
    service_file = next(catalog.glob("services/*.yaml"))
    text = service_file.read_text(encoding="utf-8")
    assert "objective: 99.9" in text
    service_file.write_text(text.replace("objective: 99.9", "objective: 99.5", 1), encoding="utf-8")

    rebuilt = build(catalog, out, jobs)
    after = inodes(out)
    fresh = build(catalog, tmp_path / "fresh", jobs)
    assert rebuilt == fresh  # linking never changes what the bundle holds
    kept = {path for path in after if before.get(path) == after[path]}
    changed = set(after) - kept
    assert len(kept) > len(after) // 2
    assert "manifest.json" in changed and any("slo" in path for path in changed)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle", "catalog", "fresh"]


def test_a_hand_edited_file_of_the_previous_bundle_is_written_anew_not_linked(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "catalog", 3)
    out = tmp_path / "bundle"
    first = build(catalog, out, 1)
    edited = out / "alertmanager" / "alertmanager.yml"
    edited.write_bytes(edited.read_bytes() + b"# edited by hand\n")
    edited_inode = edited.stat().st_ino

    assert build(catalog, out, 1) == first
    assert (out / "alertmanager" / "alertmanager.yml").stat().st_ino != edited_inode


def test_a_symlink_in_the_previous_bundle_is_replaced_by_a_real_file(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "catalog", 3)
    out = tmp_path / "bundle"
    first = build(catalog, out, 1)
    config = out / "alertmanager" / "alertmanager.yml"
    elsewhere = tmp_path / "elsewhere.yml"
    elsewhere.write_bytes(config.read_bytes())
    config.unlink()
    config.symlink_to(elsewhere)

    assert build(catalog, out, 1) == first
    assert not config.is_symlink() and config.is_file()
