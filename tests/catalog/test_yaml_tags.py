"""Explicit YAML core tags: honoured when they hold what they name, refused otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from lgtmgen.catalog.source import parse_yaml


def _value(text: str) -> Any:
    data, problems = parse_yaml(f"value: {text}\n", "c.yaml")
    assert problems == [], [str(p) for p in problems]
    return data["value"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("!!str 123", "123"),
        ("!!str true", "true"),
        ("!!str ~", "~"),
        ("!!int 0x1F", 31),
        ('!!int "42"', 42),
        ("!!float 1", 1.0),
        ("!!float -2.5e3", -2500.0),
        ("!!bool FALSE", False),
        ("!!null ~", None),
        ("!!seq [1, a]", [1, "a"]),
        ("!!map {a: 1}", {"a": 1}),
        ("123", 123),  # untagged scalars still resolve with the core schema
    ],
)
def test_core_tags_give_the_type_they_name(text: str, value: Any) -> None:
    got = _value(text)
    assert got == value and isinstance(got, type(value))  # SourceList/SourceMap for collections
    assert isinstance(got, bool) == isinstance(value, bool)  # 1 == True in Python


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("!!int 1.5", "'1.5' is not a valid !!int value"),
        ("!!int true", "'true' is not a valid !!int value"),
        ("!!bool yes", "'yes' is not a valid !!bool value"),
        ("!!null 0", "'0' is not a valid !!null value"),
        ("!!binary aGk=", "YAML tags such as !!binary are not supported"),
        ("!custom 1", "YAML tags such as !custom are not supported"),
    ],
)
def test_a_tag_that_does_not_fit_its_value_or_is_unknown_is_refused(text: str, message: str) -> None:
    data, problems = parse_yaml(f"value: {text}\n", "c.yaml")
    assert data is None
    assert [(p.check, p.location.line if p.location else 0) for p in problems] == [("yaml/tag", 1)]
    assert message in problems[0].message
