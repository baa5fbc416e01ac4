"""Loki 3.7: main configuration, runtime overrides per tenant and LogQL ruler rules."""

from __future__ import annotations

from collections.abc import Iterable

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.generators.loki.common import tier_of
from lgtmgen.generators.loki.config import CONFIG_PATH, loki_config
from lgtmgen.generators.loki.rules import rules_path, tenant_rule_groups
from lgtmgen.generators.loki.runtime import RUNTIME_PATH, runtime_overrides
from lgtmgen.plan import Plan


class LokiGenerator:
    """Loki config, overrides and rules; nothing when no service declares its logs."""

    name = "loki"

    def generate(self, plan: Plan) -> Iterable[Artifact]:
        settings = plan.catalog.logs
        services = list(plan.services.values())
        if not any(s.logs is not None for s in services):
            return []
        artifacts = [
            Artifact(
                CONFIG_PATH,
                Role.LOKI_CONFIG,
                loki_config(
                    settings, plan.catalog.metrics, {n for s in services if s.logs for n in s.logs.stream_labels}
                ),
                comment=f"Loki 3.7 main configuration ({settings.deployment} deployment).",
            ),
            Artifact(
                RUNTIME_PATH,
                Role.LOKI_RUNTIME,
                runtime_overrides(plan, settings),
                comment="Loki runtime overrides: limits and retention per tenant tier and stream.",
            ),
        ]
        for tenant in sorted(plan.tenants):
            groups = tenant_rule_groups(
                [s for s in services if s.tenant == tenant],
                settings.rules,
                plan.catalog.defaults.runbook_base_url,
                parse_duration(tier_of(settings, plan.tenants[tenant]).retention),
            )
            if groups:
                artifacts.append(
                    Artifact(
                        rules_path(tenant),
                        Role.LOKI_RULES,
                        {"groups": groups},
                        comment=f"LogQL rules of tenant {tenant!r}; the ruler writes records to Mimir.",
                    )
                )
        return artifacts


__all__ = ["LokiGenerator"]
