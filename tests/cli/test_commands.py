"""The CLI as users and CI see it: exit codes, JSON shapes, diff, init and schema."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lgtmgen import bundle as bundle_module
from lgtmgen import checks as check_registry
from lgtmgen.checks.base import CheckContext
from lgtmgen.cli.app import app
from lgtmgen.diagnostics import Diagnostic, Location
from lgtmgen.starter import starter_catalog
from lgtmgen.writer import MANIFEST, read_tree

REPO = Path(__file__).resolve().parents[2]
STARTER = REPO / "examples" / "starter" / "catalog.yaml"
LGTMGEN = str(Path(sys.executable).parent / "lgtmgen")


def lgtmgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LGTMGEN, *args], check=False, cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    target = tmp_path / "catalog.yaml"
    shutil.copy(STARTER, target)
    return target


def test_validate_of_a_good_catalog_exits_zero_and_reports_counts_in_json(catalog: Path) -> None:
    result = lgtmgen("--output", "json", "validate", catalog.name, cwd=catalog.parent)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"command", "ok", "summary", "diagnostics", "services", "slos"}
    assert (report["command"], report["ok"], report["services"], report["slos"]) == (
        "validate",
        True,
        2,
        3,
    )
    assert all(d["severity"] != "error" for d in report["diagnostics"])


def test_a_bad_catalog_exits_one_with_diagnostics_in_json(catalog: Path) -> None:
    catalog.write_text(
        catalog.read_text().replace("objective: 99.9 ", "objective: 100 "), encoding="utf-8"
    )
    result = lgtmgen("--output", "json", "validate", catalog.name, cwd=catalog.parent)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["summary"] == "1 error"
    assert (report["services"], report["slos"]) == (None, None)  # not counted: not 0 services
    (diagnostic,) = report["diagnostics"]
    assert set(diagnostic) == {
        "check",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "path",
        "hint",
    }
    assert (diagnostic["check"], diagnostic["file"], diagnostic["path"]) == (
        "catalog/out-of-range",
        "catalog.yaml",
        "services[0].slos[0].objective",
    )


def test_human_output_shows_the_location_the_source_line_and_a_caret(catalog: Path) -> None:
    catalog.write_text(
        catalog.read_text().replace("team: web\n", "team: webb\n", 1), encoding="utf-8"
    )
    result = lgtmgen("validate", catalog.name, cwd=catalog.parent)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    head = next(n for n, line in enumerate(lines) if "catalog/unknown-reference" in line)
    assert lines[head].startswith("catalog.yaml:")
    line_no = lines[head].split(":")[1]
    assert lines[head + 1] == f"  {line_no} |     team: webb"
    assert lines[head + 2].endswith("|           ^")
    assert "1 error" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["build", "x.yaml", "--no-such-option"],
        ["no-such-command"],
        ["--output", "xml", "validate", "x.yaml"],
        ["schema", "--format", "xml"],
        ["check", ".", "--only", "promtool"],
        ["schema", "--write", "a-file/schema.json"],
        ["init", "a-file/catalog.yaml"],
        ["import", "sloth", "a-file", "--team", "t", "--tenant", "p", "-o", "a-file/out.yaml"],
    ],
    ids=[
        "missing catalog argument",
        "unknown option",
        "unknown command",
        "bad output format",
        "bad schema format",
        "misspelt check name",
        "schema written below a file",
        "starter written below a file",
        "import written below a file",
    ],
)
def test_usage_errors_exit_two(args: list[str], tmp_path: Path) -> None:
    # A Sloth spec with one SLO that imports: the import gets as far as writing.
    (tmp_path / "a-file").write_text(
        "version: prometheus/v1\nservice: s\nslos:\n"
        "  - {name: a, objective: 99, sli: {events: {error_query: 'e[{{.window}}]', total_query: 't[{{.window}}]'}}}\n",
        encoding="utf-8",
    )
    result = lgtmgen(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


USAGE_ERRORS_WITH_JSON = [
    (["validate"], "validate", "Missing argument 'catalog'."),
    (["build", "x.yaml", "--no-such-option"], "build", "No such option: --no-such-option"),
    (["no-such-command"], "no-such-command", "No such command 'no-such-command'."),
    (["schema", "--format", "xml"], "schema", "--format is json or markdown"),
    (["check", ".", "--only", "promtool"], "check", "unknown check promtool"),
    (["alerts", "review", ".", "--history", "h.json", "--since", "yesterday"], "alerts review", "--since 'yesterday' is neither"),
    (["import", "sloth"], "import sloth", "Missing argument"),
    (["build", "catalog.yaml", "--out", ""], "build", "Invalid value for '--out' / '-o': is empty"),
    (["build", "catalog.yaml", "--jobs", "100000"], "build", "Invalid value for '--jobs' / '-j'"),
    (["alerts"], "alerts", "Missing command."),
    (["import"], "import", "Missing command."),
]


@pytest.mark.parametrize(("args", "command", "message"), USAGE_ERRORS_WITH_JSON, ids=[c[1].replace(" ", "-") for c in USAGE_ERRORS_WITH_JSON])
def test_usage_errors_answer_a_json_report_when_one_is_asked_for(
    args: list[str], command: str, message: str, tmp_path: Path
) -> None:
    """A CI job parsing standard output gets a report for every exit code, 2 included."""
    (tmp_path / "catalog.yaml").write_text(STARTER.read_text(encoding="utf-8"), encoding="utf-8")
    for flag in (["--output", "json"], ["--output=json"]):
        result = lgtmgen(*flag, *args, cwd=tmp_path)
        assert result.returncode == 2, result.stdout + result.stderr
        report = json.loads(result.stdout)
        assert report["command"] == command and report["ok"] is False and report["exit_code"] == 2
        assert report["summary"].startswith(f"usage error: {message}"), report["summary"]
        assert report["diagnostics"] == []
        assert message.split(" ")[0] in result.stderr  # people still read it on standard error


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--output", "json", "catalog.yaml"],
        ["validate", "catalog.yaml", "--output=json", "--debug"],
        ["--debug", "validate", "catalog.yaml", "--output", "json"],
    ],
)
def test_the_global_options_may_follow_the_command(args: list[str], tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(STARTER.read_text(encoding="utf-8"), encoding="utf-8")
    result = lgtmgen(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["command"] == "validate"


def test_after_a_double_dash_output_is_an_argument(tmp_path: Path) -> None:
    result = lgtmgen("--output", "json", "validate", "--", "--output", cwd=tmp_path)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert [(d["file"], d["check"]) for d in report["diagnostics"]] == [("--output", "catalog/not-found")]


def _explode(*args: object) -> tuple[object, list[object]]:
    raise RuntimeError("generator exploded")


def test_an_internal_error_exits_three_with_one_line_and_the_traceback_only_with_debug(
    catalog: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lgtmgen.cli import main

    monkeypatch.setattr(bundle_module, "stage_bundle", _explode)
    for debug in (False, True):
        argv = [
            "lgtmgen",
            *(["--debug"] if debug else []),
            "build",
            str(catalog),
            "-o",
            str(catalog.parent / "out"),
        ]
        monkeypatch.setattr(sys, "argv", argv)
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == 3
        err = capsys.readouterr().err
        if debug:
            assert "Traceback (most recent call last)" in err and "generator exploded" in err
        else:
            assert err.strip().splitlines() == [
                "lgtmgen: internal error: RuntimeError: generator exploded (rerun with --debug for the traceback)"
            ]
    assert not (catalog.parent / "out").exists()


def test_an_internal_error_answers_a_json_report_when_one_is_asked_for(
    catalog: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lgtmgen.cli import main
    from lgtmgen.cli.app import OutputFormat, state

    monkeypatch.setattr(bundle_module, "stage_bundle", _explode)
    monkeypatch.setattr(state, "output", OutputFormat.human)  # main's callback sets it for the run
    monkeypatch.setattr(sys, "argv", ["lgtmgen", "--output", "json", "build", str(catalog), "-o", str(catalog.parent / "out")])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 3
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {
        "command": "build",
        "ok": False,
        "summary": "internal error: RuntimeError: generator exploded",
        "diagnostics": [],
        "exit_code": 3,
    }
    assert "internal error" in captured.err and "Traceback" not in captured.err


def test_build_writes_the_bundle_and_reports_it_in_json(catalog: Path) -> None:
    result = lgtmgen("--output", "json", "build", catalog.name, "-o", "out", cwd=catalog.parent)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    written = sorted(
        p.relative_to(catalog.parent / "out").as_posix()
        for p in (catalog.parent / "out").rglob("*")
        if p.is_file()
    )
    assert report["ok"] is True and report["files"] == len(written) and report["out"] == "out"
    manifest = json.loads((catalog.parent / "out" / "manifest.json").read_text())
    assert sorted([*manifest["files"], "manifest.json"]) == written


def test_diff_reports_added_changed_and_removed_files_and_exits_one_until_the_bundle_is_current(
    catalog: Path,
) -> None:
    cwd = catalog.parent
    assert lgtmgen("build", catalog.name, "-o", "out", cwd=cwd).returncode == 0
    current = lgtmgen("--output", "json", "diff", catalog.name, "-o", "out", cwd=cwd)
    assert current.returncode == 0, current.stdout
    assert json.loads(current.stdout) == {
        "command": "diff",
        "ok": True,
        "summary": "no problems",
        "diagnostics": [],
        "changes": {},
        "reused": True,
    }
    out = cwd / "out"
    rules = min((out / "prometheus" / "rules").rglob("*.yaml"))
    rules.write_text(rules.read_text() + "# hand edit\n", encoding="utf-8")
    catalog.write_text(
        catalog.read_text().replace("name: api\n", "name: backend\n").replace("[api]", "[backend]"),
        encoding="utf-8",
    )
    stale = lgtmgen("--output", "json", "diff", catalog.name, "-o", "out", cwd=cwd)
    assert stale.returncode == 1
    changes = json.loads(stale.stdout)["changes"]
    # api's files go (it is backend now), backend's come
    assert changes["prometheus/rules/slo/api.yaml"] == "removed"
    assert changes[rules.relative_to(out).as_posix()] in ("changed", "removed")
    assert "added" in changes.values()
    text = lgtmgen("diff", catalog.name, "-o", "out", cwd=cwd)
    assert text.returncode == 1
    assert "--- a/prometheus/rules/slo/api.yaml\n+++ /dev/null\n" in text.stdout
    assert "-# hand edit\n" in text.stdout
    assert any(line.startswith("--- /dev/null") for line in text.stdout.splitlines())
    stat = lgtmgen("diff", catalog.name, "-o", "out", "--stat", cwd=cwd)
    assert stat.returncode == 1
    listed = {line.split()[1]: line.split()[0] for line in stat.stdout.splitlines()}
    assert listed == changes  # one line a file, saying what the JSON says
    edited = next(line for line in stat.stdout.splitlines() if line.split()[1] == rules.relative_to(out).as_posix())
    assert edited.endswith(" -1") or edited.split()[0] == "removed"  # the hand edit's line goes
    assert lgtmgen("build", catalog.name, "-o", "out", cwd=cwd).returncode == 0
    assert lgtmgen("diff", catalog.name, "-o", "out", "--no-cache", cwd=cwd).returncode == 0
    # The would-be bundle was staged beside the bundle (its unchanged files linked) and is gone.
    assert sorted(p.name for p in cwd.iterdir()) == sorted([catalog.name, "out"])


def test_a_rebuild_says_how_many_files_changed_and_how_many_it_kept(catalog: Path) -> None:
    cwd = catalog.parent
    first = lgtmgen("build", catalog.name, "-o", "out", cwd=cwd)
    assert "new or changed" not in first.stderr  # nothing to compare with
    catalog.write_text(catalog.read_text().replace("objective: 99.9 ", "objective: 99.5 "), encoding="utf-8")
    changed = json.loads(lgtmgen("--output", "json", "diff", catalog.name, "-o", "out", cwd=cwd).stdout)["changes"]
    second = lgtmgen("build", catalog.name, "-o", "out", cwd=cwd)
    total = sum(1 for p in (cwd / "out").rglob("*") if p.is_file())
    assert f"wrote {total} files to out: {len(changed)} new or changed, {total - len(changed)} unchanged" in second.stderr


def test_diff_never_prints_what_a_link_in_the_bundle_points_at(catalog: Path) -> None:
    """CI runs diff on the pull request's committed bundle: a listed file replaced by a link to a
    secret of the runner must show as changed, without its target's bytes."""
    cwd = catalog.parent
    assert lgtmgen("build", catalog.name, "-o", "out", cwd=cwd).returncode == 0
    secret = cwd / "credentials"
    secret.write_text("https://ci-bot:not-a-real-token@git.example.com\n", encoding="utf-8")
    rules = min((cwd / "out" / "prometheus" / "rules").rglob("*.yaml"))
    rules.unlink()
    rules.symlink_to(secret)
    result = lgtmgen("diff", catalog.name, "-o", "out", "--no-cache", cwd=cwd)
    assert result.returncode == 1
    assert "not-a-real-token" not in result.stdout + result.stderr
    assert "-(a symbolic link: lgtmgen does not read through it" in result.stdout


def test_a_fifo_in_place_of_a_bundle_file_blocks_neither_diff_nor_build(catalog: Path) -> None:
    """Opening a FIFO for reading waits for a writer: diff (and build, comparing the previous
    bundle's bytes) would hang in CI for ever."""
    cwd = catalog.parent
    assert lgtmgen("build", catalog.name, "-o", "out", cwd=cwd).returncode == 0
    rules = min((cwd / "out" / "prometheus" / "rules").rglob("*.yaml"))
    rules.unlink()
    os.mkfifo(rules)
    for command in ("diff", "build"):
        result = lgtmgen("--output", "json", command, catalog.name, "-o", "out", "--no-cache", cwd=cwd)  # 120 s at most
        report = json.loads(result.stdout)
        assert report["ok"] is (command == "build"), result.stdout + result.stderr
    assert rules.is_file() and not rules.is_fifo()


def test_diff_in_json_summarises_the_pending_changes_as_the_human_output_does(catalog: Path) -> None:
    cwd = catalog.parent
    human = lgtmgen("diff", catalog.name, "-o", "out", cwd=cwd)
    report = json.loads(lgtmgen("--output", "json", "diff", catalog.name, "-o", "out", cwd=cwd).stdout)
    assert report["ok"] is False and report["diagnostics"] == []
    said = f"{len(report['changes'])} file(s) would change in out"
    assert report["summary"] == said
    assert human.returncode == 1 and said in human.stderr


def test_a_failure_beside_warnings_is_summarised_with_their_count() -> None:
    from lgtmgen.cli.report import json_report
    from lgtmgen.diagnostics import Diagnostic, Severity

    warning = Diagnostic("catalog/x", "a warning", severity=Severity.WARNING)
    assert json.loads(json_report("diff", False, [warning], "3 file(s) would change in out"))["summary"] == (
        "3 file(s) would change in out; 1 warning"
    )
    assert json.loads(json_report("diff", True, [warning]))["summary"] == "1 warning"


def test_diff_of_an_invalid_catalog_exits_one_with_the_diagnostics(catalog: Path) -> None:
    catalog.write_text(catalog.read_text().replace("tier: 1 ", "tier: 9 ", 1), encoding="utf-8")
    result = lgtmgen("--output", "json", "diff", catalog.name, cwd=catalog.parent)
    assert result.returncode == 1
    assert [d["check"] for d in json.loads(result.stdout)["diagnostics"]] == [
        "catalog/invalid-value"
    ]


def test_init_writes_the_starter_and_its_schema_and_the_result_validates(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "new" / "catalog.yaml"
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == starter_catalog("./catalog.schema.json")
    schema = json.loads((target.parent / "catalog.schema.json").read_text(encoding="utf-8"))
    assert schema["type"] == "object" and "services" in schema["properties"]
    assert runner.invoke(app, ["validate", str(target)]).exit_code == 0


@pytest.mark.parametrize("existing", [True, False], ids=["existing folder", "new folder"])
def test_init_given_a_folder_writes_catalog_yaml_into_it(tmp_path: Path, existing: bool) -> None:
    folder = tmp_path / "catalog"
    if existing:
        folder.mkdir()
    result = CliRunner().invoke(app, ["init", f"{folder}/"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["catalog.schema.json", "catalog.yaml"]
    assert CliRunner().invoke(app, ["validate", str(folder)]).exit_code == 0


def test_a_file_in_the_way_of_a_written_path_is_named(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x\n", encoding="utf-8")
    result = lgtmgen("init", "a-file/catalog.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot write a-file/catalog.yaml: a-file is a file, not a folder" in result.stderr


def test_init_refuses_to_overwrite_an_existing_file_unless_forced(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "catalog.yaml"
    target.write_text("mine\n", encoding="utf-8")
    refused = runner.invoke(app, ["init", str(target)])
    assert refused.exit_code == 1
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert runner.invoke(app, ["init", str(target), "--force"]).exit_code == 0
    assert target.read_text(encoding="utf-8") != "mine\n"


def test_init_answers_a_json_report_naming_what_it_wrote_or_what_is_in_the_way(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "new" / "team" / "catalog.yaml"
    written = runner.invoke(app, ["--output", "json", "init", str(target)])
    assert written.exit_code == 0, written.output
    report = json.loads(written.stdout)
    assert (report["command"], report["ok"], report["diagnostics"]) == ("init", True, [])
    assert report["written"] == [str(target), str(target.parent / "catalog.schema.json")]
    assert report["folders_made"] == [str(tmp_path / "new"), str(tmp_path / "new" / "team")]
    refused = runner.invoke(app, ["--output", "json", "init", str(target)])
    assert refused.exit_code == 1
    report = json.loads(refused.stdout)
    assert (report["ok"], report["existing"]) == (False, [str(target)])
    assert report["summary"] == f"{target} exists; use --force to overwrite"


def test_init_keeps_a_schema_file_it_did_not_write_unless_forced(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(tmp_path / "catalog.yaml")]).exit_code == 0
    # a second catalog file beside the first: the schema there is the one init writes, no conflict
    assert runner.invoke(app, ["init", str(tmp_path / "teams.yaml")]).exit_code == 0
    schema = tmp_path / "catalog.schema.json"
    schema.write_text('{"mine": true}\n', encoding="utf-8")
    refused = runner.invoke(app, ["init", str(tmp_path / "more.yaml")])
    assert refused.exit_code == 1 and "catalog.schema.json exists" in refused.output
    assert schema.read_text(encoding="utf-8") == '{"mine": true}\n' and not (tmp_path / "more.yaml").exists()
    assert runner.invoke(app, ["init", str(tmp_path / "more.yaml"), "--force"]).exit_code == 0
    assert "services" in json.loads(schema.read_text(encoding="utf-8"))["properties"]


def test_the_example_starter_is_the_starter_that_init_writes() -> None:
    assert STARTER.read_text(encoding="utf-8") == starter_catalog("../../specs/catalog.schema.json")


def test_schema_prints_the_json_schema_and_can_write_it(tmp_path: Path) -> None:
    runner = CliRunner()
    printed = runner.invoke(app, ["schema"])
    assert printed.exit_code == 0
    schema = json.loads(printed.stdout)
    assert {"apiVersion", "services", "teams", "tenants"} <= set(schema["properties"])
    markdown = runner.invoke(app, ["schema", "--format", "markdown"])
    assert markdown.exit_code == 0 and "\n# Catalog reference" in markdown.stdout
    target = tmp_path / "schema.json"
    assert runner.invoke(app, ["schema", "--write", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == printed.stdout


def test_version_prints_the_package_version() -> None:
    from lgtmgen import __version__

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout == f"lgtmgen {__version__}\n"


def test_python_dash_m_runs_the_same_command_line() -> None:
    import subprocess
    import sys

    from lgtmgen import __version__

    run = subprocess.run([sys.executable, "-m", "lgtmgen", "--version"], capture_output=True, text=True, check=False)
    assert (run.returncode, run.stdout) == (0, f"lgtmgen {__version__}\n"), run.stderr


def test_build_refuses_to_replace_a_directory_that_is_not_a_bundle(catalog: Path) -> None:
    own = catalog.parent / "docs"
    own.mkdir()
    (own / "notes.md").write_text("mine\n", encoding="utf-8")
    result = lgtmgen("--output", "json", "build", catalog.name, "-o", "docs", cwd=catalog.parent)
    assert result.returncode == 1
    assert [d["check"] for d in json.loads(result.stdout)["diagnostics"]] == ["bundle/not-a-bundle"]
    assert [p.name for p in own.iterdir()] == ["notes.md"]


def test_an_out_path_that_is_a_link_to_a_bundle_builds_into_the_bundle_and_keeps_the_link(catalog: Path) -> None:
    """`generated -> /srv/bundles/shop`: the bundle the link names is replaced, the link stays a link."""
    assert lgtmgen("build", catalog.name, "-o", "real", "--no-cache", cwd=catalog.parent).returncode == 0
    (catalog.parent / "link").symlink_to("real")
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("99.9", "99.5"), encoding="utf-8")
    diff = lgtmgen("--output", "json", "diff", catalog.name, "-o", "link", "--no-cache", cwd=catalog.parent)
    assert diff.returncode == 1 and json.loads(diff.stdout)["changes"], diff.stdout + diff.stderr
    build = lgtmgen("build", catalog.name, "-o", "link", "--no-cache", cwd=catalog.parent)
    assert build.returncode == 0, build.stdout + build.stderr
    assert (catalog.parent / "link").is_symlink() and (catalog.parent / "link").readlink() == Path("real")
    assert sorted(p.name for p in catalog.parent.iterdir()) == ["catalog.yaml", "link", "real"]
    again = lgtmgen("diff", catalog.name, "-o", "link", "--no-cache", cwd=catalog.parent)
    assert again.returncode == 0, again.stdout + again.stderr


def test_an_out_path_that_is_a_dangling_link_is_refused_by_what_it_points_to(catalog: Path) -> None:
    (catalog.parent / "link").symlink_to("gone")
    result = lgtmgen("--output", "json", "build", catalog.name, "-o", "link", cwd=catalog.parent)
    assert result.returncode == 1
    [refusal] = json.loads(result.stdout)["diagnostics"]
    assert refusal["check"] == "bundle/not-a-bundle"
    assert refusal["message"].endswith("link is a symbolic link to gone, which is not a directory; refusing to replace it")


@pytest.mark.parametrize("kind", ["folder of other files", "regular file"])
def test_diff_refuses_what_build_refuses_to_replace(catalog: Path, kind: str) -> None:
    target = catalog.parent / "target"
    if kind == "regular file":
        target.write_text("mine\n", encoding="utf-8")
    else:
        target.mkdir()
        (target / "important.txt").write_text("mine\n", encoding="utf-8")
    before = sorted(p.name for p in catalog.parent.rglob("*"))
    reports = {}
    for command in ("build", "diff"):
        result = lgtmgen("--output", "json", command, catalog.name, "-o", "target", cwd=catalog.parent)
        assert result.returncode == 1, result.stdout + result.stderr
        reports[command] = json.loads(result.stdout)
    assert reports["diff"]["diagnostics"] == reports["build"]["diagnostics"]
    assert [d["check"] for d in reports["diff"]["diagnostics"]] == ["bundle/not-a-bundle"]
    assert "changes" not in reports["diff"]
    assert sorted(p.name for p in catalog.parent.rglob("*")) == before


@pytest.mark.parametrize(
    ("out", "reason"),
    [
        ("catalog.yaml/sub", "File exists"),
        ("catalog.yaml/a/b", "Not a directory"),
        ("/proc/lgtmgen-bundle", "No such file or directory"),
    ],
    ids=["below a file", "deeper below a file", "a file system without folders"],
)
def test_build_to_an_out_path_that_cannot_be_made_names_it_and_the_reason(
    catalog: Path, out: str, reason: str
) -> None:
    before = sorted(p.name for p in catalog.parent.rglob("*"))
    result = lgtmgen("--output", "json", "build", catalog.name, "-o", out, cwd=catalog.parent)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr == ""
    (diagnostic,) = json.loads(result.stdout)["diagnostics"]
    assert (diagnostic["check"], diagnostic["file"]) == ("bundle/cannot-write", out)
    assert diagnostic["message"].startswith(f"cannot write the bundle to {out}: {reason} (")
    if out.startswith("catalog.yaml/"):
        assert diagnostic["hint"] == f"{catalog} is not a directory: choose another --out"
    human = lgtmgen("build", catalog.name, "-o", out, cwd=catalog.parent)
    assert human.returncode == 1 and "Traceback" not in human.stderr and "internal error" not in human.stderr
    assert f"cannot write the bundle to {out}: {reason}" in human.stdout
    assert sorted(p.name for p in catalog.parent.rglob("*")) == before


def _file_size_limit(limit: int) -> None:
    """In the child: a write past `limit` bytes fails with EFBIG (the signal that would kill it ignored),
    as a write to a full disk fails with ENOSPC."""
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_build_the_system_stops_writing_is_reported_and_the_old_bundle_stays(catalog: Path) -> None:
    """A full disk (here: a file-size limit, which the kernel enforces the same way) is the
    machine's problem, not an internal error: exit 1, the reason, and the previous bundle intact."""
    out = catalog.parent / "out"
    assert lgtmgen("build", catalog.name, "-o", "out", "--no-cache", cwd=catalog.parent).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("99.9", "99.5"), encoding="utf-8")
    result = subprocess.run(
        [LGTMGEN, "--output", "json", "build", catalog.name, "-o", "out", "--no-cache"],
        cwd=catalog.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=lambda: _file_size_limit(16_384),
    )
    assert result.returncode == 1, result.stdout + result.stderr
    (diagnostic,) = json.loads(result.stdout)["diagnostics"]
    assert diagnostic["check"] == "bundle/cannot-write" and diagnostic["file"] == "out"
    assert diagnostic["message"].startswith("cannot write the bundle to out: File too large (")
    assert "needs room for both" in diagnostic["hint"]
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in catalog.parent.iterdir()) == ["catalog.yaml", "out"]  # no staging left


def test_diff_to_an_out_path_below_a_file_warns_that_a_build_could_not_write_there(catalog: Path) -> None:
    result = lgtmgen("--output", "json", "diff", catalog.name, "-o", "catalog.yaml/out", cwd=catalog.parent)
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    [warning] = report["diagnostics"]
    assert (warning["check"], warning["severity"], warning["file"]) == ("bundle/cannot-write", "warning", "catalog.yaml/out")
    assert warning["message"].endswith(f"{catalog} is not a directory")
    assert set(report["changes"].values()) == {"added"}  # still the dry run's answer


def test_a_catalog_of_teams_and_tenants_before_any_service_builds(tmp_path: Path) -> None:
    # The first step of adopting lgtmgen: who exists, before what they run. The overview dashboards
    # then have no tenant to preselect.
    (tmp_path / "catalog.yaml").write_text(
        "apiVersion: lgtmgen/v1\n"
        "teams:\n  - name: platform\n"
        "    notify:\n      slack:\n        channel: '#platform'\n"
        "        api_url_file: /etc/alertmanager/secrets/slack.url\n"
        "tenants:\n  - name: prod\n"
        "clusters:\n  - name: eu-1\n    environment: production\n"
        "environments:\n  - name: production\n    production: true\n",
        encoding="utf-8",
    )
    result = lgtmgen("build", "catalog.yaml", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "out" / "manifest.json").is_file()


def test_diff_beside_a_bundle_whose_folder_cannot_be_written_stages_elsewhere(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = catalog.parent / "out"
    assert CliRunner().invoke(app, ["build", str(catalog), "-o", str(out)]).exit_code == 0

    def read_only(_out: Path) -> object:
        raise PermissionError(13, "Read-only file system", str(_out.parent))

    monkeypatch.setattr(sys.modules["lgtmgen.cli.app"], "staging_for", read_only)
    result = CliRunner().invoke(app, ["--output", "json", "diff", str(catalog), "-o", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["changes"] == {}


SHARED_JSON_KEYS = {"command", "ok", "summary", "diagnostics"}


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (["validate", "catalog.yaml"], {"services", "slos"}),
        (["build", "catalog.yaml", "-o", "out"], {"out", "files", "reused"}),
        (["diff", "catalog.yaml", "-o", "out"], {"changes", "reused"}),
        (["graph", "catalog.yaml"], {"services", "edges"}),
        (["graph", "catalog.yaml", "--impact", "api"], {"impact", "affected", "highest_tier"}),
    ],
)
def test_every_ci_command_answers_json_of_one_shape(catalog: Path, args: list[str], extra: set[str]) -> None:
    result = lgtmgen("--output", "json", *args, cwd=catalog.parent)
    report = json.loads(result.stdout)
    assert set(report) == SHARED_JSON_KEYS | extra
    assert report["command"] == args[0] and report["ok"] is (result.returncode == 0)


def test_graph_in_json_lists_services_edges_and_the_blast_radius(catalog: Path) -> None:
    graph = json.loads(lgtmgen("--output", "json", "graph", catalog.name, cwd=catalog.parent).stdout)
    assert graph["edges"] == [{"client": "frontend", "server": "api"}]
    assert [s["name"] for s in graph["services"]] == ["api", "frontend"]
    impact = json.loads(
        lgtmgen("--output", "json", "graph", catalog.name, "--impact", "api", cwd=catalog.parent).stdout
    )
    assert impact["affected"] == [{"service": "frontend", "tier": 1, "team": "web", "distance": 1}]
    assert impact["highest_tier"] == 1


def test_graph_of_an_invalid_catalog_answers_json_with_the_diagnostics(catalog: Path) -> None:
    catalog.write_text(catalog.read_text().replace("depends_on:", "depend_on:"), encoding="utf-8")
    result = lgtmgen("--output", "json", "graph", catalog.name, cwd=catalog.parent)
    assert result.returncode == 1
    assert [d["check"] for d in json.loads(result.stdout)["diagnostics"]] == ["catalog/unknown-field"]


def test_import_in_json_holds_the_catalog_and_what_was_not_carried_over(tmp_path: Path) -> None:
    spec = tmp_path / "sloth.yaml"
    spec.write_text(
        "version: prometheus/v1\nservice: s\nlabels: {owner: x}\nslos:\n"
        "  - {name: a, objective: 99, sli: {events: {error_query: 'e[{{.window}}]', total_query: 't[{{.window}}]'}}}\n",
        encoding="utf-8",
    )
    result = lgtmgen("--output", "json", "import", "sloth", spec.name, "--team", "w", "--tenant", "p", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == SHARED_JSON_KEYS | {"services", "slos", "not_imported", "not_carried", "catalog"}
    assert (report["services"], report["slos"]) == (1, 1)
    assert report["catalog"]["services"][0]["slos"][0]["sli"]["bad_query"] == "e[{{window}}]"
    assert report["not_carried"] == ["sloth.yaml: labels (service-wide labels are not part of the catalog)"]


def test_check_reuses_passed_unit_tests_from_its_cache_dir_unless_told_not_to(catalog: Path) -> None:
    cwd = catalog.parent
    assert lgtmgen("build", catalog.name, "-o", "out", cwd=cwd).returncode == 0

    def reused(*flags: str) -> list[str]:
        run = lgtmgen("--output", "json", "check", "out", "--only", "promtool-tests", *flags, cwd=cwd)
        assert run.returncode == 0, run.stdout + run.stderr
        return [d["message"] for d in json.loads(run.stdout)["diagnostics"] if d["check"] == "promtool/tests-passed-before"]

    manifest = json.loads((cwd / "out" / "manifest.json").read_text(encoding="utf-8"))
    tests = sum(1 for entry in manifest["files"].values() if entry["role"] == "prometheus-rule-tests")
    assert reused("--cache-dir", "cache") == []
    assert [m.split(" unit-test")[0] for m in reused("--cache-dir", "cache")] == [f"{tests} of {tests}"]
    assert reused("--cache-dir", "cache", "--no-cache") == []
    # The default directory is $LGTMGEN_CACHE_DIR (set per test, empty at first).
    assert reused() == []
    assert len(reused()) == 1
    # `build --check` checks the staged bundle with the same cache: what it ran passes here.
    built = lgtmgen("build", catalog.name, "-o", "out", "--check", "--cache-dir", "other", cwd=cwd)
    assert built.returncode == 0, built.stdout + built.stderr
    assert [m.split(" unit-test")[0] for m in reused("--cache-dir", "other")] == [f"{tests} of {tests}"]


class RefusingCheck:
    """A check in lgtmgen's own registry that refuses every bundle it is shown (no tool is faked:
    the checks that run tools are left out of the registry for these builds)."""

    name = "refuses-every-bundle"

    def __init__(self) -> None:
        self.shown: list[Path] = []

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        self.shown.append(ctx.bundle_dir)
        return [Diagnostic("test/refused", "this bundle is refused", location=Location(MANIFEST))]


def test_build_check_that_refuses_the_bundle_exits_one_and_leaves_the_previous_bundle_untouched(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd = catalog.parent
    out = cwd / "out"
    assert lgtmgen("build", catalog.name, "-o", "out", cwd=cwd).returncode == 0
    previous = read_tree(out)
    catalog.write_text(catalog.read_text().replace("objective: 99.9 ", "objective: 99.5 "), encoding="utf-8")

    def build_checked() -> tuple[int, str]:
        result = CliRunner().invoke(app, ["build", str(catalog), "--out", str(out), "--check"])
        return result.exit_code, result.output

    refusing = RefusingCheck()
    monkeypatch.setattr(check_registry, "CHECKS", (refusing,))
    code, output = build_checked()
    assert (code, "test/refused" in output) == (1, True), output
    assert refusing.shown and refusing.shown[0].name.startswith(".out.new-")  # the staged bundle
    assert read_tree(out) == previous
    assert sorted(p.name for p in cwd.iterdir()) == sorted([catalog.name, "out"])

    # The same build with nothing refusing it swaps the new bundle in: the refusal alone kept it out.
    monkeypatch.setattr(check_registry, "CHECKS", ())
    assert build_checked()[0] == 0
    rebuilt = read_tree(out)
    assert rebuilt != previous

    # A build that finds its bundle already in place checks that one, and refuses it the same way.
    monkeypatch.setattr(check_registry, "CHECKS", (refusing,))
    code, output = build_checked()
    assert (code, "test/refused" in output) == (1, True), output
    assert refusing.shown[-1] == out
    assert read_tree(out) == rebuilt


def test_the_schema_shows_the_defaults_fields_make_with_a_factory() -> None:
    # pydantic leaves factory defaults out: editors and the reference showed business hours,
    # percentiles and security patterns as having none (or `[]`).
    import json

    from lgtmgen.catalog.schema import catalog_json_schema

    definitions = json.loads(catalog_json_schema())["$defs"]
    assert definitions["BusinessHours"]["properties"]["weekdays"]["default"] == ["monday:friday"]
    assert definitions["BusinessHours"]["properties"]["times"]["default"] == [{"start": "09:00", "end": "17:00"}]
    assert definitions["MetricsSettings"]["properties"]["percentiles"]["default"] == [0.5, 0.9, 0.95, 0.99]
    assert definitions["MetricsSettings"]["properties"]["keep_metrics"]["default"] == []


def test_a_usage_error_report_to_a_reader_that_went_away_keeps_its_exit_code(tmp_path: Path) -> None:
    """`lgtmgen --output json ... | head -c0`: no traceback, and still exit 2, not 1."""
    process = subprocess.Popen(
        [LGTMGEN, "--output", "json", "validate"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the command has started writing
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 2, err
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_no_command_help_breaks_a_line_inside_a_paragraph() -> None:
    """Typer keeps a docstring's line breaks after its first paragraph; a narrow terminal then wrapped
    those lines again mid-sentence."""
    import typer as typer_module

    def helps(typer_app: typer_module.Typer) -> list[str]:
        found = [info.help or "" for info in typer_app.registered_commands]
        for group in typer_app.registered_groups:
            assert group.typer_instance is not None
            found += helps(group.typer_instance)
        return found

    texts = helps(app)
    assert len(texts) >= 8 and all(texts)
    assert [t for t in texts if "\n" in t.replace("\n\n", "")] == []
