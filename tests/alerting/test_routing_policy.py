"""The routing policy written out by hand, and the fallbacks of teams with few targets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from lgtmgen.generators.alertmanager.receivers import (
    CHAT_PAGERDUTY_SEVERITY,
    PAGERDUTY_SEVERITY,
    PUSHOVER_PRIORITY,
)
from tests.alerting.catalogs import (
    SECRETS,
    alertmanager_bundle,
    catalog,
    teams_with_search_on_pagers_only,
)


def _cases(bundle: Path) -> dict[str, list[str]]:
    document = YAML(typ="safe", pure=True).load(
        (bundle / "alertmanager/route-tests.yaml").read_text()
    )
    assert document["config"] == "alertmanager.yml"
    return {case["name"]: case["receivers"] for case in document["cases"]}


def _receivers(bundle: Path) -> dict[str, dict[str, Any]]:
    config = YAML(typ="safe", pure=True).load(
        (bundle / "alertmanager/alertmanager.yml").read_text()
    )
    return {r["name"]: r for r in config["receivers"]}


def test_the_route_tests_expect_what_the_policy_says(tmp_path: Path) -> None:
    cases = _cases(alertmanager_bundle(tmp_path, catalog())[0])
    assert cases["payments page tier 1"] == ["payments-page"]
    assert cases["payments page tier 2"] == ["payments-page-business-hours", "payments-chat"]
    assert cases["payments page tier 3"] == ["payments-page-business-hours", "payments-chat"]
    assert cases["payments page without tier pages at any hour"] == ["payments-page"]
    assert cases["payments ticket tier 1"] == ["payments-ticket"]
    assert cases["payments info tier 3"] == ["payments-chat"]
    assert cases["payments escalated page tier 1"] == ["payments-escalation"]
    assert cases["payments escalated page tier 2"] == [
        "payments-escalation-business-hours",
        "payments-chat",
    ]
    assert "search escalated page tier 1" not in cases  # search has no escalate_to
    # A severity outside page/ticket/info still reaches the team, at its chat receiver.
    assert cases["payments unknown severity reaches its chat"] == ["payments-chat"]
    assert cases["an unknown team's page without tier pages the catch-all team"] == ["catch-all-pager"]
    assert cases["an unknown team's tier 2 page pages the catch-all team in business hours only"] == [
        "catch-all-pager",
        "catch-all",
    ]
    assert cases["an unknown team's ticket reaches the catch-all"] == ["catch-all"]
    assert cases["an alert without labels reaches the catch-all"] == ["catch-all"]
    assert cases["a cluster outage pages its team at any hour"] == ["payments-page"]
    assert len(cases) == 2 * 3 * 3 + 2 + 2 + 2 + 6


def test_a_team_with_only_slack_gets_its_pages_and_tickets_in_slack(tmp_path: Path) -> None:
    teams = catalog()["teams"]
    teams[1] = {
        "name": "search",
        "notify": {"slack": {"channel": "#search", "api_url_file": f"{SECRETS}/s"}},
    }
    receivers = _receivers(alertmanager_bundle(tmp_path, catalog(teams=teams))[0])
    for kind in ("page", "page-business-hours", "chat", "ticket"):
        assert list(receivers[f"search-{kind}"]) == ["name", "slack_configs"], kind


def test_a_team_with_only_a_pager_gets_chat_and_tickets_through_the_pager(tmp_path: Path) -> None:
    teams = catalog()["teams"]
    teams[1] = {"name": "search", "notify": {"pagerduty": {"routing_key_file": f"{SECRETS}/pd"}}}
    receivers = _receivers(alertmanager_bundle(tmp_path, catalog(teams=teams))[0])
    assert list(receivers["search-chat"]) == ["name", "pagerduty_configs"]
    assert list(receivers["search-ticket"]) == ["name", "pagerduty_configs"]


def test_pages_reach_pager_push_and_chat_while_chat_and_tickets_do_not_page(tmp_path: Path) -> None:
    teams = catalog()["teams"]
    teams[0]["notify"]["pushover"] = {"user_key_file": f"{SECRETS}/u", "token_file": f"{SECRETS}/t"}
    receivers = _receivers(alertmanager_bundle(tmp_path, catalog(teams=teams))[0])
    assert list(receivers["payments-page"]) == [
        "name",
        "pagerduty_configs",
        "pushover_configs",
        "slack_configs",
    ]
    assert list(receivers["payments-chat"]) == ["name", "slack_configs"]
    assert list(receivers["payments-ticket"]) == ["name", "jira_configs"]
    severity = receivers["payments-page"]["pagerduty_configs"][0]["severity"]
    assert "critical" in severity and 'eq .CommonLabels.tier "1"' in severity


def _integrations(receiver: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(key, item) for key, items in receiver.items() if key != "name" for item in items]


def test_a_target_shared_by_pager_and_chat_gets_each_page_once(tmp_path: Path) -> None:
    """search has one webhook for everything; payments falls back to Slack for pages too."""
    teams = catalog()["teams"]
    del teams[0]["notify"]["pagerduty"]
    teams[0]["notify"]["webhook"] = {"url_file": f"{SECRETS}/payments-hook"}
    bundle, _ = alertmanager_bundle(tmp_path, catalog(teams=teams))
    receivers = _receivers(bundle)
    slack = receivers["payments-chat"]["slack_configs"][0]
    hook = {"url_file": f"{SECRETS}/payments-hook", "send_resolved": True}
    for kind in ("page", "page-business-hours", "escalation", "escalation-business-hours"):
        integrations = _integrations(receivers[f"payments-{kind}"])
        assert len(integrations) == len({repr(i) for i in integrations}), kind
        assert ("slack_configs", slack) in integrations, kind
        assert ("webhook_configs", hook) in integrations, kind
    assert _integrations(receivers["search-page"]) == [
        ("webhook_configs", {"url_file": f"{SECRETS}/search-hook", "send_resolved": True})
    ]
    cases = _cases(bundle)
    # Outside business hours a lower-tier page is muted at the pager route and reaches chat;
    # inside them the chat route is muted: the pair never delivers together.
    assert cases["search page tier 1"] == ["search-page"]
    assert cases["search page tier 3"] == ["search-page-business-hours", "search-chat"]


def test_the_catch_all_is_quiet_and_only_its_pager_pages_when_the_team_has_only_pagers(
    tmp_path: Path,
) -> None:
    """An unknown team's page still pages (catch-all-pager, full severity); its tickets and
    info reach catch-all, a chat receiver like any other: a pager fallback there never pages."""
    teams = teams_with_search_on_pagers_only()
    document = catalog(teams=teams)
    document["alerting"] = {**document.get("alerting", {}), "catch_all_team": "search"}
    receivers = _receivers(alertmanager_bundle(tmp_path, document)[0])
    quiet, pager = receivers["catch-all"], receivers["catch-all-pager"]
    assert list(quiet) == ["name", "pagerduty_configs"]  # chat falls back to the first pager
    assert quiet["pagerduty_configs"][0]["severity"] == CHAT_PAGERDUTY_SEVERITY
    assert list(pager) == ["name", "pagerduty_configs", "pushover_configs"]
    assert pager["pagerduty_configs"][0]["severity"] == PAGERDUTY_SEVERITY
    assert pager["pushover_configs"][0]["priority"] == PUSHOVER_PRIORITY
    assert len(pager["pagerduty_configs"]) == 1  # pager and chat fallback share it: once
    # The catch-all team's own receivers are unchanged by the role.
    assert receivers["search-chat"]["pagerduty_configs"] == quiet["pagerduty_configs"]
    assert _integrations(receivers["search-page"]) == _integrations(pager)
