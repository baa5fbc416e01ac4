"""Precedence of the places a tool is found in, with tiny stand-in programs that print a banner."""

from pathlib import Path

import pytest

from lgtmgen.toolchain.locate import (
    ENV_OVERRIDES,
    Tool,
    Toolbox,
    ToolOverrideError,
    locate_tool,
    locate_tools,
    parse_version,
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for variable in [*ENV_OVERRIDES.values(), "LGTMGEN_TOOLS_DIR"]:
        monkeypatch.delenv(variable, raising=False)
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def program(directory: Path, name: str, banner: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(f"#!/bin/sh\necho '{banner}'\n")
    path.chmod(0o755)
    return path


def test_nothing_found_gives_an_empty_toolbox(tmp_path: Path) -> None:
    assert locate_tools(tools_dir=tmp_path / "tools") == Toolbox()


def test_tools_dir_is_used(tmp_path: Path) -> None:
    path = program(tmp_path / "tools" / "bin", "promtool", "promtool, version 3.5.3+ds1 (x)")

    toolbox = locate_tools(tools_dir=tmp_path / "tools")

    assert toolbox.promtool == Tool("promtool", path, "3.5.3")
    assert toolbox.amtool is None


def test_tools_dir_comes_from_the_environment_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = program(tmp_path / "tools" / "bin", "amtool", "amtool, version 0.33.1 (x)")
    monkeypatch.setenv("LGTMGEN_TOOLS_DIR", str(tmp_path / "tools"))

    assert locate_tools().amtool == Tool("amtool", path, "0.33.1")


def test_tools_dir_wins_over_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    program(tmp_path / "on-path", "promtool", "promtool, version 1.0.0")
    monkeypatch.setenv("PATH", str(tmp_path / "on-path"))
    in_tools = program(tmp_path / "tools" / "bin", "promtool", "promtool, version 3.5.3")

    assert locate_tools(tools_dir=tmp_path / "tools").promtool == Tool(
        "promtool", in_tools, "3.5.3"
    )


def test_path_is_the_last_resort(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on_path = program(tmp_path / "on-path", "prometheus", "prometheus, version 2.53.3+ds1")
    monkeypatch.setenv("PATH", str(tmp_path / "on-path"))

    toolbox = locate_tools(tools_dir=tmp_path / "tools")

    assert toolbox.prometheus == Tool("prometheus", on_path, "2.53.3")


def test_debian_name_of_alertmanager_is_found_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_path = program(
        tmp_path / "on-path", "prometheus-alertmanager", "alertmanager, version 0.28.1 (x)"
    )
    monkeypatch.setenv("PATH", str(tmp_path / "on-path"))

    assert locate_tools(tools_dir=tmp_path / "tools").alertmanager == Tool(
        "alertmanager", on_path, "0.28.1"
    )


def test_environment_override_wins_over_tools_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program(tmp_path / "tools" / "bin", "amtool", "amtool, version 0.33.1")
    chosen = program(tmp_path / "elsewhere", "my-amtool", "amtool, version 0.29.0")
    monkeypatch.setenv("LGTMGEN_AMTOOL", str(chosen))

    assert locate_tools(tools_dir=tmp_path / "tools").amtool == Tool("amtool", chosen, "0.29.0")


def test_explicit_override_wins_over_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_env = program(tmp_path / "env", "promtool", "promtool, version 2.0.0")
    monkeypatch.setenv("LGTMGEN_PROMTOOL", str(from_env))
    flag = program(tmp_path / "flag", "promtool", "promtool, version 3.0.0")

    toolbox = locate_tools(tools_dir=tmp_path / "tools", overrides={"promtool": flag})

    assert toolbox.promtool == Tool("promtool", flag, "3.0.0")


def test_override_that_is_not_executable_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ToolOverrideError, match="promtool: override .*nope is not an executable"):
        locate_tools(overrides={"promtool": tmp_path / "nope"})


def test_environment_override_that_is_missing_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LGTMGEN_ALERTMANAGER", str(tmp_path / "gone"))

    with pytest.raises(ToolOverrideError, match="LGTMGEN_ALERTMANAGER"):
        locate_tool("alertmanager", tools_dir=tmp_path / "tools")


def test_banner_without_a_version_reads_as_unknown(tmp_path: Path) -> None:
    program(tmp_path / "tools" / "bin", "amtool", "something else entirely")

    assert locate_tool("amtool", tools_dir=tmp_path / "tools") == Tool(
        "amtool", tmp_path / "tools" / "bin" / "amtool", "unknown"
    )


def test_version_banner_on_stderr_is_read(tmp_path: Path) -> None:
    path = tmp_path / "tools" / "bin" / "promtool"
    path.parent.mkdir(parents=True)
    path.write_text("#!/bin/sh\necho 'promtool, version 2.53.3 (branch: x)' >&2\n")
    path.chmod(0o755)

    tool = locate_tool("promtool", tools_dir=tmp_path / "tools")

    assert tool is not None and tool.version == "2.53.3"


@pytest.mark.parametrize(
    ("banner", "version"),
    [
        ("promtool, version 3.5.3+ds1 (branch: debian/sid, revision: 3.5.3+ds1-6)", "3.5.3"),
        ("alertmanager, version 0.33.1 (branch: debian/sid, revision: 0.33.1-5)", "0.33.1"),
        ("prometheus, version v2.53.3 (branch: HEAD)", "2.53.3"),
        ("no version here", None),
    ],
)
def test_parse_version(banner: str, version: str | None) -> None:
    assert parse_version(banner + "\n  build user: x\n") == version
