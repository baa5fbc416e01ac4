"""Building blocks shared by every catalog model: strictness, names, durations."""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any, Literal
from urllib.parse import unquote

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

DURATION_PATTERN = r"^([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$"
_DURATION = re.compile(DURATION_PATTERN)
_UNITS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
_PART = re.compile(r"([0-9]+)(ms|y|w|d|h|m|s)")


def _not_a_boolean(value: Any) -> Any:
    # Literal[1, 2, 3] takes YAML's `true` as 1: Python's True equals 1, even in strict mode.
    if isinstance(value, bool):
        raise PydanticCustomError("literal_error", "Input should be 1, 2 or 3", {"expected": "1, 2 or 3"})
    return value


Tier = Annotated[Literal[1, 2, 3], BeforeValidator(_not_a_boolean)]
"""Business impact, 1 (highest) to 3; a boolean is refused."""


class Strict(BaseModel):
    """Base of every catalog model: no coercion, no unknown fields, immutable."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration such as ``1h30m`` or ``30d``."""
    if not text or not _DURATION.fullmatch(text):
        raise ValueError(f"{text!r} is not a duration such as 30s, 5m, 1h30m or 30d")
    return float(sum(int(n) * _UNITS[unit] for n, unit in _PART.findall(text)))


@functools.lru_cache(maxsize=4096)
def format_duration(seconds: float) -> str:
    """The shortest Prometheus duration for a whole number of seconds (``3600`` → ``1h``)."""
    whole = round(seconds)
    if whole <= 0:
        return "0s"
    parts = []
    for unit in ("d", "h", "m", "s"):
        size = int(_UNITS[unit])
        if whole >= size:
            count, whole = divmod(whole, size)
            parts.append(f"{count}{unit}")
    return "".join(parts)


def go_duration(text: str) -> str:
    """A catalog duration (``14d``) in hours, minutes and seconds (``336h``).

    Go's `time.ParseDuration`, which Tempo and several Loki settings use, has no day
    unit; every other reader of these files accepts the same form.
    """
    whole = int(parse_duration(text))
    hours, rest = divmod(whole, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (seconds, "s")) if n]
    return "".join(parts) or "0s"


def _check_duration(text: str) -> str:
    if parse_duration(text) <= 0:
        raise ValueError("a duration must be longer than zero")
    return text


Duration = Annotated[
    str,
    Field(pattern=DURATION_PATTERN, examples=["30s", "5m", "1h30m", "30d"]),
    AfterValidator(_check_duration),
]
"""A Prometheus duration: a sequence of ``<number><unit>`` with units y w d h m s ms."""

IDENTIFIER_PATTERN = r"^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$"

Identifier = Annotated[
    str,
    Field(pattern=IDENTIFIER_PATTERN, examples=["payments", "eu-west-1"]),
]
"""Lower-case letters, digits, ``-`` and ``_``: used in file names and tenant ids."""


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _check_display_name(text: str) -> str:
    if _CONTROL.search(text):
        raise ValueError("control characters are not allowed in a name")
    if text != text.strip():
        raise ValueError("a name cannot start or end with white space")
    return text


Name = Annotated[
    str,
    Field(min_length=1, max_length=128, examples=["checkout", "payments-api"]),
    AfterValidator(_check_display_name),
]
"""A free-form name (services, SLOs): any printable text; it becomes a label value."""

LABEL_NAME_PATTERN = r"^[a-zA-Z_][a-zA-Z0-9_]*$"
LabelName = Annotated[str, Field(pattern=LABEL_NAME_PATTERN)]
"""A Prometheus label name."""

METRIC_NAME_PATTERN = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"
MetricName = Annotated[str, Field(pattern=METRIC_NAME_PATTERN)]
"""A Prometheus metric name."""

SECRET_FILE_PATTERN = r"^/[^\s]*$"
SecretFile = Annotated[
    str,
    Field(pattern=SECRET_FILE_PATTERN, examples=["/etc/alertmanager/secrets/slack-payments"]),
]
"""An absolute path of a file that holds a secret at run time; the secret never enters the catalog."""

WEB_URL_PATTERN = r"^https?://[A-Za-z0-9.:_~%\[\]-]+([/?#][^\s${}\\`<>\"]*)?$"
"""http(s), a host (and port) without user or password, and no character that a config file's
reader would expand or execute: `$` (environment references of the collector, Grafana
provisioning and `-config.expand-env`), braces (Go templates in alert annotations), quotes."""

_PARAMETER = re.compile(r"[?&;#]([^=&;#/?]+)=")
_CREDENTIAL_WORDS = frozenset(
    {"key", "apikey", "accesskey", "secretkey", "pwd", "pass", "sig", "auth", "session", "sessionid", "jsessionid", "sid", "jwt", "bearer"}
)
_CREDENTIAL_PARTS = ("token", "secret", "passw", "signature", "credential")


def _credential_name(name: str) -> bool:
    """Whether a URL parameter's name says it carries a credential: `token`, `client_secret`,
    `X-Amz-Signature`, `api_key`, `apiKey`, `jsessionid`, `#access_token` (not `keyword` or `monkey`)."""
    lowered = name.lower()
    words = {w.lower() for w in re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name)}
    return any(part in lowered for part in _CREDENTIAL_PARTS) or bool(words & _CREDENTIAL_WORDS)


def _check_web_url(text: str) -> str:
    """Refuse a query or path parameter whose name says it carries a credential (`?token=`,
    `?X-Amz-Signature=`, `;jsessionid=`), its name percent-decoded first."""
    for name in _PARAMETER.findall(text):
        if _credential_name(unquote(name)):
            raise ValueError(
                f"the URL carries a credential ({unquote(name)}=); secrets stay out of the catalog and the bundle"
            )
    return text


WebUrl = Annotated[
    str,
    Field(pattern=WEB_URL_PATTERN, examples=["https://grafana.example.com", "http://mimir-distributor.mimir.svc:8080/api/v1/push"]),
    AfterValidator(_check_web_url),
]
"""An http(s) URL written into the bundle: no credentials, nothing a reader would expand."""

KUBERNETES_NAME_PATTERN = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
KubernetesName = Annotated[str, Field(pattern=KUBERNETES_NAME_PATTERN)]
"""A Kubernetes RFC 1123 label: a namespace, a container, and what the pods of a workload are named after."""
