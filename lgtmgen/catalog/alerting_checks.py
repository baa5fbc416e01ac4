"""Semantic checks of the alerting area: secrets by file, receivers that can be built, hours, owners."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel

from lgtmgen.catalog.environments import non_production_clusters
from lgtmgen.catalog.models import Catalog
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.catalog.models.teams import JiraTarget, SecretAware
from lgtmgen.catalog.positions import PathStep
from lgtmgen.catalog.semantics import Reporter, reference_hint, report_unsupported_calls
from lgtmgen.diagnostics import Severity
from lgtmgen.promql import syntax_error

LITERAL_SECRET = "catalog/literal-secret"
UNKNOWN_TIME_ZONE = "catalog/unknown-time-zone"
EMPTY_TIME_RANGE = "catalog/empty-time-range"
UNSUPPORTED_VERSION = "catalog/alertmanager-version"
JIRA_INCOMPLETE = "catalog/jira-incomplete"
SMTP_MISSING = "catalog/smtp-missing"
UNKNOWN_TEAM = "catalog/unknown-reference"
OUTAGE_SIGNAL = "catalog/cluster-outage-signal"
PROMQL_SYNTAX = "catalog/promql-syntax"
REPEAT_INTERVAL = "catalog/repeat-interval"
DUPLICATE_GROUP_BY = "catalog/duplicate-group-by"
OUTAGE_SERVICE = "catalog/cluster-outage-service"
NO_PRODUCTION = "catalog/no-production-environment"
CHAT_ON_PAGER = "catalog/chat-falls-back-to-pagerduty"
UNSIGNALLED_OUTAGE = "catalog/dependency-outage-not-paged"
OLDEST_VERSION = (0, 27)
WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
JIRA_NATIVE_VERSION = (0, 28)


def version_tuple(text: str) -> tuple[int, int]:
    """``"0.28"`` → ``(0, 28)``; the model has checked the shape."""
    major, minor = text.split(".")
    return int(major), int(minor)


def _literal_secrets_in(model: BaseModel, path: list[PathStep], report: Reporter) -> None:
    # Placed at the enclosing key, so that the printed source line does not repeat the secret.
    if isinstance(model, SecretAware):
        for literal, file_field in model.literal_secrets():
            report.add(
                LITERAL_SECRET,
                f"{literal}: a literal secret or URL is not allowed in the catalog",
                path,
                hint=f"put the value in a file readable by Alertmanager and set {file_field} to its path",
                key=True,
            )
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            _literal_secrets_in(value, [*path, name], report)


def secrets_are_files(catalog: Catalog, report: Reporter) -> None:
    """Webhook URLs, keys, tokens and passwords are referenced by file, never written in the catalog."""
    for index, team in enumerate(catalog.teams):
        _literal_secrets_in(team, ["teams", index], report)
    if catalog.alerting.smtp is not None:
        _literal_secrets_in(catalog.alerting.smtp, ["alerting", "smtp"], report)


def business_hours_are_valid(catalog: Catalog, report: Reporter) -> None:
    """The time zone exists and every time range is non-empty."""
    hours = catalog.alerting.business_hours
    try:
        ZoneInfo(hours.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        report.add(
            UNKNOWN_TIME_ZONE,
            f"time_zone: {hours.time_zone!r} is not an IANA time zone",
            ["alerting", "business_hours", "time_zone"],
            hint="use a name such as Europe/Berlin or America/New_York",
        )
    for index, days in enumerate(hours.weekdays):
        first, _, last = days.partition(":")
        if last and WEEK.index(last) < WEEK.index(first):
            report.add(
                EMPTY_TIME_RANGE,
                f"weekdays: {days} runs backwards; Alertmanager ranges cannot wrap around the week",
                ["alerting", "business_hours", "weekdays", index],
                hint=f"split it, e.g. {first}:sunday and monday:{last}",
            )
    for index, span in enumerate(hours.times):
        if span.start >= span.end:
            report.add(
                EMPTY_TIME_RANGE,
                f"times: {span.start}-{span.end} is empty; the end must be after the start",
                ["alerting", "business_hours", "times", index],
            )


def timings_can_be_kept(catalog: Catalog, report: Reporter) -> None:
    """Each severity groups by distinct labels (Alertmanager refuses a label twice) and repeats no
    sooner than its group interval (a warning: it still works)."""
    timings = catalog.alerting.timings
    for severity in type(timings).model_fields:
        timing = getattr(timings, severity)
        seen: set[str] = set()
        for index, label in enumerate(timing.group_by):
            if label in seen:
                report.add(
                    DUPLICATE_GROUP_BY,
                    f"group_by lists {label!r} twice, which Alertmanager refuses to load",
                    ["alerting", "timings", severity, "group_by", index],
                    hint="list each label once",
                )
            seen.add(label)
        if parse_duration(timing.repeat_interval) < parse_duration(timing.group_interval):
            report.add(
                REPEAT_INTERVAL,
                f"repeat_interval {timing.repeat_interval} is shorter than group_interval "
                f"{timing.group_interval}: Alertmanager repeats a notification at most every "
                "group_interval",
                ["alerting", "timings", severity, "repeat_interval"],
                severity=Severity.WARNING,
            )


def _report_incomplete_jira(
    jira: JiraTarget, version_text: str, path: list[PathStep], report: Reporter
) -> None:
    version = version_tuple(version_text)
    if version < JIRA_NATIVE_VERSION:
        if jira.webhook_url_file is None:
            report.add(
                JIRA_INCOMPLETE,
                f"jira: Alertmanager {version_text} has no Jira integration; "
                "tickets need a bridge webhook",
                path,
                hint="set webhook_url_file, or target alertmanager_version 0.28 or newer",
            )
        return
    missing = [f for f in ("server_url", "username", "password_file") if getattr(jira, f) is None]
    if missing:
        report.add(
            JIRA_INCOMPLETE, f"jira: {', '.join(missing)} needed to file tickets directly", path
        )


def receivers_can_be_built(catalog: Catalog, report: Reporter) -> None:
    """The targeted Alertmanager is supported; Jira and e-mail targets have what they need."""
    alerting = catalog.alerting
    if version_tuple(alerting.alertmanager_version) < OLDEST_VERSION:
        report.add(
            UNSUPPORTED_VERSION,
            f"alertmanager_version {alerting.alertmanager_version} is too old: secrets by file "
            "for every receiver need 0.27 or newer",
            ["alerting", "alertmanager_version"],
        )
    for index, team in enumerate(catalog.teams):
        for field in ("notify", "escalate_to"):
            targets = getattr(team, field)
            if targets is None:
                continue
            base: list[PathStep] = ["teams", index, field]
            if targets.jira is not None and not targets.jira.literal_secrets():
                _report_incomplete_jira(
                    targets.jira, alerting.alertmanager_version, [*base, "jira"], report
                )
            if targets.email is not None and alerting.smtp is None:
                report.add(
                    SMTP_MISSING,
                    "email: no mail relay is declared in alerting.smtp",
                    [*base, "email"],
                    hint="add alerting.smtp with smarthost and from",
                )


def alerting_owners_exist(catalog: Catalog, report: Reporter) -> None:
    """The catch-all and cluster-outage teams are declared; the outage alert has a signal."""
    teams = {t.name for t in catalog.teams}
    alerting = catalog.alerting
    if alerting.catch_all_team is not None and alerting.catch_all_team not in teams:
        report.add(
            UNKNOWN_TEAM,
            f"unknown team {alerting.catch_all_team!r}",
            ["alerting", "catch_all_team"],
            hint=reference_hint(alerting.catch_all_team, teams, "team"),
        )
    outage = alerting.cluster_outage
    if outage is None:
        return
    base: list[PathStep] = ["alerting", "cluster_outage"]
    if outage.team not in teams:
        report.add(UNKNOWN_TEAM, f"unknown team {outage.team!r}", [*base, "team"], hint=reference_hint(outage.team, teams, "team"))
    if outage.service in {s.name for s in catalog.services}:
        # The outage alert would pass for that service's alert: the pages of the service's
        # dependencies inhibit their callers' alerts, so they would suppress the outage itself.
        report.add(
            OUTAGE_SERVICE,
            f"service {outage.service!r} is a catalog service: the cluster outage alert would "
            "be inhibited as a symptom of that service's dependencies",
            [*base, "service"],
            hint="name what is down with a name no service has, such as the default `cluster`",
        )
    if outage.expr is None and not outage.critical_jobs:
        report.add(
            OUTAGE_SIGNAL,
            "cluster_outage needs critical_jobs or an expr to know when a cluster is down",
            base,
        )
    if outage.expr is not None:
        problem = syntax_error(outage.expr)
        if problem:
            report.add(PROMQL_SYNTAX, f"expr: {problem}", [*base, "expr"])
        else:
            report_unsupported_calls(report, outage.expr, [*base, "expr"], "expr")


def production_is_declared(catalog: Catalog, report: Reporter) -> None:
    """Pages are held back outside production only when some environment is marked
    `production`; without one every cluster pages, which deserves a warning."""
    if not catalog.clusters or any(e.production for e in catalog.environments):
        return
    path: list[PathStep] = ["environments"] if catalog.environments else ["clusters"]
    report.add(
        NO_PRODUCTION,
        "no environment is marked production: pages of every cluster page, staging included",
        path,
        hint="set `production: true` on the environments that serve real users",
        severity=Severity.WARNING,
    )


def quiet_pages_stay_quiet(catalog: Catalog, report: Reporter) -> None:
    """Warn when a team's chat falls back to PagerDuty while some of its pages are meant not to page.

    Pages of non-production clusters and lower-tier pages outside business hours go to the team's
    chat receiver. Without Slack, e-mail or Jira that receiver is PagerDuty with severity
    `warning`, and PagerDuty opens a high-urgency incident for every event unless the service's
    urgency follows the event severity ("dynamic notifications"), a setting lgtmgen cannot see.
    """
    quiet_clusters = set(non_production_clusters(catalog))
    for index, team in enumerate(catalog.teams):
        targets = team.notify
        if targets.pagerduty is None or any(t is not None for t in (targets.slack, targets.email, targets.jira)):
            continue
        reasons = []
        services = [s for s in catalog.services if s.team == team.name]
        if any(s.tier in (2, 3) for s in services):
            reasons.append("its tier-2/3 pages outside business hours")
        if any(not s.clusters and quiet_clusters or set(s.clusters) & quiet_clusters for s in services):
            reasons.append("pages from non-production clusters")
        if reasons:
            report.add(
                CHAT_ON_PAGER,
                f"team {team.name!r} has no chat target, so {' and '.join(reasons)} reach PagerDuty with "
                "severity warning, which pages at high urgency unless the PagerDuty service's urgency "
                "follows the event severity",
                ["teams", index, "notify"],
                hint="add a Slack or e-mail target, or set the PagerDuty service to dynamic notifications by severity",
                severity=Severity.WARNING,
            )


def dependencies_page_their_outages(catalog: Catalog, report: Reporter) -> None:
    """Warn when a service others call pages, but no page of it says it is down.

    A dependency's outage page holds back its callers' alerts (`alerting.inhibits_callers`, by
    default availability and probe SLIs). A dependency that pages only through SLIs of other kinds
    (a custom ratio, events) holds back nothing: during its outage every caller pages as well.
    Not warned when the catalog decided (`inhibits_callers: false`).
    """
    callers: dict[str, list[str]] = {}
    for service in catalog.services:
        for dependency in service.depends_on:
            callers.setdefault(dependency, []).append(service.name)
    for index, service in enumerate(catalog.services):
        paging = [slo for slo in service.slos if slo.alerting.page]
        if service.name not in callers or not paging or any(slo.pages_outages() for slo in paging):
            continue
        if any(slo.alerting.inhibits_callers is False for slo in paging):
            continue
        kinds = ", ".join(f"{slo.name} ({slo.sli.kind})" for slo in paging)
        report.add(
            UNSIGNALLED_OUTAGE,
            f"{service.name} pages through {kinds}, none of which says it is down: during its outage "
            f"the alerts of its callers ({', '.join(sorted(callers[service.name]))}) fire too, instead of "
            "being held back as symptoms",
            ["services", index, "slos"],
            hint="set alerting.inhibits_callers: true on the SLO whose page means the service is down",
            severity=Severity.WARNING,
        )
