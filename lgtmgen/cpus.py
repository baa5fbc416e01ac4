"""How many CPUs this process may use (worker processes of a build, parallel promtool runs)."""

from __future__ import annotations

import os


def available_cpus() -> int:
    """CPUs in this process's affinity mask where the system has one (Linux), else all of them."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)
