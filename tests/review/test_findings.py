"""Findings and suggestions: which alert is noisy, flapping, never firing, orphaned, and why."""

from __future__ import annotations

from pathlib import Path

from lgtmgen.pipeline import validate
from lgtmgen.review import Firing, History, Thresholds, generated_alert_rules, review_alerts
from lgtmgen.review.findings import owner
from lgtmgen.review.rules import AlertRule

REPO = Path(__file__).resolve().parents[2]
DAY = 86400.0


def rule(name: str = "HighErrors", for_seconds: float = 0, **labels: str) -> AlertRule:
    return AlertRule(name, tuple(sorted(labels.items())), "up == 0", for_seconds, 0, "prometheus/rules/x.yaml", "x", ("up",))


def history(firings: list[Firing], days: float) -> History:
    return History((), tuple(firings), 0, days * DAY, False)


def labels(**extra: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({"alertname": "HighErrors", "service": "api", "cluster": "a", **extra}.items()))


def kinds(review_alert: object) -> list[str]:
    return [f.kind for f in review_alert.findings]  # type: ignore[attr-defined]


def test_an_alert_belongs_to_the_rule_with_most_of_its_fixed_labels() -> None:
    broad, narrow = rule(service="api"), rule(service="api", severity="page")
    alert = dict(labels(severity="page"))
    assert owner([broad, narrow], alert) is narrow
    assert owner([broad, narrow], dict(labels(severity="ticket"))) is broad
    assert owner([narrow], dict(labels(service="web"))) is None


def test_fourteen_long_firings_in_two_weeks_are_noisy_not_flapping() -> None:
    # One a day, an hour each, 23 h apart: 7 a week against the threshold of 5.
    firings = [Firing(labels(), d * DAY, d * DAY + 3600) for d in range(14)]
    [reviewed] = review_alerts([rule(service="api")], history(firings, 14), Thresholds(), ()).alerts
    assert kinds(reviewed) == ["noisy"]
    assert reviewed.findings[0].message == "7.0 firings a week (threshold 5)"


def test_short_firings_are_noisy_even_when_rare() -> None:
    # Three firings of 2 minutes in two weeks: 1.5 a week, but all resolved within 5m.
    firings = [Firing(labels(), d * DAY, d * DAY + 120) for d in (1, 5, 9)]
    [reviewed] = review_alerts([rule(for_seconds=60, service="api")], history(firings, 14), Thresholds(), ()).alerts
    assert reviewed.findings[0].message == "3 of 3 firings resolved within 5m"
    # `for` is raised to twice the 5m threshold (the median of 2m is shorter), in whole minutes.
    assert reviewed.findings[0].suggestions == (
        "raise `for` of HighErrors (prometheus/rules/x.yaml, group x) from 1m to 10m (short firings nobody can act on)",
    )


def test_refiring_within_the_gap_three_times_is_flapping() -> None:
    # 20 min firings with 4 and 10 min pauses: three re-firings within 15m, the longest after 10m.
    starts_ends = [(0, 1200), (1440, 2640), (3240, 4440), (5040, 6240)]
    firings = [Firing(labels(), s, e) for s, e in starts_ends]
    [reviewed] = review_alerts([rule(service="api")], history(firings, 14), Thresholds(), ()).alerts
    assert kinds(reviewed) == ["flapping"]
    assert reviewed.findings[0].message == "fired again within 15m of resolving 3 times (longest gap 10m)"
    assert reviewed.findings[0].suggestions[0].startswith("keep_firing_for: 10m (Prometheus 2.42 and later)")
    # With --flap-min 4 the same history is not flapping.
    [calm] = review_alerts([rule(service="api")], history(firings, 14), Thresholds(flap_min=4), ()).alerts
    assert kinds(calm) == []


def test_quiet_alerts_are_never_firing_only_in_a_history_long_enough() -> None:
    quiet = rule(service="api")
    [judged] = review_alerts([quiet], history([], 7), Thresholds(), ()).alerts
    assert kinds(judged) == ["never-firing"]
    assert judged.findings[0].suggestions == (
        ('no generated test shows it firing: check that the series it reads exist (up), '
        'e.g. count by (__name__) ({__name__=~"up"})'),
    )
    [short] = review_alerts([quiet], history([], 2), Thresholds(), ()).alerts
    assert kinds(short) == ["unjudged"]
    assert short.findings[0].message == "did not fire in 2d; saying it never fires takes 7d (min_history)"


def test_alerts_no_rule_explains_are_orphans_grouped_by_name_and_identity() -> None:
    stray = [
        Firing((("alertname", "Watchdog"),), 0, 7 * DAY),
        Firing(labels(service="gone"), 0, 60),
        Firing(labels(service="gone", cluster="b"), 0, 60),
    ]
    review = review_alerts([rule(service="api")], history(stray, 7), Thresholds(), ())
    assert [(o.key, o.statistics.series, kinds(o)) for o in review.orphans] == [
        ('HighErrors{service="gone"}', 2, ["orphan"]),
        ("Watchdog", 1, ["orphan"]),
    ]


def test_slo_alerts_need_the_slos_period_and_get_catalog_suggestions() -> None:
    plan, _ = validate([REPO / "examples" / "starter" / "catalog.yaml"])
    assert plan is not None
    rules = generated_alert_rules(plan)
    page = next(
        r for r in rules
        if r.name == "SLOErrorBudgetBurn" and r.label("service") == "api" and r.label("long_window") == "1h"
    )
    assert page.tested_in == "prometheus/tests/slo/api.yaml"
    # Quiet for 7 days says nothing of a 30-day SLO.
    [unjudged] = [a for a in review_alerts(rules, history([], 7), Thresholds(), plan.slos).alerts if a.rule is page]
    assert unjudged.findings[0].message == "did not fire in 7d; saying it never fires takes 30d (the period of SLO availability)"
    # Flapping page: about twice the short window (1h is six of 10m), and the page's keep_firing_for.
    alert = {**dict(page.labels), "alertname": page.name, "cluster": "prod-1"}
    firings = [Firing(tuple(sorted(alert.items())), s, s + 600) for s in (0, 900, 1800, 2700)]
    [reviewed] = [a for a in review_alerts(rules, history(firings, 30), Thresholds(), plan.slos).alerts if a.rule is page]
    assert kinds(reviewed) == ["flapping"]
    windows = (
        "[{severity: page, long: 1h, short: 10m, factor: 14.4}, {severity: page, long: 6h, short: 30m, factor: 6}, "
        "{severity: ticket, long: 1d, short: 2h, factor: 3}, {severity: ticket, long: 3d, short: 6h, factor: 1}]"
    )
    assert reviewed.findings[0].suggestions[0].endswith(f"services[api].slos[availability].alerting.windows: {windows}")
    assert "the catalog has no setting for it yet" in reviewed.findings[0].suggestions[1]


def test_anomaly_alerts_get_their_services_anomaly_settings_and_their_canonical_file() -> None:
    plan, _ = validate([REPO / "examples" / "shop"])
    assert plan is not None
    rules = generated_alert_rules(plan)
    surge = next(
        r for r in rules
        if r.name == "ServiceAnomaly" and r.label("service") == "storefront" and r.label("direction") == "surge"
    )
    # The rule also lives in a per-cluster PrometheusRule object; the review names the rule file.
    assert (surge.file, surge.group) == ("prometheus/rules/metrics/storefront.yaml", "anomaly:storefront:requests")
    anomalies = {s.name: s.anomaly for s in plan.catalog.services if s.anomaly is not None}
    alert = {**dict(surge.labels), "alertname": surge.name, "cluster": "eu-prod"}
    # Two firings of 2 minutes, 10 minutes apart, each day for a week: noisy, brief and flapping.
    firings = [
        Firing(tuple(sorted(alert.items())), d * DAY + s, d * DAY + s + 120) for d in range(7) for s in (0, 720)
    ]
    reviewed = next(
        a for a in review_alerts(rules, history(firings, 7), Thresholds(flap_min=2), plan.slos, anomalies).alerts
        if a.rule is surge
    )
    assert kinds(reviewed) == ["noisy", "flapping"]
    noisy, flapping = reviewed.findings
    assert noisy.suggestions == (
        ("raise services[storefront].anomaly.for from 15m to 30m (short firings nobody can act on; "
        "keep_firing_for follows it)"),
        ("or widen the band: services[storefront].anomaly.sensitivity from 3 to 4.5 "
        "(standard deviations a departure must exceed)"),
        "or, if only a drop of traffic matters, stop watching surges: services[storefront].anomaly.requests: drop",
    )
    assert flapping.suggestions == (
        ("raise services[storefront].anomaly.for from 15m to 30m (a signal that keeps crossing its band; "
        "keep_firing_for follows it)"),
    )
