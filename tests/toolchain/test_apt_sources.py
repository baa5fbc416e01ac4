from pathlib import Path

import pytest

from lgtmgen.toolchain.apt_sources import (
    AptSource,
    Mirror,
    MirrorNotFound,
    debian_mirror,
    parse_deb822,
    parse_one_line,
    read_sources,
    render_sources_list,
)

DEB822_BOOKWORM = """\
Types: deb
# a comment line inside the stanza
URIs: http://mirror.example.test/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# another comment line
URIs: http://mirror.example.test/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""

CLASSIC = """\
# the installer's defaults
deb http://archive.example.test/debian/ bookworm main contrib non-free-firmware
deb-src http://archive.example.test/debian/ bookworm main
deb [arch=amd64 signed-by=/etc/apt/keyrings/x.gpg] http://security.example.test/debian-security bookworm-security main
deb http://archive.example.test/debian/ bookworm-updates main # trailing comment
"""


def test_deb822_stanzas_with_comment_lines_are_read_in_order() -> None:
    sources = parse_deb822(DEB822_BOOKWORM)

    assert [s.uris for s in sources] == [
        ("http://mirror.example.test/debian",),
        ("http://mirror.example.test/debian-security",),
    ]
    assert sources[0].suites == ("bookworm", "bookworm-updates")
    assert sources[0].signed_by == "/usr/share/keyrings/debian-archive-keyring.gpg"


def test_deb822_disabled_stanza_and_inline_key_are_understood() -> None:
    text = """\
Types: deb deb-src
URIs: http://a.example.test/debian http://b.example.test/debian
Suites: trixie
Components: main
Enabled: no
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBGRe
 -----END PGP PUBLIC KEY BLOCK-----
"""
    (source,) = parse_deb822(text)

    assert source.enabled is False
    assert source.types == ("deb", "deb-src")
    assert source.uris == ("http://a.example.test/debian", "http://b.example.test/debian")
    assert source.signed_by is None


def test_classic_lines_keep_options_and_drop_comments() -> None:
    sources = parse_one_line(CLASSIC)

    assert [(s.types, s.uris, s.suites) for s in sources] == [
        (("deb",), ("http://archive.example.test/debian/",), ("bookworm",)),
        (("deb-src",), ("http://archive.example.test/debian/",), ("bookworm",)),
        (("deb",), ("http://security.example.test/debian-security",), ("bookworm-security",)),
        (("deb",), ("http://archive.example.test/debian/",), ("bookworm-updates",)),
    ]
    assert sources[0].components == ("main", "contrib", "non-free-firmware")
    assert sources[2].signed_by == "/etc/apt/keyrings/x.gpg"
    assert sources[3].components == ("main",)


def test_mirror_is_the_main_archive_not_the_security_one(tmp_path: Path) -> None:
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(DEB822_BOOKWORM)

    mirror = debian_mirror(read_sources(tmp_path))

    assert mirror.uri == "http://mirror.example.test/debian"


def test_mirror_from_a_classic_sources_list(tmp_path: Path) -> None:
    (tmp_path / "sources.list").write_text(CLASSIC)

    assert debian_mirror(read_sources(tmp_path)).uri == "http://archive.example.test/debian/"


def test_debian_archive_wins_over_a_third_party_repo_listed_first(tmp_path: Path) -> None:
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "aa-vendor.list").write_text(
        "deb https://packages.vendor.example.test/apt stable main\n"
    )
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: mirror+file:///etc/apt/mirrors/debian.list\n"
        "Suites: trixie trixie-updates\nComponents: main\n"
    )

    assert debian_mirror(read_sources(tmp_path)).uri == "mirror+file:///etc/apt/mirrors/debian.list"


def test_no_usable_source_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "sources.list").write_text(
        "deb http://security.example.test/debian-security bookworm-security main\n"
    )

    with pytest.raises(MirrorNotFound, match="no Debian main archive"):
        debian_mirror(read_sources(tmp_path))


def test_source_list_names_both_suites_with_the_keyring() -> None:
    mirror = Mirror("http://mirror.example.test/debian", Path("/k.gpg"))

    assert render_sources_list(mirror, ["testing", "stable"]) == (
        "deb [signed-by=/k.gpg] http://mirror.example.test/debian testing main\n"
        "deb [signed-by=/k.gpg] http://mirror.example.test/debian stable main\n"
    )


def test_render_then_parse_round_trips() -> None:
    mirror = Mirror("http://mirror.example.test/debian", Path("/k.gpg"))

    (source, _) = parse_one_line(render_sources_list(mirror, ["testing", "stable"]))

    assert source == AptSource(
        types=("deb",),
        uris=("http://mirror.example.test/debian",),
        suites=("testing",),
        components=("main",),
        signed_by="/k.gpg",
    )
