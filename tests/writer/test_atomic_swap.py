"""A build killed at any moment leaves the complete old bundle or the complete new one."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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
    outcomes: set[str] = set()
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
        outcomes.add(catalog_digest(tree))
        if catalog_digest(tree) == catalog_digest(new):
            build(small, out)
    assert outcomes
    build(large, out)
    rebuilt = read_tree(out)
    assert_complete(rebuilt)
    assert catalog_digest(rebuilt) == catalog_digest(new)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".bundle.")]
    assert len(leftovers) <= 6  # staging trees of killed builds; never mistaken for the bundle


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
