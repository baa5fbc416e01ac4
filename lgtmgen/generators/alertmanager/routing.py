"""The routing tree: root → team → severity → tier, with business hours and escalation.

Per team, in order:

0. a page from a cluster of a non-production environment → ``<team>-chat``
   (escalated or not, any tier, at any hour): it reaches the team without paging;
1. an escalated page (label ``escalated="true"``) → ``<team>-escalation``; of tiers 2
   and 3 → ``<team>-escalation-business-hours``, active in business hours only, `continue`;
2. a page of tier 2 or 3 → ``<team>-page-business-hours``, active in business hours
   only, `continue`;
3. any other page (tier 1, or no tier: unknown impact pages at any hour) → ``<team>-page``;
4. the lower-tier pages of routes 1 and 2 → ``<team>-chat``, muted in business hours,
   so off-hours they land in chat only;
5. any other page → ``<team>-chat``; 6. a ticket → ``<team>-ticket``; 7. info → ``<team>-chat``.

The pager and escalation receivers hold the chat targets too, and a page
matches one route per moment (routes 2 and 4 are active at opposite times): each
target gets a page once, even when pager and chat share one (the team webhook).

An unknown severity ends at the team's chat. An alert of an unknown (or no) team
ends at the root's ``catch-all`` (the catch-all team's chat, quiet), except a page:
that pages the catch-all team (``catch-all-pager``) under the same production and
business-hours rules as a team's own pages (see `catch_all_page_routes`).
"""

from __future__ import annotations

from typing import Any

from lgtmgen.catalog.models import Team
from lgtmgen.catalog.models.alerting import AlertingSettings, BusinessHours, Timing
from lgtmgen.generators.alertmanager.names import (
    BUSINESS_HOURS,
    CATCH_ALL,
    CATCH_ALL_PAGER,
    ESCALATED_LABEL,
    LOWER_TIERS,
    ReceiverKind,
    receiver_name,
)
from lgtmgen.matchers import matcher
from lgtmgen.regex import alternation

LOWER_TIER = matcher("tier", "=~", alternation(LOWER_TIERS))
NOT_LOWER_TIER = matcher("tier", "!~", alternation(LOWER_TIERS))
ESCALATED = matcher(ESCALATED_LABEL, "=", "true")
NOT_ESCALATED = matcher(ESCALATED_LABEL, "!=", "true")
PAGE = matcher("severity", "=", "page")


def _timing(timing: Timing) -> dict[str, Any]:
    return {
        "group_by": list(timing.group_by),
        "group_wait": timing.group_wait,
        "group_interval": timing.group_interval,
        "repeat_interval": timing.repeat_interval,
    }


def _route(
    team: str, kind: ReceiverKind, matchers: list[str], timing: Timing, **extra: Any
) -> dict[str, Any]:
    return {"receiver": receiver_name(team, kind), "matchers": matchers, **_timing(timing), **extra}


def team_route(
    team: Team, settings: AlertingSettings, escalates: bool, non_production: list[str]
) -> dict[str, Any]:
    """The subtree of one team; pages of the `non_production` clusters go to its chat."""
    t = settings.timings
    name = team.name
    in_hours = {"active_time_intervals": [BUSINESS_HOURS]}
    off_hours = {"mute_time_intervals": [BUSINESS_HOURS]}
    routes: list[dict[str, Any]] = []
    if non_production:
        outside_production = matcher("cluster", "=~", alternation(non_production))
        routes.append(_route(name, "chat", [PAGE, outside_production], t.page))
    # Pages that have a business-hours-only route; outside business hours they go to chat.
    hours_only = [PAGE, LOWER_TIER]
    if escalates and team.escalate_to is not None:
        routes += [
            _route(
                name,
                "escalation-business-hours",
                [PAGE, ESCALATED, LOWER_TIER],
                t.page,
                **in_hours,
                **{"continue": True},
            ),
            _route(name, "escalation", [PAGE, ESCALATED, NOT_LOWER_TIER], t.page),
        ]
    else:
        hours_only.append(NOT_ESCALATED)
    routes += [
        _route(
            name,
            "page-business-hours",
            [PAGE, NOT_ESCALATED, LOWER_TIER],
            t.page,
            **in_hours,
            **{"continue": True},
        ),
        _route(name, "page", [PAGE, NOT_ESCALATED, NOT_LOWER_TIER], t.page),
        _route(name, "chat", hours_only, t.page, **off_hours),
        _route(name, "chat", [PAGE], t.page),
        _route(name, "ticket", [matcher("severity", "=", "ticket")], t.ticket),
        _route(name, "chat", [matcher("severity", "=", "info")], t.info),
    ]
    return {
        "receiver": receiver_name(name, "chat"),
        "matchers": [matcher("team", "=", name)],
        "routes": routes,
    }


def catch_all_page_routes(settings: AlertingSettings, non_production: list[str]) -> list[dict[str, Any]]:
    """Pages of an unknown (or no) team, after every team route: they page the catch-all
    team as its own pages would, the lower tiers in business hours only, and a
    non-production cluster's not at all; everything else stays at the root's `catch-all`."""
    timing = _timing(settings.timings.page)
    routes: list[dict[str, Any]] = []
    if non_production:
        outside_production = matcher("cluster", "=~", alternation(non_production))
        routes.append({"receiver": CATCH_ALL, "matchers": [PAGE, outside_production], **timing})
    return routes + [
        {
            "receiver": CATCH_ALL_PAGER,
            "matchers": [PAGE, LOWER_TIER],
            **timing,
            "active_time_intervals": [BUSINESS_HOURS],
            "continue": True,
        },
        {"receiver": CATCH_ALL_PAGER, "matchers": [PAGE, NOT_LOWER_TIER], **timing},
        {"receiver": CATCH_ALL, "matchers": [PAGE], **timing, "mute_time_intervals": [BUSINESS_HOURS]},
    ]


def root_route(
    teams: list[Team],
    settings: AlertingSettings,
    escalating: set[str],
    non_production: list[str],
    *,
    catch_all_pages: bool = True,
) -> dict[str, Any]:
    """The whole tree; the root receiver is the catch-all, quiet, and with `catch_all_pages`
    the pages of unknown teams reach `catch-all-pager` (see `catch_all_page_routes`)."""
    routes = [team_route(team, settings, team.name in escalating, non_production) for team in teams]
    if catch_all_pages:
        routes += catch_all_page_routes(settings, non_production)
    return {"receiver": CATCH_ALL, **_timing(settings.timings.info), "routes": routes}


def time_intervals(hours: BusinessHours) -> list[dict[str, Any]]:
    """The `business-hours` time interval in the declared time zone."""
    return [
        {
            "name": BUSINESS_HOURS,
            "time_intervals": [
                {
                    "weekdays": list(hours.weekdays),
                    "times": [{"start_time": r.start, "end_time": r.end} for r in hours.times],
                    "location": hours.time_zone,
                }
            ],
        }
    ]
