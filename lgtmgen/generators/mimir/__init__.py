"""Mimir: main-config blocks, runtime overrides, ruler namespaces, roll-up tier, lifecycle policy."""

from __future__ import annotations

from collections.abc import Iterable

from lgtmgen.artifacts import Artifact, Format, Role
from lgtmgen.generators.mimir.config import main_config
from lgtmgen.generators.mimir.lifecycle import lifecycle_policy, ruler_lifecycle_policy
from lgtmgen.generators.mimir.ruler import RulerLayout, ruler_layout
from lgtmgen.generators.mimir.runtime import runtime_overrides
from lgtmgen.naming import slug
from lgtmgen.plan import Plan

RULES_DIR = "mimir/rules"
ISOLATION_PATH = f"{RULES_DIR}/tenants.json"
FEDERATION_NOTE = (
    "\nTenant federation is on for the ruler's federated groups (the roll-up, journeys across tenants), and"
    " Mimir 3 needs it process-wide: the gateway in front of the query path must refuse an X-Scope-OrgID"
    " holding '|' (docs/metrics.md, Tenant federation)."
)


def ruler_artifacts(layout: RulerLayout) -> Iterable[Artifact]:
    """Ruler files as `mimir/rules/<tenant>/<namespace>.yaml`.

    The directory is the tenant id itself, never a slug: Mimir's local ruler storage and
    `mimirtool rules` read it as the tenant (ids are catalog identifiers, safe as file names).
    """
    for tenant, namespaces in sorted(layout.namespaces.items()):
        for namespace, groups in sorted(namespaces.items()):
            yield Artifact(
                path=f"{RULES_DIR}/{tenant}/{slug(namespace)}.yaml",
                role=Role.MIMIR_RULES,
                data={"groups": groups},
                comment=f"Mimir ruler: tenant {tenant!r}, namespace {namespace!r}.",
            )
    for tenant, namespaces in sorted(layout.federated.items()):
        for namespace, groups in sorted(namespaces.items()):
            yield Artifact(
                path=f"{RULES_DIR}/{tenant}/{slug(namespace)}.yaml",
                role=Role.MIMIR_FEDERATED_RULES,
                data={"groups": groups},
                comment=(
                    f"Mimir ruler: tenant {tenant!r}, namespace {namespace!r}; federated groups read "
                    "their source_tenants (tenant federation on)."
                ),
            )
    yield Artifact(
        path=ISOLATION_PATH,
        role=Role.REPORT,
        data={"may_read": layout.may_read(), "federated_namespaces": layout.federated_sources()},
        format=Format.JSON,
    )


class MimirGenerator:
    """Mimir's owned config blocks, per-tenant overrides, ruler namespaces and bucket lifecycle."""

    name = "mimir"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        mimir = plan.catalog.mimir
        layout = ruler_layout(plan)
        if mimir.storage is not None:
            yield Artifact(
                path="mimir/mimir.yaml",
                role=Role.MIMIR_CONFIG,
                data=main_config(
                    mimir,
                    plan.catalog.defaults.evaluation_interval,
                    bool(layout.federated),
                    ha_pairs=any(c.prometheus is not None and c.prometheus.replicas > 1 for c in plan.catalog.clusters),
                ),
                comment="Blocks of Mimir's main configuration owned by lgtmgen; merge with the deployment's own."
                + (FEDERATION_NOTE if layout.federated else ""),
            )
            yield Artifact(
                path="mimir/bucket-lifecycle.json",
                role=Role.OBJECT_STORE_LIFECYCLE,
                data=lifecycle_policy(mimir.storage),
                format=Format.JSON,
            )
            yield Artifact(
                path="mimir/ruler-bucket-lifecycle.json",
                role=Role.OBJECT_STORE_LIFECYCLE,
                data=ruler_lifecycle_policy(mimir.storage),
                format=Format.JSON,
            )
        if plan.tenants:
            yield Artifact(
                path="mimir/runtime.yaml",
                role=Role.MIMIR_RUNTIME,
                data=runtime_overrides(plan, {t: layout.group_count(t) for t in {*layout.namespaces, *layout.federated}}),
                comment="Per-tenant limits: each tenant's tier (mimir.tiers), HA deduplication and the ruler's group limit.",
            )
        yield from ruler_artifacts(layout)


__all__ = ["ISOLATION_PATH", "MimirGenerator", "ruler_layout"]
