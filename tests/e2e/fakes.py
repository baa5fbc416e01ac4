"""The test's own HTTP endpoints: a request-counter exporter and a webhook sink."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any


def send_metrics(handler: BaseHTTPRequestHandler, text: str) -> None:
    """Answer with `text` in Prometheus' text exposition format."""
    body = text.encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "text/plain; version=0.0.4")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def exporter_handler(
    error_ratios: dict[str, float], requests_per_second: float = 100.0
) -> type[BaseHTTPRequestHandler]:
    """Serve `/metrics/<job>`: http_requests_total counters growing with the given error ratio."""
    started = time.monotonic()

    class Exporter(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            job = self.path.rsplit("/", 1)[-1]
            if job not in error_ratios:
                self.send_error(404)
                return
            total = (time.monotonic() - started + 1) * requests_per_second
            errors = total * error_ratios[job]
            send_metrics(
                self,
                "# TYPE http_requests_total counter\n"
                f'http_requests_total{{code="200"}} {total - errors:.3f}\n'
                f'http_requests_total{{code="500"}} {errors:.3f}\n',
            )

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Exporter


@dataclass
class Notification:
    receiver: str
    status: str
    alerts: list[dict[str, Any]]


@dataclass
class WebhookSink:
    """Collects Alertmanager webhook notifications."""

    received: list[Notification] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        sink = self

        class Sink(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                with sink.lock:
                    sink.received.append(
                        Notification(payload["receiver"], payload["status"], payload["alerts"])
                    )
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Sink

    def alerts_to(self, receiver: str) -> list[dict[str, str]]:
        """Label sets of the firing alerts delivered to `receiver` so far."""
        with self.lock:
            return [
                alert["labels"]
                for n in self.received
                if n.receiver == receiver
                for alert in n.alerts
                if alert["status"] == "firing"
            ]

    def find(self, receiver: str, **labels: str) -> dict[str, str] | None:
        for alert in self.alerts_to(receiver):
            if all(alert.get(k) == v for k, v in labels.items()):
                return alert
        return None

    def receivers_of(self, **labels: str) -> list[str]:
        """The receivers named by every notification so far of a firing alert with `labels`."""
        with self.lock:
            return [
                n.receiver
                for n in self.received
                if any(
                    alert["status"] == "firing"
                    and all(alert["labels"].get(k) == v for k, v in labels.items())
                    for alert in n.alerts
                )
            ]
