"""Install the pinned checking programs from Debian packages into a private tools directory.

    python -m lgtmgen.toolchain.install [--tools-dir DIR] [--packages PKG ...] [--quiet]

The machine's apt configuration is only read, never changed: a private apt state under
`<tools-dir>/apt/` points at the machine's own Debian mirror, `apt-get download` fetches the
pinned package (or the stable fallback), `dpkg-deb -x` unpacks it into `<tools-dir>/root`, and
`<tools-dir>/bin` gets one symlink per tool. A stamp file makes a repeated run a no-op without any
apt call. Standard library only: this runs before the project's dependencies are installed.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from lgtmgen.toolchain.apt_sources import (
    DEBIAN_KEYRING,
    Mirror,
    MirrorNotFound,
    debian_mirror,
    read_sources,
    render_sources_list,
)
from lgtmgen.toolchain.paths import default_tools_dir
from lgtmgen.toolchain.version_choice import Choice, choose_version, parse_madison
from lgtmgen.toolchain.versions import FALLBACK_SUITE, PACKAGES, PREFERRED_SUITE

MIRROR_ENV = "LGTMGEN_APT_MIRROR"
STAMP_NAME = "installed.json"
# Package -> (file under usr/bin, name of the link in <tools-dir>/bin).
PACKAGE_BINARIES: dict[str, tuple[tuple[str, str], ...]] = {
    "promtool": (("promtool", "promtool"),),
    "prometheus": (("prometheus", "prometheus"),),
    "prometheus-alertmanager": (
        ("amtool", "amtool"),
        ("prometheus-alertmanager", "alertmanager"),
    ),
}

Log = Callable[[str], None]


class InstallError(RuntimeError):
    """The tools could not be installed; the message says why and what was tried."""


def _stderr(message: str) -> None:
    print(f"lgtmgen tools: {message}", file=sys.stderr, flush=True)


class PrivateApt:
    """apt-get and apt-cache run against a state directory of their own."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.sources_list = state_dir / "sources.list"

    def options(self) -> list[str]:
        s = self.state_dir
        opts = {
            "Dir::State": s / "state",
            "Dir::State::Lists": s / "state" / "lists",
            "Dir::State::status": s / "state" / "status",
            "Dir::Cache": s / "cache",
            "Dir::Etc::SourceList": self.sources_list,
            "Dir::Etc::SourceParts": "/dev/null",
            "Dir::Etc::Preferences": "/dev/null",
            "Dir::Etc::PreferencesParts": "/dev/null",
        }
        if os.geteuid() == 0:
            # apt would hand downloads to its _apt user, who cannot write into our directories.
            opts["APT::Sandbox::User"] = "root"
        return [arg for key, value in opts.items() for arg in ("-o", f"{key}={value}")]

    def prepare(self, sources: str) -> None:
        for sub in ("state/lists/partial", "cache/archives/partial"):
            (self.state_dir / sub).mkdir(parents=True, exist_ok=True)
        (self.state_dir / "state" / "status").touch()
        self.sources_list.write_text(sources, encoding="utf-8")

    def update(self) -> subprocess.CompletedProcess[str]:
        return self._run(["apt-get", *self.options(), "-q", "update"])

    def madison(self, packages: Sequence[str]) -> str:
        return self._run(["apt-cache", *self.options(), "madison", *packages]).stdout

    def download(self, specs: Sequence[str], dest: Path) -> subprocess.CompletedProcess[str]:
        return self._run(["apt-get", *self.options(), "-q", "download", *specs], cwd=dest)

    @staticmethod
    def _run(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            cmd,
            check=False,
            cwd=cwd,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=1800,
        )


def read_stamp(tools_dir: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads((tools_dir / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    packages = data.get("packages") if isinstance(data, dict) else None
    return packages if isinstance(packages, dict) else {}


def _pins_of(package: str) -> list[str]:
    return [pin.version for pin in PACKAGES[package].pins]


def is_up_to_date(tools_dir: Path, packages: Sequence[str]) -> bool:
    """True when the stamp was made against today's pins and every binary and link is in place."""
    stamp = read_stamp(tools_dir)
    for package in packages:
        entry = stamp.get(package)
        if not isinstance(entry, dict) or entry.get("pins") != _pins_of(package):
            return False
        for binary, link in PACKAGE_BINARIES[package]:
            target = tools_dir / "bin" / link
            if not (target.is_file() and os.access(target, os.X_OK)):
                return False
    return True


def installed_summary(tools_dir: Path, packages: Sequence[str]) -> str:
    stamp = read_stamp(tools_dir)
    parts = []
    for package in packages:
        entry = stamp.get(package, {})
        parts.append(f"{package} {entry.get('version', '?')} ({entry.get('suite', '?')})")
    return f"{', '.join(parts)} in {tools_dir}"


def find_mirror(etc_apt: Path = Path("/etc/apt")) -> Mirror:
    """`$LGTMGEN_APT_MIRROR` when set, else the Debian archive the machine's apt already uses."""
    configured = os.environ.get(MIRROR_ENV)
    if configured:
        return Mirror(uri=configured, keyring=DEBIAN_KEYRING if DEBIAN_KEYRING.is_file() else None)
    try:
        return debian_mirror(read_sources(etc_apt))
    except MirrorNotFound as exc:
        raise InstallError(f"{exc} (under {etc_apt}); set {MIRROR_ENV} to a Debian mirror") from exc


@contextmanager
def _locked(tools_dir: Path) -> Iterator[None]:
    tools_dir.mkdir(parents=True, exist_ok=True)
    with open(tools_dir / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def install(
    tools_dir: Path,
    packages: Sequence[str] = tuple(PACKAGES),
    *,
    etc_apt: Path = Path("/etc/apt"),
    log: Log = _stderr,
) -> list[Choice]:
    """Install `packages` at their pinned versions; returns what was installed ([] if up to date)."""
    unknown = sorted(set(packages) - set(PACKAGES))
    if unknown:
        raise InstallError(f"unknown package(s) {unknown}; known: {sorted(PACKAGES)}")
    with _locked(tools_dir):
        if is_up_to_date(tools_dir, packages):
            return []
        for program in ("apt-get", "apt-cache", "dpkg-deb"):
            if shutil.which(program) is None:
                raise InstallError(
                    f"{program} not found: the tools come from Debian packages; on another "
                    "system point LGTMGEN_PROMTOOL, LGTMGEN_AMTOOL, ... at installed binaries"
                )
        apt = PrivateApt(tools_dir / "apt")
        mirror = find_mirror(etc_apt)
        apt.prepare(render_sources_list(mirror, [PREFERRED_SUITE, FALLBACK_SUITE]))
        log(f"reading the {PREFERRED_SUITE} and {FALLBACK_SUITE} package lists from {mirror.uri}")
        update = apt.update()
        offers = parse_madison(apt.madison(packages))
        choices = []
        for package in packages:
            choice = choose_version(PACKAGES[package], offers)
            if choice is None:
                raise InstallError(_unavailable(package, mirror, update))
            log(choice.describe(PACKAGES[package]))
            choices.append(choice)
        _fetch_and_unpack(apt, tools_dir, choices)
        _write_stamp(tools_dir, choices)
        return choices


def _unavailable(package: str, mirror: Mirror, update: subprocess.CompletedProcess[str]) -> str:
    tried = ", ".join(f"{p.suite} {p.version}" for p in PACKAGES[package].pins)
    message = f"{package}: none of the pinned versions ({tried}) is offered by {mirror.uri}"
    if update.returncode != 0 or "Err:" in update.stdout or update.stderr.strip():
        message += f"\napt-get update said:\n{update.stdout}{update.stderr}".rstrip()
    return message


def _fetch_and_unpack(apt: PrivateApt, tools_dir: Path, choices: Sequence[Choice]) -> None:
    root = tools_dir / "root"
    root.mkdir(parents=True, exist_ok=True)
    download_dir = Path(tempfile.mkdtemp(prefix="debs-", dir=apt.state_dir))
    try:
        specs = [f"{c.package}={c.pin.version}" for c in choices]
        fetched = apt.download(specs, download_dir)
        debs = sorted(download_dir.glob("*.deb"))
        if fetched.returncode != 0 or len(debs) != len(choices):
            raise InstallError(f"apt-get download {' '.join(specs)} failed:\n{fetched.stderr}")
        for deb in debs:
            unpack = subprocess.run(
                ["dpkg-deb", "-x", str(deb), str(root)], check=False, capture_output=True, text=True
            )
            if unpack.returncode != 0:
                raise InstallError(f"dpkg-deb -x {deb.name} failed:\n{unpack.stderr}")
    finally:
        shutil.rmtree(download_dir, ignore_errors=True)
    (tools_dir / "bin").mkdir(exist_ok=True)
    for choice in choices:
        for binary, link in PACKAGE_BINARIES[choice.package]:
            if not (root / "usr" / "bin" / binary).is_file():
                raise InstallError(f"{choice.package} {choice.pin.version} has no usr/bin/{binary}")
            _replace_symlink(tools_dir / "bin" / link, Path("..", "root", "usr", "bin", binary))


def _replace_symlink(link: Path, target: Path) -> None:
    temporary = link.with_name(f".{link.name}.new")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, link)


def _write_stamp(tools_dir: Path, choices: Sequence[Choice]) -> None:
    packages = read_stamp(tools_dir)
    for c in choices:
        packages[c.package] = {
            "pins": _pins_of(c.package),
            "version": c.pin.version,
            "suite": c.suite,
        }
    stamp = tools_dir / STAMP_NAME
    temporary = stamp.with_name(f".{STAMP_NAME}.new")
    temporary.write_text(json.dumps({"packages": packages}, indent=2, sort_keys=True) + "\n")
    os.replace(temporary, stamp)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lgtmgen.toolchain.install", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--tools-dir", type=Path, help="default: $LGTMGEN_TOOLS_DIR, else <repo>/.tools"
    )
    parser.add_argument("--packages", nargs="+", choices=sorted(PACKAGES), default=list(PACKAGES))
    parser.add_argument("--quiet", action="store_true", help="print nothing when up to date")
    args = parser.parse_args(argv)
    tools_dir = (args.tools_dir or default_tools_dir()).resolve()
    try:
        install(tools_dir, args.packages)
    except InstallError as exc:
        _stderr(f"error: {exc}")
        return 1
    if not args.quiet:
        _stderr(installed_summary(tools_dir, args.packages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
