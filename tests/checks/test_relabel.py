"""The relabel evaluator answers what a remote write may do to a series whose labels are partly
known: dropped only when it is dropped whatever the unknown labels hold."""

from __future__ import annotations

from typing import Any

import pytest
import re2

from lgtmgen.checks.tenancy.delivery import Delivery, keeps
from lgtmgen.checks.tenancy.relabel import compile_rules, expand, may_hold, relabel
from lgtmgen.checks.tenancy.rule_series import Selector
from lgtmgen.checks.tenancy.wiring import PrometheusConfig, RemoteWrite
from lgtmgen.generators.prometheus_config import write_relabel_configs
from lgtmgen.promql import SelectedMetrics, SeriesMatch

KEEP = [{"source_labels": ["__name__"], "regex": "up|http_requests_total", "action": "keep"}]


def _series(**labels: str) -> dict[str, frozenset[str] | None]:
    return {name: frozenset({value}) for name, value in labels.items()}


def test_a_keep_list_by_name_keeps_its_names_and_drops_the_rest() -> None:
    assert relabel(KEEP, _series(__name__="up")) is not None
    assert relabel(KEEP, _series(__name__="http_requests_total", job="x")) is not None
    assert relabel(KEEP, _series(__name__="http_requests_total_x")) is None


def test_a_rule_over_an_unknown_label_may_go_either_way() -> None:
    rules = [{"source_labels": ["job"], "regex": "api", "action": "keep"}]
    assert relabel(rules, _series(__name__="x")) is not None
    assert relabel(rules, _series(__name__="x", job="web")) is None


def test_a_reserved_label_no_series_holds_is_absent_not_unknown() -> None:
    rules = [{"source_labels": ["__tmp_mark", "__name__"], "regex": "yes;x", "action": "keep"}]
    assert relabel(rules, _series(__name__="x")) is None
    assert relabel(rules, _series(__name__="x", __tmp_mark="yes")) is not None


def _shared_chain() -> list[dict[str, Any]]:
    """A shared cluster's chain as lgtmgen writes it: marks by job, keep when marked, by name otherwise."""
    owned = SelectedMetrics(frozenset({"http_requests_total"}))
    marks = [SeriesMatch((("job", "api"),))]
    platform_up = SeriesMatch((("__name__", "up"), ("job", "(?:prometheus)")))
    return write_relabel_configs(owned, marks, SelectedMetrics(frozenset({"kube_pod_status_ready"})), platform_up)


def test_the_mark_chain_of_a_shared_cluster_keeps_a_tenants_series_only_when_marked() -> None:
    chain = _shared_chain()
    assert relabel(chain, _series(__name__="http_requests_total", job="api")) is not None
    assert relabel(chain, _series(__name__="http_requests_total", job="worker")) is None
    assert relabel(chain, _series(__name__="kube_pod_status_ready", job="worker")) is not None
    assert relabel(chain, _series(__name__="up", job="prometheus")) is not None
    assert relabel(chain, _series(__name__="up", job="kube-apiserver")) is None
    kept = relabel(chain, _series(__name__="http_requests_total", job="api"))
    assert kept is not None and kept["__tmp_lgtmgen_tenant_series"] == frozenset({""})  # dropped again


def test_a_replace_writes_what_its_regex_captured_as_go_expands_it() -> None:
    rules = [{"source_labels": ["job"], "regex": "(.+)-(?P<env>prod|dev)", "target_label": "env", "replacement": "${env}_$1", "action": "replace"}]
    assert relabel(rules, _series(__name__="x", job="api-prod")) == {**_series(__name__="x", job="api-prod"), "env": frozenset({"prod_api"})}
    unmatched = relabel(rules, _series(__name__="x", job="api"))
    assert unmatched is not None and unmatched.get("env") is None  # left as it was: any value


@pytest.mark.parametrize(
    ("template", "expanded"),
    [("$1", "a"), ("${1}x", "ax"), ("$1x", ""), ("$$1", "$1"), ("$name", "b"), ("$9", ""), ("$-", "$-")],
)
def test_replacement_templates_expand_as_go_does(template: str, expanded: str) -> None:
    compiled = re2.compile("(a)(?P<name>b)")
    assert expand(template, compiled.fullmatch("ab"), compiled.groupindex) == expanded


def test_a_matcher_on_possible_values() -> None:
    assert may_hold(frozenset({"a", "b"}), "=", "a") and not may_hold(frozenset({"b"}), "=", "a")
    assert may_hold(frozenset({"a", "b"}), "!=", "a") and not may_hold(frozenset({"a"}), "!=", "a")
    assert may_hold(frozenset({"checkout"}), "=~", "check.*") and not may_hold(frozenset({"checkout"}), "!~", "check.*")
    assert may_hold(None, "=", "anything")


@pytest.mark.parametrize(
    "first",
    [
        {"action": "labelmap", "regex": "foo_(.+)"},
        {"source_labels": ["job"], "regex": "(.*)", "target_label": "x_$1"},
    ],
    ids=["labelmap", "target from the values"],
)
def test_after_a_rule_that_may_change_any_label_the_name_is_unknown_too(first: dict[str, Any]) -> None:
    # Not absent: a later keep on __name__ may go either way, so the series is not reported dropped.
    keep = {"source_labels": ["__name__"], "regex": "http_requests_total", "action": "keep"}
    assert relabel([first, keep], _series(__name__="http_requests_total")) is not None


def test_the_remembered_answers_agree_with_the_evaluator_under_a_labelkeep() -> None:
    # A labelkeep removes the labels its regex does not match: a matcher on `service` is touched.
    rules = [{"action": "labelkeep", "regex": "__name__|cluster|job"}]
    write = RemoteWrite(0, "mimir", "t", tuple(rules), compile_rules(rules))
    config = PrometheusConfig("p.yml", "prometheus/clusters/c", {}, {"cluster": "c"}, (write,), ())
    selector = Selector("http_requests_total", (("service", "=", "checkout"),))
    assert keeps(config, write, selector) is False
    assert Delivery().keeps(config, write, selector) is False


def test_a_relabel_regex_written_null_is_prometheus_empty_regex() -> None:
    drop_empty = [{"source_labels": ["job"], "regex": None, "action": "drop"}]
    assert relabel(drop_empty, {"__name__": frozenset({"up"}), "job": frozenset({""})}) is None
    assert relabel(drop_empty, {"__name__": frozenset({"up"}), "job": frozenset({"api"})}) is not None
