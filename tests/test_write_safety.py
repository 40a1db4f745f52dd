"""No lost writes: concurrent writers, killed writers and failing disks leave whole, valid files.

The concurrency and kill tests run the real CLI as separate processes (`python -m portcli`), since
the lock and the rename only mean something between processes.
"""
from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from folder_state import snapshot, temp_files
from portcli import cli
from portcli import write

PORTCLI = [sys.executable, "-m", "portcli"]
UPDATE_14 = ("update", "14", "--date", "2022-05-20")


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k != "PORTCLI_DIR"}
    return {**base, "COLUMNS": "200", **extra}


def notes(run, folder: Path, measure_id: int = 14) -> list[str]:
    result = run("show", measure_id, "--dir", folder, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return [p["note"] for p in json.loads(result.stdout)["progress"]]


def test_twenty_concurrent_updates_leave_twenty_entries_and_a_valid_file(run, measures_dir):
    procs = [subprocess.Popen([*PORTCLI, *UPDATE_14, "--note", f"writer {i}", "--dir", str(measures_dir)],
                              env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(20)]
    outcomes = [(p.wait(timeout=120), p.stderr.read().decode()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert outcomes == [(0, "")] * 20
    assert sorted(notes(run, measures_dir)) == sorted(f"writer {i}" for i in range(20))
    assert run("validate", "--dir", measures_dir).exit_code == 0
    assert temp_files(measures_dir) == []


def test_concurrent_new_measures_get_distinct_ids(run, measures_dir):
    args = ["new", "--task", "1", "--unit", "海关", "--deadline", "年底前", "--dir", str(measures_dir)]
    procs = [subprocess.Popen([*PORTCLI, *args, "--national", f"措施 {i}"], env=env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) for i in range(6)]
    assert [(p.wait(timeout=120), p.stderr.read()) for p in procs] == [(0, b"")] * 6
    for p in procs:
        p.stderr.close()
    listed = json.loads(run("list", "--task", "1", "--dir", measures_dir, "--format", "json").stdout)
    new = {m["id"]: m["national"] for m in listed if m["id"] > 25}
    assert sorted(new) == list(range(26, 32))
    assert sorted(new.values()) == sorted(f"措施 {i}" for i in range(6))


def test_a_writer_killed_between_writing_and_renaming_leaves_the_old_file(run, measures_dir):
    path = measures_dir / "14.yaml"
    before = path.read_bytes()
    writer = subprocess.Popen([*PORTCLI, *UPDATE_14, "--note", "killed", "--dir", str(measures_dir)],
                              env=env(**{write.PAUSE_BEFORE_RENAME: "120"}),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Until the complete temp file is there, the writer sleeping before its rename: the file is
        # created empty before it is written, so its name alone is not enough (a loaded machine shows it).
        for _ in range(600):
            if any(b"killed" in t.read_bytes() for t in temp_files(measures_dir)) or writer.poll() is not None:
                break
            time.sleep(0.05)
        assert writer.poll() is None, "the writer ended before it could be killed"
        [temp] = temp_files(measures_dir)
        assert b"killed" in temp.read_bytes()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    assert path.read_bytes() == before
    assert temp_files(measures_dir) == [temp]  # a SIGKILL leaves it; the next write removes it

    # The dead writer's lock died with it: the next writer goes ahead (the timeout only guards a hang).
    done = subprocess.run([*PORTCLI, *UPDATE_14, "--note", "next", "--dir", str(measures_dir)], env=env(),
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert notes(run, measures_dir) == ["next"]
    assert temp_files(measures_dir) == []


def _fails(*args):
    def fail(*_, **__):
        raise OSError(*args)
    return fail


@pytest.mark.parametrize("target, error", [
    ("replace", (errno.EXDEV, "Invalid cross-device link")),
    ("fsync", (errno.EIO, "Input/output error")),
    ("fchmod", (errno.EPERM, "Operation not permitted")),
])
def test_a_failing_step_of_the_write_leaves_the_old_file_and_says_so(run, measures_dir, monkeypatch, target, error):
    before = snapshot(measures_dir)
    monkeypatch.setattr(os, target, _fails(*error))
    result = run(*UPDATE_14, "--note", "x", "--dir", measures_dir)
    monkeypatch.undo()
    assert result.exit_code == 2
    assert result.stderr == f"portcli: cannot write {measures_dir / '14.yaml'}: {error[1]}; the file is unchanged\n"
    assert snapshot(measures_dir) == before
    assert temp_files(measures_dir) == []


@pytest.mark.parametrize("exception, code, message", [
    (RuntimeError("boom"), 2, "internal error: RuntimeError: boom"),
    (KeyboardInterrupt(), 130, ""),  # Ctrl-C: the usual exit code, nothing more to say
])
def test_an_exception_mid_write_leaves_the_old_file(measures_dir, monkeypatch, capsys, exception, code, message):
    """Through the console-script entry point, which turns anything unexpected into a message."""
    before = snapshot(measures_dir)
    real_write = os.fdopen

    def half_write(fd, *args, **kwargs):
        out = real_write(fd, *args, **kwargs)
        original = out.write

        def write(data):
            original(data[: len(data) // 2])
            out.flush()
            raise exception
        out.write = write
        return out

    monkeypatch.setattr(os, "fdopen", half_write)
    monkeypatch.delenv("PORTCLI_DIR", raising=False)
    with pytest.raises(SystemExit) as exit_:
        cli.run([*UPDATE_14, "--note", "x", "--dir", str(measures_dir)])
    monkeypatch.undo()
    assert exit_.value.code == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert snapshot(measures_dir) == before
    assert temp_files(measures_dir) == []


def test_the_old_files_permissions_are_kept(run, measures_dir):
    path = measures_dir / "14.yaml"
    path.chmod(0o640)
    assert run(*UPDATE_14, "--note", "x", "--dir", measures_dir).exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@contextmanager
def mounted(*mount_args: str, target: Path):
    """`mount … target` for the test, unmounted after; skips when this machine does not allow it."""
    if os.geteuid() != 0:
        pytest.skip("mounting a file system needs root")
    target.mkdir(exist_ok=True)
    done = subprocess.run(["mount", *mount_args, str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


@contextmanager
def read_only_view(folder: Path, tmp_path: Path):
    """The folder as a program sees a read-only one: a read-only bind mount for root (who ignores
    permission bits), the write bits removed for anyone else."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    with mounted("--bind", str(folder), target=tmp_path / "ro") as view:
        done = subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {done.stderr.strip()}")
        yield view


@pytest.mark.parametrize("lock_exists", [False, True], ids=["no lock file yet", "lock file there"])
def test_a_read_only_folder_is_reported_and_nothing_changes(run, measures_dir, tmp_path, lock_exists):
    if lock_exists:
        (measures_dir / write.LOCK_FILE).touch()
    before = snapshot(measures_dir)
    with read_only_view(measures_dir, tmp_path) as view:
        result = run(*UPDATE_14, "--note", "x", "--dir", view)
    assert result.exit_code == 2
    assert ("Read-only file system" in result.stderr or "Permission denied" in result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(measures_dir) == before
    assert temp_files(measures_dir) == []


def test_a_full_disk_is_reported_and_the_old_file_stays(run, measures_dir, tmp_path):
    with mounted("-t", "tmpfs", "-o", "size=64k", "tmpfs", target=tmp_path / "small") as disk:
        folder = disk / "measures"
        folder.mkdir()
        for name in ("_plan.yaml", "14.yaml"):
            (folder / name).write_bytes((measures_dir / name).read_bytes())
        (folder / write.LOCK_FILE).touch()
        with open(disk / "filler", "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        before = snapshot(folder)
        result = run(*UPDATE_14, "--note", "磁盘已满时的说明" * 100, "--dir", folder)
        assert result.exit_code == 2
        assert "No space left on device; the file is unchanged" in result.stderr
        assert "Traceback" not in result.stderr
        assert snapshot(folder) == before
        assert temp_files(folder) == []


# --- in-process versions of what the process tests show, and the write's own checks --------------
# (mutation testing sees only what runs in the test's process: docs/RELIABILITY.md)

def test_a_killed_writers_temp_file_is_removed_by_the_next_write(run, measures_dir):
    stale = measures_dir / f".14.yaml.abc123{write.TEMP_SUFFIX}"
    stale.write_bytes(b"half a file")
    unrelated = measures_dir / f"notes{write.TEMP_SUFFIX}"  # not a name portcli gives its temp files
    unrelated.write_bytes(b"someone else's")
    assert run(*UPDATE_14, "--note", "x", "--dir", measures_dir).exit_code == 0
    assert not stale.exists() and unrelated.read_bytes() == b"someone else's"


def test_a_lock_that_is_a_folder_is_refused_in_process(run, measures_dir):
    (measures_dir / write.LOCK_FILE).mkdir()
    before = snapshot(measures_dir)
    result = run(*UPDATE_14, "--note", "x", "--dir", measures_dir)
    assert result.exit_code == 2
    assert result.stderr == (f"portcli: {measures_dir / write.LOCK_FILE} is not an ordinary file (a folder, pipe "
                             "or device); remove it (the next write creates the lock file); nothing was written\n")
    assert snapshot(measures_dir) == before


def test_new_files_and_the_lock_get_the_usual_permissions(run, measures_dir):
    umask = os.umask(0o022)
    try:
        result = run("new", "--task", "1", "--unit", "海关", "--deadline", "年底前", "--national", "新措施",
                     "--dir", measures_dir)
    finally:
        os.umask(umask)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE((measures_dir / "26.yaml").stat().st_mode) == 0o644
    assert stat.S_IMODE((measures_dir / write.LOCK_FILE).stat().st_mode) == 0o644


def test_a_lock_file_that_may_only_be_read_still_locks(run, measures_dir, monkeypatch):
    """Another user's lock file: opened read-only, it still takes the lock and the write goes ahead."""
    (measures_dir / write.LOCK_FILE).touch()
    real_open = os.open

    def no_write_access(path, flags, *args):
        if str(path).endswith(write.LOCK_FILE) and flags & os.O_RDWR:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", no_write_access)
    result = run(*UPDATE_14, "--note", "x", "--dir", measures_dir)
    monkeypatch.undo()
    assert result.exit_code == 0, result.stderr
    assert notes(run, measures_dir) == ["x"]


def test_an_edit_that_does_not_read_back_as_meant_writes_nothing(run, measures_dir, monkeypatch):
    """The last guard: whatever the text edits produce must read back as the intended data."""
    from portcli import edit
    real_insert = edit.insert_item
    monkeypatch.setattr(edit, "insert_item", lambda text, *a: real_insert(text, *a).replace("note: x", "note: y"))
    before = snapshot(measures_dir)
    result = run(*UPDATE_14, "--note", "x", "--dir", measures_dir)
    assert result.exit_code == 2
    assert result.stderr == (f"portcli: could not edit {measures_dir / '14.yaml'} safely (its result did not "
                             "read back as intended); nothing was written — please report this with the file\n")
    assert snapshot(measures_dir) == before


def test_a_folder_that_cannot_be_synced_does_not_fail_the_write(run, measures_dir, monkeypatch):
    """Some file systems refuse fsync on a folder; the file itself is written and synced by then."""
    real_fsync = os.fsync

    def no_folder_sync(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", no_folder_sync)
    result = run(*UPDATE_14, "--note", "x", "--dir", measures_dir)
    monkeypatch.undo()
    assert (result.exit_code, result.stderr) == (0, "")
    assert notes(run, measures_dir) == ["x"]


def test_the_temp_file_is_hidden_beside_its_file_where_the_next_writer_finds_it(run, measures_dir, monkeypatch):
    """Named .14.yaml.<random>.portcli-tmp: never read as a measure (hidden, not .yaml), and removed by
    the next write if a killed writer leaves it."""
    real_replace, seen = os.replace, []

    def replace(src, dst):
        seen.append((Path(src), Path(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    assert run(*UPDATE_14, "--note", "x", "--dir", measures_dir).exit_code == 0
    monkeypatch.undo()
    [(temp, target)] = seen
    assert target == measures_dir / "14.yaml" and temp.parent == measures_dir
    assert temp.name.startswith(".14.yaml.") and temp.name.endswith(write.TEMP_SUFFIX)
    assert temp.match(f".*{write.TEMP_SUFFIX}")


def test_a_temp_file_that_cannot_be_made_is_reported_in_words(run, measures_dir, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "mkstemp", _fails(errno.ENOSPC, "No space left on device"))
    result = run(*UPDATE_14, "--note", "x", "--dir", measures_dir)
    monkeypatch.undo()
    assert (result.exit_code, result.stderr) == (
        2, f"portcli: cannot write {measures_dir / '14.yaml'}: No space left on device; the file is unchanged\n")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file away needs root")
def test_the_old_files_owner_is_kept(run, measures_dir):
    path = measures_dir / "14.yaml"
    os.chown(path, 4321, 4322)
    assert run(*UPDATE_14, "--note", "x", "--dir", measures_dir).exit_code == 0
    assert (path.stat().st_uid, path.stat().st_gid) == (4321, 4322)


def test_an_owner_that_cannot_be_kept_does_not_stop_the_write(run, measures_dir, monkeypatch):
    """Not root: the new file is the writer's own; the write goes ahead (as an editor's save does)."""
    path = measures_dir / "14.yaml"
    monkeypatch.setattr(os, "fchown", _fails(errno.EPERM, "Operation not permitted"))
    real_lstat = Path.lstat

    def lstat_other_owner(self):
        result = real_lstat(self)
        if self == path:
            fields = list(result)
            fields[4], fields[5] = result.st_uid + 1, result.st_gid + 1
            return os.stat_result(fields)
        return result

    monkeypatch.setattr(Path, "lstat", lstat_other_owner)
    result = run(*UPDATE_14, "--note", "x", "--dir", measures_dir)
    monkeypatch.undo()
    assert (result.exit_code, result.stderr) == (0, "")
    assert notes(run, measures_dir) == ["x"]


def test_the_pause_before_rename_of_zero_changes_nothing(run, measures_dir):
    """The hook the kill test uses (in a subprocess): set to 0 in-process, the write is as without it."""
    result = run(*UPDATE_14, "--note", "x", "--dir", measures_dir, env={write.PAUSE_BEFORE_RENAME: "0"})
    assert (result.exit_code, result.stderr) == (0, "")
    assert notes(run, measures_dir) == ["x"]


def test_a_temp_file_gone_before_its_failed_rename_still_ends_in_the_rename_error(run, measures_dir, monkeypatch):
    """Cleaning up after a failed rename must not turn the error into another one."""
    def replace_fails_and_temp_is_gone(src, dst):
        os.unlink(src)
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    before = snapshot(measures_dir)
    monkeypatch.setattr(os, "replace", replace_fails_and_temp_is_gone)
    result = run(*UPDATE_14, "--note", "x", "--dir", measures_dir)
    monkeypatch.undo()
    assert (result.exit_code, result.stderr) == (
        2, f"portcli: cannot write {measures_dir / '14.yaml'}: Invalid cross-device link; the file is unchanged\n")
    assert snapshot(measures_dir) == before


def test_a_result_the_checker_would_refuse_is_not_written(run, measures_dir, monkeypatch):
    """The guard behind every rule of update/extend/new: the new text is checked as the reader will."""
    from portcli import record
    monkeypatch.setattr(record, "_unit_of", lambda plan, measure, text: "市财政局甲")
    before = snapshot(measures_dir)
    result = run(*UPDATE_14, "--note", "x", "--by", "海关", "--dir", measures_dir)
    monkeypatch.undo()
    assert result.exit_code == 2
    assert result.stderr == ("portcli: the result would be invalid, nothing was written: unknown unit '市财政局甲'; "
                             "did you mean 市财政局? (units are registered in _plan.yaml)\n")
    assert snapshot(measures_dir) == before


def test_a_leftover_that_cannot_be_removed_does_not_stop_the_write(run, measures_dir):
    odd = measures_dir / f".14.yaml.abc{write.TEMP_SUFFIX}"
    odd.mkdir()  # a folder where a temp file would be: unlink fails, the write goes on
    assert run(*UPDATE_14, "--note", "x", "--dir", measures_dir).exit_code == 0
    assert odd.is_dir() and notes(run, measures_dir) == ["x"]
