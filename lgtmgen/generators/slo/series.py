"""promtool ``input_series`` of a scenario, in the expanding notation ``a+bxn``."""

from __future__ import annotations

import functools
import math

from lgtmgen.generators.slo.feeds import Layout, Traffic, role_values


def _num(value: float) -> str:
    return repr(round(value, 9)).removesuffix(".0")


def compact(values: list[float]) -> str:
    """promtool's expanding notation: runs of equal steps as ``a+bxn``."""
    parts: list[str] = []
    i = 0
    while i < len(values):
        j = i + 1
        step = values[j] - values[i] if j < len(values) else 0.0
        while j + 1 < len(values) and math.isclose(values[j + 1] - values[j], step, abs_tol=1e-9):
            j += 1
        if j >= len(values):
            j = len(values) - 1
        count = j - i
        step_text = _num(step) if count else "0"
        sign = "" if step_text.startswith("-") else "+"
        parts.append(f"{_num(values[i])}{sign}{step_text}x{count}")
        i = j + 1
    return " ".join(parts)


def _histogram(good: float, bad: float, threshold: float) -> str:
    """Schema 0: good observations in the bucket below the threshold's, bad ones in the bucket above it."""
    k = math.ceil(math.log2(threshold))
    total = good * 2.0 ** (k - 2) * 1.5 + bad * 2.0 ** (k + 1) * 0.75
    return (
        f"{{{{schema:0 sum:{_num(total)} count:{_num(good + bad)} "
        f"buckets:[{_num(good)} 0 {_num(bad)}] offset:{k - 1}}}}}"
    )


def compact_histograms(traffic: Traffic, threshold: float) -> str:
    """Runs of equal per-step increments of a native histogram as ``{{start}}+{{step}}xn``."""
    good = [t - e for t, e in zip(traffic.total, traffic.errors, strict=True)]
    bad = list(traffic.errors)
    parts: list[str] = []
    g = b = 0.0
    i = 1
    parts_first = _histogram(0.0, 0.0, threshold)
    runs: list[tuple[float, float, int]] = []
    while i < len(good):
        j = i
        while j + 1 < len(good) and good[j + 1] == good[i] and bad[j + 1] == bad[i]:
            j += 1
        runs.append((good[i], bad[i], j - i + 1))
        i = j + 1
    for n, (dg, db, count) in enumerate(runs):
        start = parts_first if n == 0 else _histogram(g + dg, b + db, threshold)
        repeat = count if n == 0 else count - 1
        parts.append(f"{start}+{_histogram(dg, db, threshold)}x{repeat}")
        g, b = g + dg * count, b + db * count
    return " ".join(parts) if parts else f"{parts_first}+{parts_first}x0"


@functools.lru_cache(maxsize=1024)
def _values(traffic: Traffic, role: str, window: int, threshold: float) -> str:
    if role == "hist":
        return compact_histograms(traffic, threshold)
    return compact(role_values(traffic, role, window))


def input_series(layout: Layout, traffic: Traffic, window: int) -> list[dict[str, str]]:
    """One entry per series of `layout`, its values following `traffic` (recorded counts over `window`)."""
    return [
        {"series": s.text(), "values": _values(traffic, s.role, window, layout.threshold)} for s in layout.series
    ]


__all__ = ["compact", "compact_histograms", "input_series"]
