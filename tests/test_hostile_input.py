"""Hostile and broken measure files (issue 6, items 2 and 3): each ends in a clear problem
naming its file and line, or is read correctly; nothing executes, hangs or is silently lost.

Every case is a file as a person or a pull request could leave it in measures/, run through
the real CLI. docs/RELIABILITY.md lists them with what portcli does.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MEASURE_14 = (Path(__file__).resolve().parents[1] / "measures" / "14.yaml").read_text(encoding="utf-8")


def problems(result) -> list[str]:
    return result.stderr.splitlines()


def only_problem(result, file: Path) -> tuple[int, str]:
    """The exit is 2 and the one problem is about `file`: its line and message."""
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    [line] = problems(result)
    match = re.fullmatch(re.escape(str(file)) + r":(\d+): (.+)", line)
    assert match, line
    return int(match[1]), match[2]


def listed_ids(run, folder: Path) -> list[int]:
    result = run("list", "--format", "json", "--as-of", "2022-06-01", "--dir", folder)
    return [m["id"] for m in json.loads(result.stdout)]


def as_measure_90(text: str) -> str:
    """Measure 14's text as a new measure 90: a valid file to break one way at a time."""
    return text.replace("id: 14", "id: 90", 1)


# --- item 2: hostile YAML ---------------------------------------------------------------------


@pytest.mark.parametrize("value, shown", [
    ('!!python/object/apply:os.system ["touch {marker}"]', "!!python/object/apply:os.system"),
    ('!!python/object/new:subprocess.Popen [["touch", "{marker}"]]', "!!python/object/new:subprocess.Popen"),
    ("!!python/name:os.system", "!!python/name:os.system"),
    ("!!python/module:os", "!!python/module:os"),
    ("!!binary aGVsbG8=", "!!binary"),
    ("!!set {a, b}", "!!set"),
    ("!!omap [a: 1]", "!!omap"),
    ("!!pairs [a: 1]", "!!pairs"),
    ("!foo 5", "!foo"),
    ("!<tag:example.com,2000:app/x> 5", "tag:example.com,2000:app/x"),
    ("! 5", "!"),
])
def test_non_core_tags_are_refused_and_nothing_runs(run, measures_dir, tmp_path, value, shown):
    marker = tmp_path / "executed"
    path = measures_dir / "90.yaml"
    path.write_text(as_measure_90(MEASURE_14).replace("task: 5", "task: " + value.replace("{marker}", str(marker))),
                    encoding="utf-8")
    line, message = only_problem(run("validate", "--dir", measures_dir), path)
    assert line == 3
    assert message.startswith(f"the tag {shown} is not allowed") and "remove the tag" in message
    assert not marker.exists()


def test_core_tags_are_read_as_written(run, measures_dir):
    (measures_dir / "90.yaml").write_text(
        as_measure_90(MEASURE_14).replace("task: 5", 'task: !!int "5"').replace("units_note: null",
                                                                                 "units_note: !!str 2022"),
        encoding="utf-8")
    result = run("show", "90", "--format", "json", "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    assert (json.loads(result.stdout)["task"], json.loads(result.stdout)["units_note"]) == (5, "2022")


def test_a_billion_laughs_ends_at_its_first_anchor(run, measures_dir):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{c}: &{c} [{','.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi")]
    path = measures_dir / "90.yaml"
    path.write_text("id: 90\n" + "\n".join(lines) + "\n", encoding="utf-8")
    line, message = only_problem(run("validate", "--dir", measures_dir), path)
    assert (line, message) == (2, "anchors (&name) and aliases (*name) are not allowed in portcli files; "
                                  "write the value out in full")


@pytest.mark.parametrize("text, line", [
    ("{base}progress:\n  - &entry {{date: 2022-05-20, status: done}}\n", 14),
    ("{base}extensions:\n  - *entry\n", 14),
    ("{base}progress:\n  - <<: *entry\n    date: 2022-05-20\n", 14),
])
def test_anchors_aliases_and_merges_are_refused(run, measures_dir, text, line):
    path = measures_dir / "90.yaml"
    path.write_text(text.format(base=as_measure_90(MEASURE_14).replace("progress: []\n", "")), encoding="utf-8")
    assert only_problem(run("validate", "--dir", measures_dir), path)[0] == line


def test_an_alias_in_the_plan_is_refused_too(run, measures_dir):
    plan = measures_dir / "_plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("aliases: [海关]", "aliases: &x [海关]"), encoding="utf-8")
    result = run("validate", "--dir", measures_dir)
    assert problems(result)[0].startswith(f"{plan}:")
    assert "anchors (&name) and aliases (*name) are not allowed" in result.stderr


def test_a_file_over_one_mib_is_refused_unread(run, measures_dir):
    """A 64 GiB sparse file: reading it whole would not end; the size alone refuses it."""
    path = measures_dir / "90.yaml"
    with open(path, "wb") as f:
        f.truncate(64 << 30)
    line, message = only_problem(run("validate", "--dir", measures_dir), path)
    assert (line, message) == (1, "is 65536.0 MiB; a measure file holds one measure (a few KB) and may be "
                                  "at most 1 MiB: is this the right file?")


def test_one_mib_is_allowed_and_one_byte_more_is_not(run, measures_dir):
    path = measures_dir / "90.yaml"
    text = as_measure_90(MEASURE_14).encode("utf-8")
    path.write_bytes(text + b"#" * ((1 << 20) - len(text)))
    assert run("validate", "--dir", measures_dir).exit_code == 0
    path.write_bytes(text + b"#" * ((1 << 20) - len(text) + 1))
    assert "may be at most 1 MiB" in only_problem(run("validate", "--dir", measures_dir), path)[1]


@pytest.mark.parametrize("text", ["[" * 10_000, "{" * 10_000, "- " * 5_000,
                                  "".join(" " * i + "-\n" for i in range(1_100))])
def test_deep_nesting_is_a_problem_not_a_recursion_error(run, measures_dir, text):
    path = measures_dir / "90.yaml"
    path.write_text(text, encoding="utf-8")
    line, message = only_problem(run("validate", "--dir", measures_dir), path)
    assert message == "nested more than 1000 levels deep; a measure file needs only a few levels"


def test_nesting_just_under_the_limit_is_quoted_briefly(run, measures_dir):
    path = measures_dir / "90.yaml"
    path.write_text(as_measure_90(MEASURE_14).replace("id: 90", "id: " + "[" * 998 + "]" * 998), encoding="utf-8")
    line, message = only_problem(run("validate", "--dir", measures_dir), path)
    assert (line, message) == (2, "`id` must be a whole number from 1 to 999999999, not [[[[...]]]]")


def test_a_link_out_of_the_folder_is_not_followed(run, measures_dir, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("token: s3cr3t-value\n", encoding="utf-8")
    link = measures_dir / "90.yaml"
    link.symlink_to(secret)
    result = run("validate", "--dir", measures_dir)
    line, message = only_problem(result, link)
    assert message == (f"is a symbolic link to {secret}, outside its folder {measures_dir}; portcli reads only "
                       "files inside the measures folder: replace the link with the file itself")
    assert "s3cr3t" not in result.stdout + result.stderr


def test_a_link_within_the_folder_is_read(run, measures_dir):
    (measures_dir / "drafts").mkdir()
    (measures_dir / "drafts" / "90.yaml").write_text(as_measure_90(MEASURE_14), encoding="utf-8")
    (measures_dir / "90.yaml").symlink_to(Path("drafts") / "90.yaml")
    assert 90 in listed_ids(run, measures_dir)


@pytest.mark.parametrize("make, message", [
    (lambda p: p.symlink_to(p.name), "is a symbolic link that loops (it leads back to itself); remove it"),
    (lambda p: (p.symlink_to("91.yaml"), p.with_name("91.yaml").symlink_to(p.name)),
     "is a symbolic link that loops (it leads back to itself); remove it"),
    (lambda p: p.symlink_to("gone.yaml"),
     "is a symbolic link to gone.yaml, which does not exist; remove the link or restore its target"),
    (lambda p: p.mkdir(), "is a folder, not a file; only measure files may be named *.yaml in the measures "
                          "folder: rename the folder or move it out"),
])
def test_links_and_folders_named_yaml(run, measures_dir, make, message):
    path = measures_dir / "90.yaml"
    make(path)
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2
    assert f"{path}:1: {message}" in problems(result)
    assert len(listed_ids(run, measures_dir)) == 25  # the others are all still there


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_named_yaml_does_not_hang(measures_dir):
    """Run as a user runs it (the console script's module), with a generous guard against a hang."""
    fifo = measures_dir / "90.yaml"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "portcli", "validate", "--dir", str(measures_dir)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr == (f"{fifo}:1: is not an ordinary file (a pipe, socket or device); "
                             "remove it and save the measure as an ordinary file\n")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file(run, measures_dir):
    path = measures_dir / "90.yaml"
    path.write_text(as_measure_90(MEASURE_14), encoding="utf-8")
    path.chmod(0)
    assert only_problem(run("validate", "--dir", measures_dir), path)[1] == \
        "cannot read: permission denied; make the file readable (chmod a+r)"


@pytest.mark.parametrize("text", ["", "\n\n", "   \n", "# 措施 90, to be written\n# later\n", "---\n"])
def test_empty_or_comment_only_files(run, measures_dir, text):
    path = measures_dir / "90.yaml"
    path.write_text(text, encoding="utf-8")
    assert only_problem(run("validate", "--dir", measures_dir), path) == (
        1, "the file is empty (or holds only comments): write the measure's keys (id, task, national, …) "
           "or delete the file")


@pytest.mark.parametrize("change, line, key, first", [
    (("task: 5\n", "task: 5\ntask: 6\n"), 4, "task", 3),
    (("status: not_started\n", "status: not_started\nid: 91\n"), 13, "id", 2),
    (("progress: []", "progress:\n  - {date: 2022-05-20, status: done, status: blocked}"), 14, "status", 14),
    (("progress: []", "progress:\n  - date: 2022-05-20\n    note: a\n    note: b\n    status: done"), 16, "note", 15),
])
def test_a_key_given_twice(run, measures_dir, change, line, key, first):
    path = measures_dir / "90.yaml"
    path.write_text(as_measure_90(MEASURE_14).replace(*change), encoding="utf-8")
    assert only_problem(run("validate", "--dir", measures_dir), path) == (
        line, f"the key `{key}` is given twice (also on line {first}); YAML would silently keep only the last "
              "one: remove one of them")


@pytest.mark.parametrize("value, message", [
    ("2022-02-30", "2022-02-30 is not a real date (day is out of range for month); write a date such as 2022-05-31"),
    ("2022-13-01", "2022-13-01 is not a real date (month must be in 1..12); write a date such as 2022-05-31"),
    ("2022-05-31 10:00:00", "`due` must be a date such as 2022-05-31, without a time"),
    ("1" + "0" * 5000, "the number '100000000000000000000000000...0000000000000000000000000000' is too long; "
                       "quote it if it is meant as text"),
])
def test_values_yaml_cannot_build(run, measures_dir, value, message):
    path = measures_dir / "90.yaml"
    path.write_text(as_measure_90(MEASURE_14).replace("status:", f"due: {value}\nstatus:"), encoding="utf-8")
    assert only_problem(run("validate", "--dir", measures_dir), path) == (12, message)


def test_a_misnamed_measure_file_is_reported_not_skipped(run, measures_dir):
    for name in ("90.yml", "91.YAML"):
        (measures_dir / name).write_text(as_measure_90(MEASURE_14), encoding="utf-8")
    result = run("validate", "--dir", measures_dir)
    assert problems(result) == [f"{measures_dir / '90.yml'}:1: not read: measure files end in .yaml; rename it to 90.yaml",
                                f"{measures_dir / '91.YAML'}:1: not read: measure files end in .yaml; rename it to 91.yaml"]


def test_editor_and_system_dotfiles_are_not_measures(run, measures_dir):
    (measures_dir / ".#14.yaml").symlink_to("root@host.1234:1650000000")  # an Emacs lock
    (measures_dir / "._14.yaml").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")  # macOS AppleDouble
    result = run("validate", "--dir", measures_dir)
    assert (result.exit_code, result.stderr) == (0, "")



@pytest.mark.parametrize("char", ["\x1b", "\x00", "\x07", "\x9b", "\ufffe"])
def test_a_raw_control_character_in_a_file_is_named(run, measures_dir, char):
    """YAML allows controls only as escapes in double quotes; a raw one (a paste from a terminal) is named."""
    path = measures_dir / "14.yaml"
    path.write_text(MEASURE_14.replace("units_note: null", f"units_note: a{char}b"), encoding="utf-8")
    assert only_problem(run("validate", "--dir", measures_dir), path) == (
        10, f"the character U+{ord(char):04X} is not allowed in YAML (a control character); delete it, "
            "or write it as an escape such as \\x1b inside a double-quoted string")

# --- item 3: encodings and editors' habits ------------------------------------------------


def test_utf8_with_bom_and_crlf_is_read(run, measures_dir):
    (measures_dir / "14.yaml").write_bytes(b"\xef\xbb\xbf" + MEASURE_14.replace("\n", "\r\n").encode("utf-8"))
    result = run("show", "14", "--format", "json", "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["units"][0] == "市商务局" and len(shown["local"]) == 3
    assert not any("\r" in text for text in shown["local"])


def test_crlf_files_report_the_right_line(run, measures_dir):
    path = measures_dir / "14.yaml"
    path.write_bytes(MEASURE_14.replace("status: not_started", "status: don").replace("\n", "\r\n").encode("utf-8"))
    line, message = only_problem(run("validate", "--dir", measures_dir), path)
    assert (line, MEASURE_14.splitlines()[line - 1]) == (12, "status: not_started")


def test_old_mac_line_endings_are_read(run, measures_dir):
    (measures_dir / "14.yaml").write_bytes(MEASURE_14.replace("\n", "\r").encode("utf-8"))
    assert run("validate", "--dir", measures_dir).exit_code == 0


@pytest.mark.parametrize("encoding, named", [("gbk", "GBK"), ("gb18030", "GB18030")])
def test_gbk_and_gb18030_files_are_named_and_the_fix_works(run, measures_dir, encoding, named):
    path = measures_dir / "14.yaml"
    text = MEASURE_14 if encoding == "gbk" else MEASURE_14.replace("progress: []", "progress: []\n# 𠀀")
    path.write_bytes(text.encode(encoding))
    line, message = only_problem(run("validate", "--dir", measures_dir), path)
    assert line == 1
    quoted = shlex.quote(str(path))
    fix = f"iconv -f {named} -t UTF-8 {quoted} > {quoted}.tmp && mv {quoted}.tmp {quoted}"
    first = "措".encode(encoding)[0]  # the first non-ASCII character of the file: 措施 14 on line 1
    assert message == (f"not UTF-8 (byte {first:#04x}); "
                       f"the file looks {named}-encoded; convert it with `{fix}`, or save it as UTF-8 in your editor")
    if shutil.which("iconv") and shutil.which("sh"):
        subprocess.run(["sh", "-c", fix], check=True)
        assert path.read_text(encoding="utf-8") == text
        assert run("validate", "--dir", measures_dir).exit_code == 0


def test_utf16_files_are_named(run, measures_dir):
    path = measures_dir / "14.yaml"
    path.write_bytes(MEASURE_14.encode("utf-16"))
    line, message = only_problem(run("validate", "--dir", measures_dir), path)
    assert "the file looks UTF-16 (what Windows Notepad calls \"Unicode\"); convert it with `iconv -f UTF-16" in message


def test_latin1_files_are_not_called_chinese(run, measures_dir):
    path = measures_dir / "90.yaml"
    path.write_bytes("id: 90\nnote: café crème\n".encode("latin-1"))
    line, message = only_problem(run("validate", "--dir", measures_dir), path)
    assert (line, message) == (2, "not UTF-8 (byte 0xe9); save it as UTF-8 (in your editor: Save As, encoding UTF-8)")


@pytest.mark.parametrize("change, line", [
    (("\ntask:", "\n\ttask:"), 3),
    (("\n  - 提升", "\n\t- 提升"), 7),
    (("\n  - 提升", "\n \t- 提升"), 7),
    (("\n  - 提升", "\n  -\t提升"), 7),
    (("progress: []", "progress:\n  - date: 2022-05-20\n\tstatus: done"), 15),
    (("progress: []", "progress:\n  - date: 2022-05-20\n  \t  status: done"), 15),
])
def test_tabs_used_for_indentation_are_named_at_their_line(run, measures_dir, change, line):
    path = measures_dir / "14.yaml"
    path.write_text(MEASURE_14.replace(*change), encoding="utf-8")
    assert only_problem(run("validate", "--dir", measures_dir), path) == (
        line, "tabs are not allowed for indentation in YAML; indent with spaces")


def test_a_tab_between_key_and_value_is_fine(run, measures_dir):
    (measures_dir / "14.yaml").write_text(MEASURE_14.replace("task: 5", "task:\t5"), encoding="utf-8")
    assert run("validate", "--dir", measures_dir).exit_code == 0


def test_full_width_digits_and_spaces_are_read_as_typed(run, measures_dir):
    """What a Chinese input method types: full-width digits, dashes and the ideographic space."""
    text = (MEASURE_14.replace("id: 14", "id: １４").replace("task: 5", "task: ５")
            .replace("deadline: 5月底前", "deadline: ５\u3000月底前")
            .replace("status: not_started", "status: not_started\ndue: ２０２２－０６－３０")
            .replace("progress: []", "progress:\n  - {date: ２０２２年５月２０日, status: 推进中, by: 天津海关}"))
    (measures_dir / "14.yaml").write_text(text, encoding="utf-8")
    result = run("show", "14", "--format", "json", "--as-of", "2022-06-01", "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert (shown["id"], shown["task"], shown["deadline"], shown["due"], shown["progress"][0]["date"]) == \
        (14, 5, "5月底前", "2022-06-30", "2022-05-20")


@pytest.mark.parametrize("value", ["１４ａ", "十四", "1.5", "-3", "0"])
def test_ids_that_are_not_whole_numbers_are_refused(run, measures_dir, value):
    path = measures_dir / "14.yaml"
    path.write_text(MEASURE_14.replace("id: 14", f"id: {value}"), encoding="utf-8")
    line, message = only_problem(run("validate", "--dir", measures_dir), path)
    assert line == 2 and message.startswith("`id` must be a whole number from 1 to 999999999, not ")


@pytest.mark.parametrize("status, suggestion", [("don", "done"), ("in-progress", "in_progress"),
                                                ("推进", "推进中"), ("DONE", "done"), ("blocked ", None), ("finished", "")])
def test_unknown_statuses_suggest_the_near_one(run, measures_dir, status, suggestion):
    path = measures_dir / "14.yaml"
    path.write_text(MEASURE_14.replace("status: not_started", f"status: '{status}'"), encoding="utf-8")
    result = run("validate", "--dir", measures_dir)
    if suggestion is None:  # a trailing space is forgiven
        assert result.exit_code == 0
        return
    line, message = only_problem(result, path)
    assert line == 12 and message.startswith(f"unknown status {status!r}")
    assert (f"; did you mean {suggestion}" in message) if suggestion else "did you mean" not in message


def test_unknown_status_on_the_command_line_suggests_too(run, measures_dir):
    result = run("list", "--status", "don", "--dir", measures_dir)
    assert result.exit_code == 2
    assert result.stderr.startswith("portcli: unknown status 'don'; did you mean done?")


# --- the syntax mistakes hands make, in words that say what to do --------------------------


@pytest.mark.parametrize("change, line, starts", [
    (("task: 5", "task 5"), 3, "this line is neither `key: value` nor a list item `- …`"),
    (("task: 5", "task： 5"), 3, "this line is neither `key: value` nor a list item `- …`"),
    (("\n  - 提升", "\n  -提升"), 7, "this line is neither `key: value` nor a list item `- …`"),
    (("units_note: null", 'units_note: "按职责'), 10, "a quote opened on this line is never closed"),
    (("天津港集团]", "天津港集团"), 9, "a [ or { opened on this line is not closed"),
    (("units_note: null", "units_note: 说明: 按职责"), 10, "a colon and a space (`: `) inside a value"),
    (("\ntask: 5", "\n  task: 5"), 3, "a colon and a space (`: `) inside a value, or a key indented deeper"),
    (("units_note: null", "units_note: @市商务局"), 10, "a value cannot start with `@` in YAML: put the value in quotes"),
    (("units_note: null", "units_note: `x`"), 10, "a value cannot start with ``` in YAML"),
    (("units_note: null", 'units_note: "单一窗口"建设'), 10, "this line does not line up with the keys above it"),
    (("\n  - 提升", "\n - 提升"), 7, "this line does not line up with the keys above it"),
    (("progress: []", "progress:\n  - date: 2022-05-20\n  status: done"), 15,
     "this line does not line up with the list items above it"),
    (("units_note: null", 'units_note: "C:\\path"'), 10, "inside double quotes a backslash starts an escape"),
    (("progress: []", "progress: []\n---\nid: 90"), 14, "a second YAML document (after a `---` line)"),
])
def test_syntax_mistakes_say_what_to_do(run, measures_dir, change, line, starts):
    path = measures_dir / "14.yaml"
    path.write_text(MEASURE_14.replace(*change), encoding="utf-8")
    got_line, message = only_problem(run("validate", "--dir", measures_dir), path)
    assert (got_line, message[: len(starts)]) == (line, starts)


def test_a_list_item_indented_too_deep_is_not_joined_to_the_one_above(run, measures_dir):
    """YAML reads `    - 提升…` under `  - 稳步…` as more of the first item's text: two items become one."""
    path = measures_dir / "14.yaml"
    path.write_text(MEASURE_14.replace("\n  - 提升", "\n    - 提升"), encoding="utf-8")
    assert only_problem(run("validate", "--dir", measures_dir), path) == (
        7, "this line starts like a list item (`- `), but YAML reads it as more of the text that starts on "
           "line 6: if it is a new item, indent it like the items before it; if the dash belongs to the text, "
           "put the text in quotes")


@pytest.mark.parametrize("change, line, message", [
    (("national: 稳步推进进口货物“船边直提”和出口货物“抵港直装”试点工作。探索推进符合条件的进口货物车船直取、水水中转、铁水联运发展。\n", ""),
     2, "missing key `national`: add a line `national: …` (docs/SPEC.md §2 lists the keys)"),
    (("units: [市商务局, 天津海关, 天津海事局, 中铁北京局天津办事处, 天津港集团]", "units: 市商务局"),
     9, "`units` must be a non-empty list of unit names, lead unit first, such as [市商务局, 天津海关]"),
    (("units: [市商务局,", "units: [天津海官, 市商务局,"),
     9, "unknown unit '天津海官'; did you mean 天津海关, 天津海事局 or 天津滨海国际机场? (units are registered in _plan.yaml)"),
    (("progress: []", "progress:\n  - {date: 5月20日, status: done}"),
     14, "`date`: '5月20日' is not a date; write it as 2022-05-31, 2022/5/31 or 2022年5月31日"),
    (("status: not_started", "status: 完成"), 12, "unknown status '完成'; did you mean 已完成? "
                                                  "(one of not_started, in_progress, blocked, ongoing, done or "
                                                  "未启动、推进中、受阻、持续推进、已完成)"),
])
def test_hand_broken_copies_say_what_to_do(run, measures_dir, change, line, message):
    path = measures_dir / "14.yaml"
    assert change[0] in MEASURE_14
    path.write_text(MEASURE_14.replace(*change), encoding="utf-8")
    assert only_problem(run("validate", "--dir", measures_dir), path) == (line, message)


def test_a_merge_conflict_left_in_is_named(run, measures_dir):
    """Measure files are merged in pull requests; a conflict committed by mistake is named as one."""
    path = measures_dir / "14.yaml"
    path.write_text(MEASURE_14.replace("status: not_started\n", "<<<<<<< HEAD\nstatus: done\n=======\n"
                                       "status: blocked\n>>>>>>> unit-update\n"), encoding="utf-8")
    assert only_problem(run("validate", "--dir", measures_dir), path) == (
        12, "an unresolved merge conflict (<<<<<<< … ======= … >>>>>>>): keep the right lines and delete the "
            "marker lines")
