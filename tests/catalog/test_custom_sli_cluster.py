"""A custom SLI's queries keep `cluster`, or the SLO merges every cluster; they count events, or its
records hold rates: warnings say so."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgtmgen.promql import keeps_label
from tests.support import load_catalog_document


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("sum(rate(x[5m]))", False),  # what Sloth and OpenSLO specs hold
        ("sum by (job) (rate(x[5m]))", False),
        ("sum(rate(a[5m])) / sum(rate(b[5m]))", False),
        ("vector(1)", False),
        ("sum by (cluster) (rate(x[5m]))", True),
        ("sum without (pod) (rate(x[5m]))", True),
        ("(sum by (cluster) (increase(x[5m])) or vector(0))", True),  # the left side's series
        ("clamp_min(sum by (cluster) (x), 0)", True),
        ("1 - sum by (cluster) (x) / sum by (cluster) (y)", True),
        ("topk(3, x)", True),  # selects series, keeping their labels
        ("count_over_time(x[5m])", True),
        ("sum by (cluster) (x) / on (cluster) group_right sum (y)", False),  # the right side's labels
        ("scalar(x) * 2", None),
    ],
)
def test_keeps_label_follows_the_side_whose_labels_the_result_takes(query: str, kept: bool | None) -> None:
    assert keeps_label(query, "cluster") is kept


def test_a_custom_sli_that_merges_clusters_is_warned_about_and_still_valid(tmp_path: Path) -> None:
    document = {
        "apiVersion": "lgtmgen/v1",
        "teams": [{"name": "web", "notify": {"webhook": {"url_file": "/etc/am/web"}}}],
        "tenants": [{"name": "prod"}],
        "services": [
            {
                "name": "api",
                "team": "web",
                "tenant": "prod",
                "slos": [
                    {
                        "name": "merged",
                        "objective": 99,
                        "sli": {
                            "kind": "custom",
                            "bad_query": "sum(increase(errors_total[{{window}}]))",
                            "total_query": "sum(increase(requests_total[{{window}}]))",
                        },
                    }
                ],
            }
        ],
    }
    plan, diagnostics = load_catalog_document(tmp_path, document)
    assert plan is not None
    found = [(d.check, d.severity.value, d.path) for d in diagnostics]
    assert found == [
        ("catalog/custom-sli-without-cluster", "warning", "services[0].slos[0].sli.bad_query"),
        ("catalog/custom-sli-without-cluster", "warning", "services[0].slos[0].sli.total_query"),
    ]


def _custom_slo_catalog(bad_query: str, total_query: str, min_events: int = 0) -> dict[str, object]:
    slo: dict[str, object] = {
        "name": "orders",
        "objective": 99,
        "sli": {"kind": "custom", "bad_query": bad_query, "total_query": total_query},
    }
    if min_events:
        slo["alerting"] = {"min_events": min_events}
    return {
        "apiVersion": "lgtmgen/v1",
        "teams": [{"name": "web", "notify": {"webhook": {"url_file": "/etc/am/web"}}}],
        "tenants": [{"name": "prod"}],
        "services": [{"name": "api", "team": "web", "tenant": "prod", "slos": [slo]}],
    }


COUNTED = "sum by (cluster) (increase(orders_total[{{window}}]))"


@pytest.mark.parametrize(
    ("bad_query", "total_query", "rated"),
    [
        ("sum by (cluster) (rate(orders_failed_total[{{window}}]))", COUNTED, ["bad_query"]),
        (COUNTED, "sum by (cluster) (irate(orders_total[{{window}}]))", ["total_query"]),
        (
            "sum by (cluster) (rate(orders_failed_total[{{window}}]))",
            "sum by (cluster) (rate(orders_total[{{window}}]))",
            ["bad_query", "total_query"],
        ),
        ("sum by (cluster) (increase(orders_failed_total[{{window}}]))", COUNTED, []),
    ],
)
def test_a_custom_sli_counted_with_rate_is_warned_about(
    bad_query: str, total_query: str, rated: list[str], tmp_path: Path
) -> None:
    """Its records named increase5m would hold per-second rates: the ratio is right, the counts are not."""
    plan, diagnostics = load_catalog_document(tmp_path, _custom_slo_catalog(bad_query, total_query))
    assert plan is not None
    found = [(d.check, d.severity.value, d.path) for d in diagnostics]
    assert found == [("catalog/custom-sli-rate", "warning", f"services[0].slos[0].sli.{f}") for f in rated]


def test_rate_with_min_events_is_an_error(tmp_path: Path) -> None:
    """The floor would be compared with events a second: no burn alert until 200 a second."""
    query = "sum by (cluster) (rate(orders_failed_total[{{window}}]))"
    plan, diagnostics = load_catalog_document(tmp_path, _custom_slo_catalog(query, COUNTED, min_events=200))
    assert plan is None
    [error] = diagnostics
    assert (error.check, error.severity.value, error.path) == (
        "catalog/custom-sli-rate",
        "error",
        "services[0].slos[0].sli.bad_query",
    )
    assert "200 events a second" in error.message and "increase" in (error.hint or "")


@pytest.mark.parametrize(
    ("bad_query", "total_query", "unclustered"),
    [
        ("sum(increase(failed_total[{{window}}]))", COUNTED, "bad_query"),
        ("sum by (cluster) (increase(failed_total[{{window}}]))", "sum(increase(orders_total[{{window}}]))", "total_query"),
    ],
)
def test_a_custom_sli_whose_queries_disagree_on_cluster_is_refused(
    bad_query: str, total_query: str, unclustered: str, tmp_path: Path
) -> None:
    """errors{} / total{cluster="c1"} match nothing: every cluster's ratio is 0 or absent, nothing pages."""
    plan, diagnostics = load_catalog_document(tmp_path, _custom_slo_catalog(bad_query, total_query))
    assert plan is None
    [error] = diagnostics
    assert (error.check, error.severity.value, error.path) == (
        "catalog/custom-sli-cluster-mismatch",
        "error",
        f"services[0].slos[0].sli.{unclustered}",
    )
    assert "no burn-rate alert can fire" in error.message
