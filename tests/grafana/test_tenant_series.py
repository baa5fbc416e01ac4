"""The grafana check holds each query's recorded series to the tenant its datasource reads.

A dashboard's queries read one Mimir tenant each: the provisioned datasource their variable defaults
to sends that tenant's `X-Scope-OrgID`. A series recorded by another tenant's rules only (the roll-up's
records, another tenant's service under a shared record name) shows "No data" there, though some
rule of the bundle records it. Each defect is one edit of the shop's committed bundle (tenants
shop-prod, shop-staging and the roll-up shop-rollup), with the manifest's digests made to match.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lgtmgen.artifacts import Role
from lgtmgen.checks import read_bundle_files
from lgtmgen.checks.base import CheckContext
from lgtmgen.checks.grafana import (
    OTHER_TENANT_SERIES,
    UNKNOWN_TENANT,
    UNRECORDED_SERIES,
    UNSENT_SERIES,
)
from lgtmgen.checks.grafana.tenants import _env_name, header_tenant, series_scope, variable_prefix
from lgtmgen.toolchain.locate import Toolbox
from tests.checks.bundle_edits import SHOP_BUNDLE, STARTER_BUNDLE, copied, edit, edit_json, findings

PROD = "mimir-shop-prod-5299307477"
STAGING = "mimir-shop-staging-dc35582ca8"
ROLLUP = "mimir-shop-rollup-804918ceff"
LONG_TERM = "grafana/dashboards/overview/long-term.json"
TEAM_SLOS = "grafana/dashboards/platform/team-slos.json"
NOTIFICATIONS = "grafana/dashboards/platform/service-notifications.json"


def _grafana(bundle: Path) -> list[tuple[str, str, str]]:
    return findings(bundle, "grafana")


@pytest.mark.parametrize("source", [SHOP_BUNDLE, STARTER_BUNDLE], ids=["shop", "starter"])
def test_the_committed_bundles_read_every_series_from_a_tenant_that_records_it(source: Path) -> None:
    assert _grafana(source) == []


def _default(variable: str, uid: str) -> Any:
    def change(doc: Any) -> None:
        (entry,) = [v for v in doc["templating"]["list"] if v["name"] == variable]
        entry["current"] = {"text": uid, "value": uid}

    return change


def test_long_term_panels_on_a_tenant_the_roll_up_does_not_write_are_reported(tmp_path: Path) -> None:
    bundle = edit_json(copied(SHOP_BUNDLE, tmp_path), LONG_TERM, _default("metrics", PROD))
    found = _grafana(bundle)
    assert {(check, file) for check, file, _ in found} == {(OTHER_TENANT_SERIES, LONG_TERM)}
    assert len(found) == 12  # one a roll-up record
    assert (
        "environment_service_team:requests:rate5m is recorded only in tenant shop-rollup, not in tenant shop-prod, "
        "which this query's datasource reads: the panel shows no data"
    ) in [message for _, _, message in found]


def test_a_query_of_another_tenants_service_on_the_dashboards_own_tenant_is_reported(tmp_path: Path) -> None:
    """The platform team's SLO table reads its staging service through the hidden staging variable;
    on `${metrics}` (shop-prod, the team's tenant) the SLO records exist, but not for that service."""

    def on_metrics(doc: Any) -> None:
        (panel,) = [p for p in doc["panels"] if p.get("datasource", {}).get("uid") == "${mimir_shop_staging_dc35582ca8}" and p["type"] == "bargauge"]
        for target in panel["targets"]:
            target["datasource"]["uid"] = "${metrics}"

    bundle = edit_json(copied(SHOP_BUNDLE, tmp_path), TEAM_SLOS, on_metrics)
    assert [(check, file, message) for check, file, message in _grafana(bundle)] == [
        (
            OTHER_TENANT_SERIES,
            TEAM_SLOS,
            (
                'slo:error_budget_remaining:ratio{service=~"notifications"} is recorded only in tenant shop-staging, '
                "not in tenant shop-prod, which this query's datasource reads: the panel shows no data"
            ),
        )
    ]


def test_a_service_dashboard_opening_on_another_tenant_is_reported(tmp_path: Path) -> None:
    bundle = edit_json(copied(SHOP_BUNDLE, tmp_path), NOTIFICATIONS, _default("metrics", PROD))
    found = _grafana(bundle)
    # Its SLO records are shop-staging's, and so is its raw notifications_sent_total.
    assert {(check, file) for check, file, _ in found} == {(OTHER_TENANT_SERIES, NOTIFICATIONS), (UNSENT_SERIES, NOTIFICATIONS)}


def test_a_datasource_sending_another_tenants_header_is_read_as_that_tenant(tmp_path: Path) -> None:
    """The datasource keeps its uid and name; its header is what Mimir answers by."""
    bundle = edit(
        copied(SHOP_BUNDLE, tmp_path),
        [("grafana/provisioning/datasources/shop-staging.yaml", '"$GRAFANA_TENANT_SHOP_STAGING"', '"$GRAFANA_TENANT_SHOP_PROD"')],
    )
    files = {file for check, file, _ in _grafana(bundle) if check == OTHER_TENANT_SERIES}
    assert files == {NOTIFICATIONS, TEAM_SLOS}


def test_a_datasource_whose_header_names_no_tenant_is_reported(tmp_path: Path) -> None:
    path = "grafana/provisioning/datasources/shop-rollup.yaml"
    bundle = edit(copied(SHOP_BUNDLE, tmp_path), [(path, "$GRAFANA_TENANT_SHOP_ROLLUP", "$GRAFANA_TENANT_SHOP_ROLUP")])
    assert _grafana(bundle) == [
        (
            UNKNOWN_TENANT,
            path,
            (
                "datasource 'Mimir shop-rollup' sends X-Scope-OrgID from $GRAFANA_TENANT_SHOP_ROLUP, which names no "
                "tenant of the bundle's Mimir: its panels read a tenant nothing writes to"
            ),
        )
    ]


def test_a_record_of_no_tenant_with_those_labels_is_unrecorded(tmp_path: Path) -> None:
    def nobody(doc: Any) -> None:
        panel = next(p for p in doc["panels"] if "slo:error_budget_remaining:ratio" in str(p.get("targets")))
        panel["targets"][0]["expr"] = 'slo:error_budget_remaining:ratio{service="nobody"}'

    bundle = edit_json(copied(SHOP_BUNDLE, tmp_path), NOTIFICATIONS, nobody)
    [(check, _, message)] = _grafana(bundle)
    assert check == UNRECORDED_SERIES
    assert message.startswith('slo:error_budget_remaining:ratio{service="nobody"} is recorded by no rule of tenant shop-staging')


def test_a_raw_series_no_remote_write_sends_to_the_querys_tenant_is_reported(tmp_path: Path) -> None:
    """The capacity forecasts read the kubelet's volume series in shop-prod, which every cluster writing
    shop-prod keeps by name (eu-staging too); once none does, the forecast panels stay empty."""
    writers = [f"prometheus/clusters/{c}" for c in ("eu-prod/prometheus-0.yml", "eu-prod/prometheus-1.yml", "us-prod/prometheus-0.yml", "us-prod/prometheus-1.yml", "eu-staging/prometheus.yml")]
    bundle = copied(SHOP_BUNDLE, tmp_path)
    edit(bundle, [(path, "kubelet_volume_stats_capacity_bytes|", "") for path in writers[:-1]])
    assert _grafana(bundle) == []  # eu-staging still writes them to shop-prod
    edit(bundle, [(writers[-1], "kubelet_volume_stats_capacity_bytes|", "")])
    found = _grafana(bundle)
    assert {(check, file) for check, file, _ in found} == {
        (UNSENT_SERIES, "grafana/dashboards/checkout/capacity-forecasts.json"),
        (UNSENT_SERIES, "grafana/dashboards/platform/capacity-forecasts.json"),
    }
    assert (
        'kubelet_volume_stats_capacity_bytes{namespace="kafka"} reaches tenant shop-prod, which this query\'s '
        "datasource reads, through no remote write of the bundle: the panel shows no data"
    ) in [message for _, _, message in found]


TENANTS = frozenset({"prod", "shop-prod", "shop.stage"})


@pytest.mark.parametrize(
    ("source", "tenant"),
    [
        ("$GRAFANA_TENANT_SHOP_PROD", "shop-prod"),
        ("$GRAFANA_TENANT_PROD", "prod"),
        ("${GRAFANA_TENANT_SHOP_STAGE}", "shop.stage"),
        ("$__file{/etc/grafana/tenants/shop.stage}", "shop.stage"),
        ("prod", "prod"),
        ("$GRAFANA_TENANT_OTHER", None),
        ("$__file{/etc/grafana/tenants/other}", None),
    ],
)
def test_a_header_source_names_its_tenant(source: str, tenant: str | None) -> None:
    # `prod` is a suffix of `shop-prod`'s variable: the prefix every datasource shares decides.
    sources = ["$GRAFANA_TENANT_SHOP_PROD", "$GRAFANA_TENANT_PROD", "${GRAFANA_TENANT_SHOP_STAGE}"]
    prefix = variable_prefix(sources, TENANTS)
    assert prefix == "GRAFANA_TENANT_"
    assert header_tenant(source, TENANTS, prefix) == tenant


@pytest.mark.parametrize("spelling", ["$GRAFANA_TENANT_PROD", "${GRAFANA_TENANT_PROD}", "$__env{GRAFANA_TENANT_PROD}"])
def test_every_spelling_grafana_takes_for_an_environment_variable_names_it(spelling: str) -> None:
    assert _env_name(spelling) == "GRAFANA_TENANT_PROD"


def test_a_remembered_dashboard_pass_depends_on_whether_the_bundle_has_tempo() -> None:
    # With Tempo, `traces_*` series are Tempo's to write and not judged against keep-lists; without
    # it they are. A pass remembered under one must not answer for the other.
    files = read_bundle_files(SHOP_BUNDLE)[0]
    with_tempo = series_scope(CheckContext(SHOP_BUNDLE, files, Toolbox()))
    without = series_scope(CheckContext(SHOP_BUNDLE, tuple(f for f in files if f.role is not Role.TEMPO_CONFIG), Toolbox()))
    assert with_tempo is not None and without is not None
    assert with_tempo.context != without.context
