"""The model the generated tests take their expectations from computes what Prometheus computes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from lgtmgen.catalog.models.base import format_duration
from lgtmgen.generators.slo.feeds import feed_layout
from lgtmgen.generators.slo.groups import slo_rule_groups
from lgtmgen.generators.slo.model import RuleModel
from lgtmgen.generators.slo.records import fast_pair, ratio_record
from lgtmgen.generators.slo.scenarios import outage_outcome
from lgtmgen.generators.slo.series import input_series
from lgtmgen.generators.slo_tests import series_labels
from lgtmgen.promql import matchers
from lgtmgen.toolchain.locate import locate_tools
from tests.slo.slo_bundle import plan_of

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"
ONE_OF_EACH = {
    "storefront/availability": "counters",
    "edge-gateway/availability": "counters",
    "checkout/orders-placed": "counters",
    "storefront/latency": "classic",
    "identity/token-latency": "native",
    "edge-gateway/reachable": "probe",
    "payments/authorisations": "recorded",
}
TOLERANCE = 1e-9


@pytest.mark.parametrize("name", sorted(ONE_OF_EACH))
def test_recorded_ratios_equal_the_model_through_an_outage(tmp_path: Path, name: str) -> None:
    plan = next(p for p in plan_of([SHOP]).slos if f"{p.service.name}/{p.slo.name}" == name)
    labels = series_labels(plan)
    layout = feed_layout(plan, labels)
    assert layout.kind == ONE_OF_EACH[name]
    outcome = outage_outcome(plan, layout, low_traffic=False)
    model = RuleModel(plan, outcome.traffic, layout.shape)
    e, pair = plan.evaluation_interval, fast_pair(plan)
    assert pair is not None
    last = outcome.traffic.steps * e
    times = sorted({outcome.start - e, *range(outcome.start, last + 1, 150), last})
    windows = sorted({w for b in plan.windows for w in (b.long, b.short)} | {plan.period})
    selector = matchers({**plan.identity, **labels})
    checks = []
    for at in times:
        for window in windows:
            # The period's ratio is recorded by the hourly group, which reads its own hourly records.
            upto = at // e if window == plan.period else at // e - 1
            expected = model.ratio(window, at // e, upto)
            record = f"{ratio_record(window)}{{{selector}}}"
            if expected is None:
                checks.append({"expr": record, "eval_time": format_duration(at), "exp_samples": []})
                continue
            checks += [
                {"expr": f"abs({record} - {expected!r}) > {TOLERANCE}", "eval_time": format_duration(at), "exp_samples": []},
                {"expr": f"count({record})", "eval_time": format_duration(at), "exp_samples": [{"labels": "{}", "value": 1}]},
            ]
    groups = slo_rule_groups([plan], "https://grafana.example", "model")
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": groups}), encoding="utf-8")
    test = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": format_duration(e),
        "group_eval_order": [g["name"] for g in groups],
        "tests": [
            {
                "interval": format_duration(e),
                "input_series": input_series(layout, outcome.traffic, plan.base_window),
                "promql_expr_test": checks,
            }
        ],
    }
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(test), encoding="utf-8")
    tools = locate_tools()
    assert tools.promtool is not None, "run scripts/bootstrap: promtool is required"
    run = subprocess.run(
        [str(tools.promtool.path), "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[:4000]


def test_scenario_memos_stay_bounded_and_answer_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that builds many catalogs keeps at most the limit of scenarios; a dropped one is
    computed again, equal."""
    from lgtmgen.generators.slo import scenarios

    plans = [p for p in plan_of([SHOP]).slos if f"{p.service.name}/{p.slo.name}" in ONE_OF_EACH]
    layouts = [feed_layout(p, series_labels(p)) for p in plans]
    first = [outage_outcome(p, lay, low_traffic=False) for p, lay in zip(plans, layouts, strict=True)]
    staggered = scenarios.staggered_outages(list(zip(plans[:2], layouts[:2], strict=True)))
    monkeypatch.setattr(scenarios, "_OUTAGES", {})
    monkeypatch.setattr(scenarios, "_STAGGERED", {})
    monkeypatch.setattr(scenarios, "_MEMO_LIMIT", 2)
    for _ in range(2):
        again = [outage_outcome(p, lay, low_traffic=False) for p, lay in zip(plans, layouts, strict=True)]
        assert again == first
        assert scenarios.staggered_outages(list(zip(plans[:2], layouts[:2], strict=True))) == staggered
        assert len(scenarios._OUTAGES) <= 2
        assert len(scenarios._STAGGERED) <= 2
