"""The declared dependency graph: edges, rendering (tree, Mermaid, DOT) and blast radius.

Pure functions of the Plan that return text; only the CLI prints.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from lgtmgen.plan import Plan


@dataclass(frozen=True, slots=True, order=True)
class Edge:
    """A declared call: `client` depends on `server`."""

    client: str
    server: str


@dataclass(frozen=True, slots=True)
class Dependent:
    """A service hit when another fails, with how far away it sits."""

    service: str
    tier: int
    team: str
    distance: int


def declared_edges(plan: Plan) -> list[Edge]:
    """Every declared dependency once, sorted."""
    return sorted({Edge(s.name, d) for s in plan.catalog.services for d in s.depends_on})


def roots(plan: Plan) -> list[str]:
    """Services nothing depends on: the entry points of the tree."""
    called = {e.server for e in declared_edges(plan)}
    return [name for name in plan.services if name not in called]


def tree_text(plan: Plan) -> str:
    """An indented tree from each entry point; a service seen before on the path is marked."""
    lines: list[str] = []
    shown: set[str] = set()

    def visit(name: str, prefix: str, last: bool, path: tuple[str, ...], top: bool) -> None:
        shown.add(name)
        service = plan.services.get(name)
        label = f"{name} (tier {service.tier}, {service.team})" if service else f"{name} (undeclared)"
        if name in path:
            label += " ↺ cycle"
        branch = "" if top else ("└── " if last else "├── ")
        lines.append(f"{prefix}{branch}{label}")
        if name in path or service is None:
            return
        children = sorted(set(service.depends_on))
        child_prefix = prefix if top else prefix + ("    " if last else "│   ")
        for i, child in enumerate(children):
            visit(child, child_prefix, i == len(children) - 1, (*path, name), False)

    for name in roots(plan):
        visit(name, "", True, (), True)
    # Services only reachable through a cycle have no root; start from the first unseen one.
    for name in plan.services:
        if name not in shown:
            visit(name, "", True, (), True)
    return "\n".join(lines) + "\n"


def _mermaid_id(name: str, ids: dict[str, str]) -> str:
    return ids.setdefault(name, f"s{len(ids)}")


def mermaid_text(plan: Plan) -> str:
    """A Mermaid flowchart; node ids are generated so any service name is safe as a label."""
    ids: dict[str, str] = {}
    lines = ["flowchart LR"]
    for name in sorted(plan.services):
        node = _mermaid_id(name, ids)
        label = name.replace('"', "#quot;")
        lines.append(f'    {node}["{label}"]')
    for edge in declared_edges(plan):
        lines.append(f"    {_mermaid_id(edge.client, ids)} --> {_mermaid_id(edge.server, ids)}")
    return "\n".join(lines) + "\n"


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot_text(plan: Plan) -> str:
    """A Graphviz digraph, one cluster-free node per service, tier as a node attribute."""
    lines = ["digraph services {", "    rankdir=LR;"]
    for name in sorted(plan.services):
        tier = plan.services[name].tier
        lines.append(f"    {_dot_string(name)} [tier={tier}];")
    for edge in declared_edges(plan):
        lines.append(f"    {_dot_string(edge.client)} -> {_dot_string(edge.server)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def blast_radius(plan: Plan, service: str) -> list[Dependent]:
    """Every service that depends on `service`, directly or transitively, nearest first."""
    distances: dict[str, int] = {}
    queue = deque([(service, 0)])
    while queue:
        name, distance = queue.popleft()
        for dependent in plan.dependents.get(name, ()):
            if dependent != service and dependent not in distances:
                distances[dependent] = distance + 1
                queue.append((dependent, distance + 1))
    found = [
        Dependent(name, plan.services[name].tier, plan.services[name].team, d)
        for name, d in distances.items()
        if name in plan.services
    ]
    return sorted(found, key=lambda d: (d.distance, d.tier, d.service))


def impact_text(plan: Plan, service: str) -> str:
    """The blast radius of `service` as a table."""
    dependents = blast_radius(plan, service)
    if not dependents:
        return f"nothing depends on {service}\n"
    lines = [f"if {service} fails, {len(dependents)} service(s) are affected:"]
    width = max(len(d.service) for d in dependents)
    for d in dependents:
        hops = "direct" if d.distance == 1 else f"{d.distance} hops"
        lines.append(f"  {d.service:<{width}}  tier {d.tier}  team {d.team}  {hops}")
    worst = min(d.tier for d in dependents)
    lines.append(f"highest tier affected: {worst}")
    return "\n".join(lines) + "\n"
