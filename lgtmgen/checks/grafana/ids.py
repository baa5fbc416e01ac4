"""Check ids of the `grafana` check, stable for users and tests."""

from __future__ import annotations

SCHEMA = "grafana/schema"
UNREADABLE = "grafana/unreadable"
LEGACY_PANEL = "grafana/legacy-panel"
PANEL_TITLE = "grafana/panel-title"
PANEL_UNIT = "grafana/panel-unit"
PANEL_DATASOURCE = "grafana/panel-datasource"
PROMQL_SYNTAX = "grafana/promql-syntax"
COUNTER_RATE = "grafana/counter-without-rate"
RATE_INTERVAL = "grafana/rate-interval"
UNRECORDED_SERIES = "grafana/unrecorded-series"
EXTERNAL_SERIES = "grafana/external-series"
DUPLICATE_UID = "grafana/duplicate-uid"
BROKEN_LINK = "grafana/broken-dashboard-link"
UNKNOWN_DATASOURCE = "grafana/unknown-datasource"
