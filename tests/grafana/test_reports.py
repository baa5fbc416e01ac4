"""Static reports: the SLO inventory, alert coverage and ownership gaps say what the bundle does."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from lgtmgen.generators.reports import (
    StaticReports,
    alert_coverage,
    ownership_gaps,
    render,
    slo_inventory,
)
from lgtmgen.generators.slo_rules import SLORules
from lgtmgen.plan import Plan

BURN_ALERT = "SLOErrorBudgetBurn"


def test_the_inventory_lists_every_slo_with_objective_period_and_windows(small_plan: Plan) -> None:
    rows = slo_inventory(small_plan).rows
    assert [r[:10] for r in rows] == [
        ("checkout", "payments", "1", "prod", "availability", "availability", "99.9%", "30d", "1h/5m, 6h/30m", "1d/2h, 3d/6h"),
        ("checkout", "payments", "1", "prod", "latency", "latency", "99%", "30d", "1h/5m, 6h/30m", "1d/2h, 3d/6h"),
        ("ledger", "payments", "2", "prod", "availability", "availability", "99.95%", "30d", "1h/5m, 6h/30m", "1d/2h, 3d/6h"),
    ]
    assert rows[0][10] == "https://grafana.test/d/service-checkout-3248f4b760"


def test_alert_coverage_counts_the_burn_alerts_the_slo_rules_raise(shop_plan: Plan) -> None:
    raised: Counter[tuple[str, str]] = Counter()
    for artifact in SLORules().generate(shop_plan):
        for group in artifact.data.get("groups", []) if isinstance(artifact.data, dict) else []:
            for rule in group["rules"]:
                if rule.get("alert") == BURN_ALERT:
                    raised[(rule["labels"]["service"], rule["labels"]["severity"])] += 1
    rows = alert_coverage(shop_plan).rows
    assert len(rows) == len(shop_plan.catalog.services)
    for service, _team, _tier, _slos, pages, tickets, _paged in rows:
        assert (int(pages), int(tickets)) == (raised[(service, "page")], raised[(service, "ticket")]), service


def test_switched_off_pages_and_teams_without_a_pager_are_told(plan_with_extra: Callable[[str], Plan]) -> None:
    plan = plan_with_extra(
        """\
apiVersion: lgtmgen/v1
teams:
  - {name: ops, notify: {pagerduty: {routing_key_file: /run/secrets/pd-ops}}}
services:
  - name: batch
    team: ops
    tenant: prod
    metrics: {convention: http, selector: {job: batch}}
    slos:
      - {name: availability, objective: 99, sli: {kind: availability}, alerting: {page: false}}
  - name: refunds
    team: payments
    tier: 2
    tenant: prod
    metrics: {convention: http, selector: {job: refunds}}
    slos:
      - {name: availability, objective: 99, sli: {kind: availability}}
"""
    )
    coverage = {r[0]: r[3:] for r in alert_coverage(plan).rows}
    assert coverage["batch"] == ("1", "0", "2", "nothing pages")
    assert coverage["checkout"] == ("2", "4", "4", "chat fallback")
    gaps = ownership_gaps(plan).rows
    assert ("service", "checkout", "payments", "tier 1, pages at any hour, but its team has no PagerDuty or Pushover: pages go to chat") in gaps
    # a lower tier pages too, in business hours
    assert ("service", "refunds", "payments", "tier 2, pages in business hours, but its team has no PagerDuty or Pushover: pages go to chat") in gaps
    assert ("service", "frontend", "web", "no SLO: no burn-rate alert pages or tickets for it") in gaps
    assert not any(r[1] == "batch" and "PagerDuty" in r[3] for r in gaps)


def test_a_team_without_services_is_an_ownership_gap(plan_with_extra: Callable[[str], Plan]) -> None:
    plan = plan_with_extra(
        "apiVersion: lgtmgen/v1\nteams:\n  - {name: ops, notify: {slack: {channel: '#ops', api_url_file: /run/s}}}\n"
    )
    assert ("team", "ops", "ops", "owns no service: no team dashboard, receives no service alert") in ownership_gaps(plan).rows


def test_a_report_is_a_markdown_table_with_one_line_per_row(small_plan: Plan) -> None:
    report = slo_inventory(small_plan)
    lines = str(render(report).data).splitlines()
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 2 + len(report.rows)
    assert all(line.count(" | ") == len(report.headers) - 1 for line in table if not line.startswith("|---"))
    assert lines[1] == "# SLO inventory"


def test_the_reports_are_written_under_docs_reports(small_plan: Plan) -> None:
    paths = [a.path for a in StaticReports().generate(small_plan)]
    assert paths == ["docs/reports/slo-inventory.md", "docs/reports/alert-coverage.md", "docs/reports/ownership-gaps.md"]
