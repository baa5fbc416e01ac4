"""What every Kubernetes output of the bundle shares: where a cluster's objects go, their labels, kustomizations.

Objects go under `kubernetes/clusters/<cluster>/<set>/`, one directory per set (`prometheus-rules`,
`autoscaling`) with a `kustomization.yaml` listing its objects, so `kubectl apply -k` installs
one set in one cluster. Every object carries `app.kubernetes.io/managed-by: lgtmgen` and its set
as `app.kubernetes.io/component`, which is what a prune selects on (docs/metrics.md).
"""

from __future__ import annotations

from typing import Any

from lgtmgen.artifacts import Artifact, Role
from lgtmgen.naming import slug

KUSTOMIZE_API_VERSION = "kustomize.config.k8s.io/v1beta1"


def set_dir(cluster: str, kind: str) -> str:
    """The directory of one set of a cluster's objects (the cluster named as in prometheus/clusters/)."""
    return f"kubernetes/clusters/{slug(cluster)}/{kind}"


def object_labels(kind: str, team: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"app.kubernetes.io/managed-by": "lgtmgen", "app.kubernetes.io/component": kind, "team": team, **(extra or {})}


def kustomization(cluster: str, kind: str, resources: list[str], what: str) -> Artifact:
    """The `kustomization.yaml` of one set (callers write none for a set without objects: kubectl refuses it)."""
    data: dict[str, Any] = {"apiVersion": KUSTOMIZE_API_VERSION, "kind": "Kustomization", "resources": resources}
    return Artifact(
        path=f"{set_dir(cluster, kind)}/kustomization.yaml",
        role=Role.KUSTOMIZATION,
        data=data,
        comment=f"{what} of cluster {cluster!r}: kubectl apply -k this directory.",
    )
