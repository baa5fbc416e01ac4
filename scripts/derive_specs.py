#!/usr/bin/env python3
"""Derive the pinned upstream references under specs/upstream/ from ../shared/upstream.

Usage: python scripts/derive_specs.py [UPSTREAM_DIR] [--out OUT_DIR] [--check]

Stdlib only. The output is deterministic (sorted keys, two-space indent, trailing
newline) so that a test can prove the committed specs equal a fresh derivation.
What is kept: each file's header, path syntax, key types and defaults, the runtime
file layout; what is dropped: CLI flags and notes the validator does not read.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_UPSTREAM = REPO_ROOT.parent / "shared" / "upstream"
DEFAULT_OUT = REPO_ROOT / "specs" / "upstream"

KEY_FILES = (
    "mimir-3.0/config-keys.json",
    "mimir-3.0/tenant-limits-keys.json",
    "loki-3.7/config-keys.json",
    "loki-3.7/tenant-limits-keys.json",
    "tempo-3.0/config-keys.json",
    "tempo-3.0/tenant-overrides-keys.json",
)
TAIL_SAMPLING = "otelcol-tail-sampling.json"
DASHBOARD_SCHEMA = "grafana-dashboard-schema"
KEPT_KEY_FIELDS = ("type", "default")
DROPPED_TAIL_SAMPLING_SECTIONS = ("alloy", "decision_rules", "feature_gates")


def _is_flat(value: Any) -> bool:
    if isinstance(value, dict):
        return all(not isinstance(v, (dict, list)) or v in ({}, []) for v in value.values())
    if isinstance(value, list):
        return all(not isinstance(v, (dict, list)) for v in value)
    return True


def _render(value: Any, indent: int) -> str:
    if _is_flat(value):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, list):
        items = [inner + _render(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    items = [
        inner + json.dumps(k, ensure_ascii=False) + ": " + _render(value[k], indent + 1)
        for k in sorted(value)
    ]
    return "{\n" + ",\n".join(items) + "\n" + pad + "}"


def render(data: Any) -> str:
    """Sorted, indented JSON with one line per leaf entry (a key's type and default)."""
    return _render(data, 0) + "\n"


def derive_key_file(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "header": raw["header"],
        "path_syntax": raw["path_syntax"],
        "keys": {
            path: {field: entry[field] for field in KEPT_KEY_FIELDS if field in entry}
            for path, entry in raw["keys"].items()
        },
    }
    if "runtime_file" in raw:
        out["runtime_file"] = raw["runtime_file"]
    return out


def derive_tail_sampling(raw: dict[str, Any]) -> dict[str, Any]:
    source = raw["source"]
    config_go = next(f for f in source["files"] if f["path"].endswith("/config.go"))
    out = {k: v for k, v in raw.items() if k not in DROPPED_TAIL_SAMPLING_SECTIONS}
    out["header"] = {
        "project": source["repo"],
        "version": source.get("version_estimate", "unknown"),
        "commit": config_go["commit"],
        "source": f"{raw['go_package']} ({config_go['path']} and its config schema)",
    }
    return out


def derive(upstream: Path) -> dict[str, str]:
    """Return {relative output path: file text} for every derived JSON reference."""
    outputs: dict[str, str] = {}
    for rel in KEY_FILES:
        raw = json.loads((upstream / rel).read_text(encoding="utf-8"))
        outputs[rel] = render(derive_key_file(raw))
    raw_ts = json.loads((upstream / TAIL_SAMPLING).read_text(encoding="utf-8"))
    outputs[TAIL_SAMPLING] = render(derive_tail_sampling(raw_ts))
    return outputs


def copied_files(upstream: Path) -> dict[str, bytes]:
    """The dashboard schema folder is copied byte for byte, LICENSE included."""
    src = upstream / DASHBOARD_SCHEMA
    return {
        f"{DASHBOARD_SCHEMA}/{p.name}": p.read_bytes() for p in sorted(src.iterdir()) if p.is_file()
    }


def write(upstream: Path, out: Path) -> None:
    for rel, text in derive(upstream).items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    schema_dir = out / DASHBOARD_SCHEMA
    if schema_dir.exists():
        shutil.rmtree(schema_dir)
    schema_dir.mkdir(parents=True)
    for rel, data in copied_files(upstream).items():
        (out / rel).write_bytes(data)


def stale_files(upstream: Path, out: Path) -> list[str]:
    """Paths under `out` that differ from a fresh derivation (missing counts as stale)."""
    stale: list[str] = []
    expected: dict[str, bytes] = {k: v.encode("utf-8") for k, v in derive(upstream).items()}
    expected.update(copied_files(upstream))
    for rel, data in sorted(expected.items()):
        target = out / rel
        if not target.is_file() or target.read_bytes() != data:
            stale.append(rel)
    schema_dir = out / DASHBOARD_SCHEMA
    if schema_dir.is_dir():
        for p in sorted(schema_dir.iterdir()):
            if f"{DASHBOARD_SCHEMA}/{p.name}" not in expected:
                stale.append(f"{DASHBOARD_SCHEMA}/{p.name}")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("upstream", nargs="?", type=Path, default=DEFAULT_UPSTREAM)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="report drift, write nothing")
    args = parser.parse_args(argv)
    if not args.upstream.is_dir():
        print(f"upstream references not found: {args.upstream}", file=sys.stderr)
        return 2
    if args.check:
        stale = stale_files(args.upstream, args.out)
        for rel in stale:
            print(f"stale: {args.out / rel}", file=sys.stderr)
        return 1 if stale else 0
    write(args.upstream, args.out)
    print(f"derived {args.upstream} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
