"""Validate generated Mimir, Loki and Tempo configs and collector tail sampling
against the pinned upstream references in specs/upstream/.

Check ids: ``reference/unknown-key``, ``reference/wrong-type``, ``reference/not-a-block``,
``reference/legacy-overrides``, ``reference/removed-block``, ``reference/missing-companion``,
and for tail sampling ``reference/unknown-policy-type``, ``reference/missing-required``,
``reference/value-not-allowed``, ``reference/unknown-policy-name`` (errors),
``reference/version-dependent`` and ``reference/unused-policy-block`` (warnings).
"""

from __future__ import annotations

from lgtmgen.checks.reference.model import KeyNode, KeyReference, load_reference, specs_dir
from lgtmgen.checks.reference.rules import loki_companions, tempo_rules
from lgtmgen.checks.reference.tail_sampling import validate_tail_sampling
from lgtmgen.checks.reference.walker import DocumentWalker
from lgtmgen.diagnostics import Diagnostic

__all__ = [
    "KeyNode",
    "KeyReference",
    "load_reference",
    "specs_dir",
    "validate_document",
    "validate_tail_sampling",
]


def validate_document(doc: object, ref: KeyReference, *, file: str) -> list[Diagnostic]:
    """Every unknown key, wrong type and misplaced scalar of `doc`, in document order.

    `doc` is the parsed YAML (an empty file parses to None and passes); `file` is the
    bundle-relative path every diagnostic's location carries.
    """
    walker = DocumentWalker(ref, file, [])
    if ref.flavour in ("tempo-config", "tempo-overrides"):
        walker.rules.extend(tempo_rules(walker))
    walker.walk(doc, ref.root, "")
    if ref.flavour == "config" and ref.header.get("project") == "loki":
        loki_companions(walker, doc)
    return walker.findings
