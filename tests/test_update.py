"""`portcli update`: progress entries and status, written into the file without disturbing it."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from portcli import edit
from portcli.check import MEASURE_KEYS

from folder_state import snapshot

ENTRY = "{date: 2022-05-20, status: in_progress, by: 天津海关, note: 完成系统对接测试}"
DONE_MEANS = ("update", "14", "--status", "in_progress", "--note", "完成系统对接测试", "--date", "2022-05-20",
              "--by", "天津海关")


def show_json(run, folder: Path, measure_id: int, *extra: str) -> dict:
    result = run("show", measure_id, "--dir", folder, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_done_means_changes_the_status_line_and_adds_the_entry_only(run, measures_dir):
    path = measures_dir / "14.yaml"
    before = path.read_text(encoding="utf-8")
    assert before.startswith("# ")  # the shipped file has a comment that must survive
    result = run(*DONE_MEANS, "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    expected = before.replace("status: not_started\n", "status: in_progress\n").replace(
        "progress: []\n", f"progress:\n  - {ENTRY}\n")
    assert expected != before
    assert path.read_text(encoding="utf-8") == expected

    shown = show_json(run, measures_dir, 14)
    assert shown["status"] == "in_progress"
    assert shown["progress"] == [{"date": "2022-05-20", "status": "in_progress", "by": "天津海关",
                                  "note": "完成系统对接测试"}]
    table = run("show", "14", "--dir", measures_dir, env={"PORTCLI_LANG": "zh"})
    assert "完成系统对接测试" in table.stdout and "推进中" in table.stdout
    found = run("list", "--status", "推进中", "--dir", measures_dir, "--format", "json")
    assert [m["id"] for m in json.loads(found.stdout)] == [14]


def test_prints_what_it_wrote(run, measures_dir):
    result = run(*DONE_MEANS, "--dir", measures_dir)
    assert "not_started → in_progress" in result.stdout
    assert "2022-05-20" in result.stdout and "完成系统对接测试" in result.stdout
    as_json = run(*DONE_MEANS[:-4], "--note", "second", "--date", "2022-05-21", "--dir", measures_dir,
                  "--format", "json")
    assert [p["note"] for p in json.loads(as_json.stdout)["progress"]] == ["完成系统对接测试", "second"]


def test_entries_append_oldest_first_and_a_note_keeps_the_status(run, measures_dir):
    run("update", "14", "-s", "推进中", "--date", "2022-05-20", "--dir", measures_dir)
    result = run("update", "14", "-n", "周例会通报", "--date", "2022-05-27", "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    text = (measures_dir / "14.yaml").read_text(encoding="utf-8")
    assert text.endswith("progress:\n  - {date: 2022-05-20, status: in_progress}\n"
                         "  - {date: 2022-05-27, status: in_progress, note: 周例会通报}\n")
    assert show_json(run, measures_dir, 14)["status"] == "in_progress"


@pytest.mark.parametrize("by", ["天津海关", "海关", "中华人民共和国天津海关", "Tianjin Customs"])
def test_by_accepts_any_name_of_the_unit_and_writes_the_short_name(run, measures_dir, by):
    result = run("update", "14", "-n", "x", "--date", "2022-05-20", "--by", by, "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    assert show_json(run, measures_dir, 14)["progress"][0]["by"] == "天津海关"


def test_date_defaults_to_as_of(run, measures_dir):
    run("update", "14", "-n", "x", "--as-of", "2022-06-01", "--dir", measures_dir)
    assert show_json(run, measures_dir, 14)["progress"][0]["date"] == "2022-06-01"


@pytest.mark.parametrize("args, message", [
    (("update", "99", "-n", "x"), "no measure with id 99"),
    (("update", "14", "-s", "started"), "unknown status 'started'"),
    (("update", "14"), "give --status, --note or both"),
    (("update", "14", "-n", "   "), "give --status, --note or both"),
    (("update", "14", "-n", "x", "--by", "天津海事局x"), "unknown unit"),
    (("update", "14", "-n", "x", "--by", "市财政局"), "not one of measure 14's units"),
    (("update", "14", "-n", "x", "--date", "2022-13-01"), "not a real date"),
])
def test_refusals_exit_2_and_write_nothing(run, measures_dir, args, message):
    before = snapshot(measures_dir)
    result = run(*args, "--date", "2022-05-20", "--dir", measures_dir) if "--date" not in args else run(
        *args, "--dir", measures_dir)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(measures_dir) == before


def test_an_earlier_date_is_refused_unless_forced_and_then_goes_in_date_order(run, measures_dir):
    run("update", "14", "-s", "in_progress", "--date", "2022-05-20", "--dir", measures_dir)
    run("update", "14", "-s", "blocked", "-n", "等待设备", "--date", "2022-05-25", "--dir", measures_dir)
    before = snapshot(measures_dir)
    refused = run("update", "14", "-s", "done", "--date", "2022-05-22", "--dir", measures_dir)
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert snapshot(measures_dir) == before

    forced = run("update", "14", "-s", "done", "-n", "补录", "--date", "2022-05-22", "--force", "--dir", measures_dir)
    assert forced.exit_code == 0, forced.stderr
    assert "status stays blocked" in forced.stdout
    shown = show_json(run, measures_dir, 14)
    assert [(p["date"], p["status"]) for p in shown["progress"]] == [
        ("2022-05-20", "in_progress"), ("2022-05-22", "done"), ("2022-05-25", "blocked")]
    assert shown["status"] == "blocked"  # the newest entry still decides


def test_the_same_date_as_the_last_entry_is_fine(run, measures_dir):
    run("update", "14", "-n", "上午", "--date", "2022-05-20", "--dir", measures_dir)
    result = run("update", "14", "-n", "下午", "--date", "2022-05-20", "--dir", measures_dir)
    assert result.exit_code == 0
    assert [p["note"] for p in show_json(run, measures_dir, 14)["progress"]] == ["上午", "下午"]


def test_a_file_that_spells_statuses_in_chinese_keeps_doing_so(run, measures_dir):
    path = measures_dir / "14.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: not_started", "status: 未启动"),
                    encoding="utf-8")
    run("update", "14", "-s", "in_progress", "--date", "2022-05-20", "--dir", measures_dir)
    text = path.read_text(encoding="utf-8")
    assert "status: 推进中\n" in text and "{date: 2022-05-20, status: 推进中}" in text


@pytest.mark.parametrize("note", [
    "完成: 测试, 见 #12 [附件] {a}", "yes", "null", "2022-05-20", "123", "- 列表", "'引号' \"双引号\"",
    "行一\n行二", "带 ESC \x1b[31m 的说明", "tab\there", " 前后空格 ", "＃全角", "a: b", "末尾冒号:",
])
def test_any_note_reads_back_exactly(run, measures_dir, note):
    result = run("update", "14", "-n", note, "--date", "2022-05-20", "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    assert show_json(run, measures_dir, 14)["progress"][0]["note"] == note.strip()
    assert run("validate", "--dir", measures_dir).exit_code == 0


READERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1) | st.text(alphabet="0?:#,-[]{} ab'\"\\\n", min_size=1))
def test_scalars_read_back_as_written_in_block_and_flow_context(value):
    for loader in READERS:
        assert yaml.load(f"k: {edit.scalar(value)}", Loader=loader) == {"k": value}
        assert yaml.load(edit.flow_mapping({"date": date(2022, 5, 20), "note": value}), Loader=loader) == {
            "date": date(2022, 5, 20), "note": value}


def test_other_files_problems_are_warnings_and_the_write_succeeds(run, measures_dir):
    (measures_dir / "03.yaml").write_text("id: 3\ntask: [\n", encoding="utf-8")
    result = run(*DONE_MEANS, "--dir", measures_dir)
    assert result.exit_code == 0
    assert "03.yaml" in result.stderr and "warning" in result.stderr
    assert "status: in_progress" in (measures_dir / "14.yaml").read_text(encoding="utf-8")


def test_a_broken_plan_or_own_file_refuses(run, measures_dir):
    (measures_dir / "14.yaml").write_text(
        (measures_dir / "14.yaml").read_text(encoding="utf-8").replace("task: 5", "task: 5\nowner: x"), encoding="utf-8")
    before = snapshot(measures_dir)
    own = run(*DONE_MEANS, "--dir", measures_dir)
    assert own.exit_code == 2 and "no measure with id 14" in own.stderr and "unknown key `owner`" in own.stderr
    assert snapshot(measures_dir) == before

    (measures_dir / "_plan.yaml").write_text("title: x\n", encoding="utf-8")
    plan = run("update", "2", "-n", "x", "--date", "2022-05-20", "--dir", measures_dir)
    assert plan.exit_code == 2 and "_plan.yaml has problems" in plan.stderr
    assert (measures_dir / "02.yaml").read_bytes() == before["02.yaml"]


def test_a_duplicated_id_is_refused(run, measures_dir):
    (measures_dir / "99.yaml").write_bytes((measures_dir / "14.yaml").read_bytes())
    before = snapshot(measures_dir)
    result = run(*DONE_MEANS, "--dir", measures_dir)
    assert result.exit_code == 2 and "id 14 is in both" in result.stderr
    assert snapshot(measures_dir) == before
    (measures_dir / "98.yaml").write_bytes((measures_dir / "14.yaml").read_bytes())
    result = run(*DONE_MEANS, "--dir", measures_dir)
    assert result.exit_code == 2
    assert f"id 14 is in 3 files ({measures_dir / '14.yaml'}, {measures_dir / '98.yaml'}, " in result.stderr


def test_a_symlinked_measure_file_is_not_written_through(run, measures_dir, tmp_path):
    outside = tmp_path / "elsewhere.yaml"
    (measures_dir / "14.yaml").rename(outside)
    (measures_dir / "14.yaml").symlink_to(outside)
    before = outside.read_bytes()
    result = run(*DONE_MEANS, "--dir", measures_dir)
    assert result.exit_code == 2 and "is a symbolic link" in result.stderr
    assert outside.read_bytes() == before and (measures_dir / "14.yaml").is_symlink()


# --- the files stay theirs --------------------------------------------------------------------

CRLF_FILE = "\r\n".join([
    "# 措施 14 · 重点任务五",
    "# 手工维护：请保留注释",
    "id: 14",
    "task: 5   # 重点任务五",
    "",
    "national: '稳步推进进口货物“船边直提”和出口货物“抵港直装”试点工作。'",
    "local:",
    "    # 三项",
    '    - "稳步推进进口货物“船边直提”试点工作。"',
    "    - 提升天津港环渤海内支线“天天班”服务举措。",
    "",
    "    - 发挥新港北铁路集装箱中心站作用。  # 第三项",
    'units: [ 市商务局, "天津海关", 天津海事局 ,中铁北京局天津办事处, 天津港集团 ]',
    "units_note: ~",
    'deadline: "5月底前"',
    "status: not_started    # 状态",
    "progress: []   # newest last",
    "",
    "# 结尾注释",
    "",
])


def test_a_hand_written_crlf_file_changes_only_the_lines_the_write_must(run, measures_dir):
    path = measures_dir / "14.yaml"
    path.write_bytes(CRLF_FILE.encode("utf-8"))
    assert run("validate", "--dir", measures_dir).exit_code == 0
    assert run(*DONE_MEANS, "--dir", measures_dir).exit_code == 0
    # Written out by hand from the rules: the status value swapped, `[]` turned into a block list
    # indented like the file's other list (4), its comment kept, CRLF throughout.
    expected = CRLF_FILE.replace("status: not_started    # 状态", "status: in_progress    # 状态").replace(
        "progress: []   # newest last\r\n", f"progress:   # newest last\r\n    - {ENTRY}\r\n")
    assert path.read_bytes() == expected.encode("utf-8")

    run("update", "14", "-n", "第二条", "--date", "2022-05-21", "--dir", measures_dir)
    expected = expected.replace(f"    - {ENTRY}\r\n",
                                f"    - {ENTRY}\r\n    - {{date: 2022-05-21, status: in_progress, note: 第二条}}\r\n")
    assert path.read_bytes() == expected.encode("utf-8")


@pytest.mark.parametrize("loader", ["CSafeLoader", "SafeLoader"])
def test_positions_after_wide_characters_are_right_with_either_loader(measures_dir, monkeypatch, loader):
    """Node marks must be str offsets: 4-byte emoji, CJK and CR LF before the edit point must not shift it."""
    if not hasattr(yaml, loader):
        pytest.skip(f"PyYAML has no {loader} here")
    monkeypatch.setattr(edit, "_Loader", getattr(yaml, loader))
    text = "id: 14  # 🚢 船边直提\r\nnote_before: \"😀\"\r\nstatus: x\r\nprogress: [] # 💬\r\n"
    once = edit.insert_item(text, "progress", "{note: 🚀}", None, MEASURE_KEYS)
    twice = edit.insert_item(once, "progress", "{note: 二}", None, MEASURE_KEYS)
    assert edit.set_value(twice, "status", "done", MEASURE_KEYS) == (
        "id: 14  # 🚢 船边直提\r\nnote_before: \"😀\"\r\nstatus: done\r\nprogress: # 💬\r\n"
        "  - {note: 🚀}\r\n  - {note: 二}\r\n")


def test_a_bom_and_a_missing_final_newline_survive(run, measures_dir):
    path = measures_dir / "14.yaml"
    original = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_bytes(b"\xef\xbb\xbf" + original.encode("utf-8"))
    run(*DONE_MEANS, "--dir", measures_dir)
    expected = original.replace("status: not_started", "status: in_progress").replace(
        "progress: []", f"progress:\n  - {ENTRY}")
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.encode("utf-8")


BLOCK_STYLE = """\
status: in_progress
progress:
- date: 2022-05-20
  status: in_progress
  note: |
    多行
    说明

# 之后的注释
extensions: []
"""


@pytest.mark.parametrize("before, after", [
    (BLOCK_STYLE, BLOCK_STYLE.replace("    说明\n", "    说明\n- {date: 2022-05-21, status: done}\n")),
    ("status: x\nprogress: [{date: 2022-05-20, status: blocked}]  # c\n",
     "status: x\nprogress: [{date: 2022-05-20, status: blocked}, {date: 2022-05-21, status: done}]  # c\n"),
    ("status: x\nprogress:\n", "status: x\nprogress:\n  - {date: 2022-05-21, status: done}\n"),
    ("status: x\nprogress: null # none yet\n", "status: x\nprogress: # none yet\n  - {date: 2022-05-21, status: done}\n"),
    ("status: x\nprogress:\n  []\nextensions: []\n", "status: x\nprogress:\n  - {date: 2022-05-21, status: done}\nextensions: []\n"),
    ("deadline: 年底前\nstatus: x\n\n# end\n", "deadline: 年底前\nstatus: x\nprogress:\n  - {date: 2022-05-21, status: done}\n\n# end\n"),
    ("status: x\nextensions: []\n", "status: x\nprogress:\n  - {date: 2022-05-21, status: done}\nextensions: []\n"),
])
def test_each_shape_of_progress_list_gets_the_entry_minimally(before, after):
    entry = edit.flow_mapping({"date": date(2022, 5, 21), "status": "done"})
    assert edit.insert_item(before, "progress", entry, None, MEASURE_KEYS) == after


def test_setting_a_scalar_keeps_its_comment_and_replaces_quotes():
    text = 'id: 1\nstatus: "not_started"  # 状态\nprogress: []\n'
    assert edit.set_value(text, "status", "done", MEASURE_KEYS) == 'id: 1\nstatus: done  # 状态\nprogress: []\n'


def test_a_note_with_a_line_break_is_confirmed_on_one_line(run, measures_dir):
    result = run("update", "14", "--note", "第一行\n第二行", "--date", "2022-05-20", "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\n") == 1 and "第一行\\x0a第二行" in result.stdout


def test_warnings_about_other_files_stay_one_line_each(run, measures_dir):
    other = measures_dir / "05.yaml"
    other.write_text(other.read_text(encoding="utf-8") + '"x\\n/forged.yaml:1: fake": 1\n', encoding="utf-8")
    result = run("update", "14", "--note", "测试", "--date", "2022-05-20", "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{other}:") and "\\x0a/forged.yaml:1: fake" in lines[0]
    assert not any(line.startswith("/forged.yaml") for line in lines)


def test_what_edits_escape_is_what_yaml_refuses_and_the_separators():
    """The characters a write escapes in a double-quoted scalar: those PyYAML refuses unescaped,
    NEL, LS, PS and the BOM (YAML would read them as line breaks or drop them), and the bidi
    controls (a diff would show the line reordered)."""
    import sys

    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    ours = {m.group() for m in edit._NOT_PRINTABLE.finditer(everything)}
    refused = {m.group() for m in yaml.reader.Reader.NON_PRINTABLE.finditer(everything)}
    bidi = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert ours == refused | set("\x85\u2028\u2029\ufeff") | bidi


# --- where a forced entry goes and what it says (cases a changed comparison would get wrong) ----

def _log_of_two(run, folder):
    """Measure 14 with entries 05-20 in_progress and 05-25 blocked: status blocked."""
    for status, when in (("in_progress", "2022-05-20"), ("blocked", "2022-05-25")):
        assert run("update", "14", "-s", status, "--date", when, "--dir", folder).exit_code == 0


def test_a_forced_note_between_entries_takes_the_status_in_effect_on_its_date(run, measures_dir):
    _log_of_two(run, measures_dir)
    result = run("update", "14", "-n", "补录", "--date", "2022-05-22", "--force", "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{measures_dir / '14.yaml'}: 措施 14: added progress 2022-05-22 推进中: 补录\n"
    shown = show_json(run, measures_dir, 14)
    assert [(p["date"], p["status"], p["note"]) for p in shown["progress"]] == [
        ("2022-05-20", "in_progress", None), ("2022-05-22", "in_progress", "补录"), ("2022-05-25", "blocked", None)]
    assert shown["status"] == "blocked"


def test_a_forced_note_before_every_entry_takes_the_measures_status(run, measures_dir):
    _log_of_two(run, measures_dir)
    result = run("update", "14", "-n", "最早", "--date", "2022-05-01", "--force", "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    assert "added progress 2022-05-01 受阻: 最早" in result.stdout
    assert [p["date"] for p in show_json(run, measures_dir, 14)["progress"]] == ["2022-05-01", "2022-05-20", "2022-05-25"]


def test_a_forced_entry_on_an_entrys_date_goes_after_it(run, measures_dir):
    _log_of_two(run, measures_dir)
    result = run("update", "14", "-n", "同日", "--date", "2022-05-20", "--force", "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    assert [(p["date"], p["note"]) for p in show_json(run, measures_dir, 14)["progress"]] == [
        ("2022-05-20", None), ("2022-05-20", "同日"), ("2022-05-25", None)]


def test_an_earlier_date_is_refused_in_words_that_name_both_dates(run, measures_dir):
    _log_of_two(run, measures_dir)
    assert run("update", "14", "-n", "第三条", "--date", "2022-05-30", "--dir", measures_dir).exit_code == 0
    result = run("update", "14", "-n", "x", "--date", "2022-05-21", "--dir", measures_dir)
    assert result.exit_code == 2
    assert result.stderr == ("portcli: 2022-05-21 is before measure 14's last progress entry (2022-05-30); "
                             "entries go oldest first; pass --force to record an earlier date\n")


def test_a_forced_status_under_a_newer_entry_says_which_entry_keeps_it(run, measures_dir):
    _log_of_two(run, measures_dir)
    result = run("update", "14", "-s", "done", "--date", "2022-05-21", "--force", "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    assert "status stays 受阻: the entry of 2022-05-25 is newer" in result.stdout
    assert "status: blocked\n" in (measures_dir / "14.yaml").read_text(encoding="utf-8")


def test_the_status_it_already_has_adds_the_entry_and_changes_no_line(run, measures_dir):
    path = measures_dir / "14.yaml"
    before = path.read_text(encoding="utf-8")
    result = run("update", "14", "-s", "未启动", "--by", "海关", "--date", "2022-05-20", "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    assert "→" not in result.stdout and "added progress 2022-05-20 未启动 by 天津海关" in result.stdout
    assert path.read_text(encoding="utf-8") == before.replace(
        "progress: []\n", "progress:\n  - {date: 2022-05-20, status: not_started, by: 天津海关}\n")


# --- refusals in their exact words, and files changed under the write -------------------------

def test_no_such_measure_says_so_and_points_at_other_problems_only_when_there_are_some(run, measures_dir):
    clean = run("update", "99", "-n", "x", "--date", "2022-05-20", "--dir", measures_dir)
    assert (clean.exit_code, clean.stderr) == (2, "portcli: no measure with id 99\n")
    (measures_dir / "03.yaml").write_text("id: 3\n", encoding="utf-8")
    broken = run("update", "99", "-n", "x", "--date", "2022-05-20", "--dir", measures_dir)
    assert broken.exit_code == 2
    assert broken.stderr.endswith("portcli: no measure with id 99; the problems above may be why\n")


def test_by_a_unit_of_another_measure_names_the_measures_units(run, measures_dir):
    result = run("update", "14", "-n", "x", "--by", "市财政局", "--date", "2022-05-20", "--dir", measures_dir)
    assert result.stderr == ("portcli: --by: 市财政局 is not one of measure 14's units "
                             "(市商务局、天津海关、天津海事局、中铁北京局天津办事处、天津港集团)\n")


def test_a_note_that_is_not_utf8_is_refused(run, measures_dir):
    before = snapshot(measures_dir)
    result = run("update", "14", "-n", "a\udcffb", "--date", "2022-05-20", "--dir", measures_dir)
    assert (result.exit_code, result.stderr) == (2, "portcli: --note is not valid UTF-8 text\n")
    assert snapshot(measures_dir) == before


def test_a_link_to_a_file_inside_the_folder_is_read_but_not_written(run, measures_dir):
    (measures_dir / "drafts").mkdir()
    (measures_dir / "14.yaml").rename(measures_dir / "drafts" / "14.yaml")
    (measures_dir / "14.yaml").symlink_to(measures_dir / "drafts" / "14.yaml")
    assert run("validate", "--dir", measures_dir).exit_code == 0
    before = snapshot(measures_dir / "drafts")
    result = run(*DONE_MEANS, "--dir", measures_dir)
    assert snapshot(measures_dir / "drafts") == before and (measures_dir / "14.yaml").is_symlink()
    assert result.stderr == (f"portcli: {measures_dir / '14.yaml'} is a symbolic link; portcli writes only "
                             "regular files in the measures folder\n")


@pytest.mark.parametrize("empty", ["progress:", "progress: null", "progress: ~  # none yet"])
def test_an_empty_progress_list_in_any_spelling_gets_its_first_entry(run, measures_dir, empty):
    path = measures_dir / "14.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("progress: []", empty), encoding="utf-8")
    result = run("update", "14", "-n", "首条", "--date", "2022-05-20", "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    assert [p["note"] for p in show_json(run, measures_dir, 14)["progress"]] == ["首条"]
    assert "  - {date: 2022-05-20, status: not_started, note: 首条}\n" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("now, encoding, problem, message", [
    ("id: 41\n", "utf-8", None, "now holds measure 41, not 14; run the command again"),
    ("id: [\n", "utf-8", ":2: ", "has problems; fix them first, nothing was written"),
    ("id: 14\n", "gbk", ":1: not UTF-8", "has problems; fix them first, nothing was written"),
    ("id: 14\nowner: x\n", "utf-8", ":3: unknown key `owner` in a measure", "has problems; fix them first, nothing was written"),
])
def test_a_file_changed_by_hand_after_the_folder_was_read_is_not_written(run, measures_dir, monkeypatch, now,
                                                                        encoding, problem, message):
    """Someone saves 14.yaml in an editor between the folder's loading and the write's own read:
    the write decides from the file as it is then, and names its problems at their lines."""
    from portcli import record
    path = measures_dir / "14.yaml"
    changed = path.read_text(encoding="utf-8").replace("id: 14\n", now).encode(encoding)
    real_load = record.load

    def load_then_edit(folder):
        loaded = real_load(folder)
        path.write_bytes(changed)
        return loaded

    monkeypatch.setattr(record, "load", load_then_edit)
    result = run("update", "14", "-n", "x", "--date", "2022-05-20", "--dir", measures_dir)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[-1] == f"portcli: {path} {message}"
    if problem:
        assert lines[0].startswith(f"{path}{problem}"), lines
    assert path.read_bytes() == changed


def test_what_update_prints_as_json_is_read_against_the_plan(run, measures_dir):
    """The plan's year gives 5月底前 its date in the measure update hands back, as in a fresh read."""
    (measures_dir / "_plan.yaml").write_text((measures_dir / "_plan.yaml").read_text(encoding="utf-8").replace(
        "year: 2022", "year: 2023"), encoding="utf-8")
    result = run("update", "14", "-n", "x", "--date", "2023-05-20", "--dir", measures_dir, "--format", "json")
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert (printed["due"], printed["task_title"]) == ("2023-05-31", show_json(run, measures_dir, 14)["task_title"])
    assert printed == show_json(run, measures_dir, 14)


def test_nothing_to_record_says_what_to_give(run, measures_dir):
    result = run("update", "14", "--date", "2022-05-20", "--dir", measures_dir)
    assert (result.exit_code, result.stderr) == (2, "portcli: nothing to record: give --status, --note or both\n")
