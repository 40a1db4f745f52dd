"""A cache of checked measure files, so that a command on 10,000 files reads only what changed.

The cache accelerates reads and nothing else: what it gives for a file equals what reading and
checking the file gives (the same Measure, compared field by field, or the same problems), and no
write ever decides from it. Its only caller is `load`; it imports nothing of portcli's but the
values it stores.

For every measure file the cache keeps what checking it gave under the file's (size, mtime_ns,
ctime_ns, inode). A file whose four values are unchanged is taken from the cache; any other file
(edited, renamed, new) is read and checked again, and a file that is gone is dropped.

The "racy" case git knows: an edit within the same clock tick as the read before it can leave size
and times unchanged. So an entry is only stored when its file's mtime and ctime are safely older
than the moment the scan began (RACY_NS, wider than any file system's timestamp step); a file edited
just before or during a run is read again on the next run. ctime catches what mtime alone would
miss: `touch -d`, `cp -p` and tar can put an old mtime back, but not an old ctime.

The whole cache is one file outside the measures folder, $PORTCLI_CACHE_DIR or
$XDG_CACHE_HOME/portcli (~/.cache/portcli), named after the folder. It belongs to one folder, one
plan (the checks depend on it), one portcli version and source, one PyYAML; any change starts it
afresh. It is written to a temporary file and renamed into place, so two commands running at once
each see a whole file, and the last writer wins. A cache that is unreadable, truncated, corrupt or
of another version is ignored and rebuilt. PORTCLI_NO_CACHE=1 turns it off. The cache folder must
be a real folder of this user's that no one else may write: a link, or a folder others can write,
turns the cache off rather than let it write elsewhere or be fed false entries.

The format is marshal of plain tuples, strings and numbers, with a CRC-32: reading it builds no
objects but those, and runs no code, unlike pickle.
"""
from __future__ import annotations

import marshal
import os
import signal
import stat
import sys
import time
import zlib
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Callable

from . import __version__
from .i18n import Message
from .model import Deadline, Extension, Measure, Plan, Progress
from .problem import Problem

FORMAT = 5
# An entry is trusted only when its file's timestamps are older than the scan's start by this much:
# more than the coarsest common timestamp step (2 s on FAT) and any clock skew on a local disk.
RACY_NS = 3_000_000_000

clock: Callable[[], int] = time.time_ns  # the clock racy entries are judged by; tests move it on

Result = tuple[Measure | None, list[Problem]]  # what load.load_measure_file returns
Check = Callable[[Path, Plan | None], Result]

# The codec below writes these fields, in this order; if the model gains a field, the cache turns
# itself off (and tests/test_cache.py fails) until the codec is taught the new field.
_CODEC_FIELDS = {
    Measure: ("id", "task", "national", "local", "units", "units_note", "deadline", "status", "due_override",
              "progress", "extensions", "file", "line", "plan"),
    Deadline: ("phrase", "kind", "due", "authority"),
    Progress: ("date", "status", "by", "note"),
    Extension: ("date", "to", "reason", "from_", "by"),
}
CODEC_MATCHES_MODEL = all(tuple(f.name for f in fields(cls)) == names for cls, names in _CODEC_FIELDS.items())


def cache_dir() -> Path | None:
    """Where caches live, or None when caching is turned off (or there is no safe place for it)."""
    if os.environ.get("PORTCLI_NO_CACHE", "") not in ("", "0"):
        return None
    if explicit := os.environ.get("PORTCLI_CACHE_DIR"):
        root = explicit
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "portcli")
    # Without HOME, expanduser can leave a literal "~": a relative path would put the cache in
    # whatever folder the command runs in (a repository, CI's checkout).
    return Path(root) if os.path.isabs(root) else None


def cache_file(directory: Path, root: Path) -> Path:
    absolute = os.path.abspath(directory)
    key = zlib.crc32(f"{absolute}\0{directory}".encode("utf-8", "surrogateescape"))
    name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in os.path.basename(absolute))[:40]
    return root / f"{name}-{key:08x}.cache"


def code_stamp() -> tuple:
    """What checking depends on in portcli itself: its version and source, PyYAML, Python."""
    here = Path(__file__).parent
    source = tuple(_signature(here / name) for name in sorted(os.listdir(here)) if name.endswith(".py"))
    return FORMAT, __version__, source, _pyyaml_signature(), sys.version_info[:2]


def _stamp(directory: Path, plan: Plan, code: tuple | None = None) -> tuple:
    """Everything a checked file depends on besides its own bytes."""
    return (*(code or code_stamp()), os.path.abspath(directory), str(directory), repr(plan))


def _pyyaml_signature() -> tuple | None:
    """Which PyYAML reads the unusual files, without importing it (a cached run needs none)."""
    import importlib.util

    spec = importlib.util.find_spec("yaml")
    return _signature(spec.origin) if spec and spec.origin else None


def _signature(path: Path | str) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def check_files(directory: Path, plan: Plan | None, names: list[str], check: Check, *,
                plan_name: str | None = None, code: tuple | None = None) -> list[Result]:
    """check(path, plan) for each of the folder's files `names`, in order, taking unchanged files'
    results from the cache. `plan_name` is the plan folder's name its measures carry (check gives
    it them too); `code` is code_stamp(), when the caller has it already."""
    base = os.fspath(directory)
    prefix = "" if base == "." else os.path.join(base, "")  # file names as `directory / name` spells them
    root = cache_dir()
    if root is None or plan is None or not CODEC_MATCHES_MODEL or not _private_folder(root):
        return [check(Path(prefix + name), plan) for name in names]
    started = clock()
    where = cache_file(directory, root)
    stamp = _stamp(directory, plan, code)
    old = _read(where, stamp)
    kept: dict[str, tuple] = {}
    results: list[Result | None] = []
    missed: list[tuple[int, str, tuple | None]] = []  # (position, file, signature) to check
    decode = _Decoder(plan_name).result
    stat_of = os.stat
    for name in names:
        file = prefix + name
        try:
            st = stat_of(file)
            signature = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        except OSError:
            signature = None
        cached = old.get(name)
        if type(cached) is tuple and len(cached) == 2 and cached[0] == signature:
            try:
                results.append(decode(cached[1], file))
                kept[name] = cached
                continue
            except Exception:  # an entry of the right stamp but the wrong shape: check the file again
                pass
        missed.append((len(results), file, signature))
        results.append(None)
    fresh: dict[str, tuple] = {}
    trusted_before = started - RACY_NS
    checked = _check_all([file for _, file, _ in missed], plan, check, plan_name)
    for (position, file, signature), (result, encoded) in zip(missed, checked):
        results[position] = result
        if encoded is not None and signature is not None and signature[1] < trusted_before \
                and signature[2] < trusted_before:
            fresh[os.path.basename(file)] = (signature, encoded)
    if fresh or kept.keys() != old.keys():
        _write(where, stamp, {**kept, **fresh})
    return results


def _private_folder(root: Path) -> bool:
    """Whether `root` is (or could be made as) a folder of this user's that no one else can write;
    never a link. Anything else turns the cache off for this run."""
    try:
        info = os.lstat(root)
    except FileNotFoundError:
        try:
            os.makedirs(root, mode=0o700, exist_ok=True)
            info = os.lstat(root)
        except OSError:
            return False
    except OSError:
        return False
    return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
            and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


# From this many files to read on, a forked child reads, checks and encodes part of them while
# this process does the rest: a first run at 10,000 files takes 30% less time on 2 CPUs.
PARALLEL_FROM = 2000
_CHILDS_SHARE = 0.45  # a little under half: the child also sends what it found


def _check_all(files: list[str], plan: Plan, check: Check, plan_name: str | None = None
               ) -> list[tuple[Result, tuple | None]]:
    """(check(file, plan), its encoding for the cache or None) for each file, in order."""
    if len(files) >= PARALLEL_FROM and _may_fork() and _cpus() > 1:
        split = len(files) - int(len(files) * _CHILDS_SHARE)
        checked = _check_in_child(files[split:], plan, check, lambda: _check_each(files[:split], plan, check),
                                  plan_name)
        if checked is not None:
            return checked
    return _check_each(files, plan, check)


def _check_each(files: list[str], plan: Plan, check: Check) -> list[tuple[Result, tuple | None]]:
    pairs = []
    for file in files:
        result = check(Path(file), plan)
        pairs.append((result, _encode(result, file)))
    return pairs


def _may_fork() -> bool:
    """Only where fork exists and this process runs one thread: a child forked while another thread
    holds a lock (the import lock, a logging lock) would wait for it forever."""
    threading = sys.modules.get("threading")
    return hasattr(os, "fork") and (threading is None or threading.active_count() == 1)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _check_in_child(files: list[str], plan: Plan, check: Check, meanwhile: Callable[[], list],
                    plan_name: str | None = None) -> list | None:
    """meanwhile() + the pairs of `files`, these checked by a forked child while this process does
    meanwhile(); None when no child can be started. What the child fails to do is done here.

    The child sends its encodings, as the cache stores them; they are decoded here as a cached
    run decodes them, so they give what checking the files here would give."""
    try:
        reading, writing = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(reading)
        os.close(writing)
        return None
    if pid == 0:  # the child: never return into the parent's code, never flush its buffers
        code = 1
        try:
            os.close(reading)
            with open(writing, "wb") as out:
                marshal.dump([encoded for _, encoded in _check_each(files, plan, check)], out)
            code = 0
        finally:
            os._exit(code)
    os.close(writing)
    encodings = None
    with open(reading, "rb") as pipe:
        try:
            mine = meanwhile()
            try:
                data = pipe.read()
                try:
                    status = os.waitpid(pid, 0)[1]
                except ChildProcessError:  # SIGCHLD ignored: reaped already; what it sent speaks for it
                    status = 0
                pid = 0
                encodings = marshal.loads(data) if status == 0 else None
            except Exception:  # a child that died, or sent something else
                pass
        finally:
            if pid:  # this process is leaving early: the child must not run on
                try:
                    if os.waitpid(pid, os.WNOHANG) == (0, 0):  # still running, so the pid is still its
                        os.kill(pid, signal.SIGKILL)
                        os.waitpid(pid, 0)
                except OSError:
                    pass
    if type(encodings) is not list or len(encodings) != len(files):  # nothing, or not encodings
        return mine + _check_each(files, plan, check)
    decode = _Decoder(plan_name).result
    theirs = []
    for file, encoded in zip(files, encodings):
        try:
            if encoded is None:
                raise ValueError("the child could not encode it")
            theirs.append((decode(encoded, file), encoded))
        except Exception:  # not an encoding (or one this file could not have): check it here
            theirs.extend(_check_each([file], plan, check))
    return mine + theirs


# The file: a header (magic, CRC-32 and length of the index), then the index: marshal of
# (stamp, {file name: (signature, record)}).
_MAGIC = b"portcli\0"
_HEADER = len(_MAGIC) + 8


def _read(where: Path, stamp: tuple) -> dict[str, tuple]:
    try:
        # Not following a link, not blocking, and only an ordinary file: a FIFO in the cache's
        # place must not hang the run.
        fd = os.open(where, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return {}
    try:
        with open(fd, "rb", buffering=0) as file:
            info = os.fstat(file.fileno())
            header = file.read(_HEADER)
            checksum, size = int.from_bytes(header[8:12], "little"), int.from_bytes(header[12:16], "little")
            if stat.S_ISREG(info.st_mode) and header[:8] == _MAGIC and size == info.st_size - _HEADER:
                index = file.read(size)
                if len(index) == size and zlib.crc32(index) == checksum:
                    data = marshal.loads(index)
                    if type(data) is tuple and len(data) == 2 and data[0] == stamp and type(data[1]) is dict:
                        return data[1]
    except Exception:  # unreadable, truncated, corrupt, of another version: start afresh
        pass
    return {}


def _write(where: Path, stamp: tuple, entries: dict[str, tuple]) -> None:
    """Replace the cache file as a whole; a cache that cannot be written is simply not kept."""
    index = marshal.dumps((stamp, entries))
    temporary = where.with_name(f"{where.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        # O_EXCL: never through a link or over another's file; the rename then replaces whatever
        # name is in the way, never writing where it points.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        with open(fd, "wb") as out:
            out.write(_MAGIC + zlib.crc32(index).to_bytes(4, "little") + len(index).to_bytes(4, "little"))
            out.write(index)
        os.replace(temporary, where)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def _day(d: date | None) -> int | None:
    return None if d is None else d.toordinal()


def _encode(result: Result, file: str) -> tuple | None:
    """A result as plain tuples, or None when it cannot be stored faithfully."""
    measure, problems = result
    if measure is not None:
        # `plan` is not stored: a cache belongs to one folder, and its measures are of that folder's
        # plan, which check_files is told and the decoder gives them.
        if measure.file != file or problems:
            return None
        d = measure.deadline
        return ((
            measure.id, measure.task, measure.national, measure.local, measure.units, measure.units_note,
            (d.phrase, d.kind, _day(d.due), d.authority), measure.status, _day(measure.due_override),
            tuple((_day(p.date), p.status, p.by, p.note) for p in measure.progress),
            tuple((_day(e.date), _day(e.to), e.reason, _day(e.from_), e.by) for e in measure.extensions),
            measure.line), ())
    if any(p.file != file for p in problems):  # a problem about another file: not this entry's to keep
        return None
    return (None, tuple((p.line, p.code, p.message.encoded()) for p in problems))


class _Decoder:
    """Builds results from stored tuples through the model's own constructors, so a cached measure
    is an ordinary one; equal dates and deadlines are shared between measures."""

    def __init__(self, plan_name: str | None = None):
        self.plan_name = plan_name
        self.days: dict[int | None, date | None] = {None: None}
        self.deadlines: dict[tuple, Deadline] = {}

    def day(self, ordinal: int | None) -> date | None:
        try:
            return self.days[ordinal]
        except KeyError:
            value = self.days[ordinal] = date.fromordinal(ordinal)
            return value

    def result(self, record: tuple, file: str) -> Result:
        stored, problems = record
        if stored is None:
            return None, [Problem(file, line, code, Message.decoded(message)) for line, code, message in problems]
        id_, task, national, local, units, units_note, deadline, status, due_override, progress, extensions, \
            line = stored
        day = self.day
        found = self.deadlines.get(deadline)
        if found is None:
            phrase, kind, due, authority = deadline
            found = self.deadlines[deadline] = Deadline(phrase, kind, day(due), authority)
        return Measure(
            id=id_, task=task, national=national, local=local, units=units, units_note=units_note,
            deadline=found, status=status, due_override=day(due_override),
            progress=tuple(Progress(day(when), state, by, note) for when, state, by, note in progress),
            extensions=tuple(Extension(day(when), day(to), reason, day(from_), by)
                             for when, to, reason, from_, by in extensions),
            file=file, line=line, plan=self.plan_name), []
