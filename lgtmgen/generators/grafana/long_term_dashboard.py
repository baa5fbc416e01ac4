"""Long-term trends: the roll-up tenant's records, the only data kept past the source tenants' retention.

Mimir cannot downsample, so the roll-up tier (`mimir.rollup`) records each additive
series of its source tenants, summed down to the kept labels, into a long-retention
tenant. This dashboard reads those records (one panel each, split by the finest kept
owner label, service or team, and by environment) from the roll-up tenant's datasource
over a range longer than the source tenants usually keep.
"""

from __future__ import annotations

import promql_parser

from lgtmgen.artifacts import Artifact
from lgtmgen.generators.grafana.dashboard import artifact, dashboard, dashboard_url, variables
from lgtmgen.generators.grafana.layout import Grid, dashboard_link, prom, timeseries
from lgtmgen.generators.mimir.ruler import ROLLUP_NAMESPACE, ruler_layout
from lgtmgen.naming import grafana_uid
from lgtmgen.plan import Plan
from lgtmgen.promql import parse as parse_promql

TIME_RANGE = "90d"
REFRESH = "1h"
OWNER_LABELS: tuple[str, ...] = ("service", "team")
COMPARED_LABELS: tuple[str, ...] = ("environment", "currency")
UNITS = {"bytes": "bytes", "cores": "short", "currency_per_hour": "suffix: /h"}
"""Unit by the record's operation; a rate (`rate5m`, `sum_rate5m`) is per second."""


def rollup_records(plan: Plan) -> list[tuple[str, list[str]]]:
    """(record, labels it keeps) of every roll-up rule, in the order the ruler evaluates them."""
    rollup = plan.catalog.mimir.rollup
    if rollup is None:
        return []
    groups = ruler_layout(plan).federated.get(rollup.tenant, {}).get(ROLLUP_NAMESPACE, [])
    records = []
    for group in groups:
        for rule in group["rules"]:
            # Each roll-up rule is `sum by (<kept labels>) (<source record>)`.
            parsed = parse_promql(str(rule["expr"]))
            assert isinstance(parsed, promql_parser.AggregateExpr), rule["expr"]
            modifier = parsed.modifier
            records.append((str(rule["record"]), list(modifier.labels) if modifier is not None else []))
    return records


def _panel(record: str, kept: list[str], keep_labels: list[str]) -> tuple[str, str, str, str]:
    """Title, PromQL, legend and unit of one record's panel."""
    _, metric, operation = record.split(":")
    # The finest owner label, then what the roll-up exists to compare: environments (and currencies),
    # and what a record keeps besides the tier's labels (a KPI's dimensions): those never add up.
    owners = [label for label in kept if label in OWNER_LABELS]
    own = sorted(label for label in kept if label not in {*keep_labels, *OWNER_LABELS, *COMPARED_LABELS})
    split = sorted(owners, key=OWNER_LABELS.index)[:1] + [label for label in COMPARED_LABELS if label in kept] + own
    by = f" by ({', '.join(split)})" if split else ""
    legend = " ".join(f"{{{{{label}}}}}" for label in split)
    unit = UNITS.get(operation, "short" if "rate" not in operation else "suffix: /s")
    return metric.replace("_", " ").capitalize(), f"sum{by} ({record})", legend, unit


def long_term_dashboard(plan: Plan) -> Artifact | None:
    """The overview folder's long-term dashboard; None without a roll-up tier that records anything."""
    rollup = plan.catalog.mimir.rollup
    records = rollup_records(plan)
    if rollup is None or not records:
        return None
    grid = Grid()
    grid.section(f"Roll-ups of {', '.join(sorted(rollup.source_tenants))}")
    for record, kept in records:
        title, expr, legend, unit = _panel(record, kept, rollup.keep_labels)
        grid.add(timeseries(title, [prom(expr, legend)], unit, f"`{record}` from the roll-up tenant {rollup.tenant!r}."), width=12)
    # Months of data move slowly: an hourly refresh spares the querier a 90-day query every minute.
    settings = plan.catalog.grafana.model_copy(update={"time_range": TIME_RANGE, "refresh": REFRESH})
    data = dashboard(
        uid=grafana_uid("overview", "long-term"),
        title="Long-term trends",
        tags=["lgtmgen", "overview", "rollup"],
        grid=grid,
        settings=settings,
        templates=variables(rollup.tenant),
        links=[dashboard_link("Executive overview", dashboard_url(plan.catalog.defaults.grafana_url, grafana_uid("overview", "executive")))],
        description=f"Trends kept for {rollup.retention} by the roll-up tenant {rollup.tenant!r}, past the source tenants' retention.",
    )
    return artifact(plan.catalog.grafana.overview_folder, "long-term", data)
