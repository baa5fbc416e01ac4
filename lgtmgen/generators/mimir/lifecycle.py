"""Object-store storage classes Mimir can use, and the bucket lifecycle policy as data.

Mimir's queriers and compactor read any block within retention at any time, so
every class must be instantly readable; deletion is the compactor's job, so the
policy only moves objects between instant-access classes and aborts stale uploads.
"""

from __future__ import annotations

from typing import Any

from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.catalog.models.metrics_platform import MimirStorage

ARCHIVE_CLASSES: dict[str, frozenset[str]] = {
    "s3": frozenset({"GLACIER", "DEEP_ARCHIVE"}),
    "gcs": frozenset({"ARCHIVE"}),
}
INSTANT_CLASSES: dict[str, frozenset[str]] = {
    "s3": frozenset({"STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR"}),
    "gcs": frozenset({"STANDARD", "NEARLINE", "COLDLINE"}),
}
STALE_UPLOAD_DAYS = 7
SECONDS_PER_DAY = 86400


def storage_class_problem(backend: str, storage_class: str) -> str | None:
    """Why `storage_class` cannot hold Mimir blocks, or None when it is instantly readable."""
    name = storage_class.upper()
    if name in ARCHIVE_CLASSES[backend]:
        return (
            f"{storage_class} is an archive class: objects must be restored before they can be read, "
            "but Mimir's queriers and compactor read every block within retention at any time"
        )
    if name not in INSTANT_CLASSES[backend]:
        known = ", ".join(sorted(INSTANT_CLASSES[backend]))
        return f"{storage_class} is not a known instant-access {backend} class (use one of {known})"
    return None


def s3_lifecycle(storage: MimirStorage) -> dict[str, Any]:
    """An S3 lifecycle configuration (the JSON `put-bucket-lifecycle-configuration` takes)."""
    rules: list[dict[str, Any]] = [
        {
            "ID": "abort-stale-multipart-uploads",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": STALE_UPLOAD_DAYS},
        }
    ]
    transitions = [
        {"Days": int(parse_duration(t.after) // SECONDS_PER_DAY), "StorageClass": t.storage_class.upper()}
        for t in sorted(storage.lifecycle_transitions, key=lambda t: parse_duration(t.after))
    ]
    if transitions:
        rules.append({"ID": "instant-access-transitions", "Status": "Enabled", "Filter": {"Prefix": ""}, "Transitions": transitions})
    return {"Rules": rules}


def gcs_lifecycle(storage: MimirStorage) -> dict[str, Any]:
    """A GCS lifecycle configuration (the JSON `gcloud storage buckets update --lifecycle-file` takes)."""
    rules = [
        {
            "action": {"type": "SetStorageClass", "storageClass": t.storage_class.upper()},
            "condition": {"age": int(parse_duration(t.after) // SECONDS_PER_DAY)},
        }
        for t in sorted(storage.lifecycle_transitions, key=lambda t: parse_duration(t.after))
    ]
    rules.append({"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": STALE_UPLOAD_DAYS}})
    return {"rule": rules}


def lifecycle_policy(storage: MimirStorage) -> dict[str, Any]:
    return s3_lifecycle(storage) if storage.backend == "s3" else gcs_lifecycle(storage)
