"""Teams and where their notifications go; secrets only by file reference.

Each target also declares, as hidden fields, the literal spellings people
reach for (``api_url``, ``routing_key`` ...). They are accepted by the model
only so that the alerting checks can refuse them with `catalog/literal-secret`
and name the ``*_file`` field to use instead; they never reach the output.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from lgtmgen.catalog.models.base import Identifier, SecretFile, Strict

REFUSED_SECRET_PLACEHOLDER = "/refused/literal-secret"


def _literal() -> Any:
    """A hidden field that only exists to be refused by `catalog/literal-secret`."""
    return Field(default=None, exclude=True)


class SecretAware(Strict):
    """A model whose secrets live in files; `LITERAL_SECRETS` maps a literal field to its file field."""

    LITERAL_SECRETS: ClassVar[dict[str, str]] = {}

    def literal_secrets(self) -> list[tuple[str, str]]:
        """(literal field, file field to use instead) for every literal secret that was given."""
        return [
            (literal, file_field)
            for literal, file_field in self.LITERAL_SECRETS.items()
            if getattr(self, literal, None) is not None
        ]

    @model_validator(mode="before")
    @classmethod
    def _defer_literal_secrets(cls, data: Any) -> Any:
        """Let a literal secret through validation so that its own check can name it.

        Without this, `api_url: https://...` would only be reported as a missing
        `api_url_file`; the placeholder can never reach output because the
        literal makes the catalog invalid.
        """
        if not isinstance(data, dict):
            return data
        fill = {
            file_field: REFUSED_SECRET_PLACEHOLDER
            for literal, file_field in cls.LITERAL_SECRETS.items()
            if literal in data
            and file_field not in data
            and cls.model_fields[file_field].is_required()
        }
        return {**data, **fill} if fill else data


class SlackTarget(SecretAware):
    """A Slack channel reached through an incoming-webhook URL kept in a file."""

    LITERAL_SECRETS: ClassVar[dict[str, str]] = {"api_url": "api_url_file"}

    # No braces or `$`: Alertmanager reads the field as a Go template.
    channel: str = Field(pattern=r"^[#@][^\s{}$]+$", description="Channel such as `#payments-alerts`.")
    api_url_file: SecretFile = Field(description="File holding the Slack webhook URL.")
    api_url: SkipJsonSchema[Any] = _literal()


class PagerDutyTarget(SecretAware):
    """A PagerDuty service reached through an Events API v2 routing key kept in a file."""

    LITERAL_SECRETS: ClassVar[dict[str, str]] = {
        "routing_key": "routing_key_file",
        "service_key": "routing_key_file",
    }

    routing_key_file: SecretFile = Field(description="File holding the Events API v2 routing key.")
    routing_key: SkipJsonSchema[Any] = _literal()
    service_key: SkipJsonSchema[Any] = _literal()


class EmailTarget(Strict):
    """An e-mail address for ticket and info notifications (needs `alerting.smtp`)."""

    to: str = Field(pattern=r"^[^@\s{}$]+@[^@\s{}$]+$", description="Recipient address.")


class WebhookTarget(SecretAware):
    """A generic webhook whose URL is kept in a file; it receives every notification of the team."""

    LITERAL_SECRETS: ClassVar[dict[str, str]] = {"url": "url_file"}

    url_file: SecretFile = Field(description="File holding the webhook URL.")
    url: SkipJsonSchema[Any] = _literal()


class PushoverTarget(SecretAware):
    """Mobile push for pages through Pushover; user key and application token kept in files."""

    LITERAL_SECRETS: ClassVar[dict[str, str]] = {"user_key": "user_key_file", "token": "token_file"}

    user_key_file: SecretFile = Field(description="File holding the Pushover user or group key.")
    token_file: SecretFile = Field(description="File holding the Pushover application token.")
    user_key: SkipJsonSchema[Any] = _literal()
    token: SkipJsonSchema[Any] = _literal()


class JiraTarget(SecretAware):
    """A Jira project where tickets are filed.

    Alertmanager 0.28 and newer talk to Jira directly (`server_url`, `username`,
    `password_file`); for older targets the notification goes to a Jira bridge
    webhook whose URL is kept in `webhook_url_file`.
    """

    LITERAL_SECRETS: ClassVar[dict[str, str]] = {
        "password": "password_file",
        "api_token": "password_file",
        "api_url": "server_url",
        "webhook_url": "webhook_url_file",
    }

    project: str = Field(
        pattern=r"^[A-Z][A-Z0-9_]*$", description="Jira project key such as `OPS`."
    )
    issue_type: str = Field(
        default="Bug", min_length=1, pattern=r"^[^{}$\n]+$", description="Issue type of created tickets."
    )
    server_url: str | None = Field(
        default=None,
        pattern=r"^https://[^\s@/${}]+(/[^\s@${}\\`<>\"]*)?$",
        description="Base URL of the Jira server (not a secret; credentials are by file).",
    )
    username: str | None = Field(default=None, description="Jira user the tickets are created as.")
    password_file: SecretFile | None = Field(
        default=None, description="File holding the Jira API token or password of `username`."
    )
    webhook_url_file: SecretFile | None = Field(
        default=None,
        description="File holding a Jira bridge webhook URL (Alertmanager before 0.28).",
    )
    password: SkipJsonSchema[Any] = _literal()
    api_token: SkipJsonSchema[Any] = _literal()
    api_url: SkipJsonSchema[Any] = _literal()
    webhook_url: SkipJsonSchema[Any] = _literal()


class NotificationTargets(Strict):
    """Where a team is reached. At least one target is needed.

    Pages go to PagerDuty and Pushover, chat to Slack, tickets to Jira and
    e-mail; a webhook receives everything. A kind without its own target falls
    back to the others, so nothing is lost.
    """

    slack: SlackTarget | None = None
    pagerduty: PagerDutyTarget | None = None
    email: EmailTarget | None = None
    webhook: WebhookTarget | None = None
    pushover: PushoverTarget | None = None
    jira: JiraTarget | None = None


class Team(Strict):
    """A team that owns services and receives their alerts."""

    name: Identifier = Field(description="Team name, the `team` label on every alert.")
    description: str = ""
    notify: NotificationTargets = Field(description="Notification targets, by reference.")
    escalate_to: NotificationTargets | None = Field(
        default=None,
        description="Second receiver of pages still firing after `alerting.escalation.after`.",
    )
