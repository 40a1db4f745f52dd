"""The 任务分工表 workbook as it prints: set up for A4 landscape, one page wide, title and header on
every page, page numbers and the as-of date in the footer, rows tall enough for their text; then
printed by LibreOffice to PDF and read back with poppler."""
from __future__ import annotations

import json
import math
import os
from itertools import groupby
from pathlib import Path

import pytest
from openpyxl import load_workbook

from measure_files import measure_data, plan_data
from programs import A4_LANDSCAPE, libreoffice, needs_libreoffice, needs_poppler, page_size, pdf_pages, png, squashed


@pytest.fixture
def run(run_in_chinese):
    """These tests read the reports' Chinese words: the commands speak Chinese."""
    return run_in_chinese


AS_OF = "2022-06-15"
HEADERS = ["序号", "重点任务", "编号", "具体举措", "天津市细化落实措施", "责任单位", "完成时限",
           "状态", "到期日", "逾期天数", "最新进展"]
TITLE = "天津口岸2022年促进跨境贸易便利化专项行动重点任务措施分工表"
SHOTS = os.environ.get("PORTCLI_SAVE_SHOTS")
# Progress notes long enough to wrap, so the 最新进展 column needs its rows to grow too.
NOTES = {14: "已完成“船边直提”试点方案，正在与船公司、码头和海关逐一对接作业流程，预计六月中旬开始试运行，并同步研究推广到东疆港区的可行性。",
         25: "专班已建立。"}


@pytest.fixture
def workbook_path(run, measures_dir, tmp_path) -> Path:
    for id_, note in NOTES.items():
        result = run("update", str(id_), "--status", "in_progress", "--note", note, "--date", "2022-06-01",
                     "--dir", measures_dir)
        assert result.exit_code == 0, result.stderr
    target = tmp_path / "任务分工表.xlsx"
    result = run("export", "--dir", measures_dir, "--as-of", AS_OF, "--output", target)
    assert result.exit_code == 0, result.stderr
    return target


def cjk_lines(text: str, width: float) -> int:
    """A lower bound of the lines a text takes in a column: a Chinese character is two units wide,
    and no line holds more than the column's width."""
    return sum(max(1, math.ceil(sum(2 if ord(c) > 0x2e7f else 1 for c in line) / width))
               for line in text.split("\n"))


def test_the_workbook_is_set_up_to_print(workbook_path, measures_dir):  # paper size 9 is A4
    ws = load_workbook(workbook_path).active
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)  # one page wide, any number long
    assert ws.print_title_rows == "$1:$2"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert ws.oddFooter.right.text == f"截至 {AS_OF}"
    assert {ws.cell(r, c).font.name for r in range(2, ws.max_row + 1) for c in (3, 4, 5)} == {"等线"}

    # Rows tall enough for their wrapped text (10 pt needs 13 pt a line), merged key tasks included.
    widths = [ws.column_dimensions[chr(ord("A") + i)].width for i in range(len(HEADERS))]
    for r in range(3, ws.max_row + 1):
        lines = max(cjk_lines(str(ws.cell(r, c).value or ""), widths[c - 1]) for c in range(3, len(HEADERS) + 1))
        assert ws.row_dimensions[r].height >= 13 * lines, r
    measures = sorted(measure_data(measures_dir).values(), key=lambda m: (m["task"], m["id"]))
    titles = {t["id"]: t["title"] for t in plan_data(measures_dir)["tasks"]}
    row = 3
    for task, group in groupby(measures, key=lambda m: m["task"]):
        n = len(list(group))
        height = sum(ws.row_dimensions[i].height for i in range(row, row + n))
        assert height >= 13 * cjk_lines(titles[task], widths[1]), task
        row += n
    longest = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 3).value == 14)
    assert ws.row_dimensions[longest].height >= 13 * 6  # three local items, each over two lines


@needs_libreoffice
@needs_poppler
def test_libreoffice_prints_it_one_page_wide(workbook_path, measures_dir, tmp_path):
    pdf = libreoffice(workbook_path, "pdf", tmp_path / "out", tmp_path / "lo")
    assert page_size(pdf) == A4_LANDSCAPE
    pages = pdf_pages(pdf)
    assert 2 <= len(pages) <= 4
    for number, page in enumerate(pages, 1):
        # Every column on every page (so one page wide), under the repeated title; the footer.
        flat = squashed(page)
        assert all(h in flat for h in ("序号", "重点任务", "编号", "具体举措", "天津市细化落实措施", "责任单位",
                                       "完成时限", "状态", "到期日", "最新进展")), number
        assert "逾期天" in flat  # 逾期天数 wraps in its narrow column
        assert f"{TITLE}（截至{AS_OF}）" in flat
        assert f"第{number}页，共{len(pages)}页" in flat and f"截至{AS_OF}" in flat
    everything = squashed("".join(pages))
    for id_, m in measure_data(measures_dir).items():
        for text in [m["national"] or "", *m["local"]]:
            assert squashed(text) in everything, id_
    for note in NOTES.values():
        assert squashed(note) in everything
    if SHOTS:
        png(pdf, Path(SHOTS) / "report-xlsx.png", resolution=60)
