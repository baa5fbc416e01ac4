"""Decide which pinned version to install from what the archive offers (`apt-cache madison`)."""

from __future__ import annotations

from dataclasses import dataclass

from lgtmgen.toolchain.versions import PackagePins, Pin


@dataclass(frozen=True, slots=True)
class Offer:
    """One line of `apt-cache madison`: a package version and the suite that carries it."""

    package: str
    version: str
    suite: str


@dataclass(frozen=True, slots=True)
class Choice:
    """The version to install, and whether the preferred pin had to be given up for it."""

    package: str
    pin: Pin
    suite: str
    fell_back: bool

    def describe(self, pins: PackagePins) -> str:
        where = f"{self.package} {self.pin.version} from {self.suite}"
        if not self.fell_back:
            return f"{where} (pinned)"
        gone = pins.preferred
        return f"{where} (fallback: pinned {gone.suite} {gone.version} is no longer offered)"


def parse_madison(text: str) -> list[Offer]:
    """Parse `package | version | URI suite/component arch Packages` lines; others are ignored."""
    offers = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 3 or not parts[0] or not parts[1]:
            continue
        where = parts[2].split()
        if len(where) < 2 or where[-1] != "Packages":
            continue
        offers.append(Offer(package=parts[0], version=parts[1], suite=where[1].split("/")[0]))
    return offers


def choose_version(pins: PackagePins, offers: list[Offer]) -> Choice | None:
    """The preferred pin when the archive offers it, else the fallback pin, else None.

    Versions are matched exactly: a pin is a promise about the checker's behaviour, so a nearby
    version is not taken silently.
    """
    offered: dict[str, str] = {}
    for offer in offers:
        if offer.package == pins.package:
            offered.setdefault(offer.version, offer.suite)
    for pin in pins.pins:
        if pin.version in offered:
            return Choice(
                package=pins.package,
                pin=pin,
                suite=offered[pin.version],
                fell_back=pin.version != pins.preferred.version,
            )
    return None
