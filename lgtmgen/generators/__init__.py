"""The registry of generators: one module per output family, one line here each."""

from __future__ import annotations

from lgtmgen.generators.alertmanager import Alertmanager
from lgtmgen.generators.anomaly.rule_tests import AnomalyTests
from lgtmgen.generators.autoscaling import Autoscaling
from lgtmgen.generators.base import Generator
from lgtmgen.generators.grafana import GrafanaDashboards, GrafanaProvisioning
from lgtmgen.generators.journeys import JourneyRules
from lgtmgen.generators.loki import LokiGenerator
from lgtmgen.generators.mimir import MimirGenerator
from lgtmgen.generators.otelcol_logs import LogPipelines
from lgtmgen.generators.prometheus_config import PrometheusConfig
from lgtmgen.generators.prometheus_rule_objects import PrometheusRuleObjects
from lgtmgen.generators.recording_rules import RecordingRules
from lgtmgen.generators.reports import StaticReports
from lgtmgen.generators.service_graph import ServiceGraphRules
from lgtmgen.generators.slo_rules import SLORules
from lgtmgen.generators.slo_tests import SLOTests
from lgtmgen.generators.tail_sampling import TailSampling
from lgtmgen.generators.tempo import TempoConfig

GENERATORS: tuple[Generator, ...] = (
    Alertmanager(),
    LokiGenerator(), LogPipelines(),
    SLORules(), SLOTests(), AnomalyTests(), PrometheusRuleObjects(),
    TempoConfig(), TailSampling(), ServiceGraphRules(), JourneyRules(),
    GrafanaDashboards(), GrafanaProvisioning(),
    RecordingRules(), PrometheusConfig(), MimirGenerator(),
    Autoscaling(), StaticReports(),
)

__all__ = ["GENERATORS", "Generator"]
