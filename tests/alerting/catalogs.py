"""Small catalogs built inline for the alerting tests, and the bundle they compile to."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from lgtmgen.artifacts import Artifact
from lgtmgen.catalog import LoadedCatalog, load_catalog
from lgtmgen.generators.alertmanager import Alertmanager
from lgtmgen.plan import Plan, build_plan
from lgtmgen.render import render_artifact

SECRETS = "/etc/alertmanager/secrets"

BASE: dict[str, Any] = {
    "apiVersion": "lgtmgen/v1",
    "teams": [
        {
            "name": "payments",
            "notify": {
                "slack": {"channel": "#payments", "api_url_file": f"{SECRETS}/slack-payments"},
                "pagerduty": {"routing_key_file": f"{SECRETS}/pd-payments"},
                "jira": {
                    "project": "PAY",
                    "server_url": "https://jira.example.com",
                    "username": "bot",
                    "password_file": f"{SECRETS}/jira",
                },
            },
            "escalate_to": {
                "pushover": {
                    "user_key_file": f"{SECRETS}/po-user",
                    "token_file": f"{SECRETS}/po-token",
                }
            },
        },
        {"name": "search", "notify": {"webhook": {"url_file": f"{SECRETS}/search-hook"}}},
    ],
    "tenants": [{"name": "prod"}],
    "services": [
        {
            "name": "db",
            "team": "payments",
            "tier": 1,
            "tenant": "prod",
            "slos": [{"name": "availability", "objective": 99.9, "sli": {"kind": "availability"}}],
        },
        {
            "name": "api",
            "team": "payments",
            "tier": 2,
            "tenant": "prod",
            "depends_on": ["db"],
            "slos": [{"name": "availability", "objective": 99.9, "sli": {"kind": "availability"}}],
        },
        {"name": "web", "team": "search", "tier": 3, "tenant": "prod", "depends_on": ["api"]},
    ],
    "alerting": {"cluster_outage": {"team": "payments", "critical_jobs": ["kube-apiserver"]}},
}


def catalog(**changes: Any) -> dict[str, Any]:
    """A deep copy of BASE with top-level sections replaced."""
    out = copy.deepcopy(BASE)
    out.update(copy.deepcopy(changes))
    return out


def teams_with_search_on_pagers_only() -> list[dict[str, Any]]:
    """The catalog's teams, with `search` notified by PagerDuty and Pushover and no chat."""
    teams: list[dict[str, Any]] = catalog()["teams"]
    teams[1] = {
        "name": "search",
        "notify": {
            "pagerduty": {"routing_key_file": f"{SECRETS}/pd"},
            "pushover": {"user_key_file": f"{SECRETS}/u", "token_file": f"{SECRETS}/t"},
        },
    }
    return teams


def load(tmp_path: Path, document: dict[str, Any]) -> LoadedCatalog:
    path = tmp_path / "catalog.yaml"
    with path.open("w", encoding="utf-8") as handle:
        YAML().dump(document, handle)
    return load_catalog([path])


def plan_of(tmp_path: Path, document: dict[str, Any]) -> Plan:
    loaded = load(tmp_path, document)
    assert loaded.catalog is not None, [str(d) for d in loaded.diagnostics]
    return build_plan(loaded.catalog)


def write_artifacts(out: Path, artifacts: list[Artifact]) -> None:
    for artifact in artifacts:
        target = out / artifact.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(render_artifact(artifact))


def alertmanager_bundle(tmp_path: Path, document: dict[str, Any]) -> tuple[Path, list[Artifact]]:
    """Only the alerting generator's files, written under tmp_path/bundle."""
    artifacts = list(Alertmanager().generate(plan_of(tmp_path, document)))
    out = tmp_path / "bundle"
    write_artifacts(out, artifacts)
    return out, artifacts
