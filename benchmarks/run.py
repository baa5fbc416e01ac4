"""Time `lgtmgen validate` and `lgtmgen build` on synthetic catalogs and print a Markdown table.

Each command runs in its own child process; wall time is measured around it
and peak memory is the child's maximum resident set size (``ru_maxrss``).
Usage: ``python benchmarks/run.py [sizes...]`` (default 100 1000 10000).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate_catalog import write_catalog

LGTMGEN = str(Path(sys.executable).parent / "lgtmgen")


def measure(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS in MiB of one child process."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(args)} failed:\n{errors.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def run(size: int, scratch: Path) -> tuple[int, float, float, float, float, int]:
    catalog = write_catalog(scratch / f"catalog-{size}", size)
    validate_s, validate_mib = measure([LGTMGEN, "validate", str(catalog)], scratch)
    out = scratch / f"bundle-{size}"
    build_s, build_mib = measure([LGTMGEN, "build", str(catalog), "--out", str(out)], scratch)
    files = sum(1 for p in out.rglob("*") if p.is_file())
    return size, validate_s, validate_mib, build_s, build_mib, files


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1000, 10000]
    print(
        "| services | SLOs | validate (s) | validate peak (MiB) | build (s) | build peak (MiB) | files |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="lgtmgen-bench-") as tmp:
        for size in sizes:
            n, vs, vm, bs, bm, files = run(size, Path(tmp))
            print(
                f"| {n:,} | {3 * n:,} | {vs:.2f} | {vm:.0f} | {bs:.2f} | {bm:.0f} | {files:,} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
