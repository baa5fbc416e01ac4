"""SLOs of one service that read the same series: each one's scenarios run against its own rules alone."""

from __future__ import annotations

import copy
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.toolchain.locate import locate_tools
from tests.slo.slo_bundle import plan_of, write_slo_files

CATALOG = """\
apiVersion: lgtmgen/v1
teams: [{name: web, notify: {webhook: {url_file: /etc/am/web.url}}}]
tenants: [{name: prod}]
services:
  - name: api
    team: web
    tenant: prod
    metrics: {convention: http, selector: {job: api}}
    slos:
      # two objectives on one request counter: an outage of one is an outage of the other
      - {name: availability-30d, objective: 99.9, sli: {kind: availability}}
      - {name: availability-7d, objective: 99.5, period: 7d, sli: {kind: availability}}
      # a latency SLO reads the duration histogram only: its scenarios stay in the service's file
      - name: latency
        objective: 99
        sli: {kind: latency, threshold: 0.5, buckets: [0.1, 0.5, 1]}
  - name: worker
    team: web
    tenant: prod
    metrics: {convention: custom, selector: {job: worker}}
    slos:
      - name: jobs
        objective: 98
        sli: {kind: events, bad: 'jobs_failed_total{job="worker"}', total: 'jobs_total{job="worker"}'}
      # custom PromQL reading the same counter: its tests feed recorded counts, but its rules
      # would still see the events SLO's raw series
      - name: jobs-custom
        objective: 99
        sli:
          kind: custom
          total_query: 'sum by (cluster) (increase(jobs_total{job="worker"}[{{window}}]))'
          bad_query: 'sum by (cluster) (increase(jobs_failed_total{job="worker"}[{{window}}]))'
"""


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, dict[str, Artifact]]:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG, encoding="utf-8")
    bundle = tmp_path / "bundle"
    artifacts = write_slo_files(plan_of([catalog]), bundle)
    return bundle, {a.path: a for a in artifacts}


def _names(artifact: Artifact) -> list[str]:
    return [t["name"] for t in artifact.data["tests"]]


def test_slos_that_share_series_get_test_files_of_their_own(built: tuple[Path, dict[str, Artifact]]) -> None:
    _, artifacts = built
    tests = sorted(p for p, a in artifacts.items() if a.role is Role.PROMETHEUS_RULE_TESTS)
    assert tests == [
        "prometheus/tests/slo/api.yaml",
        "prometheus/tests/slo/api/availability-30d.yaml",
        "prometheus/tests/slo/api/availability-7d.yaml",
        "prometheus/tests/slo/worker.yaml",
        "prometheus/tests/slo/worker/jobs.yaml",
    ]
    service_file = _names(artifacts["prometheus/tests/slo/api.yaml"])
    assert any(n.startswith("api/latency: full outage") for n in service_file)
    assert not any(n.startswith("api/availability") for n in service_file)
    assert any("absent metrics" in n for n in service_file)  # the service-wide scenarios stay
    own = artifacts["prometheus/tests/slo/api/availability-7d.yaml"].data
    assert own["rule_files"] == ["availability-7d.rules.yaml"]
    assert all(n.startswith("api/availability-7d: ") for n in _names(artifacts["prometheus/tests/slo/api/availability-7d.yaml"]))
    assert own["group_eval_order"] == [g["name"] for g in artifacts["prometheus/tests/slo/api/availability-7d.rules.yaml"].data["groups"]]
    # the custom SLO feeds its own recorded counts, so only the events SLO moves out
    assert any(n.startswith("worker/jobs-custom: full outage") for n in _names(artifacts["prometheus/tests/slo/worker.yaml"]))


def _rules_by_slo(groups: list[dict[str, Any]], slo: str) -> Counter[str]:
    """Each rule of `slo` with the interval of its group (group names differ only by packing)."""
    return Counter(
        yaml.safe_dump({"interval": g.get("interval"), "speed": g["name"].split(":")[2], **rule}, sort_keys=True)
        for g in groups
        for rule in g["rules"]
        if rule.get("labels", {}).get("slo") == slo
    )


def test_an_slo_tested_alone_is_tested_on_exactly_its_rules_of_the_service_file(
    built: tuple[Path, dict[str, Artifact]],
) -> None:
    _, artifacts = built
    for service, slo in [("api", "availability-30d"), ("api", "availability-7d"), ("worker", "jobs")]:
        deployed = artifacts[f"prometheus/rules/slo/{service}.yaml"].data["groups"]
        alone = artifacts[f"prometheus/tests/slo/{service}/{slo}.rules.yaml"].data["groups"]
        assert all(rule["labels"]["slo"] == slo for g in alone for rule in g["rules"])
        assert _rules_by_slo(alone, slo) == _rules_by_slo(deployed, slo)
        assert sum(len(g["rules"]) for g in alone) == sum(_rules_by_slo(deployed, slo).values())


def _promtool() -> str:
    tools = locate_tools()
    assert tools.promtool is not None, "run scripts/bootstrap: promtool is required"
    return str(tools.promtool.path)


@pytest.mark.tools
def test_the_tests_pass_alone_and_would_fail_against_the_service_file(built: tuple[Path, dict[str, Artifact]]) -> None:
    bundle, artifacts = built
    tests = sorted(p for p, a in artifacts.items() if a.role is Role.PROMETHEUS_RULE_TESTS)
    run = subprocess.run([_promtool(), "test", "rules", *tests], cwd=bundle, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr

    # Why the split exists: the same scenarios against every rule of the service see the sibling alert.
    together = copy.deepcopy(artifacts["prometheus/tests/slo/api/availability-7d.yaml"].data)
    together["rule_files"] = ["../../../rules/slo/api.yaml"]
    together["group_eval_order"] = [g["name"] for g in artifacts["prometheus/rules/slo/api.yaml"].data["groups"]]
    (bundle / "prometheus/tests/slo/api/together.yaml").write_text(yaml.safe_dump(together), encoding="utf-8")
    run = subprocess.run(
        [_promtool(), "test", "rules", "prometheus/tests/slo/api/together.yaml"], cwd=bundle, capture_output=True, text=True, check=False
    )
    assert run.returncode != 0
    assert 'slo="availability-30d"' in run.stdout + run.stderr
