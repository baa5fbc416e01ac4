"""Route-test labels reach the real amtool as the values they are, whatever they hold.

`lgtmgen check` hands each label of a routing case to `amtool config routes test` as a quoted
matcher (`label_matcher`). The routes here match with Alertmanager's plain `match:` map, whose
values YAML carries as they are, so nothing of lgtmgen's quoting is on that side: a label amtool
read otherwise than written would miss its route. Then routes written with lgtmgen's own
matchers (`=` and an `=~` alternation) are held to the same labels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lgtmgen.artifacts import Role
from lgtmgen.checks.amtool import AmtoolRouteTests
from lgtmgen.checks.base import BundleFile, CheckContext
from lgtmgen.diagnostics import Diagnostic
from lgtmgen.matchers import matcher
from lgtmgen.regex import alternation
from lgtmgen.render.yaml_emitter import dump_yaml
from lgtmgen.toolchain.locate import locate_tools

VALUES = [
    'db "primary"',
    "back\\slash",
    'both \\" and a trailing \\',
    "café 日本語 🚀",
    "new\nline",
    "a,b=c{d}",
    "single 'q'",
    "plain",
]
"""Service names as a catalog may give them: quotes, backslashes, non-ASCII, a line break."""


def _route_test(tmp_path: Path, routes: list[dict[str, Any]], cases: list[dict[str, Any]]) -> list[Diagnostic]:
    """Write an Alertmanager configuration of `routes` (one receiver each) and a routing-tests file
    of `cases`, and run lgtmgen's amtool route-test check on them with the real amtool."""
    tools = locate_tools()
    assert tools.amtool is not None, "run scripts/bootstrap: amtool is required"
    folder = tmp_path / "alertmanager"
    folder.mkdir()
    config = {
        "route": {"receiver": "fallback", "routes": routes},
        "receivers": [{"name": "fallback"}, *({"name": r["receiver"]} for r in routes)],
    }
    (folder / "alertmanager.yml").write_text(dump_yaml(config), encoding="utf-8")
    (folder / "route-tests.yaml").write_text(dump_yaml({"config": "alertmanager.yml", "cases": cases}), encoding="utf-8")
    files = (
        BundleFile("alertmanager/alertmanager.yml", Role.ALERTMANAGER_CONFIG, folder / "alertmanager.yml"),
        BundleFile("alertmanager/route-tests.yaml", Role.ALERTMANAGER_ROUTE_TESTS, folder / "route-tests.yaml"),
    )
    return AmtoolRouteTests().run(CheckContext(bundle_dir=tmp_path, files=files, tools=tools))


def _cases(receiver_of: list[int]) -> list[dict[str, Any]]:
    """A case per value: its service label, expected at receiver r<receiver_of[i]>."""
    return [
        {"name": f"value {i}", "labels": {"service": value, "severity": "page"}, "receivers": [f"r{receiver_of[i]}"]}
        for i, value in enumerate(VALUES)
    ]


def _plain_routes() -> list[dict[str, Any]]:
    return [{"receiver": f"r{i}", "match": {"service": value}} for i, value in enumerate(VALUES)]


@pytest.mark.tools
def test_amtool_routes_each_case_label_to_the_route_of_that_exact_value(tmp_path: Path) -> None:
    assert _route_test(tmp_path, _plain_routes(), _cases(list(range(len(VALUES))))) == []


@pytest.mark.tools
def test_a_case_expecting_another_values_route_is_reported(tmp_path: Path) -> None:
    # The check can fail: each label is expected at its neighbour's route.
    shifted = [(i + 1) % len(VALUES) for i in range(len(VALUES))]
    found = _route_test(tmp_path, _plain_routes(), _cases(shifted))
    assert [(d.check, d.message.split(":")[0]) for d in found] == [
        ("amtool/route-test", f"case 'value {i}'") for i in range(len(VALUES))
    ]


@pytest.mark.tools
@pytest.mark.parametrize("op", ["=", "=~"])
def test_routes_written_with_lgtmgens_matchers_match_the_same_labels(tmp_path: Path, op: str) -> None:
    routes = [
        {"receiver": f"r{i}", "matchers": [matcher("service", op, value if op == "=" else alternation([value, "other"]))]}
        for i, value in enumerate(VALUES)
    ]
    assert _route_test(tmp_path, routes, _cases(list(range(len(VALUES))))) == []
