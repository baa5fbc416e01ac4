"""Service names and label values with quotes, backslashes and non-ASCII text still give rule files promtool accepts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lgtmgen.artifacts import Role
from lgtmgen.pipeline import compile_catalog
from lgtmgen.render import dump_yaml
from lgtmgen.toolchain.locate import locate_tools

pytestmark = pytest.mark.tools

AWKWARD = (
    st.text(
        st.one_of(
            st.sampled_from(
                list("\"'\\`{}[]=,:#|*&!%@ ~/-_.") + ["é", "ß", "日", "🚀", "Ω", "\u00a0"]
            ),
            st.characters(min_codepoint=0x20, max_codepoint=0x7E),
            st.characters(
                min_codepoint=0xA1,
                max_codepoint=0x2FFF,
                exclude_categories=("Cs", "Zl", "Zp", "Cc", "Cf"),
            ),
        ),
        min_size=1,
        max_size=24,
    )
    .map(str.strip)
    .filter(bool)
)

RULE_ROLES = {Role.PROMETHEUS_RULES}


def catalog(names: list[str], values: list[str]) -> dict[str, object]:
    services = [
        {
            "name": name,
            "team": "web",
            "tenant": "prod",
            "metrics": {"selector": {"job": value, "namespace": value}},
            "slos": [
                {"name": name, "objective": 99.5, "sli": {"kind": "availability"}},
                {
                    "name": "latency",
                    "objective": 99,
                    "sli": {"kind": "latency", "threshold": 0.5, "buckets": [0.1, 0.5]},
                },
            ],
        }
        for name, value in zip(names, values, strict=True)
    ]
    return {
        "apiVersion": "lgtmgen/v1",
        "teams": [
            {
                "name": "web",
                "notify": {"slack": {"channel": "#web", "api_url_file": "/etc/am/slack.url"}},
            }
        ],
        "tenants": [{"name": "prod"}],
        "environments": [{"name": "production", "production": True}],
        "clusters": [
            {"name": "eu", "environment": "production", "region": "eu-west-1", "tenant": "prod"}
        ],
        "services": services,
    }


@pytest.fixture(scope="module")
def promtool() -> Path:
    tool = locate_tools().promtool
    if tool is None:
        pytest.fail("promtool is not installed: run scripts/bootstrap")
    return tool.path


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(AWKWARD, min_size=4, max_size=4, unique=True),
    st.lists(AWKWARD, min_size=4, max_size=4),
)
def test_awkward_names_and_label_values_compile_to_rules_that_promtool_accepts(
    promtool: Path, tmp_path_factory: pytest.TempPathFactory, names: list[str], values: list[str]
) -> None:
    root = tmp_path_factory.mktemp("awkward")
    (root / "catalog.yaml").write_text(dump_yaml(catalog(names, values)), encoding="utf-8")
    compiled = compile_catalog([root / "catalog.yaml"])
    assert compiled.ok and compiled.bundle is not None, [str(d) for d in compiled.diagnostics]
    rule_files = []
    for path, rendered in compiled.bundle.files.items():
        if rendered.role in RULE_ROLES:
            target = root / "bundle" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(rendered.content)
            rule_files.append(str(target))
    labelled = {
        rule.get("labels", {}).get("service")
        for file in rule_files
        for group in yaml.safe_load(Path(file).read_text(encoding="utf-8"))["groups"]
        for rule in group["rules"]
    }
    assert set(names) <= labelled
    assert rule_files
    result = subprocess.run(
        [str(promtool), "check", "rules", *rule_files],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
