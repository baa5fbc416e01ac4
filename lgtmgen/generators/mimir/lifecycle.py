"""The lifecycle policies of the blocks and ruler buckets, as data.

Deletion is the compactor's job and every class must stay instantly readable
(`lgtmgen.catalog.metrics_checks` refuses archive classes), so the policies never
expire a current object: they move blocks between instant-access classes, abort
stale uploads and, on a versioned bucket, remove what a deletion leaves behind.
There a delete keeps the object as a noncurrent version (and S3 adds a delete
marker), still billed; the policy drops noncurrent versions once they have been
noncurrent for `noncurrent_version_retention` days, and S3's markers once no
version is left under them. On an unversioned bucket those rules match nothing.
"""

from __future__ import annotations

from typing import Any

from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.catalog.models.metrics_platform import MimirStorage

STALE_UPLOAD_DAYS = 7
SECONDS_PER_DAY = 86400


def _days(duration: str) -> int:
    return int(parse_duration(duration) // SECONDS_PER_DAY)


def _s3_common(storage: MimirStorage) -> list[dict[str, Any]]:
    return [
        {
            "ID": "abort-stale-multipart-uploads",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": STALE_UPLOAD_DAYS},
        },
        {
            # ExpiredObjectDeleteMarker only removes a marker with no version left under it;
            # S3 refuses it beside Days or Date, which would expire current objects anyway.
            "ID": "expire-noncurrent-versions",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "NoncurrentVersionExpiration": {"NoncurrentDays": _days(storage.noncurrent_version_retention)},
            "Expiration": {"ExpiredObjectDeleteMarker": True},
        },
    ]


def s3_lifecycle(storage: MimirStorage, transitions: bool = True) -> dict[str, Any]:
    """An S3 lifecycle configuration (the JSON `put-bucket-lifecycle-configuration` takes).

    `transitions=False` leaves out the class moves (the ruler bucket: small objects read at every poll).
    """
    rules = _s3_common(storage)
    moves = [
        {"Days": _days(t.after), "StorageClass": t.storage_class.upper()}
        for t in sorted(storage.lifecycle_transitions, key=lambda t: parse_duration(t.after))
    ]
    if transitions and moves:
        rules.append({"ID": "instant-access-transitions", "Status": "Enabled", "Filter": {"Prefix": ""}, "Transitions": moves})
    return {"Rules": rules}


def gcs_lifecycle(storage: MimirStorage, transitions: bool = True) -> dict[str, Any]:
    """A GCS lifecycle configuration (the JSON `gcloud storage buckets update --lifecycle-file` takes)."""
    rules: list[dict[str, Any]] = []
    if transitions:
        rules = [
            {
                "action": {"type": "SetStorageClass", "storageClass": t.storage_class.upper()},
                "condition": {"age": _days(t.after)},
            }
            for t in sorted(storage.lifecycle_transitions, key=lambda t: parse_duration(t.after))
        ]
    rules.append({"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": STALE_UPLOAD_DAYS}})
    # daysSinceNoncurrentTime only matches noncurrent versions: live objects are never deleted.
    rules.append(
        {
            "action": {"type": "Delete"},
            "condition": {"daysSinceNoncurrentTime": _days(storage.noncurrent_version_retention)},
        }
    )
    return {"rule": rules}


def lifecycle_policy(storage: MimirStorage) -> dict[str, Any]:
    """The blocks bucket's policy: transitions, stale uploads, noncurrent versions."""
    return s3_lifecycle(storage) if storage.backend == "s3" else gcs_lifecycle(storage)


def ruler_lifecycle_policy(storage: MimirStorage) -> dict[str, Any]:
    """The ruler bucket's policy: stale uploads and noncurrent versions (each rule-group update leaves one)."""
    if storage.backend == "s3":
        return s3_lifecycle(storage, transitions=False)
    return gcs_lifecycle(storage, transitions=False)
