"""Writing measure files: under the folder's lock, a whole new file beside the old one, renamed
over it, and only after the new text has passed every rule the reader applies.

A writer that fails or is killed at any point leaves the old file whole. No path opened for
writing or locking follows a symbolic link or waits on a FIFO. The text edits live in `edit`,
the rules of each write command in `record`.
"""
from __future__ import annotations

import codecs
import os
import stat
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from .check import build_measure
from .files import decode, read_bytes
from .model import Measure, Plan
from .i18n import _
from .problem import Problem
from .yamlread import read_yaml
from .values import Frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Any, Iterator

LOCK_FILE = ".portcli.lock"  # in the measures folder: every process writing the folder sees it
TEMP_SUFFIX = ".portcli-tmp"  # not .yaml, so a temp file is never read as a measure
PAUSE_BEFORE_RENAME = "PORTCLI_TEST_PAUSE_BEFORE_RENAME"  # seconds; lets a test kill a writer mid-write


class WriteError(Exception):
    """A write that could not be done; the file on disk is as it was."""


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold the folder's write lock (flock on measures/.portcli.lock) across a read-modify-write.

    One lock for the folder rather than one per file: writes are short, and `new` must pick a
    free id and file name without another writer doing the same. The kernel releases the lock
    when its holder dies, so a killed writer never blocks the next one. The lock file is opened
    without following a link (a link could make portcli create or truncate a file anywhere) and
    without waiting on a FIFO, and it must be an ordinary file.
    """
    try:
        import fcntl
    except ImportError:  # not a POSIX system: writing without a lock could lose updates
        raise WriteError(_("writing needs file locking (fcntl), which this system lacks; nothing was written")) from None
    path = directory / LOCK_FILE
    safely = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | safely, 0o666)
    except OSError as exc:
        if os.path.islink(path):
            raise WriteError(_("{path} is a symbolic link; portcli locks only an ordinary file there: remove the "
                               "link (the next write creates the lock file); nothing was written").format(path=path)) from None
        try:  # a lock file we may not write still locks (another user created it)
            fd = os.open(path, os.O_RDONLY | safely)
        except OSError:
            raise WriteError(_("cannot write in {folder}: {reason}; nothing was written").format(
                folder=directory, reason=exc.strerror or exc)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise WriteError(_("{path} is not an ordinary file (a folder, pipe or device); remove it (the next write "
                               "creates the lock file); nothing was written").format(path=path))
        fcntl.flock(fd, fcntl.LOCK_EX)
        _remove_stale_temp_files(directory)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _remove_stale_temp_files(directory: Path) -> None:
    # Under the lock no other writer is mid-write, so a temp file here is a killed writer's.
    for stale in directory.glob(f".*{TEMP_SUFFIX}"):
        with suppress(OSError):
            stale.unlink()


def atomic_write(path: Path, data: bytes) -> None:
    """Replace (or create) `path` with `data` all at once: temp file in the same folder, flush,
    fsync, rename. Keeps the old file's permissions and, where allowed, its owner."""
    try:
        old = path.lstat()  # a link in the file's place is replaced, never followed
        mode, owner = stat.S_IMODE(old.st_mode), (old.st_uid, old.st_gid)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode, owner = 0o666 & ~umask, None
    import tempfile  # here, not at the top: only write commands need it (and random, which it imports)

    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise WriteError(_("cannot write {path}: {reason}; the file is unchanged").format(
            path=path, reason=exc.strerror or exc)) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fchmod(out.fileno(), mode)
            if owner is not None and owner != (os.getuid(), os.getgid()):
                with suppress(PermissionError):
                    os.fchown(out.fileno(), *owner)
            os.fsync(out.fileno())
        if pause := os.environ.get(PAUSE_BEFORE_RENAME):
            time.sleep(float(pause))
        os.replace(temp, path)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise WriteError(_("cannot write {path}: {reason}; the file is unchanged").format(
                path=path, reason=exc.strerror or exc)) from None
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; some file systems cannot, and the write is done anyway.
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class Source(Frozen):
    """A measure file as read for editing, all from the same bytes: its text (without a BOM), the
    parsed data, the measure it is, and whether it had a BOM. A write decides from this, never from
    a measure read earlier or through the cache."""

    __slots__ = ()

    def __new__(cls, path: Path, text: str, data: Any, measure: Measure, bom: bool):
        return tuple.__new__(cls, (path, text, data, measure, bom))


def read_source(path: Path, plan: Plan) -> tuple[Source | None, list[Problem]]:
    """The file as it is now, read and checked by the reader's own rules; or its problems."""
    raw, problem = read_bytes(path)
    text = data = None
    if problem is None:
        text, problem = decode(str(path), raw)
    if problem is None:
        data, problem = read_yaml(path, text)
    if problem is not None:
        return None, [problem]
    measure, problems = build_measure(data, plan, str(path), text)
    if measure is None:
        return None, problems
    return Source(path, text, data, measure, raw.startswith(codecs.BOM_UTF8)), []


def write_measure(path: Path, text: str, plan: Plan, expected: Any, *, bom: bool = False) -> Measure:
    """Check the new text by every rule the reader applies and put it in place: it must read back as
    exactly `expected` and be a valid measure, else nothing is written (a file the reader would then
    refuse, too big or not a measure, would vanish from every output)."""
    raw = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8", "surrogatepass")
    read, problem = decode(str(path), raw)
    if problem is not None:
        raise WriteError(_("the result would not be readable, nothing was written: {problem}").format(
            problem=problem.message))
    data, problem = read_yaml(path, read)
    if problem is not None or data != expected:
        raise WriteError(_("could not edit {path} safely (its result did not read back as intended); "
                           "nothing was written — please report this with the file").format(path=path))
    measure, problems = build_measure(data, plan, str(path), read)
    if measure is None:
        raise WriteError(_("the result would be invalid, nothing was written: {problems}").format(
            problems="; ".join(str(p.message) for p in problems)))
    atomic_write(path, raw)
    return measure
