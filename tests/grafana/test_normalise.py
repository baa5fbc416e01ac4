"""The normaliser's direct walk over grafanalib objects equals grafanalib's own JSON encoding."""

from __future__ import annotations

import json
from typing import Any

import grafanalib.core as g
from grafanalib._gen import DashboardEncoder

from lgtmgen.generators.grafana.normalise import _plain, number_panels


def _encoded_without_nulls(dashboard: g.Dashboard) -> Any:
    def drop_nulls(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        return {k: v for k, v in pairs if v is not None}

    return json.loads(json.dumps(dashboard.to_json_data(), cls=DashboardEncoder), object_pairs_hook=drop_nulls)


def _sample() -> g.Dashboard:
    return g.Dashboard(
        title="sample",
        uid="sample",
        panels=[
            g.RowPanel(title="row", gridPos=g.GridPos(1, 24, 0, 0)),
            g.TimeSeries(title="t", targets=[g.Target(expr="up", refId="A")], unit="s", gridPos=g.GridPos(8, 12, 0, 1)),
            g.Stat(title="s", targets=[g.Target(expr="1", refId="A")], gridPos=g.GridPos(8, 12, 12, 1)),
            g.BarGauge(title="b", targets=[g.Target(expr="2", refId="A")], gridPos=g.GridPos(8, 12, 0, 9)),
        ],
        templating=g.Templating(list=[g.Template(name="cluster", query="label_values(up, cluster)")]),
        links=[g.DashboardLink(title="x", uri="https://example.invalid/d/x")],
    )


def test_the_direct_walk_gives_grafanalibs_encoding_without_nulls() -> None:
    dashboard = _sample()
    assert _plain(dashboard) == _encoded_without_nulls(dashboard)


def test_panels_are_numbered_in_layout_order_like_grafanalibs_auto_panel_ids() -> None:
    dashboard = _sample()
    plain = _plain(dashboard)
    number_panels(plain["panels"])
    assert plain == _encoded_without_nulls(dashboard.auto_panel_ids())
    assert [p["id"] for p in plain["panels"]] == [1, 2, 3, 4]


def test_numbering_keeps_given_ids_and_skips_them() -> None:
    panels: list[dict[str, Any]] = [{"title": "a"}, {"title": "b", "id": 1}, {"title": "c", "panels": [{"title": "d"}]}]
    number_panels(panels)
    assert [panels[0]["id"], panels[1]["id"], panels[2]["id"], panels[2]["panels"][0]["id"]] == [2, 1, 3, 4]


def test_a_datasource_variable_without_default_gets_no_current_selection() -> None:
    from lgtmgen.generators.grafana.normalise import _variable

    dashboard = g.Dashboard(title="d", uid="d", templating=g.Templating(list=[
        g.Template(name="metrics", query="prometheus", type="datasource", default=None),
        g.Template(name="logs", query="loki", type="datasource", default="loki-a"),
    ]))
    unset, chosen = (_variable(v) for v in _plain(dashboard)["templating"]["list"])
    assert "current" not in unset
    assert chosen["current"] == {"text": "loki-a", "value": "loki-a"}
