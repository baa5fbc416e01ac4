"""An SLO may not be grouped by a label its rules and alerts set or rely on.

The rules set `service` and `slo` on every recorded series, the alerts `severity`, `team`, `tier`,
... on top: grouping by one of them gave series the rules overwrite, and with `group_by: [service]`
the bundle's own promtool tests failed. `validate` refuses such a label where it is listed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lgtmgen.catalog.models import Catalog
from lgtmgen.catalog.models.slo import RESERVED_GROUP_BY_LABELS, SLO_ALERT_LABELS, SLO_SERIES_LABELS
from lgtmgen.generators.slo.groups import slo_rule_groups
from lgtmgen.plan import build_plan
from tests.support import errors_of, load_catalog_document, one_service_catalog

RESERVED_MESSAGE = (
    "(reserved: alertname, le, long_window, service, severity, short_window, sli_kind, slo, team, tenant, tier, "
    "and names starting with __)"
)


def catalog(group_by: list[str], sli: dict[str, Any] | None = None) -> dict[str, Any]:
    slo = {
        "name": "latency",
        "objective": 99.9,
        "sli": sli or {"kind": "latency", "threshold": 0.5, "buckets": [0.1, 0.5, 1]},
        "group_by": group_by,
        "alerting": {"min_events": 10},
    }
    return one_service_catalog(slo, {"selector": {"job": "api"}, "duration_metric": "http_request_duration_seconds"})


@pytest.mark.parametrize(
    "label",
    ["service", "slo", "severity", "team", "tier", "tenant", "sli_kind", "long_window", "short_window", "le", "alertname"],
)
def test_a_label_the_slo_rules_set_or_rely_on_is_refused_where_it_is_listed(tmp_path: Path, label: str) -> None:
    assert errors_of(tmp_path, catalog(["route", label])) == [
        (
            "catalog/slo-group-by-reserved",
            "services[0].slos[0].group_by[1]",
            f"group_by cannot list {label!r}: the SLO's rules and alerts set or rely on it {RESERVED_MESSAGE}",
        )
    ]


@pytest.mark.parametrize("label", ["__name__", "__replica__"])
def test_a_label_prometheus_reserves_is_refused(tmp_path: Path, label: str) -> None:
    assert errors_of(tmp_path, catalog([label])) == [
        (
            "catalog/slo-group-by-reserved",
            "services[0].slos[0].group_by[0]",
            (
                f"group_by cannot list {label!r}: labels starting with __ are reserved for Prometheus' internal use "
                f"{RESERVED_MESSAGE}"
            ),
        )
    ]


def test_the_diagnostic_points_at_the_label_in_the_file(tmp_path: Path) -> None:
    _, diagnostics = load_catalog_document(tmp_path, catalog(["service"]))
    (found,) = [d for d in diagnostics if d.is_error]
    assert found.location is not None and found.source_line is not None
    assert found.source_line[found.location.column - 1 :].startswith("service")


@pytest.mark.parametrize("group_by", [["route"], ["cluster"], ["route", "cluster", "code"], ["job_name", "service_name"]])
def test_labels_of_the_series_and_cluster_may_be_listed(tmp_path: Path, group_by: list[str]) -> None:
    assert errors_of(tmp_path, catalog(group_by)) == []


def test_the_reserved_labels_are_every_label_the_slo_rules_set_and_the_two_they_rely_on(tmp_path: Path) -> None:
    # Every SLO rule kind: records, page and ticket burn alerts (with min_events), absent, exhausted.
    plan, diagnostics = load_catalog_document(tmp_path, catalog(["route"]))
    assert plan is not None, [str(d) for d in diagnostics]
    groups = slo_rule_groups(list(plan.slos), "https://grafana.example.com", "api")
    rules = [rule for group in groups for rule in group["rules"]]
    records = {key for rule in rules if "record" in rule for key in rule["labels"]}
    alerts = {key for rule in rules if "alert" in rule for key in rule["labels"]}
    assert {rule["alert"] for rule in rules if "alert" in rule} == {
        "SLOErrorBudgetBurn",
        "SLOMetricsAbsent",
        "SLOErrorBudgetExhausted",
    }
    assert records == set(SLO_SERIES_LABELS)
    assert alerts == set(SLO_ALERT_LABELS)
    # Prometheus sets alertname on every alert; the classic latency SLI reads the threshold's `le` bucket.
    assert RESERVED_GROUP_BY_LABELS == records | alerts | {"alertname", "le"}
    assert any('le="0.5"' in rule["expr"] for rule in rules if "record" in rule)


def test_without_the_check_the_rules_would_overwrite_the_grouped_label(tmp_path: Path) -> None:
    # The plan of the refused catalog builds: its records sum by service, then set service themselves.
    document = catalog(["service"], {"kind": "availability"})
    _, diagnostics = load_catalog_document(tmp_path, document)
    assert [d.check for d in diagnostics if d.is_error] == ["catalog/slo-group-by-reserved"]
    plan = build_plan(Catalog.model_validate(document))
    (slo,) = plan.slos
    assert slo.group_by == ("cluster", "service")
    (record, *_) = [r for g in slo_rule_groups([slo], "https://g", "api") for r in g["rules"] if "record" in r]
    assert "sum by (cluster, service)" in record["expr"] and record["labels"]["service"] == "api"
