"""Catalog models of the metrics_platform area."""

from __future__ import annotations

from lgtmgen.catalog.models.base import Strict


class MetricsSettings(Strict):
    """Recording-rule families beyond SLOs, per-cluster Prometheus and remote write."""


class MimirSettings(Strict):
    """Mimir tenant tiers, limits, roll-up tenant and object storage."""


class KPI(Strict):
    """A business KPI recorded from a counter or gauge."""


class ResourceHints(Strict):
    """Resource-efficiency and autoscaling hints of a service."""


class ClusterPrometheus(Strict):
    """The cluster's Prometheus: HA replicas, expected series, unit prices."""
