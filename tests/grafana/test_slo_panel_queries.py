"""The SLO panels' PromQL gives the right numbers on the series the SLO rules record.

The SLO rules record one series per cluster (and per `group_by` value), while the
objective and the budget are one series per SLO: the real promtool evaluates the
dashboards' queries on such series, so a join that Prometheus refuses (many-to-one
without `group_left`) fails here as it would in Grafana.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lgtmgen.generators.grafana import GrafanaDashboards
from lgtmgen.plan import Plan
from tests.support import assert_promtool_evaluates

SLO = 'service="checkout",slo="orders-placed"'
EU = f'cluster="eu-prod",{SLO}'
US = f'cluster="us-prod",{SLO}'


def _dashboard(plan: Plan, path: str) -> dict[str, Any]:
    return next(a.data for a in GrafanaDashboards().generate(plan) if a.path == path)


def _target(doc: dict[str, Any], title: str, legend_prefix: str = "", ref: str = "") -> dict[str, Any]:
    panel = next(p for p in doc["panels"] if p.get("title") == title)
    return next(
        t
        for t in panel["targets"]
        if str(t.get("legendFormat", "")).startswith(legend_prefix) and (not ref or t["refId"] == ref)
    )


def _series(name: str, labels: str, value: float) -> dict[str, str]:
    return {"series": f"{name}{{{labels}}}", "values": f"{value}x10"}


def _case(expr: str, samples: list[tuple[str, float]]) -> dict[str, Any]:
    return {"expr": expr, "eval_time": "5m", "exp_samples": [{"labels": f"{{{l}}}", "value": v} for l, v in samples]}


@pytest.mark.tools
def test_burn_rate_and_team_table_join_per_cluster_series_to_one_budget(shop_plan: Plan, tmp_path: Path) -> None:
    service = _dashboard(shop_plan, "grafana/dashboards/checkout/service-checkout.json")
    team = _dashboard(shop_plan, "grafana/dashboards/checkout/team-slos.json")
    burn_1h = _target(service, "Burn rate", "orders-placed 1h")["expr"]
    table = {ref: _target(team, "SLOs", ref=ref)["expr"] for ref in "ABC"}
    series = [
        _series("slo:sli_error:ratio_rate1h", EU, 0.002),
        _series("slo:sli_error:ratio_rate1h", US, 0.0005),
        _series("slo:error_budget:ratio", SLO, 0.001),
        _series("slo:objective:ratio", SLO, 0.999),
        _series("slo:error_budget_remaining:ratio", EU, 0.5),
        _series("slo:error_budget_remaining:ratio", US, 0.9),
    ]
    assert_promtool_evaluates(
        tmp_path,
        series,
        [
            _case(burn_1h, [(EU, 2), (US, 0.5)]),
            # one row per SLO: its objective, and the cluster furthest from it
            _case(table["A"], [(SLO, 0.999)]),
            _case(table["B"], [(SLO, 1 - 0.5 * 0.001)]),
            _case(table["C"], [(SLO, 0.5)]),
        ],
    )


def test_per_cluster_slo_series_are_told_apart_by_their_legend(shop_plan: Plan) -> None:
    service = _dashboard(shop_plan, "grafana/dashboards/checkout/service-checkout.json")
    for title in ("Error budget left", "Burn rate"):
        legends = [t["legendFormat"] for t in next(p for p in service["panels"] if p.get("title") == title)["targets"]]
        assert legends and all("{{cluster}}" in legend for legend in legends), (title, legends)


@pytest.mark.tools
def test_compliance_is_one_value_per_slo_named_as_its_colour_override(shop_plan: Plan, tmp_path: Path) -> None:
    service = _dashboard(shop_plan, "grafana/dashboards/checkout/service-checkout.json")
    panel = next(p for p in service["panels"] if p.get("title") == "SLO compliance over the period")
    target = _target(service, "SLO compliance over the period", "orders-placed")
    coloured = [o["matcher"]["options"]["names"] for o in panel["fieldConfig"]["overrides"]]
    assert [target["legendFormat"]] in coloured
    series = [
        _series("slo:sli_error:ratio_rate30d", EU, 0.002),
        _series("slo:sli_error:ratio_rate30d", US, 0.0005),
    ]
    # the cluster furthest from the objective
    assert_promtool_evaluates(tmp_path, series, [_case(target["expr"], [(SLO, 0.998)])])


@pytest.mark.tools
def test_the_share_of_slos_within_budget_is_zero_when_every_budget_is_spent(shop_plan: Plan, tmp_path: Path) -> None:
    executive = _dashboard(shop_plan, "grafana/dashboards/overview/executive.json")
    expr = _target(executive, "SLOs within budget")["expr"]
    series = [
        _series("slo:error_budget_remaining:ratio", EU, -0.5),
        _series("slo:error_budget_remaining:ratio", US, -0.1),
    ]
    assert_promtool_evaluates(tmp_path, series, [_case(expr, [("", 0)])])


@pytest.mark.tools
def test_a_dependency_slo_is_one_bar_named_by_its_legend(shop_plan: Plan, tmp_path: Path) -> None:
    service = _dashboard(shop_plan, "grafana/dashboards/checkout/service-checkout.json")
    target = _target(service, "Error budget left of dependencies")
    assert target["legendFormat"] == "{{service}} {{slo}}"
    cart = 'service="cart",slo="availability"'
    series = [
        _series("slo:error_budget_remaining:ratio", f'cluster="eu-prod",{cart}', 0.5),
        _series("slo:error_budget_remaining:ratio", f'cluster="us-prod",{cart}', 0.9),
    ]
    assert_promtool_evaluates(tmp_path, series, [_case(target["expr"], [(cart, 0.5)])])


@pytest.mark.tools
def test_the_budget_forecast_divides_the_budget_left_by_the_burn_and_is_empty_while_nothing_burns(
    shop_plan: Plan, tmp_path: Path
) -> None:
    service = _dashboard(shop_plan, "grafana/dashboards/checkout/service-checkout.json")
    forecast = _target(service, "Error budget runs out in", "orders-placed")["expr"]
    assert "slo:sli_error:ratio_rate3d" in forecast  # the pace of the 30d SLO's slowest ticket
    asia = f'cluster="ap-prod",{SLO}'
    series = [
        _series("slo:period:seconds", SLO, 30 * 86400),
        _series("slo:error_budget:ratio", SLO, 0.001),
        # eu: half the budget left, burning 2x: 0.5 x 30d / 2 = 7.5 days
        _series("slo:error_budget_remaining:ratio", EU, 0.5),
        _series("slo:sli_error:ratio_rate3d", EU, 0.002),
        # us: spent (below zero), still burning: 0, not a negative time
        _series("slo:error_budget_remaining:ratio", US, -0.2),
        _series("slo:sli_error:ratio_rate3d", US, 0.0005),
        # ap: no errors at all, so no forecast
        _series("slo:error_budget_remaining:ratio", asia, 1),
        _series("slo:sli_error:ratio_rate3d", asia, 0),
    ]
    assert_promtool_evaluates(tmp_path, series, [_case(forecast, [(EU, 7.5 * 86400), (US, 0)])])


@pytest.mark.tools
def test_series_recorded_once_an_hour_show_all_hour_long(shop_plan: Plan, tmp_path: Path) -> None:
    # The objective, budget, period, budget left and the period's ratio are recorded by the hourly
    # group: one sample an hour. A query looks back 5 minutes for a sample, so panels reading them
    # plainly were empty 55 minutes of each hour. Here they have one sample, at 0, read at 55m.
    service = _dashboard(shop_plan, "grafana/dashboards/checkout/service-checkout.json")
    team = _dashboard(shop_plan, "grafana/dashboards/checkout/team-slos.json")
    executive = _dashboard(shop_plan, "grafana/dashboards/overview/executive.json")

    def hourly(name: str, labels: str, value: float) -> dict[str, str]:
        return {"series": f"{name}{{{labels}}}", "values": f"{value}"}

    series = [
        {"series": f"slo:sli_error:ratio_rate1h{{{EU}}}", "values": "0.002x60"},
        hourly("slo:sli_error:ratio_rate30d", EU, 0.0004),
        hourly("slo:error_budget:ratio", SLO, 0.001),
        hourly("slo:objective:ratio", SLO, 0.999),
        hourly("slo:period:seconds", SLO, 30 * 86400),
        hourly("slo:error_budget_remaining:ratio", EU, 0.6),
    ]

    def at_55m(expr: str, samples: list[tuple[str, float]]) -> dict[str, Any]:
        return {**_case(expr, samples), "eval_time": "55m"}

    assert_promtool_evaluates(
        tmp_path,
        series,
        [
            at_55m(_target(service, "Burn rate", "orders-placed 1h")["expr"], [(EU, 2)]),
            at_55m(_target(service, "SLO compliance over the period", "orders-placed")["expr"], [(SLO, 0.9996)]),
            # last_over_time keeps the series' name, as the plain selector did
            at_55m(
                _target(service, "Error budget left", "orders-placed")["expr"],
                [(f'__name__="slo:error_budget_remaining:ratio",{EU}', 0.6)],
            ),
            at_55m(
                _target(service, "Objectives", "orders-placed")["expr"],
                [(f'__name__="slo:objective:ratio",{SLO}', 0.999)],
            ),
            at_55m(_target(team, "SLOs", ref="A")["expr"], [(SLO, 0.999)]),
            at_55m(_target(team, "SLOs", ref="C")["expr"], [(SLO, 0.6)]),
            at_55m(_target(executive, "SLOs within budget")["expr"], [("", 1)]),
        ],
    )


@pytest.mark.tools
def test_slos_within_budget_counts_slos_not_their_series(shop_plan: Plan, tmp_path: Path) -> None:
    """An SLO run in two clusters (or split by route) is one SLO: within budget only while its worst
    series is. Counting series would give 2/3 here, as if two of three SLOs were fine."""
    executive = _dashboard(shop_plan, "grafana/dashboards/overview/executive.json")
    expr = _target(executive, "SLOs within budget")["expr"]
    other = 'service="search",slo="availability"'
    series = [
        _series("slo:error_budget_remaining:ratio", EU, -0.2),  # spent in one cluster
        _series("slo:error_budget_remaining:ratio", US, 0.9),
        _series("slo:error_budget_remaining:ratio", f'cluster="eu-prod",{other}', 0.4),
    ]
    assert_promtool_evaluates(tmp_path, series, [_case(expr, [("", 0.5)])])


@pytest.mark.tools
def test_log_rule_panels_show_the_selected_cluster_only(shop_plan: Plan, tmp_path: Path) -> None:
    # The Loki ruler records a service's log rates per cluster (`k8s_cluster_name`): a production
    # tenant may also receive the service's staging streams, which must stay off the production view.
    service = _dashboard(shop_plan, "grafana/dashboards/checkout/service-checkout.json")
    ratio = _target(service, "Error log ratio")["expr"].replace("$cluster", "eu-prod")
    classes = _target(service, "Error lines by class")["expr"].replace("$cluster", "eu-prod")
    prod = 'k8s_cluster_name="eu-prod",service="checkout",team="checkout"'
    staging = 'k8s_cluster_name="eu-staging",service="checkout",team="checkout"'
    series = [
        _series("service:log_error_ratio:rate5m", prod, 0.01),
        _series("service:log_error_ratio:rate5m", staging, 0.5),
        _series("service_error_class:log_error_lines:rate5m", f'{prod},error_class="timeout"', 2),
        _series("service_error_class:log_error_lines:rate5m", f'{staging},error_class="timeout"', 40),
    ]
    assert_promtool_evaluates(
        tmp_path,
        series,
        [
            _case(ratio, [(f'__name__="service:log_error_ratio:rate5m",{prod}', 0.01)]),
            _case(classes, [('error_class="timeout"', 2)]),
        ],
    )
