"""Collector log pipelines and the collector check, including the traces' tail-sampling collector."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from lgtmgen.checks.otelcol import validate_collector
from lgtmgen.generators.otelcol_logs import PIPELINES_PATH, LogPipelines, ottl_string
from lgtmgen.generators.tail_sampling import TailSampling
from lgtmgen.plan import Plan
from lgtmgen.render import render_artifact
from tests.logs.conftest import Loader, base_catalog


def collector(plan: Plan) -> dict[str, Any]:
    (artifact,) = LogPipelines().generate(plan)
    assert artifact.path == PIPELINES_PATH
    doc: dict[str, Any] = yaml.safe_load(render_artifact(artifact))
    return doc


def test_the_generated_log_collector_passes_the_component_reference(plan: Plan) -> None:
    assert validate_collector(collector(plan), PIPELINES_PATH) == []


def test_the_traces_tail_sampling_collector_passes_too(plan: Plan) -> None:
    files = list(TailSampling().generate(plan))
    assert files
    for artifact in files:
        assert validate_collector(yaml.safe_load(render_artifact(artifact)), artifact.path) == []


def test_each_declared_format_gets_its_parser(plan: Plan) -> None:
    receivers = collector(plan)["receivers"]
    parsers = {name: r["operators"][1] for name, r in receivers.items()}
    assert parsers["filelog/checkout"]["type"] == "json_parser"
    assert parsers["filelog/mailer"]["type"] == "key_value_parser"
    assert parsers["filelog/identity"] == {
        "type": "regex_parser",
        "id": "parse",
        "parse_from": "body",
        "parse_to": "attributes",
        "on_error": "send_quiet",
        "regex": "^(?P<level>[A-Z]+) (?P<msg>.*)$$",  # the collector reads `$$` as `$`
    }
    assert "filelog/no-logs" not in receivers


def test_level_and_trace_id_come_from_the_declared_fields(plan: Plan) -> None:
    operators = {o["id"]: o for o in collector(plan)["receivers"]["filelog/checkout"]["operators"]}
    assert operators["level"]["parse_from"] == "attributes.severity"
    assert operators["trace"]["trace_id"]["parse_from"] == "attributes.trace_id"
    assert operators["level_to_resource"]["to"] == "resource.level"


def test_error_classes_apply_in_catalog_order_first_match_wins(plan: Plan) -> None:
    groups = collector(plan)["processors"]["transform/checkout"]["log_statements"]
    statements = next(g for g in groups if g["context"] == "log")["statements"]
    assert len(statements) == 2
    assert statements[0].startswith(
        'set(attributes["error.class"], "timeout") where attributes["error.class"] == nil'
    )
    assert statements[1].endswith(
        '(attributes["msg"] != nil and IsMatch(attributes["msg"], "payment \\"declined\\"")) '
        'or (attributes["msg"] == nil and IsMatch(body, "payment \\"declined\\"")))'
    )


def test_each_service_pipeline_exports_to_its_tenant(plan: Plan) -> None:
    doc = collector(plan)
    assert doc["service"]["pipelines"]["logs/mailer"]["exporters"] == ["otlp_http/staging"]
    assert doc["exporters"]["otlp_http/staging"]["headers"] == {"X-Scope-OrgID": "staging"}
    resource = doc["processors"]["resource/mailer"]["attributes"]
    assert {"key": "tenant", "value": "staging", "action": "upsert"} in resource


def test_ottl_strings_escape_quotes_and_backslashes() -> None:
    assert ottl_string('a"b\\c') == '"a\\"b\\\\c"'


def test_an_unknown_operator_key_is_caught_with_its_path(plan: Plan) -> None:
    doc = copy.deepcopy(collector(plan))
    doc["receivers"]["filelog/checkout"]["operators"][1]["parse_form"] = "body"
    found = validate_collector(doc, "c.yaml")
    assert [(d.check, d.path) for d in found] == [
        ("reference/unknown-key", "receivers.filelog/checkout.operators[1].parse_form")
    ]


def test_wrong_types_unknown_components_and_broken_wiring_are_all_reported(plan: Plan) -> None:
    doc = copy.deepcopy(collector(plan))
    doc["processors"]["batch"]["timeout"] = ["1s"]
    doc["processors"]["groupbytrace"] = {}
    doc["service"]["pipelines"]["logs/mailer"]["exporters"] = ["otlp_http/nowhere"]
    doc["service"]["pipelines"]["logs/identity"]["receivers"] = []
    found = {
        (d.check, d.path) for d in validate_collector(doc, "c.yaml") if d.severity.value == "error"
    }
    assert found == {
        ("reference/wrong-type", "processors.batch.timeout"),
        ("otelcol/unknown-component", "processors.groupbytrace"),
        ("otelcol/undefined-component", "service.pipelines.logs/mailer.exporters"),
        ("otelcol/empty-pipeline", "service.pipelines.logs/identity.receivers"),
    }


def test_a_component_in_a_pipeline_of_a_signal_it_does_not_handle_is_reported(plan: Plan) -> None:
    doc = copy.deepcopy(collector(plan))
    doc["service"]["pipelines"]["traces"] = {
        "receivers": ["filelog/mailer"],
        "exporters": ["otlp_http/staging"],
    }
    found = [(d.check, d.path) for d in validate_collector(doc, "c.yaml")]
    assert ("otelcol/unsupported-signal", "service.pipelines.traces.receivers") in found


def test_catalog_text_reaches_the_collector_with_every_dollar_literal(load: Loader) -> None:
    """The collector expands `${env:...}` and `${file:...}` anywhere in its configuration: a service
    name holding one would put a secret of the collector's environment into every log line."""
    doc = base_catalog()
    doc["services"][0]["name"] = "checkout${env:AWS_SECRET_ACCESS_KEY}"
    doc["services"][0]["logs"]["workload"] = "checkout"  # a name no pod can have
    plan, diagnostics = load(doc)
    assert plan is not None, [str(d) for d in diagnostics]
    text = "\n".join(render_artifact(a).decode("utf-8") for a in LogPipelines().generate(plan))
    text += "\n".join(render_artifact(a).decode("utf-8") for a in TailSampling().generate(plan))
    assert "$${env:AWS_SECRET_ACCESS_KEY}" in text
    assert "${env:" not in text.replace("$${env:", "")


def test_no_collector_is_emitted_without_service_logs(load: Loader) -> None:
    doc = base_catalog()
    for service in doc["services"]:
        service.pop("logs", None)
    plan, _ = load(doc)
    assert plan is not None
    assert list(LogPipelines().generate(plan)) == []


def test_declared_stream_labels_are_attached_by_the_collector_and_indexed_by_loki(
    load: Loader,
) -> None:
    from lgtmgen.generators.loki import LokiGenerator

    doc = base_catalog()
    doc["services"][2]["logs"]["stream_labels"] = {"namespace": "mail"}
    plan, diagnostics = load(doc)
    assert plan is not None, [str(d) for d in diagnostics]
    resource = collector(plan)["processors"]["resource/mailer"]["attributes"]
    assert {"key": "namespace", "value": "mail", "action": "upsert"} in resource
    config = next(a for a in LokiGenerator().generate(plan) if a.path == "loki/loki.yaml").data
    indexed = config["limits_config"]["otlp_config"]["resource_attributes"]["attributes_config"]
    assert indexed == [{"action": "index_label", "attributes": ["level", "namespace"]}]


def test_the_pod_log_files_are_those_of_the_service_workload_and_container(plan: Plan) -> None:
    receivers = collector(plan)["receivers"]
    # Kubernetes writes /var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log.
    assert receivers["filelog/checkout"]["include"] == ["/var/log/pods/*_checkout-*/checkout/*.log"]


def test_a_declared_workload_and_container_name_the_log_files(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][0]["name"] = "Checkout Service"
    doc["services"][0]["logs"] |= {"workload": "checkout-api", "container": "app"}
    plan, diagnostics = load(doc)
    assert plan is not None, [str(d) for d in diagnostics]
    (receiver,) = [r for r in collector(plan)["receivers"].values() if "checkout-api" in r["include"][0]]
    assert receiver["include"] == ["/var/log/pods/*_checkout-api-*/app/*.log"]


def test_the_container_defaults_to_the_workload(load: Loader) -> None:
    doc = base_catalog()
    doc["services"][0]["logs"]["workload"] = "checkout-api"
    plan, diagnostics = load(doc)
    assert plan is not None, [str(d) for d in diagnostics]
    include = collector(plan)["receivers"]["filelog/checkout"]["include"]
    assert include == ["/var/log/pods/*_checkout-api-*/checkout-api/*.log"]


def test_the_deprecated_exporter_aliases_are_not_emitted(plan: Plan) -> None:
    # Since collector v0.144 `otlp` and `otlphttp` are aliases of otlp_grpc and otlp_http that
    # log a deprecation warning at start; the reference knows only the current names.
    doc = copy.deepcopy(collector(plan))
    assert all(name.startswith("otlp_http/") for name in doc["exporters"])
    doc["exporters"]["otlphttp/staging"] = doc["exporters"].pop("otlp_http/staging")
    doc["service"]["pipelines"]["logs/mailer"]["exporters"] = ["otlphttp/staging"]
    found = [(d.check, d.path) for d in validate_collector(doc, "c.yaml")]
    assert ("otelcol/unknown-component", "exporters.otlphttp/staging") in found


def test_each_cluster_gets_a_collector_that_names_it_on_every_stream(load: Loader) -> None:
    doc = base_catalog()
    doc["environments"] = [{"name": "production", "production": True}, {"name": "staging"}]
    doc["clusters"] = [
        {"name": "eu-prod", "environment": "production"},
        {"name": "eu-staging", "environment": "staging"},
    ]
    doc["services"][0]["clusters"] = ["eu-prod"]  # checkout; the others run everywhere
    plan, diagnostics = load(doc)
    assert plan is not None, [str(d) for d in diagnostics]
    files = {a.path: yaml.safe_load(render_artifact(a)) for a in LogPipelines().generate(plan)}
    assert sorted(files) == [
        "otelcol/clusters/eu-prod/logs.yaml",
        "otelcol/clusters/eu-staging/logs.yaml",
    ]
    for path, config in files.items():
        assert validate_collector(config, path) == []
        cluster = path.split("/")[2]
        for name, processor in config["processors"].items():
            if name.startswith("resource/"):
                attributes = {a["key"]: a["value"] for a in processor["attributes"]}
                # Loki indexes k8s.cluster.name by default, as k8s_cluster_name.
                assert attributes["k8s.cluster.name"] == cluster
    staging = files["otelcol/clusters/eu-staging/logs.yaml"]["service"]["pipelines"]
    assert "logs/checkout" not in staging and "logs/identity" in staging
    assert "logs/checkout" in files["otelcol/clusters/eu-prod/logs.yaml"]["service"]["pipelines"]
