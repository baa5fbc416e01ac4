"""A custom SLI's queries keep `cluster`, or the SLO merges every cluster: a warning says so."""

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
                            "bad_query": "sum(rate(errors_total[{{window}}]))",
                            "total_query": "sum by (cluster) (rate(requests_total[{{window}}]))",
                        },
                    }
                ],
            }
        ],
    }
    plan, diagnostics = load_catalog_document(tmp_path, document)
    assert plan is not None
    found = [(d.check, d.severity.value, d.path) for d in diagnostics]
    assert found == [("catalog/custom-sli-without-cluster", "warning", "services[0].slos[0].sli.bad_query")]
