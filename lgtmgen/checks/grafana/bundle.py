"""Checks across the files of a bundle: recorded series, dashboard links, datasource uids."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lgtmgen.artifacts import RULE_ROLES, Role
from lgtmgen.checks.base import CheckContext
from lgtmgen.checks.bundle_yaml import load_bundle_yaml
from lgtmgen.checks.grafana.ids import (
    BROKEN_LINK,
    DUPLICATE_UID,
    UNKNOWN_DATASOURCE,
)
from lgtmgen.checks.grafana.schema import panels_of
from lgtmgen.checks.tenancy.rule_series import file_records
from lgtmgen.diagnostics import Diagnostic, Location

_DASHBOARD_URL = re.compile(r"/d/([A-Za-z0-9_-]+)")


def recorded_series(ctx: CheckContext) -> frozenset[str] | None:
    """Record names of every rule file in the bundle; None when the bundle has no rule files.

    Each file's names are remembered by its bytes (`lgtmgen.checks.tenancy.rule_series`): at 1,000
    services, parsing 80 MB of rule files for them took about 15 s of every check.
    """
    files = ctx.by_role(*RULE_ROLES)
    if not files:
        return None
    names: set[str] = set()
    for bundle_file in files:
        names |= file_records(ctx, bundle_file) or frozenset()
    return frozenset(names)


def _links(doc: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for index, link in enumerate(doc.get("links", [])):
        yield f"links[{index}]", str(link.get("url", ""))
    for where, panel in panels_of(doc):
        for index, link in enumerate(panel.get("links", [])):
            yield f"{where}.links[{index}]", str(link.get("url", ""))


def cross_dashboard_problems(docs: dict[str, Any]) -> list[Diagnostic]:
    """Uids are unique across the bundle, and every `/d/<uid>` link names a dashboard of it."""
    found = []
    owner: dict[str, str] = {}
    for file, doc in sorted(docs.items()):
        uid = str(doc.get("uid", "")) if isinstance(doc, dict) else ""
        if uid in owner:
            found.append(Diagnostic(DUPLICATE_UID, f"uid {uid!r} is also the uid of {owner[uid]}", location=Location(file)))
        owner.setdefault(uid, file)
    for file, doc in sorted(docs.items()):
        if not isinstance(doc, dict):
            continue
        for where, url in _links(doc):
            match = _DASHBOARD_URL.search(url)
            if match and match.group(1) not in owner:
                found.append(
                    Diagnostic(BROKEN_LINK, f"{url} names no dashboard of the bundle", location=Location(file), path=where)
                )
    return found


def _referenced_uids(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every `datasourceUid` / `targetUID` inside a provisioned datasource, with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("datasourceUid", "targetUID") and isinstance(item, str):
                yield f"{where}.{key}", item
            else:
                yield from _referenced_uids(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _referenced_uids(item, f"{where}[{index}]")


def datasource_problems(ctx: CheckContext, docs: dict[str, Any]) -> list[Diagnostic]:
    """Dashboards default to, and datasources link to, only datasources the bundle provisions."""
    provisioned: dict[str, Any] = {}
    for bundle_file in ctx.by_role(Role.GRAFANA_PROVISIONING):
        doc, _ = load_bundle_yaml(bundle_file, UNKNOWN_DATASOURCE)
        if isinstance(doc, dict) and isinstance(doc.get("datasources"), list):
            provisioned[bundle_file.path] = doc["datasources"]
    if not provisioned:
        return []
    uids = {str(ds.get("uid")) for sources in provisioned.values() for ds in sources if isinstance(ds, dict)}
    found = []
    for file, sources in sorted(provisioned.items()):
        for where, uid in _referenced_uids(sources, "datasources"):
            if uid not in uids:
                found.append(Diagnostic(UNKNOWN_DATASOURCE, f"no datasource has uid {uid!r}", location=Location(file), path=where))
    for file, doc in sorted(docs.items()):
        variables = doc.get("templating", {}).get("list", []) if isinstance(doc, dict) else []
        for index, variable in enumerate(variables):
            chosen = (variable.get("current") or {}).get("value") if variable.get("type") == "datasource" else None
            if isinstance(chosen, str) and chosen not in uids:
                found.append(
                    Diagnostic(
                        UNKNOWN_DATASOURCE,
                        f"variable {variable.get('name')!r} defaults to datasource {chosen!r}, which is not provisioned",
                        location=Location(file),
                        path=f"templating.list[{index}].current",
                    )
                )
    return found

