"""Offline rule hygiene and the SLO catalog checks."""

from __future__ import annotations

from pathlib import Path

from lgtmgen.catalog import load_catalog
from lgtmgen.checks.rule_hygiene import file_findings
from lgtmgen.diagnostics import Severity
from tests.slo.slo_bundle import plan_of, write_slo_files

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"


def _ids(doc: object) -> list[str]:
    return [d.check for d in file_findings(doc, "rules.yaml", 60.0)]


def test_a_recording_name_without_three_parts_is_reported() -> None:
    doc = {"groups": [{"name": "g", "rules": [{"record": "job:errors", "expr": "sum(up)"}]}]}
    assert _ids(doc) == ["rules/recording-name"]


def test_an_alert_without_runbook_or_team_is_reported_with_what_it_lacks() -> None:
    alert = {"alert": "A", "expr": "up == 0", "labels": {"severity": "page", "service": "s"}, "annotations": {"summary": "x", "description": "y"}}
    found = file_findings({"groups": [{"name": "g", "rules": [alert]}]}, "rules.yaml", 60.0)
    assert [d.check for d in found] == ["rules/alert-metadata"]
    assert "label team" in found[0].message and "annotation runbook_url" in found[0].message


def test_a_rate_over_fewer_than_four_scrapes_is_reported_and_four_is_enough() -> None:
    rule = {"record": "a:b:rate30s", "expr": "sum(rate(x_total[30s]))"}
    assert _ids({"groups": [{"name": "g", "rules": [rule]}]}) == ["rules/rate-window"]
    rule = {"record": "a:b:rate1m", "expr": "sum(rate(x_total[1m])) + sum_over_time(a:b:c[30s])"}
    assert _ids({"groups": [{"name": "g", "rules": [rule]}]}) == []


def test_an_expression_that_does_not_parse_is_reported() -> None:
    rule = {"record": "a:b:c", "expr": "sum(rate(x_total[5m])"}
    assert _ids({"groups": [{"name": "g", "rules": [rule]}]}) == ["rules/promql-syntax"]


def test_every_generated_slo_rule_of_the_shop_is_hygienic(tmp_path: Path) -> None:
    plan = plan_of([SHOP])
    scrape = 15.0
    artifacts = write_slo_files(plan, tmp_path)
    rule_files = [a for a in artifacts if a.path.startswith("prometheus/rules/slo/")]
    assert rule_files
    for artifact in rule_files:
        assert file_findings(artifact.data, artifact.path, 4 * scrape) == []


def _catalog(tmp_path: Path, sli: str) -> list[tuple[str, Severity]]:
    (tmp_path / "c.yaml").write_text(
        "apiVersion: lgtmgen/v1\n"
        "teams: [{name: web, notify: {slack: {channel: '#w', api_url_file: /etc/s}}}]\n"
        "tenants: [{name: prod}]\n"
        "services:\n"
        "  - {name: api, team: web, tenant: prod, slos: [{name: fast, objective: 99, sli: " + sli + "}]}\n",
        encoding="utf-8",
    )
    loaded = load_catalog([tmp_path / "c.yaml"])
    return [(d.check, d.severity) for d in loaded.diagnostics if "slo" in d.check or "promql" in d.check]


def test_a_classic_threshold_between_buckets_is_an_error(tmp_path: Path) -> None:
    found = _catalog(tmp_path, "{kind: latency, threshold: 0.3, buckets: [0.1, 0.25, 0.5]}")
    assert found == [("catalog/slo-threshold-not-bucket", Severity.ERROR)]


def test_a_classic_threshold_without_declared_buckets_is_a_warning(tmp_path: Path) -> None:
    assert _catalog(tmp_path, "{kind: latency, threshold: 0.3}") == [("catalog/slo-threshold-unchecked", Severity.WARNING)]


def test_a_native_histogram_threshold_needs_no_buckets(tmp_path: Path) -> None:
    assert _catalog(tmp_path, "{kind: latency, threshold: 0.3, native: true}") == []


def test_the_check_reads_rule_files_and_prometheus_rule_objects_with_the_bundle_scrape_interval(tmp_path: Path) -> None:
    from lgtmgen.artifacts import Role
    from lgtmgen.checks.base import BundleFile, CheckContext
    from lgtmgen.checks.rule_hygiene import METADATA_PATH, RuleHygiene
    from lgtmgen.toolchain.locate import Toolbox

    (tmp_path / "prometheus").mkdir()
    (tmp_path / METADATA_PATH).write_text("scrape_interval: 30s\n", encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(
        "groups: [{name: g, rules: [{record: 'a:b:rate1m', expr: 'sum(rate(x_total[1m]))'}]}]\n", encoding="utf-8"
    )
    (tmp_path / "crd.yaml").write_text(
        "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: x}\n"
        "spec: {groups: [{name: g, rules: [{record: 'no_colons', expr: 'up'}]}]}\n",
        encoding="utf-8",
    )
    files = (
        BundleFile("rules.yaml", Role.PROMETHEUS_RULES, tmp_path / "rules.yaml"),
        BundleFile("crd.yaml", Role.PROMETHEUS_RULE_OBJECT, tmp_path / "crd.yaml"),
    )
    found = RuleHygiene().run(CheckContext(tmp_path, files, Toolbox(None, None, None, None)))
    assert sorted((d.check, d.location.file if d.location else "") for d in found) == [
        ("rules/rate-window", "rules.yaml"),
        ("rules/recording-name", "crd.yaml"),
    ]
