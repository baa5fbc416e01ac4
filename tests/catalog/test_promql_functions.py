"""User-given PromQL may call only what Prometheus 3.5 runs without feature flags.

promql-parser accepts the experimental functions and aggregations of Prometheus (`info`, `limitk`,
...) and functions of later releases (`first_over_time`, ...); promtool 3.5 and the running
Prometheus refuse them, since the generated configuration does not enable
`promql-experimental-functions`. `validate` refuses them where the query is written.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

from lgtmgen.bundle import TARGET_VERSIONS
from lgtmgen.promql import (
    EXPERIMENTAL_AGGREGATIONS,
    EXPERIMENTAL_FUNCTIONS,
    LATER_FUNCTIONS,
    PROMETHEUS_RELEASE,
    unsupported_calls,
)
from lgtmgen.toolchain.locate import locate_tool
from lgtmgen.toolchain.versions import PROMTOOL
from tests.support import errors_of, load_catalog_document, one_service_catalog

EXAMPLES = {
    "double_exponential_smoothing": "double_exponential_smoothing(x[5m], 0.5, 0.5)",
    "info": "info(x)",
    "mad_over_time": "mad_over_time(x[5m])",
    "sort_by_label": 'sort_by_label(x, "a")',
    "sort_by_label_desc": 'sort_by_label_desc(x, "a")',
    "ts_of_last_over_time": "ts_of_last_over_time(x[5m])",
    "ts_of_max_over_time": "ts_of_max_over_time(x[5m])",
    "ts_of_min_over_time": "ts_of_min_over_time(x[5m])",
    "limit_ratio": "limit_ratio(0.5, x)",
    "limitk": "limitk(1, x)",
    "end": "vector(end())",
    "first_over_time": "first_over_time(x[5m])",
    "histogram_quantiles": 'histogram_quantiles(x, "q", 0.5)',
    "integral": "integral(x[5m])",
    "range": "vector(range())",
    "start": "vector(start())",
    "step": "vector(step())",
    "ts_of_first_over_time": "ts_of_first_over_time(x[5m])",
}
"""A call of every listed name, valid for promql-parser."""

STABLE = [
    "rate(x[5m])",
    "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))",
    "last_over_time(x[5m])",
    "histogram_fraction(0, 0.5, x)",
    "histogram_avg(x)",
    "predict_linear(x[1h], 3600)",
    "quantile_over_time(0.9, x[5m])",
    "sort_desc(topk(3, x))",
    'label_replace(x, "a", "$1", "b", "(.*)")',
    "absent_over_time(x[5m]) or present_over_time(x[5m])",
    'count_values("v", x) + on() group_left quantile(0.5, x)',
    "x @ start() offset -5m",
]


def test_every_listed_name_has_an_example() -> None:
    assert set(EXAMPLES) == EXPERIMENTAL_FUNCTIONS | EXPERIMENTAL_AGGREGATIONS | LATER_FUNCTIONS
    assert not EXPERIMENTAL_FUNCTIONS & LATER_FUNCTIONS


def test_the_lists_describe_the_prometheus_the_bundle_targets() -> None:
    # A new target Prometheus needs the lists checked again (and the tool tests below run with it).
    assert TARGET_VERSIONS["prometheus"] == PROMETHEUS_RELEASE


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_promql_parser_accepts_each_listed_call_so_only_the_new_check_catches_it(name: str) -> None:
    expr = EXAMPLES[name]
    promql_parser.parse(expr)
    (call,) = unsupported_calls(f"sum by (cluster) ({expr})")
    assert call.name == name
    assert call.experimental == (name not in LATER_FUNCTIONS)
    assert call.aggregation == (name in EXPERIMENTAL_AGGREGATIONS)


@pytest.mark.parametrize("expr", STABLE)
def test_stable_functions_are_not_reported(expr: str) -> None:
    assert unsupported_calls(expr) == ()


def test_calls_are_found_anywhere_in_the_tree_once_each() -> None:
    expr = "-(limitk(1, info(a)) / on() max_over_time(info(b)[5m:1m] offset 1m)) and topk(scalar(mad_over_time(c[5m])), d)"
    assert [c.name for c in unsupported_calls(expr)] == ["info", "limitk", "mad_over_time"]


# ---- the lists held to the real promtool -----------------------------------------------------


@pytest.fixture(scope="module")
def promtool() -> Path:
    tool = locate_tool("promtool")
    if tool is None:
        pytest.fail("promtool is not installed: run scripts/bootstrap")
    # Fail, never skip: a suite passing by skipping these would claim lists no promtool checked.
    if not tool.version.startswith(PROMETHEUS_RELEASE + "."):
        pytest.fail(
            f"the lists are those of Prometheus {PROMETHEUS_RELEASE}; promtool {tool.version} found "
            f"(run scripts/bootstrap for the pinned one, or check the lists again for its release)"
        )
    return tool.path


def test_the_pinned_promtool_is_the_release_the_lists_describe() -> None:
    # Bumping the pin in lgtmgen/toolchain/versions.py past 3.5 must bring the lists along.
    assert PROMTOOL.preferred.upstream.startswith(PROMETHEUS_RELEASE + "."), PROMTOOL.preferred


def check_rules(promtool: Path, directory: Path, expr: str, *flags: str) -> subprocess.CompletedProcess[str]:
    rules = {"groups": [{"name": "g", "rules": [{"record": "r", "expr": expr}]}]}
    (directory / "rules.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    return subprocess.run(
        [str(promtool), *flags, "check", "rules", "rules.yaml"],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.mark.tools
@pytest.mark.parametrize("name", sorted(EXPERIMENTAL_FUNCTIONS | EXPERIMENTAL_AGGREGATIONS))
def test_promtool_refuses_each_experimental_name_unless_the_flag_is_on(
    promtool: Path, tmp_path: Path, name: str
) -> None:
    refused = check_rules(promtool, tmp_path, EXAMPLES[name])
    assert refused.returncode != 0
    output = refused.stdout + refused.stderr
    assert f'function "{name}" is not enabled' in output or f"{name}() is experimental" in output, output
    flag = check_rules(promtool, tmp_path, EXAMPLES[name], "--enable-feature=promql-experimental-functions")
    assert flag.returncode == 0, flag.stdout + flag.stderr


@pytest.mark.tools
@pytest.mark.parametrize("name", sorted(LATER_FUNCTIONS))
def test_promtool_refuses_each_later_function_even_with_the_flag(promtool: Path, tmp_path: Path, name: str) -> None:
    for flags in ((), ("--enable-feature=promql-experimental-functions",)):
        run = check_rules(promtool, tmp_path, EXAMPLES[name], *flags)
        assert run.returncode != 0 and "parse error" in run.stdout + run.stderr, run.stdout + run.stderr


@pytest.mark.tools
@pytest.mark.parametrize("expr", STABLE)
def test_promtool_accepts_the_stable_functions(promtool: Path, tmp_path: Path, expr: str) -> None:
    run = check_rules(promtool, tmp_path, expr)
    assert run.returncode == 0, run.stdout + run.stderr


# ---- validate refuses them where they are written ------------------------------------------


def catalog(**extra: Any) -> dict[str, Any]:
    document = one_service_catalog({"name": "availability", "objective": 99.9, "sli": {"kind": "availability"}})
    document.update(extra)
    return document


EXPERIMENTAL_INFO = (
    "info() is an experimental function of Prometheus 3.5: it needs Prometheus' "
    "--enable-feature=promql-experimental-functions, which the generated Prometheus and Mimir configuration "
    "does not enable"
)


def test_a_custom_sli_calling_info_is_refused_at_its_query(tmp_path: Path) -> None:
    document = catalog()
    document["services"][0]["slos"][0]["sli"] = {
        "kind": "custom",
        "bad_query": "sum by (cluster) (increase(errors_total[{{window}}]))",
        "total_query": "sum by (cluster) (info(increase(x[{{window}}])))",
    }
    _, diagnostics = load_catalog_document(tmp_path, document)
    (found,) = [d for d in diagnostics if d.is_error]
    assert (found.check, found.path, found.message) == (
        "catalog/promql-experimental",
        "services[0].slos[0].sli.total_query",
        f"total_query: {EXPERIMENTAL_INFO}",
    )
    assert found.location is not None and found.location.file.endswith("catalog.yaml")
    assert found.source_line is not None and "total_query" in found.source_line


def test_each_unsupported_call_of_a_query_is_reported(tmp_path: Path) -> None:
    document = catalog()
    document["services"][0]["slos"][0]["sli"] = {
        "kind": "custom",
        "good_query": "sum by (cluster) (limitk(10, first_over_time(ok_total[{{window}}])))",
        "total_query": "sum by (cluster) (increase(x[{{window}}]))",
    }
    path = "services[0].slos[0].sli.good_query"
    unknown = "first_over_time() is not a function of Prometheus 3.5, the version the bundle targets: it is newer"
    experimental = (
        "limitk() is an experimental aggregation of Prometheus 3.5: it needs Prometheus' "
        "--enable-feature=promql-experimental-functions, which the generated Prometheus and Mimir configuration "
        "does not enable"
    )
    assert sorted(errors_of(tmp_path, document)) == [
        ("catalog/promql-experimental", path, f"good_query: {experimental}"),
        ("catalog/promql-unknown-function", path, f"good_query: {unknown}"),
    ]


def test_a_cluster_outage_expression_and_capacity_queries_are_held_to_the_same_functions(tmp_path: Path) -> None:
    document = catalog(
        alerting={"cluster_outage": {"team": "web", "expr": 'sort_by_label(up{job="kubelet"}, "cluster") == 0'}},
        grafana={
            "capacity": [
                {"name": "disk", "team": "web", "usage": "sum(mad_over_time(disk_used_bytes[1h]))", "limit": "sum(disk_size_bytes)"}
            ]
        },
    )
    assert [(check, path) for check, path, _ in errors_of(tmp_path, document)] == [
        ("catalog/promql-experimental", "alerting.cluster_outage.expr"),
        ("catalog/promql-experimental", "grafana.capacity[0].usage"),
    ]


def test_stable_functions_in_every_query_validate(tmp_path: Path) -> None:
    document = catalog(
        alerting={"cluster_outage": {"team": "web", "expr": 'sum by (cluster) (last_over_time(up{job="kubelet"}[5m])) == 0'}},
        grafana={"capacity": [{"name": "disk", "team": "web", "usage": "sum(disk_used_bytes)", "limit": 100}]},
    )
    document["services"][0]["slos"][0]["sli"] = {
        "kind": "custom",
        "bad_query": "sum by (cluster) (increase(errors_total[{{window}}]))",
        "total_query": "sum by (cluster) (histogram_count(rate(x[{{window}}])) * 0 + increase(y_total[{{window}}]))",
    }
    assert errors_of(tmp_path, document) == []
