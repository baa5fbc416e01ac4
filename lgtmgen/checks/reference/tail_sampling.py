"""Check an OpenTelemetry collector `tail_sampling` processor block against its reference."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from lgtmgen.checks.reference.model import specs_dir
from lgtmgen.checks.reference.values import describe, scalar_problem
from lgtmgen.checks.reference.walker import UNKNOWN_KEY, WRONG_TYPE, join, nearest
from lgtmgen.diagnostics import Diagnostic, Location, Severity

UNKNOWN_POLICY_TYPE = "reference/unknown-policy-type"
MISSING_REQUIRED = "reference/missing-required"
NOT_ALLOWED = "reference/value-not-allowed"
UNKNOWN_POLICY_NAME = "reference/unknown-policy-name"
VERSION_DEPENDENT = "reference/version-dependent"
UNUSED_POLICY_BLOCK = "reference/unused-policy-block"

TOP_LEVEL_CONTEXT = "policies"


@cache
def tail_sampling_reference() -> dict[str, Any]:
    """The derived `otelcol-tail-sampling.json`, cached per process."""
    path = specs_dir() / "otelcol-tail-sampling.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


class _TailSamplingChecker:
    def __init__(self, file: str, base: str) -> None:
        self.ref = tail_sampling_reference()
        self.file = file
        self.base = base
        self.findings: list[Diagnostic] = []

    def report(
        self,
        check: str,
        path: str,
        message: str,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.findings.append(
            Diagnostic(
                check=check,
                message=message,
                severity=severity,
                location=Location(self.file),
                path=path,
                hint=hint,
            )
        )

    def fields(self, value: object, spec: dict[str, Any], path: str) -> None:
        """Check a mapping against a `{field: {type, allowed?, required?, fields?}}` spec."""
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.report(WRONG_TYPE, path, f"{path}: expected a mapping, got {describe(value)}")
            return
        for raw_key, item in value.items():
            key = str(raw_key)
            field_spec = spec.get(key)
            if field_spec is None:
                guess = nearest(key, [k for k in spec if not k.startswith("<")])
                suffix = f"; did you mean {guess}?" if guess else ""
                self.report(UNKNOWN_KEY, join(path, key), f"unknown key {join(path, key)}{suffix}")
                continue
            self.field(item, field_spec, join(path, key))
        for key, field_spec in spec.items():
            if field_spec.get("required") and key not in value:
                self.report(MISSING_REQUIRED, join(path, key), f"{join(path, key)} is required")

    def field(self, value: object, spec: dict[str, Any], path: str) -> None:
        type_name: str = spec.get("type", "any")
        if "since" in spec:
            self.report(
                VERSION_DEPENDENT,
                path,
                f"{path} is not in the pinned collector ({spec['since']})",
                severity=Severity.WARNING,
            )
        if type_name == "object":
            self.fields(value, spec.get("fields", {}), path)
        elif type_name == "list(policy)":
            self.policy_list(value, self.top_level_types(), path)
        elif type_name == "list(sub_policy)":
            self.policy_list(value, spec.get("sub_policy_types", []), path)
        elif type_name == "sub_policy":
            self.policy(value, spec.get("sub_policy_types", []), path)
        elif type_name.startswith("list("):
            self.list_of(value, type_name[5:-1], spec, path)
        elif type_name.startswith("map("):
            if value is not None and not isinstance(value, dict):
                self.report(WRONG_TYPE, path, f"{path}: expected a mapping, got {describe(value)}")
        else:
            self.scalar(value, type_name, spec, path)

    def list_of(self, value: object, item_type: str, spec: dict[str, Any], path: str) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            self.report(WRONG_TYPE, path, f"{path}: expected a list, got {describe(value)}")
            return
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            if item_type == "object":
                self.fields(item, spec.get("fields", {}), item_path)
            else:
                self.scalar(item, item_type, spec, item_path)

    def scalar(self, value: object, type_name: str, spec: dict[str, Any], path: str) -> None:
        if isinstance(value, (dict, list)):
            self.report(WRONG_TYPE, path, f"{path}: expected {type_name}, got {describe(value)}")
            return
        problem = scalar_problem(value, type_name)
        if problem:
            self.report(WRONG_TYPE, path, f"{path}: {problem}")
            return
        allowed = spec.get("allowed")
        if allowed and value is not None and value not in allowed:
            self.report(
                NOT_ALLOWED,
                path,
                f"{path}: {value!r} is not one of {', '.join(map(str, allowed))}",
            )

    def top_level_types(self) -> list[str]:
        types: dict[str, Any] = self.ref["policy_types"]
        return [name for name, t in types.items() if TOP_LEVEL_CONTEXT in t.get("usable_in", [])]

    def policy_list(self, value: object, allowed_types: list[str], path: str) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            self.report(WRONG_TYPE, path, f"{path}: expected a list, got {describe(value)}")
            return
        for index, policy in enumerate(value):
            self.policy(policy, allowed_types, f"{path}[{index}]")

    def policy(self, policy: object, allowed_types: list[str], path: str) -> None:
        if not isinstance(policy, dict):
            self.report(WRONG_TYPE, path, f"{path}: a policy is a mapping, got {describe(policy)}")
            return
        common: dict[str, Any] = self.ref["policy_common_fields"]
        for key in ("name", "type"):
            if common[key].get("required") and key not in policy:
                self.report(MISSING_REQUIRED, join(path, key), f"{join(path, key)} is required")
        for raw_key in policy:
            key = str(raw_key)
            if key in ("name", "type") or key in allowed_types:
                continue
            guess = nearest(key, ["name", "type", *allowed_types])
            suffix = f"; did you mean {guess}?" if guess else ""
            self.report(UNKNOWN_KEY, join(path, key), f"unknown key {join(path, key)}{suffix}")
        policy_type = policy.get("type")
        if policy_type is None:
            return
        if policy_type not in allowed_types:
            self.unknown_type(str(policy_type), allowed_types, path)
            return
        type_spec: dict[str, Any] = self.ref["policy_types"][policy_type]
        self.fields(policy.get(policy_type), type_spec.get("fields", {}), join(path, policy_type))
        for other in allowed_types:
            if other != policy_type and other in policy:
                self.report(
                    UNUSED_POLICY_BLOCK,
                    join(path, other),
                    f"{join(path, other)} is ignored: the policy's type is {policy_type}",
                    severity=Severity.WARNING,
                )
        if policy_type == "composite":
            self.composite_names(policy.get("composite"), join(path, "composite"))

    def unknown_type(self, policy_type: str, allowed_types: list[str], path: str) -> None:
        known: list[str] = list(self.ref["policy_types"])
        guess = nearest(policy_type, allowed_types)
        if policy_type in known:
            message = f"{join(path, 'type')}: policy type {policy_type} is not allowed here"
        else:
            message = f"{join(path, 'type')}: unknown policy type {policy_type}"
        if guess:
            message += f"; did you mean {guess}?"
        self.report(
            UNKNOWN_POLICY_TYPE,
            join(path, "type"),
            message,
            hint=f"allowed here: {', '.join(allowed_types)}",
        )

    def composite_names(self, composite: object, path: str) -> None:
        if not isinstance(composite, dict):
            return
        subs = composite.get("composite_sub_policy")
        names = (
            {p.get("name") for p in subs if isinstance(p, dict)}
            if isinstance(subs, list)
            else set()
        )
        order = composite.get("policy_order")
        for index, name in enumerate(order if isinstance(order, list) else []):
            if name not in names:
                self.report(
                    UNKNOWN_POLICY_NAME,
                    f"{path}.policy_order[{index}]",
                    f"{path}.policy_order[{index}]: no composite_sub_policy is named {name!r}",
                )
        allocation = composite.get("rate_allocation")
        for index, entry in enumerate(allocation if isinstance(allocation, list) else []):
            if isinstance(entry, dict) and entry.get("policy") not in names:
                self.report(
                    UNKNOWN_POLICY_NAME,
                    f"{path}.rate_allocation[{index}].policy",
                    f"{path}.rate_allocation[{index}].policy: no composite_sub_policy is named "
                    f"{entry.get('policy')!r}",
                )


def validate_tail_sampling(
    processor_config: object, *, file: str, path: str = "tail_sampling"
) -> list[Diagnostic]:
    """Check one `tail_sampling` processor block; `path` prefixes every finding's path."""
    checker = _TailSamplingChecker(file, path)
    checker.fields(processor_config, checker.ref["config"], path)
    return checker.findings
