"""Write a bundle to disk so that readers only ever see a whole bundle.

The new tree is written into a temporary sibling directory, flushed, and then
exchanged with the old one in a single ``renameat2(RENAME_EXCHANGE)`` call
where the kernel offers it (Linux 3.15+). A crash or kill at any moment then
leaves either the old bundle or the new one in place; stale files vanish with
the old tree. Where it does not (a file system without RENAME_EXCHANGE, such as
NFS), two renames do it, between which the path is missing and the old tree lies
whole beside it as ``.NAME.old-*``, locked by the build swapping it; the next
build puts an unlocked one back, or removes it when the swap had finished.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import glob
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from lgtmgen.bundle import Bundle

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100

MANIFEST = "manifest.json"
"""The bundle file that lists every other one with its SHA-256."""


def _libc_renameat2() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the system cannot."""
    func = _libc_renameat2()
    if func is None:
        return False
    result = func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(a))


def file_writer(root: Path, previous: Path | None = None) -> Callable[[str, bytes], None]:
    """A function that writes one file of a tree below `root`, making its folders on first use.

    A file whose bytes equal the same path's in the `previous` tree (the bundle this one
    replaces) becomes a hard link to it instead: a rebuild then writes, flushes and, when the
    old tree is removed, frees only what changed (removing 6,000 written files costs ext4 more
    than a second; dropping a link costs almost nothing). Bundle files are never changed in
    place, by lgtmgen or by git, so sharing the inode is safe.
    """
    made: set[Path] = set()
    real_previous = os.path.realpath(previous) if previous is not None else ""

    def put(path: str, content: bytes) -> None:
        target = root / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if previous is not None and _link_if_same(previous / path, os.path.join(real_previous, path), target, content):
            return
        try:
            with open(target, "wb") as handle:
                handle.write(content)
        except OSError as exc:
            if exc.filename is not None:
                raise
            raise OSError(exc.errno, exc.strerror, str(target)) from exc  # a failed write names no file

    return put


def _link_if_same(old: Path, real_old: str, target: Path, content: bytes) -> bool:
    # O_NOFOLLOW guards the last part only: a folder of the old bundle replaced by a link would
    # have a file from elsewhere linked into the new bundle (`real_old`: where `old` must really be).
    if os.path.realpath(old) != real_old:
        return False
    try:
        # O_NOFOLLOW: a symlink put into the old bundle is never carried into the new one;
        # O_NONBLOCK: a FIFO put there would block the open until someone writes to it.
        with open(os.open(old, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode) or status.st_size != len(content) or handle.read() != content:
                return False
        os.link(old, target, follow_symlinks=False)
    except OSError:  # no such file, a symlink, another file system, no hard links: write it
        return False
    return True


def _write_tree(root: Path, bundle: Bundle) -> None:
    put = file_writer(root)
    for path, content in bundle.contents().items():
        put(path, content)


def followed(out: Path) -> Path:
    """`out`, or the directory it is a symbolic link to: the bundle a build replaces is the folder the
    link names (staged beside it), and the link stays as the user made it."""
    if out.is_symlink() and out.is_dir():
        return out.resolve()
    return out


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class NotABundleError(Exception):
    """The output path holds something other than an lgtmgen bundle; it is never replaced."""


NOT_A_BUNDLE = "bundle/not-a-bundle"
FOREIGN_FILES = "bundle/foreign-files"


class Refusal(NamedTuple):
    """Why a folder must not be replaced by a bundle: a check id and the message."""

    check: str
    message: str


def replace_refusal(out: Path) -> Refusal | None:
    """Why `out` must not be replaced by a bundle, or None when it may.

    Only a missing path, an empty directory or a directory whose manifest.json
    says lgtmgen wrote it, holding no file that manifest does not list, may be
    replaced: the swap discards the old tree whole.
    """
    if not out.exists() and not out.is_symlink():
        return None
    if out.is_symlink():
        return Refusal(NOT_A_BUNDLE, f"{out} is a symbolic link to {os.readlink(out)}, which is not a directory; refusing to replace it")
    if not out.is_dir():
        return Refusal(NOT_A_BUNDLE, f"{out} exists and is not a directory; refusing to replace it")
    if not any(out.iterdir()):
        return None
    manifest = out / MANIFEST
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if not (isinstance(data, dict) and data.get("generator") == "lgtmgen"):
        return Refusal(NOT_A_BUNDLE, f"{out} is not an lgtmgen bundle (no lgtmgen manifest.json); refusing to replace it")
    listed = data.get("files")
    foreign = _unlisted_files(out, set(listed) if isinstance(listed, dict) else set())
    if foreign:
        shown = ", ".join(foreign[:FOREIGN_SHOWN]) + (", ..." if len(foreign) > FOREIGN_SHOWN else "")
        return Refusal(
            FOREIGN_FILES,
            f"{out} holds {len(foreign)} file(s) its manifest.json does not list ({shown}); the build "
            "replaces the folder whole, so move them out of it (or delete them) first; refusing to replace it",
        )
    return None


FOREIGN_SHOWN = 5


def _unlisted_files(root: Path, listed: set[str]) -> list[str]:
    """Files (and links and other entries that are not folders) below `root` that neither `listed`
    nor the manifest names, sorted: a user's notes, a `.git` folder."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        base = Path(folder).relative_to(root)
        # os.walk lists a link to a folder among the folders; it is not followed, and it is not the bundle's.
        entries = files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]
        for name in entries:
            path = (base / name).as_posix()
            if path != MANIFEST and path not in listed:
                found.append(path)
    return sorted(found)


def _locked(path: Path) -> int | None:
    """An open descriptor of the directory `path` holding its exclusive lock, or None when another
    process holds it (or it is gone)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def clear_leftovers(out: Path) -> None:
    """What killed builds left beside `out`: the previous bundle of an interrupted swap goes back in
    place, dead staging trees go."""
    restore_interrupted_swap(out)
    remove_dead_staging(out)


def restore_interrupted_swap(out: Path) -> None:
    """Finish what a build killed between the two renames of `swap_in`'s fallback left: the
    previous bundle beside `out` as ``.NAME.old-*`` goes back in place when `out` is missing
    (the newest, should there be several), and is removed when `out` is there. A swap still
    running holds its old tree's lock, and its tree is left alone."""
    leftovers = sorted(out.parent.glob(f".{glob.escape(out.name)}.old-*"), key=_mtime, reverse=True)
    for leftover in leftovers:
        fd = _locked(leftover)
        if fd is None:
            continue
        try:
            if not os.path.lexists(out):
                os.rename(leftover, out)
                _fsync_dir(out.parent)
            else:
                shutil.rmtree(leftover, ignore_errors=True)
        finally:
            os.close(fd)


def _mtime(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except OSError:
        return 0.0


def remove_dead_staging(out: Path) -> None:
    """Staging trees of builds that were killed: a live build holds its tree's lock (a lock, not a
    process id, which another PID namespace, such as a container sharing the folder, cannot see)."""
    for leftover in out.parent.glob(f".{glob.escape(out.name)}.new-*"):
        fd = _locked(leftover)
        if fd is None:
            continue
        try:
            shutil.rmtree(leftover, ignore_errors=True)
        finally:
            os.close(fd)


@contextmanager
def staging_for(out: Path) -> Iterator[Path]:
    """An empty directory beside `out` to write the next bundle into; gone afterwards unless swapped in.

    The build holds the directory's lock until it ends, so no other build takes it for the tree of a
    killed one. Raises NotABundleError, before making anything, when `out` holds anything but a
    previous bundle.
    """
    out = out.absolute()
    refusal = replace_refusal(out)
    if refusal is not None:
        raise NotABundleError(refusal.message)
    out.parent.mkdir(parents=True, exist_ok=True)
    clear_leftovers(out)
    # Made under another name and locked before it takes the name the clean-up looks for.
    made = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    fd = _locked(made)
    if fd is None:
        shutil.rmtree(made, ignore_errors=True)
        raise OSError(errno.EWOULDBLOCK, "cannot lock the staging directory", str(made))
    staging = made.with_name(made.name.replace(".tmp-", ".new-", 1))
    try:
        os.rename(made, staging)
        yield staging
    finally:
        for path in (made, staging):
            if path.exists():
                shutil.rmtree(path, ignore_errors=True)
        os.close(fd)


def swap_in(staging: Path, out: Path) -> None:
    """Replace `out` with the finished tree `staging`, atomically.

    One `os.sync()` first instead of an fsync per file: at 6,000 files the
    per-file calls cost seconds, while the guarantee needed is only that the
    whole tree is on disk before it replaces the old one.
    """
    out = out.absolute()
    os.sync()
    os.chmod(staging, 0o755)
    if not out.exists():
        try:
            os.rename(staging, out)
            _fsync_dir(out.parent)
            return
        except OSError as exc:
            # Another build of the same new folder swapped its bundle in meanwhile: replace it.
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
    if _exchange(staging, out):
        shutil.rmtree(staging)
    else:
        # The old tree is locked before it leaves its name (the lock moves with the directory), so
        # another build's `restore_interrupted_swap` leaves it alone while this one swaps.
        held = _locked(out)
        try:
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rmdir(old)
            os.rename(out, old)
            os.rename(staging, out)
            shutil.rmtree(old)
        finally:
            if held is not None:
                os.close(held)
    _fsync_dir(out.parent)


def write_bundle(bundle: Bundle, out: Path) -> None:
    """Replace the directory `out` with the in-memory `bundle`, atomically.

    Raises NotABundleError, before writing anything, when `out` holds anything
    but a previous bundle.
    """
    with staging_for(out) as staging:
        _write_tree(staging, bundle)
        swap_in(staging, out)


def tree_paths(root: Path) -> set[str]:
    """The POSIX relative path of every entry below `root` that is not a folder (files, and links,
    never followed); none when `root` is not a directory."""
    if not root.is_dir():
        return set()
    found: set[str] = set()
    for folder, dirs, files in os.walk(root):
        base = Path(folder).relative_to(root)
        found.update((base / name).as_posix() for name in files)
        found.update((base / name).as_posix() for name in dirs if os.path.islink(os.path.join(folder, name)))
    return found


LINK_NOT_READ = b"(a symbolic link: lgtmgen does not read through it; the build replaces it with a file)\n"
SPECIAL_NOT_READ = b"(not a regular file: lgtmgen does not read it; the build replaces it with a file)\n"


def read_own(root: Path, path: str) -> bytes:
    """The bytes of the file `path` below `root`, never through a symbolic link nor from a FIFO or
    device: a committed bundle is a pull request's to shape, a link to a secret file would be
    printed by `diff`, and a FIFO would block it for ever."""
    try:
        fd = os.open(root / path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return LINK_NOT_READ
        if exc.errno in (errno.ENXIO, errno.EACCES, errno.EPERM):  # a socket; a file it may not read
            return SPECIAL_NOT_READ
        raise
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return SPECIAL_NOT_READ
        return handle.read()


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file below `root` by POSIX relative path (for diffs and drift checks)."""
    if not root.is_dir():
        return {}
    out: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out
