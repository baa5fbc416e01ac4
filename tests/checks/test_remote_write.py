"""The `remote-write` check: each cluster's Prometheus writes to tenants Mimir knows, once each, and
its HA replicas are told apart as Mimir's HA tracker expects. Each defect is one edit of the shop's
committed bundle (eu-prod and us-prod run HA pairs into shop-prod; eu-staging writes to both
shop-prod and shop-staging), with the manifest's digests made to match."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgtmgen.checks.tenancy.remote_write import (
    CLUSTER_LABEL,
    DUPLICATE_TENANT,
    HA_LABELS,
    REPLICAS_DIFFER,
    UNKNOWN_TENANT,
)
from tests.checks.bundle_edits import SHOP_BUNDLE, STARTER_BUNDLE, Edit, copied, edit, findings

CHECK = "remote-write"
EU0 = "prometheus/clusters/eu-prod/prometheus-0.yml"
EU1 = "prometheus/clusters/eu-prod/prometheus-1.yml"
US0 = "prometheus/clusters/us-prod/prometheus-0.yml"
US1 = "prometheus/clusters/us-prod/prometheus-1.yml"
STAGING = "prometheus/clusters/eu-staging/prometheus.yml"


@pytest.mark.parametrize("source", [SHOP_BUNDLE, STARTER_BUNDLE], ids=["shop", "starter"])
def test_the_committed_bundles_pass(source: Path) -> None:
    assert findings(source, CHECK) == []


MUTATIONS: dict[str, tuple[list[Edit], list[tuple[str, str]]]] = {
    "a header naming a tenant Mimir does not know": (
        [(EU0, "X-Scope-OrgID: shop-prod", "X-Scope-OrgID: shop-prd")],
        [(REPLICAS_DIFFER, EU1), (UNKNOWN_TENANT, EU0)],
    ),
    "a remote write without a tenant header": (
        [(STAGING, "    headers:\n      X-Scope-OrgID: shop-staging\n", "")],
        [(UNKNOWN_TENANT, STAGING)],
    ),
    "two writes into one tenant": (
        [(STAGING, "X-Scope-OrgID: shop-staging", "X-Scope-OrgID: shop-prod")],
        [(DUPLICATE_TENANT, STAGING)],
    ),
    "a replica whose keep-list differs from its pair's": (
        [(EU1, "checkout_orders_total|", "")],
        [(REPLICAS_DIFFER, EU1)],
    ),
    "a replica under another cluster label": (
        [(EU1, "cluster: eu-prod", "cluster: eu-prd")],
        [(REPLICAS_DIFFER, EU1)],
    ),
    "two replicas with one replica label": (
        [(EU1, "__replica__: eu-prod-1", "__replica__: eu-prod-0")],
        [(HA_LABELS, EU1)],
    ),
    "a replica without the replica label": (
        [(EU1, "    __replica__: eu-prod-1\n", "")],
        [(HA_LABELS, EU1)],
    ),
    "replicas under another replica label than the tenant's": (
        [(EU0, "__replica__:", "replica:"), (EU1, "__replica__:", "replica:")],
        [(HA_LABELS, EU0), (HA_LABELS, EU1), (REPLICAS_DIFFER, EU1)],
    ),
    "two clusters under one cluster label": (
        [(US0, "cluster: us-prod", "cluster: eu-prod"), (US1, "cluster: us-prod", "cluster: eu-prod")],
        [(CLUSTER_LABEL, US0), (CLUSTER_LABEL, US1)],
    ),
    "a tenant that does not accept HA samples": (
        [("mimir/runtime.yaml", "    accept_ha_samples: true\n    ha_cluster_label: cluster\n    ha_replica_label: __replica__\n    ruler_max_rule_groups_per_tenant: 74", "    ha_cluster_label: cluster\n    ha_replica_label: __replica__\n    ruler_max_rule_groups_per_tenant: 74")],
        [(HA_LABELS, EU0), (HA_LABELS, EU1), (HA_LABELS, US0), (HA_LABELS, US1)],
    ),
    "HA replicas without Mimir's HA tracker": (
        [("mimir/mimir.yaml", "enable_ha_tracker: true", "enable_ha_tracker: false")],
        [(HA_LABELS, "mimir/mimir.yaml")],
    ),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_a_miswired_remote_write_is_reported(name: str, tmp_path: Path) -> None:
    edits, expected = MUTATIONS[name]
    bundle = edit(copied(SHOP_BUNDLE, tmp_path), edits)
    assert [(check, file) for check, file, _ in findings(bundle, CHECK)] == sorted(expected)


def test_one_tenant_written_to_two_mimirs_is_no_duplicate(tmp_path: Path) -> None:
    # A disaster-recovery Mimir receiving the same tenant is another store, not the same samples twice.
    staging_write = "  - url: https://mimir.shop.internal/api/v1/push\n    name: mimir-shop-staging"
    edits = [
        (STAGING, "X-Scope-OrgID: shop-staging", "X-Scope-OrgID: shop-prod"),
        (STAGING, staging_write, staging_write.replace("mimir.shop.internal", "mimir-dr.shop.internal")),
    ]
    bundle = edit(copied(SHOP_BUNDLE, tmp_path), edits)
    assert [check for check, _, _ in findings(bundle, CHECK)] == []
    # the same Mimir twice is still reported
    same = edit(copied(SHOP_BUNDLE, tmp_path / "same"), edits[:1])
    assert [check for check, _, _ in findings(same, CHECK)] == [DUPLICATE_TENANT]


def test_the_findings_name_the_file_the_write_and_what_is_wrong(tmp_path: Path) -> None:
    bundle = edit(copied(SHOP_BUNDLE, tmp_path), [(EU0, "X-Scope-OrgID: shop-prod", "X-Scope-OrgID: shop-prd")])
    messages = {check: message for check, _, message in findings(bundle, CHECK)}
    assert messages[UNKNOWN_TENANT] == (
        "remote_write 'mimir-shop-prod' writes to tenant 'shop-prd', which mimir/runtime.yaml has no overrides for "
        "(its tenants: shop-prod, shop-rollup, shop-staging): no rule or dashboard of the bundle reads what it sends"
    )
    assert messages[REPLICAS_DIFFER].startswith(f"differs from {EU0}, another HA replica of its cluster, at remote_write[0].headers")
