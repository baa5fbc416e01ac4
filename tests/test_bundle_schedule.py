"""The build's task schedule: every generator runs once, and the runbooks wait for every alert."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgtmgen.bundle import SHARED_SLO_GROUPS, WITHOUT_ALERTS, _schedule
from lgtmgen.catalog import load_catalog
from lgtmgen.generators import GENERATORS
from lgtmgen.generators.runbooks import runbook_alerts
from lgtmgen.plan import build_plan

SHOP = Path(__file__).resolve().parents[1] / "examples" / "shop"


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_every_generator_and_shard_is_scheduled_once_the_shared_groups_first(workers: int) -> None:
    names, tasks = _schedule(workers)
    jobs = [job for task in tasks for job in task]
    assert len(jobs) == len(set(jobs))
    assert names == [g.name for g in GENERATORS]
    for name in names:
        shards = sorted(index for n, index, _ in jobs if n == name)
        assert shards in ([0], list(range(workers)))
    assert tasks[0] == tuple((name, 0, 1) for name in SHARED_SLO_GROUPS)


def test_the_generators_the_runbooks_do_not_wait_for_write_no_alerts() -> None:
    # A build also refuses to go on when one of them returns alerts; this shows the list is right
    # for a catalog that uses every area.
    loaded = load_catalog([SHOP])
    assert loaded.catalog is not None
    plan = build_plan(loaded.catalog)
    alerts = {g.name: sum(len(runbook_alerts(a)) for a in g.generate(plan)) for g in GENERATORS}
    assert all(alerts[name] == 0 for name in WITHOUT_ALERTS)
    assert all(name in alerts for name in WITHOUT_ALERTS)
    assert sum(alerts.values()) > 50
