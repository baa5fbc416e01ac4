"""Metric names read by PromQL, taken from the parsed expression rather than guessed from text."""

from __future__ import annotations

import pytest

from lgtmgen.promql import SelectedMetrics, selected_metrics


@pytest.mark.parametrize(
    ("expr", "names", "patterns"),
    [
        ("up", {"up"}, set()),
        ("probe_success == 0", {"probe_success"}, set()),
        ('sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))', {"http_requests_total"}, set()),
        ('{__name__="jobs_total", queue="a"}', {"jobs_total"}, set()),
        ('{__name__=~"a_total|b_total"}', set(), {"a_total|b_total"}),
        ('{"app.requests.total"}', {"app.requests.total"}, set()),
        ("absent(x) or on() vector(0)", {"x"}, set()),
        ("max_over_time(y[1h:5m]) / ignoring(le) z offset 1d", {"y", "z"}, set()),
        ('{job="any"} + {__name__!="w", job="x"}', set(), set()),
        ('count(label_replace(kube_pod_info, "a", "$1", "b", "(.*)"))', {"kube_pod_info"}, set()),
    ],
)
def test_every_selector_contributes_its_name(expr: str, names: set[str], patterns: set[str]) -> None:
    assert selected_metrics(expr) == SelectedMetrics(frozenset(names), frozenset(patterns))
