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
import unicodedata
from datetime import date, datetime
from itertools import groupby
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

import hostile
import varied


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


# --- every cell's look, on measures that tell the styles apart -------------------------------------

# varied.py's eleven measures grouped into key tasks of one, two, three and four measures, whose lights
# differ within a task (varied.py's table, on 2022-06-15 with the default 14 days: red overdue, yellow due
# within 14 days, pending with no date, green otherwise and when done or its milestone is met), and the
# hostile measure (26, overdue) alone in task 11. Measure 12, written here, is 9 done: green with no due
# date, where every other green row has one. Task 5's title (5 lines) is taller than its two measures' rows
# (2 lines and 1), which grow by the same height. Task 3's title holds terminal escapes, which the cell
# shows as `\x1b`: its merged cell is sized for the text shown (3 lines in 16 units), not the text in the
# plan (2).
CONTROL_TITLE = "推进跨境电商" + "\x1b[2J" * 4
GROUPED = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 3, 7: 4, 8: 4, 9: 4, 10: 5, 11: 5}
LIGHT_OF = {1: "red", 2: "yellow", 3: "green", 4: "red", 5: "green", 6: "yellow", 7: "green", 8: "green",
            9: "pending", 12: "green", 10: "red", 11: "yellow", hostile.ID: "red"}
# Excel's "bad" red, "neutral" yellow and a grey for no date; each lit row's text in the dark colour that
# goes with its fill (none for grey and green).
FILL_OF = {"red": "00FFC7CE", "yellow": "00FFEB9C", "pending": "00E7E6E6", "green": "00000000"}
FONT_OF = {"red": "009C0006", "yellow": "009C5700", "pending": None, "green": None}
GREY = "00808080"  # the thin borders' colour
# the latest progress (the status when an entry has no note); the others have none
LATEST = {4: "2022-04-20：受阻", hostile.ID: hostile.LATEST}
WIDTHS = [6, 16, 6, 30, 40, 18, 10, 7, 11, 9, 26]  # the columns' widths, in Excel's character units


@pytest.fixture
def grouped(tmp_path) -> Path:
    folder = varied.write(tmp_path / "grouped")
    for measure_id, task in GROUPED.items():
        path = folder / varied.file_name(measure_id)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        path.write_text(yaml.safe_dump({**data, "task": task}, allow_unicode=True, sort_keys=False), encoding="utf-8")
        if measure_id == 9:
            (folder / varied.file_name(12)).write_text(yaml.safe_dump(
                {**data, "id": 12, "task": task, "status": "done"}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    hostile.write(folder)
    plan = yaml.safe_load((folder / "_plan.yaml").read_text(encoding="utf-8"))
    plan["tasks"][2]["title"] = CONTROL_TITLE
    (folder / "_plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def lines_in(text: str, width: int) -> int:
    """The lines a text wraps to in a column `width` units wide: a Chinese character takes two units,
    a unit of margin on each side; each of its own lines at least one."""
    room = width - 1
    return sum(max(1, -(-sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) // room))
               for line in text.split("\n"))


def own_height(values: list) -> float:
    """A row's height in points for its own texts past the key task: 14 a line, 4 of padding."""
    return 14 * max([1] + [lines_in(v, w) for v, w in zip(values[2:], WIDTHS[2:]) if isinstance(v, str)]) + 4


def sides(cell) -> tuple:
    b = cell.border
    return tuple((s.style, s.color.rgb if s.color else None) if s else (None, None)
                 for s in (b.left, b.right, b.top, b.bottom))


def test_xlsx_styles_each_cell_by_its_column_light_and_place_in_the_key_task(run, grouped, tmp_path):
    ws = workbook(run, grouped, tmp_path)
    measures = sorted(listed(run, grouped), key=lambda m: (m["task"], m["id"]))
    tasks = plan_tasks(grouped)
    assert tasks[3]["title"] == CONTROL_TITLE
    tasks[3]["title"] = CONTROL_TITLE.replace("\x1b", "\\x1b")  # as every report shows it
    assert [m["id"] for m in measures] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11, 26]
    assert {m["id"]: m["task"] for m in measures} == {**GROUPED, 12: 4, hostile.ID: 11}
    assert {m["id"]: m["due"] for m in measures if m["due"] is None} == {9: None, 12: None}

    thin = ("thin", GREY)
    # title and header
    plan_title = yaml.safe_load((grouped / "_plan.yaml").read_text(encoding="utf-8"))["title"]
    assert ws["A1"].value == f"{plan_title}（截至 {AS_OF}）"
    assert ws.row_dimensions[1].height == 26
    assert (ws["A1"].font.b, ws["A1"].font.sz, ws["A1"].alignment.horizontal, ws["A1"].alignment.vertical,
            ws["A1"].alignment.wrap_text) == (True, 14, "center", "center", True)
    for col in range(1, 12):
        c = ws.cell(2, col)
        assert (c.value, c.font.b, c.font.name, c.font.sz, c.fill.fgColor.rgb, sides(c)) == \
               (HEADERS[col - 1], True, "等线", 10, "00D9D9D9", (thin,) * 4), col
        assert (c.alignment.horizontal, c.alignment.vertical, c.alignment.wrap_text) == ("center", "center", True)
    assert ws.row_dimensions[2].height == 14 * max(lines_in(h, w) for h, w in zip(HEADERS, WIDTHS)) + 4
    assert [ws.column_dimensions[c].width for c in "ABCDEFGHIJK"] == WIDTHS
    assert ws.auto_filter.ref == f"A2:K{2 + len(measures)}"

    # Each cell as written: openpyxl, loading a workbook, drops the values under a merged cell and gives
    # those cells the range's edges from its first cell, whatever the file says; read-only, it does not.
    written = list(load_workbook(tmp_path / "分工表.xlsx", read_only=True).active.iter_rows(min_row=3))
    assert len(written) == len(measures) and {len(row) for row in written} == {11}

    # the key tasks' merged cells
    starts = {}
    r = 3
    for task, group in groupby(measures, key=lambda m: m["task"]):
        group = list(group)
        starts[task] = (r, len(group))
        r += len(group)
    assert starts == {1: (3, 3), 2: (6, 2), 3: (8, 1), 4: (9, 4), 5: (13, 2), 11: (15, 1)}
    assert {str(m) for m in ws.merged_cells.ranges} == {"A1:K1", "A3:A5", "B3:B5", "A6:A7", "B6:B7", "A9:A12",
                                                        "B9:B12", "A13:A14", "B13:B14"}

    heights = {}
    for r, m in enumerate(measures, 3):
        first, n = starts[m["task"]]
        light = LIGHT_OF[m["id"]]
        row = expected_row(m, tasks)
        values = [c.value for c in ws[r]]
        assert values[2:8] == [m["id"], m["national"], row[4], row[5], m["deadline"], LABELS[m["status"]]], r
        assert values[8] == (datetime.fromisoformat(m["due"]) if m["due"] else None)
        assert values[9:] == [m["days_overdue"], LATEST.get(m["id"])]
        for col in range(1, 12):
            c = written[r - 3][col - 1]
            where = (m["id"], col)
            if col <= 2 and r > first:  # under the key task's merged cell: no value, the range's borders
                # written empty, in the workbook's default font, fill and alignment (each the first of its kind)
                assert c.value is None, where
                assert (c.style_array.fontId, c.style_array.fillId, c.style_array.alignmentId) == (0, 0, 0), where
                bottom = thin if r == first + n - 1 else (None, None)
                assert sides(c) == (thin, thin, (None, None), bottom), where
                assert c.fill.fgColor.rgb == "00000000", where
                continue
            if col <= 2:
                assert c.value == (tasks[m["task"]]["numeral"], tasks[m["task"]]["title"])[col - 1], where
            assert sides(c) == (thin,) * 4, where
            assert (c.alignment.vertical, c.alignment.horizontal, c.alignment.wrap_text) == \
                   ("center" if col <= 2 else "top", "center" if col in (1, 3) else None, True), where
            assert (c.font.name, c.font.sz, c.font.b, c.font.charset) == ("等线", 10, False, 134), where
            lit = col > 2
            assert c.fill.fgColor.rgb == (FILL_OF[light] if lit else "00000000"), where
            assert (c.font.color.rgb if c.font.color else None) == (FONT_OF[light] if lit else None), where
            assert c.number_format == ("yyyy-mm-dd" if col == 9 and m["due"] else "General"), where
            assert c.style_array.quotePrefix == (isinstance(c.value, str) and c.value[:1] in "=+-@\t\r"), where
        heights[r] = own_height(values)

    # a key task's rows grow together, evenly, until its title fits the merged cell
    for task, (first, n) in starts.items():
        needed = 14 * lines_in(tasks[task]["title"], WIDTHS[1]) + 4
        have = sum(heights[r] for r in range(first, first + n))
        for r in range(first, first + n):
            expected = heights[r] + (needed - have) / n if needed > have else heights[r]
            assert ws.row_dimensions[r].height == pytest.approx(expected), (task, r)
    assert any(ws.row_dimensions[r].height > heights[r] for r in heights)  # some task's title is the taller
    # task 5: its title, 36 Chinese characters in 15 units, takes 5 lines (74 pt); its rows 32 + 18 grow by 12 each
    assert [ws.row_dimensions[r].height for r in (13, 14)] == [32 + 12, 18 + 12]
    assert any(ws.row_dimensions[r].height == heights[r] > 18 for r in heights)  # some row's own text is
    assert ws.row_dimensions[8].height == 14 * 3 + 4  # task 3's one measure: its title's three lines


@pytest.mark.english
def test_xlsx_of_measures_without_a_plan_is_titled_by_the_sheet_and_numbers_the_tasks(run, tmp_path):
    """Without _plan.yaml the folder is reported as broken (exit 2) and the workbook still written: titled
    by the sheet's name, each key task by its number, with no title."""
    folder = varied.write(tmp_path / "no-plan")
    (folder / "_plan.yaml").unlink()
    target = tmp_path / "out.xlsx"
    result = run("export", "--dir", folder, "--as-of", AS_OF, "--output", target)
    assert result.exit_code == 2 and "_plan.yaml" in result.stderr
    ws = load_workbook(target).active
    assert ws["A1"].value == f"Division of tasks (as of {AS_OF})"
    assert [[c.value for c in row[:3]] for row in ws.iter_rows(min_row=3)] == \
           [[task, None, measure_id] for measure_id, (task, *_rest) in sorted(varied.MEASURES.items())]
    heights = [ws.row_dimensions[r].height for r in range(3, 14)]
    assert heights == [own_height([c.value for c in ws[r]]) for r in range(3, 14)]  # no key task's title to fit
    assert min(heights) == 18 and max(heights) > 18  # rows of one line and of several


def test_xlsx_row_heights_fit_the_text_as_shown_control_characters_escaped(run, measures_dir, tmp_path):
    """A control character shows as four characters (ESC as \\x1b): the row is as tall as the text it
    shows, not the text in the file. 200 ESCs show as 800 characters: 21 lines in column E (40 units
    wide, 39 of room), 21 × 14 + 4 = 298 points (the 200 in the file would be 6 lines, 88 points)."""
    path = measures_dir / "25.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(local=["\x1b" * 200], national=None, progress=[])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    ws = workbook(run, measures_dir, tmp_path)
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 3).value == 25)
    assert ws.cell(row, 5).value == "\\x1b" * 200
    assert ws.row_dimensions[row].height == 298
