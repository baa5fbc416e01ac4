"""The LogQL builder quotes every value so that it survives, and the structural check reads it back."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lgtmgen.logql import (
    Binary,
    LineFilter,
    LogQuery,
    Matcher,
    Number,
    Parser,
    StreamSelector,
    line_pattern,
    line_pattern_problem,
    pattern_parser_problem,
    pattern_problem,
    sum_count,
    sum_rate,
)
from lgtmgen.logql_syntax import logql_problem, tokenize


@settings(deadline=None)  # a shared two-core machine makes timing meaningless
@given(st.text(min_size=1, max_size=40))
def test_any_label_value_survives_quoting_in_a_selector(value: str) -> None:
    expr = str(StreamSelector.equal({"service_name": value}))
    assert expr.startswith('{service_name="') and expr.endswith('"}')
    # Decoded by an independent reader, not the checker's own unquoting (which mirrors the
    # quoting and would agree with its mistakes): Go's double-quoted escapes \\ \" \n \r \t
    # read the same in JSON, and `strict=False` lets other control characters stand raw as Go does.
    literal = expr[len("{service_name=") : -1]
    assert json.loads(literal, strict=False) == value
    strings = [t for t in tokenize(expr) if t.kind == "string"]
    assert [t.text for t in strings] == [literal]
    assert logql_problem(expr) is None


def test_a_line_filter_with_quotes_and_backslashes_is_escaped() -> None:
    query = LogQuery(StreamSelector.equal({"app": "a"})).then(LineFilter("|=", 'say "hi" \\ bye'))
    assert str(query) == '{app="a"} |= "say \\"hi\\" \\\\ bye"'


def test_a_week_offset_is_written_in_weeks() -> None:
    query = LogQuery(StreamSelector.equal({"app": "a"}))
    assert str(sum_rate(query, 3600, offset=7 * 86400)) == 'sum(rate({app="a"}[1h] offset 1w))'


def test_binary_expressions_parenthesise_their_vector_operands() -> None:
    query = LogQuery(StreamSelector.equal({"app": "a"}))
    expr = Binary(sum_count(query, 300), ">=", Number(3))
    assert str(expr) == '(sum(count_over_time({app="a"}[5m]))) >= 3'
    assert logql_problem(str(expr)) is None


def test_an_invalid_label_name_is_refused_when_rendered() -> None:
    with pytest.raises(ValueError):
        str(Matcher("bad-name", "=", "x"))


def test_an_empty_selector_is_refused() -> None:
    with pytest.raises(ValueError):
        str(StreamSelector(()))


def test_the_pattern_parser_needs_its_expression() -> None:
    with pytest.raises(ValueError):
        str(Parser("pattern"))


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("no captures", "at least one capture"),
        ("<a><b>", "literal text between"),
        ("<a> x <a>", "appears twice"),
        ("<1a> x", "not a label name"),
    ],
)
def test_pattern_expressions_are_checked(pattern: str, problem: str) -> None:
    found = pattern_problem(pattern)
    assert found is not None and problem in found


def test_a_valid_pattern_has_no_problem() -> None:
    assert pattern_problem("<_> call to <service> failed after <duration>") is None


def test_a_line_pattern_keeps_the_literals_and_makes_every_capture_a_wildcard() -> None:
    assert line_pattern("<_> call to <service> failed after <duration>") == (
        "<_> call to <_> failed after <_>"
    )
    # Only Loki's captures (`<` identifier `>`) are captures; other angle brackets are text.
    assert line_pattern("<1a> x <b-c> <d>") == "<1a> x <b-c> <_>"


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("<_> x <d>", "named capture <d>"),
        ("<_><_>", "literal text between"),
    ],
)
def test_line_patterns_are_checked_as_loki_reads_them(pattern: str, problem: str) -> None:
    found = line_pattern_problem(pattern)
    assert found is not None and problem in found


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("<_> x <_>", "named capture"),
        ("no captures", "named capture"),
        ("<a> x <a>", "appears twice"),
        ("<a><_>", "literal text between"),
    ],
)
def test_pattern_parser_expressions_are_checked_as_loki_reads_them(
    pattern: str, problem: str
) -> None:
    found = pattern_parser_problem(pattern)
    assert found is not None and problem in found


@pytest.mark.parametrize(
    ("expr", "problem"),
    [
        ("sum(rate({}[5m]))", "at least one matcher"),
        ('rate({a="b"}[5m)', "unexpected"),
        ('rate({a="b"} |~ "(" [5m])', "invalid regex"),
        ('rate({a="b"} |~ "timeout(?!s)" [5m])', "invalid perl operator"),
        ('{a="b"} | regexp `(?P<x>a)\\1`', "invalid escape sequence"),
        ('{a="b"} | label_format x="y" | x=~"a++"', "bad repetition operator"),
        ('foo({a="b"}[5m])', "unknown function"),
        ('sum(rate({a="b"}[5x]))', "not a range duration"),
        ('{a="b"} | pattern "<a><b>"', "literal text between"),
        # Loki's `|>` filter takes only the wildcard `<_>`; its `| pattern` parser needs a name.
        ('count_over_time({a="b"} |> "<_> x <d>" [5m])', "named capture <d>"),
        ('{a="b"} !> "<d> x"', "named capture <d>"),
        ('{a="b"} | pattern "<_> x <_>"', "named capture"),
        ('{a="b} |= "x"', "unterminated string"),
        ('sum(rate({a="b"}[5m])) >', "expected an expression"),
    ],
)
def test_structural_problems_are_reported(expr: str, problem: str) -> None:
    found = logql_problem(expr)
    assert found is not None and problem in found, found


@pytest.mark.parametrize(
    "expr",
    [
        '{app="a"} | json | level="error" and status >= 500',
        'sum by (error_class) (count_over_time({a="b"} |> "<_> x <_>" | pattern "<_> x <d>" [10m]))',
        '{a="b"} |> "<_>" !> "x <_> <_> y"',
        'topk(5, sum by (path) (rate({a="b"} | logfmt | unwrap duration(latency) [5m])))',
        '{a="b"} |= "x" or "y" != "z" | line_format "{{.msg}}" | drop trace_id',
    ],
)
def test_ordinary_logql_reads_well(expr: str) -> None:
    assert logql_problem(expr) is None


# C1 control characters are left out: the shared YAML emitter writes them raw, which YAML
# readers refuse (reported to the emitter's owner); everything else must survive.
_YAML_SAFE = st.text(
    st.characters(
        exclude_characters=[chr(c) for c in range(0x80, 0xA0)], exclude_categories=["Cs"]
    ),
    min_size=1,
    max_size=40,
)


@settings(deadline=None)
@given(_YAML_SAFE, _YAML_SAFE)
def test_expressions_with_any_values_survive_the_yaml_serialiser(service: str, needle: str) -> None:
    import yaml

    from lgtmgen.render.yaml_emitter import dump_yaml

    query = LogQuery(StreamSelector.equal({"service_name": service})).then(LineFilter("|=", needle))
    expr = str(sum_count(query, 300))
    assert yaml.safe_load(dump_yaml({"expr": expr})) == {"expr": expr}
    assert logql_problem(expr) is None
