"""Receivers: each team's notify targets turned into page, chat, ticket and escalation receivers.

Secrets stay in files: every integration refers to the catalog's ``*_file``
paths. Message text comes from the bundle's notification templates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lgtmgen.catalog.alerting_checks import JIRA_NATIVE_VERSION, version_tuple
from lgtmgen.catalog.models import Team
from lgtmgen.catalog.models.alerting import AlertingSettings
from lgtmgen.catalog.models.teams import (
    EmailTarget,
    JiraTarget,
    NotificationTargets,
    PagerDutyTarget,
    PushoverTarget,
    SlackTarget,
)
from lgtmgen.generators.alertmanager.names import (
    CATCH_ALL,
    CATCH_ALL_PAGER,
    ReceiverKind,
    receiver_name,
)

TITLE = '{{ template "lgtmgen.title" . }}'
TEXT = '{{ template "lgtmgen.text" . }}'
# PagerDuty derives urgency from the event severity: tier-1 pages are critical (high urgency).
PAGERDUTY_SEVERITY = (
    '{{ if eq .CommonLabels.severity "page" }}'
    '{{ if or (eq .CommonLabels.tier "1") (not .CommonLabels.tier) }}critical{{ else }}error{{ end }}'
    '{{ else if eq .CommonLabels.severity "ticket" }}warning{{ else }}info{{ end }}'
)
# Pushover priorities: 2 (emergency) repeats every `retry` until acknowledged or `expire`, so
# only firing pages of the most critical tier get it; lower-tier pages use 1 (high, bypasses
# quiet hours), tickets and resolved notices 0 (normal), anything else -1 (quiet).
PUSHOVER_PRIORITY = (
    '{{ if eq .Status "resolved" }}0'
    '{{ else if eq .CommonLabels.severity "page" }}'
    '{{ if or (eq .CommonLabels.tier "1") (not .CommonLabels.tier) }}2{{ else }}1{{ end }}'
    '{{ else if eq .CommonLabels.severity "ticket" }}0{{ else }}-1{{ end }}'
)
# A chat receiver must not page, even when a pager is the team's only target (the chat
# fallback): its PagerDuty events carry low-urgency severities (low urgency only where the
# PagerDuty service's urgency follows severity; the catalog check
# `catalog/chat-falls-back-to-pagerduty` warns) and its Pushover messages are quiet (-1: no
# sound). It receives the pages that must not page: those of non-production clusters and
# lower-tier pages outside business hours.
CHAT_PAGERDUTY_SEVERITY = '{{ if eq .CommonLabels.severity "info" }}info{{ else }}warning{{ end }}'
CHAT_PUSHOVER_PRIORITY = "-1"

Target = str
PRIMARY: dict[str, tuple[Target, ...]] = {
    "page": ("pagerduty", "pushover"),
    "chat": ("slack",),
    "ticket": ("jira", "email"),
}
FALLBACK: dict[str, tuple[Target, ...]] = {
    "page": ("slack", "email", "jira"),
    "chat": ("email", "jira", "pagerduty", "pushover"),
    "ticket": ("slack", "pagerduty", "pushover"),
}


def _slack(slack: SlackTarget) -> dict[str, Any]:
    return {
        "api_url_file": slack.api_url_file,
        "channel": slack.channel,
        "send_resolved": True,
        "title": TITLE,
        "text": TEXT,
    }


def _pagerduty(pagerduty: PagerDutyTarget, quiet: bool = False) -> dict[str, Any]:
    return {
        "routing_key_file": pagerduty.routing_key_file,
        "severity": CHAT_PAGERDUTY_SEVERITY if quiet else PAGERDUTY_SEVERITY,
        "description": TITLE,
        "send_resolved": True,
    }


def _pushover(pushover: PushoverTarget, quiet: bool = False) -> dict[str, Any]:
    return {
        "user_key_file": pushover.user_key_file,
        "token_file": pushover.token_file,
        "priority": CHAT_PUSHOVER_PRIORITY if quiet else PUSHOVER_PRIORITY,
        "title": TITLE,
        "message": TEXT,
        "send_resolved": True,
    }


def _email(email: EmailTarget) -> dict[str, Any]:
    # No HTML part: Alertmanager adds its default HTML otherwise, and mail clients show that
    # instead of the text, which holds the runbook and dashboard links.
    return {
        "to": email.to,
        "headers": {"Subject": TITLE},
        "html": "",
        "text": TEXT,
        "send_resolved": True,
    }


def _webhook(url_file: str | None) -> tuple[str, dict[str, Any]]:
    return "webhook_configs", {"url_file": url_file, "send_resolved": True}


def jira_api_url(server_url: str) -> str:
    """The REST API base Alertmanager joins `issue` and `search` onto: the server plus
    ``rest/api/2/``. Version 2 because the description is plain text (version 3 wants
    Atlassian Document Format); on Jira Cloud Alertmanager still searches through v3 itself."""
    return server_url.rstrip("/") + "/rest/api/2/"


def _jira(jira: JiraTarget, version: str) -> tuple[str, dict[str, Any]]:
    if version_tuple(version) < JIRA_NATIVE_VERSION:
        return _webhook(jira.webhook_url_file)
    assert jira.server_url is not None  # catalog/jira-incomplete refuses it missing
    return "jira_configs", {
        "api_url": jira_api_url(jira.server_url),
        "project": jira.project,
        "issue_type": jira.issue_type,
        "summary": TITLE,
        "description": TEXT,
        "http_config": {
            "basic_auth": {"username": jira.username, "password_file": jira.password_file}
        },
        "send_resolved": True,
    }


_BUILDERS: dict[Target, Callable[[Any], dict[str, Any]]] = {"slack": _slack, "email": _email}


def _integration(
    targets: NotificationTargets, target: Target, version: str, quiet: bool
) -> tuple[str, dict[str, Any]]:
    """The ``<kind>_configs`` key and the one entry that `target` adds under it; `quiet`
    pagers (those of a chat receiver) never page."""
    if target == "jira":
        assert targets.jira is not None
        return _jira(targets.jira, version)
    if target == "pagerduty":
        assert targets.pagerduty is not None
        return "pagerduty_configs", _pagerduty(targets.pagerduty, quiet)
    if target == "pushover":
        assert targets.pushover is not None
        return "pushover_configs", _pushover(targets.pushover, quiet)
    return f"{target}_configs", _BUILDERS[target](getattr(targets, target))


def _integrations(
    targets: NotificationTargets, chosen: list[Target], version: str, quiet: bool = False
) -> dict[str, Any]:
    config: dict[str, list[dict[str, Any]]] = {}
    parts = [_integration(targets, target, version, quiet) for target in chosen]
    if targets.webhook is not None:
        parts.append(_webhook(targets.webhook.url_file))
    for key, item in parts:
        config.setdefault(key, []).append(item)
    return dict(sorted(config.items()))


def chosen_targets(targets: NotificationTargets, purpose: str) -> list[Target]:
    """The targets used for `purpose` (page, chat, ticket): its own, else the first fallback."""
    present = [t for t in PRIMARY[purpose] if getattr(targets, t) is not None]
    if present:
        return present
    fallback = [t for t in FALLBACK[purpose] if getattr(targets, t) is not None]
    return fallback[:1]


def _all_targets(targets: NotificationTargets) -> list[Target]:
    return [
        t
        for t in ("pagerduty", "pushover", "slack", "jira", "email")
        if getattr(targets, t) is not None
    ]


def union(*receivers: dict[str, Any]) -> dict[str, Any]:
    """The integrations of all `receivers`, each distinct one once.

    Alertmanager notifies every integration of every matched route, so a page
    routed to a pager receiver and on to a chat receiver that share a target
    (the team webhook, a Slack fallback) reaches that target twice; one receiver
    holding both sets reaches it once.
    """
    config: dict[str, list[dict[str, Any]]] = {}
    for receiver in receivers:
        for key, items in receiver.items():
            merged = config.setdefault(key, [])
            merged.extend(item for item in items if item not in merged)
    return dict(sorted(config.items()))


def team_receivers(team: Team, settings: AlertingSettings, escalates: bool) -> list[dict[str, Any]]:
    """The receivers of one team, named by `receiver_name`.

    The pager and escalation receivers also hold the chat targets: a page
    reaches pager and chat through one route (see `routing`), each target once.
    """
    version = settings.alertmanager_version
    chat_targets = chosen_targets(team.notify, "chat")
    # Inside a page receiver the chat targets may page (a pager fallback is then the pager
    # itself, notified once); the chat receiver's own pagers stay quiet.
    chat = _integrations(team.notify, chat_targets, version)
    page = union(_integrations(team.notify, chosen_targets(team.notify, "page"), version), chat)
    kinds: list[tuple[ReceiverKind, dict[str, Any]]] = [
        ("page", page),
        ("page-business-hours", page),
        ("chat", _integrations(team.notify, chat_targets, version, quiet=True)),
        ("ticket", _integrations(team.notify, chosen_targets(team.notify, "ticket"), version)),
    ]
    if escalates and team.escalate_to is not None:
        escalation = union(
            _integrations(team.escalate_to, _all_targets(team.escalate_to), version), chat
        )
        kinds += [("escalation", escalation), ("escalation-business-hours", escalation)]
    return [{"name": receiver_name(team.name, kind), **config} for kind, config in kinds]


def catch_all_receivers(team: Team | None, settings: AlertingSettings) -> list[dict[str, Any]]:
    """`catch-all` and `catch-all-pager`: where alerts no team route claims go.

    `catch-all` is the catch-all team's chat receiver, quiet like every chat receiver
    (its pager fallback never pages); `catch-all-pager` holds that team's page and
    chat targets, for the pages of unknown teams that must page (see `routing`).
    """
    if team is None:
        return [{"name": CATCH_ALL}]
    version = settings.alertmanager_version
    chat_targets = chosen_targets(team.notify, "chat")
    chat = _integrations(team.notify, chat_targets, version)
    page = union(_integrations(team.notify, chosen_targets(team.notify, "page"), version), chat)
    return [
        {"name": CATCH_ALL, **_integrations(team.notify, chat_targets, version, quiet=True)},
        {"name": CATCH_ALL_PAGER, **page},
    ]


def smtp_globals(settings: AlertingSettings) -> dict[str, Any]:
    """The `global` SMTP block when e-mail targets exist."""
    smtp = settings.smtp
    if smtp is None:
        return {}
    out: dict[str, Any] = {"smtp_smarthost": smtp.smarthost, "smtp_from": smtp.from_}
    if smtp.auth_username is not None:
        out["smtp_auth_username"] = smtp.auth_username
    if smtp.auth_password_file is not None:
        out["smtp_auth_password_file"] = smtp.auth_password_file
    out["smtp_require_tls"] = smtp.require_tls
    return out
