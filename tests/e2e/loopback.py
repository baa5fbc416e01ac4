"""Loopback helpers for the end-to-end tests: free ports, HTTP threads, server processes, bounded waits.

Everything listens on 127.0.0.1 only; every process and thread is stopped by
the context managers, even when the test fails.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

HOST = "127.0.0.1"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def http_thread(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on a free loopback port; yields the base URL."""
    server = ThreadingHTTPServer((HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def server_process(
    args: list[str], log: Path, ready_url: str, timeout: float = 20
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server, wait until `ready_url` answers 200, stop it at the end whatever happens."""
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_for(
                lambda: _answers(ready_url) or _exited(process, log), timeout, f"{args[0]} ready"
            )
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _exited(process: subprocess.Popen[bytes], log: Path) -> bool:
    if process.poll() is not None:
        raise RuntimeError(
            f"server exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}"
        )
    return False


def wait_for(condition: Callable[[], T], timeout: float, what: str) -> T:
    """Poll `condition` until it returns something truthy, at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.25)


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


DEBIAN_SHARE = Path("/usr/share/prometheus/alertmanager/default.tmpl")


def alertmanager_command(binary: Path, args: list[str]) -> list[str]:
    """The command that runs Debian's Alertmanager from the tools directory.

    Debian's build reads its default notification templates from
    /usr/share/prometheus/alertmanager; when the package is only unpacked under
    .tools, a private mount namespace shows the unpacked /usr/share there (the
    system is not touched; time zones other than UTC are then unavailable).

    Checked for a cleaner way (0.33.1-5): the path is a constant of the binary,
    not embedded assets as upstream builds have; `--help` offers only
    `--web.ui-path`, no template directory flag or environment variable; without
    the file the configuration fails to load ("failed to parse templates: open
    /usr/share/prometheus/alertmanager/default.tmpl"). The one alternative is to
    put the file at that path on the machine (apt, or the installer writing
    outside the project as root), which changes the system for every user.
    """
    real = binary.resolve()
    if DEBIAN_SHARE.is_file():
        return [str(real), *args]
    share = real.parent.parent / "share"
    if not (share / "prometheus/alertmanager/default.tmpl").is_file():
        raise RuntimeError(
            f"no default.tmpl under {share}: reinstall the tools with scripts/bootstrap"
        )
    script = 'mount --bind "$0" /usr/share && exec "$@"'
    return [
        "unshare",
        "--mount",
        "--map-root-user",
        "sh",
        "-c",
        script,
        str(share),
        str(real),
        *args,
    ]
