"""Finding catalog files: what cannot be read is reported, never skipped silently and never waited on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lgtmgen.catalog.files import discover, display_path

GOOD = "apiVersion: lgtmgen/v1\n"


def checks(paths: list[Path]) -> list[tuple[str, str]]:
    _, diagnostics = discover(paths)
    return [(Path(d.location.file).name if d.location else "", d.check) for d in diagnostics]


def test_a_fifo_named_on_the_command_line_is_refused_instead_of_blocking_the_read(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "catalog.yaml"
    os.mkfifo(fifo)
    files, _ = discover([fifo])
    assert files == []
    assert checks([fifo]) == [("catalog.yaml", "catalog/unreadable")]


def test_a_fifo_inside_a_catalog_directory_is_refused_and_the_plain_files_are_kept(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    os.mkfifo(tmp_path / "b.yaml")
    files, _ = discover([tmp_path])
    assert [f.name for f in files] == ["a.yaml"]
    assert checks([tmp_path]) == [("b.yaml", "catalog/unreadable")]


def test_a_dangling_symbolic_link_in_a_directory_is_reported_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "gone.yaml")
    assert checks([tmp_path]) == [("b.yaml", "catalog/unreadable")]


def test_a_symbolic_link_to_a_catalog_file_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "linked.yaml").symlink_to(tmp_path / "real.txt")
    files, diagnostics = discover([tmp_path / "dir"])
    assert [f.name for f in files] == ["linked.yaml"] and diagnostics == []


def test_directories_named_like_catalog_files_are_searched_not_read(tmp_path: Path) -> None:
    (tmp_path / "teams.yaml").mkdir()
    (tmp_path / "teams.yaml" / "web.yml").write_text(GOOD, encoding="utf-8")
    files, diagnostics = discover([tmp_path])
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["teams.yaml/web.yml"]
    assert diagnostics == []


def test_catalog_suffixes_are_found_in_any_case(tmp_path: Path) -> None:
    """A file named as some editors and Windows tools save it, `teams.YML`, is as much catalog."""
    for name in ("a.YML", "b.Yaml", "c.yaml", "d.txt"):
        (tmp_path / name).write_text(GOOD, encoding="utf-8")
    files, diagnostics = discover([tmp_path])
    assert [f.name for f in files] == ["a.YML", "b.Yaml", "c.yaml"] and diagnostics == []


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    files, diagnostics = discover([tmp_path / "a.yaml", tmp_path, tmp_path / "." / "a.yaml"])
    assert [f.name for f in files] == ["a.yaml"] and diagnostics == []


def test_a_file_is_shown_relative_to_the_working_directory_inside_it_and_absolute_outside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside = tmp_path / "work" / "catalog" / "services.yaml"
    inside.parent.mkdir(parents=True)
    outside = tmp_path / "elsewhere" / "catalog.yaml"
    monkeypatch.chdir(inside.parents[1])
    assert display_path(inside) == os.path.join("catalog", "services.yaml")
    assert display_path(outside) == str(outside)


def test_hidden_names_in_a_directory_are_skipped_but_read_when_named(tmp_path: Path) -> None:
    # version control, an editor's lock file, a killed build's staging tree: never the catalog
    (tmp_path / "catalog.yaml").write_text(GOOD, encoding="utf-8")
    for hidden in (".git/x.yaml", ".#catalog.yaml", ".generated.new-1-abc/services.yaml"):
        (tmp_path / hidden).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / hidden).write_text("broken: [", encoding="utf-8")
    files, diagnostics = discover([tmp_path])
    assert [f.name for f in files] == ["catalog.yaml"] and diagnostics == []
    files, _ = discover([tmp_path / ".#catalog.yaml"])
    assert [f.name for f in files] == [".#catalog.yaml"]


def test_a_bundle_built_into_the_catalog_directory_is_not_read_as_catalog(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(GOOD, encoding="utf-8")
    bundle = tmp_path / "generated"
    (bundle / "prometheus").mkdir(parents=True)
    (bundle / "prometheus" / "rules.yaml").write_text("groups: []\n", encoding="utf-8")
    (bundle / "manifest.json").write_text('{\n  "generator": "lgtmgen",\n  "files": {}\n}\n', encoding="utf-8")
    # a folder with some other manifest is the user's: searched as ever
    other = tmp_path / "teams"
    other.mkdir()
    (other / "manifest.json").write_text('{"generator": "someone else"}', encoding="utf-8")
    (other / "web.yaml").write_text(GOOD, encoding="utf-8")
    files, diagnostics = discover([tmp_path])
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["catalog.yaml", "teams/web.yaml"]
    assert diagnostics == []


def test_a_folder_that_is_a_symbolic_link_is_read_once_and_links_up_the_tree_are_not(tmp_path: Path) -> None:
    """`services -> ../shared/services` is read like a folder; a link back up would loop or leave the catalog."""
    shared = tmp_path / "shared" / "services"
    shared.mkdir(parents=True)
    (shared / "api.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "shared" / "outside.yaml").write_text(GOOD, encoding="utf-8")
    catalog = tmp_path / "catalog"
    (catalog / "more").mkdir(parents=True)
    (catalog / "catalog.yaml").write_text(GOOD, encoding="utf-8")
    (catalog / "services").symlink_to("../shared/services")
    (catalog / "more" / "again").symlink_to("../services")  # the same real folder, through a second link
    (catalog / "up").symlink_to("..")  # would read tmp_path, then catalog again, forever
    (catalog / "here").symlink_to(".")
    (shared / "back").symlink_to("../../catalog")
    files, diagnostics = discover([catalog])
    assert diagnostics == []
    assert [f.relative_to(catalog).as_posix() for f in files] == ["catalog.yaml", "services/api.yaml"]


def test_links_that_lead_outside_the_repository_are_reported_and_not_read(tmp_path: Path) -> None:
    """A pull request can commit a link to a runner's secret file; diagnostics print the lines of
    what they read. Links inside the repository (a shared services folder) are read as before."""
    outside = tmp_path / "runner"
    outside.mkdir()
    (outside / "credentials.yaml").write_text("token: not-a-real-token\n", encoding="utf-8")
    repo = tmp_path / "repo"
    catalog = repo / "catalog"
    shared = repo / "shared"
    catalog.mkdir(parents=True)
    shared.mkdir()
    (repo / ".git").mkdir()
    (catalog / "catalog.yaml").write_text("apiVersion: lgtmgen/v1\n", encoding="utf-8")
    (shared / "teams.yaml").write_text("apiVersion: lgtmgen/v1\n", encoding="utf-8")
    (catalog / "teams.yaml").symlink_to(shared / "teams.yaml")
    (catalog / "leak.yaml").symlink_to(outside / "credentials.yaml")
    (catalog / "runner").symlink_to(outside)
    files, diagnostics = discover([catalog])
    assert sorted(f.name for f in files) == ["catalog.yaml", "teams.yaml"]
    assert sorted((d.check, Path(d.location.file).name) for d in diagnostics if d.location) == [
        ("catalog/link-outside", "leak.yaml"),
        ("catalog/link-outside", "runner"),
    ]
    assert all(str(repo) in d.message for d in diagnostics)


def test_a_link_named_on_the_command_line_or_into_a_hidden_folder_is_held_to_the_same_bounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "runner"
    outside.mkdir()
    (outside / "credentials.yaml").write_text("token: not-a-real-token\n", encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "config").write_text("[remote]\n", encoding="utf-8")
    (repo / "env.yaml").symlink_to(outside / "credentials.yaml")
    (repo / "linked").symlink_to(outside)
    (repo / "catalog").mkdir()
    (repo / "catalog" / "git.yaml").symlink_to(repo / ".git" / "config")
    (repo / "catalog" / "catalog.yaml").write_text("apiVersion: lgtmgen/v1\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    files, diagnostics = discover([Path("env.yaml"), Path("linked"), Path("catalog")])
    assert [f.name for f in files] == ["catalog.yaml"]
    assert sorted((d.check, d.location.file) for d in diagnostics if d.location) == [
        ("catalog/link-outside", "catalog/git.yaml"),
        ("catalog/link-outside", "env.yaml"),
        ("catalog/link-outside", "linked"),
    ]


def test_a_catalog_inside_a_hidden_folder_of_the_repository_reads_its_folders_and_links(tmp_path: Path) -> None:
    """Only links are held to the repository, and a hidden folder the catalog itself lives in is
    no secret: `repo/.lgtm/catalog/services/` is read, and so is a link to `repo/.lgtm/shared`."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    catalog = repo / ".lgtm" / "catalog"
    (catalog / "services").mkdir(parents=True)
    (repo / ".lgtm" / "shared").mkdir()
    (catalog / "catalog.yaml").write_text("apiVersion: lgtmgen/v1\n", encoding="utf-8")
    (catalog / "services" / "api.yaml").write_text("apiVersion: lgtmgen/v1\n", encoding="utf-8")
    (repo / ".lgtm" / "shared" / "teams.yaml").write_text("apiVersion: lgtmgen/v1\n", encoding="utf-8")
    (catalog / "shared").symlink_to(repo / ".lgtm" / "shared")
    (catalog / "git.yaml").symlink_to(repo / ".git" / "config")
    files, diagnostics = discover([catalog])
    assert sorted(f.name for f in files) == ["api.yaml", "catalog.yaml", "teams.yaml"]
    assert [(d.check, Path(d.location.file).name) for d in diagnostics if d.location] == [("catalog/link-outside", "git.yaml")]
