"""The `remote-write-keep` check: the raw series each tenant's Mimir ruler reads are written into that
tenant by the clusters' remote writes. Each defect is one edit of the shop's committed bundle, with
the manifest's digests made to match: eu-prod evaluates its services' rule files and us-prod their
PrometheusRule objects (both HA pairs into shop-prod); eu-staging is an agent writing shop-staging's
notifications and the platform series of shop-prod's services there."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lgtmgen.checks.tenancy.keep_lists import MISSING_TENANT, SERIES_DROPPED
from lgtmgen.cli.app import app
from lgtmgen.writer import MANIFEST
from tests.checks.bundle_edits import SHOP_BUNDLE, STARTER_BUNDLE, Edit, copied, edit, findings

CHECK = "remote-write-keep"
EU0 = "prometheus/clusters/eu-prod/prometheus-0.yml"
EU1 = "prometheus/clusters/eu-prod/prometheus-1.yml"
US0 = "prometheus/clusters/us-prod/prometheus-0.yml"
US1 = "prometheus/clusters/us-prod/prometheus-1.yml"
STAGING = "prometheus/clusters/eu-staging/prometheus.yml"
ALERTING = "mimir/rules/shop-prod/alerting.yaml"


@pytest.mark.parametrize("source", [SHOP_BUNDLE, STARTER_BUNDLE], ids=["shop", "starter"])
def test_the_committed_bundles_pass(source: Path) -> None:
    assert findings(source, CHECK) == []


def _both(path0: str, path1: str, old: str, new: str) -> list[Edit]:
    return [(path0, old, new), (path1, old, new)]


MUTATIONS: dict[str, tuple[list[Edit], list[tuple[str, str]]]] = {
    # us-prod keeps checkout's series too: only a check per cluster sees eu-prod's loss.
    "a keep-list without a metric the cluster's services are evaluated on": (
        _both(EU0, EU1, "checkout_orders_total|", ""),
        [(SERIES_DROPPED, EU0), (SERIES_DROPPED, EU1)],
    ),
    "an operator-run cluster's keep-list without a metric its PrometheusRule objects read": (
        _both(US0, US1, "|payments_authorisations_total", ""),
        [(SERIES_DROPPED, US0), (SERIES_DROPPED, US1)],
    ),
    "a keep-list without the metric an agent cluster's tenant reads": (
        [(STAGING, "yes;(?:notifications_sent_total|up)", "yes;(?:up)")],
        [(SERIES_DROPPED, "mimir/rules/shop-staging/platform.yaml")],
    ),
    "a keep-list without the `up` an alert reads": (
        _both(EU0, EU1, '|up"', '"'),
        [(SERIES_DROPPED, ALERTING)],
    ),
    "a cluster label no alert of the tenant knows": (
        _both(EU0, EU1, "cluster: eu-prod", "cluster: eu-prd"),
        [(SERIES_DROPPED, ALERTING)],
    ),
    "a cluster writing its services' series to another tenant": (
        _both(EU0, EU1, "X-Scope-OrgID: shop-prod", "X-Scope-OrgID: shop-staging"),
        [(MISSING_TENANT, EU0), (MISSING_TENANT, EU1), (SERIES_DROPPED, ALERTING)],
    ),
    "a shared cluster writing each tenant's series to the other": (
        [
            (STAGING, "X-Scope-OrgID: shop-staging", "X-Scope-OrgID: swapped"),
            (STAGING, "X-Scope-OrgID: shop-prod", "X-Scope-OrgID: shop-staging"),
            (STAGING, "X-Scope-OrgID: swapped", "X-Scope-OrgID: shop-prod"),
        ],
        [(SERIES_DROPPED, "mimir/rules/shop-staging/platform.yaml")],
    ),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_a_series_the_tenants_rules_read_that_no_write_delivers_is_reported(name: str, tmp_path: Path) -> None:
    edits, expected = MUTATIONS[name]
    bundle = edit(copied(SHOP_BUNDLE, tmp_path), edits)
    assert [(check, file) for check, file, _ in findings(bundle, CHECK)] == sorted(expected)


def test_the_findings_name_the_write_the_series_and_the_rules_that_read_it(tmp_path: Path) -> None:
    bundle = edit(copied(SHOP_BUNDLE, tmp_path), _both(EU0, EU1, "checkout_orders_total|", ""))
    message = next(m for _, file, m in findings(bundle, CHECK) if file == EU0)
    assert message.startswith(
        "remote_write 'mimir-shop-prod' into tenant 'shop-prod' drops checkout_orders_total, which the rule groups "
        'this Prometheus evaluates read there: checkout_orders_total{job="checkout"} (group metrics:checkout of '
        "mimir/rules/shop-prod/checkout.yaml)"
    )
    bundle = edit(copied(SHOP_BUNDLE, tmp_path / "up"), _both(EU0, EU1, '|up"', '"'))
    expected = (
        "reads series that no remote write into 'shop-prod' keeps and no rule there records: "
        'up{cluster="eu-prod"} (group alerting:cluster-silence of mimir/rules/shop-prod/alerting.yaml); '
        "those rules evaluate on nothing"
    )
    assert [m for _, _, m in findings(bundle, CHECK)] == [expected]


def test_a_bundle_without_cluster_configurations_is_not_judged(tmp_path: Path) -> None:
    """Without clusters the catalog's series are written by Prometheus servers the bundle does not hold."""
    bundle = copied(SHOP_BUNDLE, tmp_path)
    manifest = json.loads((bundle / MANIFEST).read_text(encoding="utf-8"))
    for config in (EU0, EU1, US0, US1, STAGING):
        (bundle / config).unlink()
        del manifest["files"][config]
    (bundle / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    edit(bundle, [(ALERTING, 'up{cluster="eu-prod"}', 'up{cluster="eu-prd"}')])  # read by no cluster's label
    assert findings(bundle, CHECK) == []


def test_a_selector_pinning_a_label_the_cluster_also_sets_externally_keeps_its_own_value(tmp_path: Path) -> None:
    # Prometheus adds an external label only to a series without it: a service whose series carry
    # their own `environment` (the starter's cluster sets `environment: production`) are written as
    # they are. A catalog that validates must give a bundle the check passes.
    catalog = tmp_path / "catalog"
    shutil.copytree(STARTER_BUNDLE.parents[1] / "examples" / "starter", catalog)
    services = catalog / "catalog.yaml"
    text = services.read_text(encoding="utf-8")
    assert "selector: {job: frontend}" in text
    services.write_text(text.replace("selector: {job: frontend}", "selector: {job: frontend, environment: prod}"), encoding="utf-8")
    out = tmp_path / "bundle"
    built = CliRunner().invoke(app, ["build", str(catalog), "--out", str(out), "--no-cache"])
    assert built.exit_code == 0, built.output
    assert findings(out, CHECK) == []
    assert findings(out, "grafana") == []
