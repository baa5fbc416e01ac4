"""Find catalog files and merge them into one document, keeping positions.

A catalog is one YAML file or a directory of them (searched recursively,
``*.yaml`` and ``*.yml``, in sorted order; hidden names and bundles skipped). Every file declares the same
``apiVersion``; list sections (teams, services, ...) are concatenated and
mapping sections (defaults, ...) may be given by one file only.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from lgtmgen.catalog.models import API_VERSION
from lgtmgen.catalog.positions import source_line
from lgtmgen.catalog.source import SourceList, SourceMap, parse_yaml
from lgtmgen.diagnostics import Diagnostic, Location

CATALOG_SUFFIXES = (".yaml", ".yml")


def display_path(path: Path) -> str:
    """The path as the user will recognise it: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return str(path.absolute())  # outside: ../../../tmp/x.yaml helps nobody
    return relative


def _unusable(path: Path) -> Diagnostic | None:
    """Why an existing name cannot be read as a catalog file, or None when it can."""
    shown = display_path(path)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return Diagnostic(
            "catalog/unreadable",
            f"cannot read the file: {reason} (a symbolic link that leads nowhere)",
            location=Location(shown),
        )
    if not stat.S_ISREG(mode):
        return Diagnostic(
            "catalog/unreadable",
            "not a regular file (a FIFO, socket or device); a catalog file must be a plain file",
            location=Location(shown),
        )
    return None


def _is_bundle(directory: Path) -> bool:
    """Whether `directory` holds an lgtmgen bundle (its manifest names lgtmgen as the generator)."""
    try:
        with open(directory / "manifest.json", "rb") as manifest:
            head = manifest.read(256)
    except OSError:
        return False
    return b'"generator": "lgtmgen"' in head


def link_boundary(directory: Path) -> str:
    """How far a symbolic link inside the catalog folder may lead: the repository holding the folder
    (its nearest ancestor with a `.git`), else the folder's parent. A pull request can commit a link
    to `/proc/self/environ` or `~/.git-credentials`, and diagnostics print the lines they read."""
    real = Path(os.path.realpath(directory))
    for folder in (real, *real.parents):
        if (folder / ".git").exists():
            return str(folder)
    return str(real.parent)


def _inside(real: str, boundary: str, home: str | None = None) -> bool:
    """Whether a link's target `real` lies in `boundary`, and not in a hidden folder of it (a link to
    `.git/config` would print the checkout's remote) other than those of `home`, the real path of
    the catalog folder or of the link's own folder (a catalog may live in `.lgtm/catalog`)."""
    if real == boundary:
        return True
    prefix = boundary.rstrip(os.sep) + os.sep
    if not real.startswith(prefix):
        return False
    own = set(home[len(prefix):].split(os.sep)) if home is not None and home.startswith(prefix) else set()
    return not any(part.startswith(".") and part not in own for part in real[len(prefix):].split(os.sep))


def _link_outside(link: Path, boundary: str) -> Diagnostic:
    return Diagnostic(
        "catalog/link-outside",
        f"a symbolic link that leads outside the repository ({boundary}) or into a hidden folder: not read",
        location=Location(display_path(link)),
        hint="link only to folders and files of the repository, or name the target itself",
    )


def _catalog_files(directory: Path, outside: list[Path] | None = None) -> list[Path]:
    """The *.yaml and *.yml files below `directory`, in sorted order; links that lead outside its
    `link_boundary` are not followed but appended to `outside`.

    Hidden names are skipped (`.git`, an editor's `.#catalog.yaml` lock, a build's staging
    tree), and so is a bundle built into the catalog's folder: its YAML is output, and read as
    catalog it would give every section twice. A folder that is a symbolic link is read like any
    other (`services -> ../shared/services`), each real folder once; a link to the catalog folder
    itself or above it is skipped, as reading it would loop or leave the catalog.
    """
    found: list[Path] = []
    top = os.path.realpath(directory)
    boundary = link_boundary(directory)
    seen = {top}
    for root, folders, names in os.walk(directory, followlinks=True):
        here = Path(root)
        kept = []
        for folder in sorted(folders):
            real = os.path.realpath(here / folder)
            above = top == real or top.startswith(real.rstrip(os.sep) + os.sep)  # a link up the tree
            if folder.startswith(".") or real in seen or above or _is_bundle(here / folder):
                continue
            if os.path.islink(here / folder) and not _inside(real, boundary, top):
                if outside is not None:
                    outside.append(here / folder)
                continue
            seen.add(real)
            kept.append(folder)
        folders[:] = kept
        for name in names:
            path = here / name
            if name.startswith(".") or Path(name).suffix.lower() not in CATALOG_SUFFIXES or path.is_dir():
                continue
            if path.is_symlink() and not _inside(os.path.realpath(path), boundary, top):
                if outside is not None:
                    outside.append(path)
                continue
            found.append(path)
    return sorted(found)


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """The catalog files named by `paths`, and a diagnostic for every name that cannot be used."""
    files: list[Path] = []
    diagnostics: list[Diagnostic] = []
    for path in paths:
        shown = display_path(path)
        parent = path.absolute().parent
        if path.is_symlink() and not _inside(os.path.realpath(path), link_boundary(parent), os.path.realpath(parent)):
            # Named on the command line, but committed by whoever shaped the repository.
            diagnostics.append(_link_outside(path, link_boundary(path.absolute().parent)))
        elif not path.exists() and not path.is_symlink():
            diagnostics.append(
                Diagnostic(
                    "catalog/not-found", "no such file or directory", location=Location(shown)
                )
            )
        elif path.is_dir() and _is_bundle(path):
            diagnostics.append(
                Diagnostic(
                    "catalog/is-a-bundle",
                    "this folder is a bundle lgtmgen built (its manifest.json says so), not a catalog",
                    location=Location(shown),
                    hint="give the catalog's file or folder, the one the bundle was built from",
                )
            )
        elif path.is_dir():
            outside: list[Path] = []
            candidates = _catalog_files(path, outside)
            diagnostics += [_link_outside(link, link_boundary(path)) for link in outside]
            if not candidates:
                diagnostics.append(
                    Diagnostic(
                        "catalog/no-files",
                        "the directory holds no catalog file (*.yaml or *.yml)",
                        location=Location(shown),
                    )
                )
            for candidate in candidates:
                problem = _unusable(candidate)
                if problem is None:
                    files.append(candidate)
                else:
                    diagnostics.append(problem)
        else:
            problem = _unusable(path)
            if problem is None:
                files.append(path)
            else:
                diagnostics.append(problem)
    return _once_each(files), diagnostics


def _once_each(files: list[Path]) -> list[Path]:
    """Drop a file named twice (a directory and a file in it, or the same path twice)."""
    seen: set[Path] = set()
    unique = []
    for path in files:
        real = path.resolve()
        if real not in seen:
            seen.add(real)
            unique.append(path)
    return unique


def _read_text(path: Path, shown: str) -> tuple[str | None, list[Diagnostic]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return None, [
            Diagnostic(
                "catalog/unreadable", f"cannot read the file: {reason}", location=Location(shown)
            )
        ]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, [
            Diagnostic(
                "yaml/encoding",
                f"the file is not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
                location=Location(shown, line, column),
            )
        ]


def load_document(
    paths: Sequence[Path], lines: dict[str, list[str]]
) -> tuple[SourceMap | None, list[Diagnostic]]:
    """Read and merge every catalog file; return the merged document and all findings.

    The text of every file read is put into `lines` (by shown path) for diagnostics.
    """
    files, diagnostics = discover(paths)
    documents: list[SourceMap] = []
    for path in files:
        shown = display_path(path)
        text, problems = _read_text(path, shown)
        diagnostics.extend(problems)
        if text is None:
            continue
        text = text.removeprefix("\ufeff")
        lines[shown] = text.splitlines()
        data, problems = parse_yaml(text, shown)
        diagnostics.extend(problems)
        if data is None:
            continue
        if not isinstance(data, SourceMap):
            diagnostics.append(
                Diagnostic(
                    "catalog/not-a-mapping",
                    "a catalog file must be a mapping with apiVersion and sections such as services",
                    location=Location(shown, 1, 1),
                    source_line=text.splitlines()[0] if text else None,
                )
            )
            continue
        documents.append(data)
    if not documents:
        return None, diagnostics
    merged, problems = merge_documents(documents, lines)
    return merged, diagnostics + problems


def _location(doc: SourceMap, key: str) -> Location:
    line, column = doc.keys_at.get(key, doc.start)
    return Location(doc.file, line, column)


API_VERSION_CHECK = "catalog/api-version"


def _unsupported_version(doc: SourceMap, lines: dict[str, list[str]]) -> Diagnostic | None:
    """A file's apiVersion that this lgtmgen does not read, at that file's value."""
    version = doc.get("apiVersion")
    if version is None or version == API_VERSION:
        return None
    line, column = doc.values_at.get("apiVersion", doc.start)
    location = Location(doc.file, line, column)
    return Diagnostic(
        API_VERSION_CHECK,
        f"unsupported apiVersion {version!r}; this lgtmgen reads {API_VERSION!r}",
        location=location,
        path="apiVersion",
        source_line=source_line(lines, location),
    )


def merge_documents(documents: list[SourceMap], lines: dict[str, list[str]]) -> tuple[SourceMap, list[Diagnostic]]:
    """Concatenate list sections, refuse a mapping section given twice; each file's apiVersion is
    checked where it is written."""
    diagnostics: list[Diagnostic] = []
    merged = SourceMap()
    merged.file, merged.start = documents[0].file, documents[0].start
    merged.keys_at, merged.values_at, merged.aliases = {}, {}, None
    origin: dict[str, SourceMap] = {}
    for doc in documents:
        if (unsupported := _unsupported_version(doc, lines)) is not None:
            diagnostics.append(unsupported)
        if "apiVersion" not in doc and len(documents) > 1:
            # One file names it for all when merged, but the JSON Schema, which editors hold
            # each file to, requires it in every one: a file that passes here would be marked.
            diagnostics.append(
                Diagnostic(
                    "catalog/missing-field",
                    "missing required field 'apiVersion'",
                    location=Location(doc.file, *doc.start),
                    path="apiVersion",
                    hint="every file of a catalog starts with apiVersion: lgtmgen/v1",
                )
            )
        for key, value in doc.items():
            if key not in merged:
                if isinstance(value, SourceList):
                    copy = SourceList.at(value.file, value.start)
                    copy.extend_items(value)
                    merged[key] = copy
                else:
                    merged[key] = value
                merged.keys_at[key] = doc.keys_at[key]
                merged.values_at[key] = doc.values_at[key]
                if doc.aliases and key in doc.aliases:
                    merged.aliases = {**(merged.aliases or {}), key: doc.aliases[key]}
                origin[key] = doc
                continue
            first = merged[key]
            if key == "apiVersion":
                continue  # every file's own was checked above
            if isinstance(first, SourceList) and isinstance(value, SourceList):
                first.extend_items(value)
            else:
                diagnostics.append(
                    Diagnostic(
                        "catalog/duplicate-section",
                        f"section {key!r} is already given in {origin[key].file}; give it in one file only",
                        location=_location(doc, key),
                        path=key,
                    )
                )
    return merged, diagnostics
