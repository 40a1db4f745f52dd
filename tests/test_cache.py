"""The cache of checked files is never wrong: every change to the folder is seen on the next run.

Most tests move the cache's clock 10 s ahead ("the command runs 10 s after the files were
written"), so that the freshly copied files count as settled and are cached; the racy-edit tests
use the real clock, under which a file written a moment ago must not be trusted.
"""
from __future__ import annotations

import json
import marshal
import os
import random
import re
import subprocess
import sys
import time
import zlib
from datetime import date
from pathlib import Path

import pytest

from forks import no_child_left
from portcli import cache, child
from portcli import load as loading
from portcli.files import measure_names

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import generate  # noqa: E402  (benchmarks/generate.py)


@pytest.fixture
def later(monkeypatch):
    """The cache's clock, 10 s after now: files written by the test are old enough to be trusted."""
    monkeypatch.setattr(cache, "clock", lambda: time.time_ns() + 10_000_000_000)


@pytest.fixture
def reads(monkeypatch):
    """How many measure files the loader really reads (the real reader, counted)."""
    count = {"files": 0}
    real = loading.load_measure_file

    def counted(path, plan, plan_name=None):
        count["files"] += 1
        return real(path, plan, plan_name)

    monkeypatch.setattr(loading, "load_measure_file", counted)
    return count


def load(folder: Path, reads: dict | None = None) -> loading.Loaded:
    if reads is not None:
        reads["files"] = 0
    return loading.load(folder)


def uncached(folder: Path, monkeypatch) -> loading.Loaded:
    with monkeypatch.context() as m:
        m.setenv("PORTCLI_NO_CACHE", "1")
        return loading.load(folder)


def stored_entries(folder: Path) -> dict:
    """What the cache holds for `folder`'s measure files under the current plan and portcli."""
    plan = loading.load_plan(folder)[0]
    entries = cache._read(cache.cache_file(folder, cache.cache_dir()), cache._stamp(folder, plan))
    return {name: entry for name, entry in entries.items() if name != cache.PLAN_KEY}


def stored(where: Path) -> tuple[tuple, dict]:
    """A cache base's stamp and entries, its checks and token aside (its journal not applied)."""
    content = where.read_bytes()
    size, folder = int.from_bytes(content[12:16], "little"), int.from_bytes(content[24:28], "little")
    stamp, token, entries = marshal.loads(content[28 + folder:28 + folder + size])
    assert token == int.from_bytes(content[16:24], "little")
    return stamp, entries


def framed(index: object, token: int = 7, folder: bytes = b"") -> bytes:
    """A cache base holding `index`, with the right checksum (and `token` in its header)."""
    content = marshal.dumps(index)
    return (cache._MAGIC + zlib.crc32(content).to_bytes(4, "little") + len(content).to_bytes(4, "little")
            + token.to_bytes(8, "little") + len(folder).to_bytes(4, "little") + folder + content)


def measure(loaded: loading.Loaded, measure_id: int):
    return next((m for m in loaded.measures if m.id == measure_id), None)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- what is cached ------------------------------------------------------------------------

def test_unchanged_files_are_not_read_again(measures_dir, later, reads, monkeypatch):
    first = load(measures_dir, reads)
    assert reads["files"] == 25
    second = load(measures_dir, reads)
    assert reads["files"] == 0
    assert second.measures == first.measures == uncached(measures_dir, monkeypatch).measures
    assert not second.problems


def test_problems_are_cached_and_reported_on_every_run(measures_dir, later, run):
    replace_in(measures_dir / "05.yaml", "status: not_started", "status: finished")
    outcomes = [run("list", "--dir", measures_dir, "--format", "json") for _ in range(2)]
    for result in outcomes:
        assert result.exit_code == 2
        assert f"{measures_dir / '05.yaml'}:" in result.stderr and "unknown status 'finished'" in result.stderr
        assert len(json.loads(result.stdout)) == 24
    assert outcomes[0].stderr == outcomes[1].stderr
    assert stored_entries(measures_dir)["05.yaml"][1][0] is None  # kept as problems, not as a measure


def test_a_duplicate_id_is_reported_on_cached_runs_too(measures_dir, later, run):
    (measures_dir / "26.yaml").write_text((measures_dir / "02.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for _ in range(2):
        result = run("validate", "--dir", measures_dir)
        assert result.exit_code == 2
        assert "duplicate id 2" in result.stderr and "26.yaml" in result.stderr


# --- every change is seen ------------------------------------------------------------------

def test_an_edit_is_seen(measures_dir, later, reads):
    load(measures_dir, reads)
    replace_in(measures_dir / "02.yaml", "status: not_started", "status: done")
    loaded = load(measures_dir, reads)
    assert measure(loaded, 2).status == "done"
    assert reads["files"] == 1


def test_an_edit_of_the_same_size_that_puts_the_old_mtime_back_is_seen(measures_dir, later, reads):
    """`cp -p`, `touch -d`, tar: same size, same mtime, other bytes. ctime still moves."""
    path = measures_dir / "02.yaml"
    load(measures_dir, reads)
    before = os.stat(path)
    replace_in(path, "status: not_started", "status: in_progress")  # 11 bytes for 11 bytes
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert measure(load(measures_dir, reads), 2).status == "in_progress"


def test_files_written_just_before_a_run_are_not_trusted_by_the_next(measures_dir, reads):
    """The racy case: under the real clock the copied files are younger than RACY_NS, so they are
    not stored; an edit in the same tick (same size, same mtime) is therefore still seen."""
    path = measures_dir / "02.yaml"
    load(measures_dir, reads)
    assert "02.yaml" not in stored_entries(measures_dir)
    before = os.stat(path)
    replace_in(path, "status: not_started", "status: in_progress")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert measure(load(measures_dir, reads), 2).status == "in_progress"
    assert reads["files"] == 25  # every file is still young: all read again


def test_settled_files_are_stored(measures_dir, later):
    load(measures_dir)
    entries = stored_entries(measures_dir)
    assert sorted(entries) == sorted(measure_names(measures_dir))


def test_an_entry_is_trusted_only_when_mtime_and_ctime_are_old_enough(measures_dir, monkeypatch):
    path = measures_dir / "02.yaml"
    st = os.stat(path)
    newest = max(st.st_mtime_ns, st.st_ctime_ns)
    monkeypatch.setattr(cache, "clock", lambda: newest + cache.RACY_NS)  # exactly at the edge: not yet
    load(measures_dir)
    assert "02.yaml" not in stored_entries(measures_dir)
    monkeypatch.setattr(cache, "clock", lambda: newest + cache.RACY_NS + 1)
    load(measures_dir)
    assert "02.yaml" in stored_entries(measures_dir)


def test_a_rename_is_seen(measures_dir, later, reads):
    load(measures_dir, reads)
    (measures_dir / "02.yaml").rename(measures_dir / "99.yaml")
    loaded = load(measures_dir, reads)
    assert measure(loaded, 2).file == str(measures_dir / "99.yaml")
    assert reads["files"] == 1
    assert "02.yaml" not in stored_entries(measures_dir)


def test_a_deletion_is_seen(measures_dir, later, reads):
    load(measures_dir, reads)
    (measures_dir / "02.yaml").unlink()
    loaded = load(measures_dir, reads)
    assert measure(loaded, 2) is None and len(loaded.measures) == 24
    assert reads["files"] == 0
    assert "02.yaml" not in stored_entries(measures_dir)


def test_a_new_file_is_seen(measures_dir, later, reads):
    load(measures_dir, reads)
    text = (measures_dir / "02.yaml").read_text(encoding="utf-8").replace("id: 2\n", "id: 26\n")
    (measures_dir / "26.yaml").write_text(text, encoding="utf-8")
    loaded = load(measures_dir, reads)
    assert measure(loaded, 26).file == str(measures_dir / "26.yaml")
    assert reads["files"] == 1


def test_a_plan_change_checks_every_file_again(measures_dir, later, reads):
    """Deadlines are read in the plan's year and units checked against its registry."""
    assert measure(load(measures_dir, reads), 2).due.year == 2022
    replace_in(measures_dir / "_plan.yaml", "year: 2022", "year: 2023")
    loaded = load(measures_dir, reads)
    assert reads["files"] == 25
    assert measure(loaded, 2).due.year == 2023
    replace_in(measures_dir / "_plan.yaml", "  - name: 天津海关\n", "  - name: 天津关区\n")
    loaded = load(measures_dir, reads)
    assert any("unknown unit '天津海关'" in str(p.message) for p in loaded.problems)


def test_another_portcli_version_starts_afresh(measures_dir, later, reads, monkeypatch):
    load(measures_dir, reads)
    monkeypatch.setattr(cache, "__version__", "99.0")
    load(measures_dir, reads)
    assert reads["files"] == 25


def test_an_edit_to_portcli_itself_starts_afresh(measures_dir, later, reads, monkeypatch):
    """A developer's edit to the checks, without a new version number, must not meet old results."""
    load(measures_dir, reads)
    real = cache._signature
    monkeypatch.setattr(cache, "_signature",
                        lambda path: (1, 2, 3, 4) if str(path).endswith("check.py") else real(path))
    load(measures_dir, reads)
    assert reads["files"] == 25


# --- a cache that cannot be used ------------------------------------------------------------

@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "flipped bit", "other shape",
                                    "wrong entries"])
def test_a_damaged_cache_is_ignored_and_rebuilt(measures_dir, later, reads, monkeypatch, damage):
    good = load(measures_dir, reads)
    where = Path(cache.cache_file(measures_dir, cache.cache_dir()))
    data = where.read_bytes()
    stamp, entries = stored(where)
    where.write_bytes({
        "garbage": b"\x00\xffnot a cache" * 100,
        "truncated": data[: len(data) // 2],
        "empty": b"",
        "flipped bit": data[:100] + bytes([data[100] ^ 1]) + data[101:],  # in the index
        "other shape": framed([1, 2, 3]),
        "wrong entries": framed((stamp, 7, {"02.yaml": ((1, 2, 3, 4), "x"), "03.yaml": "y", "04.yaml": 4})),
    }[damage])
    loaded = load(measures_dir, reads)
    assert loaded.measures == good.measures == uncached(measures_dir, monkeypatch).measures
    assert not loaded.problems
    assert sorted(stored_entries(measures_dir)) == sorted(measure_names(measures_dir))


def test_an_entry_of_the_right_signature_but_a_wrong_shape_is_read_again(measures_dir, later, reads):
    load(measures_dir, reads)
    where = Path(cache.cache_file(measures_dir, cache.cache_dir()))
    stamp, entries = stored(where)
    entries["02.yaml"] = (entries["02.yaml"][0], ("not", "a", "record"))
    where.write_bytes(framed((stamp, 7, entries)))
    loaded = load(measures_dir, reads)
    assert reads["files"] == 1 and measure(loaded, 2) is not None


def test_an_unusable_cache_folder_changes_nothing(measures_dir, tmp_path, monkeypatch, run):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("PORTCLI_CACHE_DIR", str(blocker))
    result = run("list", "--dir", measures_dir, "--format", "json")
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 25
    assert blocker.read_text() == "a file where the cache folder should be"


def test_no_cache_turns_it_off(measures_dir, private_cache, monkeypatch, run):
    monkeypatch.setenv("PORTCLI_NO_CACHE", "1")
    assert run("list", "--dir", measures_dir).exit_code == 0
    assert list(private_cache.iterdir()) == []


def test_the_cache_lives_outside_the_measures_folder(measures_dir, private_cache, later, run):
    before = sorted(p.name for p in measures_dir.iterdir())
    run("list", "--dir", measures_dir)
    assert sorted(p.name for p in measures_dir.iterdir()) == before
    assert [p.suffix for p in private_cache.iterdir()] == [".cache"]


# --- two commands at once ------------------------------------------------------------------

def test_concurrent_commands_agree_and_leave_a_whole_cache(measures_dir, private_cache):
    """Eight commands at once, cold then warm, all write the cache; each sees a whole file."""
    for path in measures_dir.iterdir():  # let the files settle, so that every run stores them all
        os.utime(path)
    time.sleep(cache.RACY_NS / 1e9 + 0.2)
    env = {**os.environ, "PORTCLI_CACHE_DIR": str(private_cache)}
    argv = [sys.executable, "-m", "portcli", "list", "--format", "json", "--dir", str(measures_dir)]
    expected = subprocess.run(argv, env={**env, "PORTCLI_NO_CACHE": "1"}, capture_output=True, text=True).stdout
    for _ in range(2):
        runs = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(8)]
        for proc in runs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            assert out == expected
    files = list(private_cache.iterdir())
    assert [p.suffix for p in files] == [".cache"]  # no temporary file left behind
    plan = loading.load_plan(measures_dir)[0]
    assert len(cache._read(files[0], cache._stamp(measures_dir, plan))) == 25 + 1  # and the plan


# --- what comes out of the cache is what went in -------------------------------------------

def test_the_codec_covers_every_field_of_the_model():
    assert cache.CODEC_MATCHES_MODEL


def test_a_cached_measure_is_made_as_a_read_makes_it(tmp_path, later, monkeypatch, reads):
    """The decoder calls the constructors with positional arguments: the same items in the same
    order as a read of the file gives, each of the same type, nothing more."""
    folder = generate.generate(200, tmp_path / "m200", seed=9)
    fresh = uncached(folder, monkeypatch).measures
    loading.load(folder)
    cached = load(folder, reads).measures
    assert reads["files"] == 0
    assert sum(len(m.progress) for m in fresh) > 100
    for a, b in zip(cached, fresh, strict=True):
        assert [type(item) for item in a] == [type(item) for item in b] and tuple(a) == tuple(b)
        for x, y in zip(a.progress, b.progress, strict=True):
            assert type(x) is type(y) and [type(item) for item in x] == [type(item) for item in y]
            assert tuple(x) == tuple(y)
        assert a == b and hash(a.deadline) == hash(b.deadline) and a.due == b.due


def test_a_string_many_measures_repeat_is_stored_and_held_once(tmp_path, later, monkeypatch, reads):
    """Notes and statuses repeat from measure to measure: the cache stores each string once,
    and the measures it gives share it (at 100,000 measures, megabytes not held twice). A read of
    the files gives equal, separate strings; the measures are equal either way."""
    folder = generate.generate(200, tmp_path / "m200", seed=9)
    fresh = uncached(folder, monkeypatch).measures
    loading.load(folder)
    cached = load(folder, reads).measures
    assert reads["files"] == 0 and cached == fresh
    def by_text(measures):
        notes = {}
        for m in measures:
            for p in m.progress:
                notes.setdefault(p.note, []).append(p.note)
        return [same for same in notes.values() if len(same) > 1]

    repeated = by_text(cached)
    assert len(repeated) > 3 and all(note is same[0] for same in repeated for note in same)
    statuses = [m.status for m in cached if m.status == "in_progress"]
    assert len(statuses) > 1 and all(status is statuses[0] for status in statuses)
    assert any(note is not same[0] for same in by_text(fresh) for note in same)  # a read does not share them


def test_every_repeated_string_of_a_measure_comes_back_from_the_cache_as_one_object(tmp_path, later, monkeypatch, reads):
    """Three measures written alike, each string of them (national text, local item, unit, units note,
    deadline phrase and its authority, status, a progress entry's status, reporter and note, an
    extension's reason and approver) repeated in all three files: from the cache, each is one object
    held three times; from a read of the files, three objects (YAML makes a string per file). The
    third measure words its deadline otherwise, with the same authority: two phrases, one authority."""
    folder = tmp_path / "alike"
    folder.mkdir()
    (folder / "_plan.yaml").write_text((REPO / "measures" / "_plan.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for measure_id, phrase in ((1, "按照海关总署统一部署推动实施"), (2, "按照海关总署统一部署推动实施"), (3, "根据海关总署部署执行")):
        (folder / f"{measure_id:02d}.yaml").write_text(
            f"id: {measure_id}\ntask: 1\nnational: 国家措施同一条\nlocal: [本地细化措施同一条]\nunits: [天津海关, 市商务局]\n"
            f"units_note: 牵头单位会同各区\ndeadline: {phrase}\nstatus: in_progress\n"
            "progress:\n  - {date: 2022-04-10, status: in_progress, by: 天津海关, note: 已对接系统}\n"
            "extensions:\n  - {date: 2022-05-25, to: 2022-06-30, by: 市商务局, reason: 等待机场系统升级}\n",
            encoding="utf-8")

    def strings(m):
        d, p, e = m.deadline, m.progress[0], m.extensions[0]
        return {"national": m.national, "local": m.local[0], "units": m.units[0], "units_note": m.units_note,
                "phrase": d.phrase, "authority": d.authority, "status": m.status, "progress status": p.status,
                "by": p.by, "note": p.note, "reason": e.reason, "approver": e.by}

    fresh = uncached(folder, monkeypatch).measures
    loading.load(folder)
    cached = load(folder, reads).measures
    assert reads["files"] == 0 and cached == fresh and len(cached) == 3
    assert strings(cached[0]) == {"national": "国家措施同一条", "local": "本地细化措施同一条", "units": "天津海关",
                                  "units_note": "牵头单位会同各区", "phrase": "按照海关总署统一部署推动实施",
                                  "authority": "海关总署", "status": "in_progress", "progress status": "in_progress",
                                  "by": "天津海关", "note": "已对接系统", "reason": "等待机场系统升级",
                                  "approver": "市商务局"}
    shared = {key: len({id(strings(m)[key]) for m in cached}) for key in strings(cached[0])}
    assert shared == {**dict.fromkeys(strings(cached[0]), 1), "phrase": 2}
    assert (cached[2].deadline.phrase, cached[2].deadline.authority) == ("根据海关总署部署执行", "海关总署")
    # the status and the progress entry's status, equal strings of one measure, are one object too
    assert cached[0].status is cached[0].progress[0].status
    # (a read parses a phrase once and hands every measure of it the same Deadline: one authority per phrase)
    separate = {key: len({id(strings(m)[key]) for m in fresh}) for key in ("national", "local", "units_note", "note",
                                                                         "reason", "authority")}
    assert separate == {**dict.fromkeys(separate, 3), "authority": 2}


def test_measures_come_back_from_the_cache_equal(tmp_path, later, monkeypatch):
    folder = generate.generate(300, tmp_path / "m300", seed=3)
    fresh = loading.load(folder)
    cached = loading.load(folder)
    assert cached.measures == fresh.measures == uncached(folder, monkeypatch).measures
    assert any(m.extensions for m in cached.measures) and any(m.progress for m in cached.measures)
    assert any(m.due_override for m in cached.measures)


def test_a_cached_measure_pickles_and_copies_as_a_fresh_one(measures_dir, later, monkeypatch, reads):
    import copy
    import pickle

    loading.load(measures_dir)
    cached = load(measures_dir, reads).measures
    assert reads["files"] == 0  # really from the cache
    for m in cached:
        for twin in (pickle.loads(pickle.dumps(m)), copy.deepcopy(m), copy.copy(m)):
            assert twin == m and tuple(twin) == tuple(m) and type(twin) is type(m)
        assert len(pickle.dumps(m)) < 4000  # the measure, not the cache behind it
    assert cached == uncached(measures_dir, monkeypatch).measures


def test_a_fifo_in_the_caches_place_does_not_hang_a_run(measures_dir, later, run):
    where = Path(cache.cache_file(measures_dir, cache.cache_dir()))
    where.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(where)
    result = run("list", "--format", "json", "--dir", measures_dir)
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 25


# --- many files to read: a forked child reads part of them -----------------------------------

@pytest.fixture
def parallel(monkeypatch):
    """The forked child's part, from 2 files to read on, on any machine."""
    monkeypatch.setattr(cache, "PARALLEL_FROM", 2)
    monkeypatch.setattr(child, "cpus", lambda: 2)


def broken_folder(tmp_path: Path) -> Path:
    """300 generated measures, some of them broken in different ways."""
    folder = generate.generate(300, tmp_path / "m300", seed=11)
    replace_in(folder / "007.yaml", "status: ", "status: finished_maybe\nstatus_: ")
    (folder / "150.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    (folder / "299.yaml").write_bytes("id: 299\nnational: 天津".encode("gbk"))
    (folder / "301.yml").write_text("id: 301\n", encoding="utf-8")
    return folder


def test_files_read_by_a_child_load_as_a_read_in_one_process(tmp_path, later, monkeypatch, parallel):
    folder = broken_folder(tmp_path)
    expected = uncached(folder, monkeypatch)
    assert len(expected.problems) >= 4 and len(expected.measures) == 297
    first = loading.load(folder)  # read by this process and a child, the cache written
    assert no_child_left()
    assert first.measures == expected.measures and first.problems == expected.problems
    second = loading.load(folder)  # from the cache
    assert second.measures == expected.measures and second.problems == expected.problems


@pytest.mark.parametrize("sends", ["nothing", "garbage"])
def test_a_failing_child_changes_nothing_but_the_time(tmp_path, later, monkeypatch, parallel, sends):
    folder = broken_folder(tmp_path)
    expected = uncached(folder, monkeypatch)
    real_dump = marshal.dump

    def child_dump(value, file):  # only the child sends with marshal.dump
        if sends == "nothing":
            raise OSError("the child cannot send")
        real_dump([("not", "an", "encoding")] * len(value), file)

    monkeypatch.setattr(marshal, "dump", child_dump)
    loaded = loading.load(folder)
    assert no_child_left()
    assert loaded.measures == expected.measures and loaded.problems == expected.problems


def test_no_child_is_forked_beside_another_thread(tmp_path, later, monkeypatch, parallel):
    import threading

    forks = []
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or (_ for _ in ()).throw(OSError("counted")))
    folder = generate.generate(20, tmp_path / "m20", seed=2)
    loading.load(folder)
    assert forks == [1]  # one process, one thread: a child is tried (and, failing, its files read here)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        for path in sorted(folder.glob("[0-9]*.yaml"))[:2]:  # two files to read again
            path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        loading.load(folder)
    finally:
        release.set()
        other.join()
    assert forks == [1]


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc")
def test_a_fork_that_fails_leaves_no_descriptor_open(tmp_path, later, monkeypatch, parallel):
    folder = broken_folder(tmp_path)
    expected = uncached(folder, monkeypatch)

    def no_more_processes():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_more_processes)
    before = open_descriptors()
    loaded = loading.load(folder)
    assert loaded.measures == expected.measures and loaded.problems == expected.problems
    del loaded
    assert open_descriptors() == before


def test_with_sigchld_ignored_the_childs_work_is_still_taken(tmp_path, later, monkeypatch, parallel, reads):
    """A parent may start portcli with SIGCHLD ignored: the child is then reaped at once and
    waitpid finds nothing; what it sent is still used, and no pid is signalled."""
    import signal

    folder = broken_folder(tmp_path)
    expected = uncached(folder, monkeypatch)
    reads["files"] = 0
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        loaded = loading.load(folder)
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert loaded.measures == expected.measures and loaded.problems == expected.problems
    assert 0 < reads["files"] < 250  # this process read its share; the child's was taken


def test_json_from_a_childs_files_is_that_of_a_fresh_read(tmp_path, later, run, parallel):
    folder = broken_folder(tmp_path)
    argv = ["list", "--format", "json", "--dir", folder]
    expected = run(*argv, env={"PORTCLI_NO_CACHE": "1"})
    for _ in range(2):  # read with a child, then from the cache
        result = run(*argv)
        assert (result.stdout, result.stderr, result.exit_code) == (expected.stdout, expected.stderr, 2)


@pytest.mark.parametrize("command", [["list"], ["overdue"], ["list", "--unit", "天津海关"]])
def test_json_lines_from_the_cache_are_those_of_a_fresh_read(tmp_path, later, monkeypatch, run, reads, command):
    """A cached measure's JSON line starts with text the cache kept: it must be byte for byte what
    encoding the measure gives, escapes of control and bidi characters included."""
    folder = generate.generate(300, tmp_path / "m300", seed=5)
    for path in folder.glob("*.yaml"):
        if path.name != "_plan.yaml":
            replace_in(path, "local:\n", 'local:\n  - "引号\\"反斜杠\\\\ \\N \\u202e \\L é"\n')
    argv = [*command, "--format", "json", "--as-of", "2022-06-15", "--dir", folder]
    expected = run(*argv, env={"PORTCLI_NO_CACHE": "1"}).stdout
    assert "\\u202e" in expected and "\\u0085" in expected and '\\"反斜杠\\\\' in expected
    assert run(*argv).stdout == expected  # the cache written ...
    reads["files"] = 0
    assert run(*argv).stdout == expected  # ... and read
    assert reads["files"] == 0


@pytest.mark.parametrize("spelling", ["relative", "absolute", "dot"])
def test_file_names_are_spelled_as_the_folder_was_given(measures_dir, later, monkeypatch, run, reads, spelling):
    """... and the second run takes every file from the cache, whatever the spelling (`--dir .` too)."""
    monkeypatch.chdir(measures_dir.parent if spelling != "dot" else measures_dir)
    folder = {"relative": "measures", "absolute": str(measures_dir), "dot": "."}[spelling]
    names = measure_names(Path(folder))
    for read in (len(names), 0):  # cold, then from the cache
        reads["files"] = 0
        files = [m["file"] for m in json.loads(run("list", "--dir", folder, "--format", "json").stdout)]
        assert files == [str(Path(folder) / name) for name in names]
        assert reads["files"] == read == (25 if read else 0)


def test_a_random_sequence_of_changes_always_loads_as_a_fresh_read(measures_dir, later, monkeypatch):
    """Edits, renames, deletions and new files in a random order, checked after each against no cache."""
    rng = random.Random(7)
    for step in range(30):
        files = sorted(p for p in measures_dir.glob("*.yaml") if not p.name.startswith("_"))
        target = rng.choice(files)
        action = rng.choice(["edit", "same-size edit", "rename", "delete", "new", "break"])
        if action == "edit":
            target.write_text(target.read_text(encoding="utf-8").replace("status: not_started", "status: done"),
                              encoding="utf-8")
        elif action == "same-size edit":
            st = os.stat(target)
            target.write_text(target.read_text(encoding="utf-8").replace("not_started", "in_progress"),
                              encoding="utf-8")
            os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
        elif action == "rename":
            target.rename(measures_dir / f"r{step}.yaml")
        elif action == "delete":
            target.unlink()
        elif action == "new":
            text = re.sub(r"^id: \d+", f"id: {100 + step}", target.read_text(encoding="utf-8"), flags=re.M)
            (measures_dir / f"n{step}.yaml").write_text(text, encoding="utf-8")
        else:
            target.write_text("id: [\n", encoding="utf-8")
        got = loading.load(measures_dir)
        want = uncached(measures_dir, monkeypatch)
        assert got.measures == want.measures, action
        assert got.problems == want.problems, action


# --- one cache per folder, however it is spelled ---------------------------------------------

def cache_files(root: Path, suffix: str = ".cache") -> list[Path]:
    return sorted(p for p in root.iterdir() if p.name.endswith(suffix))


def test_every_spelling_of_a_folder_shares_one_cache(measures_dir, private_cache, later, monkeypatch, run, reads):
    """Relative, absolute, with `./` and `..`, and through a link: one base file in the cache folder,
    naming the folder as resolved, and the second spelling reads no file."""
    link = measures_dir.parent / "link-to-measures"
    link.symlink_to(measures_dir, target_is_directory=True)
    monkeypatch.chdir(measures_dir.parent)
    spellings = ["measures", str(measures_dir), "./measures/", f"../{measures_dir.parent.name}/measures", link.name]
    expected_files = None
    for number, folder in enumerate(spellings):
        reads["files"] = 0
        result = run("list", "--dir", folder, "--format", "json")
        assert result.exit_code == 0
        assert reads["files"] == (25 if number == 0 else 0), folder
        # each spelling still prints its own file names
        assert [m["file"] for m in json.loads(result.stdout)] == \
            [str(Path(folder) / name) for name in measure_names(measures_dir)]
        bases = cache_files(private_cache)
        assert len(bases) == 1, (folder, bases)
        expected_files = expected_files or sorted(p.name for p in private_cache.iterdir())
        assert sorted(p.name for p in private_cache.iterdir()) == expected_files  # no second cache, no journal
    content = bases[0].read_bytes()
    folder_size = int.from_bytes(content[24:28], "little")
    assert content[28:28 + folder_size].decode() == os.path.realpath(measures_dir)


def test_a_problem_that_quotes_the_folder_is_told_as_each_spelling_says_it(measures_dir, later, monkeypatch, run):
    """A GBK file's problem quotes a command with the file's path as spelled: the cached problem of one
    spelling is not handed out under another."""
    (measures_dir / "26.yaml").write_bytes("id: 26\nnational: 天津口岸\n".encode("gbk"))
    monkeypatch.chdir(measures_dir.parent)
    for folder in ["measures", "./measures", str(measures_dir), "measures"]:
        cached = run("validate", "--dir", folder)
        fresh = run("validate", "--dir", folder, env={"PORTCLI_NO_CACHE": "1"})
        assert (cached.exit_code, cached.stderr) == (fresh.exit_code, fresh.stderr) == \
            (2, cached.stderr)
        assert f"iconv -f GBK -t UTF-8 {Path(folder) / '26.yaml'} > {Path(folder) / '26.yaml'}.tmp" in cached.stderr


# --- a write costs the cache one record, not the folder --------------------------------------

def journal_of(root: Path) -> list[Path]:
    return cache_files(root, cache.JOURNAL)


def test_a_write_appends_a_record_and_leaves_the_base_alone(measures_dir, private_cache, monkeypatch, run, reads):
    clock = {"ahead": 10_000_000_000}
    monkeypatch.setattr(cache, "clock", lambda: time.time_ns() + clock["ahead"])
    assert run("list", "--dir", measures_dir).exit_code == 0
    [base] = cache_files(private_cache)
    before = (base.read_bytes(), os.stat(base).st_ino)
    sizes = []
    for number, measure_id in enumerate([2, 13, 2, 25, 7]):
        result = run("update", str(measure_id), "--note", f"第{number}次", "--date", "2022-06-01",
                     "--dir", measures_dir)
        assert result.exit_code == 0, result.stderr
        clock["ahead"] += cache.RACY_NS + 1_000_000_000  # the next command comes a few seconds later
        reads["files"] = 0
        loaded = loading.load(measures_dir)
        assert reads["files"] == 1  # the written file, settled now, is read and stored ...
        reads["files"] = 0
        assert loading.load(measures_dir).measures == loaded.measures
        assert reads["files"] == 0  # ... and taken from the journal
        assert loaded.measures == uncached(measures_dir, monkeypatch).measures
        assert f"第{number}次" in [p.note for p in measure(loaded, measure_id).progress]
        [journal] = journal_of(private_cache)
        sizes.append(journal.stat().st_size)
    # measure 2 was updated twice, a cached read between: both entries, in the order written (same date)
    assert [p.note for p in measure(loading.load(measures_dir), 2).progress] == ["第0次", "第2次"]
    assert (base.read_bytes(), os.stat(base).st_ino) == before  # never rewritten
    steps = [b - a for a, b in zip([0, *sizes], sizes)]
    assert all(0 < step < 2000 for step in steps), steps  # one file's entry a write, whatever the folder's size


def test_a_torn_or_foreign_journal_costs_only_reads(measures_dir, private_cache, later, monkeypatch, reads):
    loading.load(measures_dir)
    [base] = cache_files(private_cache)
    replace_in(measures_dir / "02.yaml", "status: not_started", "status: done")
    replace_in(measures_dir / "03.yaml", "status: not_started", "status: blocked")
    loading.load(measures_dir)  # two records? one: both files settle in the same run
    [journal] = journal_of(private_cache)
    good, base_bytes = journal.read_bytes(), base.read_bytes()
    stamp, entries = stored(base)
    forged = marshal.dumps((12345, {"04.yaml": (entries["04.yaml"][0], ("not", "a", "record"))}))
    for damage, bytes_, reread in [
        ("torn", good[:-5], 2),
        ("flipped", good[:20] + bytes([good[20] ^ 1]) + good[21:], 2),
        ("another base's", good + zlib.crc32(forged).to_bytes(4, "little") + len(forged).to_bytes(4, "little")
         + forged, 0),
    ]:
        base.write_bytes(base_bytes)
        journal.write_bytes(bytes_)
        reads["files"] = 0
        loaded = loading.load(measures_dir)
        assert reads["files"] == reread, damage
        if reread:  # a journal with a bad record takes no more: the files read again went into a new base
            assert journal_of(private_cache) == [] and base.read_bytes() != base_bytes
            reads["files"] = 0
            assert loading.load(measures_dir).measures == loaded.measures and reads["files"] == 0
        assert loaded.measures == uncached(measures_dir, monkeypatch).measures, damage
        assert measure(loaded, 2).status == "done" and measure(loaded, 3).status == "blocked"


def test_a_long_journal_is_folded_into_a_new_base(measures_dir, private_cache, later, monkeypatch, reads):
    monkeypatch.setattr(cache, "JOURNAL_AT_LEAST", 0)
    monkeypatch.setattr(cache, "JOURNAL_SHARE", 10)  # a tenth of the base: a few records
    loading.load(measures_dir)
    [base] = cache_files(private_cache)
    first_token = int.from_bytes(base.read_bytes()[16:24], "little")
    for number in range(40):
        path = measures_dir / f"{number % 25 + 1:02d}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + f"# {number}\n", encoding="utf-8")
        loaded = loading.load(measures_dir)
        assert loaded.measures == uncached(measures_dir, monkeypatch).measures
    token = int.from_bytes(base.read_bytes()[16:24], "little")
    assert token != first_token
    # the journal there is the new base's, and smaller than a tenth of it; the old one is gone
    assert all(j.name.startswith(f"{base.name}.{token:016x}") for j in journal_of(private_cache))
    assert sum(j.stat().st_size for j in journal_of(private_cache)) <= base.stat().st_size // 10
    reads["files"] = 0
    again = loading.load(measures_dir)
    assert reads["files"] == 0
    assert again.measures == uncached(measures_dir, monkeypatch).measures


# --- the cache folder is bounded ------------------------------------------------------------

def test_the_cache_of_a_folder_that_is_gone_is_removed(tmp_path, private_cache, later, monkeypatch):
    monkeypatch.setattr(cache, "_bounded", set())
    folders = [generate.generate(5, tmp_path / f"m{k}", seed=k) for k in range(3)]
    for folder in folders:
        loading.load(folder)
    assert len(cache_files(private_cache)) == 3
    gone = Path(cache.cache_file(folders[1], private_cache))
    shutil_rmtree(folders[1])
    (private_cache / "leftover.cache.00000000000000aa.journal").write_bytes(b"x")  # a journal no base owns
    monkeypatch.setattr(cache, "_bounded", set())  # a new run
    new = generate.generate(5, tmp_path / "m3", seed=3)
    loading.load(new)
    assert gone not in cache_files(private_cache)
    assert cache_files(private_cache) == sorted(Path(cache.cache_file(f, private_cache)) for f in [folders[0], folders[2], new])
    assert journal_of(private_cache) == []


def shutil_rmtree(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder)


def test_the_least_recently_used_caches_go_first_beyond_the_bound(tmp_path, private_cache, later, monkeypatch):
    monkeypatch.setattr(cache, "_bounded", set())
    folders = [generate.generate(40, tmp_path / f"m{k}", seed=k) for k in range(4)]
    for folder in folders:
        loading.load(folder)
    bases = {folder: Path(cache.cache_file(folder, private_cache)) for folder in folders}
    size = max(p.stat().st_size for p in bases.values())
    hour = 3600 * 10**9
    now = time.time_ns()
    # used (read) long ago: m2 the longest, then m0, m3, m1
    for folder, age in zip(folders, [5, 2, 9, 3]):
        os.utime(bases[folder], ns=(now - age * hour, now - age * hour))
    loading.load(folders[0])  # a read moves its cache's time on: m0 is now the most recently used
    assert bases[folders[0]].stat().st_mtime_ns > now - hour
    monkeypatch.setattr(cache, "_bounded", set())
    # Room for three caches of this size: the new folder's, m0 (just used) and m1, the next least old.
    monkeypatch.setattr(cache, "max_bytes", lambda: 3 * size + size // 2)
    new = generate.generate(40, tmp_path / "m4", seed=4)
    loading.load(new)
    assert cache_files(private_cache) == sorted([bases[folders[0]], bases[folders[1]],
                                                 Path(cache.cache_file(new, private_cache))])
    for folder in folders:  # whatever was removed, every folder still reads as it is
        assert loading.load(folder).measures == uncached(folder, monkeypatch).measures


def test_the_bound_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORTCLI_CACHE_MAX_MB", "3")
    assert cache.max_bytes() == 3 << 20
    monkeypatch.setenv("PORTCLI_CACHE_MAX_MB", "lots")
    assert cache.max_bytes() == cache.MAX_BYTES == 1024 << 20
    monkeypatch.delenv("PORTCLI_CACHE_MAX_MB")
    assert cache.max_bytes() == cache.MAX_BYTES


# --- the plan is cached with its folder's files ----------------------------------------------

@pytest.fixture
def plan_reads(monkeypatch):
    """How many times a _plan.yaml is really read and checked."""
    count = {"plans": 0}
    real = loading.load_plan

    def counted(folder):
        count["plans"] += 1
        return real(folder)

    monkeypatch.setattr(loading, "load_plan", counted)
    return count


def test_an_unchanged_plan_comes_from_the_cache_equal(measures_dir, later, monkeypatch, plan_reads):
    (measures_dir / "_plan.yaml").write_text((measures_dir / "_plan.yaml").read_text(encoding="utf-8")
                                             + "start: 2022-03-01\nlights: {yellow_days: 9}\n", encoding="utf-8")
    first = loading.load(measures_dir)
    assert plan_reads["plans"] == 1
    second = loading.load(measures_dir)
    assert plan_reads["plans"] == 1  # not read again
    fresh = uncached(measures_dir, monkeypatch)
    assert second.plan == first.plan == fresh.plan
    assert (second.plan.start, second.plan.yellow_days) == (date(2022, 3, 1), 9)
    assert second.plan.unit("Tianjin Customs") == fresh.plan.unit("Tianjin Customs") is not None
    assert list(second.plan.tasks.items()) == list(fresh.plan.tasks.items())
    assert second.measures == fresh.measures


def test_a_plan_edit_of_the_same_size_with_the_old_mtime_is_seen(measures_dir, later, plan_reads):
    path = measures_dir / "_plan.yaml"
    loading.load(measures_dir)
    loading.load(measures_dir)
    before = os.stat(path)
    replace_in(path, "year: 2022", "year: 2023")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    loaded = loading.load(measures_dir)
    assert plan_reads["plans"] == 2 and loaded.plan.year == 2023 and measure(loaded, 2).due.year == 2023


def test_a_plan_written_just_before_a_run_is_read_again(measures_dir, monkeypatch, plan_reads):
    """The racy rule holds for the plan too: under the real clock the fresh copy is not stored."""
    loading.load(measures_dir)
    loading.load(measures_dir)
    assert plan_reads["plans"] == 2


def test_a_plan_that_is_a_link_is_read_every_run(measures_dir, later, plan_reads):
    real = measures_dir / "plan-itself.txt"
    (measures_dir / "_plan.yaml").rename(real)
    (measures_dir / "_plan.yaml").symlink_to(real.name)
    for runs in (1, 2, 3):
        assert loading.load(measures_dir).plan is not None
        assert plan_reads["plans"] == runs


def test_a_plan_with_problems_is_never_cached(measures_dir, later, plan_reads):
    replace_in(measures_dir / "_plan.yaml", "year: 2022", "year: twenty")
    for runs in (1, 2):
        loaded = loading.load(measures_dir)
        assert loaded.plan is None and plan_reads["plans"] == runs
        assert any(p.code == "bad-year" for p in loaded.problems)


def test_a_load_that_takes_every_file_from_the_cache_imports_no_reader(tmp_path, later, monkeypatch):
    """yamlread, fastyaml, check and deadline are imported by what reads a file: the first load of a
    folder imports them, a load that takes the plan and every measure from the cache does not (they
    were ~3 ms of a cached query's start). Each is removed from sys.modules before a load, and put back
    after the test."""
    import portcli

    readers = ("portcli.yamlread", "portcli.fastyaml", "portcli.check", "portcli.deadline")

    def forget() -> None:
        for name in readers:
            monkeypatch.delitem(sys.modules, name, raising=False)
            short = name.partition(".")[2]
            if hasattr(portcli, short):
                monkeypatch.setattr(portcli, short, getattr(portcli, short))  # put back as it was

    folder = generate.generate(30, tmp_path / "m30", seed=5)
    forget()
    first = loading.load_tree(folder)
    assert {"portcli.yamlread", "portcli.check", "portcli.deadline"} <= set(sys.modules)  # and a YAML reader
    forget()
    assert loading.load_tree(folder) == first
    assert [name for name in readers if name in sys.modules] == []


# --- what the plan's look at the cache hands on to the files' -----------------------------------

def test_measures_from_the_cache_carry_their_plan_folders_name(measures_dir, later, reads):
    """In a folder of several plans a measure is PLAN:ID, by its plan folder's name: whether read,
    or taken from the cache on the next run."""
    for read in (25, 0):
        reads["files"] = 0
        loaded = loading.load(measures_dir, plan_name="港口计划")
        assert reads["files"] == read and len(loaded.measures) == 25
        assert {m.plan for m in loaded.measures} == {"港口计划"}


def test_measures_a_child_read_carry_their_plan_folders_name(tmp_path, later, parallel, reads):
    folder = generate.generate(30, tmp_path / "m30", seed=5)
    loaded = loading.load(folder, plan_name="港口计划")  # read in part by a forked child
    assert no_child_left()
    assert reads["files"] < 30 and len(loaded.measures) == 30  # the child read the rest
    assert {m.plan for m in loaded.measures} == {"港口计划"}


def test_a_load_from_the_cache_reads_it_once_and_works_its_stamp_out_once(measures_dir, later, monkeypatch, reads):
    """The plan's look at the cache hands the files' what it read and the stamp it checked: one read
    of the cache file and one stamp a load (commit bd2b009: ~0.2 ms a plan folder)."""
    calls = {"_read_raw": 0, "_stamp": 0}

    def counted(name):
        real = getattr(cache, name)

        def count(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        monkeypatch.setattr(cache, name, count)

    loading.load(measures_dir)  # the cache written
    counted("_read_raw"), counted("_stamp")
    for _ in range(2):
        calls.update(_read_raw=0, _stamp=0)
        assert len(load(measures_dir, reads).measures) == 25 and reads["files"] == 0
        assert calls == {"_read_raw": 1, "_stamp": 1}


def test_a_plan_touched_but_unchanged_is_stored_again(measures_dir, later, plan_reads):
    """A plan saved again with the same text keeps its files' entries (the same plan, the same stamp)
    and is stored under its new signature: read on the run after the touch, not on the next."""
    loading.load(measures_dir)
    loading.load(measures_dir)
    assert plan_reads["plans"] == 1
    path = measures_dir / "_plan.yaml"
    path.write_bytes(path.read_bytes())  # a new ctime (and mtime), the same text
    for reads_so_far in (2, 2):
        loading.load(measures_dir)
        assert plan_reads["plans"] == reads_so_far


def test_the_racy_window_is_counted_from_the_start_of_the_load(measures_dir, monkeypatch, plan_reads, reads):
    """A load that starts while the files are a moment old stores none of them, however long it
    then takes: here each reading of the clock is 10 s after the one before, so the plan's look at
    the cache starts at once (the files under RACY_NS old) and anything after it is 10 s later."""
    start = time.time_ns()
    ticks = iter(range(start, start + 1000 * 10_000_000_000, 10_000_000_000))
    monkeypatch.setattr(cache, "clock", lambda: next(ticks))
    load(measures_dir, reads)
    assert (plan_reads["plans"], reads["files"]) == (1, 25)
    monkeypatch.setattr(cache, "clock", time.time_ns)
    load(measures_dir, reads)  # nothing was stored: all read again
    assert (plan_reads["plans"], reads["files"]) == (2, 25)


@pytest.mark.parametrize("newest", ["ctime", "mtime ahead of ctime"])
def test_the_plan_is_trusted_only_when_mtime_and_ctime_are_old_enough(measures_dir, monkeypatch, plan_reads, newest):
    """As a measure file (above): at RACY_NS after the newer of its mtime and ctime the plan is not
    stored yet, a nanosecond later it is. An mtime can be ahead of the ctime (set by hand, or by an
    archive from a clock ahead of this one)."""
    path = measures_dir / "_plan.yaml"
    if newest != "ctime":
        os.utime(path, ns=(os.stat(path).st_atime_ns, time.time_ns() + 60_000_000_000))
    st = os.stat(path)
    latest = max(st.st_mtime_ns, st.st_ctime_ns)
    assert (latest == st.st_mtime_ns > st.st_ctime_ns) == (newest != "ctime")
    monkeypatch.setattr(cache, "clock", lambda: latest + cache.RACY_NS)  # exactly at the edge: not yet
    loading.load(measures_dir)
    loading.load(measures_dir)
    assert plan_reads["plans"] == 2
    monkeypatch.setattr(cache, "clock", lambda: latest + cache.RACY_NS + 1)
    loading.load(measures_dir)  # read, and stored
    loading.load(measures_dir)
    assert plan_reads["plans"] == 3


def test_a_file_with_its_mtime_ahead_of_its_ctime_is_trusted_only_after_its_mtime(measures_dir, monkeypatch):
    path = measures_dir / "02.yaml"
    os.utime(path, ns=(os.stat(path).st_atime_ns, time.time_ns() + 60_000_000_000))
    st = os.stat(path)
    assert st.st_mtime_ns > st.st_ctime_ns
    monkeypatch.setattr(cache, "clock", lambda: st.st_mtime_ns + cache.RACY_NS)  # exactly at the edge: not yet
    load(measures_dir)
    assert "02.yaml" not in stored_entries(measures_dir)
    monkeypatch.setattr(cache, "clock", lambda: st.st_mtime_ns + cache.RACY_NS + 1)
    load(measures_dir)
    assert "02.yaml" in stored_entries(measures_dir)


def test_a_cache_folder_others_came_to_be_able_to_write_is_no_longer_read(measures_dir, private_cache, later,
                                                                          plan_reads, reads):
    """A cache written in a private folder that others can then write (made group- or world-writable)
    is not read: anyone could have put a plan or measures there. Neither the plan nor a file comes from it."""
    loading.load(measures_dir)
    assert len(load(measures_dir, reads).measures) == 25 and (plan_reads["plans"], reads["files"]) == (1, 0)
    for mode in (0o770, 0o707):
        private_cache.chmod(mode)
        assert len(load(measures_dir, reads).measures) == 25
        assert reads["files"] == 25
    assert plan_reads["plans"] == 3
    private_cache.chmod(0o700)
    load(measures_dir, reads)
    assert (plan_reads["plans"], reads["files"]) == (3, 0)  # the cache itself was left as it was
