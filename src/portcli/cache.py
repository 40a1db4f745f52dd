"""A cache of checked measure files, so that a command on 10,000 files reads only what changed.

For every measure file the cache keeps what checking it gave - the Measure, or the problems with
their lines - under the file's (size, mtime_ns, ctime_ns, inode). A file whose four values are
unchanged is taken from the cache; any other file (edited, renamed, new) is read and checked again,
and a file that is gone is dropped, so the result is always what reading every file would give.

The "racy" case git knows: an edit within the same clock tick as the read before it can leave size
and times unchanged. So an entry is only stored when its file's mtime and ctime are safely older
than the moment the scan began (RACY_NS, wider than any file system's timestamp step); a file edited
just before or during a run is read again on the next run. ctime catches what mtime alone would
miss: `touch -d`, `cp -p` and tar can put an old mtime back, but not an old ctime.

The whole cache is one file outside the measures folder, $PORTCLI_CACHE_DIR or
$XDG_CACHE_HOME/portcli (~/.cache/portcli), named after the folder. It belongs to one folder as
the command line spelled it, one plan (the checks depend on it), one portcli version and source,
one PyYAML; any change starts it afresh. It is written to a temporary file and renamed into place,
so two commands running at once each see a whole file, and the last writer wins. A cache that is
unreadable, truncated, corrupt or of another version is ignored and rebuilt. PORTCLI_NO_CACHE=1
turns it off.

A cached run reads the index, which holds for each file what queries look at (id, task, units,
deadline, status, due dates); a measure's texts, progress log and JSON line are read from the
payload when first used (Measure.__getattr__), so a query at 10,000 measures builds little more
than it prints. The index and every part of the payload carry a CRC-32: a damaged index rebuilds
the cache, a damaged part is read from the measure file instead.

The format is marshal of plain tuples, strings, numbers and bytes: reading it builds no objects but
those, and runs no code, unlike pickle. Whoever can write the cache folder can still change what
portcli reports, as with any cache; keep PORTCLI_CACHE_DIR private (it is created 0700).
"""
from __future__ import annotations

import marshal
import os
import signal
import sys
import time
import weakref
import zlib
from dataclasses import fields
from functools import partial
from datetime import date
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO, Callable

from . import __version__
from .model import Deadline, Extension, Measure, Plan, Progress

FORMAT = 2
# An entry is trusted only when its file's timestamps are older than the scan's start by this much:
# more than the coarsest common timestamp step (2 s on FAT) and any clock skew on a local disk.
RACY_NS = 3_000_000_000

_now_ns = time.time_ns  # the clock racy entries are judged by (tests move it forward)

Result = tuple[Measure | None, list]  # what store.load_measure_file returns: the measure, its problems
Check = Callable[[Path, Plan | None], Result]

# The codec below writes these fields, in this order; if the model gains a field, the cache turns
# itself off (and tests/test_cache.py fails) until the codec is taught the new field.
_CODEC_FIELDS = {
    Measure: ("id", "task", "national", "local", "units", "units_note", "deadline", "status", "due_override",
              "progress", "extensions", "file", "line"),
    Deadline: ("phrase", "kind", "due", "authority"),
    Progress: ("date", "status", "by", "note"),
    Extension: ("date", "to", "reason", "from_", "by"),
}
CODEC_MATCHES_MODEL = all(tuple(f.name for f in fields(cls)) == names for cls, names in _CODEC_FIELDS.items())


def cache_dir() -> Path | None:
    """Where caches live, or None when caching is turned off."""
    if os.environ.get("PORTCLI_NO_CACHE", "") not in ("", "0"):
        return None
    if explicit := os.environ.get("PORTCLI_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "portcli"


def cache_file(directory: Path, root: Path) -> Path:
    absolute = os.path.abspath(directory)
    key = zlib.crc32(f"{absolute}\0{directory}".encode("utf-8", "surrogateescape"))
    name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in os.path.basename(absolute))[:40]
    return root / f"{name}-{key:08x}.cache"


def _stamp(directory: Path, plan: Plan) -> tuple:
    """Everything a checked file depends on besides its own bytes (and its JSON on render/json.py)."""
    here = Path(__file__).parent
    source = tuple(_signature(folder / name) for folder in (here, here / "render")
                   for name in sorted(os.listdir(folder)) if name.endswith(".py"))
    return (FORMAT, __version__, source, _pyyaml_signature(), sys.version_info[:2],
            os.path.abspath(directory), str(directory), repr(plan))


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


def check_files(directory: Path, plan: Plan | None, names: list[str], check: Check) -> list[Result]:
    """check(path, plan) for each of the folder's files `names`, in order, taking unchanged files'
    results from the cache."""
    base = os.fspath(directory)
    prefix = "" if base == "." else os.path.join(base, "")  # file names as `directory / name` spells them
    root = cache_dir()
    if root is None or plan is None or not CODEC_MATCHES_MODEL:
        return [check(Path(prefix + name), plan) for name in names]
    started = _now_ns()
    where = cache_file(directory, root)
    stamp = _stamp(directory, plan)
    old, payload = _read(where, stamp)
    kept: dict[str, tuple] = {}
    results: list[Result | None] = []
    missed: list[tuple[int, str, tuple | None]] = []  # (position, file, signature) to check
    decode = _Decoder(check, plan, payload).result
    stat = os.stat
    for name in names:
        file = prefix + name
        try:
            st = stat(file)
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
    checked = _check_all([file for _, file, _ in missed], plan, check)
    for (position, file, signature), (result, encoded) in zip(missed, checked):
        results[position] = result
        if encoded is not None and signature is not None and signature[1] < trusted_before \
                and signature[2] < trusted_before:
            fresh[os.path.basename(file)] = (signature, encoded)
    if fresh or kept.keys() != old.keys():
        _write(where, stamp, kept, payload, fresh)
    return results


# From this many files to read on, a forked child reads, checks and encodes part of them while
# this process does the rest: a first run at 10,000 files takes 30% less time on 2 CPUs.
PARALLEL_FROM = 2000
_CHILDS_SHARE = 0.45  # a little under half: the child also sends what it found


def _check_all(files: list[str], plan: Plan, check: Check) -> list[tuple[Result, tuple | None]]:
    """(check(file, plan), its encoding for the cache or None) for each file, in order."""
    if len(files) >= PARALLEL_FROM and _may_fork() and _cpus() > 1:
        split = len(files) - int(len(files) * _CHILDS_SHARE)
        checked = _check_in_child(files[split:], plan, check, lambda: _check_each(files[:split], plan, check))
        if checked is not None:
            return checked
    return _check_each(files, plan, check)


def _check_each(files: list[str], plan: Plan, check: Check) -> list[tuple[Result, tuple | None]]:
    shared: dict = {}
    pairs = []
    for file in files:
        result = check(Path(file), plan)
        pairs.append((result, _encode(result, file, plan, shared)))
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


def _check_in_child(files: list[str], plan: Plan, check: Check, meanwhile: Callable[[], list]) -> list | None:
    """meanwhile() + the pairs of `files`, these checked by a forked child while this process does
    meanwhile(); None when no child can be started. What the child fails to do is done here.

    The child sends its encodings, as the cache stores them; they are read back as a cached run
    reads them (a measure's texts and JSON when first used), from memory."""
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
    try:
        if type(encodings) is not list or len(encodings) != len(files):
            raise ValueError("not what a child sends")
        records, parts = _placed(encodings)
    except Exception:  # nothing, or not encodings: the child's part is done here
        return mine + _check_each(files, plan, check)
    decode = _Decoder(check, plan, _Payload(data=b"".join(parts))).result
    theirs = []
    for file, encoded, record in zip(files, encodings, records):
        try:
            theirs.append((decode(record, file), encoded))
        except Exception:  # not an encoding (or one this file could not have): check it here
            theirs.extend(_check_each([file], plan, check))
    return mine + theirs


# The file: a header (magic, CRC-32 and length of the index), the index, the payload. The index is
# marshal of (stamp, {file name: (signature, record)}); a measure's record holds what queries look
# at, and where in the payload its other fields and its JSON lie, each with its own CRC-32.
_MAGIC = b"portcli\0"
_HEADER = len(_MAGIC) + 8


class _Payload:
    """The payload of a cache file, read a part at a time: a command needs the texts of the
    measures it shows, seldom all 10,000. The file stays open, so a newer cache renamed into
    its place meanwhile changes nothing here. (Or a payload in memory, `data`.)"""

    def __init__(self, file: BinaryIO | None = None, offset: int = 0, data: bytes = b""):
        self.file, self.offset, self.data = file, offset, data
        if file is not None:
            weakref.finalize(self, file.close)

    def read(self, start: int, size: int) -> bytes:
        if start < 0 or size < 0:
            raise ValueError("no such part")
        if self.file is None:
            part = self.data[start:start + size]
        else:
            self.file.seek(self.offset + start)
            part = self.file.read(size)
        if len(part) != size:
            raise ValueError("the payload ends before this part")
        return part

    def whole(self) -> bytes:
        if self.file is None:
            return self.data
        self.file.seek(self.offset)
        return self.file.read()


def _read(where: Path, stamp: tuple) -> tuple[dict[str, tuple], _Payload]:
    file = None
    try:
        # Not blocking, and only an ordinary file: a FIFO in the cache's place must not hang the run.
        file = open(os.open(where, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)),
                    "rb", buffering=0)
        info = os.fstat(file.fileno())
        header = file.read(_HEADER)
        checksum, size = int.from_bytes(header[8:12], "little"), int.from_bytes(header[12:16], "little")
        if S_ISREG(info.st_mode) and header[:8] == _MAGIC and size <= info.st_size - _HEADER:
            index = file.read(size)
            if len(index) == size and zlib.crc32(index) == checksum:
                data = marshal.loads(index)
                if type(data) is tuple and len(data) == 2 and data[0] == stamp and type(data[1]) is dict:
                    return data[1], _Payload(file, _HEADER + size)
    except Exception:  # missing, unreadable, truncated, corrupt, of another version: start afresh
        pass
    if file is not None:
        file.close()
    return {}, _Payload()


def _placed(encodings: list, offset: int = 0) -> tuple[list, list[bytes]]:
    """The records of _encode's encodings (None for a None) pointing at their parts laid out from
    `offset` on in a payload, and the parts."""
    records, parts = [], []
    for encoded in encodings:
        if encoded is None:
            records.append(None)
            continue
        (stored, problems), blobs = encoded
        if stored is not None:
            fields, static = blobs
            stored += (offset, len(fields), zlib.crc32(fields), len(static), zlib.crc32(static))
            parts += blobs
            offset += len(fields) + len(static)
        records.append((stored, problems))
    return records, parts


def _write(where: Path, stamp: tuple, kept: dict[str, tuple], payload: _Payload, fresh: dict[str, tuple]) -> None:
    """Replace the cache file as a whole; a cache that cannot be written is simply not kept."""
    entries: dict[str, tuple] = {}
    parts: list[bytes] = []
    offset = 0
    old = memoryview(payload.whole()) if any(stored for _, (stored, _) in kept.values()) else b""
    for name, (signature, (stored, problems)) in kept.items():
        if stored is not None:
            # A kept entry's parts were never read on this run: they are checked before being
            # copied, and an entry whose parts are damaged (or forged) is left out, its file read
            # and stored afresh on the next run.
            try:
                start, size, checksum, json_size, json_checksum = stored[-5:]
                fields, static = old[start:start + size], old[start + size:start + size + json_size]
                if len(fields) != size or zlib.crc32(fields) != checksum \
                        or len(static) != json_size or zlib.crc32(static) != json_checksum:
                    continue
            except Exception:
                continue
            parts += (fields, static)
            stored = stored[:-5] + (offset,) + stored[-4:]
            offset += size + json_size
        entries[name] = (signature, (stored, problems))
    records, fresh_parts = _placed([encoded for _, encoded in fresh.values()], offset)
    for (name, (signature, _)), record in zip(fresh.items(), records):
        entries[name] = (signature, record)
    parts += fresh_parts
    index = marshal.dumps((stamp, entries))
    temporary = where.with_name(f"{where.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        where.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(temporary, "xb") as out:
            out.write(_MAGIC + zlib.crc32(index).to_bytes(4, "little") + len(index).to_bytes(4, "little"))
            out.write(index)
            out.writelines(parts)
        os.replace(temporary, where)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def _day(d: date | None) -> int | None:
    return None if d is None else d.toordinal()


def _encode(result: Result, file: str, plan: Plan, shared: dict) -> tuple | None:
    """A result as (record, payload parts), or None when it cannot be stored faithfully.

    What queries look at (id, task, units, deadline, status, due dates) goes in the record as
    plain tuples. The texts and the progress log, and the measure's JSON as --format json prints
    it (less the fields that depend on the date asked about), which a command at 10,000 measures
    needs for few of them, go to the payload, read on first use (Measure.__getattr__). Equal
    unit lists and deadlines become one object, which marshal writes once and reads back shared.
    """
    measure, problems = result
    if measure is not None:
        if measure.file != file or problems:
            return None
        from .render.json import static_json

        d = measure.deadline
        share = shared.setdefault
        fields = marshal.dumps((measure.national, measure.local, measure.units_note,
                                tuple((_day(p.date), p.status, p.by, p.note) for p in measure.progress)))
        static = static_json(measure, plan).encode("utf-8")  # escaped: no lone surrogate
        return ((
            measure.id, measure.task, share(measure.units, measure.units),
            share(d, (share(d.phrase, d.phrase), d.kind, _day(d.due), d.authority)),
            measure.status, _day(measure.due_override),
            tuple((_day(e.date), _day(e.to), e.reason, _day(e.from_), e.by) for e in measure.extensions),
            measure.line), ()), (fields, static)
    if any(p.file != file for p in problems):  # a problem about another file: not this entry's to keep
        return None
    return (None, tuple((p.line, p.message) for p in problems)), None


_new = object.__new__
_DEFERRED = ("national", "local", "units_note", "progress")
_EMPTY = Measure(0, 0, None, (), ("",), None, Deadline("", "ongoing"), "not_started")  # a file that no longer reads


class _Decoder:
    """Builds results from stored tuples, sharing equal dates and deadlines between measures."""

    def __init__(self, check: Check, plan: Plan, payload: _Payload):
        from .store import Problem  # store imports this module

        self.problem = Problem
        self.check = check
        self.plan = plan
        self.payload = payload
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
            return None, [self.problem(file, line, message) for line, message in problems]
        id_, task, units, deadline, status, due_override, extensions, line, start, size, checksum, \
            json_size, json_checksum = stored
        day = self.day
        found = self.deadlines.get(deadline)
        if found is None:
            phrase, kind, due, authority = deadline
            found = self.deadlines[deadline] = Deadline(phrase, kind, day(due), authority)
        if extensions:
            extensions = tuple(Extension(day(when), day(to), reason, day(from_), by)
                               for when, to, reason, from_, by in extensions)
        # The dataclasses' own __init__ sets frozen fields one by one; filling __dict__ at once,
        # as pickle does, builds the same objects in half the time.
        measure = _new(Measure)
        measure.__dict__.update(
            id=id_, task=task, units=units, deadline=found, status=status,
            due_override=None if due_override is None else day(due_override), extensions=extensions,
            file=file, line=line, _deferred=partial(self.deferred, start, size, checksum, json_size, json_checksum,
                                                    file))
        return measure, []

    def deferred(self, start: int, size: int, checksum: int, json_size: int, json_checksum: int, file: str,
                 name: str) -> dict:
        """The attributes, `name` among them, that the payload holds for a measure; {} for others."""
        if name == "_json":
            try:
                static = self.payload.read(start + size, json_size)
                if zlib.crc32(static) != json_checksum:
                    raise ValueError("damaged")
                return {"_json": static.decode("utf-8")}
            except Exception:  # render.json encodes the measure itself
                return {"_json": None}
        if name not in _DEFERRED:
            return {}
        try:
            stored = self.payload.read(start, size)
            if zlib.crc32(stored) != checksum:
                raise ValueError("damaged")
            national, local, units_note, progress = marshal.loads(stored)
            entries = []
            for when, state, by, note in progress:
                entry = _new(Progress)
                entry.__dict__.update(date=self.day(when), status=state, by=by, note=note)
                entries.append(entry)
            return dict(national=national, local=local, units_note=units_note, progress=tuple(entries))
        except Exception:
            # Bytes that pass the index's checks yet are not what portcli wrote: the file itself
            # is the truth, and what it says now is taken instead.
            measure, _ = self.check(Path(file), self.plan)
            return {name: getattr(measure or _EMPTY, name) for name in _DEFERRED}
