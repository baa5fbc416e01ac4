"""Page detection time of both rule sets at a full outage, measured with `promtool test rules`.

The outage starts after six hours and five minutes of clean traffic, so that every
page window (the longest is 6h) is full, as in a Prometheus that has run for a
while: with a shorter history a 6h window holds only the clean hours there are,
and a rule set whose 6h ratio is computed over what exists pages on its 6h window
as soon as its 1h one would. Every evaluation step after the start expects no
page, so promtool reports the steps at which a page fired. The first errors are
counted in the first step after the start.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml
from rules import lgtmgen_groups, sloth_group

from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.plan import SLOPlan

STEP = 30
START = 6 * 3600 + 300
WATCH = 600
_BLOCK = re.compile(r"alertname: (\w+), time: ([0-9hms]+),(.*?)(?=alertname: |\Z)", re.DOTALL)


def _inputs(plan: SLOPlan) -> list[dict[str, str]]:
    job = plan.metrics.selector["job"]
    steps_before = START // STEP
    steps_after = WATCH // STEP + 2
    good = f"0+600x{steps_before} {600 * steps_before}+0x{steps_after}"
    bad = f"0+0x{steps_before} 600+600x{steps_after}"
    labels = f'job="{job}",cluster="eu",route="/a"'
    return [
        {"series": f'http_requests_total{{{labels},code="200"}}', "values": good},
        {"series": f'http_requests_total{{{labels},code="500"}}', "values": bad},
    ]


def _first_page(output: str, alertname: str) -> float | None:
    times = [
        parse_duration(when) - START
        for name, when, body in _BLOCK.findall(output)
        if name == alertname and 'severity="page"' in body.split("got:", 1)[-1]
    ]
    return min(times) if times else None


def detection_seconds(promtool: str, plan: SLOPlan, work: Path) -> tuple[float | None, float | None]:
    """Seconds from the outage's start to the first evaluation with a page, for lgtmgen and Sloth."""
    rules = work / "detection-rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": lgtmgen_groups([plan]) + [sloth_group(plan)]}, sort_keys=False, width=1000))
    checks = [
        {"eval_time": f"{START + k * STEP}s", "alertname": name, "exp_alerts": []}
        for k in range(1, WATCH // STEP + 1)
        for name in ("SLOErrorBudgetBurn", "SlothPage")
    ]
    test = {
        "rule_files": [rules.name],
        "evaluation_interval": f"{STEP}s",
        "tests": [{"interval": f"{STEP}s", "input_series": _inputs(plan), "alert_rule_test": checks}],
    }
    (work / "detection-test.yaml").write_text(yaml.safe_dump(test, sort_keys=False, width=1000))
    run = subprocess.run([promtool, "test", "rules", "detection-test.yaml"], cwd=work, capture_output=True, text=True, check=False)
    output = run.stdout + run.stderr
    return _first_page(output, "SLOErrorBudgetBurn"), _first_page(output, "SlothPage")
