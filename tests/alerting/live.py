"""A real Alertmanager on loopback, loaded with a generated configuration, fed alerts over its API.

For the behaviour amtool cannot show (inhibition between firing alerts, what a
receiver sends): the alerts are posted directly, so no Prometheus is needed and
a test takes a few seconds.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lgtmgen.toolchain.locate import locate_tools
from tests.e2e.loopback import HOST, alertmanager_command, free_port, get_json, server_process


@dataclass(frozen=True)
class LiveAlertmanager:
    """The base URL of a running Alertmanager."""

    url: str

    def post(self, *label_sets: dict[str, str]) -> None:
        """Send firing alerts with these labels, as a Prometheus would."""
        body = json.dumps([{"labels": labels} for labels in label_sets]).encode()
        request = urllib.request.Request(
            f"{self.url}/api/v2/alerts",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200

    def alerts(self, **labels: str) -> list[dict[str, Any]]:
        """The alerts Alertmanager holds with these labels, with their status."""
        query = urllib.parse.urlencode(
            [("filter", f'{k}="{v}"') for k, v in sorted(labels.items())]
        )
        return list(get_json(f"{self.url}/api/v2/alerts?{query}"))

    def state(self, expected: str, **labels: str) -> str:
        """ "active" or "suppressed" of the one alert with these labels, once it is `expected` or
        after 10 s: the inhibitor learns of source alerts asynchronously after a POST, so on a
        loaded machine the first answers can predate an inhibition."""
        deadline = time.monotonic() + 10
        while True:
            [alert] = self.alerts(**labels)
            state = str(alert["status"]["state"])
            if state == expected or time.monotonic() > deadline:
                return state
            time.sleep(0.1)


@contextmanager
def live_alertmanager(config: Path, work: Path) -> Iterator[LiveAlertmanager]:
    """Run Alertmanager with `config` (templates beside it) until the block ends."""
    tools = locate_tools()
    if tools.alertmanager is None:
        pytest.fail("alertmanager is missing: run scripts/bootstrap")
    url = f"http://{HOST}:{free_port()}"
    args = [
        f"--config.file={config}",
        f"--storage.path={work / 'am-data'}",
        f"--web.listen-address={url.removeprefix('http://')}",
        "--cluster.listen-address=",
    ]
    with server_process(
        alertmanager_command(tools.alertmanager.path, args),
        work / "alertmanager.log",
        f"{url}/-/ready",
    ):
        yield LiveAlertmanager(url)
