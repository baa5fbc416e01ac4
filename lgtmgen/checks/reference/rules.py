"""Rules learned from the real binaries that the key lists alone do not express."""

from __future__ import annotations

from lgtmgen.checks.reference.model import KeyNode, KeyReference
from lgtmgen.checks.reference.walker import DocumentWalker, UnknownKeyRule, join
from lgtmgen.diagnostics import Diagnostic

LEGACY_OVERRIDES = "reference/legacy-overrides"
REMOVED_BLOCK = "reference/removed-block"
MISSING_COMPANION = "reference/missing-companion"

TEMPO_REMOVED_BLOCKS = {
    "ingester": "Tempo 3.0 has no ingesters: recent data lives in live_store and "
    "block_builder; block retention is backend_worker.compaction.block_retention",
    "ingester_client": "Tempo 3.0 has no ingesters: use live_store_client",
    "compactor": "Tempo 3.0 compacts in backend_scheduler/backend_worker: retention is "
    "backend_worker.compaction.block_retention, per tenant "
    "overrides.defaults.compaction.block_retention",
}


def _scoped_root(ref: KeyReference) -> KeyNode | None:
    if ref.flavour == "tempo-config":
        return ref.root.child("overrides", "defaults")
    return ref.root.child("overrides", "*")


_LEGACY: dict[str, dict[str, str]] = {}


def legacy_translations(ref: KeyReference) -> dict[str, str]:
    """Legacy flat key → scoped path, from the scoped keys themselves.

    Tempo's legacy names are the scoped path joined with `_`
    (`ingestion.rate_limit_bytes` → `ingestion_rate_limit_bytes`) or that path without
    its scope (`compaction.block_retention` → `block_retention`).
    """
    if ref.name in _LEGACY:
        return _LEGACY[ref.name]
    scoped = _scoped_root(ref)
    out: dict[str, str] = _LEGACY.setdefault(ref.name, {})
    if scoped is None:
        return out

    def walk(node: KeyNode, segments: list[str]) -> None:
        for name, child in node.children.items():
            segs = [*segments, name]
            dotted = ".".join(segs)
            out.setdefault("_".join(segs), dotted)
            if len(segs) > 1:
                out.setdefault("_".join(segs[1:]), dotted)
            walk(child, segs)

    walk(scoped, [])
    for name in scoped.children:
        out.pop(name, None)
    return out


def tempo_rules(walker: DocumentWalker) -> list[UnknownKeyRule]:
    ref = walker.ref
    scoped = _scoped_root(ref)
    overrides = ref.root.child("overrides")
    legacy_parents = [n for n in (scoped, overrides) if n is not None]

    def legacy(node: KeyNode, path: str, key: str, value: object) -> Diagnostic | None:
        if not any(node is p for p in legacy_parents):
            return None
        scoped_path = legacy_translations(ref).get(key)
        if scoped_path is None:
            return None
        prefix = path if node is scoped else "overrides.defaults"
        return walker.diagnostic(
            LEGACY_OVERRIDES,
            join(path, key),
            f"{join(path, key)} uses the legacy flat overrides format, which Tempo 3.0 rejects; "
            f"use {prefix}.{scoped_path}",
            hint=f"move it to {prefix}.{scoped_path}",
        )

    def removed(node: KeyNode, path: str, key: str, value: object) -> Diagnostic | None:
        if ref.flavour != "tempo-config" or node is not ref.root or key not in TEMPO_REMOVED_BLOCKS:
            return None
        return walker.diagnostic(
            REMOVED_BLOCK,
            key,
            f"block {key} was removed in Tempo 3.0; {TEMPO_REMOVED_BLOCKS[key]}",
        )

    return [removed, legacy]


def loki_companions(walker: DocumentWalker, doc: object) -> None:
    """Loki refuses retention in the compactor without a delete-request store."""
    if not isinstance(doc, dict):
        return
    compactor = doc.get("compactor")
    if (
        isinstance(compactor, dict)
        and compactor.get("retention_enabled") is True
        and not compactor.get("delete_request_store")
    ):
        walker.report(
            MISSING_COMPANION,
            "compactor.delete_request_store",
            "compactor.retention_enabled needs compactor.delete_request_store "
            "(Loki refuses to start without it)",
            hint="set compactor.delete_request_store to the object store of the index",
        )
