"""Alerting catalog checks: literal secrets, business hours, receivers that can be built, owners."""

from __future__ import annotations

import subprocess
from pathlib import Path

from lgtmgen.toolchain.locate import locate_tools
from tests.alerting.catalogs import BASE, catalog, load


def _found(tmp_path: Path, document: dict) -> list[tuple[str, str]]:
    loaded = load(tmp_path, document)
    return [(d.check, d.path or "") for d in loaded.diagnostics]


def _teams_with(notify: dict, **extra: object) -> list[dict]:
    teams = catalog()["teams"]
    teams[0] = {"name": "payments", "notify": notify, **extra}
    return teams


def test_a_literal_slack_url_is_refused_as_a_literal_secret_without_repeating_it(
    tmp_path: Path,
) -> None:
    secret = "https://hooks.slack.example/T000/B000/XXXX"
    loaded = load(
        tmp_path, catalog(teams=_teams_with({"slack": {"channel": "#p", "api_url": secret}}))
    )
    assert loaded.catalog is None
    [problem] = [d for d in loaded.diagnostics if d.check == "catalog/literal-secret"]
    assert problem.path == "teams[0].notify.slack"
    assert problem.message == "api_url: a literal secret or URL is not allowed in the catalog"
    assert problem.hint is not None and "api_url_file" in problem.hint
    assert secret not in str(problem.source_line) + problem.message
    assert [d.check for d in loaded.diagnostics] == ["catalog/literal-secret"]


def test_every_literal_secret_spelling_gets_its_own_diagnostic(tmp_path: Path) -> None:
    notify = {
        "pagerduty": {"routing_key": "abc"},
        "pushover": {"user_key": "u", "token": "t"},
        "webhook": {"url": "https://example.com/hook"},
    }
    smtp = {
        "smarthost": "smtp.example.com:587",
        "from": "a@example.com",
        "auth_password": "hunter2",
    }
    found = _found(tmp_path, catalog(teams=_teams_with(notify), alerting={"smtp": smtp}))
    assert sorted(f for f in found if f[0] == "catalog/literal-secret") == [
        ("catalog/literal-secret", "alerting.smtp"),
        ("catalog/literal-secret", "teams[0].notify.pagerduty"),
        ("catalog/literal-secret", "teams[0].notify.pushover"),
        ("catalog/literal-secret", "teams[0].notify.pushover"),
        ("catalog/literal-secret", "teams[0].notify.webhook"),
    ]


def test_a_literal_secret_in_the_escalation_targets_is_refused(tmp_path: Path) -> None:
    teams = _teams_with(BASE["teams"][0]["notify"], escalate_to={"pagerduty": {"service_key": "k"}})
    assert _found(tmp_path, catalog(teams=teams)) == [
        ("catalog/literal-secret", "teams[0].escalate_to.pagerduty")
    ]


def test_an_unknown_time_zone_and_an_empty_time_range_are_reported(tmp_path: Path) -> None:
    alerting = {
        "business_hours": {
            "time_zone": "Mars/Olympus",
            "times": [{"start": "18:00", "end": "09:00"}],
        }
    }
    assert sorted(_found(tmp_path, catalog(alerting=alerting))) == [
        ("catalog/empty-time-range", "alerting.business_hours.times[0]"),
        ("catalog/unknown-time-zone", "alerting.business_hours.time_zone"),
    ]


def test_a_weekday_range_that_wraps_around_the_week_is_reported(tmp_path: Path) -> None:
    alerting = {"business_hours": {"weekdays": ["monday:friday", "saturday:monday"]}}
    assert _found(tmp_path, catalog(alerting=alerting)) == [
        ("catalog/empty-time-range", "alerting.business_hours.weekdays[1]")
    ]


def test_a_weekday_typo_is_an_invalid_format(tmp_path: Path) -> None:
    alerting = {"business_hours": {"weekdays": ["monday:fryday"]}}
    assert _found(tmp_path, catalog(alerting=alerting)) == [
        ("catalog/invalid-format", "alerting.business_hours.weekdays[0]")
    ]


def test_jira_before_alertmanager_0_28_needs_a_bridge_webhook(tmp_path: Path) -> None:
    alerting = {"alertmanager_version": "0.27"}
    assert _found(tmp_path, catalog(alerting=alerting)) == [
        ("catalog/jira-incomplete", "teams[0].notify.jira")
    ]
    teams = catalog()["teams"]
    teams[0]["notify"]["jira"]["webhook_url_file"] = "/etc/alertmanager/secrets/jira-bridge"
    assert _found(tmp_path, catalog(alerting=alerting, teams=teams)) == []


def test_native_jira_needs_server_user_and_password_file(tmp_path: Path) -> None:
    teams = _teams_with({"jira": {"project": "PAY"}})
    [(check, path)] = _found(tmp_path, catalog(teams=teams))
    assert (check, path) == ("catalog/jira-incomplete", "teams[0].notify.jira")


def test_too_old_an_alertmanager_is_refused(tmp_path: Path) -> None:
    found = _found(tmp_path, catalog(alerting={"alertmanager_version": "0.24"}))
    assert ("catalog/alertmanager-version", "alerting.alertmanager_version") in found


def test_email_without_a_mail_relay_is_reported(tmp_path: Path) -> None:
    teams = _teams_with({"email": {"to": "p@example.com"}})
    assert _found(tmp_path, catalog(teams=teams)) == [
        ("catalog/smtp-missing", "teams[0].notify.email")
    ]


def test_unknown_owner_teams_and_a_signalless_outage_alert_are_reported(tmp_path: Path) -> None:
    alerting = {"catch_all_team": "nobody", "cluster_outage": {"team": "ghosts"}}
    assert sorted(_found(tmp_path, catalog(alerting=alerting))) == [
        ("catalog/cluster-outage-signal", "alerting.cluster_outage"),
        ("catalog/unknown-reference", "alerting.catch_all_team"),
        ("catalog/unknown-reference", "alerting.cluster_outage.team"),
    ]
    teams = [t["name"] for t in catalog()["teams"]]
    hints = {d.path: d.hint for d in load(tmp_path, catalog(alerting={"catch_all_team": teams[0][:-1]})).diagnostics}
    assert hints == {"alerting.catch_all_team": f"did you mean {teams[0]!r}?"}


def test_a_declared_outage_expression_must_parse(tmp_path: Path) -> None:
    alerting = {"cluster_outage": {"team": "payments", "expr": "sum(up"}}
    assert _found(tmp_path, catalog(alerting=alerting)) == [
        ("catalog/promql-syntax", "alerting.cluster_outage.expr")
    ]


def test_the_base_catalog_is_valid(tmp_path: Path) -> None:
    assert _found(tmp_path, catalog()) == []


def test_an_escalation_without_a_target_is_refused(tmp_path: Path) -> None:
    # Escalated pages would only reach the team's chat: nobody new is told.
    teams = _teams_with(BASE["teams"][0]["notify"], escalate_to={})
    loaded = load(tmp_path, catalog(teams=teams))
    assert loaded.catalog is None
    [problem] = loaded.diagnostics
    assert (problem.check, problem.path) == (
        "catalog/no-notification-target",
        "teams[0].escalate_to",
    )
    assert problem.message == (
        "team 'payments' has an escalate_to without a target; its escalated pages would reach "
        "nobody beyond its chat"
    )


def test_a_repeat_interval_shorter_than_the_group_interval_is_a_warning(tmp_path: Path) -> None:
    # Alertmanager only looks at a group every group_interval, so repeats cannot come sooner.
    page = {
        "group_by": ["alertname"],
        "group_wait": "30s",
        "group_interval": "1h",
        "repeat_interval": "15m",
    }
    loaded = load(tmp_path, catalog(alerting={"timings": {"page": page}}))
    assert loaded.catalog is not None
    [problem] = loaded.diagnostics
    assert (problem.check, problem.severity.value, problem.path) == (
        "catalog/repeat-interval",
        "warning",
        "alerting.timings.page.repeat_interval",
    )
    assert problem.message == (
        "repeat_interval 15m is shorter than group_interval 1h: Alertmanager repeats a "
        "notification at most every group_interval"
    )


def test_a_cluster_outage_named_after_a_catalog_service_is_refused(tmp_path: Path) -> None:
    # web calls api: api's availability page inhibits every alert with service="web" in the
    # cluster, which would include an outage alert that calls itself web.
    outage = {"team": "payments", "critical_jobs": ["kube-apiserver"], "service": "web"}
    loaded = load(tmp_path, catalog(alerting={"cluster_outage": outage}))
    assert loaded.catalog is None
    [problem] = loaded.diagnostics
    assert (problem.check, problem.path) == (
        "catalog/cluster-outage-service",
        "alerting.cluster_outage.service",
    )
    assert "'web' is a catalog service" in problem.message
    named = {**outage, "service": "kubernetes"}
    assert _found(tmp_path, catalog(alerting={"cluster_outage": named})) == []


def test_clusters_without_a_production_environment_are_warned_about(tmp_path: Path) -> None:
    clusters = [{"name": "eu-1", "environment": "production"}]
    unmarked = catalog(environments=[{"name": "production"}], clusters=clusters)
    loaded = load(tmp_path, unmarked)
    assert loaded.catalog is not None  # a warning: every cluster still pages
    assert [(d.check, d.severity.value, d.path) for d in loaded.diagnostics] == [
        ("catalog/no-production-environment", "warning", "environments")
    ]
    marked = catalog(environments=[{"name": "production", "production": True}], clusters=clusters)
    assert _found(tmp_path, marked) == []
    assert _found(tmp_path, catalog()) == []  # no clusters: nothing to page from


def test_a_team_whose_chat_falls_back_to_pagerduty_is_warned_that_quiet_pages_may_page(tmp_path: Path) -> None:
    pager_only = {"pagerduty": {"routing_key_file": "/etc/am/pd"}}
    document = catalog(teams=_teams_with(pager_only))
    document["services"][0]["tier"] = 2  # its pages outside business hours go to chat
    found = [f for f in _found(tmp_path, document) if f[0] == "catalog/chat-falls-back-to-pagerduty"]
    assert found == [("catalog/chat-falls-back-to-pagerduty", "teams[0].notify")]
    document["teams"][0]["notify"]["slack"] = {"channel": "#x", "api_url_file": "/etc/am/slack"}
    assert not [f for f in _found(tmp_path, document) if f[0] == "catalog/chat-falls-back-to-pagerduty"]


def test_a_label_grouped_by_twice_is_refused_as_alertmanager_refuses_it(tmp_path: Path) -> None:
    # A sweep built this catalog into an alertmanager.yml that amtool would not load.
    page = {
        "group_by": ["alertname", "team", "team"],
        "group_wait": "30s",
        "group_interval": "5m",
        "repeat_interval": "4h",
    }
    assert _found(tmp_path, catalog(alerting={"timings": {"page": page}})) == [
        ("catalog/duplicate-group-by", "alerting.timings.page.group_by[2]")
    ]
    config = tmp_path / "alertmanager.yml"
    config.write_text(
        "route:\n  receiver: x\n  group_by: [alertname, team, team]\nreceivers:\n  - name: x\n", encoding="utf-8"
    )
    amtool = locate_tools().amtool
    assert amtool is not None, "run scripts/bootstrap: amtool is required"
    run = subprocess.run([str(amtool.path), "check-config", str(config)], capture_output=True, text=True, check=False)
    assert run.returncode != 0 and 'duplicated label "team" in group_by' in run.stdout + run.stderr


CUSTOM_SLI = {
    "kind": "custom",
    "bad_query": "sum by (cluster) (increase(writes_failed_total[{{window}}]))",
    "total_query": "sum by (cluster) (increase(writes_total[{{window}}]))",
}


def test_a_dependency_whose_pages_say_nothing_of_an_outage_is_warned_about(tmp_path: Path) -> None:
    """db is called by api; a db paging only through a custom ratio would never hold back api's pages."""
    for alerting, warned in [
        ({}, True),
        ({"inhibits_callers": True}, False),
        ({"inhibits_callers": False}, False),  # decided: no warning
        ({"page": False}, False),  # pages nothing: there is nothing to hold back with
    ]:
        services = catalog()["services"]
        services[0]["slos"] = [{"name": "writes", "objective": 99.9, "sli": CUSTOM_SLI, "alerting": alerting}]
        found = [d for d in load(tmp_path, catalog(services=services)).diagnostics]
        outages = [d for d in found if d.check == "catalog/dependency-outage-not-paged"]
        assert bool(outages) is warned, alerting
        if warned:
            [warning] = outages
            assert warning.severity.value == "warning" and warning.path == "services[0].slos"
            assert "db pages through writes (custom)" in warning.message and "(api)" in warning.message
            assert warning.hint is not None and "inhibits_callers: true" in warning.hint


def test_web_called_by_nobody_or_paging_through_availability_is_not_warned_about(tmp_path: Path) -> None:
    services = catalog()["services"]
    services[2]["slos"] = [{"name": "writes", "objective": 99.9, "sli": CUSTOM_SLI}]  # nobody calls web
    found = [d.check for d in load(tmp_path, catalog(services=services)).diagnostics]
    assert "catalog/dependency-outage-not-paged" not in found  # db and api page through availability
