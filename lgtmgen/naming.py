"""Stable names derived from catalog names: file slugs, Grafana uids, anchors."""

from __future__ import annotations

import hashlib
import re

_SAFE = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
_UNSAFE_RUN = re.compile(r"[^a-z0-9]+")


def short_hash(text: str, length: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def slug(name: str) -> str:
    """A file-name-safe form of `name`; names that need changing get a hash so none collide."""
    if _SAFE.fullmatch(name) and len(name) <= 60:
        return name
    cleaned = _UNSAFE_RUN.sub("-", name.lower()).strip("-")[:40]
    return f"{cleaned}-{short_hash(name)}" if cleaned else short_hash(name)


def grafana_uid(kind: str, name: str) -> str:
    """A Grafana uid (at most 40 characters) stable for a dashboard kind and name."""
    readable = _UNSAFE_RUN.sub("-", name.lower()).strip("-")[:20]
    return f"{kind}-{readable}-{short_hash(kind + '/' + name, 10)}"[:40]
