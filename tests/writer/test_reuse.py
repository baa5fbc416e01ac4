"""A build or diff with nothing to do does nothing: a directory that holds, byte for byte, the
bundle this very code built from the same catalog is left as it is. Anything else compiles."""

from __future__ import annotations

import importlib
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lgtmgen.built_bundles import BuiltBundles, intact_manifest
from lgtmgen.cache import code_identity, package_digest, runtime_libraries
from lgtmgen.cli.app import app
from lgtmgen.pipeline import validate
from lgtmgen.writer import read_tree

STARTER = Path(__file__).resolve().parents[2] / "examples" / "starter" / "catalog.yaml"
app_module = importlib.import_module("lgtmgen.cli.app")


def run(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, ["--output", "json", *args])
    assert result.exit_code in (0, 1), result.output
    report: dict[str, object] = json.loads(result.stdout)
    return report


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    target = tmp_path / "catalog.yaml"
    shutil.copy(STARTER, target)
    return target


def stamps(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_a_second_build_of_the_same_catalog_touches_no_file(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run("build", str(catalog), "-o", str(out))
    assert first["reused"] is False
    before = stamps(out)
    second = run("build", str(catalog), "-o", str(out))
    assert (second["ok"], second["reused"], second["files"]) == (True, True, first["files"])
    assert stamps(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.yaml", "out"]  # nothing staged
    # The half-written tree of a killed build goes, as a compiling build would remove it.
    (tmp_path / f".out.new-{2**31 - 1}-killed" / "prometheus").mkdir(parents=True)
    assert run("build", str(catalog), "-o", str(out))["reused"] is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.yaml", "out"]


def test_a_diff_after_a_build_is_up_to_date_without_compiling(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("build", str(catalog), "-o", str(out))
    assert run("diff", str(catalog), "-o", str(out)) | {"diagnostics": []} == {
        "command": "diff", "ok": True, "summary": "no problems", "diagnostics": [], "changes": {}, "reused": True
    }


def test_a_diff_that_compiled_and_found_nothing_remembers_it(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("build", str(catalog), "-o", str(out), "--no-cache")
    assert run("diff", str(catalog), "-o", str(out))["reused"] is False
    assert run("diff", str(catalog), "-o", str(out))["reused"] is True


@pytest.mark.parametrize("change", ["edit", "remove", "symlink", "empty folder"])
def test_a_bundle_changed_by_hand_is_compiled_again_and_mended(catalog: Path, tmp_path: Path, change: str) -> None:
    out = tmp_path / "out"
    run("build", str(catalog), "-o", str(out))
    built = read_tree(out)
    rules = min((out / "prometheus" / "rules").rglob("*.yaml"))
    if change == "edit":
        rules.write_bytes(rules.read_bytes().replace(b"expr:", b"expr: ", 1))
    elif change == "remove":
        rules.unlink()
    elif change == "symlink":  # same bytes, but through a link to a file outside the bundle
        outside = tmp_path / "elsewhere.yaml"
        outside.write_bytes(rules.read_bytes())
        rules.unlink()
        rules.symlink_to(outside)
    else:  # holds no file to lose, so it does not stop the build; the new tree has no such folder
        (out / "prometheus" / "notes" / "later").mkdir(parents=True)
    diffed = run("diff", str(catalog), "-o", str(out))
    assert diffed["reused"] is False
    expected = {
        "edit": {rules.relative_to(out).as_posix(): "changed"},
        "remove": {rules.relative_to(out).as_posix(): "added"},
        # the same bytes, but a link is not read through (it could point at a secret): the build
        # replaces it with the file
        "symlink": {rules.relative_to(out).as_posix(): "changed"},
        "empty folder": {},
    }
    assert diffed["changes"] == expected[change]
    rebuilt = run("build", str(catalog), "-o", str(out))
    assert rebuilt["reused"] is False
    assert read_tree(out) == built
    assert not rules.is_symlink()
    assert not (out / "prometheus" / "notes").exists()


def test_a_file_added_to_a_bundle_by_hand_stops_diff_and_build_until_it_is_moved(catalog: Path, tmp_path: Path) -> None:
    """The build replaces the folder whole: a file its manifest does not list would be lost."""
    out = tmp_path / "out"
    run("build", str(catalog), "-o", str(out))
    built = read_tree(out)
    extra = out / "prometheus" / "extra.yaml"
    extra.write_text("groups: []\n", encoding="utf-8")
    for command in ("diff", "build"):
        report = run(command, str(catalog), "-o", str(out))
        assert [d["check"] for d in report["diagnostics"]] == ["bundle/foreign-files"]  # type: ignore[index, union-attr]
    assert read_tree(out) == {**built, "prometheus/extra.yaml": b"groups: []\n"}
    extra.unlink()
    assert run("build", str(catalog), "-o", str(out))["reused"] is True


def test_a_changed_catalog_compiles(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("build", str(catalog), "-o", str(out))
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("objective: 99.9 ", "objective: 99.5 ", 1), encoding="utf-8")
    diffed = run("diff", str(catalog), "-o", str(out))
    assert diffed["ok"] is False and diffed["reused"] is False and diffed["changes"]
    assert run("build", str(catalog), "-o", str(out))["reused"] is False


def test_a_catalog_whose_mappings_only_changed_order_compiles(catalog: Path, tmp_path: Path) -> None:
    # The selector's labels are written in the catalog's order: another order is another bundle,
    # and another catalog digest (which once sorted keys and found the old bundle current).
    out = tmp_path / "out"
    text = catalog.read_text(encoding="utf-8")
    assert "selector: {job: api}" in text
    catalog.write_text(text.replace("selector: {job: api}", "selector: {job: api, env: prod}"), encoding="utf-8")
    run("build", str(catalog), "-o", str(out))
    catalog.write_text(text.replace("selector: {job: api}", "selector: {env: prod, job: api}"), encoding="utf-8")
    diffed = run("diff", str(catalog), "-o", str(out))
    assert diffed["reused"] is False and diffed["changes"]
    assert run("build", str(catalog), "-o", str(out))["reused"] is False


def test_a_diff_remembers_the_manifest_it_compared_not_the_one_found_afterwards(
    catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another build swaps its bundle in right after this diff compared: what the diff remembers is
    # the manifest it compared, so the other catalog's bundle is never taken for this one's.
    out, cache = tmp_path / "out", tmp_path / "cache"
    other = tmp_path / "other.yaml"
    other.write_text(catalog.read_text(encoding="utf-8").replace("objective: 99.9 ", "objective: 99.5 ", 1), encoding="utf-8")
    run("build", str(catalog), "-o", str(out), "--no-cache")
    compare = app_module._changes

    def compare_then_swap(*args: object, **kwargs: object) -> object:
        found = compare(*args, **kwargs)  # type: ignore[arg-type]
        assert run("build", str(other), "-o", str(out), "--no-cache")["ok"] is True
        return found

    monkeypatch.setattr(app_module, "_changes", compare_then_swap)
    assert run("diff", str(catalog), "-o", str(out), "--cache-dir", str(cache))["changes"] == {}
    monkeypatch.undo()
    diffed = run("diff", str(catalog), "-o", str(out), "--cache-dir", str(cache))
    assert diffed["reused"] is False and diffed["changes"]


def test_no_cache_compiles_and_remembers_nothing(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cache = tmp_path / "cache"
    for _ in range(2):
        report = run("build", str(catalog), "-o", str(out), "--cache-dir", str(cache), "--no-cache")
        assert report["reused"] is False
    assert not cache.exists()
    assert run("build", str(catalog), "-o", str(out), "--cache-dir", str(cache))["reused"] is False
    assert run("build", str(catalog), "-o", str(out), "--cache-dir", str(cache))["reused"] is True


def test_a_cache_that_cannot_be_written_builds_every_time(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    in_the_way = tmp_path / "cache"
    in_the_way.write_text("not a directory\n", encoding="utf-8")
    for _ in range(2):
        report = run("build", str(catalog), "-o", str(out), "--cache-dir", str(in_the_way))
        assert (report["ok"], report["reused"]) == (True, False)


def test_other_code_does_not_find_the_bundle(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cache = tmp_path / "cache"
    run("build", str(catalog), "-o", str(out), "--cache-dir", str(cache))
    plan, _ = validate([catalog])
    assert plan is not None
    assert BuiltBundles(cache).current(plan.catalog_digest, out) == len(read_tree(out))
    assert BuiltBundles(cache, identity=code_identity() + " changed").current(plan.catalog_digest, out) is None
    assert BuiltBundles(cache).current("sha256:another catalog", out) is None


def test_a_manifest_that_lists_what_is_not_there_is_not_intact(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"a: 1\n")
    manifest = {"files": {"a.yaml": {"sha256": "0" * 64}}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert intact_manifest(tmp_path) is None
    (tmp_path / "manifest.json").write_text("[]", encoding="utf-8")
    assert intact_manifest(tmp_path) is None
    assert intact_manifest(tmp_path / "missing") is None


def test_the_code_identity_covers_every_file_of_the_package_and_its_linked_data(tmp_path: Path) -> None:
    package = tmp_path / "package"
    data = tmp_path / "templates"
    data.mkdir()
    (data / "runbook.md.j2").write_text("{{ x }}\n", encoding="utf-8")
    (package / "__pycache__").mkdir(parents=True)
    (package / "module.py").write_text("X = 1\n", encoding="utf-8")
    (package / "templates").symlink_to(data)
    first = package_digest(package)
    (package / "__pycache__" / "module.cpython-311.pyc").write_bytes(b"compiled")
    assert package_digest(package) == first  # bytecode is not code
    (data / "runbook.md.j2").write_text("{{ y }}\n", encoding="utf-8")
    second = package_digest(package)
    assert second != first
    (package / "module.py").rename(package / "other.py")
    assert package_digest(package) not in (first, second)


def test_the_code_identity_names_the_libraries_lgtmgen_runs_with_not_the_tools_beside_it() -> None:
    libraries = runtime_libraries()
    assert {"lgtmgen", "pydantic", "pydantic-core", "grafanalib", "ruamel-yaml", "jinja2"} <= set(libraries)
    assert not {"pytest", "hypothesis", "ruff", "mypy"} & set(libraries)  # the test extra's
    assert all(f"{name}=={version}" in code_identity() for name, version in libraries.items())


def test_a_fifo_in_the_bundle_is_never_read(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"files": {"a.yaml": {"sha256": "0" * 64}}}), encoding="utf-8")
    os.mkfifo(tmp_path / "a.yaml")
    assert intact_manifest(tmp_path) is None  # instead of waiting for a writer forever


def test_an_unreadable_file_in_the_package_is_part_of_its_digest_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "module.py").write_text("X = 1\n", encoding="utf-8")
    first = package_digest(tmp_path)
    (tmp_path / ".#module.py").symlink_to(tmp_path / "gone")  # an editor's lock file
    assert package_digest(tmp_path) != first


def test_a_rebuild_links_no_file_reached_through_a_folder_link_of_the_old_bundle(catalog: Path, tmp_path: Path) -> None:
    """Unchanged files are hard-linked from the previous bundle; a folder of it replaced by a link
    (listed in the manifest, so the build does not refuse) must not bring a file from elsewhere."""
    out = tmp_path / "out"
    run("build", str(catalog), "-o", str(out), "--no-cache")
    elsewhere = tmp_path / "elsewhere"
    (out / "prometheus").rename(elsewhere)
    (out / "prometheus").symlink_to(elsewhere)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["prometheus"] = {"sha256": "0" * 64, "role": "doc"}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    rules = min(p.relative_to(elsewhere) for p in (elsewhere / "rules").rglob("*.yaml"))
    assert run("build", str(catalog), "-o", str(out), "--no-cache")["ok"] is True
    built = out / "prometheus" / rules
    assert not (out / "prometheus").is_symlink() and built.is_file()
    assert built.stat().st_ino != (elsewhere / rules).stat().st_ino
