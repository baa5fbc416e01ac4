"""Single-defect edits of a committed bundle, with the manifest's digests made to match again: the
checks then see only what the edit means, not that a file was changed by hand."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from lgtmgen.checks import run_checks
from lgtmgen.toolchain.locate import Toolbox
from lgtmgen.writer import MANIFEST

ROOT = Path(__file__).resolve().parents[2]
SHOP_BUNDLE = ROOT / "generated" / "shop"
STARTER_BUNDLE = ROOT / "generated" / "starter"

Edit = tuple[str, str, str]
"""A bundle path, a text it holds, and what replaces every occurrence of it."""


def copied(source: Path, into: Path) -> Path:
    bundle = into / "bundle"
    shutil.copytree(source, bundle)
    return bundle


def edit(bundle: Path, edits: Iterable[Edit]) -> Path:
    """Apply `edits` (each must change its file) and give every edited file its new digest."""
    for path, old, new in edits:
        target = bundle / path
        text = target.read_text(encoding="utf-8")
        assert old in text, f"{path} holds no {old!r}"
        target.write_text(text.replace(old, new), encoding="utf-8")
        _redigest(bundle, path)
    return bundle


def edit_json(bundle: Path, path: str, change: Callable[[Any], None]) -> Path:
    """Change one JSON file of the bundle in place (`change` edits the parsed document) and its digest."""
    target = bundle / path
    doc = json.loads(target.read_text(encoding="utf-8"))
    change(doc)
    target.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    _redigest(bundle, path)
    return bundle


def _redigest(bundle: Path, path: str) -> None:
    manifest = json.loads((bundle / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"][path]["sha256"] = hashlib.sha256((bundle / path).read_bytes()).hexdigest()
    (bundle / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def findings(bundle: Path, *checks: str) -> list[tuple[str, str, str]]:
    """(check id, file, message) of what `checks` (with the manifest's) report, sorted."""
    found = run_checks(bundle, Toolbox(), only={"manifest", *checks})
    return sorted((d.check, d.location.file if d.location else "", d.message) for d in found)
