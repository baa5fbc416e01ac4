"""Catalog checks of the grafana area: each problem has its id and its place in the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgtmgen.catalog import load_catalog
from lgtmgen.catalog.grafana_checks import (
    CAPACITY_DUPLICATE,
    CAPACITY_NOT_GAUGE,
    CAPACITY_QUERY,
    FOLDER_CLASH,
    TENANT_VARIABLE_CLASH,
    UNKNOWN_TEAM,
)
from lgtmgen.checks.grafana.lint import promql_problems

CATALOG = Path(__file__).parent / "catalog" / "catalog.yaml"

SIGNAL = """\
    - name: {name}
      team: {team}
      usage: {usage}
      limit: "100"
"""


def findings(tmp_path: Path, grafana: str) -> list[tuple[str, str]]:
    """(check id, file name:line:column) of the grafana findings."""
    extra = tmp_path / "grafana.yaml"
    extra.write_text("apiVersion: lgtmgen/v1\ngrafana:\n" + grafana, encoding="utf-8")
    loaded = load_catalog([CATALOG, extra])
    return [
        (d.check, f"{Path(d.location.file).name}:{d.location.line}:{d.location.column}")
        for d in loaded.diagnostics
        if d.check.startswith("catalog/grafana") and d.location is not None
    ]


def test_a_capacity_signal_of_an_unknown_team_is_reported_at_its_team(tmp_path: Path) -> None:
    text = "  capacity:\n" + SIGNAL.format(name="disk", team="paymnts", usage="sum(x)")
    assert findings(tmp_path, text) == [(UNKNOWN_TEAM, "grafana.yaml:5:13")]


def test_capacity_queries_must_parse(tmp_path: Path) -> None:
    text = "  capacity:\n" + SIGNAL.format(name="disk", team="payments", usage='"sum(x"')
    assert findings(tmp_path, text) == [(CAPACITY_QUERY, "grafana.yaml:6:14")]


@pytest.mark.parametrize(
    ("usage", "refused"),
    [
        ("sum(rate(disk_written_bytes_total[5m]))", True),  # a rate over a fixed range
        ("sum(increase(x_total[1h]))", True),
        ("max(pg_stat_activity_count)", True),  # a gauge named like a counter
        ("sum(kubelet_volume_stats_used_bytes) / 2", False),
        ("max by (instance) (node_filesystem_avail_bytes)", False),
    ],
)
def test_capacity_usage_must_read_levels_as_the_dashboard_lint_requires(
    tmp_path: Path, usage: str, refused: bool
) -> None:
    # A sweep found these accepted by validate and the capacity dashboard then failing `check`.
    text = "  capacity:\n" + SIGNAL.format(name="disk", team="payments", usage=f"'{usage}'")
    assert findings(tmp_path, text) == ([(CAPACITY_NOT_GAUGE, "grafana.yaml:6:14")] if refused else [])
    # The forecast panel's query, as the dashboard holds it: the lint agrees with the catalog.
    assert bool(promql_problems(f"predict_linear(({usage})[6h:1m], 604800)")) == refused


def test_a_team_cannot_have_two_signals_of_one_name(tmp_path: Path) -> None:
    signal = SIGNAL.format(name="disk", team="payments", usage="sum(x)")
    assert findings(tmp_path, "  capacity:\n" + signal + signal) == [
        (CAPACITY_DUPLICATE, "grafana.yaml:8:13")
    ]


def test_the_overview_folder_cannot_be_a_team_folder(tmp_path: Path) -> None:
    found = findings(tmp_path, "  overview_folder: web\n")
    assert found == [(FOLDER_CLASH, "catalog.yaml:12:11")]


def test_two_tenants_cannot_share_one_header_variable(tmp_path: Path) -> None:
    extra = tmp_path / "tenants.yaml"
    extra.write_text("apiVersion: lgtmgen/v1\ntenants:\n  - name: prod-eu\n  - name: prod_eu\n", encoding="utf-8")
    loaded = load_catalog([CATALOG, extra])
    found = [(d.check, d.path, d.message) for d in loaded.diagnostics if d.check == TENANT_VARIABLE_CLASH]
    message = "tenant 'prod_eu' would read its X-Scope-OrgID from $GRAFANA_TENANT_PROD_EU, the variable of tenant 'prod-eu'"
    assert found == [(TENANT_VARIABLE_CLASH, "tenants[2].name", message)]


def test_tenants_may_share_a_variable_name_when_the_header_comes_from_files(tmp_path: Path) -> None:
    extra = tmp_path / "tenants.yaml"
    extra.write_text(
        "apiVersion: lgtmgen/v1\ntenants:\n  - name: prod-eu\n  - name: prod_eu\n"
        "grafana:\n  tenant_header: {source: file}\n",
        encoding="utf-8",
    )
    loaded = load_catalog([CATALOG, extra])
    assert [d for d in loaded.diagnostics if d.check == TENANT_VARIABLE_CLASH] == []


def _limit_findings(tmp_path: Path, limit: str) -> list[tuple[str, str]]:
    """(check id, message) of every error of a catalog whose one capacity signal has `limit`."""
    text = "  capacity:\n" + SIGNAL.replace('limit: "100"', f"limit: {limit}").format(
        name="disk", team="payments", usage="sum(x)"
    )
    extra = tmp_path / "grafana.yaml"
    extra.write_text("apiVersion: lgtmgen/v1\ngrafana:\n" + text, encoding="utf-8")
    return [(d.check, d.message) for d in load_catalog([CATALOG, extra]).diagnostics if d.is_error]


@pytest.mark.parametrize(("limit", "promql"), [("100", "100"), ("2.5e9", "2500000000.0"), ("'sum(y)'", "sum(y)")])
def test_a_capacity_limit_may_be_a_number_or_promql(tmp_path: Path, limit: str, promql: str) -> None:
    assert _limit_findings(tmp_path, limit) == []
    extra = tmp_path / "grafana.yaml"
    signal = load_catalog([CATALOG, extra]).catalog.grafana.capacity[0]  # type: ignore[union-attr]
    assert signal.limit_promql == promql
    assert promql_problems(signal.limit_promql) == []


@pytest.mark.parametrize("limit", ["true", "''", "[100]"])
def test_a_capacity_limit_is_neither_a_bool_nor_empty_nor_a_list(tmp_path: Path, limit: str) -> None:
    found = _limit_findings(tmp_path, limit)
    assert found, f"limit: {limit} was accepted"
    assert all(check.startswith("catalog/") for check, _ in found)
