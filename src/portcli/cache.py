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

The format is marshal of plain tuples, strings and numbers: reading it builds no objects but
those, and runs no code, unlike pickle. Whoever can write the cache folder can still change what
portcli reports, as with any cache; keep PORTCLI_CACHE_DIR private (it is created 0700).
"""
from __future__ import annotations

import gc
import marshal
import os
import sys
import time
import zlib
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Callable

from . import __version__
from .model import Deadline, Extension, Measure, Plan, Progress

FORMAT = 1
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
    """Everything a checked file depends on besides its own bytes."""
    here = Path(__file__).parent
    source = tuple(_signature(here / name) for name in sorted(os.listdir(here)) if name.endswith(".py"))
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


def check_files(directory: Path, plan: Plan | None, files: list[Path], check: Check) -> list[Result]:
    """check(path, plan) for each file, in order, taking unchanged files' results from the cache."""
    # 10,000 measures are some 100,000 objects without reference cycles: the cyclic garbage
    # collector, run every 700 allocations, would walk them again and again while they are built.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check_files(directory, plan, files, check)
    finally:
        if collecting:
            gc.enable()


def _check_files(directory: Path, plan: Plan | None, files: list[Path], check: Check) -> list[Result]:
    root = cache_dir()
    if root is None or plan is None or not CODEC_MATCHES_MODEL:
        return [check(path, plan) for path in files]
    started = _now_ns()
    where = cache_file(directory, root)
    stamp = _stamp(directory, plan)
    old = _read(where, stamp)
    entries: dict[str, tuple] = {}
    results: list[Result | None] = []
    missed: list[tuple[int, Path, tuple | None]] = []  # (position, file, signature) to check
    decode = _Decoder().result
    stat = os.stat
    # str(path) costs more than the stat itself; measure_files lists the folder's own files,
    # whose text is the folder's followed by their name (tests/test_cache.py holds it so).
    base = os.fspath(directory)
    prefix = "" if base == "." else os.path.join(base, "")
    for path in files:
        name = path.name
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
                entries[name] = cached
                continue
            except Exception:  # an entry of the right stamp but the wrong shape: check the file again
                pass
        missed.append((len(results), path, signature))
        results.append(None)
    texts: dict[str, str] = {}
    trusted_before = started - RACY_NS
    for position, path, signature in missed:
        results[position] = result = check(path, plan)
        if signature is not None and signature[1] < trusted_before and signature[2] < trusted_before:
            if (record := _encode(result, str(path), texts)) is not None:
                entries[path.name] = (signature, record)
    if missed or entries.keys() != old.keys():
        _write(where, stamp, entries)
    return results


def _read(where: Path, stamp: tuple) -> dict[str, tuple]:
    try:
        data = marshal.loads(where.read_bytes())
        if type(data) is tuple and len(data) == 2 and data[0] == stamp and type(data[1]) is dict:
            return data[1]
    except Exception:  # missing, unreadable, truncated, corrupt, of another version: start afresh
        pass
    return {}


def _write(where: Path, stamp: tuple, entries: dict[str, tuple]) -> None:
    """Replace the cache file as a whole; a cache that cannot be written is simply not kept."""
    temporary = where.with_name(f"{where.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        where.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(temporary, "xb") as out:
            marshal.dump((stamp, entries), out)
        os.replace(temporary, where)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def _day(d: date | None) -> int | None:
    return None if d is None else d.toordinal()


def _encode(result: Result, file: str, texts: dict) -> tuple | None:
    """A result as plain tuples, or None when it cannot be stored faithfully.

    Texts that repeat from file to file (the national measure every port city carries out, the
    deadline phrase, the units' note) become one object, which marshal writes once and reads
    back shared; units and statuses are shared objects already.
    """
    measure, problems = result
    if measure is not None:
        if measure.file != file or problems:
            return None
        d = measure.deadline
        share = texts.setdefault
        return (
            measure.id, measure.task, measure.national and share(measure.national, measure.national),
            measure.local, measure.units, measure.units_note and share(measure.units_note, measure.units_note),
            share(d, (share(d.phrase, d.phrase), d.kind, _day(d.due), d.authority)),
            measure.status, _day(measure.due_override),
            tuple((_day(p.date), p.status, p.by, p.note) for p in measure.progress),
            tuple((_day(e.date), _day(e.to), e.reason, _day(e.from_), e.by) for e in measure.extensions),
            measure.line), ()
    if any(p.file != file for p in problems):  # a problem about another file: not this entry's to keep
        return None
    return None, tuple((p.line, p.message) for p in problems)


_new = object.__new__


class _Decoder:
    """Builds results from stored tuples, sharing equal dates and deadlines between measures."""

    def __init__(self):
        from .store import Problem  # store imports this module

        self.problem = Problem
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
        (id_, task, national, local, units, units_note, deadline, status, due_override, progress, extensions,
         line) = stored
        day = self.day
        found = self.deadlines.get(deadline)
        if found is None:
            phrase, kind, due, authority = deadline
            found = self.deadlines[deadline] = Deadline(phrase, kind, day(due), authority)
        # The dataclasses' own __init__ sets frozen fields one by one; filling __dict__ at once,
        # as pickle does, builds the same objects in half the time.
        if progress:
            entries = []
            for when, state, by, note in progress:
                entry = _new(Progress)
                entry.__dict__.update(date=day(when), status=state, by=by, note=note)
                entries.append(entry)
            progress = tuple(entries)
        if extensions:
            extensions = tuple(Extension(day(when), day(to), reason, day(from_), by)
                               for when, to, reason, from_, by in extensions)
        measure = _new(Measure)
        measure.__dict__.update(
            id=id_, task=task, national=national, local=local, units=units, units_note=units_note,
            deadline=found, status=status, due_override=None if due_override is None else day(due_override),
            progress=progress, extensions=extensions, file=file, line=line)
        return measure, []
