"""Registry of semantic checks owned by each area (alerting, metrics, logs, traces, grafana, SLOs).

Each area keeps its checks in its own module, as functions ``(catalog, report) -> None``
that call ``report.add(check_id, message, path)``; add one line here per function.
"""

from __future__ import annotations

from lgtmgen.catalog.alerting_checks import (
    alerting_owners_exist,
    business_hours_are_valid,
    dependencies_page_their_outages,
    production_is_declared,
    quiet_pages_stay_quiet,
    receivers_can_be_built,
    secrets_are_files,
    timings_can_be_kept,
)
from lgtmgen.catalog.anomaly_checks import anomaly_signals_are_measurable
from lgtmgen.catalog.grafana_checks import (
    capacity_signals_are_valid,
    overview_folder_is_free,
    tenant_variables_are_distinct,
)
from lgtmgen.catalog.lifecycle_checks import (
    noncurrent_retention_is_whole_days,
    s3_lifecycle_is_valid,
)
from lgtmgen.catalog.logs_checks import (
    logs_retention_is_at_least_a_day,
    logs_storage_is_usable,
    logs_tiers_are_declared,
    service_logs_are_valid,
)
from lgtmgen.catalog.metrics_checks import (
    autoscaling_is_complete,
    cluster_prometheus_is_consistent,
    evaluation_interval_is_usual,
    metrics_settings_are_consistent,
    mimir_storage_is_instant,
    mimir_tiers_are_declared,
    percentiles_are_distinct_quantiles,
    rate_windows_hold_four_scrapes,
    rollup_is_declared,
    team_names_leave_ruler_namespaces_free,
)
from lgtmgen.catalog.period_checks import slo_periods_are_sane, slo_periods_fit_retention
from lgtmgen.catalog.semantics import DomainCheck
from lgtmgen.catalog.slo_checks import check_slos
from lgtmgen.catalog.traces_checks import (
    decision_wait_bounds_hold,
    dimensions_are_distinct,
    journeys_are_consistent,
    tempo_tls_is_consistent,
    traces_tiers_are_declared,
)

AREA_CHECKS: list[DomainCheck] = []
AREA_CHECKS += [check_slos, slo_periods_are_sane, slo_periods_fit_retention]
AREA_CHECKS += [capacity_signals_are_valid, overview_folder_is_free, tenant_variables_are_distinct]
AREA_CHECKS += [
    traces_tiers_are_declared,
    journeys_are_consistent,
    tempo_tls_is_consistent,
    decision_wait_bounds_hold,
    dimensions_are_distinct,
]
AREA_CHECKS += [secrets_are_files, business_hours_are_valid, receivers_can_be_built, alerting_owners_exist]
AREA_CHECKS += [timings_can_be_kept, production_is_declared, quiet_pages_stay_quiet, dependencies_page_their_outages]
AREA_CHECKS += [logs_tiers_are_declared, logs_storage_is_usable, service_logs_are_valid, logs_retention_is_at_least_a_day]
AREA_CHECKS += [mimir_storage_is_instant, mimir_tiers_are_declared, rollup_is_declared, metrics_settings_are_consistent]
AREA_CHECKS += [cluster_prometheus_is_consistent, autoscaling_is_complete, team_names_leave_ruler_namespaces_free]
AREA_CHECKS += [rate_windows_hold_four_scrapes, percentiles_are_distinct_quantiles, evaluation_interval_is_usual]
AREA_CHECKS += [s3_lifecycle_is_valid, noncurrent_retention_is_whole_days]
AREA_CHECKS += [anomaly_signals_are_measurable]
