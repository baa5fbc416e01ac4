"""The blocks bucket's lifecycle policy as data.

Deletion is the compactor's job and every class must stay instantly readable
(`lgtmgen.catalog.metrics_checks` refuses archive classes), so the policy only
moves objects between instant-access classes and aborts stale uploads.
"""

from __future__ import annotations

from typing import Any

from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.catalog.models.metrics_platform import MimirStorage

STALE_UPLOAD_DAYS = 7
SECONDS_PER_DAY = 86400


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
