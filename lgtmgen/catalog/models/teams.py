"""Teams and where their notifications go; secrets only by file reference."""

from __future__ import annotations

from pydantic import Field

from lgtmgen.catalog.models.base import Identifier, SecretFile, Strict


class SlackTarget(Strict):
    """A Slack channel reached through an incoming-webhook URL kept in a file."""

    channel: str = Field(pattern=r"^[#@][^\s]+$", description="Channel such as `#payments-alerts`.")
    api_url_file: SecretFile = Field(description="File holding the Slack webhook URL.")


class PagerDutyTarget(Strict):
    """A PagerDuty service reached through an Events API v2 routing key kept in a file."""

    routing_key_file: SecretFile = Field(description="File holding the Events API v2 routing key.")


class EmailTarget(Strict):
    """An e-mail address for ticket and info notifications."""

    to: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", description="Recipient address.")


class WebhookTarget(Strict):
    """A generic webhook whose URL is kept in a file."""

    url_file: SecretFile = Field(description="File holding the webhook URL.")


class NotificationTargets(Strict):
    """Where a team is reached. At least one target is needed."""

    slack: SlackTarget | None = None
    pagerduty: PagerDutyTarget | None = None
    email: EmailTarget | None = None
    webhook: WebhookTarget | None = None


class Team(Strict):
    """A team that owns services and receives their alerts."""

    name: Identifier = Field(description="Team name, the `team` label on every alert.")
    description: str = ""
    notify: NotificationTargets = Field(description="Notification targets, by reference.")
