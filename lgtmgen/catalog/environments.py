"""Which clusters may page: those of an environment declared `production: true`.

A page from a cluster of any other declared environment (staging, qa ...)
reaches the owning team's chat instead of its pager, and does not escalate.
Alerts without a `cluster` label are not affected: an alert whose cluster is
unknown keeps paging, as an alert of unknown tier does. A catalog that marks no
environment as production does not use the distinction, and every cluster
pages (`catalog/no-production-environment` warns about it when there are
clusters): silencing every pager because a flag was forgotten would be worse.
"""

from __future__ import annotations

from lgtmgen.catalog.models import Catalog


def non_production_clusters(catalog: Catalog) -> list[str]:
    """Clusters whose environment is not marked `production`, sorted; none when no
    environment is."""
    production = {e.name for e in catalog.environments if e.production}
    if not production:
        return []
    return sorted(c.name for c in catalog.clusters if c.environment not in production)
