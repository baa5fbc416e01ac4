"""Key references: the upstream key lists of specs/upstream/ loaded as trees.

A reference file lists dotted paths (`a.b`, `a[]` for an element of list `a`,
`a.*` for the value under any key of map `a`). Paths that other paths extend are
blocks. Runtime references (Mimir/Loki runtime config, Tempo per-tenant overrides)
are not stored as such: they are composed here from the tenant-limits file and,
for the runtime file's other top-level keys, from the matching main-config blocks.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from lgtmgen.checks.reference.values import GO_DURATION
from lgtmgen.resources import SPECS_DIR

SPECS_ENV = "LGTMGEN_SPECS_DIR"

BLOCK = "object"
LIST = "list"
MAP = "map"
ANY = "any"


@dataclass(slots=True)
class KeyNode:
    """One key of a reference: its type, default and what may sit beneath it."""

    type: str | None = None
    default: Any = None
    children: dict[str, KeyNode] = field(default_factory=dict)
    item: KeyNode | None = None
    value: KeyNode | None = None

    @property
    def is_block(self) -> bool:
        """A block holds named keys: either declared an object or extended by other paths."""
        return bool(self.children) and self.type in (None, BLOCK)

    def child(self, *segments: str) -> KeyNode | None:
        node: KeyNode | None = self
        for seg in segments:
            if node is None:
                return None
            node = (
                node.item if seg == "[]" else node.value if seg == "*" else node.children.get(seg)
            )
        return node


@dataclass(frozen=True, slots=True)
class KeyReference:
    """A loaded reference: `flavour` says which file family extra rules apply to.

    Flavours: ``config`` (Mimir/Loki main config), ``runtime`` (Mimir/Loki runtime
    overrides), ``tempo-config`` and ``tempo-overrides``.
    """

    name: str
    header: dict[str, str]
    root: KeyNode
    flavour: str
    main_config_leaves: dict[str, tuple[str, ...]] = field(default_factory=dict)


def specs_dir() -> Path:
    env = os.environ.get(SPECS_ENV)
    if env:
        return Path(env)
    return SPECS_DIR / "upstream"


def split_path(path: str) -> list[str]:
    segments: list[str] = []
    for part in path.split("."):
        depth = 0
        while part.endswith("[]"):
            part, depth = part[:-2], depth + 1
        if part:
            segments.append(part)
        segments.extend(["[]"] * depth)
    return segments


# The references come from doc generators that print some Go types as `int`. Where the
# real decoder takes something else, the default betrays it (`3MB`, `auto`) or, for the
# few keys whose default is empty, this table records the Go type (Loki's
# StreamRetention.Period is a model.Duration: `period: 24h`).
TYPE_CORRECTIONS = {"retention_stream[].period": "duration"}
_BYTE_SIZE_DEFAULT = re.compile(r"(?:\d+(?:\.\d+)?[KMGTPE]?i?B)+")


def effective_type(path: str, entry: dict[str, Any]) -> str | None:
    """The type to check a value against: the reference's, unless it is known to be lossy."""
    for suffix, corrected in TYPE_CORRECTIONS.items():
        if path == suffix or path.endswith("." + suffix):
            return corrected
    declared = entry.get("type")
    default = entry.get("default")
    if declared in ("int", "float") and isinstance(default, str) and default:
        if _BYTE_SIZE_DEFAULT.fullmatch(default):
            return "bytes"
        try:
            float(default)
        except ValueError:
            return "scalar"
    return declared if isinstance(declared, str) else None


def _is_extension_slot(path: str, keys: dict[str, dict[str, Any]]) -> bool:
    """Tempo's overrides accept registered extensions inline (`<inline-extra-keys>`,
    `overrides.defaults.*` under an object); none are registered, so unknown keys stay errors."""
    if path.startswith("<"):
        return True
    if path.endswith(".*"):
        parent = keys.get(path[:-2])
        return parent is not None and parent.get("type") == BLOCK
    return False


def build_tree(keys: dict[str, dict[str, Any]]) -> KeyNode:
    root = KeyNode(type=BLOCK)
    for path in sorted(keys):
        if _is_extension_slot(path, keys):
            continue
        node = root
        for seg in split_path(path):
            if seg == "[]":
                node.item = node.item or KeyNode()
                node = node.item
            elif seg == "*":
                node.value = node.value or KeyNode()
                node = node.value
            else:
                node = node.children.setdefault(seg, KeyNode())
        entry = keys[path]
        node.type = effective_type(path, entry)
        node.default = entry.get("default")
    return root


GO_DURATION_CONFIGS = {"mimir": "limits", "loki": "limits_config"}
"""Main configs whose durations are Go `time.Duration`s (no `d` unit) except in the named block,
the tenant limits' defaults, which are Prometheus `model.Duration`s (`retention_period: 30d`)."""


def _go_durations(node: KeyNode, skip: str | None) -> None:
    """Mark the `duration` keys below `node` as Go durations, except below its child `skip`."""
    if node.type == "duration":
        node.type = GO_DURATION
    for name, child in node.children.items():
        if name != skip:
            _go_durations(child, None)
    for inner in (node.item, node.value):
        if inner is not None:
            _go_durations(inner, None)


def _read(rel: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((specs_dir() / rel).read_text(encoding="utf-8"))
    return data


def _leaf_index(root: KeyNode) -> dict[str, tuple[str, ...]]:
    """Leaf key name → dotted main-config paths, to point at where a misplaced key belongs."""
    index: dict[str, list[str]] = {}

    def walk(node: KeyNode, prefix: str) -> None:
        for name, child in node.children.items():
            path = f"{prefix}.{name}" if prefix else name
            index.setdefault(name, []).append(path)
            walk(child, path)

    walk(root, "")
    return {k: tuple(v) for k, v in index.items()}


def _tenant_map(tenant_root: KeyNode) -> KeyNode:
    return KeyNode(type=MAP, value=KeyNode(type=BLOCK, children=tenant_root.children))


def _runtime_root(project: str, limits: dict[str, Any], main: KeyNode) -> KeyNode:
    tenant = build_tree(limits["keys"])
    layout = limits.get("runtime_file", {})
    root = KeyNode(type=BLOCK)
    for top in layout.get("top_level_keys", ["overrides"]):
        root.children[top] = KeyNode(type=ANY)
    root.children["overrides"] = _tenant_map(tenant)
    if project == "mimir":
        for top, block in (("ingester_limits", "ingester"), ("distributor_limits", "distributor")):
            limits_node = main.child(block, "instance_limits")
            if top in root.children and limits_node is not None:
                root.children[top] = limits_node
    if project == "loki" and "configs" in root.children:
        ops = main.child("operational_config")
        wanted = set(layout.get("configs_keys", ()))
        if ops is not None:
            per_tenant = KeyNode(
                type=BLOCK, children={k: v for k, v in ops.children.items() if k in wanted}
            )
            root.children["configs"] = KeyNode(type=MAP, value=per_tenant)
    if "multi_kv_config" in root.children and layout.get("multi_kv_config_keys"):
        root.children["multi_kv_config"] = KeyNode(
            type=BLOCK,
            children={k: KeyNode(type=ANY) for k in layout["multi_kv_config_keys"]},
        )
    return root


@cache
def load_reference(name: str) -> KeyReference:
    """Load a reference by name: ``<project>-<version>/<config|runtime|overrides>``.

    ``mimir-3.0/config``, ``mimir-3.0/runtime``, ``loki-3.7/config``, ``loki-3.7/runtime``,
    ``tempo-3.0/config``, ``tempo-3.0/overrides``. Cached per process.
    """
    folder, _, kind = name.partition("/")
    project = folder.split("-", 1)[0]
    main = _read(f"{folder}/config-keys.json")
    main_root = build_tree(main["keys"])
    if kind == "config":
        flavour = "tempo-config" if project == "tempo" else "config"
        if project in GO_DURATION_CONFIGS:  # this call's own tree: the runtime reference builds another
            _go_durations(main_root, GO_DURATION_CONFIGS[project])
        return KeyReference(name, main["header"], main_root, flavour)
    if kind == "runtime" and project in ("mimir", "loki"):
        limits = _read(f"{folder}/tenant-limits-keys.json")
        root = _runtime_root(project, limits, main_root)
        return KeyReference(name, limits["header"], root, "runtime", _leaf_index(main_root))
    if kind == "overrides" and project == "tempo":
        scoped = _read(f"{folder}/tenant-overrides-keys.json")
        root = KeyNode(type=BLOCK, children={"overrides": _tenant_map(build_tree(scoped["keys"]))})
        return KeyReference(name, scoped["header"], root, "tempo-overrides")
    raise KeyError(f"unknown reference {name!r}")
