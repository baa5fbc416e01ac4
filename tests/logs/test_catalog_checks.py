"""Catalog problems of the logs area: each a diagnostic with a stable id at its catalog path."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.logs.conftest import Loader, base_catalog


def problems(load: Loader, doc: dict[str, Any]) -> list[tuple[str, str | None]]:
    _, diagnostics = load(doc)
    return [(d.check, d.path) for d in diagnostics if d.severity.value == "error"]


def test_the_base_catalog_has_no_logs_problem(load: Loader) -> None:
    assert problems(load, base_catalog()) == []


def test_a_regex_format_without_a_level_group_is_refused(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][1]["logs"]["regex"] = "^(?P<severity>[A-Z]+) (?P<msg>.*)$"
    assert problems(load, doc) == [("catalog/logs-regex-format", "services[1].logs.regex")]


def test_a_regex_format_without_a_regex_is_refused(load: Loader) -> None:
    doc = base_catalog()
    del doc["services"][1]["logs"]["regex"]
    assert problems(load, doc) == [("catalog/logs-regex-format", "services[1].logs.format")]


def test_an_invalid_error_class_regex_is_refused(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][0]["logs"]["error_classes"][1]["regex"] = "(unclosed"
    assert problems(load, doc) == [
        ("catalog/logs-invalid-regex", "services[0].logs.error_classes[1].regex")
    ]


@pytest.mark.parametrize(
    "regex",
    [
        "timeout(?=ms)",  # lookahead
        "(?<!debug )error",  # lookbehind
        "(code=\\d+) again \\1",  # backreference
        "x++",  # possessive quantifier
        "end\\Z",  # Python's end-of-string anchor; RE2 spells it \z
        "a{1001}",  # RE2 repeats at most 1000 times
    ],
)
def test_regexes_go_re2_refuses_are_refused_though_python_accepts_them(
    load: Loader, regex: str
) -> None:
    re.compile(regex)  # the old Python check let each of these through
    doc = base_catalog()
    doc["services"][0]["logs"]["error_classes"][1]["regex"] = regex
    doc["logs"]["rules"] = {"security_patterns": [{"name": "probe", "regex": regex}]}
    assert problems(load, doc) == [
        ("catalog/logs-invalid-regex", "logs.rules.security_patterns[0].regex"),
        ("catalog/logs-invalid-regex", "services[0].logs.error_classes[1].regex"),
    ]


def test_a_format_regex_with_lookahead_is_refused_and_re2_named_groups_are_read(
    load: Loader,
) -> None:
    doc = base_catalog()
    doc["services"][1]["logs"]["regex"] = "^(?P<level>[A-Z]+)(?= ) (?P<msg>.*)$"
    assert problems(load, doc) == [("catalog/logs-invalid-regex", "services[1].logs.regex")]
    doc["services"][1]["logs"]["regex"] = "^(?<level>[A-Z]+) (?P<msg>.*)$"  # Go's other group syntax
    assert problems(load, doc) == []


def test_an_invalid_recurring_pattern_is_refused(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][0]["logs"]["recurring_errors"][0]["pattern"] = "<a><b>"
    assert problems(load, doc) == [
        ("catalog/logs-pattern", "services[0].logs.recurring_errors[0].pattern")
    ]


def test_two_retentions_for_one_level_are_refused(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][0]["logs"]["retention"].append({"level": "debug", "period": "1d"})
    assert problems(load, doc) == [
        ("catalog/logs-duplicate-retention", "services[0].logs.retention[2].level")
    ]


def test_a_scalable_loki_on_a_local_filesystem_is_refused(load: Loader) -> None:
    doc = base_catalog()
    doc["logs"]["deployment"] = "scalable"
    assert problems(load, doc) == [("catalog/logs-storage", "logs.storage.backend")]


def test_a_tenant_tier_that_logs_does_not_define_is_refused(load: Loader) -> None:
    doc = base_catalog()
    doc["tenants"][1]["tier"] = "silver"
    assert problems(load, doc) == [("catalog/logs-unknown-tier", "tenants[1].tier")]


def test_reserved_stream_labels_are_refused(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][2]["logs"]["stream_labels"] = {"level": "info"}
    assert problems(load, doc) == [
        ("catalog/logs-reserved-label", "services[2].logs.stream_labels.level")
    ]


@pytest.mark.parametrize("field", ["formt", "retention_days"])
def test_unknown_fields_of_service_logs_are_refused(load: Loader, field: str) -> None:
    doc = base_catalog()
    doc["services"][2]["logs"][field] = "x"
    assert problems(load, doc) == [("catalog/unknown-field", f"services[2].logs.{field}")]


@pytest.mark.parametrize("name", ["Checkout", "payments_api", "api.v2", "checkout service"])
def test_a_service_name_no_pod_can_carry_needs_a_declared_workload(load: Loader, name: str) -> None:
    # No pod or container can have this name, so the default log files would never match.
    doc = base_catalog()
    doc["services"][0]["name"] = name
    assert problems(load, doc) == [("catalog/logs-workload", "services[0].logs")]
    doc["services"][0]["logs"]["workload"] = "checkout"
    assert problems(load, doc) == []


def test_a_workload_must_be_a_kubernetes_name(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][0]["logs"]["container"] = "App"
    assert [p for p, _ in problems(load, doc)] == ["catalog/invalid-format"]


def test_log_retentions_below_a_day_are_refused_where_they_are_set(load: Loader) -> None:
    # Loki refuses a stream retention under 24h when it loads its limits (a crash loop at start,
    # a failed reload of the runtime file) and documents 24h as the least retention period.
    doc = base_catalog()
    doc["logs"]["default_retention"] = "12h"
    doc["logs"]["tiers"]["bronze"]["retention"] = "23h59m"
    doc["services"][0]["logs"]["retention"][0]["period"] = "6h"
    assert sorted(problems(load, doc)) == [
        ("catalog/logs-retention-too-short", "logs.default_retention"),
        ("catalog/logs-retention-too-short", "logs.tiers.bronze.retention"),
        ("catalog/logs-retention-too-short", "services[0].logs.retention[0].period"),
    ]
    doc["logs"]["default_retention"] = "24h"
    doc["logs"]["tiers"]["bronze"]["retention"] = "1d"
    doc["services"][0]["logs"]["retention"][0]["period"] = "1d"
    assert problems(load, doc) == []
