"""End to end: real Prometheus 3.5 and Alertmanager 0.33 on loopback, loaded with a compiled catalog.

A test exporter serves request counters with chosen error ratios; a webhook
sink records what Alertmanager delivers. One run shows: a full outage pages
the owner; a slow burn files a ticket; an outage of a dependency suppresses
its dependent's page; a lower-tier page outside business hours goes to chat
only; a page that keeps firing escalates; a webhook that is both pager and chat
target gets each page once.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from lgtmgen.artifacts import Role
from lgtmgen.pipeline import compile_catalog
from lgtmgen.render import dump_yaml
from lgtmgen.toolchain.locate import locate_tools
from lgtmgen.writer import write_bundle
from tests.e2e.fakes import WebhookSink, exporter_handler
from tests.e2e.loopback import (
    HOST,
    alertmanager_command,
    free_port,
    get_json,
    http_thread,
    server_process,
    wait_for,
)

pytestmark = pytest.mark.e2e

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Objective 99 % → budget 1 %: 100 % errors pages; 5 % exceeds only the ticket thresholds (3x, 1x).
ERROR_RATIOS = {"db": 1.0, "api": 1.0, "reports": 0.05, "ui": 1.0}
WAIT_SECONDS = 60


def _service(name: str, tier: int, depends_on: list[str] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "team": "web",
        "tier": tier,
        "tenant": "prod",
        "depends_on": depends_on or [],
        "metrics": {"convention": "http", "selector": {"job": name}},
        "slos": [{"name": "availability", "objective": 99, "sli": {"kind": "availability"}}],
    }


def _catalog(hook_file: Path) -> dict[str, Any]:
    # Business hours: only tomorrow, so now is always outside them.
    tomorrow = WEEKDAYS[(dt.datetime.now(dt.UTC).weekday() + 1) % 7]
    fast = {"group_wait": "1s", "group_interval": "1s", "repeat_interval": "1h"}
    # Inhibition holds only if the dependency's page is in Alertmanager when the dependent's
    # group is flushed: group_wait must cover the skew between their scrapes and evaluations.
    pages = {**fast, "group_wait": "6s"}
    return {
        "apiVersion": "lgtmgen/v1",
        "defaults": {"evaluation_interval": "1s", "scrape_interval": "1s"},
        "teams": [
            {
                "name": "web",
                "notify": {"webhook": {"url_file": str(hook_file)}},
                "escalate_to": {"webhook": {"url_file": str(hook_file)}},
            }
        ],
        "tenants": [{"name": "prod"}],
        "services": [
            _service("db", 1),
            _service("api", 1, ["db"]),
            _service("reports", 1),
            _service("ui", 2),
        ],
        "alerting": {
            "business_hours": {
                "time_zone": "UTC",
                "weekdays": [tomorrow],
                "times": [{"start": "00:00", "end": "24:00"}],
            },
            "timings": {
                "page": {"group_by": ["alertname", "service", "severity"], **pages},
                "ticket": {"group_by": ["alertname", "service", "severity"], **fast},
                "info": {"group_by": ["alertname", "service"], **fast},
            },
            "escalation": {"after": "5s"},
        },
    }


@dataclass
class Stack:
    sink: WebhookSink
    alertmanager_url: str


def _prometheus_config(rule_files: list[Path], exporter: str, alertmanager: str) -> dict[str, Any]:
    target = exporter.removeprefix("http://")
    return {
        "global": {
            "scrape_interval": "1s",
            "evaluation_interval": "1s",
            "external_labels": {"cluster": "e2e"},
        },
        "rule_files": [str(p) for p in rule_files],
        "scrape_configs": [
            {
                "job_name": job,
                "metrics_path": f"/metrics/{job}",
                "static_configs": [{"targets": [target]}],
            }
            for job in sorted(ERROR_RATIOS)
        ],
        "alerting": {
            "alertmanagers": [
                {"static_configs": [{"targets": [alertmanager.removeprefix("http://")]}]}
            ]
        },
    }


def _every_second(source: Path, target: Path) -> Path:
    """A copy of a rule file whose groups evaluate every second.

    Slow-burn groups run every 5 minutes and Prometheus may wait a whole
    interval before their first evaluation; only the interval changes, so the
    expressions, labels and routing under test are the bundle's own.
    """
    document = YAML(typ="safe", pure=True).load(source.read_text(encoding="utf-8"))
    for group in document["groups"]:
        group["interval"] = "1s"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_yaml(document), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tools = locate_tools()
    if tools.prometheus is None or tools.alertmanager is None:
        pytest.fail("prometheus/alertmanager are missing: run scripts/bootstrap")
    root = tmp_path_factory.mktemp("e2e")
    sink = WebhookSink()
    with ExitStack() as stack:
        sink_url = stack.enter_context(http_thread(sink.handler()))
        exporter_url = stack.enter_context(http_thread(exporter_handler(ERROR_RATIOS)))
        hook_file = root / "hook.url"
        hook_file.write_text(sink_url + "/hook", encoding="utf-8")
        catalog_file = root / "catalog.yaml"
        with catalog_file.open("w", encoding="utf-8") as handle:
            YAML().dump(_catalog(hook_file), handle)
        compiled = compile_catalog([catalog_file])
        assert compiled.ok and compiled.bundle is not None, [str(d) for d in compiled.diagnostics]
        bundle = root / "bundle"
        write_bundle(compiled.bundle, bundle)
        rule_files = [
            _every_second(bundle / f.path, root / "rules" / f.path)
            for f in sorted(compiled.bundle.files.values(), key=lambda f: f.path)
            if f.role is Role.PROMETHEUS_RULES
        ]

        am_url = f"http://{HOST}:{free_port()}"
        stack.enter_context(
            server_process(
                alertmanager_command(
                    tools.alertmanager.path,
                    [
                        f"--config.file={bundle / 'alertmanager/alertmanager.yml'}",
                        f"--storage.path={root / 'am-data'}",
                        f"--web.listen-address={am_url.removeprefix('http://')}",
                        "--cluster.listen-address=",
                    ],
                ),
                root / "alertmanager.log",
                f"{am_url}/-/ready",
            )
        )
        prom_config = root / "prometheus.yml"
        prom_config.write_text(
            dump_yaml(_prometheus_config(rule_files, exporter_url, am_url)), encoding="utf-8"
        )
        prom_url = f"http://{HOST}:{free_port()}"
        stack.enter_context(
            server_process(
                [
                    str(tools.prometheus.path),
                    f"--config.file={prom_config}",
                    f"--storage.tsdb.path={root / 'prom-data'}",
                    f"--web.listen-address={prom_url.removeprefix('http://')}",
                ],
                root / "prometheus.log",
                f"{prom_url}/-/ready",
            )
        )
        yield Stack(sink, am_url)


def _alertmanager_alerts(stack: Stack, **labels: str) -> list[dict[str, Any]]:
    query = urllib.parse.urlencode([("filter", f'{k}="{v}"') for k, v in sorted(labels.items())])
    return list(get_json(f"{stack.alertmanager_url}/api/v2/alerts?{query}"))


def _delivered(stack: Stack, receiver: str, **labels: str) -> dict[str, str]:
    found = wait_for(
        lambda: stack.sink.find(receiver, **labels), WAIT_SECONDS, f"{labels} at {receiver}"
    )
    assert found is not None
    return found


def test_a_full_outage_pages_the_owning_team_with_the_alert_labels(stack: Stack) -> None:
    labels = _delivered(stack, "web-page", service="db", severity="page")
    assert labels["alertname"] == "SLOErrorBudgetBurn"
    assert (labels["team"], labels["tier"], labels["slo"], labels["cluster"]) == (
        "web",
        "1",
        "availability",
        "e2e",
    )
    assert labels["sli_kind"] == "availability"


def test_a_slow_burn_files_a_ticket_and_does_not_page(stack: Stack) -> None:
    labels = _delivered(stack, "web-ticket", service="reports", alertname="SLOErrorBudgetBurn")
    assert labels["severity"] == "ticket"
    assert labels["team"] == "web"
    assert _alertmanager_alerts(stack, service="reports", severity="page") == []
    assert stack.sink.find("web-page", service="reports") is None


def test_an_outage_of_a_dependency_suppresses_the_dependents_page(stack: Stack) -> None:
    _delivered(stack, "web-page", service="db", severity="page")

    def api_page_suppressed() -> list[dict[str, Any]]:
        alerts = _alertmanager_alerts(
            stack, service="api", severity="page", alertname="SLOErrorBudgetBurn"
        )
        return [
            a for a in alerts if a["status"]["state"] == "suppressed" and a["status"]["inhibitedBy"]
        ]

    wait_for(api_page_suppressed, WAIT_SECONDS, "the api page to be inhibited by the db page")
    assert stack.sink.find("web-page", service="api") is None
    assert stack.sink.find("web-chat", service="api") is None
    db_ticket = _alertmanager_alerts(stack, service="db", severity="ticket")
    assert db_ticket and all(a["status"]["state"] == "suppressed" for a in db_ticket)


def test_a_lower_tier_page_outside_business_hours_goes_to_chat_only(stack: Stack) -> None:
    labels = _delivered(stack, "web-chat", service="ui", severity="page")
    assert labels["tier"] == "2"
    alerts = _alertmanager_alerts(
        stack, service="ui", severity="page", alertname="SLOErrorBudgetBurn"
    )
    # Not suppressed: the alerts are routed, only the pager route is outside its active time.
    assert alerts and all(a["status"]["state"] == "active" for a in alerts)
    assert stack.sink.find("web-page-business-hours", service="ui") is None
    assert stack.sink.find("web-page", service="ui") is None


def test_a_page_that_keeps_firing_escalates_to_the_second_receiver(stack: Stack) -> None:
    labels = _delivered(stack, "web-escalation", service="db", alertname="PageEscalation")
    assert labels["escalated"] == "true"
    assert labels["escalated_alertname"] == "SLOErrorBudgetBurn"
    assert (
        stack.sink.find("web-escalation", service="api") is None
    )  # inhibited like the page it escalates


def test_a_page_reaches_the_webhook_shared_by_pager_and_chat_once(stack: Stack) -> None:
    # The escalation fires seconds after the page it escalates, so by then a second route of
    # the page (same timings) would have flushed as well.
    _delivered(stack, "web-escalation", service="db", alertname="PageEscalation")
    page = {"service": "db", "severity": "page", "alertname": "SLOErrorBudgetBurn"}
    assert set(stack.sink.receivers_of(**page)) == {"web-page"}
