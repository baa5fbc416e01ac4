"""The one place the checking programs' versions are pinned.

Debian's testing suite is preferred; when testing has moved past the pin, the stable suite's pin
is taken instead. Bump both here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Pin:
    """One installable Debian package version and the upstream release it carries."""

    suite: str
    version: str
    upstream: str


@dataclass(frozen=True, slots=True)
class PackagePins:
    """A Debian package, its preferred pin and the fallback taken when the preferred one is gone."""

    package: str
    preferred: Pin
    fallback: Pin

    @property
    def pins(self) -> tuple[Pin, Pin]:
        return (self.preferred, self.fallback)


PREFERRED_SUITE = "testing"
FALLBACK_SUITE = "stable"

PROMTOOL = PackagePins(
    "promtool",
    preferred=Pin(PREFERRED_SUITE, "3.5.3+ds1-6", "3.5.3"),
    fallback=Pin(FALLBACK_SUITE, "2.53.3+ds1-2", "2.53.3"),
)
PROMETHEUS = PackagePins(
    "prometheus",
    preferred=Pin(PREFERRED_SUITE, "3.5.3+ds1-6", "3.5.3"),
    fallback=Pin(FALLBACK_SUITE, "2.53.3+ds1-2", "2.53.3"),
)
ALERTMANAGER = PackagePins(
    "prometheus-alertmanager",
    preferred=Pin(PREFERRED_SUITE, "0.33.1-5", "0.33.1"),
    fallback=Pin(FALLBACK_SUITE, "0.28.1+ds-1", "0.28.1"),
)

PACKAGES: dict[str, PackagePins] = {p.package: p for p in (PROMTOOL, PROMETHEUS, ALERTMANAGER)}

# Which located tool comes from which package (amtool ships with the Alertmanager package).
TOOL_PACKAGE: dict[str, str] = {
    "promtool": "promtool",
    "prometheus": "prometheus",
    "amtool": "prometheus-alertmanager",
    "alertmanager": "prometheus-alertmanager",
}


def accepted_upstream_versions(tool: str) -> tuple[str, ...]:
    """Upstream versions a located tool may report: the preferred pin's, then the fallback's."""
    pins = PACKAGES[TOOL_PACKAGE[tool]]
    return tuple(pin.upstream for pin in pins.pins)
