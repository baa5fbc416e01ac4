"""Compile a Plan into rendered files and a manifest.

Every generator's artifacts are rendered as soon as they are made and handed
to a sink: memory (`compile_bundle`, for diffs and tests) or a directory
(`stage_bundle`, for builds), so a build never holds the whole bundle in
memory. A directory build can run the generators in forked worker processes,
each writing its own files; only paths, roles, digests and the alerts the
runbooks describe come back to the parent.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import hashlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from lgtmgen import __version__
from lgtmgen.artifacts import Artifact, Format, Role
from lgtmgen.catalog.models import API_VERSION
from lgtmgen.cpus import available_cpus
from lgtmgen.diagnostics import Diagnostic
from lgtmgen.plan import Plan
from lgtmgen.promql import selected_metrics
from lgtmgen.render import forget_shared, render_artifact
from lgtmgen.writer import MANIFEST, file_writer

if TYPE_CHECKING:
    from lgtmgen.generators.base import Generator, ShardedGenerator
    from lgtmgen.generators.runbooks import RunbookAlert


TARGET_VERSIONS = {
    "prometheus": "3.5",
    "alertmanager": "0.28",
    "mimir": "3.0",
    "loki": "3.7",
    "tempo": "3.0",
    "grafana": "12",
    "otelcol-contrib": "0.150",
}

RUNBOOKS = "runbooks"
PARALLEL_FROM_SERVICES = 50
"""Smaller catalogs build faster in one process than it takes to start workers."""
SHARED_SLO_GROUPS = ("slo-rules", "prometheus-rule-objects", "mimir")
"""Generators that read the same SLO rule groups (built once per process): one worker runs them
all, first, since together they are the longest task at scale."""
HEAVY_LAST = ("slo-tests", "grafana-dashboards")
"""Long generators without alerts run last, one task per worker each, so the runbooks (which wait
for every alert) start while they run and the workers finish together."""
WITHOUT_ALERTS = frozenset({"slo-tests", "grafana-dashboards", "grafana-provisioning", "autoscaling", "reports"})
"""Generators that write no alerting rules, so the runbooks need not wait for them (checked)."""


@dataclass(frozen=True, slots=True)
class RenderedFile:
    path: str
    role: Role
    content: bytes


@dataclass(frozen=True)
class Bundle:
    """Every file of the bundle, manifest included, as bytes keyed by relative path."""

    files: dict[str, RenderedFile]

    def contents(self) -> dict[str, bytes]:
        return {path: f.content for path, f in self.files.items()}


@dataclass(frozen=True, slots=True)
class FileEntry:
    """A file as the manifest lists it."""

    path: str
    role: Role
    sha256: str
    owner: str


Put = Callable[[str, bytes], None]


@dataclass
class _Output:
    entries: list[FileEntry] = field(default_factory=list)
    alerts: list[RunbookAlert] = field(default_factory=list)


def _emit(owner: str, artifacts: Iterable[Artifact], put: Put, output: _Output) -> None:
    from lgtmgen.generators.runbooks import runbook_alerts

    for artifact in artifacts:
        content = render_artifact(artifact)
        put(artifact.path, content)
        output.entries.append(FileEntry(artifact.path, artifact.role, hashlib.sha256(content).hexdigest(), owner))
        output.alerts += runbook_alerts(artifact)


def _generator_named(name: str) -> Generator:
    from lgtmgen.generators import GENERATORS

    return next(g for g in GENERATORS if g.name == name)


def _run_generator(plan: Plan, name: str, put: Put, index: int = 0, count: int = 1) -> _Output:
    """One generator's artifacts, or shard `index` of `count` of a sharded one."""
    output = _Output()
    generator = _generator_named(name)
    if count > 1:
        _emit(name, cast("ShardedGenerator", generator).generate_shard(plan, index, count), put, output)
    else:
        _emit(name, generator.generate(plan), put, output)
    return output


def _run_runbooks(plan: Plan, alerts: list[RunbookAlert], services: list[str], put: Put) -> _Output:
    from lgtmgen.generators.runbooks import runbook_artifacts

    output = _Output()
    _emit(RUNBOOKS, runbook_artifacts(plan, alerts, services), put, output)
    return output


_PR_SET_PDEATHSIG = 1

# A forked worker finds the plan and the directories here: they are inherited, never pickled.
_WORKER: tuple[Plan, Path, Path | None] | None = None


def _die_with_parent(parent: int) -> None:
    """A worker ends when the build that forked it is killed, instead of writing on for nobody."""
    name = ctypes.util.find_library("c")
    if name:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(name, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


Job = tuple[str, int, int]
"""A generator's name and the shard to run: index, count (0, 1: all of it)."""


def _worker_task(jobs: tuple[Job, ...]) -> list[_Output]:
    assert _WORKER is not None
    plan, root, previous = _WORKER
    put = file_writer(root, previous)
    return [_run_generator(plan, name, put, index, count) for name, index, count in jobs]


def _worker_runbooks(alerts: list[RunbookAlert], services: list[str]) -> _Output:
    assert _WORKER is not None
    plan, root, previous = _WORKER
    return _run_runbooks(plan, alerts, services, file_writer(root, previous))


def _schedule(shards: int) -> tuple[list[str], list[tuple[Job, ...]]]:
    """Generator names in registry order (the order of their alerts in runbooks), and tasks in start order.

    A sharded generator becomes `shards` tasks, so no single long task keeps one worker busy
    while the others wait.
    """
    from lgtmgen.generators import GENERATORS

    names = [g.name for g in GENERATORS]
    sharded = {g.name for g in GENERATORS if hasattr(g, "generate_shard")}

    def split(name: str) -> list[tuple[Job, ...]]:
        if name in sharded and shards > 1:
            return [((name, k, shards),) for k in range(shards)]
        return [((name, 0, 1),)]

    # The generators sharing the SLO rule groups, the longest task at scale, start first.
    shared: tuple[Job, ...] = tuple((n, 0, 1) for n in SHARED_SLO_GROUPS if n in names)
    tasks: list[tuple[Job, ...]] = [shared] if shared else []
    placed = {*SHARED_SLO_GROUPS, *HEAVY_LAST}
    for name in [n for n in names if n not in placed] + [n for n in HEAVY_LAST if n in names]:
        tasks += split(name)
    return names, tasks


def _merge(done: list[tuple[Job, _Output]]) -> dict[str, _Output]:
    """Outputs by generator name; the shards of one generator joined in shard order."""
    merged: dict[str, _Output] = {}
    for (name, _index, _count), output in sorted(done, key=lambda item: item[0]):
        into = merged.setdefault(name, _Output())
        into.entries += output.entries
        into.alerts += output.alerts
    return merged


def _produce(plan: Plan, put: Put, root: Path | None, jobs: int, previous: Path | None = None) -> list[_Output]:
    """Run every generator, then the runbooks; in `jobs` forked workers when `root` is a directory."""
    global _WORKER
    if root is None or jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        names, tasks = _schedule(1)
        try:
            by_name = _merge([(job, _run_generator(plan, job[0], put)) for task in tasks for job in task])
        finally:
            forget_shared()
        outputs = [by_name[name] for name in names]
        alerts = [a for o in outputs for a in o.alerts]
        return [*outputs, _run_runbooks(plan, alerts, list(plan.services), put)]
    # Sharded generators split by service, and a worker without a task would only cost its start.
    names, tasks = _schedule(min(jobs, len(plan.services)))
    jobs = min(jobs, len(tasks))
    _WORKER = (plan, root, previous)
    # The plan's objects leave the collector's generations: the workers' collections never
    # walk them, so their pages stay shared with this process instead of being copied.
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),)
        ) as pool:
            return _run_in(pool, plan, names, tasks, jobs)
    finally:
        _WORKER = None
        gc.unfreeze()


def _run_in(pool: ProcessPoolExecutor, plan: Plan, names: list[str], tasks: list[tuple[Job, ...]], jobs: int) -> list[_Output]:
    """Every task in the pool; the runbooks as soon as every generator that writes alerts is done,
    so they share the workers with the last dashboards instead of running after them."""
    services = list(plan.services)
    pending = {pool.submit(_worker_task, task): task for task in tasks}
    awaited = {job for task in tasks for job in task if job[0] not in WITHOUT_ALERTS}
    done: list[tuple[Job, _Output]] = []
    runbooks: list[Future[_Output]] = []
    for future in as_completed(pending):
        for job, output in zip(pending[future], future.result(), strict=True):
            if job[0] in WITHOUT_ALERTS and output.alerts:
                raise RuntimeError(f"{job[0]} wrote alerting rules but is listed in WITHOUT_ALERTS")
            done.append((job, output))
            awaited.discard(job)
        if not awaited and not runbooks:
            alerting = _merge([item for item in done if item[0][0] not in WITHOUT_ALERTS])
            alerts = [alert for name in names if name in alerting for alert in alerting[name].alerts]
            shards = [services[k::jobs] for k in range(jobs)]
            runbooks = [pool.submit(_worker_runbooks, a, s) for a, s in zip(_split_by(alerts, shards), shards, strict=True)]
    by_name = _merge(done)
    return [by_name[name] for name in names] + [f.result() for f in runbooks]


def _split_by(alerts: list[RunbookAlert], shards: list[list[str]]) -> list[list[RunbookAlert]]:
    """The alerts of each shard's services, in their order (alerts of no service are dropped)."""
    shard_of = {service: k for k, shard in enumerate(shards) for service in shard}
    split: list[list[RunbookAlert]] = [[] for _ in shards]
    for alert in alerts:
        if alert.service in shard_of:
            split[shard_of[alert.service]].append(alert)
    return split


def declared_series(plan: Plan) -> list[str]:
    """Recorded series (names with a colon) that PromQL written in the catalog reads, sorted.

    The user's capacity queries may read rules recorded outside lgtmgen (kube-prometheus-stack's,
    a team's own); `lgtmgen check` learns from the manifest that those names are the user's to
    record, and warns instead of failing the bundle.
    """
    names: set[str] = set()
    for capacity in plan.catalog.grafana.capacity:
        for expr in capacity.queries():
            names |= {n for n in selected_metrics(expr).names if ":" in n}
    return sorted(names)


def _manifest(plan: Plan, entries: Iterable[FileEntry]) -> Artifact:
    return Artifact(
        path=MANIFEST,
        role=Role.REPORT,
        format=Format.JSON,
        data={
            "generator": "lgtmgen",
            "lgtmgen_version": __version__,
            "catalog_schema": API_VERSION,
            "catalog_digest": plan.catalog_digest,
            "targets": TARGET_VERSIONS,
            "declared_series": declared_series(plan),
            "files": {e.path: {"role": e.role.value, "sha256": e.sha256} for e in sorted(entries, key=lambda e: e.path)},
        },
    )


def _index(outputs: list[_Output]) -> tuple[dict[str, FileEntry], list[Diagnostic]]:
    """Every file once; two artifacts may not share a path, nor take the manifest's."""
    files: dict[str, FileEntry] = {}
    problems: list[Diagnostic] = []
    for output in outputs:
        for entry in output.entries:
            first = files.get(entry.path)
            if first is not None or entry.path == MANIFEST:
                other = first.owner if first is not None else "the manifest"
                problems.append(Diagnostic("bundle/path-collision", f"{entry.owner} and {other} both write {entry.path}"))
                continue
            files[entry.path] = entry
    return files, problems


def default_jobs(plan: Plan) -> int:
    """Worker processes for a build: the CPUs this process may use; one for small catalogs, or
    where processes cannot be forked (the workers inherit the plan instead of receiving it)."""
    if len(plan.services) < PARALLEL_FROM_SERVICES or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return available_cpus()


def stage_bundle(
    plan: Plan, root: Path, jobs: int = 1, previous: Path | None = None
) -> tuple[dict[str, FileEntry] | None, list[Diagnostic]]:
    """Write the bundle, manifest last, into the empty directory `root`; its files as the manifest lists them.

    Files equal to those of the `previous` bundle (the one `root` will replace) are linked to them.
    """
    put = file_writer(root, previous)
    files, problems = _index(_produce(plan, put, root, jobs, previous))
    if problems:
        return None, problems
    manifest = render_artifact(_manifest(plan, files.values()))
    put(MANIFEST, manifest)
    files[MANIFEST] = FileEntry(MANIFEST, Role.REPORT, hashlib.sha256(manifest).hexdigest(), "manifest")
    return dict(sorted(files.items())), []


def compile_bundle(plan: Plan) -> tuple[Bundle | None, list[Diagnostic]]:
    """Run every generator in this process and keep the rendered files in memory."""
    contents: dict[str, bytes] = {}

    def put(path: str, content: bytes) -> None:
        contents.setdefault(path, content)

    files, problems = _index(_produce(plan, put, None, 1))
    if problems:
        return None, problems
    rendered = {path: RenderedFile(path, e.role, contents[path]) for path, e in files.items()}
    manifest = _manifest(plan, files.values())
    rendered[MANIFEST] = RenderedFile(MANIFEST, manifest.role, render_artifact(manifest))
    return Bundle(dict(sorted(rendered.items()))), []
