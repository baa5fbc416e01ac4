"""Dependency cycles: found exactly, and never turned into pages that silence each other."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lgtmgen.generators.alertmanager.dependency_cycles import cycle_groups
from lgtmgen.generators.alertmanager.inhibition import inhibited_callers

NAMES = [f"s{i}" for i in range(8)]
graphs = st.dictionaries(st.sampled_from(NAMES), st.lists(st.sampled_from(NAMES), max_size=4))


def _reachable(edges: dict[str, list[str]], start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for target in edges.get(todo.pop(), []):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@given(graphs)
def test_two_nodes_share_a_group_exactly_when_each_reaches_the_other(
    edges: dict[str, list[str]],
) -> None:
    groups = cycle_groups(edges)
    nodes = set(edges) | {t for targets in edges.values() for t in targets}
    assert set(groups) == nodes
    reach = {n: _reachable(edges, n) for n in nodes}
    for a in nodes:
        for b in nodes:
            assert (groups[a] == groups[b]) == (b in reach[a] and a in reach[b]), (a, b)


def test_a_long_chain_does_not_exhaust_the_recursion_limit() -> None:
    chain = {f"s{i}": [f"s{i + 1}"] for i in range(5000)}
    assert len(set(cycle_groups(chain).values())) == 5001


def test_callers_in_the_cycle_are_passed_through_but_not_inhibited() -> None:
    # api and db call each other; web calls api; ui calls web. Only db pages.
    dependents = {"db": ("api",), "api": ("db", "web"), "web": ("ui",), "ui": ()}
    cycles = cycle_groups(dependents)
    assert inhibited_callers(dependents, "db", {"db"}, cycles) == ["ui", "web"]
    # Without cycle information the old walk inhibits the cycle partner too.
    assert inhibited_callers(dependents, "db", {"db"}) == ["api", "ui", "web"]
