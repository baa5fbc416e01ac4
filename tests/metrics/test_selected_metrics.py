"""Metric names read by PromQL, taken from the parsed expression rather than guessed from text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import promql_parser
import pytest

from lgtmgen.catalog import load_catalog
from lgtmgen.plan import build_plan
from lgtmgen.promql import SelectedMetrics, selected_metrics, series_matches, vector_selectors
from lgtmgen.sli import event_counts

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"


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
        ("quantile(scalar(q), -r) and topk(scalar(s), (t))", {"q", "r", "s", "t"}, set()),
        ('count_values("v", c) unless histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m] @ 100)))', {"c", "h_bucket"}, set()),
        ('{__name__="a" or __name__=~"b.*", job="x"}', {"a"}, {"b.*"}),
    ],
)
def test_every_selector_contributes_its_name(expr: str, names: set[str], patterns: set[str]) -> None:
    assert selected_metrics(expr) == SelectedMetrics(frozenset(names), frozenset(patterns))


def _selectors_by_walk(expr: str) -> list[str]:
    found: list[Any] = []

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            found.append(node)

    promql_parser.walk(promql_parser.parse(expr), visit)
    return sorted(str(node) for node in found)


def test_the_selector_search_finds_what_the_parsers_own_walk_finds() -> None:
    loaded = load_catalog([SHOP])
    assert loaded.catalog is not None
    plan = build_plan(loaded.catalog)
    exprs = [e for slo in plan.slos for c in [event_counts(slo, "5m")] for e in (c.errors, c.total)]
    exprs += [
        "quantile(scalar(q), -r) and topk(scalar(s), (t))",
        "max_over_time(sum(rate(y[5m]))[1h:5m] offset 1d)",
        'label_join(a, "x", ",", "b") / on(l) group_left b',
    ]
    assert len(exprs) > 30
    for expr in exprs:
        assert sorted(str(n) for n in vector_selectors(promql_parser.parse(expr))) == _selectors_by_walk(expr), expr


def test_the_error_count_of_every_built_in_sli_kind_reads_what_its_total_reads() -> None:
    # prometheus-config parses only the error count of these kinds for the keep-list.
    loaded = load_catalog([SHOP])
    assert loaded.catalog is not None
    plans = [slo for slo in build_plan(loaded.catalog).slos if slo.slo.sli.kind != "custom"]
    assert {slo.slo.sli.kind for slo in plans} >= {"availability", "latency", "events", "probe"}
    for slo in plans:
        counts = event_counts(slo, "5m")
        total = selected_metrics(counts.total)
        assert total.names and total.names <= selected_metrics(counts.errors).names, slo.slo.name
        assert total.patterns <= selected_metrics(counts.errors).patterns


@pytest.mark.parametrize(
    ("expr", "matches"),
    [
        ('x{job="a.b"}', [(("__name__", "x"), ("job", "a\\.b"))]),
        ('rate(x{q=~"m|n", z!="3", y!~"4"}[5m])', [(("__name__", "x"), ("q", "m|n"))]),
        ('x{a="1" or b="2"}', [(("__name__", "x"), ("a", "1")), (("__name__", "x"), ("b", "2"))]),
        ('{__name__=~"x.*", job="j"}', [(("__name__", "x.*"), ("job", "j"))]),
        ('x{a="1", a=~"1|2"}', [(("__name__", "x"), ("a", "1"))]),
    ],
    ids=["equality escaped", "regex kept, negatives dropped", "or alternatives", "name pattern", "one label twice"],
)
def test_series_matches_keep_the_positive_matchers_of_each_selector(expr: str, matches: list[tuple[tuple[str, str], ...]]) -> None:
    assert sorted(m.labels for m in series_matches(expr)) == sorted(matches)
