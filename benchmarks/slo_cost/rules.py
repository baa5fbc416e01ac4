"""The two rule sets compared: lgtmgen's, and the same SLOs written the way Sloth writes them."""

from __future__ import annotations

from typing import Any

from lgtmgen.catalog.models.base import format_duration
from lgtmgen.generators.slo.groups import slo_rule_groups
from lgtmgen.plan import SLOPlan
from lgtmgen.promql import matchers, string_literal

SLOTH_WINDOWS = (300, 1800, 3600, 7200, 21600, 86400, 259200)
SLOTH_INTERVAL = "30s"


def sloth_labels(plan: SLOPlan) -> dict[str, str]:
    return {"sloth_service": plan.service.name, "sloth_slo": plan.slo.name}


def sloth_ratio(plan: SLOPlan, window: str) -> str:
    """Sloth's event ratio: one read of the error series and one of the total."""
    selector = matchers(plan.metrics.selector)
    errors = f"{plan.metrics.requests}{{{selector},{plan.metrics.status_label}=~{string_literal(plan.metrics.error_status_regex or '')}}}"
    total = f"{plan.metrics.requests}{{{selector}}}"
    by = ", ".join(plan.group_by)
    return f"sum by ({by}) (rate({errors}[{window}]))\n/\nsum by ({by}) (rate({total}[{window}]))"


def sloth_group(plan: SLOPlan) -> dict[str, Any]:
    """Every window but the period a raw ratio; the period averages the 5m ratio; one interval."""
    labels = sloth_labels(plan)
    sel = matchers(labels)
    rules: list[dict[str, Any]] = [
        {"record": f"slo:sli_error:ratio_rate{format_duration(w)}", "expr": sloth_ratio(plan, format_duration(w)), "labels": labels}
        for w in SLOTH_WINDOWS
    ]
    period = format_duration(plan.period)
    rules.append(
        {
            "record": f"slo:sli_error:ratio_rate{period}",
            "expr": f"sum_over_time(slo:sli_error:ratio_rate5m{{{sel}}}[{period}])\n/\n"
            f"count_over_time(slo:sli_error:ratio_rate5m{{{sel}}}[{period}])",
            "labels": labels,
        }
    )
    budget = plan.error_budget

    def pair(long: str, short: str, factor: float) -> str:
        return (
            f"(slo:sli_error:ratio_rate{long}{{{sel}}} > ({factor} * {budget})"
            f" and slo:sli_error:ratio_rate{short}{{{sel}}} > ({factor} * {budget}))"
        )

    rules.append({"alert": "SlothPage", "expr": f"{pair('1h', '5m', 14.4)}\nor\n{pair('6h', '30m', 6)}", "labels": {"severity": "page", **labels}})
    rules.append({"alert": "SlothTicket", "expr": f"{pair('1d', '2h', 3)}\nor\n{pair('3d', '6h', 1)}", "labels": {"severity": "ticket", **labels}})
    return {"name": f"sloth:{plan.service.name}:{plan.slo.name}", "interval": SLOTH_INTERVAL, "rules": rules}


def lgtmgen_groups(plans: list[SLOPlan]) -> list[dict[str, Any]]:
    return slo_rule_groups(plans, "https://grafana.example.com", "bench")
