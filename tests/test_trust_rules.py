"""What a hostile or careless hand tries, class by class, and the rule that stops it (issue 10).

Each case ends in a `FILE:LINE` problem or a one-line message with exit 2 and nothing written,
never a traceback, never a file outside the folder touched.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from folder_state import snapshot
from measure_files import line_of, replace_line

MIB = 1 << 20


def no_traceback(result) -> None:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr


# --- links and FIFOs: nothing opened for writing or locking follows a link or waits ------------

def update_2(run, folder):
    return run("update", "2", "--note", "周例会", "--date", "2022-05-20", "--dir", folder)


def test_a_dangling_lock_link_creates_nothing_outside(run, measures_dir, tmp_path):
    outside = tmp_path / "outside" / "created-by-portcli"
    outside.parent.mkdir()
    (measures_dir / ".portcli.lock").symlink_to(outside)
    before = snapshot(measures_dir)
    result = update_2(run, measures_dir)
    assert result.exit_code == 2 and "is a symbolic link" in result.stderr
    no_traceback(result)
    assert not outside.exists() and snapshot(measures_dir) == before


def test_a_lock_link_to_a_file_leaves_that_file_alone(run, measures_dir, tmp_path):
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me", encoding="utf-8")
    (measures_dir / ".portcli.lock").symlink_to(outside)
    result = update_2(run, measures_dir)
    assert result.exit_code == 2 and outside.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_lock_that_is_no_ordinary_file_is_refused_at_once(measures_dir, kind):
    lock = measures_dir / ".portcli.lock"
    os.mkfifo(lock) if kind == "fifo" else lock.mkdir()
    before = snapshot(measures_dir)
    done = subprocess.run([sys.executable, "-m", "portcli", "update", "2", "--note", "x", "--date", "2022-05-20",
                           "--dir", str(measures_dir)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PORTCLI_NO_CACHE": "1"})
    assert done.returncode == 2 and "not an ordinary file" in done.stderr and "Traceback" not in done.stderr
    assert snapshot(measures_dir) == before


def test_a_cache_folder_that_is_a_link_is_not_used(run, measures_dir, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    link = tmp_path / "cache-link"
    link.symlink_to(elsewhere)
    monkeypatch.setenv("PORTCLI_CACHE_DIR", str(link))
    expected = run("list", "--format", "json", "--dir", measures_dir, env={"PORTCLI_NO_CACHE": "1"}).stdout
    assert run("list", "--format", "json", "--dir", measures_dir).stdout == expected
    assert list(elsewhere.iterdir()) == []


def test_a_cache_folder_others_can_write_is_not_used(run, measures_dir, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("PORTCLI_CACHE_DIR", str(shared))
    assert run("list", "--dir", measures_dir).exit_code == 0
    assert list(shared.iterdir()) == []


def test_a_cache_file_that_is_a_link_is_replaced_not_followed(run, measures_dir, tmp_path, private_cache):
    from portcli import cache

    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"not yours")
    Path(cache.cache_file(measures_dir, private_cache)).symlink_to(outside)
    for _ in range(2):
        assert run("list", "--format", "json", "--dir", measures_dir).exit_code == 0
    assert outside.read_bytes() == b"not yours"


def test_without_a_home_no_cache_folder_appears_where_the_command_runs(run, measures_dir, tmp_path, monkeypatch):
    """With neither HOME nor a passwd entry, expanduser leaves "~" as it is (Python's documented
    behaviour, simulated here): the cache must not become ./~/.cache in the working folder."""
    for name in ("HOME", "XDG_CACHE_HOME", "PORTCLI_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert run("list", "--dir", measures_dir).exit_code == 0
    assert list(work.iterdir()) == []


# --- numbers are decimal as written --------------------------------------------------------

@pytest.mark.parametrize("written", ["0x0C", "0b101", "1_2", "1:30", "+0x1", "-0b1"])
def test_a_number_yaml_reads_other_than_decimal_is_refused_at_its_line(run, measures_dir, written):
    """YAML 1.1 reads these as 12, 5, 12, 90, 1 and -1."""
    path = measures_dir / "02.yaml"
    replace_line(path, "id:", f"id: {written}")
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2
    assert f"{path}:{line_of(path, 'id:')}: the number '{written}' is not written in decimal digits" in result.stderr


@pytest.mark.parametrize("written", ["0o17", "0:12", "１２x"])
def test_a_number_yaml_reads_as_text_is_no_id_either(run, measures_dir, written):
    path = measures_dir / "02.yaml"
    replace_line(path, "id:", f"id: {written}")
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2
    assert f"{path}:{line_of(path, 'id:')}: `id` must be a whole number from 1 to 999999999, not '{written}'" in result.stderr


def test_leading_zeros_are_still_decimal(run, measures_dir):
    """YAML 1.1 reads 0011 as octal 9; the file means 11, as file names such as 011.yaml do."""
    replace_line(measures_dir / "02.yaml", "id:", "id: 0011")
    (measures_dir / "11.yaml").unlink()
    shown = json.loads(run("show", "11", "--format", "json", "--dir", measures_dir).stdout)
    assert shown["file"].endswith("02.yaml")
    assert json.loads(run("show", "9", "--format", "json", "--dir", measures_dir).stdout)["file"].endswith("09.yaml")
    assert run("validate", "--dir", measures_dir).exit_code == 0


@pytest.mark.parametrize("key, value", [("year", "0x7E6"), ("year", "03742")])
def test_the_plans_numbers_are_decimal_too(run, measures_dir, key, value):
    plan = measures_dir / "_plan.yaml"
    replace_line(plan, f"{key}:", f"{key}: {value}")
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2 and f"{plan}:{line_of(plan, key + ':')}:" in result.stderr
    no_traceback(result)


# --- a plan cannot switch the checks off ---------------------------------------------------

@pytest.mark.parametrize("key", ["units", "tasks"])
def test_a_plan_with_an_empty_list_is_a_problem_not_a_blank_cheque(run, measures_dir, key):
    plan = measures_dir / "_plan.yaml"
    text = plan.read_text(encoding="utf-8")
    start = text.index(f"\n{key}:") + 1
    end = text.find("\n", text.find("\n", start) + 1)
    following = [i for i in range(start + 1, len(text)) if text[i - 1] == "\n" and text[i] not in " -\n#"]
    cut = min(following) if following else len(text)
    plan.write_text(text[:start] + f"{key}: []\n" + text[cut:], encoding="utf-8")
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2
    assert f"{plan}:{line_of(plan, key + ':')}: `{key}` must be a non-empty list" in result.stderr
    for argv in (["list", "--unit", "天津海关"], ["update", "2", "--note", "x", "--by", "海关"]):
        outcome = run(*argv, "--dir", measures_dir)
        assert outcome.exit_code == 2, argv
        no_traceback(outcome)


def test_a_task_listed_twice_in_the_plan_is_a_problem(run, measures_dir):
    plan = measures_dir / "_plan.yaml"
    replace_line(plan, "  - {id: 2,", plan.read_text(encoding="utf-8").splitlines()[line_of(plan, "  - {id: 2,") - 1]
                 .replace("{id: 2,", "{id: 1,"))
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2 and "key task 1 is listed twice" in result.stderr


# --- a write never makes a file the reader would refuse -----------------------------------

def test_notes_that_would_push_a_file_over_the_read_limit_are_refused(run, measures_dir):
    path = measures_dir / "13.yaml"
    note = "进" * 40_000  # 120,000 bytes of UTF-8
    outcomes = []
    for day in range(10, 20):
        before = path.read_bytes()
        result = run("update", "13", "--note", note, "--date", f"2022-05-{day}", "--dir", measures_dir)
        outcomes.append(result.exit_code)
        if result.exit_code == 2:
            assert "at most 1 MiB" in result.stderr and path.read_bytes() == before
            assert len(before) + len(note.encode()) > MIB  # it would have been over the limit
        else:
            assert len(path.read_bytes()) <= MIB
    assert outcomes == [0] * 8 + [2] * 2  # 8 × 120 KB fit in 1 MiB, a ninth does not
    assert run("validate", "--dir", measures_dir).exit_code == 0
    assert json.loads(run("show", "13", "--format", "json", "--dir", measures_dir).stdout)["progress"][-1]["date"] \
        == "2022-05-17"


def test_new_from_a_text_over_the_read_limit_is_refused(run, measures_dir, tmp_path):
    draft = tmp_path / "draft.yaml"
    draft.write_text("id: 26\ntask: 1\nnational: null\nlocal:\n  - " + "新" * 400_000
                     + "\nunits: [市商务局]\ndeadline: 年底前\nstatus: not_started\n", encoding="utf-8")
    before = snapshot(measures_dir)
    result = run("new", "--from", draft, "--dir", measures_dir)
    assert result.exit_code == 2 and "at most 1 MiB" in result.stderr
    no_traceback(result)
    assert snapshot(measures_dir) == before


# --- odd names, odd characters -------------------------------------------------------------

def test_a_file_named_with_a_superscript_digit_does_not_stop_new(run, measures_dir):
    text = (measures_dir / "02.yaml").read_text(encoding="utf-8").replace("id: 2\n", "id: 40\n")
    (measures_dir / "².yaml").write_text(text, encoding="utf-8")
    result = run("new", "--task", "1", "--unit", "商务局", "--deadline", "年底前", "--local", "试点", "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    assert (measures_dir / "41.yaml").is_file()  # one above the highest id, 40 in ².yaml


@pytest.mark.parametrize("control", ["\u202e", "\u2066", "\u200f", "\u061c"])
def test_bidi_controls_are_written_escaped_and_read_back_the_same(run, measures_dir, control):
    note = f"通过{control}审核"
    assert run("update", "2", "--note", note, "--date", "2022-05-20", "--dir", measures_dir).exit_code == 0
    raw = (measures_dir / "02.yaml").read_text(encoding="utf-8")
    assert control not in raw and f"\\u{ord(control):04x}" in raw.lower()
    shown = json.loads(run("show", "2", "--format", "json", "--dir", measures_dir).stdout)
    assert shown["progress"][-1]["note"] == note


def test_new_from_a_fifo_is_refused_at_once(measures_dir, tmp_path):
    fifo = tmp_path / "draft.yaml"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "portcli", "new", "--from", str(fifo), "--dir", str(measures_dir)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "not an ordinary file" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("key, value", [("due", "1900-12-31"), ("due", "3000-01-01"), ("id", "1000000000")])
def test_the_reader_keeps_dates_and_ids_within_what_commands_accept(run, measures_dir, key, value):
    path = measures_dir / "02.yaml"
    if key == "due":
        replace_line(path, "deadline:", f"deadline: 5月底前\ndue: {value}")
    else:
        replace_line(path, "id:", f"id: {value}")
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2 and f"{path}:{line_of(path, key + ':')}:" in result.stderr
    assert ("out of range" if key == "due" else "from 1 to 999999999") in result.stderr


def test_a_file_name_too_large_for_an_id_stops_new_with_a_message(run, measures_dir):
    (measures_dir / "9999999999.yaml").write_text((measures_dir / "02.yaml").read_text(encoding="utf-8"),
                                                  encoding="utf-8")
    result = run("new", "--task", "1", "--unit", "海关", "--deadline", "年底前", "--local", "x", "--dir", measures_dir)
    assert result.exit_code == 2 and "no id is left: the next would be 10000000000" in result.stderr
    no_traceback(result)


def test_every_problem_code_is_in_spec_and_the_schema():
    from portcli.problem import CODES

    spec = (Path(__file__).resolve().parents[1] / "docs" / "SPEC.md").read_text(encoding="utf-8")
    schema = json.loads((Path(__file__).resolve().parents[1] / "schema" / "validate.schema.json").read_text())
    assert [c for c in CODES if f"`{c}`" not in spec] == []
    assert schema["properties"]["problems"]["items"]["properties"]["code"]["enum"] == list(CODES)


@pytest.mark.parametrize("break_it, code", [
    (lambda p: replace_line(p, "status:", "status: finished"), "unknown-status"),
    (lambda p: replace_line(p, "units:", "units: [市商务局, 天津海官]"), "unknown-unit"),
    (lambda p: replace_line(p, "task:", "task: 5\ntask: 6"), "duplicate-key"),
    (lambda p: replace_line(p, "id:", "id: 0x0C"), "non-decimal-number"),
    (lambda p: p.write_bytes("id: 2\n备注: 测试\n".encode("gbk")), "not-utf8"),
    (lambda p: replace_line(p, "deadline:", "deadline: 择机"), "bad-deadline"),
])
def test_each_problem_has_its_code_in_json_annotations_and_code_quality(run, measures_dir, break_it, code):
    path = measures_dir / "02.yaml"
    break_it(path)
    found = json.loads(run("validate", "--format", "json", "--dir", measures_dir).stdout)["problems"]
    assert [p["code"] for p in found] == [code]
    annotations = run("validate", "--format", "github", "--dir", measures_dir).stdout
    assert f"title={code}::" in annotations
    quality = json.loads(run("validate", "--format", "gitlab", "--dir", measures_dir).stdout)
    assert [q["check_name"] for q in quality] == [code]
