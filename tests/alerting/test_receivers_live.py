"""What the real Alertmanager sends through the generated receivers, to fake services on loopback."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests.alerting.catalogs import alertmanager_bundle, catalog
from tests.alerting.live import live_alertmanager
from tests.e2e.loopback import http_thread, wait_for

pytestmark = pytest.mark.e2e

JIRA_SERVER = "https://jira.example.com"  # server_url of the test catalog's payments team
FAST = {
    "group_by": ["alertname", "service"],
    "group_wait": "1s",
    "group_interval": "1m",
    "repeat_interval": "1h",
}


@dataclass
class FakeJira:
    """Answers like a Jira server with no issues yet, and records every request."""

    requests: list[tuple[str, str, str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        jira = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"null")
                with jira.lock:
                    jira.requests.append(
                        ("POST", self.path, self.headers.get("Authorization", ""), body)
                    )
                answer = {"issues": []} if self.path.endswith("/search") else {"key": "PAY-1"}
                data = json.dumps(answer).encode()
                self.send_response(201 if self.path.endswith("/issue") else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler

    def created(self) -> list[tuple[str, str, str, Any]]:
        with self.lock:
            return [r for r in self.requests if r[1].endswith("/issue")]


def test_a_ticket_files_a_jira_issue_through_the_rest_api_as_the_configured_user(
    tmp_path: Path,
) -> None:
    password = tmp_path / "jira.token"
    password.write_text("s3cret", encoding="utf-8")
    teams = catalog()["teams"]
    teams[0]["notify"]["jira"]["password_file"] = str(password)
    document = catalog(teams=teams, alerting={"timings": {"ticket": FAST}})
    bundle, _ = alertmanager_bundle(tmp_path, document)
    jira = FakeJira()
    with http_thread(jira.handler()) as jira_url:
        config = bundle / "alertmanager/alertmanager.yml"
        # The server is the only thing changed: the REST path after it is what is tested.
        text = config.read_text(encoding="utf-8")
        assert JIRA_SERVER in text
        config.write_text(text.replace(JIRA_SERVER, jira_url), encoding="utf-8")
        with live_alertmanager(config, tmp_path) as am:
            am.post(
                {
                    "alertname": "SLOErrorBudgetBurn",
                    "team": "payments",
                    "service": "db",
                    "severity": "ticket",
                    "slo": "availability",
                    "cluster": "eu-1",
                }
            )
            [(method, path, auth, body)] = wait_for(jira.created, 30, "a Jira issue")
    searched = [r[1] for r in jira.requests if r[1].endswith("/search")]
    assert searched == ["/rest/api/2/search"]
    assert (method, path) == ("POST", "/rest/api/2/issue")
    assert auth == "Basic " + base64.b64encode(b"bot:s3cret").decode()
    assert body["fields"]["project"] == {"key": "PAY"}
    assert body["fields"]["issuetype"] == {"name": "Bug"}
    assert "SLOErrorBudgetBurn" in body["fields"]["summary"]
