"""Time `lgtmgen validate` and `lgtmgen build` on synthetic catalogs and print a Markdown table.

Each command runs in its own child process; wall time is measured around it.
Memory is reported twice: the largest resident set of any one process
(``ru_maxrss``, which covers the build's worker processes too) and the peak of
the whole process tree's proportional set sizes added up (pages a forked worker
shares with its parent count once), sampled every 50 ms: a parallel build holds
several processes at once.
The build runs four times: into an empty directory; again over the bundle it wrote with
`--no-cache` (compiling everything, linking unchanged files to the previous bundle); after one
service's objective changed (the usual case in CI and locally); and once more with nothing
changed, which finds the directory current (`lgtmgen.built_bundles`) and writes nothing. The
commands of one size share a cache directory that starts empty (``LGTMGEN_CACHE_DIR``), never
the user's.
Usage: ``python benchmarks/run.py [sizes...]`` (default 100 1000 10000); the scratch directory
is `$TMPDIR` (``TMPDIR=/dev/shm`` keeps the disk out of the figures).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate_catalog import write_catalog

LGTMGEN = str(Path(sys.executable).parent / "lgtmgen")


def _pss_bytes(pid: int) -> int:
    """Proportional set size: shared pages (a forked worker's inherited plan) count once in a sum."""
    try:
        for line in (Path("/proc") / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    """The child processes of `pid`, from its threads' `children` lists (no scan of all of /proc:
    the sampler shares the two cores with the build it measures)."""
    found: list[int] = []
    try:
        for task in (Path("/proc") / str(pid) / "task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def _tree_memory_mib(root: int) -> float:
    """Memory of `root` and all its descendants (sum of proportional set sizes), in MiB."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss_bytes(pid)
        todo += _children(pid)
    return total / 2**20


@dataclass(frozen=True)
class Measured:
    """One command's wall seconds, CPU seconds (its workers' included) and memory."""

    wall_s: float
    user_s: float
    system_s: float
    largest_mib: float
    tree_mib: float


def measure(args: list[str], cwd: Path) -> Measured:
    """Wall and CPU seconds, largest single-process RSS and peak process-tree PSS (MiB) of one command.

    The CPU seconds are the child's and its reaped workers' (`wait4`): system time is mostly the
    kernel creating the bundle's files, which on this VM ranges from 0.03 to 0.6 ms a file.
    """
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        peak = 0.0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.05):
                peak = max(peak, _tree_memory_mib(child.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(args)} failed:\n{errors.read().decode()}")
    return Measured(elapsed, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024, peak)


VALIDATE_RUNS = 3


def change_one_service(catalog: Path) -> None:
    """The objective of the first service's first SLO, 99.9 -> 99.5 (a usual change)."""
    service_file = min(catalog.glob("services/*.yaml"))
    text = service_file.read_text(encoding="utf-8")
    if "objective: 99.9" not in text:
        raise SystemExit(f"{service_file} has no objective of 99.9 to change")
    service_file.write_text(text.replace("objective: 99.9", "objective: 99.5", 1), encoding="utf-8")


def run(size: int, scratch: Path) -> str:
    """One Markdown table row for `size` services."""
    catalog = write_catalog(scratch / f"catalog-{size}", size)
    os.environ["LGTMGEN_CACHE_DIR"] = str(scratch / f"cache-{size}")
    validations = sorted(
        (measure([LGTMGEN, "validate", str(catalog)], scratch) for _ in range(VALIDATE_RUNS)),
        key=lambda m: m.wall_s,
    )
    validate = validations[VALIDATE_RUNS // 2]
    out = scratch / f"bundle-{size}"
    build = [LGTMGEN, "build", str(catalog), "--out", str(out)]
    first = measure(build, scratch)
    files = sum(1 for p in out.rglob("*") if p.is_file())
    rebuild = measure([*build, "--no-cache"], scratch)
    change_one_service(catalog)
    changed = measure(build, scratch)
    again = measure(build, scratch)
    return (
        f"| {size:,} | {3 * size:,} | {validate.wall_s:.2f} | {validate.largest_mib:.0f} | {first.wall_s:.2f} "
        f"| {first.user_s:.2f} / {first.system_s:.2f} | {first.largest_mib:.0f} | {first.tree_mib:.0f} "
        f"| {rebuild.wall_s:.2f} | {changed.wall_s:.2f} | {again.wall_s:.2f} | {files:,} |"
    )


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1000, 10000]
    print(
        "| services | SLOs | validate (s, median of 3) | validate peak (MiB) | build (s) "
        "| build CPU, user / system (s) | build peak, largest process (MiB) | build peak, all processes, PSS (MiB) "
        "| rebuild, nothing changed, --no-cache (s) | rebuild, one service changed (s) "
        "| build again, nothing changed (s) | files |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="lgtmgen-bench-") as tmp:
        for size in sizes:
            print(run(size, Path(tmp)), flush=True)


if __name__ == "__main__":
    main()
