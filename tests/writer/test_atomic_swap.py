"""A build killed at any moment leaves the complete old bundle or the complete new one."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lgtmgen import writer
from lgtmgen.artifacts import Role
from lgtmgen.bundle import Bundle, RenderedFile
from lgtmgen.writer import NotABundleError, read_tree, write_bundle

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from generate_catalog import write_catalog

LGTMGEN = str(Path(sys.executable).parent / "lgtmgen")


def manifest_of(paths: list[str]) -> bytes:
    """What marks a directory as lgtmgen's, listing its files (a rebuild refuses files it does not list)."""
    return json.dumps({"generator": "lgtmgen", "files": {p: {} for p in sorted(paths)}}).encode() + b"\n"


def bundle_of(files: dict[str, bytes]) -> Bundle:
    """A bundle of `files` plus the manifest that marks a directory as lgtmgen's."""
    files = {**files, "manifest.json": manifest_of(list(files))}
    return Bundle(
        {path: RenderedFile(path, Role.REPORT, content) for path, content in files.items()}
    )


def without_manifest(tree: dict[str, bytes]) -> dict[str, bytes]:
    assert json.loads(tree.pop("manifest.json"))["files"].keys() == tree.keys()
    return tree


def catalog_digest(tree: dict[str, bytes]) -> str:
    return str(json.loads(tree["manifest.json"])["catalog_digest"])


def assert_complete(tree: dict[str, bytes]) -> None:
    """Every file the manifest lists is present with its hash, and nothing else."""
    manifest = json.loads(tree["manifest.json"])
    listed = manifest["files"]
    assert set(tree) == set(listed) | {"manifest.json"}
    for path, entry in listed.items():
        assert hashlib.sha256(tree[path]).hexdigest() == entry["sha256"], path


def test_stale_files_disappear_after_a_rebuild(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    write_bundle(bundle_of({"a.yaml": b"a: 1\n", "old/b.yaml": b"b: 2\n"}), out)
    write_bundle(bundle_of({"a.yaml": b"a: 3\n"}), out)
    assert without_manifest(read_tree(out)) == {"a.yaml": b"a: 3\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]


def test_a_failed_write_leaves_the_old_bundle_and_no_staging_directory(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    write_bundle(bundle_of({"a.yaml": b"a: 1\n"}), out)
    with pytest.raises(OSError):
        write_bundle(bundle_of({"a.yaml": b"a: 2\n", "a.yaml/inside": b"x\n"}), out)
    assert without_manifest(read_tree(out)) == {"a.yaml": b"a: 1\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]


@pytest.fixture(scope="module")
def two_catalogs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("catalogs")
    return write_catalog(root / "small", 30), write_catalog(root / "large", 200)


def build(catalog: Path, out: Path) -> None:
    subprocess.run(
        [LGTMGEN, "build", str(catalog), "--out", str(out)], check=True, capture_output=True
    )


def test_killing_builds_at_many_moments_never_leaves_a_partial_bundle(
    two_catalogs: tuple[Path, Path], tmp_path: Path
) -> None:
    small, large = two_catalogs
    out = tmp_path / "bundle"
    build(small, out)
    old = read_tree(out)
    assert_complete(old)
    started = time.perf_counter()
    build(large, tmp_path / "reference")
    full_build = time.perf_counter() - started
    new = read_tree(tmp_path / "reference")
    # The kill times are guesses (whether one lands in the swap is chance): the swap itself is
    # proved step by step by the tests of swap_in below; this one kills a real build process.
    for step in range(6):
        delay = full_build * (0.4 + 0.12 * step)
        child = subprocess.Popen(
            [LGTMGEN, "build", str(large), "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        tree = read_tree(out)
        assert_complete(tree)
        assert catalog_digest(tree) in (catalog_digest(old), catalog_digest(new))
        if catalog_digest(tree) == catalog_digest(new):
            build(small, out)
    build(large, out)
    rebuilt = read_tree(out)
    assert_complete(rebuilt)
    assert catalog_digest(rebuilt) == catalog_digest(new)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".bundle.")]
    assert len(leftovers) <= 6  # staging trees of killed builds; never mistaken for the bundle


OLD_FILES = {"a.yaml": b"a: 1\n", "same/b.yaml": b"b: 2\n", "stale/c.yaml": b"c: 3\n", "stale/deep/d.yaml": b"d\n"}
NEW_FILES = {"a.yaml": b"a: 10\n", "same/b.yaml": b"b: 2\n", "fresh/e.yaml": b"e: 5\n"}
# Every call that changes what a path names: a swap done by any mix of them is watched step by step
# (shutil.rmtree removes through os.unlink and os.rmdir, one entry a call).
CHANGING_CALLS = ("rename", "replace", "rmdir", "unlink", "remove", "link", "symlink", "mkdir")


class Watcher:
    """After every call that changes the file system during a build, which bundle `out` names."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.old = read_tree(out)
        self.new = bundle_of(NEW_FILES).contents()
        self.states: list[str] = []
        self.busy = False

    def look(self, step: str) -> None:
        if self.busy:
            return
        self.busy = True
        try:
            tree = read_tree(self.out)
            if tree == self.old:
                self.states.append("old")
            elif tree == self.new:
                self.states.append("new")
            elif not self.out.exists() and self._old_kept_aside():
                self.states.append("aside")
            else:
                self.states.append(f"partial after {step}: {sorted(tree)}")
        finally:
            self.busy = False

    def _old_kept_aside(self) -> bool:
        return any(read_tree(p) == self.old for p in self.out.parent.glob(f".{self.out.name}.old-*"))

    def wrap(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def watched(*args: Any, **kwargs: Any) -> Any:
            result = real(*args, **kwargs)
            self.look(f"{name}{args!r}")
            return result

        return watched


def watched_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool) -> list[str]:
    out = tmp_path / "bundle"
    write_bundle(bundle_of(OLD_FILES), out)
    watcher = Watcher(out)
    if not exchange:
        monkeypatch.setattr(writer, "_libc_renameat2", lambda: None)  # a system without renameat2
    for name in CHANGING_CALLS:
        monkeypatch.setattr(os, name, watcher.wrap(name, getattr(os, name)))
    monkeypatch.setattr(writer, "_exchange", watcher.wrap("_exchange", writer._exchange))
    write_bundle(bundle_of(NEW_FILES), out)
    monkeypatch.undo()
    assert read_tree(out) == watcher.new
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]
    return watcher.states


def _runs(states: list[str]) -> list[str]:
    return [s for i, s in enumerate(states) if i == 0 or states[i - 1] != s]


def test_at_every_step_of_a_rebuild_the_output_names_the_whole_old_or_the_whole_new_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A kill lands between two of these calls; what the path names then is what a reader or the
    # next build finds. Old throughout the writing, new from one call on, never a mix or nothing.
    states = watched_rebuild(tmp_path, monkeypatch, exchange=True)
    assert _runs(states) == ["old", "new"], states
    # The removal of the old tree, file by file, was watched too.
    assert states.count("new") > len(OLD_FILES) + 1, states


def test_without_renameat2_the_old_bundle_is_whole_at_every_step_even_while_out_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two renames cannot swap atomically: between them the output path is missing for one call,
    # and the old bundle is whole beside it (`.bundle.old-*`), never half removed.
    states = watched_rebuild(tmp_path, monkeypatch, exchange=False)
    assert _runs(states) == ["old", "aside", "new"], states


def _killed_between_the_two_renames(tmp_path: Path) -> tuple[Path, Path]:
    """The state a build killed after `swap_in`'s first fallback rename leaves: no bundle at the
    path, the previous one whole beside it, unlocked (its build is gone)."""
    out = tmp_path / "bundle"
    write_bundle(bundle_of(OLD_FILES), out)
    aside = tmp_path / ".bundle.old-killed"
    os.rename(out, aside)
    return out, aside


def test_the_next_build_puts_back_a_bundle_a_killed_swap_left_aside(tmp_path: Path) -> None:
    out, aside = _killed_between_the_two_renames(tmp_path)
    writer.restore_interrupted_swap(out)
    assert without_manifest(read_tree(out)) == OLD_FILES
    assert not aside.exists()
    # and a whole build from that state ends with the new bundle and nothing left beside it
    out, aside = _killed_between_the_two_renames(tmp_path / "again")
    write_bundle(bundle_of(NEW_FILES), out)
    assert without_manifest(read_tree(out)) == NEW_FILES
    assert sorted(p.name for p in out.parent.iterdir()) == ["bundle"]


def test_an_old_tree_left_after_a_finished_swap_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    write_bundle(bundle_of(NEW_FILES), out)
    leftover = tmp_path / ".bundle.old-killed"
    write_bundle(bundle_of(OLD_FILES), leftover)
    write_bundle(bundle_of(NEW_FILES), out)
    assert without_manifest(read_tree(out)) == NEW_FILES
    assert not leftover.exists()


def test_an_old_tree_a_running_swap_holds_is_left_alone(tmp_path: Path) -> None:
    out, aside = _killed_between_the_two_renames(tmp_path)
    held = writer._locked(aside)  # as `swap_in` holds it between its two renames
    assert held is not None
    try:
        writer.restore_interrupted_swap(out)
        assert not out.exists() and without_manifest(read_tree(aside)) == OLD_FILES
    finally:
        os.close(held)


def test_a_directory_that_is_not_a_bundle_is_never_replaced(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "main.py").write_text("print('mine')\n", encoding="utf-8")
    with pytest.raises(NotABundleError):
        write_bundle(bundle_of({"a.yaml": b"a: 1\n"}), project)
    assert read_tree(project) == {"src/main.py": b"print('mine')\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]


def test_a_file_in_the_way_of_the_bundle_is_never_replaced(tmp_path: Path) -> None:
    target = tmp_path / "bundle"
    target.write_text("precious\n", encoding="utf-8")
    with pytest.raises(NotABundleError):
        write_bundle(bundle_of({"a.yaml": b"a: 1\n"}), target)
    assert target.read_text(encoding="utf-8") == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]


def test_an_empty_directory_may_receive_the_bundle(tmp_path: Path) -> None:
    (tmp_path / "bundle").mkdir()
    write_bundle(bundle_of({"a.yaml": b"a: 1\n"}), tmp_path / "bundle")
    assert without_manifest(read_tree(tmp_path / "bundle")) == {"a.yaml": b"a: 1\n"}


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and text.encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def test_a_killed_parallel_build_leaves_no_worker_behind_and_the_next_build_removes_its_staging_tree(
    two_catalogs: tuple[Path, Path], tmp_path: Path
) -> None:
    _, large = two_catalogs
    out = tmp_path / "bundle"
    child = subprocess.Popen(
        [LGTMGEN, "build", str(large), "--out", str(out), "--jobs", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".bundle.new-*/prometheus")) and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = [pid for pid in _processes_mentioning(str(out)) if pid != child.pid]
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert workers, "the build had not started its workers"
    deadline = time.monotonic() + 10
    while _processes_mentioning(str(out)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_mentioning(str(out)) == []
    assert [p.name for p in tmp_path.glob(".bundle.new-*")] != []
    build(large, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]


def test_a_bundle_named_like_a_glob_pattern_leaves_its_neighbours_leftovers_alone(tmp_path: Path) -> None:
    # `.gen[1].old-*` as a pattern would match `.gen1.old-*`: another bundle's tree set aside.
    neighbour, aside = _killed_between_the_two_renames(tmp_path)
    named = aside.rename(tmp_path / ".gen1.old-killed")
    write_bundle(bundle_of(NEW_FILES), tmp_path / "gen[1]")
    assert named.exists() and not neighbour.exists()
