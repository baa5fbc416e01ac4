"""The contract every generator follows: a pure function of the Plan."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from lgtmgen.artifacts import Artifact
from lgtmgen.plan import Plan


class Generator(Protocol):
    """One output family. `generate` reads only the Plan and returns artifacts; it never does I/O."""

    name: str

    def generate(self, plan: Plan) -> Iterable[Artifact]: ...


class ShardedGenerator(Generator, Protocol):
    """A generator whose work splits by service, so a build can spread it over worker processes."""

    def generate_shard(self, plan: Plan, index: int, count: int) -> Iterable[Artifact]:
        """Shard `index` of `count`: together, the shards give exactly what `generate` gives."""
        ...
