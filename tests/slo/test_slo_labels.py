"""Label sets for test series: the cached search gives what the search over the full base gives."""

from __future__ import annotations

import pytest

from lgtmgen.generators.slo.labels import Matcher, _label_set, label_set, selector_matchers


def _selector(text: str) -> tuple[Matcher, ...]:
    found = selector_matchers(text)
    assert found is not None
    return found


def _straightforward(
    base: dict[str, str], matching: list[tuple[Matcher, ...]], failing: list[tuple[Matcher, ...]]
) -> dict[str, str] | None:
    found = _label_set.__wrapped__(tuple(base.items()), tuple(matching), tuple(failing), ())
    return None if found is None else dict(found)


CASES = {
    "base labels no selector names": (
        ['http_requests_total{job="api"}', 'http_requests_total{job="api",code=~"5.."}'],
        [],
    ),
    "a selector names the cluster": (['http_requests_total{job="api",cluster=~"prod|test-cluster"}'], []),
    "a selector overrides the cluster": (['http_requests_total{job="api",cluster="prod"}'], []),
    "a failing selector names the cluster": (['up{job="api"}'], ['up{cluster="test-cluster"}']),
    "a failing selector names a group_by label": (['up{job="api"}'], ['up{region=~"t.*"}']),
    "nothing satisfies both": (['up{job="api"}'], ['up{job="api"}']),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("cluster", ["test-cluster", "test-cluster-2"])
def test_label_set_equals_the_search_over_the_full_base(case: str, cluster: str) -> None:
    matching, failing = ([_selector(s) for s in group] for group in CASES[case])
    base = {"cluster": cluster, "region": "test"}
    found, expected = label_set(base, matching, failing), _straightforward(base, matching, failing)
    # In order too: the series text follows it.
    assert (None if found is None else list(found.items())) == (None if expected is None else list(expected.items()))


def test_labels_no_selector_names_follow_the_base_in_order() -> None:
    found = label_set({"cluster": "c2", "region": "test"}, [_selector('up{job="api"}')], [])
    assert found is not None
    assert list(found.items()) == [("__name__", "up"), ("job", "api"), ("cluster", "c2"), ("region", "test")]


@pytest.mark.parametrize("op", ["=~", "!~"])
def test_an_invalid_regex_matches_nothing_whatever_the_operator(op: str) -> None:
    assert not Matcher("code", op, "5(").matches({"code": "500"})


def test_label_values_are_matched_by_re2_as_prometheus_matches_them() -> None:
    """Python's `re` takes exponential time on `(a+)+` against 'aaa…b' (a catalog regex built into
    the SLO tests ran for minutes); RE2, Prometheus' engine, is linear and refuses what Go refuses,
    such as a backreference."""
    from lgtmgen.generators.slo.labels import _fullmatch

    assert _fullmatch(r"(a)\1", "aa") is None  # first: Python's re matches it, and would hang below
    assert _fullmatch("(a+)+", "a" * 64 + "b") is False
    assert _fullmatch("(a+)+", "a" * 64) is True
