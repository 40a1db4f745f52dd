"""`portcli history`: a measure's changes from git log of its file, in a repository made here."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest


@pytest.fixture
def run(run, run_in_chinese, request):
    """These tests read the reports' Chinese words: the commands speak Chinese."""
    # a test marked `english` quotes English messages
    return run if request.node.get_closest_marker("english") else run_in_chinese


pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo, *args, date=None):
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def repo(measures_dir):
    """The measures in a git repository of their own, with three commits to measure 14."""
    top = measures_dir.parent
    git(top, "init", "-q")
    (top / ".gitignore").write_text(".portcli.lock\n", encoding="utf-8")
    git(top, "config", "user.name", "王工")
    git(top, "config", "user.email", "wang@example.com")
    git(top, "add", "-A")
    git(top, "commit", "-qm", "ship the measures", date="2022-05-01T09:00:00+08:00")
    return top


def commit(repo, message, date, name=None):
    if name:
        git(repo, "config", "user.name", name)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message, date=date)


def test_history_lists_each_commit_with_status_before_and_after_and_the_notes(run, repo):
    folder = repo / "measures"
    run("update", "14", "-s", "推进中", "-n", "完成系统对接测试", "--date", "2022-05-20", "--by", "海关", "--dir", folder)
    commit(repo, "措施14进度", "2022-05-20T10:30:00+08:00", name="李工")
    run("update", "2", "-n", "unrelated", "--date", "2022-05-21", "--dir", folder)
    commit(repo, "措施2", "2022-05-21T10:30:00+08:00")
    run("extend", "14", "--to", "2022-06-30", "--reason", "等待设备", "--date", "2022-05-25", "--dir", folder)
    run("update", "14", "-s", "done", "--date", "2022-05-26", "--dir", folder)
    commit(repo, "措施14延期并完成", "2022-05-26T16:00:00+08:00", name="张工")

    result = run("history", "14", "--dir", folder, "--format", "json")
    assert result.exit_code == 0, result.stderr
    changes = json.loads(result.stdout)
    assert [(c["date"], c["author"], c["subject"], c["status_before"], c["status_after"]) for c in changes] == [
        ("2022-05-01T09:00:00+08:00", "王工", "ship the measures", None, "not_started"),
        ("2022-05-20T10:30:00+08:00", "李工", "措施14进度", "not_started", "in_progress"),
        ("2022-05-26T16:00:00+08:00", "张工", "措施14延期并完成", "in_progress", "done"),
    ]
    assert changes[0]["created"] and not changes[1]["created"]
    assert changes[1]["progress"] == [{"date": "2022-05-20", "status": "in_progress", "by": "天津海关",
                                       "note": "完成系统对接测试"}]
    assert changes[2]["progress"] == [{"date": "2022-05-26", "status": "done"}]
    assert changes[2]["extensions"] == [{"date": "2022-05-25", "from": "2022-05-31", "to": "2022-06-30",
                                         "reason": "等待设备"}]

    table = run("history", "14", "--dir", folder)
    assert table.exit_code == 0
    rows = [line for line in table.stdout.splitlines() if line.startswith("2022-")]
    assert rows[1].split()[:6] == ["2022-05-20", "10:30", "李工", "未启动", "→", "推进中"]
    assert "完成系统对接测试" in table.stdout and "延期 2022-05-31 → 2022-06-30：等待设备" in table.stdout


@pytest.mark.english
def test_a_renamed_file_keeps_its_history_and_uncommitted_changes_are_mentioned(run, repo):
    folder = repo / "measures"
    run("update", "14", "-s", "blocked", "--date", "2022-05-20", "--dir", folder)
    commit(repo, "blocked", "2022-05-20T10:00:00+08:00")
    git(repo, "mv", "measures/14.yaml", "measures/14-船边直提.yaml")
    commit(repo, "rename", "2022-05-21T10:00:00+08:00")
    run("update", "14", "-n", "not committed", "--date", "2022-05-22", "--dir", folder)

    result = run("history", "14", "--dir", folder, "--format", "json")
    changes = json.loads(result.stdout)
    assert [c["file"] for c in changes] == ["measures/14.yaml", "measures/14.yaml", "measures/14-船边直提.yaml"]
    assert [c["status_after"] for c in changes] == ["not_started", "blocked", "blocked"]
    assert "not committed" not in result.stdout
    assert "changes not committed yet" in result.stderr


@pytest.mark.english
def test_outside_a_repository_it_says_so(run, measures_dir):
    result = run("history", "14", "--dir", measures_dir, env={"GIT_CEILING_DIRECTORIES": str(measures_dir.parent)})
    assert result.exit_code == 2
    assert "is not in a git repository" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.english
def test_without_git_it_says_so(run, repo):
    result = run("history", "14", "--dir", repo / "measures", env={"PATH": str(repo / "no-bin")})
    assert result.exit_code == 2
    assert "git is not installed" in result.stderr


def test_an_uncommitted_file_has_no_history_yet(run, repo):
    folder = repo / "measures"
    run("new", "--task", "1", "--unit", "海关", "--deadline", "年底前", "--national", "x", "--dir", folder)
    result = run("history", "26", "--dir", folder, "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    assert "该文件尚无提交记录" in run("history", "26", "--dir", folder).stdout


@pytest.mark.english
def test_an_unknown_id_is_refused(run, repo):
    result = run("history", "99", "--dir", repo / "measures")
    assert result.exit_code == 2 and "no measure with id 99" in result.stderr


BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, n in zip("abcdefgh", "bcdefghi"))


@pytest.mark.parametrize("past", [
    pytest.param(BILLION_LAUGHS, id="alias bomb"),
    pytest.param("id: 14\ndue: 2022-02-30\nstatus: done\n", id="no such date"),
    pytest.param("id: 14\nstatus: done\nprogress:\n  - {date: 2022-05-20, status: done, note: !!binary aGk=}\n",
                 id="binary note"),
    pytest.param("id: 14\nstatus: done\nnote: " + "长" * 400_000 + "\n", id="over the size limit"),
    pytest.param("\xff\xfeid: 14\n", id="not UTF-8"),
])
def test_a_past_version_that_does_not_read_is_shown_as_such_and_history_goes_on(run, repo, past):
    """Past versions go through today's strict, bounded reading: one that does not read is marked
    unreadable (never expanded, never an internal error), and the commits around it are whole."""
    path = repo / "measures" / "14.yaml"
    good = path.read_bytes()
    path.write_bytes(past.encode("utf-8", "surrogateescape") if past[0] != "\xff" else b"\xff\xfeid: 14\n")
    commit(repo, "broken", "2022-05-20T10:00:00+08:00")
    path.write_bytes(good.replace(b"status: not_started", b"status: in_progress"))
    commit(repo, "fixed", "2022-05-21T10:00:00+08:00")

    result = run("history", "14", "--dir", repo / "measures", "--format", "json")
    assert result.exit_code == 0, result.stderr
    changes = json.loads(result.stdout)
    assert [(c["subject"], c["readable"], c["status_after"]) for c in changes] == [
        ("ship the measures", True, "not_started"), ("broken", False, None), ("fixed", True, "in_progress")]
    table = run("history", "14", "--dir", repo / "measures")
    assert table.exit_code == 0 and "此次提交后的文件无法作为措施文件读取" in table.stdout


def test_commit_fields_holding_separators_are_read_whole(run, repo):
    path = repo / "measures" / "14.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: not_started", "status: blocked"),
                    encoding="utf-8")
    subject = "记录\x1e分隔\x1f符号 %x00"
    commit(repo, subject, "2022-05-20T10:00:00+08:00", name="王\x1f工")
    changes = json.loads(run("history", "14", "--dir", repo / "measures", "--format", "json").stdout)
    assert [(c["author"], c["subject"], c["status_after"]) for c in changes][-1] == ("王\x1f工", subject, "blocked")


def test_a_past_progress_entry_missing_its_date_or_unit_is_shown_with_what_it_has(run, repo):
    """A hand-edited file of the past may hold progress entries without a date or a unit: each is
    shown as `date unit：note`, with what is missing left out (no stray space), the status when there
    is no note."""
    path = repo / "measures" / "14.yaml"
    text = path.read_text(encoding="utf-8").replace("progress: []", "progress:\n"
                                                   "  - {by: 天津海关, note: 无日期的进展}\n"
                                                   "  - {date: 2022-05-20, note: 只有日期}\n"
                                                   "  - {date: 2022-05-21, by: 海关, status: blocked}\n")
    assert "无日期的进展" in text
    good = path.read_bytes()
    path.write_text(text, encoding="utf-8")
    commit(repo, "hand edit", "2022-05-22T10:00:00+08:00")
    path.write_bytes(good)  # today's file reads: history is asked of a measure that exists
    commit(repo, "mended", "2022-05-23T10:00:00+08:00")

    table = run("history", "14", "--dir", repo / "measures", env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.stderr
    from rich.cells import cell_len

    lines = table.stdout.splitlines()
    starts = {}  # where each line of the Recorded cell starts, in cells: no stray space before any
    for said in ("天津海关：无日期的进展", "2022-05-20：只有日期", "2022-05-21 海关：受阻"):
        found = [line for line in lines if said in line]
        assert found, (said, table.stdout)
        starts[said] = cell_len(found[0][:found[0].index(said)])
    assert len(set(starts.values())) == 1, (starts, table.stdout)
