"""Generated counter inputs never decrease as promtool expands them (a decrease is a counter reset).

promtool expands ``a+bxn`` by adding the written step n times in float64. With
fractional traffic (an outage below the event floor) the 9-decimal rounding
once made a run end above the next run's start: `increase` then read the whole
count at that step, and the low-traffic tests passed for that reason.
"""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lgtmgen.generators.slo.feeds import Layout, Series, Traffic
from lgtmgen.generators.slo.scenarios import traffic_of
from lgtmgen.generators.slo.series import compact, input_series
from lgtmgen.toolchain.locate import locate_tools


def expand(text: str) -> list[float]:
    """Scalar values as promtool expands them: ``a+bxn`` adds b to a, n times."""
    values: list[float] = []
    for part in text.split():
        start, _, rest = part.partition("+") if "+" in part[1:] else part.rpartition("-")
        step, _, count = rest.partition("x")
        value, increment = float(start), float(step) * (1 if "+" in part[1:] else -1)
        for _ in range(int(count) + 1):
            values.append(value)
            value += increment
    return values


segments = st.lists(
    st.tuples(st.integers(1, 300), st.floats(0.0, 50.0, allow_nan=False)), min_size=1, max_size=6
)


@settings(max_examples=300, deadline=None)
@given(segments)
def test_a_compacted_counter_never_decreases_and_stays_near_its_values(runs: list[tuple[int, float]]) -> None:
    values, running = [0.0], 0.0
    for steps, per_step in runs:
        for _ in range(steps):
            running = round(running + per_step, 9)
            values.append(running)
    expanded = expand(compact(values, counter=True))
    assert len(expanded) == len(values)
    assert all(b >= a for a, b in itertools.pairwise(expanded))
    assert all(abs(a - b) <= 1e-6 * max(1.0, b) for a, b in zip(expanded, values, strict=True))


def test_the_outage_below_the_floor_that_reset_its_counters_no_longer_does(tmp_path: Path) -> None:
    """The case the sweep found: 0.89 events a minute, errors for two minutes, then clean again;
    promtool's `resets` over the whole input, for a counter pair and a native histogram."""
    per_step = 50 * 60 / (4 * 840)  # a quarter of min_events 50 over a 14m window, at 1m steps
    traffic: Traffic = traffic_of(60, [(62, per_step, 0.0), (2, per_step, per_step), (2, per_step, 0.0)])
    counters = Layout("counters", (Series("req_total", (("code", "500"),), "bad"), Series("req_total", (("code", "200"),), "good")))
    native = Layout("native", (Series("latency_seconds", (), "hist"),), threshold=0.3)
    series = [*input_series(counters, traffic, 120), *input_series(native, traffic, 120)]
    tests = {
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": series,
                "promql_expr_test": [
                    {"expr": "sum(resets(req_total[2h]))", "eval_time": "66m", "exp_samples": [{"labels": "{}", "value": 0}]},
                    {"expr": "sum(resets(latency_seconds[2h]))", "eval_time": "66m", "exp_samples": [{"labels": "{}", "value": 0}]},
                ],
            }
        ],
    }
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(tests), encoding="utf-8")
    tools = locate_tools()
    assert tools.promtool is not None, "run scripts/bootstrap: promtool is required"
    run = subprocess.run([str(tools.promtool.path), "test", "rules", "t.yaml"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
