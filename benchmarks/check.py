"""Time `lgtmgen check` on the bundles of synthetic catalogs and print a Markdown table.

Per size: a check that runs everything (`--no-cache`), then two checks with an empty
cache directory: the first runs everything and remembers what passed, the second finds
every unit-test file unchanged (a CI job whose cache kept the directory and whose
change touched no rule); then one service's objective changes, the bundle is built
again and checked with that cache (a pull request's CI job). Wall time and the CPU time of the child processes (promtool
runs side by side on every CPU). The promtool unit tests dominate: about 7 CPU
seconds for a service of three SLOs, so the default sizes are small.
Usage: ``python benchmarks/check.py [sizes...]`` (default 10 50).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate_catalog import write_catalog
from run import change_one_service

LGTMGEN = str(Path(sys.executable).parent / "lgtmgen")


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and child CPU seconds (user + system) of one command, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{run.stdout}{run.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def run(size: int, scratch: Path) -> list[str]:
    catalog = write_catalog(scratch / f"catalog-{size}", size)
    bundle = scratch / f"bundle-{size}"
    cache = scratch / f"cache-{size}"
    build = [LGTMGEN, "build", str(catalog), "--out", str(bundle), "--cache-dir", str(cache)]
    subprocess.run(build, check=True, capture_output=True)
    check = [LGTMGEN, "check", str(bundle)]
    cells = []
    for flags in (["--no-cache"], ["--cache-dir", str(cache)], ["--cache-dir", str(cache)]):
        wall, cpu = timed([*check, *flags], scratch)
        cells.append(f"{wall:.1f} / {cpu:.0f}")
    change_one_service(catalog)
    subprocess.run(build, check=True, capture_output=True)
    wall, cpu = timed([*check, "--cache-dir", str(cache)], scratch)
    cells.append(f"{wall:.1f} / {cpu:.0f}")
    return [f"{size:,}", f"{3 * size:,}", *cells]


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10, 50]
    print(f"{os.cpu_count()} CPUs; each cell: wall seconds / CPU seconds")
    print(
        "| services | SLOs | check, --no-cache | check, empty cache | check again, nothing changed "
        "| check after one service changed |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="lgtmgen-bench-check-") as tmp:
        for size in sizes:
            print("| " + " | ".join(run(size, Path(tmp))) + " |", flush=True)


if __name__ == "__main__":
    main()
