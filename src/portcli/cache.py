"""A cache of checked measure files, so that a command on 10,000 files reads only what changed.

The cache accelerates reads and nothing else: what it gives for a file equals what reading and
checking the file gives (the same Measure, compared field by field, or the same problems), and no
write ever decides from it. Its only caller is `load`; it imports nothing of portcli's but the
values it stores, and `child` to share a first read of many files with a forked child.

For every measure file the cache keeps what checking it gave under the file's (size, mtime_ns,
ctime_ns, inode). A file whose four values are unchanged is taken from the cache; any other file
(edited, renamed, new) is read and checked again, and a file that is gone is dropped.

The "racy" case git knows: an edit within the same clock tick as the read before it can leave size
and times unchanged. So an entry is only stored when its file's mtime and ctime are safely older
than the moment the scan began (RACY_NS, wider than any file system's timestamp step); a file edited
just before or during a run is read again on the next run. ctime catches what mtime alone would
miss: `touch -d`, `cp -p` and tar can put an old mtime back, but not an old ctime.

The cache lives outside the measures folder, in $PORTCLI_CACHE_DIR or $XDG_CACHE_HOME/portcli
(~/.cache/portcli): for each measures folder, by its resolved path (`measures`, `./measures` and
its absolute path, or a link to it, share one cache), a base file and, beside it, a journal. It
belongs to one folder, one plan (the checks depend on it), one portcli version and source, one
PyYAML; any change starts it afresh. The base is written to a temporary file and renamed into
place, so two commands running at once each see a whole file, and the last writer wins. What a run
changes in a cache that is there (a write's one file, settling on the next read) is appended to the
journal as one record, so a write costs the cache a few hundred bytes, not the whole folder's
entries; a reader applies the journal's whole records after the base, and when the journal has grown
past a quarter of the base it folds both into a new base. Every entry is judged by its file's
signature alone, so a lost or torn record only costs a file read again. A cache that is unreadable,
truncated, corrupt or of another version is ignored and rebuilt. PORTCLI_NO_CACHE=1 turns it off.
The cache folder must be a real folder of this user's that no one else may write: a link, or a
folder others can write, turns the cache off rather than let it write elsewhere or be fed false
entries.

The cache folder is bounded: when a run writes a base it removes the caches of folders that no
longer exist, then the least recently used caches until the rest hold at most MAX_BYTES
($PORTCLI_CACHE_MAX_MB, default 1024 MiB). A cache is used when read (its mtime is moved on at most
once an hour, so reads stay cheap).

The format is marshal of plain tuples, strings and numbers, with a CRC-32: reading it builds no
objects but those, and runs no code, unlike pickle.
"""
from __future__ import annotations

import marshal
import os
import stat
import sys
import time
import zlib

from . import __version__, child
from .files import join, spelled
from .i18n import Message
from .model import Deadline, Extension, Measure, Plan, Progress, Task, Unit
from .problem import Problem
from .values import date

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Callable

FORMAT = 7
# An entry is trusted only when its file's timestamps are older than the scan's start by this much:
# more than the coarsest common timestamp step (2 s on FAT) and any clock skew on a local disk.
RACY_NS = 3_000_000_000

clock: Callable[[], int] = time.time_ns  # the clock racy entries are judged by; tests move it on

Result = tuple[Measure | None, list[Problem]]  # what load.load_measure_file returns
if TYPE_CHECKING:
    Check = Callable[[str, Plan | None], Result]  # what load.load_measure_file is

# The codec below writes these fields, in this order; if the model gains a field, the cache turns
# itself off (and tests/test_cache.py fails) until the codec is taught the new field.
_CODEC_FIELDS = {
    Measure: ("id", "task", "national", "local", "units", "units_note", "deadline", "status", "due_override",
              "progress", "extensions", "file", "line", "plan"),
    Deadline: ("phrase", "kind", "due", "authority"),
    Progress: ("date", "status", "by", "note"),
    Extension: ("date", "to", "reason", "from_", "by"),
    Plan: ("title", "year", "tasks", "units", "start", "yellow_days"),
    Task: ("id", "numeral", "title"),
    Unit: ("name", "full_name", "english", "aliases"),
}
CODEC_MATCHES_MODEL = all(cls._fields == names for cls, names in _CODEC_FIELDS.items())


def cache_dir() -> str | None:
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
    return spelled(root) if os.path.isabs(root) else None


def cache_file(directory: str, root: str) -> str:
    """The base file of `directory`'s cache: named after the folder as resolved (links followed, `..`
    and `.` gone), so that every spelling of one folder shares one cache."""
    return _cache_file(os.path.realpath(directory), root)


def _cache_file(resolved: str, root: str) -> str:
    key = zlib.crc32(resolved.encode("utf-8", "surrogateescape"))
    name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in os.path.basename(resolved))[:40]
    return os.path.join(root, f"{name}-{key:08x}{SUFFIX}")


SUFFIX = ".cache"
JOURNAL = ".journal"  # the journal of base X.cache whose token is T: X.cache.T.journal


def code_stamp() -> tuple:
    """What checking depends on in portcli itself: its version and source, PyYAML, Python."""
    here = os.path.dirname(__file__)
    source = tuple(_signature(os.path.join(here, name)) for name in sorted(os.listdir(here)) if name.endswith(".py"))
    return FORMAT, __version__, source, _pyyaml_signature(), sys.version_info[:2]


def _stamp(directory: str, plan: Plan, code: tuple | None = None, resolved: str | None = None) -> tuple:
    """Everything a checked file depends on besides its own bytes. Not how the folder is spelled:
    a measure's file name is given it when it is decoded, and a problem's message, which may quote
    the spelling, is kept with the folder as it was spelled and trusted only under that spelling.
    The plan as the cache encodes it, every field of it (CODEC_MATCHES_MODEL): its repr said the same
    in 15 times the time, 0.15 s for 1,000 plans."""
    return (*(code or code_stamp()), resolved or os.path.realpath(directory), _encode_plan(plan))


def _pyyaml_signature() -> tuple | None:
    """Which PyYAML reads the unusual files, without importing it (a cached run needs none). Asked of
    the import system's finders themselves: importlib.util.find_spec would cost the import of importlib."""
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        spec = find("yaml", None) if find else None
        if spec is not None:
            return _signature(spec.origin) if spec.origin else None
    return None


def _signature(path: str) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


PLAN_KEY = "_plan.yaml"  # the plan's entry among the files' (no measure file's name starts with _)


class PlanSeen:
    """The folder's _plan.yaml as cached_plan found it: its signature, taken after `started`, before
    the plan was read; and the cache as read, for check_files not to read it again. When the plan
    came from the cache, `plan` is it and `stamp` its stamp: check_files does not work it out again
    (the folder's real path and the plan's encoding cost ~0.1 ms a folder, 0.1 s for 1,000 plans)."""

    __slots__ = ("signature", "started", "where", "raw", "resolved", "plan", "stamp")

    def __init__(self, signature, started, where, raw, resolved):
        self.signature, self.started, self.where, self.raw, self.resolved = signature, started, where, raw, resolved
        self.plan = self.stamp = None


def cached_plan(directory: str, code: tuple | None = None) -> tuple[Plan | None, PlanSeen | None]:
    """The folder's plan from its cache when _plan.yaml is unchanged (else None: read it), and what
    check_files needs to store it. A plan is cached only when it read without a problem, and only
    from an ordinary file (a link's target is read afresh, by read_text's rules, every run)."""
    root = cache_dir()
    if root is None or not CODEC_MATCHES_MODEL or not _private_folder(root):
        return None, None
    started = clock()
    try:
        info = os.lstat(os.path.join(directory, PLAN_KEY))
        signature = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino) \
            if stat.S_ISREG(info.st_mode) else None
    except OSError:
        signature = None
    resolved = os.path.realpath(directory)
    where = _cache_file(resolved, root)
    raw = _read_raw(where)
    seen = PlanSeen(signature, started, where, raw, resolved)
    if raw is None or signature is None:
        return None, seen
    entry = raw[1].get(PLAN_KEY)
    if type(entry) is not tuple or len(entry) != 2 or entry[0] != signature:
        return None, seen
    try:
        plan = _decode_plan(entry[1])
    except Exception:
        return None, seen
    # the entry was stored with the files' stamp: the same portcli, folder, and this very plan
    stamp = _stamp(directory, plan, code, resolved)
    if raw[0] != stamp:
        return None, seen
    seen.plan, seen.stamp = plan, stamp
    return plan, seen


def _encode_plan(plan: Plan) -> tuple:
    return (plan.title, plan.year, tuple((key, t.id, t.numeral, t.title) for key, t in plan.tasks.items()),
            tuple((u.name, u.full_name, u.english, u.aliases) for u in plan.units), _day(plan.start),
            plan.yellow_days)


def _decode_plan(stored: tuple) -> Plan:
    title, year, tasks, units, start, yellow_days = stored
    return Plan(title, year, {key: Task(id_, numeral, text) for key, id_, numeral, text in tasks},
                tuple(Unit(name, full, english, aliases) for name, full, english, aliases in units),
                None if start is None else date.fromordinal(start), yellow_days)


def check_files(directory: str, plan: Plan | None, names: list[str], check: Check, *,
                plan_name: str | None = None, code: tuple | None = None,
                plan_seen: PlanSeen | None = None) -> list[Result]:
    """check(path, plan) for each of the folder's files `names`, in order, taking unchanged files'
    results from the cache. `plan_name` is the plan folder's name its measures carry (check gives
    it them too); `code` is code_stamp(), when the caller has it already; `plan_seen` is what
    cached_plan found, so that the plan is stored with the files (and the cache read once)."""
    prefix = join(directory, "")  # each file's name is prefix + name: no call a file at 100,000 files
    root = cache_dir()
    if root is None or plan is None or not CODEC_MATCHES_MODEL or not _private_folder(root):
        return [check(prefix + name, plan) for name in names]
    started = clock() if plan_seen is None else plan_seen.started
    if plan_seen is not None and plan_seen.plan is plan:
        where, stamp, resolved = plan_seen.where, plan_seen.stamp, plan_seen.resolved
    else:
        resolved = os.path.realpath(directory)
        where = _cache_file(resolved, root)
        stamp = _stamp(directory, plan, code, resolved)
    if plan_seen is not None and plan_seen.where == where:
        found = _found(plan_seen.raw, stamp)
    else:
        found = _read_cache(where, stamp)
    old = found.entries
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
                continue
            except Exception:  # an entry of the right stamp but the wrong shape: check the file again
                pass
        missed.append((len(results), file, signature))
        results.append(None)
    changes: dict[str, tuple | None] = {}
    trusted_before = started - RACY_NS
    checked = _check_all([file for _, file, _ in missed], plan, check, plan_name)
    for (position, file, signature), (result, encoded) in zip(missed, checked):
        results[position] = result
        if encoded is not None and signature is not None and signature[1] < trusted_before \
                and signature[2] < trusted_before:
            changes[os.path.basename(file)] = (signature, encoded)
    # An entry whose file changed too recently to be stored again stays: its signature no longer
    # matches, so it is never handed out, and dropping it would cost the journal a record a write.
    if plan_seen is not None and plan_seen.signature is not None and plan_seen.signature[1] < trusted_before \
            and plan_seen.signature[2] < trusted_before:
        cached = old.get(PLAN_KEY)
        if type(cached) is not tuple or len(cached) != 2 or cached[0] != plan_seen.signature:
            changes[PLAN_KEY] = (plan_seen.signature, _encode_plan(plan))
    if len(old) - (PLAN_KEY in old) > len(names) or (old and missed):
        present = {*names, PLAN_KEY}
        changes.update((name, None) for name in old if name not in present)  # files that are gone
    if found.token is None:
        if changes:
            _write(where, stamp, {name: entry for name, entry in changes.items() if entry is not None}, resolved)
    elif changes:
        _record(where, found, stamp, changes, resolved)
    return results


class _Found:
    """A cache as read: its entries (base and journal merged), the base's token and size, and how
    many bytes of journal were applied."""

    __slots__ = ("entries", "token", "base_size", "journal_size")

    def __init__(self, entries: dict[str, tuple], token: int | None = None, base_size: int = 0,
                 journal_size: int = 0):
        self.entries, self.token, self.base_size, self.journal_size = entries, token, base_size, journal_size


# A journal is folded into a new base once it holds more than a quarter of the base's bytes (and
# at least this much): a write appends ~300 bytes, so at 10,000 measures (a 15 MB base) some ten
# thousand writes go by between two rewrites of the base.
JOURNAL_AT_LEAST = 64 * 1024
JOURNAL_SHARE = 4


def _record(where: str, found: _Found, stamp: tuple, changes: dict[str, tuple | None], resolved: str) -> None:
    """Append `changes` to the journal of the base as read, or fold everything into a new base when
    the journal has grown too big."""
    record = marshal.dumps((found.token, changes))
    frame = zlib.crc32(record).to_bytes(4, "little") + len(record).to_bytes(4, "little") + record
    if found.journal_size + len(frame) > max(JOURNAL_AT_LEAST, found.base_size // JOURNAL_SHARE):
        entries = found.entries
        for name, entry in changes.items():
            if entry is None:
                entries.pop(name, None)
            else:
                entries[name] = entry
        _write(where, stamp, entries, resolved)
        with _suppressed():
            os.unlink(_journal_of(where, found.token))
        return
    try:
        # O_APPEND: a record lands whole after every other, whoever else appends at the same time;
        # never through a link, never into a FIFO or a file someone else made.
        fd = os.open(_journal_of(where, found.token),
                     os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o600)
    except OSError:
        return
    try:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid():
            os.write(fd, frame)
    except OSError:
        pass
    finally:
        os.close(fd)


def _journal_of(where: str, token: int) -> str:
    return f"{where}.{token:016x}{JOURNAL}"


class _suppressed:
    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        return kind is not None and issubclass(kind, OSError)


def _private_folder(root: str) -> bool:
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


def _check_all(files: list[str], plan: Plan, check: Check, plan_name: str | None = None
               ) -> list[tuple[Result, tuple | None]]:
    """(check(file, plan), its encoding for the cache or None) for each file, in order."""
    if len(files) >= PARALLEL_FROM and child.can_fork():
        split = len(files) - int(len(files) * child.SHARE)
        theirs = files[split:]
        done = child.shared(lambda out: marshal.dump([encoded for _, encoded in _check_each(theirs, plan, check)], out),
                            lambda: _check_each(files[:split], plan, check))
        if done is not None:
            mine, sent = done
            return mine + _checked_by_child(theirs, sent, plan, check, plan_name)
    return _check_each(files, plan, check)


def _check_each(files: list[str], plan: Plan, check: Check) -> list[tuple[Result, tuple | None]]:
    pairs = []
    share = _sharing()
    for file in files:
        result = check(file, plan)
        pairs.append((result, _encode(result, file, share)))
    return pairs


def _sharing() -> Callable[[str], str]:
    """A function that gives, for a string, the first equal one it was given: see _encode."""
    strings: dict[str, str] = {}
    return lambda text: strings.setdefault(text, text)


def _checked_by_child(files: list[str], sent: bytes | None, plan: Plan, check: Check,
                      plan_name: str | None = None) -> list[tuple[Result, tuple | None]]:
    """The pairs of `files` from the encodings a child `sent`, as the cache stores them: decoded here as
    a cached run decodes them, so they give what checking the files here would give. What the child
    did not send, or sent wrong, is checked here."""
    try:
        encodings = marshal.loads(sent) if sent is not None else None
    except Exception:  # not marshal
        encodings = None
    if type(encodings) is not list or len(encodings) != len(files):  # nothing, or not encodings
        return _check_each(files, plan, check)
    decode = _Decoder(plan_name).result
    theirs = []
    for file, encoded in zip(files, encodings):
        try:
            if encoded is None:
                raise ValueError("the child could not encode it")
            theirs.append((decode(encoded, file), encoded))
        except Exception:  # not an encoding (or one this file could not have): check it here
            theirs.extend(_check_each([file], plan, check))
    return theirs


# The base: a header (magic, CRC-32 and length of the index, the token, the length of the folder's
# path), the resolved folder's path (so that the cache of a folder that is gone, and the journal
# that is the base's, can be found without reading the index), then the index: marshal of (stamp,
# token, {file name: (signature, record)}). The journal: a
# sequence of records, each CRC-32, length, and marshal of (token, {file name: entry or None}).
_MAGIC = b"portcli\0"
_HEADER = len(_MAGIC) + 20


def _header(header: bytes) -> tuple[int, int, int, int] | None:
    """A base's header as (checksum, size of the index, token, size of the folder's path), or None."""
    if len(header) != _HEADER or header[:8] != _MAGIC:
        return None
    return (int.from_bytes(header[8:12], "little"), int.from_bytes(header[12:16], "little"),
            int.from_bytes(header[16:24], "little"), int.from_bytes(header[24:28], "little"))
TOUCH_NS = 3600 * 1_000_000_000  # a cache's mtime says when it was last used, to the hour


def _read(where: str, stamp: tuple) -> dict[str, tuple]:
    """The cache's entries, base and journal merged; empty when there is none for `stamp`."""
    return _read_cache(where, stamp).entries


def _open_regular(path: str):
    """`path` opened for reading when it is an ordinary file (not following a link, not blocking on
    a FIFO), with its stat; or None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    file = open(fd, "rb", buffering=0)
    try:
        info = os.fstat(fd)
    except OSError:
        info = None
    if info is None or not stat.S_ISREG(info.st_mode):
        file.close()
        return None
    return file, info


def _read_cache(where: str, stamp: tuple) -> _Found:
    return _found(_read_raw(where), stamp)


def _found(raw: tuple | None, stamp: tuple) -> _Found:
    """The cache as _read_raw gave it, if it is of `stamp`."""
    if raw is None or raw[0] != stamp:
        return _Found({})
    return _Found(*raw[1:])


def _read_raw(where: str) -> tuple | None:
    """(stamp, entries, token, base size, journal size) of the cache at `where`, base and journal
    merged, whatever its stamp; None when there is none that reads."""
    try:
        opened = _open_regular(where)
        if opened is None:
            return None
        file, info = opened
        with file:
            header = _header(file.read(_HEADER))
            if header is not None and header[1] + header[3] == info.st_size - _HEADER:
                checksum, size, token, folder = header
                file.seek(_HEADER + folder)
                index = file.read(size)
                if len(index) == size and zlib.crc32(index) == checksum:
                    data = marshal.loads(index)
                    if type(data) is tuple and len(data) == 3 and data[1] == token and type(data[2]) is dict:
                        if clock() - info.st_mtime_ns > TOUCH_NS:
                            with _suppressed():
                                os.utime(file.fileno())  # used now: the last to be removed
                        entries = data[2]
                        return data[0], entries, token, info.st_size, _apply_journal(where, token, entries)
    except Exception:  # unreadable, truncated, corrupt, of another version: start afresh
        pass
    return None


def _apply_journal(where: str, token: int, entries: dict[str, tuple]) -> int:
    """Apply the whole records of the base's journal to `entries`, in order, up to the first that is
    not whole; the journal's size (as good as infinite when part of it could not be applied)."""
    opened = _open_regular(_journal_of(where, token))
    if opened is None:
        return 0
    file, info = opened
    with file:
        if info.st_uid != os.getuid():
            return 0
        content = file.read()
    at = 0
    while at + 8 <= len(content):
        checksum, size = int.from_bytes(content[at:at + 4], "little"), int.from_bytes(content[at + 4:at + 8], "little")
        record = content[at + 8:at + 8 + size]
        if len(record) != size or zlib.crc32(record) != checksum:
            break  # a torn or damaged record, and what follows it: those files are read again
        try:
            data = marshal.loads(record)
        except Exception:
            break
        if type(data) is not tuple or len(data) != 2 or data[0] != token or type(data[1]) is not dict:
            break
        for name, entry in data[1].items():
            if entry is None:
                entries.pop(name, None)
            else:
                entries[name] = entry
        at += 8 + size
    # A journal with a bad record in it takes no more records (they would follow it unread): the
    # next change folds everything into a new base instead.
    return at if at == len(content) else 1 << 62


def _write(where: str, stamp: tuple, entries: dict[str, tuple], resolved: str = "") -> None:
    """Replace the cache's base as a whole, with a new token (so no journal applies to it yet); a
    cache that cannot be written is simply not kept."""
    token = int.from_bytes(os.urandom(8), "little")
    index = marshal.dumps((stamp, token, entries))
    folder = resolved.encode("utf-8", "surrogateescape")
    temporary = f"{where}.{os.getpid()}.{time.monotonic_ns()}.tmp"
    try:
        # O_EXCL: never through a link or over another's file; the rename then replaces whatever
        # name is in the way, never writing where it points.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        with open(fd, "wb") as out:
            out.write(_MAGIC + zlib.crc32(index).to_bytes(4, "little") + len(index).to_bytes(4, "little")
                      + token.to_bytes(8, "little") + len(folder).to_bytes(4, "little") + folder)
            out.write(index)
        os.replace(temporary, where)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return
    _bound(os.path.dirname(where), os.path.basename(where))


_bounded: set[str] = set()  # the cache folders bounded by this process already: once a run is enough


def max_bytes() -> int:
    try:
        return max(0, int(os.environ.get("PORTCLI_CACHE_MAX_MB", ""))) << 20
    except ValueError:
        return MAX_BYTES


MAX_BYTES = 1024 << 20


def _bound(root: str, keep: str) -> None:
    """Remove the caches of folders that are gone, journals and temporary files no base owns, then
    the least recently used caches until the rest hold at most max_bytes(); never the base named `keep`."""
    if root in _bounded:
        return
    _bounded.add(root)
    now = time.time_ns()
    try:
        names = os.listdir(root)
    except OSError:
        return
    bases: dict[str, tuple[int, int]] = {}  # base name: (mtime, bytes with its journal)
    journals: list[str] = []
    for name in names:
        path = os.path.join(root, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        if name.endswith(SUFFIX):
            if name != keep and _folder_gone(path):
                _remove(path)
            else:
                bases[name] = (info.st_mtime_ns, info.st_size)
        elif name.endswith(JOURNAL):
            journals.append(name)
        elif name.endswith(".tmp") and now - info.st_mtime_ns > TOUCH_NS:  # a writer killed long ago
            _remove(path)
    for name in journals:
        base = name[:-len(JOURNAL)].rpartition(".")[0]
        if base not in bases or not _owns(os.path.join(root, base), name):
            _remove(os.path.join(root, name))
        else:
            with _suppressed():
                mtime, size = bases[base]
                bases[base] = mtime, size + os.lstat(os.path.join(root, name)).st_size
    total = sum(size for _, size in bases.values())
    limit = max_bytes()
    for name in sorted(bases, key=lambda n: bases[n][0]):  # least recently used first
        if total <= limit:
            break
        if name == keep:
            continue
        total -= bases[name][1]
        _remove(os.path.join(root, name))
        for journal in journals:
            if journal.startswith(name + "."):
                _remove(os.path.join(root, journal))


def _base_header(path: str) -> tuple[int, str] | None:
    """A base's token and the folder it caches, from its header; None when it is no base."""
    opened = _open_regular(path)
    if opened is None:
        return None
    file, _ = opened
    with file:
        header = _header(file.read(_HEADER))
        if header is None:
            return None
        folder = file.read(header[3])
    return header[2], folder.decode("utf-8", "surrogateescape")


def _folder_gone(path: str) -> bool:
    """Whether the folder a base caches no longer exists (as its header names it); a file that is
    no base this portcli reads is worth nothing either."""
    try:
        found = _base_header(path)
    except (OSError, ValueError):
        return False
    return found is None or not found[1] or not os.path.isdir(found[1])


def _owns(base: str, journal: str) -> bool:
    """Whether `journal` is the journal of `base` as it is now (its token's)."""
    try:
        found = _base_header(base)
    except (OSError, ValueError):
        return False
    return found is not None and journal == f"{os.path.basename(base)}.{found[0]:016x}{JOURNAL}"


def _remove(path: str) -> None:
    with _suppressed():
        os.unlink(path)


def _day(d: date | None) -> int | None:
    return None if d is None else d.toordinal()


def _encode(result: Result, file: str, share: Callable[[str], str]) -> tuple | None:
    """A result as plain tuples, or None when it cannot be stored faithfully.

    Its strings go through `share` (_sharing): one object for equal strings. marshal writes a string
    met again as a reference to the first, so the statuses, reporters and notes that thousands of
    measures repeat are stored, read and held in memory once (at 10,000 measures the base is 38%
    smaller, and reads in 40% less time). `x and share(x)` for a string that may be None."""
    measure, problems = result
    if measure is not None:
        # `plan` is not stored: a cache belongs to one folder, and its measures are of that folder's
        # plan, which check_files is told and the decoder gives them.
        if measure.file != file or problems:
            return None
        d = measure.deadline
        return ((
            measure.id, measure.task, measure.national and share(measure.national),
            tuple([share(text) for text in measure.local]), tuple([share(unit) for unit in measure.units]),
            measure.units_note and share(measure.units_note),
            (share(d.phrase), share(d.kind), _day(d.due), d.authority and share(d.authority)),
            share(measure.status), _day(measure.due_override),
            tuple([(_day(p.date), share(p.status), p.by and share(p.by), p.note and share(p.note))
                   for p in measure.progress]),
            tuple([(_day(e.date), _day(e.to), share(e.reason), _day(e.from_), e.by and share(e.by))
                   for e in measure.extensions]),
            measure.line), ())
    if any(p.file != file for p in problems):  # a problem about another file: not this entry's to keep
        return None
    # A message may quote the folder as it was spelled (a link's folder, a command to run): the
    # entry is kept with that spelling and handed out only under it.
    return (None, tuple((p.line, p.code, p.message.encoded()) for p in problems), os.path.dirname(file))


class _Decoder:
    """Builds results from stored tuples as the model's own constructors do, so a cached measure is
    an ordinary one; equal dates and deadlines are shared between measures."""

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
        if record[0] is None:
            _, problems, spelled = record
            if spelled != os.path.dirname(file):
                raise ValueError("problems found under another spelling of the folder")
            return None, [Problem(file, line, code, Message.decoded(message)) for line, code, message in problems]
        stored, problems = record
        id_, task, national, local, units, units_note, deadline, status, due_override, progress, extensions, \
            line = stored
        day = self.day
        found = self.deadlines.get(deadline)
        if found is None:
            phrase, kind, due, authority = deadline
            found = self.deadlines[deadline] = Deadline(phrase, kind, day(due), authority)
        return Measure(id_, task, national, local, units, units_note, found, status, day(due_override),
                       tuple([Progress(day(when), state, by, note) for when, state, by, note in progress]),
                       tuple([Extension(day(when), day(to), reason, day(from_), by)
                              for when, to, reason, from_, by in extensions]),
                       file, line, self.plan_name), []
