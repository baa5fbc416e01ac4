"""Services that depend on each other through a cycle of `depends_on`, found in linear time.

Inhibition needs them: when two services of one cycle are both down, neither
is the sure cause of the other, and two rules silencing each other's pages
would leave nobody paged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def cycle_groups(edges: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """A group number per node; two nodes share it when each reaches the other.

    Tarjan's strongly connected components, iterative so that a long chain of
    dependencies cannot exhaust Python's recursion limit. Every node named as a
    key or as a neighbour gets a number; nodes outside any cycle get their own.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    group: dict[str, int] = {}
    groups = 0
    neighbours = {node: list(targets) for node, targets in edges.items()}
    for root in sorted(neighbours):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = neighbours.get(node, [])
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group[member] = groups
                    if member == node:
                        break
                groups += 1
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return group
