"""The mark rules of a shared cluster's remote write match exactly the series of a selector, with
any label values: checked with RE2, the regex library whose syntax Prometheus' relabelling reads,
anchored as Prometheus anchors a relabel regex (``^(?s:...)$``) on the values joined by ``;``.
(The relabelling itself runs in a real Prometheus in tests/e2e/test_remote_write_isolation.py.)"""

from __future__ import annotations

import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from lgtmgen.generators.prometheus_config import _mark_rules
from lgtmgen.promql import SeriesMatch, matchers, series_matches

LABEL = st.sampled_from(["job", "namespace", "app", "queue"])
VALUE = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters=";"), min_size=1, max_size=12)
"""Any text but `;`, the separator (a value holding one could be read as two: a broader mark only)."""


def _marks(rule: dict[str, object], series: dict[str, str]) -> bool:
    joined = ";".join(series.get(label, "") for label in rule["source_labels"])  # type: ignore[attr-defined]
    return re2.fullmatch(f"(?s:{rule['regex']})", joined) is not None


@settings(max_examples=200, deadline=None)
@given(selector=st.dictionaries(LABEL, VALUE, min_size=1, max_size=3), other=VALUE)
def test_a_mark_rule_matches_the_selectors_series_and_no_other_value(selector: dict[str, str], other: str) -> None:
    (match,) = series_matches(f"requests_total{{{matchers(selector)}}}", regexes=False)
    (rule,) = _mark_rules([SeriesMatch(tuple((k, v) for k, v in match.labels if k != "__name__"))])
    assert _marks(rule, selector)
    for label, value in selector.items():
        if other != value:
            assert not _marks(rule, {**selector, label: other})
