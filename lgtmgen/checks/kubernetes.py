"""Kubernetes objects of the bundle against the Kubernetes API schema, strictly.

`kubernetes-validate` carries the JSON Schemas of every Kubernetes release; the
strict ones refuse unknown fields, as the API server does with field validation
on. PrometheusRule objects are custom resources with no schema there; promtool
checks their rules (`promtool-rule-objects`).
"""

from __future__ import annotations

import kubernetes_validate
import yaml

from lgtmgen.artifacts import Role
from lgtmgen.checks.base import CheckContext
from lgtmgen.checks.bundle_yaml import safe_load
from lgtmgen.diagnostics import Diagnostic, Location

KUBERNETES_VERSION = "1.32"
"""The Kubernetes release whose API schema the objects are held to (autoscaling/v2 is stable since 1.23)."""


class KubernetesObjects:
    """Every `kubernetes-object` file against the strict schema of `KUBERNETES_VERSION`."""

    name = "kubernetes"

    def run(self, ctx: CheckContext) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        for bundle_file in ctx.by_role(Role.KUBERNETES_OBJECT):
            where = Location(bundle_file.path)
            try:
                doc = safe_load(bundle_file.absolute.read_text(encoding="utf-8"))
                kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
            except (OSError, yaml.YAMLError) as exc:
                found.append(Diagnostic("kubernetes/unreadable", str(exc), location=where))
            except kubernetes_validate.ValidationError as exc:
                field = ".".join(map(str, exc.absolute_path)) or "(top level)"
                found.append(Diagnostic("kubernetes/schema", f"{field}: {exc.message}", location=where))
            except (kubernetes_validate.SchemaNotFoundError, KeyError, TypeError, AttributeError) as exc:
                message = getattr(exc, "message", None) or f"not a Kubernetes object ({exc!r})"
                found.append(Diagnostic("kubernetes/unknown-kind", message, location=where))
        return found
