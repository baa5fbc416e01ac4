"""What the SLO rules compute in a promtool test, step by step: the model test expectations come from.

promtool evaluates every group at the test's interval, in the order the test
file gives (fast, slow, hourly), so at step i the fast and slow groups read the
hourly records of step i - 1 and the hourly group reads its own of step i. The
window formulas mirror `lgtmgen.generators.slo.records.window_events`; the base
counts come from `feeds.base_counts`, which emulates Prometheus on the raw
series. A comparison within `TIE` (relative) of its threshold is reported as
ambiguous rather than guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import accumulate

from lgtmgen.catalog.models.base import format_duration
from lgtmgen.generators.slo.feeds import Counts, Shape, Traffic, base_counts
from lgtmgen.generators.slo.records import HOUR, exact_slices, uses_hourly
from lgtmgen.plan import BurnWindow, SLOPlan

TIE = 1e-6


@dataclass(frozen=True, slots=True)
class Verdict:
    """Alert states at one step."""

    firing: tuple[BurnWindow, ...]
    exhausted: bool
    ties: tuple[str, ...]


def _compare(value: float | None, threshold: float, strict: bool = True) -> tuple[bool, bool]:
    """(value > threshold, or >= when not strict; whether the value lies within TIE of the threshold)."""
    if value is None or math.isnan(value):
        return False, False
    tie = math.isfinite(value) and abs(value - threshold) <= TIE * abs(threshold)
    return (value > threshold if strict else value >= threshold), tie


class _Averages:
    """Averages of a sample list over step ranges, skipping missing samples."""

    def __init__(self, samples: Counts) -> None:
        self.samples = samples
        self.sums = [0.0, *accumulate(0.0 if v is None else v for v in samples)]
        self.counts = [0, *accumulate(0 if v is None else 1 for v in samples)]

    def mean(self, lo: int, hi: int) -> float | None:
        """Mean over steps lo..hi (inclusive, clamped to the samples); None without samples."""
        lo, hi = max(lo, 0), min(hi, len(self.samples) - 1)
        if hi < lo:
            return None
        n = self.counts[hi + 1] - self.counts[lo]
        return None if n == 0 else (self.sums[hi + 1] - self.sums[lo]) / n


class RuleModel:
    """The recorded series and alert conditions of one SLO under one traffic, as promtool evaluates them."""

    def __init__(self, plan: SLOPlan, traffic: Traffic, shape: Shape) -> None:
        self.plan, self.e = plan, traffic.interval
        self.base_window = plan.base_window
        windows = {w for b in plan.windows for w in (b.long, b.short)} | {plan.period}
        self.exact = {w: exact_slices(plan, w) for w in windows}
        self.base = base_counts(traffic, shape, self.base_window)
        self.base_avg = tuple(_Averages(b) for b in self.base)
        per_hour = HOUR // self.e
        scale = HOUR / plan.base_window
        self.hourly = tuple(
            _Averages(tuple(None if (m := avg.mean(i - per_hour + 1, i)) is None else m * scale for i in range(len(b))))
            for b, avg in zip(self.base, self.base_avg, strict=True)
        )

    def _steps(self, seconds: int) -> float:
        return seconds / self.e

    def events(self, which: int, window: int, i: int, hourly_upto: int) -> float | None:
        """Events (0 errors, 1 total) over `window` at step i, reading hourly records up to `hourly_upto`."""
        b, base, exact = self.base[which], self.base_window, self.exact[window]
        if window == base:
            return b[i]
        if uses_hourly(window) and not exact:
            mean = self.hourly[which].mean(math.floor(i - self._steps(window)) + 1, hourly_upto)
            return None if mean is None else mean * (window / HOUR)
        now = b[i]
        if now is None:
            return None
        if exact:
            offsets = (i - k * base // self.e for k in range(1, window // base))
            return now + sum((b[j] or 0.0) if j >= 0 else 0.0 for j in offsets)
        older = self.base_avg[which].mean(math.floor(i - self._steps(window)) + 1, math.floor(i - self._steps(base)))
        return now + (0.0 if older is None else older * ((window - base) / base))

    def ratio(self, window: int, i: int, hourly_upto: int) -> float | None:
        errors, total = self.events(0, window, i, hourly_upto), self.events(1, window, i, hourly_upto)
        if errors is None or total is None:
            return None
        if total == 0:
            return math.nan if errors == 0 else math.inf
        return errors / total

    def _read_ratio(self, window: int, i: int) -> float | None:
        """The ratio record an alert reads at step i: the period's is written by the hourly group, one step behind."""
        if window == self.plan.period:
            return self.ratio(window, i - 1, i - 1) if i > 0 else None
        return self.ratio(window, i, i - 1)

    def verdict(self, i: int) -> Verdict:
        plan = self.plan
        alerting = plan.slo.alerting
        firing: list[BurnWindow] = []
        ties: list[str] = []

        for burn in plan.windows:
            if not plan.raises(burn):
                continue
            threshold = burn.factor * plan.error_budget
            name = f"{burn.severity} {format_duration(burn.long)}/{format_duration(burn.short)}"
            # (holds, within TIE of its threshold) per conjunct of the alert's expression
            parts = {
                "long window": _compare(self._read_ratio(burn.long, i), threshold),
                "short window": _compare(self._read_ratio(burn.short, i), threshold),
            }
            if alerting.min_events:
                events = self.events(1, burn.long, i, i - 1)
                parts["min_events"] = _compare(events, alerting.min_events, strict=False)
            # A tie matters only when every other conjunct holds.
            ties += [
                f"{name} {what}"
                for what, (_, tie) in parts.items()
                if tie and all(ok for other, (ok, _) in parts.items() if other != what)
            ]
            if all(ok for ok, _ in parts.values()):
                firing.append(burn)
        period = self.ratio(plan.period, i, i)
        exhausted = False
        if alerting.budget_exhausted and period is not None and not math.isnan(period):
            remaining = 1 - period / plan.error_budget
            if abs(remaining) <= TIE:
                ties.append("budget exhausted")
            exhausted = remaining <= 0
        return Verdict(tuple(firing), exhausted, tuple(ties))


__all__ = ["RuleModel", "Verdict"]
