"""The cache directory is pruned of entries unused for a month, once a day, and of nothing else."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from typer.testing import CliRunner

from lgtmgen.cache import PRUNE_EVERY_S, PRUNED_MARK, UNUSED_FOR_S, PassedRuns, prune_unused
from lgtmgen.cli.app import app

DAY = 86_400


def _digest(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def _age(path: Path, seconds: float, now: float) -> None:
    os.utime(path, (now - seconds, now - seconds))


def test_entries_unused_for_a_month_go_and_recent_ones_stay(tmp_path: Path) -> None:
    now = time.time()
    runs = PassedRuns(tmp_path, "promtool-tests")
    runs.remember([_digest(1), _digest(2)])
    runs.remember_note(_digest(3), "7")
    old, recent, old_note = (runs.directory / d[:2] / d for d in (_digest(1), _digest(2), _digest(3)))
    _age(old, UNUSED_FOR_S + DAY, now)
    _age(recent, UNUSED_FOR_S - DAY, now)
    _age(old_note, UNUSED_FOR_S + 1, now)

    assert prune_unused(tmp_path, now) == 2
    assert not old.exists() and not old_note.exists()
    assert not old.parent.exists()  # its shard held nothing else
    assert runs.passed(_digest(2))


def test_a_hit_keeps_an_entry(tmp_path: Path) -> None:
    now = time.time()
    runs = PassedRuns(tmp_path, "bundles-built")
    runs.remember([_digest(1)])
    entry = runs.directory / _digest(1)[:2] / _digest(1)
    _age(entry, UNUSED_FOR_S + DAY, now)
    assert runs.passed(_digest(1))  # touched: used just now
    assert prune_unused(tmp_path) == 0
    assert entry.exists()


def test_pruning_runs_at_most_once_a_day(tmp_path: Path) -> None:
    now = time.time()
    runs = PassedRuns(tmp_path, "rules")
    runs.remember([_digest(1), _digest(2)])
    first, second = (runs.directory / d[:2] / d for d in (_digest(1), _digest(2)))
    _age(first, UNUSED_FOR_S + DAY, now)
    assert prune_unused(tmp_path, now) == 1
    _age(second, UNUSED_FOR_S + DAY, now)
    assert prune_unused(tmp_path, now + PRUNE_EVERY_S - 60) == 0  # pruned less than a day ago
    assert second.exists()
    assert prune_unused(tmp_path, now + PRUNE_EVERY_S + 60) == 1
    assert not second.exists()


def test_partial_notes_of_dead_writers_go_but_nothing_else_is_touched(tmp_path: Path) -> None:
    """A --cache-dir pointed at the wrong folder must lose nothing but entries."""
    now = time.time()
    shard = tmp_path / "kind" / _digest(1)[:2]
    shard.mkdir(parents=True)
    partial = shard / f".{_digest(1)}.x1y2z3"
    strangers = [
        tmp_path / "notes.txt",
        tmp_path / "kind" / "README",
        shard / "notes.txt",
        shard / _digest(2),  # a digest in the wrong shard is not laid out as an entry
        tmp_path / "docs" / "ab" / "abc",
        tmp_path / "src" / "zz" / _digest(3),
    ]
    for path in [partial, *strangers]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
        _age(path, UNUSED_FOR_S * 3, now)
    (tmp_path / "kind" / "empty-folder").mkdir()

    assert prune_unused(tmp_path, now) == 1
    assert not partial.exists()
    assert all(path.exists() for path in strangers)
    assert (tmp_path / "kind" / "empty-folder").is_dir()


def test_a_cache_directory_that_does_not_exist_is_no_error_and_is_not_made(tmp_path: Path) -> None:
    assert prune_unused(tmp_path / "nowhere") == 0
    assert not (tmp_path / "nowhere").exists()


def test_a_build_prunes_its_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    runs = PassedRuns(cache, "promtool-tests")
    runs.remember([_digest(1)])
    entry = runs.directory / _digest(1)[:2] / _digest(1)
    _age(entry, UNUSED_FOR_S + DAY, time.time())
    catalog = Path(__file__).resolve().parents[1] / "examples" / "starter"
    result = CliRunner().invoke(app, ["build", str(catalog), "--out", str(tmp_path / "out"), "--cache-dir", str(cache)])
    assert result.exit_code == 0, result.output
    assert not entry.exists()
    assert (cache / PRUNED_MARK).is_file()
