"""End to end: in a cluster running services of two tenants, a real Prometheus 3.5 remote-writes
with the generated `write_relabel_configs`, and each tenant receives its own services' series only.

Both tenants read `http_requests_total`, the containers' resource series and `up`: keeping them by
name alone sent each tenant's series to the other. A second Prometheus, a remote-write receiver, stands in for Mimir; each remote write
of the generated config keeps its relabelling as generated, with one rule appended that labels
what it sent with its tenant (`via`).
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from lgtmgen.generators.prometheus_config import OWNER_LABEL, PrometheusConfig
from lgtmgen.render import dump_yaml
from lgtmgen.toolchain.locate import locate_tools
from tests.e2e.fakes import send_metrics
from tests.e2e.loopback import HOST, free_port, get_json, http_thread, server_process, wait_for
from tests.support import load_catalog_document

pytestmark = pytest.mark.e2e

HTTP = {"convention": "http"}
AVAILABILITY = {"name": "availability", "objective": 99.9, "sli": {"kind": "availability"}}
CATALOG: dict[str, Any] = {
    "apiVersion": "lgtmgen/v1",
    "teams": [{"name": "web", "notify": {"webhook": {"url_file": "/etc/am/web.url"}}}],
    "tenants": [{"name": "red"}, {"name": "blue"}],
    "environments": [{"name": "production", "production": True}],
    "clusters": [{"name": "shared", "environment": "production", "tenant": "red"}],
    "services": [
        {"name": "shop", "team": "web", "tenant": "red", "metrics": {**HTTP, "selector": {"job": "shop"}},
         "kpis": [{"name": "orders", "metric": "orders_total", "kind": "counter"}], "slos": [AVAILABILITY],
         "resources": {"namespace": "shop"}},
        {"name": "bank", "team": "web", "tenant": "blue", "metrics": {**HTTP, "selector": {"job": "bank"}},
         "slos": [AVAILABILITY], "resources": {"namespace": "money", "container": "api"}},
        {"name": "mailer", "team": "web", "tenant": "blue", "metrics": {"selector": {"job": "mailer"}},
         "slos": [{"name": "sent", "objective": 99, "sli": {
             "kind": "events", "bad": 'jobs_failed_total{queue="mail"}', "total": 'jobs_total{queue="mail"}'}}]},
    ],
}
EXPOSED = """\
http_requests_total{job="shop",code="200"} 3
http_requests_total{job="bank",code="200"} 5
jobs_total{queue="mail"} 7
jobs_failed_total{queue="mail"} 1
jobs_total{queue="sms"} 2
orders_total{job="shop"} 11
unread_total{job="shop"} 13
container_memory_working_set_bytes{namespace="shop",container="shop"} 17
container_memory_working_set_bytes{namespace="money",container="api"} 19
container_memory_working_set_bytes{namespace="money",container="sidecar"} 23
container_memory_working_set_bytes{namespace="kube-system",container="coredns"} 29
"""
EXPECTED = {
    ("red", "http_requests_total", "job=shop"),
    ("red", "orders_total", "job=shop"),
    ("red", "container_memory_working_set_bytes", "container=shop,job=target,namespace=shop"),
    # `up` of Prometheus itself to every tenant (the cluster-silence alert reads it); of a
    # service's own scrape job to its tenant; of a target no service owns (`job=target`) to none.
    ("red", "up", "job=prometheus"),
    ("red", "up", "job=shop"),
    ("blue", "up", "job=prometheus"),
    ("blue", "http_requests_total", "job=bank"),
    ("blue", "container_memory_working_set_bytes", "container=api,job=target,namespace=money"),
    # Read by the SLI's own selector: the series carry no job of the service's (the scrape's).
    ("blue", "jobs_total", "job=target,queue=mail"),
    ("blue", "jobs_failed_total", "job=target,queue=mail"),
}


SENT = quote('{via=~".+"}')


class Target(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        send_metrics(self, EXPOSED if self.path == "/metrics" else "")

    def log_message(self, format: str, *args: Any) -> None:
        return


def _remote_writes(tmp_path: Path, receiver: str) -> list[dict[str, Any]]:
    """The cluster's generated remote writes, pointed at `receiver`, each labelling what it sends."""
    plan, diagnostics = load_catalog_document(tmp_path, CATALOG)
    assert plan is not None, [str(d) for d in diagnostics]
    config = next(a.data for a in PrometheusConfig().generate(plan) if a.path.endswith("/shared/prometheus.yml"))
    writes: list[dict[str, Any]] = []
    for write in config["remote_write"]:
        tenant = write["headers"]["X-Scope-OrgID"]
        relabel = [*write["write_relabel_configs"], {"target_label": "via", "replacement": tenant, "action": "replace"}]
        queue = {**write["queue_config"], "batch_send_deadline": "1s"}
        writes.append({"url": f"{receiver}/api/v1/write", "name": write["name"], "queue_config": queue,
                       "write_relabel_configs": relabel})
    return writes


def _received(receiver: str) -> set[tuple[str, str, str]]:
    found = get_json(f"{receiver}/api/v1/series?match[]={SENT}")["data"]
    seen: set[tuple[str, str, str]] = set()
    for series in found:
        assert OWNER_LABEL not in series, series
        rest = ",".join(f"{k}={v}" for k, v in sorted(series.items()) if k not in {"__name__", "via", "instance", "code"})
        seen.add((series["via"], series["__name__"], rest))
    return seen


def test_each_tenant_receives_only_its_own_services_series_from_a_shared_cluster(tmp_path: Path) -> None:
    tools = locate_tools()
    if tools.prometheus is None:
        pytest.fail("prometheus is missing: run scripts/bootstrap")
    receiver, sender = f"http://{HOST}:{free_port()}", f"http://{HOST}:{free_port()}"
    with ExitStack() as stack:
        target = stack.enter_context(http_thread(Target))
        (tmp_path / "receiver.yml").write_text(dump_yaml({"global": {"scrape_interval": "1m"}}))
        stack.enter_context(server_process(
            [str(tools.prometheus.path), f"--config.file={tmp_path / 'receiver.yml'}",
             f"--storage.tsdb.path={tmp_path / 'receiver'}", "--web.enable-remote-write-receiver",
             f"--web.listen-address={receiver.removeprefix('http://')}"],
            tmp_path / "receiver.log", f"{receiver}/-/ready",
        ))
        (tmp_path / "sender.yml").write_text(dump_yaml({
            "global": {"scrape_interval": "1s"},
            "scrape_configs": [
                {"job_name": "target", "honor_labels": True, "static_configs": [{"targets": [target.removeprefix("http://")]}]},
                # A scrape of the shop's own (its `up` carries its selector), exposing nothing.
                {"job_name": "shop", "metrics_path": "/shop", "static_configs": [{"targets": [target.removeprefix("http://")]}]},
                {"job_name": "prometheus", "static_configs": [{"targets": [sender.removeprefix("http://")]}]},
            ],
            "remote_write": _remote_writes(tmp_path, receiver),
        }))
        stack.enter_context(server_process(
            [str(tools.prometheus.path), f"--config.file={tmp_path / 'sender.yml'}",
             f"--storage.tsdb.path={tmp_path / 'sender'}",
             f"--web.listen-address={sender.removeprefix('http://')}"],
            tmp_path / "sender.log", f"{sender}/-/ready",
        ))
        wait_for(lambda: _received(receiver) >= EXPECTED, 60, f"the series {sorted(EXPECTED)}")
        # A few more scrapes and sends: nothing else arrives.
        time.sleep(4)
        assert _received(receiver) == EXPECTED
