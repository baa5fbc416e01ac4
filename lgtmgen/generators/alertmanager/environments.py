"""Example clusters of each kind for the generated routing tests (`lgtmgen.catalog.environments`
says which clusters page)."""

from __future__ import annotations

from lgtmgen.catalog.environments import non_production_clusters
from lgtmgen.catalog.models import Catalog


def example_clusters(catalog: Catalog) -> tuple[str | None, str | None]:
    """The first production and the first non-production cluster, for routing tests."""
    outside = non_production_clusters(catalog)
    inside = [c.name for c in catalog.clusters if c.name not in outside]
    return (inside[0] if inside else None, outside[0] if outside else None)
