"""Catalog models of the alerting area: Alertmanager routing, business hours, escalation."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from lgtmgen.catalog.models.base import Duration, Identifier, LabelName, Name, SecretFile, Strict
from lgtmgen.catalog.models.teams import SecretAware

WEEKDAY = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"
Weekdays = Annotated[str, Field(pattern=f"^{WEEKDAY}(:{WEEKDAY})?$", examples=["monday:friday"])]
"""A weekday or an inclusive range of weekdays."""


class Timing(Strict):
    """How alerts of one severity are grouped and how often they are sent."""

    group_by: list[LabelName] = Field(description="Labels that put alerts into one notification.")
    group_wait: Duration = Field(description="Wait before the first notification of a new group.")
    group_interval: Duration = Field(
        description="Wait before notifying about new alerts of a group."
    )
    repeat_interval: Duration = Field(
        description="Wait before repeating an unchanged notification."
    )


class SeverityTimings(Strict):
    """Grouping and timing per severity; pages are fast and repeat often, info is slow."""

    page: Timing = Timing(
        group_by=["alertname", "team", "service", "slo", "cluster"],
        group_wait="30s",
        group_interval="5m",
        repeat_interval="4h",
    )
    ticket: Timing = Timing(
        group_by=["alertname", "team", "service", "slo"],
        group_wait="5m",
        group_interval="30m",
        repeat_interval="24h",
    )
    info: Timing = Timing(
        group_by=["alertname", "team", "service"],
        group_wait="5m",
        group_interval="1h",
        repeat_interval="24h",
    )


class TimeRange(Strict):
    """A time of day range, `HH:MM` to `HH:MM`, end exclusive."""

    start: str = Field(pattern=CLOCK, description="Start such as `09:00`.")
    end: str = Field(pattern=CLOCK, description="End such as `17:30` (exclusive).")


class BusinessHours(Strict):
    """When lower-tier services may page: weekdays and times in a time zone."""

    time_zone: str = Field(default="UTC", description="IANA time zone such as `Europe/Berlin`.")
    weekdays: list[Weekdays] = Field(
        default_factory=lambda: ["monday:friday"],
        min_length=1,
        description="Days or ranges such as `monday:friday` or `saturday`.",
    )
    times: list[TimeRange] = Field(
        default_factory=lambda: [TimeRange(start="09:00", end="17:00")],
        min_length=1,
        description="Times of day that count as business hours.",
    )


class Escalation(Strict):
    """A page still firing after `after` also goes to the owning team's `escalate_to` targets."""

    after: Duration = Field(default="30m", description="How long a page fires before it escalates.")


class ClusterOutage(Strict):
    """A cluster-wide outage alert; while it fires, per-service alerts of that cluster are inhibited.

    The default signal is the share of the cluster's critical scrape targets
    that are up (`up` of `critical_jobs`); `expr` replaces it with a declared
    expression, which must keep the `cluster` label (or be evaluated per cluster).
    """

    team: Identifier = Field(description="Team paged for a cluster outage.")
    service: Name = Field(
        default="cluster", description="The `service` label of the outage alert (what is down)."
    )
    critical_jobs: list[str] = Field(
        default_factory=list, description="Scrape jobs whose loss means the cluster is down."
    )
    min_up_ratio: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Below this share of critical targets up, the cluster is down.",
    )
    expr: str | None = Field(
        default=None, description="A PromQL expression replacing the `up` signal."
    )
    for_: Duration = Field(default="5m", alias="for", description="How long the signal must hold.")


class Smtp(SecretAware):
    """The mail relay used for e-mail targets."""

    LITERAL_SECRETS: ClassVar[dict[str, str]] = {"auth_password": "auth_password_file"}

    smarthost: str = Field(pattern=r"^[^\s:]+:[0-9]+$", description="Relay as `host:port`.")
    # No braces or `$`: Alertmanager runs each e-mail's `from` as a Go template.
    from_: str = Field(alias="from", pattern=r"^[^@\s{}$]+@[^@\s{}$]+$", description="Sender address.")
    auth_username: str | None = Field(default=None, description="User for SMTP authentication.")
    auth_password_file: SecretFile | None = Field(
        default=None, description="File holding the SMTP password."
    )
    require_tls: bool = Field(default=True, description="Refuse to send without STARTTLS.")
    auth_password: SkipJsonSchema[Any] = Field(default=None, exclude=True)


class AlertingSettings(Strict):
    """Alertmanager routing, business hours, escalation and receivers settings."""

    alertmanager_version: str = Field(
        default="0.28",
        pattern=r"^0\.[0-9]+$",
        description="Alertmanager version to target (0.27 or newer); before 0.28 Jira goes through a webhook.",
    )
    catch_all_team: Identifier | None = Field(
        default=None,
        description=(
            "Team that receives the alerts no team route matches: its chat (quiet), and its pagers "
            "for the pages among them (default: the first team)."
        ),
    )
    business_hours: BusinessHours = Field(default=BusinessHours(), description="Business hours.")
    timings: SeverityTimings = Field(default=SeverityTimings(), description="Per-severity timing.")
    escalation: Escalation = Field(
        default=Escalation(), description="Escalation of unresolved pages."
    )
    cluster_outage: ClusterOutage | None = Field(
        default=None, description="Cluster-wide outage alert."
    )
    smtp: Smtp | None = Field(default=None, description="Mail relay, needed by e-mail targets.")
