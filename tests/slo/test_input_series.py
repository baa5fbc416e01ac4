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


def test_the_outages_below_the_floor_that_reset_their_counters_no_longer_do(tmp_path: Path) -> None:
    """Two cases the sweep found, each a quarter of min_events 50 in the page's long window, errors
    for two steps, then clean again; promtool's `resets` over the whole input must be 0. A counter
    pair at 30s steps (6m window) and a native histogram at 1m steps (14m window); both reset before."""
    counters = Layout("counters", (Series("req_total", (("code", "500"),), "bad"), Series("req_total", (("code", "200"),), "good")))
    native = Layout("native", (Series("latency_seconds", (), "hist"),), threshold=0.3)
    tests = []
    for layout, e, window, metric in ((counters, 30, 360, "req_total"), (native, 60, 840, "latency_seconds")):
        per_step = 50 * e / (4 * window)
        traffic: Traffic = traffic_of(e, [(62, per_step, 0.0), (2, per_step, per_step), (2, per_step, 0.0)])
        tests.append(
            {
                "interval": f"{e}s",
                "input_series": input_series(layout, traffic, 2 * e),
                "promql_expr_test": [
                    {"expr": f"sum(resets({metric}[2h]))", "eval_time": f"{66 * e}s", "exp_samples": [{"labels": "{}", "value": 0}]}
                ],
            }
        )
    (tmp_path / "t.yaml").write_text(yaml.safe_dump({"evaluation_interval": "30s", "tests": tests}), encoding="utf-8")
    tools = locate_tools()
    assert tools.promtool is not None, "run scripts/bootstrap: promtool is required"
    run = subprocess.run([str(tools.promtool.path), "test", "rules", "t.yaml"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
