"""One RE2 alternation for every regex built from names: PromQL, LogQL, Alertmanager and Grafana."""

from __future__ import annotations

import re2
from hypothesis import given
from hypothesis import strategies as st

from lgtmgen.generators.grafana.queries import regex_of
from lgtmgen.logql import any_of
from lgtmgen.promql import string_literal
from lgtmgen.regex import alternation, re2_escape

names = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12)


@given(st.lists(names, min_size=1, max_size=5), names)
def test_an_alternation_matches_exactly_its_values_in_re2(values: list[str], other: str) -> None:
    pattern = re2.compile(f"^(?:{alternation(values)})$")
    assert all(pattern.search(v) for v in values)
    assert (pattern.search(other) is not None) == (other in values)


def test_only_re2_metacharacters_are_escaped() -> None:
    # Python's re.escape would write `a\-b` and `c\ d`; RE2 needs neither.
    assert re2_escape("a-b c#d/e") == "a-b c#d/e"
    assert re2_escape("a.b|c(d)*") == "a\\.b\\|c\\(d\\)\\*"


def test_logql_promql_and_alertmanager_regexes_share_one_alternation() -> None:
    values = ["x-y", "a b", "a b", "v1.2"]
    assert any_of(values) == alternation(values) == "a b|v1\\.2|x-y"
    assert regex_of(values) == string_literal(alternation(values))

