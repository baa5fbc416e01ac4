"""Write a synthetic catalog of N services (3 SLOs each) for benchmarks and stress tests.

The catalog is a directory: ``catalog.yaml`` with teams, tenants, clusters and
environments, and ``services/<team>.yaml`` per team. Every service depends on
up to two services of lower index, so the graph is acyclic and spans teams.
"""

from __future__ import annotations

import argparse
from pathlib import Path

TEAMS = 10
TENANTS = 3
CLUSTERS = 4


def _header() -> str:
    return "apiVersion: lgtmgen/v1\n"


def _root_catalog() -> str:
    lines = [
        _header(),
        "environments:\n  - name: production\n    production: true\n  - name: staging\n",
    ]
    lines.append("teams:\n")
    for t in range(TEAMS):
        lines.append(
            f'  - name: team-{t}\n    notify:\n      slack:\n        channel: "#team-{t}"\n'
            f"        api_url_file: /etc/alertmanager/secrets/slack-{t}.url\n"
        )
    lines.append("tenants:\n")
    for n in range(TENANTS):
        lines.append(f"  - name: tenant-{n}\n")
    lines.append("clusters:\n")
    for c in range(CLUSTERS):
        env = "production" if c % 2 == 0 else "staging"
        lines.append(
            f"  - name: cluster-{c}\n    environment: {env}\n    region: region-{c}\n"
            f"    tenant: tenant-{c % TENANTS}\n"
        )
    return "".join(lines)


def _service(index: int) -> str:
    deps = [f"svc-{d}" for d in (index - 1, index // 2) if 0 <= d < index]
    deps = sorted(set(deps))
    convention = ("http", "grpc")[index % 2]
    return (
        f"  - name: svc-{index}\n"
        f"    team: team-{index % TEAMS}\n"
        f"    tier: {index % 3 + 1}\n"
        f"    tenant: tenant-{index % TENANTS}\n"
        f"    clusters: [cluster-{index % CLUSTERS}, cluster-{(index + 2) % CLUSTERS}]\n"
        f"    depends_on: [{', '.join(deps)}]\n"
        f"    metrics:\n      convention: {convention}\n      selector: {{job: svc-{index}}}\n"
        f"    slos:\n"
        f"      - name: availability\n        objective: 99.9\n        sli: {{kind: availability}}\n"
        f"      - name: latency\n        objective: 99\n        sli: {{kind: latency, threshold: 0.5, buckets: [0.1, 0.25, 0.5, 1]}}\n"
        f"      - name: jobs\n        objective: 99.5\n        sli:\n          kind: events\n"
        f'          bad: jobs_failed_total{{job="svc-{index}"}}\n'
        f'          total: jobs_total{{job="svc-{index}"}}\n'
    )


def write_catalog(root: Path, services: int) -> Path:
    """Write a catalog of `services` services under `root`; return `root`."""
    (root / "services").mkdir(parents=True, exist_ok=True)
    (root / "catalog.yaml").write_text(_root_catalog(), encoding="utf-8")
    by_team: dict[int, list[str]] = {}
    for index in range(services):
        by_team.setdefault(index % TEAMS, []).append(_service(index))
    for team, blocks in sorted(by_team.items()):
        text = _header() + "services:\n" + "".join(blocks)
        (root / "services" / f"team-{team}.yaml").write_text(text, encoding="utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("services", type=int)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    write_catalog(args.out, args.services)


if __name__ == "__main__":
    main()
