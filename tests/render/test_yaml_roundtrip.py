"""Whatever plain data a generator builds, the emitter writes YAML that reads back as the same data."""

from __future__ import annotations

import io
import math
from typing import Any

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from lgtmgen.render.yaml_emitter import Commented, dump_yaml, forget_shared, render_shared

TRICKY_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "yes",
        "No",
        "on",
        "OFF",
        "y",
        "n",
        "null",
        "~",
        "true",
        "False",
        "NaN",
        ".inf",
        "-.inf",
        "0",
        "007",
        "0x1F",
        "0o17",
        "1e3",
        "1_000",
        "+1",
        "-",
        "--- ",
        "...",
        "- item",
        "? key",
        ": v",
        "a: b",
        "a #b",
        "#comment",
        "&anchor",
        "*alias",
        "!tag",
        "%directive",
        "@at",
        "`tick",
        "|",
        ">",
        "'single'",
        '"double"',
        "back\\slash",
        "line\nbreak",
        "trailing\n",
        "\n",
        "tab\there",
        " leading",
        "trailing ",
        "café",
        "日本語",
        "emoji 🚀",
        "\u2028",
        "\ufeff",
        "30s",
        "1h30m",
        "2024-01-01",
        "12:30",
        "{a}",
        "[a]",
        "a,b",
        "=",
        "<<",
    ]
)
STRINGS = st.one_of(TRICKY_STRINGS, st.text(st.characters(exclude_categories=("Cs",)), max_size=30))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=True),
    STRINGS,
)
DATA = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(STRINGS, children, max_size=5),
    ),
    max_leaves=30,
)


def equal(a: Any, b: Any) -> bool:
    """Structural equality where 1.0 and 1 differ and floats compare by value."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, float) or isinstance(b, float):
        return type(a) is type(b) and (a == b or (math.isnan(a) and math.isnan(b)))
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(equal, a, b))
    return type(a) is type(b) and a == b


def load_with_ruamel(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(io.StringIO(text))


@settings(max_examples=300, deadline=None)
@given(DATA)
def test_pyyaml_reads_back_exactly_what_was_dumped(data: Any) -> None:
    assert equal(yaml.safe_load(dump_yaml(data)), data)


@settings(max_examples=300, deadline=None)
@given(DATA)
def test_ruamel_reads_back_exactly_what_was_dumped(data: Any) -> None:
    assert equal(load_with_ruamel(dump_yaml(data)), data)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(STRINGS, DATA, min_size=1, max_size=4),
    STRINGS,
    st.lists(DATA, min_size=1, max_size=3),
)
def test_comments_never_change_the_data(
    mapping: dict[str, Any], comment: str, items: list[Any]
) -> None:
    key = next(iter(mapping))
    commented = dict(mapping)
    commented[key] = Commented(mapping[key], comment)
    listed = [Commented(items[0], comment), *items[1:]]
    document = {"mapping": commented, "list": listed}
    expected = {"mapping": mapping, "list": items}
    text = dump_yaml(document)
    assert equal(yaml.safe_load(text), expected)
    assert equal(load_with_ruamel(text), expected)


@settings(max_examples=200, deadline=None)
@given(DATA)
def test_what_one_dump_leaves_in_the_emitters_caches_does_not_change_the_next(data: Any) -> None:
    # Not a test of determinism across processes (tests/writer/test_determinism.py builds under
    # several hash seeds): the flat-mapping cache a dump fills must not alter the dump after it.
    assert dump_yaml(data) == dump_yaml(data)


@given(st.one_of(st.dictionaries(STRINGS, DATA, min_size=1, max_size=4), st.lists(DATA, min_size=1, max_size=3)))
@example({"expr": "first\n\nafter an empty line", "rules": [{"x": "p\n\nq"}, Commented({"c": 1}, "why")]})
def test_a_shared_value_renders_the_same_bytes_at_every_depth(shared: Any) -> None:
    def document(value: Any) -> Any:
        return {"top": value, "nested": {"list": [value, {"deeper": value}]}, "items": [value]}

    expected = dump_yaml(document(shared))
    render_shared(shared)
    try:
        first, again = dump_yaml(document(shared)), dump_yaml(document(shared))
    finally:
        forget_shared()
    assert first == expected and again == expected


@given(st.dictionaries(STRINGS, STRINGS, min_size=1, max_size=5))
def test_one_mapping_embedded_many_times_renders_as_its_copies_would(labels: dict[str, str]) -> None:
    """The emitter remembers a mapping's lines by identity within one dump (an expected alert at
    every check of a test file): at every depth, and in the next dump, the bytes are the copies'."""
    import copy

    def document(value: dict[str, str]) -> Any:
        return {"a": value, "b": [{"exp_labels": value, "n": 1}, value], "c": {"d": {"e": value}}, "f": [[value]]}

    expected = dump_yaml(copy.deepcopy(document(labels)))
    assert dump_yaml(document(labels)) == expected
    labels[next(iter(labels))] = "changed between dumps"
    assert dump_yaml(document(labels)) == dump_yaml(copy.deepcopy(document(labels)))


@given(st.lists(DATA, min_size=1, max_size=3))
def test_a_shared_value_kept_compressed_renders_the_same_bytes(shared: list[Any]) -> None:
    import lgtmgen.render.yaml_emitter as emitter

    document = {"a": shared, "b": [{"c": shared}], "d": shared}
    expected = dump_yaml(document)
    budget = emitter._PLAIN_BUDGET
    emitter._PLAIN_BUDGET = 0  # every kept rendering goes to the compressed tier
    render_shared(shared)
    try:
        first, again = dump_yaml(document), dump_yaml(document)
        assert type(emitter._SHARED[id(shared)][1]) is bytes
    finally:
        emitter._PLAIN_BUDGET = budget
        forget_shared()
    assert first == expected and again == expected


@given(st.text())
@example('sum(rate(x{job="a\\\\b"}[5m]))')
@example("tab\there, nul\x00, line\u2028")
def test_quoting_without_control_characters_escapes_exactly_like_the_general_rule(text: str) -> None:
    from lgtmgen.render.yaml_emitter import _NEEDS_ESCAPE, _escape_char, quote

    assert quote(text) == '"' + _NEEDS_ESCAPE.sub(_escape_char, text) + '"'


@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "\u00a0", "\u3000", "\x0b", "\x1c", "\x85", "b"])))
@example("a\n \nb")
@example("a\n\nb")
def test_a_literal_block_is_refused_exactly_when_a_line_is_whitespace_only(text: str) -> None:
    from lgtmgen.render.yaml_emitter import _BLANK_LINE

    assert (_BLANK_LINE.search(text) is None) == all(line.strip() or not line for line in text.split("\n"))
