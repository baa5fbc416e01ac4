"""Read the machine's apt sources to reuse its Debian mirror, in both deb822 and one-line formats."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEBIAN_KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
_SIDE_ARCHIVE_SUFFIXES = ("-security", "-updates", "-backports", "-proposed-updates")


class MirrorNotFound(RuntimeError):
    """No configured source looks like the Debian main archive."""


@dataclass(frozen=True, slots=True)
class AptSource:
    """One source entry; a deb822 stanza may carry several URIs and suites."""

    types: tuple[str, ...]
    uris: tuple[str, ...]
    suites: tuple[str, ...]
    components: tuple[str, ...]
    signed_by: str | None = None
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Mirror:
    """The Debian archive to fetch from, and the keyring that signs it (None: apt's trusted keys)."""

    uri: str
    keyring: Path | None


def parse_deb822(text: str) -> list[AptSource]:
    """Parse a `.sources` file: stanzas split by blank lines, `#` comment lines, folded values."""
    sources = []
    for stanza in _deb822_stanzas(text):
        fields = {key.lower(): value for key, value in stanza.items()}
        signed_by = fields.get("signed-by", "").strip()
        sources.append(
            AptSource(
                types=tuple(fields.get("types", "").split()),
                uris=tuple(fields.get("uris", "").split()),
                suites=tuple(fields.get("suites", "").split()),
                components=tuple(fields.get("components", "").split()),
                signed_by=signed_by if signed_by and "\n" not in signed_by else None,
                enabled=fields.get("enabled", "yes").strip().lower() != "no",
            )
        )
    return sources


def _deb822_stanzas(text: str) -> list[dict[str, str]]:
    stanzas: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            if current:
                stanzas.append(current)
            current, key = {}, None
        elif line[0] in " \t":
            if key is not None:
                current[key] += "\n" + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip()
            current[key] = value.strip()
    if current:
        stanzas.append(current)
    return stanzas


def parse_one_line(text: str) -> list[AptSource]:
    """Parse the classic `sources.list` format: `deb [options] URI suite [component...]`."""
    sources = []
    for raw in text.splitlines():
        tokens = raw.split("#", 1)[0].split()
        if len(tokens) < 3:
            continue
        kind, rest = tokens[0], tokens[1:]
        options: dict[str, str] = {}
        if rest[0].startswith("["):
            option_tokens = []
            while rest:
                token = rest.pop(0)
                option_tokens.append(token)
                if token.endswith("]"):
                    break
            for option in " ".join(option_tokens).strip("[] ").split():
                name, _, value = option.partition("=")
                options[name.lower()] = value
        if len(rest) < 2:
            continue
        sources.append(
            AptSource(
                types=(kind,),
                uris=(rest[0],),
                suites=(rest[1],),
                components=tuple(rest[2:]),
                signed_by=options.get("signed-by") or None,
            )
        )
    return sources


def read_sources(etc_apt: Path = Path("/etc/apt")) -> list[AptSource]:
    """All sources the machine's apt reads, in apt's order."""
    sources = []
    classic = etc_apt / "sources.list"
    if classic.is_file():
        sources += parse_one_line(classic.read_text(encoding="utf-8", errors="replace"))
    parts = etc_apt / "sources.list.d"
    if parts.is_dir():
        for path in sorted(parts.iterdir()):
            text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
            if path.suffix == ".list":
                sources += parse_one_line(text)
            elif path.suffix == ".sources":
                sources += parse_deb822(text)
    return sources


def debian_mirror(sources: list[AptSource]) -> Mirror:
    """The URI of the Debian main archive among `sources`, with the keyring it is signed by.

    Security, updates and backports archives are skipped; among the rest a URI whose last path
    segment is `debian` wins over third-party repositories that also publish a `main` component.
    """
    candidates: list[tuple[int, str, str | None]] = []
    for order, source in enumerate(sources):
        if not source.enabled or "deb" not in source.types or "main" not in source.components:
            continue
        if not any(_is_release_suite(suite) for suite in source.suites):
            continue
        for uri in source.uris:
            segment = _last_segment(uri)
            if segment == "debian-security":
                continue
            rank = 0 if segment == "debian" else 1
            candidates.append((rank * 10_000 + order, uri, source.signed_by))
    if not candidates:
        raise MirrorNotFound("no Debian main archive found among the machine's apt sources")
    _, uri, signed_by = min(candidates, key=lambda c: c[0])
    return Mirror(uri=uri, keyring=_keyring(signed_by))


def _is_release_suite(suite: str) -> bool:
    return "/" not in suite and not suite.endswith(_SIDE_ARCHIVE_SUFFIXES)


def _last_segment(uri: str) -> str:
    segment = uri.rstrip("/").rsplit("/", 1)[-1]
    return segment.removesuffix(".list")


def _keyring(signed_by: str | None) -> Path | None:
    if signed_by and signed_by.startswith("/") and Path(signed_by).is_file():
        return Path(signed_by)
    return DEBIAN_KEYRING if DEBIAN_KEYRING.is_file() else None


def render_sources_list(mirror: Mirror, suites: list[str], component: str = "main") -> str:
    """A one-line-format source list for the private apt state: one line per suite."""
    options = f"[signed-by={mirror.keyring}] " if mirror.keyring else ""
    return "".join(f"deb {options}{mirror.uri} {suite} {component}\n" for suite in suites)
