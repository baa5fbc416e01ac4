"""Semantic checks of the grafana area: capacity signals and the overview folder."""

from __future__ import annotations

from lgtmgen.catalog.models import Catalog
from lgtmgen.catalog.positions import PathStep
from lgtmgen.catalog.semantics import Reporter
from lgtmgen.naming import slug
from lgtmgen.promql import syntax_error

UNKNOWN_TEAM = "catalog/grafana-unknown-team"
CAPACITY_QUERY = "catalog/grafana-capacity-query"
CAPACITY_DUPLICATE = "catalog/grafana-capacity-duplicate"
FOLDER_CLASH = "catalog/grafana-folder-clash"


def capacity_signals_are_valid(catalog: Catalog, report: Reporter) -> None:
    """Capacity signals name a declared team, are unique per team, and their queries parse."""
    teams = {t.name for t in catalog.teams}
    seen: set[tuple[str, str]] = set()
    for index, signal in enumerate(catalog.grafana.capacity):
        base: list[PathStep] = ["grafana", "capacity", index]
        if signal.team not in teams:
            report.add(
                UNKNOWN_TEAM,
                f"capacity signal {signal.name!r} names team {signal.team!r}, which is not declared",
                [*base, "team"],
            )
        if (signal.team, signal.name) in seen:
            report.add(
                CAPACITY_DUPLICATE,
                f"team {signal.team!r} already has a capacity signal named {signal.name!r}",
                [*base, "name"],
            )
        seen.add((signal.team, signal.name))
        for field in ("usage", "limit"):
            problem = syntax_error(getattr(signal, field))
            if problem:
                report.add(CAPACITY_QUERY, f"{field} is not valid PromQL: {problem}", [*base, field])


def overview_folder_is_free(catalog: Catalog, report: Reporter) -> None:
    """The overview folder must not be a team's folder: both are directories of the same tree."""
    folder = catalog.grafana.overview_folder
    for index, team in enumerate(catalog.teams):
        if slug(team.name) == folder:
            report.add(
                FOLDER_CLASH,
                f"grafana.overview_folder {folder!r} is also the folder of team {team.name!r}",
                ["teams", index, "name"],
                hint="set grafana.overview_folder to a name no team uses",
            )
