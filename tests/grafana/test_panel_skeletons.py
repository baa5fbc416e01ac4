"""Dashboards filled from panel skeletons are byte-equal to dashboards built panel by panel with grafanalib."""

from __future__ import annotations

import shutil
from pathlib import Path

import grafanalib.core as g
import pytest

from benchmarks.generate_catalog import write_catalog
from lgtmgen.generators.grafana import GrafanaDashboards
from lgtmgen.generators.grafana.dashboard import reference_assembly
from lgtmgen.generators.grafana.layout import prom, stat
from lgtmgen.generators.grafana.panel_skeletons import _skeleton, deferred, normalised_panel
from lgtmgen.generators.grafana.service_dashboard import service_dashboard
from lgtmgen.plan import Plan
from lgtmgen.render import render_artifact
from tests.grafana.conftest import CATALOG, SHOP, plan_of

STARTER = SHOP.parent / "starter"
SLIS = (
    "{kind: availability}",
    "{kind: latency, threshold: 0.5, buckets: [0.1, 0.25, 0.5, 1]}",
    "{kind: latency, threshold: 0.3, native: true}",
    """{kind: events, bad: 'jobs_failed_total{job="NAME"}', total: 'jobs_total{job="NAME"}'}""",
    """{kind: probe, selector: 'probe_success{target="NAME"}'}""",
    (
        """{kind: custom, bad_query: 'sum(rate(e_total{job="NAME"}[{{window}}]))', """
        """total_query: 'sum(rate(r_total{job="NAME"}[{{window}}]))'}"""
    ),
)
METRICS = (
    "{convention: http, selector: {job: NAME}}",
    "{convention: grpc, selector: {job: NAME}}",
    "{convention: http, selector: {job: NAME}, native_histograms: true}",
    (
        "{convention: custom, selector: {job: NAME}, requests_metric: sent_total, status_label: outcome, "
        "error_status_regex: failed, duration_metric: send_seconds}"
    ),
)
LOGS = (
    None,
    "{format: json}",
    "{format: logfmt, error_classes: [{name: timeout, regex: '(?i)timed out'}]}",
)


def _service(index: int) -> str:
    """A service whose features vary with `index`: SLO kinds and count, logs, resources, KPIs, dependencies."""
    name = f"synthetic-{index}"
    team = ("checkout", "discovery", "platform")[index % 3]
    lines = [
        f"  - name: {name}",
        f"    team: {team}",
        f"    tier: {index % 3 + 1}",
        f"    tenant: {('shop-prod', 'shop-staging')[index % 2]}",
        "    clusters: [eu-prod, us-prod]" if index % 2 == 0 else "    clusters: [eu-staging]",
        "    metrics: " + METRICS[index % len(METRICS)].replace("NAME", name),
    ]
    if logs := LOGS[index % len(LOGS)]:
        lines.append(f"    logs: {logs}")
    dependencies = [["identity"], ["identity", "cart"], [f"synthetic-{index - 1}"], []][index % 4]
    if index and dependencies:
        lines.append(f"    depends_on: [{', '.join(dependencies)}]")
    if index % 2:
        lines.append(f"    resources: {{namespace: ns-{index}}}")
    if index % 5 == 1:
        lines.append(f"    kpis: [{{name: things, metric: things_{index}_total, kind: counter}}]")
    if index % 4 == 2:
        lines.append("    traces: {peak_traces_per_second: 10}")
    slo_count = index % 4
    if slo_count:
        lines.append("    slos:")
    for k in range(slo_count):
        sli = SLIS[(index + k) % len(SLIS)].replace("NAME", name)
        # the staging tenant keeps metrics for 14 days, which a period must fit in
        period = ", period: 14d" if index % 2 else ""
        lines.append(f"      - {{name: slo-{k}, objective: {(99, 99.5, 99.9)[(index + k) % 3]}{period}, sli: {sli}}}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def varied_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """The shop (journeys, every SLO kind) with 24 more services of every combination of features."""
    root = tmp_path_factory.mktemp("varied") / "shop"
    shutil.copytree(SHOP, root)
    text = "apiVersion: lgtmgen/v1\nservices:\n" + "".join(_service(i) for i in range(24))
    (root / "services" / "synthetic.yaml").write_text(text, encoding="utf-8")
    return plan_of(root)


def _rendered(plan: Plan) -> dict[str, bytes]:
    return {a.path: render_artifact(a) for a in GrafanaDashboards().generate(plan)}


def _assert_equal_to_reference(plan: Plan) -> None:
    fast = _rendered(plan)
    with reference_assembly():
        reference = _rendered(plan)
    assert list(fast) == list(reference)
    for path, content in reference.items():
        assert fast[path] == content, path


def test_every_dashboard_of_the_shop_starter_and_test_catalog_equals_the_reference() -> None:
    for catalog in (SHOP, STARTER, CATALOG):
        _assert_equal_to_reference(plan_of(catalog))


def test_every_dashboard_of_a_varied_catalog_equals_the_reference(varied_plan: Plan) -> None:
    services = {s.name for s in varied_plan.catalog.services}
    assert len(services) == 36
    _assert_equal_to_reference(varied_plan)


def test_a_text_that_grafanalib_alters_cannot_be_filled_in() -> None:
    @deferred
    def bracketed(title: str) -> g.TimeSeries:
        return g.TimeSeries(title=f"[{title}]", unit="s")

    with pytest.raises(ValueError, match="altered"):
        normalised_panel(bracketed("quiet"), (1, 1, 0, 0))


def test_an_empty_text_is_part_of_the_shape_not_filled_in() -> None:
    @deferred
    def text_panel(title: str, description: str) -> g.TimeSeries:
        return g.TimeSeries(title=title, description=description, unit="s")

    with_description = normalised_panel(text_panel("a", "about a"), (1, 1, 0, 0))
    without = normalised_panel(text_panel("b", ""), (1, 1, 0, 0))
    assert with_description["description"] == "about a"
    assert "description" not in without and without["title"] == "b"


def test_numbers_that_compare_equal_but_are_written_differently_are_different_shapes() -> None:
    def base(value: float) -> dict[str, object]:
        steps = [{"color": "red", "value": None}, {"color": "green", "value": value}]
        panel = normalised_panel(stat("s", [prom("up")], "short", thresholds=steps), (1, 1, 0, 0))
        return panel["fieldConfig"]["defaults"]["thresholds"]["steps"][1]  # type: ignore[no-any-return]

    assert [repr(base(v)["value"]) for v in (0.0, -0.0, 0.0, 0)] == ["0.0", "-0.0", "0.0", "0"]


def test_service_dashboards_need_no_more_skeletons_for_more_services(tmp_path: Path) -> None:
    """Names, queries and SLO names are texts, not shape: the skeletons do not grow with the catalog."""
    skeletons = []
    for count in (30, 60):
        plan = plan_of(write_catalog(tmp_path / str(count), count))
        _skeleton.cache_clear()
        for service in plan.catalog.services:
            service_dashboard(plan, service)
        skeletons.append(_skeleton.cache_info().currsize)
    assert skeletons[0] == skeletons[1] < 40
