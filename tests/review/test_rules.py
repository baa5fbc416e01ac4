"""The alert rules a review judges are exactly those of the built bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from lgtmgen.pipeline import validate
from lgtmgen.review.rules import fixed_labels, generated_alert_rules

REPO = Path(__file__).resolve().parents[2]


def _bundle_alerts(bundle: Path) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    """Every alerting rule of every YAML file of a committed bundle, read independently."""
    yaml = YAML(typ="safe", pure=True)
    found = set()
    for path in bundle.rglob("*.yaml"):
        for document in yaml.load_all(path.read_text(encoding="utf-8")):
            if not isinstance(document, dict):
                continue
            groups: Any = document.get("groups") or (document.get("spec") or {}).get("groups") or []
            for group in groups if isinstance(groups, list) else []:
                for rule in group.get("rules", []) if isinstance(group, dict) else []:
                    if isinstance(rule, dict) and "alert" in rule:
                        found.add((rule["alert"], fixed_labels(rule.get("labels", {}))))
    return found


@pytest.mark.parametrize("example", ["shop", "starter"])
def test_every_alert_of_the_bundle_and_no_other(example: str) -> None:
    plan, _ = validate([REPO / "examples" / example])
    assert plan is not None
    rules = generated_alert_rules(plan)
    assert {(r.name, r.labels) for r in rules} == _bundle_alerts(REPO / "generated" / example)
    # The names people read (without team, tenant, tier, sli_kind) still tell every rule apart.
    assert len({r.short_key for r in rules}) == len(rules)


def test_template_labels_are_not_fixed() -> None:
    labels = {"severity": "page", "cluster": "{{ $labels.cluster }}", "note": '{{ "{{" }} literal'}
    assert fixed_labels(labels) == (("note", "{{ literal"), ("severity", "page"))
