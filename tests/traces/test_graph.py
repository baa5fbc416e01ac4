"""The dependency graph as text (tree, Mermaid, DOT), blast radius, and the `lgtmgen graph` command."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from lgtmgen.cli.app import app
from lgtmgen.graph import Dependent, blast_radius, dot_text, impact_text, mermaid_text, tree_text
from lgtmgen.plan import Plan
from tests.traces.traces_catalog import CatalogLoader, base_catalog


def test_the_tree_starts_at_services_nothing_depends_on(plan: Plan) -> None:
    assert tree_text(plan) == (
        "web (tier 1, shop)\n"
        "├── auth (tier 1, core)\n"
        "└── orders (tier 2, shop)\n"
        "    └── auth (tier 1, core)\n"
        "lab-job (tier 3, core)\n"
    )


def test_a_cycle_is_marked_instead_of_followed(load: CatalogLoader) -> None:
    document = base_catalog()
    document["services"][2]["depends_on"] = ["web"]
    plan, _ = load(document)
    assert plan is not None
    text = tree_text(plan)
    assert "web (tier 1, shop) ↺ cycle" in text
    assert len(text.splitlines()) < 20


def test_mermaid_uses_generated_ids_so_any_name_is_a_safe_label(plan: Plan) -> None:
    assert mermaid_text(plan) == (
        "flowchart LR\n"
        '    s0["auth"]\n'
        '    s1["lab-job"]\n'
        '    s2["orders"]\n'
        '    s3["web"]\n'
        "    s2 --> s0\n"
        "    s3 --> s0\n"
        "    s3 --> s2\n"
    )


def test_dot_quotes_names_and_carries_the_tier(plan: Plan) -> None:
    text = dot_text(plan)
    assert text.startswith("digraph services {\n")
    assert '    "web" [tier=1];\n' in text
    assert '    "web" -> "orders";\n' in text
    assert text.endswith("}\n")


def test_blast_radius_lists_transitive_dependents_nearest_first(plan: Plan) -> None:
    assert blast_radius(plan, "auth") == [
        Dependent("web", 1, "shop", 1),
        Dependent("orders", 2, "shop", 1),
    ]
    assert blast_radius(plan, "orders") == [Dependent("web", 1, "shop", 1)]
    assert blast_radius(plan, "web") == []


def test_blast_radius_counts_hops_through_the_chain(load: CatalogLoader) -> None:
    document = base_catalog()
    document["services"][0]["depends_on"] = ["orders"]
    plan, _ = load(document)
    assert plan is not None
    assert [(d.service, d.distance) for d in blast_radius(plan, "auth")] == [("orders", 1), ("web", 2)]
    assert "web" in impact_text(plan, "auth") and "2 hops" in impact_text(plan, "auth")


def _catalog_file(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(base_catalog(), sort_keys=False), encoding="utf-8")
    return path


def test_the_graph_command_prints_each_format(tmp_path: Path, plan: Plan) -> None:
    catalog = str(_catalog_file(tmp_path))
    runner = CliRunner()
    for fmt, render in (("tree", tree_text), ("mermaid", mermaid_text), ("dot", dot_text)):
        result = runner.invoke(app, ["graph", catalog, "--format", fmt])
        assert result.exit_code == 0, result.output
        assert result.stdout == render(plan)


def test_the_graph_command_prints_the_blast_radius_with_tiers(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["graph", str(_catalog_file(tmp_path)), "--impact", "auth"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "if auth fails, 2 service(s) are affected:",
        "  web     tier 1  team shop  direct",
        "  orders  tier 2  team shop  direct",
        "highest tier affected: 1",
    ]


def test_the_impact_of_a_service_nothing_depends_on_says_so(plan: Plan) -> None:
    assert impact_text(plan, "web") == "nothing depends on web\n"


def test_the_graph_command_refuses_an_unknown_service(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["graph", str(_catalog_file(tmp_path)), "--impact", "ghost"])
    assert result.exit_code == 2
    assert "unknown service 'ghost'" in result.output


def test_the_graph_command_fails_on_an_invalid_catalog(tmp_path: Path) -> None:
    document = base_catalog()
    document["services"][0]["depends_on"] = ["ghost"]
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    result = CliRunner().invoke(app, ["graph", str(path)])
    assert result.exit_code == 1
    assert "catalog/unknown-reference" in result.output


def test_the_graph_command_shows_the_catalog_warnings_on_standard_error(tmp_path: Path, plan: Plan) -> None:
    """Standard output stays the graph (piped into dot); the warnings are not lost."""
    document = base_catalog()
    document["services"][0]["slos"] = [
        {
            "name": "orders",
            "objective": 99,
            "sli": {
                "kind": "custom",
                "bad_query": "sum by (cluster) (rate(failed_total[{{window}}]))",
                "total_query": "sum by (cluster) (increase(orders_total[{{window}}]))",
            },
        }
    ]
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["graph", str(path), "--format", "dot"])
    assert result.exit_code == 0, result.output
    assert result.stdout == dot_text(plan)
    assert "catalog/custom-sli-rate warning" in result.stderr
