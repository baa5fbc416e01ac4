"""S3's own rules for the blocks bucket's lifecycle transitions, checked before AWS refuses them.

From the S3 API and user guide: a transition's `Days` is a whole number; objects must
be at least 30 days old before they move to STANDARD_IA or ONEZONE_IA; classes only
move down the waterfall STANDARD → STANDARD_IA → INTELLIGENT_TIERING → ONEZONE_IA →
GLACIER_IR (→ GLACIER → DEEP_ARCHIVE, which Mimir cannot use), never back up or
sideways, and never to STANDARD; and an object spends at least 30 days in
STANDARD_IA or ONEZONE_IA before a Glacier transition of the same rule. The policy
has no expiration of current objects (the compactor deletes blocks), so no expiration
ordering applies. The noncurrent-version retention (S3 `NoncurrentDays`, GCS
`daysSinceNoncurrentTime`) is a whole, positive number of days on either backend.

Check ids: ``catalog/lifecycle-whole-days``, ``catalog/lifecycle-minimum-age``,
``catalog/lifecycle-order``.
"""

from __future__ import annotations

from lgtmgen.catalog.models import Catalog
from lgtmgen.catalog.models.base import parse_duration
from lgtmgen.catalog.positions import PathStep
from lgtmgen.catalog.semantics import Reporter

WHOLE_DAYS = "catalog/lifecycle-whole-days"
MINIMUM_AGE = "catalog/lifecycle-minimum-age"
ORDER = "catalog/lifecycle-order"

SECONDS_PER_DAY = 86400
WATERFALL = (
    "STANDARD",
    "STANDARD_IA",
    "INTELLIGENT_TIERING",
    "ONEZONE_IA",
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
)
INFREQUENT_ACCESS = frozenset({"STANDARD_IA", "ONEZONE_IA"})
GLACIER_CLASSES = frozenset({"GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"})
MINIMUM_DAYS = 30  # before STANDARD_IA/ONEZONE_IA, and spent in them before a Glacier class


def noncurrent_retention_is_whole_days(catalog: Catalog, report: Reporter) -> None:
    """`noncurrent_version_retention` is whole days and at least one (S3 refuses `NoncurrentDays: 0`)."""
    storage = catalog.mimir.storage
    if storage is None:
        return
    seconds = parse_duration(storage.noncurrent_version_retention)
    days = int(seconds // SECONDS_PER_DAY)
    if seconds % SECONDS_PER_DAY or days < 1:
        report.add(
            WHOLE_DAYS,
            f"object stores count noncurrent versions' age in whole days, at least one; "
            f"{storage.noncurrent_version_retention} is not",
            ["mimir", "storage", "noncurrent_version_retention"],
            hint=f"use {max(days, 1)}d" + (f" or {days + 1}d" if days >= 1 else ""),
        )


def s3_lifecycle_is_valid(catalog: Catalog, report: Reporter) -> None:
    """The S3 lifecycle transitions are whole days, old enough and go down the waterfall."""
    storage = catalog.mimir.storage
    if storage is None or storage.backend != "s3":
        return
    base: list[PathStep] = ["mimir", "storage", "lifecycle_transitions"]
    ordered = sorted(
        enumerate(storage.lifecycle_transitions), key=lambda item: parse_duration(item[1].after)
    )
    previous_class, previous_days, previous_index = storage.storage_class.upper(), 0, None
    for index, transition in ordered:
        seconds = parse_duration(transition.after)
        days = int(seconds // SECONDS_PER_DAY)
        target = transition.storage_class.upper()
        if seconds % SECONDS_PER_DAY:
            report.add(
                WHOLE_DAYS,
                f"S3 counts transition ages in whole days; {transition.after} is not",
                [*base, index, "after"],
                hint=f"use {days}d or {days + 1}d",
            )
        if target in INFREQUENT_ACCESS and days < MINIMUM_DAYS:
            report.add(
                MINIMUM_AGE,
                f"S3 moves objects to {target} only once they are at least {MINIMUM_DAYS} days old "
                f"(after: {transition.after})",
                [*base, index, "after"],
                hint=f"use after: {MINIMUM_DAYS}d or more",
            )
        if (
            target in GLACIER_CLASSES
            and previous_class in INFREQUENT_ACCESS
            and previous_index is not None
            and days - previous_days < MINIMUM_DAYS
        ):
            report.add(
                MINIMUM_AGE,
                f"objects must stay {MINIMUM_DAYS} days in {previous_class} before S3 moves them to "
                f"{target}: {transition.after} is only {days - previous_days} days after "
                f"lifecycle_transitions[{previous_index}]",
                [*base, index, "after"],
                hint=f"use after: {previous_days + MINIMUM_DAYS}d or more",
            )
        if target in WATERFALL and previous_class in WATERFALL:
            if WATERFALL.index(target) <= WATERFALL.index(previous_class):
                source = (
                    "storage_class, the class objects are written in"
                    if previous_index is None
                    else f"the class of lifecycle_transitions[{previous_index}]"
                )
                report.add(
                    ORDER,
                    f"S3 transitions only go down {' → '.join(WATERFALL)}; {target} is not below "
                    f"{previous_class} ({source})",
                    [*base, index, "storage_class"],
                )
            elif previous_index is not None and days == previous_days:
                report.add(
                    ORDER,
                    f"two transitions at {days} days (with lifecycle_transitions[{previous_index}])",
                    [*base, index, "after"],
                    hint="give each transition its own age",
                )
        previous_class, previous_days, previous_index = target, days, index
