"""Scalar type checks, matching what the Go YAML decoders of the upstream programs accept."""

from __future__ import annotations

import datetime as dt
import re

from lgtmgen.regex import re2_fullmatch

_GO_DURATION = re.compile(r"[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+")
_PROM_DURATION = re.compile(
    r"(?=\d)(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?"
)
_BYTES = r"(?:\d+(?:\.\d+)?\s*(?:[kKmMgGtTpPeE]i?[bB]?|[bB])?)+"
"""Matched by RE2: in Python's `re` the optional unit lets a run of digits split every way, and a
bundle's `"1111…1x"` took hours to refuse."""

GO_DURATION = "go-duration"
"""A `time.Duration` field: the references type it `duration` like Prometheus' model.Duration, but
Go's decoder refuses `1d` there (see `model.GO_DURATION_CONFIGS`)."""

# Types of the tail-sampling reference, folded onto the key references' names.
_ALIASES = {
    "bool": "boolean",
    "int32": "int",
    "int64": "int",
    "uint64": "uint",
    "float64": "float",
}


def is_duration(value: object) -> bool:
    """A Go duration (`1h30m`, `500ms`) or a Prometheus one (`30d`, `1y`); `0` is both."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value == 0
    if not isinstance(value, str):
        return False
    if value == "0":
        return True
    return bool(_GO_DURATION.fullmatch(value) or _PROM_DURATION.fullmatch(value))


def is_go_duration(value: object) -> bool:
    """A duration Go's `time.ParseDuration` takes: no day, week or year unit (`24h`, not `1d`)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value == 0
    return isinstance(value, str) and (value == "0" or bool(_GO_DURATION.fullmatch(value)))


def describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return type(value).__name__


def scalar_problem(value: object, type_name: str) -> str | None:
    """Why `value` does not fit a scalar `type_name`, or None when it fits.

    Null is accepted everywhere: the Go decoders leave the zero value.
    Unknown type names accept anything; the reference is the authority on names.
    """
    kind = _ALIASES.get(type_name, type_name)
    if value is None:
        return None
    shown = f"{describe(value)} {value!r}"
    if kind == "boolean":
        return None if isinstance(value, bool) else f"expected a boolean, got {shown}"
    if kind in ("int", "uint"):
        if isinstance(value, int) and not isinstance(value, bool):
            if kind == "uint" and value < 0:
                return f"expected a non-negative int, got {value!r}"
            return None
        return f"expected an int, got {shown}"
    if kind == "float":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else f"expected a number, got {shown}"
    if kind == "duration":
        if is_duration(value):
            return None
        return f"expected a duration such as 30s, 1h30m or 0, got {shown}"
    if kind == GO_DURATION:
        if is_go_duration(value):
            return None
        return f"expected a Go duration such as 30s, 1h30m or 24h (no d, w or y unit), got {shown}"
    if kind == "bytes":
        # flagext.ByteSize and friends take a plain number of bytes or a humanised size.
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return None
        if isinstance(value, str) and re2_fullmatch(_BYTES, value.strip()):
            return None
        return f"expected a byte size such as 1048576 or 64MiB, got {shown}"
    if kind == "time":
        if isinstance(value, (str, dt.date, dt.datetime)):
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return None
        return f"expected a time (RFC 3339 or YYYY-MM-DD), got {shown}"
    if kind in ("string", "url", "secret", "scalar"):
        # The Go decoders turn any scalar into a string; only collections are wrong.
        if isinstance(value, (dict, list)):
            return f"expected a string, got {describe(value)}"
        return None
    return None
