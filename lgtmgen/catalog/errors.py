"""Turn pydantic validation errors into catalog diagnostics with positions and hints."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from lgtmgen.catalog.models.base import (
    DURATION_PATTERN,
    IDENTIFIER_PATTERN,
    LABEL_NAME_PATTERN,
    METRIC_NAME_PATTERN,
    SECRET_FILE_PATTERN,
    WEB_URL_PATTERN,
    Duration,
    parse_duration,
)
from lgtmgen.catalog.positions import PathStep, format_path, locate, source_line
from lgtmgen.diagnostics import Diagnostic

_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "int_from_float": "an integer",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation may hold (Annotated, Optional and unions opened)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    return [annotation]


def model_at(root: type[BaseModel], path: list[PathStep]) -> type[BaseModel] | None:
    """The model class found at `path` inside `root` (discriminator steps pick the member)."""
    current: list[Any] = [root]
    for step in path:
        following: list[Any] = []
        for candidate in current:
            origin = typing.get_origin(candidate)
            if isinstance(step, int) and origin is list:
                following.extend(_unwrap(typing.get_args(candidate)[0]))
            elif isinstance(step, str) and origin is dict:
                following.extend(_unwrap(typing.get_args(candidate)[1]))
            elif isinstance(candidate, type) and issubclass(candidate, BaseModel):
                field = _field(candidate, step)
                if field is not None:
                    following.extend(_unwrap(field))
                elif isinstance(step, str):
                    following.append(candidate)
        members = [
            c
            for c in following
            if isinstance(c, type) and issubclass(c, BaseModel) and _tag_of(c) == step
        ]
        current = members or following
    models = [c for c in current if isinstance(c, type) and issubclass(c, BaseModel)]
    return models[0] if len(models) == 1 else None


def _tag_of(model: type[BaseModel]) -> str | None:
    kind = model.model_fields.get("kind")
    if kind is None or typing.get_origin(kind.annotation) is not typing.Literal:
        return None
    args = typing.get_args(kind.annotation)
    return str(args[0]) if len(args) == 1 else None


def _field(model: type[BaseModel], step: PathStep) -> Any:
    if not isinstance(step, str):
        return None
    for name, info in model.model_fields.items():
        if step in (name, info.alias):
            return info.annotation
    return None


def field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _suggestable(model: type[BaseModel]) -> list[str]:
    """The fields a hint may name: not those kept only to refuse a literal secret (a receiver's
    `routing_key`), which would be refused in turn."""
    refused = getattr(model, "LITERAL_SECRETS", {})
    return [name for name in field_names(model) if name not in refused]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_duration(root: type[BaseModel], path: list[PathStep]) -> bool:
    """Whether the field at `path` holds a duration (a number there lacks its unit)."""
    model = model_at(root, path[:-1]) if path else None
    if model is None:
        return False
    for name, info in model.model_fields.items():
        if path[-1] in (name, info.alias):
            # A plain Duration field keeps its pattern in the metadata; an optional one in its union.
            patterns = [getattr(m, "pattern", None) for m in info.metadata]
            return DURATION_PATTERN in patterns or any(a == Duration for a in typing.get_args(info.annotation))
    return False


def _field_description(root: type[BaseModel], path: list[PathStep]) -> str | None:
    """The description of the field at `path` (the catalog reference's words for it)."""
    model = model_at(root, path[:-1]) if path else None
    if model is None:
        return None
    for name, info in model.model_fields.items():
        if path[-1] in (name, info.alias):
            return info.description
    return None


def _seconds_of(value: object) -> str | None:
    """A duration written where a number of seconds belongs (`300ms`, `2s`), as that number."""
    if not isinstance(value, str):
        return None
    try:
        return f"{parse_duration(value.strip()):g}"
    except ValueError:
        return None


def _objective_message(value: object) -> tuple[str, str, str]:
    """An objective out of range; a ratio such as 0.999 is named as one, with its percentage."""
    if isinstance(value, int | float) and _is_number(value) and 0 < value < 1:
        as_percent = f"{round(value * 100, 10):g}"
        return (
            "catalog/out-of-range",
            f"objective: {_describe(value)} is a ratio, but objectives are percentages",
            f"write {as_percent} for {as_percent} %",
        )
    if isinstance(value, int | float) and _is_number(value) and value == 100:
        return (
            "catalog/out-of-range",
            f"objective: {_describe(value)} leaves no error budget; an objective is a percentage below 100",
            "no service meets 100%: write what its users need, such as 99.9 (43 minutes a month)",
        )
    return (
        "catalog/out-of-range",
        f"objective: {_describe(value)} is not a percentage from 1 to below 100",
        "write the objective as a percentage such as 99.9",
    )


def _misplaced(root: type[BaseModel], path: list[PathStep], model: type[BaseModel]) -> str | None:
    """A hint when an unknown field is a field of an enclosing entry: its indentation is off."""
    name = path[-1]
    for depth in range(len(path) - 2, -1, -1):
        enclosing = model_at(root, path[:depth])
        if enclosing is not None and enclosing is not model and name in field_names(enclosing):
            return (
                f"{name!r} is a field of the enclosing {enclosing.__name__}, not of {model.__name__}: "
                "is it indented too far?"
            )
    return None


def _message(
    error: ErrorDetails, root: type[BaseModel], path: list[PathStep], shown: list[PathStep]
) -> tuple[str, str, str | None]:
    kind = error["type"]
    named = [step for step in shown if isinstance(step, str)]
    name = named[-1] if named else "catalog"
    if kind == "extra_forbidden":
        model = model_at(root, path[:-1])
        hint = None
        if model is not None:
            valid = _suggestable(model)
            close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else _misplaced(root, path, model) or (
                "valid fields: " + ", ".join(valid)
            )
        return "catalog/unknown-field", f"unknown field {name!r}", hint
    if kind == "missing":
        return "catalog/missing-field", f"missing required field {name!r}", None
    if kind in _TYPE_NAMES:
        value = error["input"]
        if kind == "string_type" and _is_duration(root, path) and _is_number(value):
            return (
                "catalog/wrong-type",
                f"{name}: expected a duration such as 30s, got {_describe(value)}",
                f"a duration needs its unit: {value}s, {value}m, {value}h or {value}d",
            )
        hint = None
        if name == "objective" and isinstance(value, str) and value.strip().endswith("%"):
            hint = f"write the percentage without its sign: {value.strip().removesuffix('%').strip()}"
        elif kind in ("float_type", "float_parsing") and (seconds := _seconds_of(value)) is not None:
            hint = f"a number of seconds, without a unit: {seconds} for {value}"
        return "catalog/wrong-type", f"{name}: expected {_TYPE_NAMES[kind]}, got {_describe(value)}", hint
    if kind in ("greater_than", "less_than", "greater_than_equal", "less_than_equal"):
        if name == "objective":
            return _objective_message(error["input"])
        return "catalog/out-of-range", f"{name}: {error['msg'].replace('Input', 'value')}", None
    if kind in ("string_pattern_mismatch", "string_too_short", "string_too_long"):
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        # A pattern without words of its own is explained by its field's description (`09:00`).
        described = _field_description(root, path) if pattern and pattern not in _PATTERN_WORDS else None
        return (
            "catalog/invalid-format",
            f"{name}: {_describe(error['input'])} {_pattern_text(error)}",
            described,
        )
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return (
            "catalog/invalid-value",
            f"{name}: expected {expected}, got {_describe(error['input'])}",
            None,
        )
    if kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        return (
            "catalog/invalid-value",
            f"kind: expected one of {ctx.get('expected_tags', '')}, got {ctx.get('tag', '')!r}",
            None,
        )
    if kind == "union_tag_not_found":
        return (
            "catalog/missing-field",
            f"{name}: missing 'kind' (which kind of {name} this is)",
            None,
        )
    if kind == "value_error":
        text = error["msg"].removeprefix("Value error, ")
        return "catalog/invalid-value", f"{name}: {text}", None
    return "catalog/invalid-value", f"{name}: {error['msg']}", None


_PATTERN_WORDS = {
    IDENTIFIER_PATTERN: "is not an identifier (lower-case letters, digits, '-' and '_', at most 63)",
    DURATION_PATTERN: "is not a duration such as 30s, 5m, 1h30m or 30d",
    LABEL_NAME_PATTERN: "is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)",
    METRIC_NAME_PATTERN: "is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)",
    SECRET_FILE_PATTERN: "is not an absolute file path (secrets are referenced by file)",
    WEB_URL_PATTERN: "is not an http(s) URL without user or password, spaces, '$', braces or quotes",
}


def _pattern_text(error: ErrorDetails) -> str:
    ctx = error.get("ctx", {})
    if "pattern" in ctx:
        return _PATTERN_WORDS.get(str(ctx["pattern"]), f"does not match {ctx['pattern']}")
    if error["type"] == "string_too_short":
        least = ctx.get("min_length", 1)
        return "is empty" if least == 1 else f"is shorter than {least} characters"
    if error["type"] == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    return error["msg"].replace("String", "is").replace("Input", "is")


def diagnostics_from_validation(
    exc: ValidationError,
    document: Any,
    root: type[BaseModel],
    lines: Mapping[str, list[str]],
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for error in exc.errors():
        raw_path = [p for p in error["loc"] if isinstance(p, (str, int))]
        at_value = error["type"] not in ("extra_forbidden", "missing")
        place = locate(document, raw_path, key=not at_value)
        location = place.location
        path = _strip_tags(raw_path, document)
        check, message, hint = _message(error, root, raw_path, path)
        out.append(
            Diagnostic(
                check,
                message + place.note(),
                location=location,
                path=format_path(path),
                source_line=source_line(lines, location),
                hint=hint,
            )
        )
    return _fold_misspelt_required_fields(out)


def _fold_misspelt_required_fields(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Report a misspelt required field once, at the misspelling, not also as missing."""
    missing = {d.path: d for d in diagnostics if d.check == "catalog/missing-field" and d.path}
    folded: set[str] = set()
    out: list[Diagnostic] = []
    for d in diagnostics:
        suggested = _suggested_name(d)
        if d.check == "catalog/unknown-field" and d.path and suggested is not None:
            sibling = d.path.rsplit(".", 1)[0] + "." + suggested if "." in d.path else suggested
            if sibling in missing:
                folded.add(sibling)
                d = replace(d, message=f"{d.message}; the required field {suggested!r} is missing")
        out.append(d)
    return [d for d in out if not (d.check == "catalog/missing-field" and d.path in folded)]


def _suggested_name(diagnostic: Diagnostic) -> str | None:
    hint = diagnostic.hint or ""
    prefix, suffix = "did you mean '", "'?"
    if hint.startswith(prefix) and hint.endswith(suffix):
        return hint[len(prefix) : -len(suffix)]
    return None


def _strip_tags(path: list[PathStep], document: Any) -> list[PathStep]:
    """Drop the discriminator steps pydantic adds, so the path matches the YAML."""
    out: list[PathStep] = []
    node = document
    for step in path:
        if (
            isinstance(node, dict)
            and isinstance(step, str)
            and step not in node
            and node.get("kind") == step
        ):
            continue
        out.append(step)
        if isinstance(node, dict) and isinstance(step, str):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            node = None
    return out
