"""Every catalog in this corpus must be refused, with exactly the diagnostics in its expected.txt.

Each case is a directory ``<nn-name>/`` holding the catalog file(s), ``expected.txt``
(``file:line:col check-id: message (hint: ...)`` per line, paths relative to the case) and,
optionally, ``args`` (the catalog paths to pass, one a line; ``.`` by default).
The real CLI runs in a subprocess with the case copied to a scratch directory as
its working directory. ``LGTMGEN_UPDATE_GOLDEN=1`` rewrites expected.txt for review.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir() and p.name[:2].isdigit())
UPDATE = os.environ.get("LGTMGEN_UPDATE_GOLDEN") == "1"
LGTMGEN = [str(Path(sys.executable).parent / "lgtmgen")]


def catalog_args(case: Path) -> list[str]:
    args_file = case / "args"
    if not args_file.exists():
        return ["."]
    return [line for line in args_file.read_text(encoding="utf-8").splitlines() if line]


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LGTMGEN, "--output", "json", *args],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def diagnostic_lines(stdout: str) -> list[str]:
    report = json.loads(stdout)
    lines = []
    for d in report["diagnostics"]:
        where = d["file"]
        if "line" in d:
            where += f":{d['line']}:{d['column']}"
        hint = f" (hint: {d['hint']})" if "hint" in d else ""
        lines.append(f"{where} {d['check']}: {d['message']}{hint}")
    return lines


def copy_case(case: Path, scratch: Path) -> Path:
    target = scratch / "case"
    shutil.copytree(
        case, target, symlinks=True, ignore=shutil.ignore_patterns("expected.txt", "args")
    )
    return target


def old_bundle(root: Path) -> dict[str, bytes]:
    files = {
        "manifest.json": b'{"generator": "lgtmgen", "files": {"prometheus/rules/slo/old.yaml": {}}}\n',
        "prometheus/rules/slo/old.yaml": b"groups: []\n",
    }
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(content)
    return files


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_the_corpus_holds_at_least_forty_five_cases() -> None:
    assert len(CASES) >= 45


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_refuses_the_catalog_with_exactly_the_expected_diagnostics(
    case: Path, tmp_path: Path
) -> None:
    work = copy_case(case, tmp_path)
    result = run_cli(work, "validate", *catalog_args(case))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    found = diagnostic_lines(result.stdout)
    expected_file = case / "expected.txt"
    if UPDATE:
        expected_file.write_text("\n".join(found) + "\n", encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8").splitlines()
    assert found == expected


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_build_refuses_the_catalog_and_leaves_the_old_bundle_untouched(
    case: Path, tmp_path: Path
) -> None:
    work = copy_case(case, tmp_path)
    bundle = tmp_path / "bundle"
    before = old_bundle(bundle)
    result = run_cli(work, "build", *catalog_args(case), "--out", str(bundle))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        diagnostic_lines(result.stdout)
        == (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    )
    assert tree(bundle) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle", "case"]
