"""What the real Alertmanager sends through the generated receivers, to fake services on loopback."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import socketserver
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests.alerting.catalogs import alertmanager_bundle, catalog
from tests.alerting.live import live_alertmanager
from tests.e2e.loopback import HOST, http_thread, wait_for

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


@dataclass
class SmtpSink:
    """Accepts mail like a relay without TLS or authentication, and keeps every message."""

    messages: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handler(self) -> type[socketserver.StreamRequestHandler]:
        sink = self

        class Session(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self) -> None:
                self.reply("220 sink")
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb == b"DATA":
                        self.reply("354 go on")
                        message = b""
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            message += chunk
                        with sink.lock:
                            sink.messages.append(message)
                        self.reply("250 queued")
                    elif verb == b"QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("250 ok")

        return Session

    def received(self) -> list[bytes]:
        with self.lock:
            return list(self.messages)


def test_a_ticket_mail_carries_the_lgtmgen_text_as_its_only_body(tmp_path: Path) -> None:
    # Mail clients show the HTML part when there is one: Alertmanager's default HTML would
    # hide the notification text (runbook and dashboard links) that lgtmgen writes.
    sink = SmtpSink()
    server = socketserver.ThreadingTCPServer((HOST, 0), sink.handler())
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        teams = catalog()["teams"]
        teams[1] = {"name": "search", "notify": {"email": {"to": "search@example.com"}}}
        smtp = {
            "smarthost": f"{HOST}:{server.server_address[1]}",
            "from": "am@example.com",
            "require_tls": False,
        }
        document = catalog(teams=teams, alerting={"smtp": smtp, "timings": {"ticket": FAST}})
        bundle, _ = alertmanager_bundle(tmp_path, document)
        with live_alertmanager(bundle / "alertmanager/alertmanager.yml", tmp_path) as am:
            am.post(
                {
                    "alertname": "LogVolumeLow",
                    "team": "search",
                    "service": "web",
                    "severity": "ticket",
                    "cluster": "eu-1",
                }
            )
            [raw] = wait_for(sink.received, 30, "a mail")
    finally:
        server.shutdown()
        server.server_close()
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert "LogVolumeLow" in str(mail["Subject"])
    parts = [part.get_content_type() for part in mail.walk() if not part.is_multipart()]
    assert parts == ["text/plain"]
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Team: search" in text
    assert "Runbook: https://runbooks.example.com" in text
