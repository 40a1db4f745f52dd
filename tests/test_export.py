"""`portcli export`: JSON as `list` gives it, CSV as Excel reads it, and the 任务分工表 as an xlsx
workbook, read back with the csv module and openpyxl. Expected values come from the measure files
(yaml) and from `list --format json`."""
from __future__ import annotations

import codecs
import csv
import io
import json
import os
import pty
import subprocess
import sys
from datetime import date
from itertools import groupby
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

import hostile


@pytest.fixture
def run(run, run_in_chinese, request):
    """These tests read the reports' Chinese words: the commands speak Chinese."""
    # a test marked `english` quotes English messages
    return run if request.node.get_closest_marker("english") else run_in_chinese


AS_OF = hostile.AS_OF
HEADERS = ["序号", "重点任务", "编号", "具体举措", "天津市细化落实措施", "责任单位", "完成时限",
           "状态", "到期日", "逾期天数", "最新进展"]
LABELS = {"not_started": "未启动", "in_progress": "推进中", "blocked": "受阻", "ongoing": "持续推进", "done": "已完成"}


def listed(run, folder: Path) -> list[dict]:
    return json.loads(run("list", "--dir", folder, "--as-of", AS_OF, "--format", "json").stdout)


def plan_tasks(folder: Path) -> dict[int, dict]:
    plan = yaml.safe_load((folder / "_plan.yaml").read_text(encoding="utf-8"))
    return {t["id"]: t for t in plan["tasks"]}


def expected_row(m: dict, tasks: dict[int, dict]) -> list[str]:
    """A CSV row as the document would write it, from `list --format json`."""
    local = m["local"][0] if len(m["local"]) == 1 else "\n".join(f"{i}.{t}" for i, t in enumerate(m["local"], 1))
    latest = ""
    if m["progress"]:
        p = m["progress"][-1]
        latest = f"{p['date']} {p['by']}：{p['note']}"
    return [tasks[m["task"]]["numeral"], tasks[m["task"]]["title"], str(m["id"]), m["national"] or "", local,
            "、".join(m["units"]) + (m["units_note"] or ""), m["deadline"], LABELS[m["status"]], m["due"] or "",
            "" if m["days_overdue"] is None else str(m["days_overdue"]), latest]


def neutralised(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def test_json_export_is_what_list_gives(run, measures_dir):
    hostile.write(measures_dir)
    result = run("export", "--dir", measures_dir, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == listed(run, measures_dir)
    assert len(json.loads(result.stdout)) == 26


def test_csv_opens_in_excel_and_reads_back(run, measures_dir):
    hostile.write(measures_dir)
    result = run("export", "--dir", measures_dir, "--as-of", AS_OF, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    raw = result.stdout_bytes
    assert raw.startswith(codecs.BOM_UTF8)  # without it Excel reads the Chinese as GBK
    text = raw[len(codecs.BOM_UTF8):].decode("utf-8")
    assert text.startswith(",".join(HEADERS) + "\r\n") and text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert rows[0] == HEADERS
    tasks = plan_tasks(measures_dir)
    measures = sorted(listed(run, measures_dir), key=lambda m: (m["task"], m["id"]))
    assert rows[1:] == [[neutralised(c) for c in expected_row(m, tasks)] for m in measures]


def test_csv_neutralises_formulas_and_keeps_every_hostile_text(run, measures_dir):
    hostile.write(measures_dir)
    raw = run("export", "--dir", measures_dir, "--as-of", AS_OF, "--format", "csv").stdout_bytes
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    row = next(r for r in rows if r[2] == str(hostile.ID))
    assert row[3] == "'" + hostile.NATIONAL  # +…
    assert row[4] == "1." + hostile.LOCAL[0] + "\n2." + hostile.LOCAL[1]  # numbered: starts with 1, no quote
    assert row[10] == hostile.LATEST
    assert row[9] == str(hostile.DAYS_OVERDUE)
    for piece in hostile.PIECES:
        assert piece in row[10]


def test_csv_neutralises_a_cell_that_starts_with_a_formula(run, measures_dir):
    path = measures_dir / "08.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(path.read_text(encoding="utf-8").replace(data["local"][0], "-2+3 " + data["local"][0]),
                    encoding="utf-8")
    rows = list(csv.reader(io.StringIO(run("export", "--dir", measures_dir, "--as-of", AS_OF, "-f", "csv")
                                       .stdout_bytes.decode("utf-8-sig"), newline="")))
    assert next(r for r in rows if r[2] == "8")[4] == "'-2+3 " + data["local"][0]


def workbook(run, folder: Path, tmp_path: Path, *args: str):
    target = tmp_path / "分工表.xlsx"
    result = run("export", "--dir", folder, "--as-of", AS_OF, "--output", target, *args)  # format from the suffix
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    return load_workbook(target).active


def test_xlsx_has_the_task_division_layout(run, measures_dir, tmp_path):
    hostile.write(measures_dir)
    ws = workbook(run, measures_dir, tmp_path)
    measures = sorted(listed(run, measures_dir), key=lambda m: (m["task"], m["id"]))
    tasks = plan_tasks(measures_dir)
    assert ws.title == "任务分工表"
    assert ws["A1"].value.startswith("天津口岸2022年促进跨境贸易便利化专项行动重点任务措施分工表")
    assert [c.value for c in ws[2]] == HEADERS
    assert ws.freeze_panes == "A3"  # title and header stay in view

    # One merged 序号 cell and one 重点任务 cell per key task, over that task's measures.
    expected_merges = {"A1:K1"}
    row = 3
    for task, group in groupby(measures, key=lambda m: m["task"]):
        n = len(list(group))
        assert ws.cell(row, 1).value == tasks[task]["numeral"]
        assert ws.cell(row, 2).value == tasks[task]["title"]
        if n > 1:
            expected_merges |= {f"A{row}:A{row + n - 1}", f"B{row}:B{row + n - 1}"}
        row += n
    assert {str(r) for r in ws.merged_cells.ranges} == expected_merges
    assert ws.max_row == 2 + len(measures)

    for r, m in enumerate(measures, 3):
        values = [c.value for c in ws[r]][2:]
        assert values[:5] == [m["id"], m["national"], expected_row(m, tasks)[4], expected_row(m, tasks)[5],
                              m["deadline"]]
        assert values[5] == LABELS[m["status"]]
        assert (values[6].date().isoformat() if values[6] else None) == m["due"]
        assert values[7] == m["days_overdue"]
        fills = {ws.cell(r, col).fill.fgColor.rgb for col in range(3, 12)}
        # the row's light (SPEC §4b): red overdue, yellow due within the default 14 days, grey with no date
        days_left = (date.fromisoformat(m["due"]) - date.fromisoformat(AS_OF)).days if m["due"] else None
        light = ("00FFC7CE" if m["overdue"] else "00E7E6E6" if days_left is None and m["status"] != "done"
                 else "00FFEB9C" if m["status"] != "done" and days_left is not None and 0 <= days_left <= 14
                 else "00000000")
        assert fills == {light}, (m["id"], fills)
        assert all(ws.cell(r, col).alignment.wrap_text for col in range(3, 12))  # A, B may be merged away

    for col in "ABCDEFGHIJK":
        width = ws.column_dimensions[col].width
        assert 6 <= width <= 50, (col, width)
    assert ws.column_dimensions["E"].width > ws.column_dimensions["C"].width  # long texts get room


def test_xlsx_keeps_hostile_texts_as_text(run, measures_dir, tmp_path):
    hostile.write(measures_dir)
    ws = workbook(run, measures_dir, tmp_path)
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]  # no formula anywhere
    row = next(r for r in ws.iter_rows(min_row=3) if r[2].value == hostile.ID)
    assert row[3].value == hostile.NATIONAL and row[3].data_type == "s" and row[3].quotePrefix
    assert row[4].value == hostile.local_text()
    assert row[10].value == hostile.LATEST


def test_xlsx_export_of_one_unit(run, measures_dir, tmp_path):
    ws = workbook(run, measures_dir, tmp_path, "--unit", "天津海事局")
    ids = [r[2].value for r in ws.iter_rows(min_row=3)]
    assert ids == sorted(m["id"] for m in listed(run, measures_dir) if "天津海事局" in m["units"])


def run_console_script(args: list[str], stdout) -> subprocess.CompletedProcess:
    code = "import sys; from portcli.cli import run; sys.argv[0] = 'portcli'; run()"
    return subprocess.run([sys.executable, "-c", code, *args], stdout=stdout, stderr=subprocess.PIPE,
                          env={**os.environ, "PORTCLI_DIR": ""}, timeout=60)


def test_xlsx_refuses_to_write_to_a_terminal(measures_dir):
    leader, follower = pty.openpty()
    try:
        result = run_console_script(["export", "--dir", str(measures_dir), "--format", "xlsx"], stdout=follower)
        os.set_blocking(leader, False)
        try:
            written = os.read(leader, 4096)
        except (BlockingIOError, OSError):
            written = b""
    finally:
        os.close(leader)
        os.close(follower)
    assert result.returncode == 2
    assert b"--output" in result.stderr and b"Traceback" not in result.stderr
    assert b"PK" not in written


def test_xlsx_goes_down_a_pipe(measures_dir):
    result = run_console_script(["export", "--dir", str(measures_dir), "--format", "xlsx"], stdout=subprocess.PIPE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"PK\x03\x04")  # a zip: what an xlsx file is
    assert load_workbook(io.BytesIO(result.stdout)).active.max_row == 2 + 25


@pytest.mark.english
def test_export_to_an_unwritable_file_is_exit_2(run, measures_dir, tmp_path):
    result = run("export", "--dir", measures_dir, "--format", "csv", "--output", tmp_path / "missing" / "x.csv")
    assert result.exit_code == 2
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("name, start", [("out.csv", codecs.BOM_UTF8), ("out.json", b"[\n"), ("OUT.JSON", b"[\n")])
def test_export_format_follows_the_output_suffix(run, measures_dir, tmp_path, name, start):
    assert run("export", "--dir", measures_dir, "--output", tmp_path / name).exit_code == 0
    assert (tmp_path / name).read_bytes().startswith(start)


@pytest.mark.parametrize("command", ["export", "report"])
@pytest.mark.english
def test_an_output_name_that_names_no_format_is_refused(run, measures_dir, tmp_path, command):
    result = run(command, "--dir", measures_dir, "--output", tmp_path / "out.pdf")
    assert result.exit_code == 2
    assert "cannot tell the format from the name 'out.pdf'" in result.stderr and "--format" in result.stderr
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize("name, start", [("r.html", "<!DOCTYPE html>"), ("r.md", "## "), ("r.json", "{"),
                                         ("r.txt", "天津口岸")])
def test_report_format_follows_the_output_suffix(run, measures_dir, tmp_path, name, start):
    result = run("report", "--dir", measures_dir, "--as-of", "2022-06-15", "--output", tmp_path / name)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / name).read_text(encoding="utf-8").lstrip().startswith(start)


def test_the_widths_counted_for_row_heights_are_unicodes_east_asian_widths():
    """The workbook's row heights count a W or F character (Unicode's East Asian Width) as two columns:
    text of the characters measures are written in is counted without asking unicodedata one character at
    a time; every such character, and text of them, must count as unicodedata has it."""
    import random
    import re
    import unicodedata

    from portcli.render import widths
    from portcli.render.xlsx import display_width

    def by_unicode(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    characters = [chr(code) for low, high in re.findall(r"(.)-(.)", widths._NARROW + widths._WIDE)
                  for code in range(ord(low), ord(high) + 1)]
    for character in characters:
        assert display_width(character) == by_unicode(character), hex(ord(character))
    rng = random.Random(11)
    samples = ["天津海关 +2", "ＡＢ（全角）", "かなカナ〪", "e\u0301", "👍", "\u3040\u303f", ""]
    samples += ["".join(rng.choice(characters) for _ in range(rng.randint(1, 40))) for _ in range(300)]
    for sample in samples:
        assert display_width(sample) == by_unicode(sample), sample


def test_xlsx_key_tasks_of_two_plans_with_the_same_number_are_two(run, tmp_path):
    """Plans are written one after the other: the last key task of one and the first of the next may
    have the same number (here both plans have only task 1), and each keeps its own merged cells and title."""
    root = tmp_path / "measures"
    for plan in ("甲", "乙"):
        (root / plan).mkdir(parents=True)
        (root / plan / "_plan.yaml").write_text(
            f"title: {plan}计划\nyear: 2022\ntasks:\n  - {{id: 1, numeral: 一, title: {plan}的任务}}\n"
            "units:\n  - {name: 天津海关, full_name: 天津海关, english: Tianjin Customs, aliases: []}\n", encoding="utf-8")
        for i in (1, 2):
            (root / plan / f"0{i}.yaml").write_text(
                f"id: {i}\ntask: 1\nnational: null\nlocal: [{plan}措施{i}]\nunits: [天津海关]\nunits_note: null\n"
                "deadline: 5月底前\nstatus: not_started\nprogress: []\n", encoding="utf-8")
    ws = workbook(run, root, tmp_path)
    rows = [[c.value for c in row][:5] for row in ws.iter_rows(min_row=3)]
    # portcli reads plans by name: 乙 (U+4E59) before 甲 (U+7532)
    assert rows == [["一", "乙的任务", "乙:1", None, "乙措施1"], [None, None, "乙:2", None, "乙措施2"],
                    ["一", "甲的任务", "甲:1", None, "甲措施1"], [None, None, "甲:2", None, "甲措施2"]]
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:K1", "A3:A4", "B3:B4", "A5:A6", "B5:B6"}
