"""Raw input series of a promtool SLO test, and the base-window counts Prometheus computes from them.

A scenario is `Traffic`: per evaluation step, the events and error events
since the previous step. `feed_layout` derives from the SLO's plan the raw
series its rules read (request counters with error and non-error status,
good/bad/total counters, the threshold's `le` bucket with `+Inf` and `_count`,
a native histogram with buckets below and above the threshold, a 0/1 probe
gauge); custom PromQL cannot be inverted, so its recorded base counts are fed
instead. `base_counts` computes what the fast group records from those series,
emulating `increase` (its extrapolation included), `count_over_time` and
`histogram_fraction`, so expectations follow Prometheus' arithmetic.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from lgtmgen.catalog.models import AvailabilitySLI, EventsSLI, LatencySLI
from lgtmgen.catalog.models.slo import ProbeSLI
from lgtmgen.generators.slo.labels import Matcher, label_set, selector_matchers
from lgtmgen.generators.slo.records import errors_record, total_record
from lgtmgen.plan import SLOPlan
from lgtmgen.promql import matchers
from lgtmgen.sli import classic_histogram

Counts = tuple[float | None, ...]


@dataclass(frozen=True, slots=True)
class Traffic:
    """Events (`total`) and error events (`errors`) in (t - e, t] for every step t = i * e; index 0 is 0."""

    interval: int
    total: tuple[float, ...]
    errors: tuple[float, ...]
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.interval, self.total, self.errors)))

    def __hash__(self) -> int:
        # Computed once: a traffic keys the caches of its series' values and base counts, and
        # hashing hundreds of floats each time cost more than the lookups saved.
        return self._hash

    @property
    def steps(self) -> int:
        return len(self.total) - 1


@dataclass(frozen=True, slots=True)
class Series:
    """One input series: its PromQL name and labels, and what its values follow."""

    name: str
    labels: tuple[tuple[str, str], ...]
    role: str
    """bad, good or total (counters), le (classic bucket of the threshold), hist, probe, rec_errors, rec_total."""

    def text(self) -> str:
        return _series_text(self.name, self.labels)


@functools.lru_cache(maxsize=65536)
def _series_text(name: str, labels: tuple[tuple[str, str], ...]) -> str:
    return f"{name}{{{matchers(dict(labels))}}}"


@dataclass(frozen=True, slots=True)
class Layout:
    """The raw series of an SLO and how its recorded counts combine them."""

    kind: str
    """counters, classic, native, probe or recorded."""
    series: tuple[Series, ...]
    errors_from_good: bool = False
    threshold: float = 0.0

    @property
    def raw(self) -> bool:
        return self.kind != "recorded"

    @property
    def shape(self) -> Shape:
        """What the recorded counts depend on, without the labels (a cache key)."""
        return Shape(self.kind, self.errors_from_good, tuple(s.role for s in self.series))


@dataclass(frozen=True, slots=True)
class Shape:
    kind: str
    errors_from_good: bool
    roles: tuple[str, ...]


def _series(name_and_labels: dict[str, str], role: str) -> Series:
    labels = dict(name_and_labels)
    name = labels.pop("__name__")
    return Series(name, tuple(labels.items()), role)


def _recorded(plan: SLOPlan, base: dict[str, str]) -> Layout:
    labels = tuple({**plan.identity, **base}.items())
    return Layout(
        "recorded",
        (
            Series(errors_record(plan.base_window), labels, "rec_errors"),
            Series(total_record(plan.base_window), labels, "rec_total"),
        ),
    )


def _events(plan: SLOPlan, sli: EventsSLI, base: dict[str, str]) -> Layout | None:
    total = selector_matchers(sli.total)
    part = selector_matchers(sli.bad or sli.good or "")
    if total is None or part is None:
        return None
    role = "bad" if sli.bad is not None else "good"
    other = "good" if role == "bad" else "bad"
    # One metric for both (the usual case): a series in `part` and one outside it, both in `total`.
    inside, outside = label_set(base, [total, part], []), label_set(base, [total], [part])
    if inside is not None and outside is not None:
        return Layout("counters", (_series(inside, role), _series(outside, other)), sli.good is not None)
    # Different metrics: `total` and `part` read separate series.
    alone, apart = label_set(base, [total], [part]), label_set(base, [part], [total])
    if alone is not None and apart is not None:
        return Layout("counters", (_series(alone, "total"), _series(apart, role)), sli.good is not None)
    return None


PROBE_LABEL = "lgtmgen_probe"
"""Tells the probe series of a test apart when it needs several (no selector matches on it)."""


def floor_events_per_step(plan: SLOPlan) -> int:
    """Events per evaluation step that give twice `min_events` over the shortest long window (0 without a floor)."""
    shortest = min(b.long for b in plan.windows)
    return math.ceil(2 * plan.slo.alerting.min_events * plan.evaluation_interval / shortest)


def probe_series_needed(plan: SLOPlan) -> int:
    """Probe series a test feeds: a probe SLI counts samples, one per series and scrape, so with
    `min_events` the burn alerts fire only once enough series report; as many as the other
    kinds' traffic has events a step."""
    return max(1, floor_events_per_step(plan))


def feed_layout(plan: SLOPlan, base: dict[str, str]) -> Layout:
    """The series a test feeds for `plan`, labelled with `base` (cluster, group_by labels) besides its own."""
    sli, m = plan.slo.sli, plan.metrics
    selector = dict(m.selector)
    found: Layout | None = None
    if isinstance(sli, AvailabilitySLI) and m.requests and m.status_label:
        regex = m.error_status_regex or ""
        errors = (Matcher(m.status_label, "=~", regex),)
        own = (Matcher("__name__", "=", m.requests), *(Matcher(k, "=", v) for k, v in selector.items()))
        # Successful requests carry a status too (a missing label would also not match the regex).
        status = (Matcher(m.status_label, "=~", ".+"),)
        prefer = {"grpc_code": ("OK",), "code": ("200",)}.get(m.status_label, ("ok", "success"))
        bad = label_set(base, [own, errors], [], prefer)
        good = label_set(base, [own, status], [errors], prefer)
        if bad is not None and good is not None:
            found = Layout("counters", (_series(bad, "bad"), _series(good, "good")))
    elif isinstance(sli, EventsSLI):
        found = _events(plan, sli, base)
    elif isinstance(sli, LatencySLI):
        metric = sli.metric or m.duration or ""
        labels = {**selector, **base}
        if classic_histogram(plan):
            le = repr(float(sli.threshold))
            found = Layout(
                "classic",
                (
                    Series(f"{metric}_bucket", tuple({**labels, "le": le}.items()), "le"),
                    Series(f"{metric}_bucket", tuple({**labels, "le": "+Inf"}.items()), "total"),
                    Series(f"{metric}_count", tuple(labels.items()), "total"),
                ),
                threshold=sli.threshold,
            )
        else:
            found = Layout("native", (Series(metric, tuple(labels.items()), "hist"),), threshold=sli.threshold)
    elif isinstance(sli, ProbeSLI):
        probe = selector_matchers(sli.selector)
        gauge = label_set(base, [probe], []) if probe is not None else None
        if gauge is not None:
            count = probe_series_needed(plan)
            targets = [gauge] if count == 1 else [{**gauge, PROBE_LABEL: str(n)} for n in range(1, count + 1)]
            found = Layout("probe", tuple(_series(target, "probe") for target in targets))
    return found or _recorded(plan, base)


def _cumulative(increments: Sequence[float]) -> list[float]:
    values, running = [], 0.0
    for inc in increments:
        running += inc
        values.append(round(running, 9))
    return values


def role_values(traffic: Traffic, role: str, window: int) -> list[float]:
    """Sample values of a counter, probe or recorded series of `role` (native histograms: `series`)."""
    good = [t - e for t, e in zip(traffic.total, traffic.errors, strict=True)]
    if role in ("bad", "rec_errors"):
        values = _cumulative(traffic.errors)
    elif role in ("good", "le"):
        values = _cumulative(good)
    elif role in ("total", "rec_total"):
        values = _cumulative(traffic.total)
    elif role == "probe":
        return [1.0 if t == 0 else round(g / t, 9) for g, t in zip(good, traffic.total, strict=True)]
    else:
        raise ValueError(f"no float values for role {role!r}")
    if role.startswith("rec_"):
        per = window // traffic.interval
        return [round(values[i] - values[max(0, i - per)], 9) for i in range(len(values))]
    return values


def _increase(values: Sequence[float], i: int, window: int, e: int, counter: bool = True) -> float | None:
    """Prometheus' `increase` over (t - window, t] of samples every e seconds from t = 0."""
    first = max(0, math.floor(i - window / e) + 1)
    if i - first < 1:
        return None
    result = values[i] - values[first]
    sampled: float = (i - first) * e
    average = sampled / (i - first)
    to_start: float = first * e - (i * e - window)
    if to_start >= average * 1.1:
        to_start = average / 2
    if counter and result > 0 and values[first] >= 0:
        to_start = min(to_start, sampled * (values[first] / result))
    return result * (sampled + to_start) / sampled


def _minus(total: float | None, part: float | None) -> float | None:
    """``total - (part or 0 * total)``."""
    return None if total is None else total - (part if part is not None else 0.0)


@functools.lru_cache(maxsize=256)
def base_counts(traffic: Traffic, layout: Shape, window: int) -> tuple[Counts, Counts]:
    """(errors, total) the fast group records at every step, as Prometheus evaluates the rules."""
    e, steps = traffic.interval, range(traffic.steps + 1)
    if layout.kind == "recorded":
        return tuple(role_values(traffic, "rec_errors", window)), tuple(role_values(traffic, "rec_total", window))
    if layout.kind == "probe":
        up = role_values(traffic, "probe", window)
        probes = len(layout.roles)  # identical series, summed by the rules
        counts = [probes * float(i - max(0, math.floor(i - window / e) + 1) + 1) for i in steps]
        sums = [probes * math.fsum(up[max(0, math.floor(i - window / e) + 1) : i + 1]) for i in steps]
        return tuple(c - s for c, s in zip(counts, sums, strict=True)), tuple(counts)
    if layout.kind == "native":
        bad, count = _cumulative(traffic.errors), _cumulative(traffic.total)
        return (
            tuple(_increase(bad, i, window, e, counter=False) for i in steps),
            tuple(_increase(count, i, window, e, counter=False) for i in steps),
        )
    roles = layout.roles
    values = {role: role_values(traffic, role, window) for role in set(roles)}
    increases = {role: [_increase(v, i, window, e) for i in steps] for role, v in values.items()}
    total: list[float | None]
    if layout.kind == "classic":
        total = increases["total"]
        return tuple(_minus(t, le) for t, le in zip(total, increases["le"], strict=True)), tuple(total)
    if "total" in roles:
        total = increases["total"]
    else:
        total = [None if b is None or g is None else b + g for b, g in zip(increases["bad"], increases["good"], strict=True)]
    if layout.errors_from_good:
        return tuple(_minus(t, g) for t, g in zip(total, increases["good"], strict=True)), tuple(total)
    return tuple(b if t is not None else None for b, t in zip(increases["bad"], total, strict=True)), tuple(total)


__all__ = ["Layout", "Series", "Traffic", "base_counts", "feed_layout", "role_values"]
