"""Output injection (issue 6, item 4): data never drives the terminal, never turns into rich
markup, and never breaks a JSON document or a problem line.

A file can carry any character through YAML's double-quoted escapes ("\\e", "\\x9b", "\\u202e"),
so every text a measure or the plan holds is tried, in every table and JSON path.
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

MEASURE_14 = (Path(__file__).resolve().parents[1] / "measures" / "14.yaml").read_text(encoding="utf-8")

# Every C0 control but newline and tab, DEL, every C1 control, and the bidi embeddings,
# overrides and isolates (U+202A–202E, U+2066–2069) that reorder what a terminal shows.
CONTROLS = [chr(c) for c in [*range(0x00, 0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0), *range(0x202a, 0x202f),
                             *range(0x2066, 0x206a)]]
RAW = re.compile("[" + "".join(re.escape(c) for c in CONTROLS) + "]")
HOSTILE = "red\x1b[31m bell\x07 csi\x9b2J rlo\u202eevil [bold red]markup[/] [link=https://x.invalid]click[/link] :smile:"


def escaped(char: str) -> str:
    """How portcli shows a control character: as its Python escape, written out independently."""
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def yaml_quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar, every control written as an escape."""
    return '"' + "".join(f"\\u{ord(c):04x}" if c in CONTROLS or c in '"\\' else c for c in text) + '"'


@pytest.fixture
def hostile_dir(measures_dir):
    """Measure 14 with a hostile text in every field a person writes, and a hostile unit in the plan."""
    plan = measures_dir / "_plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "english: Tianjin Customs", f"english: {yaml_quoted('Tianjin Customs ' + HOSTILE)}"), encoding="utf-8")
    text = (MEASURE_14
            .replace("units_note: null", f"units_note: {yaml_quoted('note ' + HOSTILE)}")
            .replace("local:\n  - ", f"local:\n  - {yaml_quoted('local ' + HOSTILE)}\n  - ")
            .replace("progress: []", "progress:\n  - {date: 2022-05-20, status: in_progress, by: 天津海关, note: "
                                     + yaml_quoted("progress " + HOSTILE) + "}\n"
                                     "extensions:\n  - {date: 2022-05-25, from: 2022-05-31, to: 2022-06-30, reason: "
                                     + yaml_quoted("reason " + HOSTILE) + "}"))
    (measures_dir / "14.yaml").write_text(text, encoding="utf-8")
    return measures_dir


COMMANDS = [("show", "14"), ("list",), ("list", "--search", "local"), ("overdue",), ("report",),
            ("report", "--unit", "天津海关"), ("units",), ("validate",)]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_tables_show_controls_escaped_and_markup_literal(run, hostile_dir, command):
    as_of = () if command[0] in ("units", "validate") else ("--as-of", "2022-07-15")
    # wide enough that no column folds the hostile text across lines
    result = run(*command, *as_of, "--dir", hostile_dir, env={"COLUMNS": "400"})
    assert (result.exit_code, result.stderr) == (0, "")
    assert not RAW.search(result.stdout)
    if command[0] in ("show", "units"):  # the ones that print the hostile texts in full
        assert "[bold red]markup[/] [link=https://x.invalid]click[/link] :smile:" in result.stdout
        assert f"red{escaped(chr(0x1b))}[31m bell{escaped(chr(7))} csi{escaped(chr(0x9b))}2J " \
               f"rlo{escaped(chr(0x202e))}evil" in result.stdout


def test_every_control_character_is_escaped_in_a_table(run, measures_dir):
    note = "<" + "".join(CONTROLS) + ">"
    (measures_dir / "14.yaml").write_text(MEASURE_14.replace(
        "units_note: null", f"units_note: {yaml_quoted(note)}"), encoding="utf-8")
    result = run("show", "14", "--dir", measures_dir)
    assert result.exit_code == 0
    assert "<" + "".join(escaped(c) for c in CONTROLS) + ">" in result.stdout.replace("\n", "").replace(" ", "")
    assert not RAW.search(result.stdout)


@pytest.mark.parametrize("command", [("show", "14"), ("list",), ("overdue",), ("report",), ("units",)], ids=" ".join)
def test_json_carries_every_text_exactly_and_stays_one_document(run, hostile_dir, command):
    extra = () if command[0] == "units" else ("--as-of", "2022-07-15")
    result = run(*command, "--format", "json", *extra, "--dir", hostile_dir)
    assert (result.exit_code, result.stderr) == (0, "")
    document = json.loads(result.stdout)  # one whole document: nothing broke out of a string
    assert not RAW.search(result.stdout)
    assert "\u2028" not in result.stdout and "\u2029" not in result.stdout
    assert document


def test_json_gives_back_the_exact_texts(run, hostile_dir):
    shown = json.loads(run("show", "14", "--format", "json", "--dir", hostile_dir).stdout)
    assert shown["units_note"] == "note " + HOSTILE
    assert shown["local"][0] == "local " + HOSTILE
    assert shown["progress"][0]["note"] == "progress " + HOSTILE
    assert shown["extensions"][0]["reason"] == "reason " + HOSTILE
    units = json.loads(run("units", "--format", "json", "--dir", hostile_dir).stdout)
    assert "Tianjin Customs " + HOSTILE in [u["english"] for u in units]


def test_line_separators_are_escaped_in_json(run, measures_dir):
    """U+2028/9 are legal in JSON, but JavaScript before ES2019 and line-based readers split on them."""
    (measures_dir / "14.yaml").write_text(MEASURE_14.replace(
        "units_note: null", 'units_note: "a\\Lb\\Pc\\Nd"'), encoding="utf-8")
    result = run("show", "14", "--format", "json", "--dir", measures_dir)
    assert '"units_note": "a\\u2028b\\u2029c\\u0085d"' in result.stdout
    assert json.loads(result.stdout)["units_note"] == "a\u2028b\u2029c\u0085d"


def test_a_problem_is_one_line_whatever_the_key_holds(run, measures_dir):
    path = measures_dir / "14.yaml"
    path.write_text(MEASURE_14 + '"x\\nmeasures/02.yaml:1: forged\\e[2J\\u202e": 1\n', encoding="utf-8")
    result = run("validate", "--dir", measures_dir)
    assert result.stderr == (f"{path}:14: unknown key `x\\x0ameasures/02.yaml:1: forged\\x1b[2J\\u202e` "
                             "in a measure\n")


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs a file system that takes any byte in a name")
def test_file_names_with_controls_and_undecodable_bytes(run, measures_dir):
    """A file name is data too: a pull request chooses it."""
    path = measures_dir / os.fsdecode(b"\xff\x1b[31m.yaml")
    path.write_bytes(MEASURE_14.replace("id: 14", "id: 90").encode("utf-8"))
    table = run("show", "90", "--dir", measures_dir)
    assert table.exit_code == 0 and not RAW.search(table.stdout)
    assert "\\udcff\\x1b[31m.yaml" in table.stdout
    as_json = run("show", "90", "--format", "json", "--dir", measures_dir)
    assert json.loads(as_json.stdout)["file"] == f"{measures_dir}/\udcff\x1b[31m.yaml"
    path.write_bytes(b"id: [")
    broken = run("validate", "--dir", measures_dir)
    assert broken.stderr.startswith(f"{measures_dir}/\\udcff\\x1b[31m.yaml:1: ")


@pytest.mark.parametrize("args, shown", [
    (("list", "--unit", "\x1b[2J"), "\\x1b[2J"),
    (("list", "--status", "\x1b[2J\u202e"), "\\x1b[2J\\u202e"),
    (("list", "--dir", "\x1b]0;title\x07"), "\\x1b]0;title\\x07"),
    (("report", "--unit", "x\ny"), "x\\ny"),
])
def test_messages_built_from_the_command_line_are_escaped(run, measures_dir, args, shown):
    args = (*args, "--dir", measures_dir) if "--dir" not in args else args
    result = run(*args)
    assert result.exit_code == 2
    assert shown in result.stderr and not RAW.search(result.stderr)
    assert len(result.stderr.splitlines()) == 1


def test_every_character_printable_escapes_is_one_python_does_not_print():
    """printable() returns text str.isprintable() accepts as it is, without its pattern: that is only
    right while every character the pattern escapes (line breaks and tabs too) is one Python does not
    print. A printable character added to the pattern would go through unescaped."""
    from portcli import render

    escaped = re.compile(render._CONTROLS_AND_BREAKS.pattern)  # a superset of _CONTROLS
    caught = [code for code in range(0x110000) if escaped.match(chr(code))]
    assert len(caught) > 2000  # C0, C1, DEL, bidi controls, surrogates, breaks
    assert not [hex(code) for code in caught if chr(code).isprintable()]
