"""Importers: Sloth and OpenSLO specs round-trip into catalog entries; leftovers are listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from lgtmgen.cli.app import app
from lgtmgen.importers.sloth import import_sloth
from tests.slo.importing import HEAD, import_into_catalog
from tests.slo.slo_bundle import plan_of

SLOTH = """\
version: "prometheus/v1"
service: "myservice"
labels: {owner: myteam}
slos:
  - name: "requests-availability"
    objective: 99.9
    description: "Common SLO based on availability for HTTP request responses."
    sli:
      events:
        error_query: sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))
        total_query: sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))
    alerting:
      name: MyServiceHighErrorRate
      page_alert: {labels: {severity: pageteam}}
      ticket_alert: {disable: true}
  - name: "raw-ratio"
    objective: 99
    sli: {raw: {error_ratio_query: 'sum(rate(x_errors[{{.window}}])) / sum(rate(x_total[{{.window}}]))'}}
---
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {name: other}
spec:
  service: other
  slos:
    - name: latency
      objective: 99.5
      sli:
        events:
          error_query: sum(rate(lat_count{job="other"}[{{.window}}])) - sum(rate(lat_bucket{job="other",le="0.5"}[{{.window}}]))
          total_query: sum(rate(lat_count{job="other"}[{{.window}}]))
"""

OPENSLO = """\
apiVersion: openslo/v1
kind: SLI
metadata: {name: search-errors}
spec:
  ratioMetric:
    counter: true
    bad: {metricSource: {type: Prometheus, spec: {query: 'search_requests_total{code=~"5.."}'}}}
    total: {metricSource: {type: Prometheus, spec: {query: 'search_requests_total'}}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: search-availability}
spec:
  service: search
  indicatorRef: search-errors
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.995}]
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: search-latency}
spec:
  service: search
  indicator:
    metadata: {name: p99}
    spec:
      thresholdMetric:
        metricSource: {type: Prometheus, spec: {query: 'histogram_quantile(0.99, sum(rate(search_seconds_bucket[5m])) by (le))'}}
  timeWindow: [{duration: 7d, isRolling: false}]
  objectives: [{op: lte, value: 0.3, target: 0.99}]
"""

def _import(tmp_path: Path, kind: str, spec: str, *options: str) -> tuple[Path, str]:
    out, result = import_into_catalog(tmp_path, kind, spec, *options)
    assert result.exit_code == 0, result.output
    return out.parent, result.output


def test_a_sloth_round_trip_keeps_objectives_queries_and_lists_what_it_drops(tmp_path: Path) -> None:
    catalog, output = _import(tmp_path, "sloth", SLOTH, "--partial")
    plan = plan_of([catalog])
    by_name = {(s.service.name, s.slo.name): s for s in plan.slos}
    availability = by_name[("myservice", "requests-availability")]
    assert availability.objective == 0.999 and availability.period == 30 * 86400
    # rates over the window become counts over it (the ratio is the same; min_events counts events)
    assert availability.slo.sli.bad_query == 'sum(increase(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{window}}]))'
    assert availability.slo.alerting.ticket is False and availability.slo.alerting.page is True
    assert ("other", "latency") in by_name
    assert "not imported: " in output and "slo 'raw-ratio': sli.raw" in output
    assert "imported 2 SLOs of 2 services; 1 not imported, every service as tier 1" in output
    assert "alerting.name" in output and "page_alert.labels" in output and "labels" in output


def test_an_openslo_round_trip_keeps_targets_windows_and_both_metric_kinds(tmp_path: Path) -> None:
    catalog, output = _import(tmp_path, "openslo", OPENSLO)
    plan = plan_of([catalog])
    by_name = {s.slo.name: s for s in plan.slos}
    availability, latency = by_name["search-availability"], by_name["search-latency"]
    assert availability.objective == 0.995 and availability.period == 28 * 86400
    assert availability.slo.sli.kind == "events" and availability.slo.sli.bad == 'search_requests_total{code=~"5.."}'
    assert latency.objective == 0.99 and latency.period == 7 * 86400
    assert latency.slo.sli.kind == "custom" and "<= 0.3" in latency.slo.sli.good_query
    assert "calendar-aligned" in output



SLOTH_KUBERNETES = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {name: example, namespace: monitoring}
spec:
  service: example
  slos:
    - name: http-availability
      objective: 99.95
      sli:
        events:
          errorQuery: sum(rate(http_requests_total{service="example",code=~"5.."}[{{.window}}]))
          totalQuery: sum(rate(http_requests_total{service="example"}[{{.window}}]))
      alerting:
        name: HighErrorRate
        pageAlert: {labels: {runbookurl: todo}}
        ticketAlert: {disable: true}
"""


def test_a_kubernetes_sloth_object_is_read_in_its_own_camel_case_spelling(tmp_path: Path) -> None:
    catalog, output = _import(tmp_path, "sloth", SLOTH_KUBERNETES)
    (slo,) = plan_of([catalog]).slos
    assert slo.objective == 0.9995 and slo.slo.sli.kind == "custom"
    assert slo.slo.sli.bad_query == 'sum(increase(http_requests_total{service="example",code=~"5.."}[{{window}}]))'
    assert slo.slo.alerting.ticket is False and slo.slo.alerting.page is True
    assert "alerting.page_alert.labels" in output


def test_openslo_month_windows_and_time_slice_settings_are_listed_not_written(tmp_path: Path) -> None:
    spec = OPENSLO.replace("[{duration: 28d, isRolling: true}]", "[{duration: 1M, isRolling: true}]").replace(
        "objectives: [{target: 0.995}]", "objectives: [{target: 0.995, timeSliceTarget: 0.9, timeSliceWindow: 1m}]"
    )
    catalog, output = _import(tmp_path, "openslo", spec)
    by_name = {s.slo.name: s for s in plan_of([catalog]).slos}
    assert by_name["search-availability"].period == 30 * 86400  # the catalog's default, not a month
    assert "time window '1M'" in output and "objectives[0].timeSliceTarget" in output


@pytest.mark.parametrize(
    ("kind", "spec", "listed"),
    [
        ("sloth", 'version: prometheus/v1\nservice: x\nslos: [{name: a, sli: {events: {error_query: e}}}]\n', "numeric objective"),
        ("sloth", 'version: prometheus/v1\nslos: []\n', "needs a service name"),
        ("openslo", "apiVersion: openslo/v1\nkind: SLO\nspec: {service: s}\n", "needs metadata.name"),
        (
            "openslo",
            (
                "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec:\n  service: s\n"
                "  indicator: {spec: {thresholdMetric: {metricSource: {type: Any}}}}\n"
                "  objectives: [{op: lt, target: 0.99}]\n"
            ),
            "threshold metric without a query",
        ),
    ],
)
def test_a_malformed_spec_is_listed_as_not_carried_over_instead_of_crashing(
    tmp_path: Path, kind: str, spec: str, listed: str
) -> None:
    # Each of these specs holds no SLO that carries over: the import says why, and writes nothing.
    out, result = _attempt(tmp_path, kind, spec)
    assert result.exit_code == 1, result.output
    assert listed in result.output and "import/nothing-imported" in result.output
    assert not out.exists()


def _attempt(tmp_path: Path, kind: str, spec: str, *options: str) -> tuple[Path, Result]:
    """Import `spec` into tmp_path/imported.yaml; the runner's result, whatever it is."""
    source = tmp_path / "spec.yaml"
    source.write_text(spec, encoding="utf-8")
    out = tmp_path / "imported.yaml"
    args = ["import", kind, str(source), "--team", "web", "--tenant", "prod", "-o", str(out), *options]
    return out, CliRunner().invoke(app, args)


def test_an_existing_file_is_not_overwritten_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "imported.yaml"
    out.write_text("mine\n", encoding="utf-8")
    refused = _attempt(tmp_path, "sloth", SLOTH_KUBERNETES)[1]
    assert refused.exit_code == 1 and f"{out} exists; use --force to overwrite" in refused.output
    assert out.read_text(encoding="utf-8") == "mine\n"
    forced = _attempt(tmp_path, "sloth", SLOTH_KUBERNETES, "--force")[1]
    assert forced.exit_code == 0, forced.output
    assert "name: http-availability" in out.read_text(encoding="utf-8")


def test_an_import_of_nothing_does_not_replace_a_catalog_even_when_forced(tmp_path: Path) -> None:
    out = tmp_path / "imported.yaml"
    out.write_text(HEAD, encoding="utf-8")
    result = _attempt(tmp_path, "sloth", "kind: Other\n", "--force")[1]
    assert result.exit_code == 1
    assert "not a Sloth spec" in result.output and "nothing written" in result.output
    assert out.read_text(encoding="utf-8") == HEAD
    printed = CliRunner().invoke(app, ["import", "sloth", str(tmp_path / "spec.yaml"), "--team", "w", "--tenant", "p"])
    assert printed.exit_code == 1 and "services:" not in printed.stdout


ONE_SLO = """\
version: prometheus/v1
service: api
slos:
  - name: good
    objective: 99.9
    sli: {events: {error_query: 'sum(rate(e[{{.window}}]))', total_query: 'sum(rate(t[{{.window}}]))'}}
  - name: checked
    objective: OBJECTIVE
    sli: {events: {error_query: 'ERRORS', total_query: 'sum(rate(t[{{.window}}]))'}}
"""


@pytest.mark.parametrize(
    ("objective", "errors", "team", "found"),
    [
        # at the line and column where the SLO's entry starts in the spec; a service's, its document's
        ("200", "sum(rate(e[{{.window}}]))", "web", [("catalog/out-of-range", "services[0].slos[1].objective", 7, 5)]),
        ("99", "sum(rate(e[{{.window}}])", "web", [("catalog/promql-syntax", "services[0].slos[1].sli.bad_query", 7, 5)]),
        ("99", "sum(rate(e[{{.window}}]))", "Web Team", [("catalog/invalid-format", "services[0].team", 1, 1)]),
    ],
    ids=["objective out of range", "unbalanced query", "invalid team name"],
)
def test_entries_that_would_not_validate_are_reported_at_their_spec_and_not_written(
    tmp_path: Path, objective: str, errors: str, team: str, found: list[tuple[str, str, int, int]]
) -> None:
    source = tmp_path / "spec.yaml"
    source.write_text(ONE_SLO.replace("OBJECTIVE", objective).replace("ERRORS", errors), encoding="utf-8")
    out = tmp_path / "imported.yaml"
    args = ["--output", "json", "import", "sloth", str(source), "--team", team, "--tenant", "prod", "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is False
    errors_found = [(d["check"], d["path"], d["line"], d["column"]) for d in report["diagnostics"] if d["severity"] == "error"]
    assert errors_found == found
    assert {d["file"] for d in report["diagnostics"]} == {str(source)}
    assert not out.exists()


def test_a_sloth_query_without_cluster_imports_with_a_warning(tmp_path: Path) -> None:
    # Sloth's queries are `sum(rate(...))`: the SLO would merge every cluster. It still imports.
    source = tmp_path / "spec.yaml"
    source.write_text(ONE_SLO.replace("OBJECTIVE", "99").replace("ERRORS", "sum(rate(e[{{.window}}]))"), encoding="utf-8")
    args = ["--output", "json", "import", "sloth", str(source), "--team", "web", "--tenant", "prod"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    warned = {(d["check"], d["path"]) for d in report["diagnostics"] if d["severity"] == "warning"}
    assert ("catalog/custom-sli-without-cluster", "services[0].slos[0].sli.bad_query") in warned


def test_an_entry_after_a_broken_one_is_named_as_itself(tmp_path: Path) -> None:
    # The checks of what validated run without the broken SLO: the next one keeps its own name and index.
    spec = ONE_SLO.replace("OBJECTIVE", "99").replace("ERRORS", "sum(rate(e[{{.window}}])")
    spec = spec.replace("objective: 99.9", "objective: 200")
    out, result = _attempt(tmp_path, "sloth", spec)
    assert result.exit_code == 1
    assert "service 'api', SLO 'good': objective: the number 200.0 is not a percentage" in result.output
    assert "service 'api', SLO 'checked': bad_query: unclosed left parenthesis" in result.output
    assert "at services[0].slos[1].sli.bad_query" in result.output
    assert not out.exists()


def test_a_spec_that_is_not_yaml_exits_one_with_its_position_and_a_missing_file_exits_two(tmp_path: Path) -> None:
    source = tmp_path / "spec.yaml"
    source.write_text("version: prometheus/v1\nslos: [\n", encoding="utf-8")
    broken = CliRunner().invoke(app, ["import", "sloth", str(source), "--team", "web", "--tenant", "prod"])
    assert broken.exit_code == 1 and f"{source}:3:1: not valid YAML" in broken.output
    missing = CliRunner().invoke(app, ["import", "sloth", str(tmp_path / "nope.yaml"), "--team", "w", "--tenant", "p"])
    assert missing.exit_code == 2


PYRRA = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: api-errors
  namespace: monitoring
  labels: {prometheus: k8s, pyrra.dev/team: web}
spec:
  target: "99.5"
  window: 2w
  description: Requests of the API that fail.
  indicator:
    ratio:
      errors: {metric: 'http_requests_total{job="api",code=~"5.."}'}
      total: {metric: 'http_requests_total{job="api"}'}
      grouping: [route]
  alerting: {name: ApiErrorBudgetBurn, absent: false}
---
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: api-latency, namespace: monitoring, labels: {pyrra.dev/service: api}}
spec:
  target: "99"
  window: 28d
  indicator:
    latency:
      success: {metric: 'http_request_duration_seconds_bucket{job="api",le="0.5"}'}
      total: {metric: 'http_request_duration_seconds_count{job="api"}'}
---
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: connect-latency, namespace: pyrra}
spec:
  target: "95"
  window: 7d
  indicator:
    latencyNative:
      latency: 100ms
      total: {metric: 'connect_server_requests_duration_seconds{service="pyrra"}'}
  alerting: {burnrates: false}
---
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: probe, namespace: monitoring}
spec:
  target: "99.9"
  window: 28d
  indicator:
    bool_gauge: {metric: 'probe_success{job="blackbox"}'}
---
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: both, namespace: monitoring}
spec:
  target: "99"
  window: 28d
  indicator:
    ratio: {errors: {metric: 'a{job="x"}'}, total: {metric: 'b{job="x"}'}}
    latency: {success: {metric: 'c{job="x",le="1"}'}, total: {metric: 'c_count{job="x"}'}}
"""


def test_a_pyrra_round_trip_keeps_every_indicator_kind_and_lists_what_it_drops(tmp_path: Path) -> None:
    catalog, output = _import(tmp_path, "pyrra", PYRRA, "--partial")
    plan = plan_of([catalog])
    by_name = {(s.service.name, s.slo.name): s for s in plan.slos}
    # The service is the pyrra.dev/service label, else the exact job matcher, else the namespace.
    assert set(by_name) == {("api", "api-errors"), ("api", "api-latency"), ("pyrra", "connect-latency"), ("blackbox", "probe")}
    errors = by_name[("api", "api-errors")]
    assert errors.objective == 0.995 and errors.period == 14 * 86400
    assert errors.slo.sli.kind == "events" and errors.slo.sli.bad == 'http_requests_total{job="api",code=~"5.."}'
    assert errors.slo.group_by == ["route"] and errors.slo.alerting.absent is False
    assert errors.slo.description == "Requests of the API that fail."
    latency = by_name[("api", "api-latency")]
    assert latency.slo.sli.kind == "events" and latency.slo.sli.good.endswith('le="0.5"}')
    native = by_name[("pyrra", "connect-latency")]
    assert native.slo.sli.kind == "custom" and "histogram_fraction(0, 0.1, " in native.slo.sli.bad_query
    assert native.slo.alerting.page is False and native.slo.alerting.ticket is False
    assert by_name[("blackbox", "probe")].slo.sli.kind == "probe"
    assert "alerting.name" in output and "label prometheus" in output
    assert "not imported: " in output and "indicator has ratio and latency" in output


@pytest.mark.tools
def test_imported_pyrra_objectives_build_into_rules_and_tests_promtool_passes(tmp_path: Path) -> None:
    catalog, _ = _import(tmp_path, "pyrra", PYRRA, "--partial")
    out = tmp_path / "bundle"
    built = CliRunner().invoke(app, ["build", str(catalog), "--out", str(out)])
    assert built.exit_code == 0, built.output
    checked = CliRunner().invoke(app, ["check", str(out), "--only", "promtool-rules", "--only", "promtool-tests"])
    assert checked.exit_code == 0, checked.output


PYRRA_RESERVED_GROUPING = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: api-errors, namespace: monitoring, labels: {pyrra.dev/service: api}}
spec:
  target: "99.5"
  window: 28d
  indicator:
    ratio:
      errors: {metric: 'http_requests_total{job="api",code=~"5.."}'}
      total: {metric: 'http_requests_total{job="api"}'}
      grouping: [route, service, __name__]
---
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: api-latency, namespace: monitoring, labels: {pyrra.dev/service: api}}
spec:
  target: "99"
  window: 28d
  indicator:
    latencyNative:
      latency: 500ms
      total: {metric: 'http_request_duration_seconds{job="api"}'}
      grouping: [route, slo]
"""


def test_a_pyrra_grouping_by_a_label_lgtmgen_sets_is_listed_not_carried(tmp_path: Path) -> None:
    # The catalog refuses such a group_by (catalog/slo-group-by-reserved): the import must still validate.
    catalog, output = _import(tmp_path, "pyrra", PYRRA_RESERVED_GROUPING)
    errors, latency = plan_of([catalog]).slos
    assert errors.slo.group_by == ["route"]
    assert "'api-errors': grouping by service (the SLO's rules and alerts set or rely on it)" in output
    assert "'api-errors': grouping by __name__ (labels starting with __ are reserved" in output
    # A native latency SLI is grouped inside its custom queries: they keep cluster and route only.
    assert latency.slo.sli.kind == "custom" and latency.slo.sli.total_query.startswith("sum by (cluster, route) (")
    assert "'api-latency': grouping by slo (the SLO's rules and alerts set or rely on it)" in output


@pytest.mark.parametrize(
    ("error", "total", "imported"),
    [
        ("sum(rate(e[{{.window}}]))", "sum(rate(t[{{.window}}]))", ("sum(increase(e[{{window}}]))", "sum(increase(t[{{window}}]))")),
        # a fixed range on one side: rewriting only the other would change the ratio, so neither is
        ("sum(rate(e[{{.window}}]))", "sum(rate(t[5m]))", ("sum(rate(e[{{window}}]))", "sum(rate(t[5m]))")),
        ("sum(irate(e[{{.window}}]))", "sum(increase(t[{{.window}}]))", ("sum(irate(e[{{window}}]))", "sum(increase(t[{{window}}]))")),
        (
            'sum(rate(e{reason="rate(x)"}[{{.window}}]))',
            "sum(rate(t[{{.window}}]))",
            ('sum(increase(e{reason="rate(x)"}[{{window}}]))', "sum(increase(t[{{window}}]))"),
        ),
        (
            "max_over_time(rate(e[5m])[{{.window}}:]) * 0 + sum(rate(e[{{.window}}]))",
            "sum(rate(t[{{.window}}]))",
            ("max_over_time(rate(e[5m])[{{window}}:]) * 0 + sum(rate(e[{{window}}]))", "sum(rate(t[{{window}}]))"),
        ),
        # a number added to or compared with a rate does not scale with it: increase would change the SLI
        ("sum(rate(e[{{.window}}])) + 1", "sum(rate(t[{{.window}}]))", ("sum(rate(e[{{window}}])) + 1", "sum(rate(t[{{window}}]))")),
        ("sum(rate(e[{{.window}}]))", "sum(rate(t[{{.window}}])) >= 10", ("sum(rate(e[{{window}}]))", "sum(rate(t[{{window}}])) >= 10")),
        ("clamp_min(sum(rate(e[{{.window}}])), 1)", "sum(rate(t[{{.window}}]))", ("clamp_min(sum(rate(e[{{window}}])), 1)", "sum(rate(t[{{window}}]))")),
        # nor do a count of series, a 0-or-1 comparison, or a query without any rate
        ("count(rate(e[{{.window}}]) > 0)", "sum(rate(t[{{.window}}]))", ("count(rate(e[{{window}}]) > 0)", "sum(rate(t[{{window}}]))")),
        ("sum(rate(e[{{.window}}]) > bool 0)", "sum(rate(t[{{.window}}]))", ("sum(rate(e[{{window}}]) > bool 0)", "sum(rate(t[{{window}}]))")),
        ('sum(up{job="x"} == 0)', "sum(rate(t[{{.window}}]))", ('sum(up{job="x"} == 0)', "sum(rate(t[{{window}}]))")),
        # scaling and the 0 of a comparison do
        (
            "sum(rate(e[{{.window}}])) * 60",
            "sum(rate(t[{{.window}}]) > 0)",
            ("sum(increase(e[{{window}}])) * 60", "sum(increase(t[{{window}}]) > 0)"),
        ),
    ],
    ids=[
        "window rates", "a fixed range", "irate", "rate( in a label value", "a window rate beside a fixed one",
        "a number added", "compared with a number", "clamped", "a count", "a bool comparison", "no rate",
        "scaled and compared with 0",
    ],
)
def test_sloth_rates_over_the_window_import_as_counts(error: str, total: str, imported: tuple[str, str]) -> None:
    spec = {"version": "prometheus/v1", "service": "s", "slos": [{"name": "a", "objective": 99, "sli": {"events": {"error_query": error, "total_query": total}}}]}
    result = import_sloth([("spec.yaml", spec)], "t", "p")
    sli = result.services[0]["slos"][0]["sli"]
    assert (sli["bad_query"], sli["total_query"]) == imported


# The SLI and the first SLO of OPENSLO, its target a percentage where OpenSLO takes a ratio.
OPENSLO_ONE_SLO = "---\n".join(OPENSLO.split("---\n")[:2]).replace(
    "  objectives: [{target: 0.995}]\n", "  objectives:\n    - target: 99.5\n"
)

PYRRA_ONE_SLO = """\
# an objective out of range
---
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: api-errors, labels: {pyrra.dev/service: api}}
spec:
  target: "150"
  window: 2w
  indicator:
    ratio:
      errors: {metric: 'http_requests_total{job="api",code=~"5.."}'}
      total: {metric: 'http_requests_total{job="api"}'}
"""


@pytest.mark.parametrize(
    ("command", "spec", "line", "column"),
    [
        ("sloth", SLOTH_KUBERNETES.replace("objective: 99.95", "objective: 300"), 7, 7),
        ("openslo", OPENSLO_ONE_SLO, 19, 7),
        ("pyrra", PYRRA_ONE_SLO, 3, 1),
    ],
    ids=["sloth kubernetes form: its slos entry", "openslo: its objective", "pyrra: its document"],
)
def test_an_entry_that_would_not_validate_is_reported_at_its_line_of_the_spec(
    tmp_path: Path, command: str, spec: str, line: int, column: int
) -> None:
    source = tmp_path / "spec.yaml"
    source.write_text(spec, encoding="utf-8")
    result = CliRunner().invoke(app, ["--output", "json", "import", command, str(source), "--team", "web", "--tenant", "prod"])
    assert result.exit_code == 1, result.output
    errors = [d for d in json.loads(result.stdout)["diagnostics"] if d["severity"] == "error"]
    assert [(d["check"], d["file"], d["line"], d["column"]) for d in errors] == [
        ("catalog/out-of-range", str(source), line, column)
    ]
