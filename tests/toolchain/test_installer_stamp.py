"""The installer's no-op path: a matching stamp means no apt call at all."""

import json
from pathlib import Path

import pytest

from lgtmgen.toolchain.install import InstallError, install, is_up_to_date
from lgtmgen.toolchain.versions import PACKAGES


def installed_tree(tools_dir: Path, pins: dict[str, list[str]]) -> None:
    (tools_dir / "bin").mkdir(parents=True)
    for link in ("promtool", "prometheus", "amtool", "alertmanager"):
        path = tools_dir / "bin" / link
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    packages = {
        package: {"pins": versions, "version": versions[0], "suite": "testing"}
        for package, versions in pins.items()
    }
    (tools_dir / "installed.json").write_text(json.dumps({"packages": packages}))


def current_pins() -> dict[str, list[str]]:
    return {name: [pin.version for pin in p.pins] for name, p in PACKAGES.items()}


@pytest.fixture
def no_programs_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.mark.usefixtures("no_programs_on_path")
def test_matching_stamp_installs_nothing_and_calls_no_program(tmp_path: Path) -> None:
    installed_tree(tmp_path, current_pins())

    assert is_up_to_date(tmp_path, list(PACKAGES))
    assert install(tmp_path, list(PACKAGES)) == []


def test_stamp_from_older_pins_is_stale(tmp_path: Path) -> None:
    pins = current_pins()
    pins["promtool"] = ["3.4.0+ds1-1", "2.53.3+ds1-2"]
    installed_tree(tmp_path, pins)

    assert not is_up_to_date(tmp_path, ["promtool"])
    assert is_up_to_date(tmp_path, ["prometheus-alertmanager"])


def test_missing_link_is_stale(tmp_path: Path) -> None:
    installed_tree(tmp_path, current_pins())
    (tmp_path / "bin" / "amtool").unlink()

    assert not is_up_to_date(tmp_path, ["prometheus-alertmanager"])
    assert is_up_to_date(tmp_path, ["promtool", "prometheus"])


def test_no_stamp_is_stale(tmp_path: Path) -> None:
    assert not is_up_to_date(tmp_path, ["promtool"])


@pytest.mark.usefixtures("no_programs_on_path")
def test_without_apt_the_installer_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(InstallError, match="apt-get not found"):
        install(tmp_path / "tools", ["promtool"])


def test_unknown_package_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InstallError, match="unknown package"):
        install(tmp_path, ["grafana"])
