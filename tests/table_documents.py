"""Task-division tables built in the tests: as Word documents (python-docx), Excel workbooks
(openpyxl) and tab-separated text, from rows of cell texts written out in the test.

In a cell text, "\\n" starts a new paragraph (Word) or line (Excel) and "\\f" is a page break
(Word: a `w:br w:type="page"` run; text: the row goes on two lines lower, as in a copied table).
Merges are ((first_row, first_col), (last_row, last_col)), cells under a merge given as "".
The shipped table is rebuilt from measures/*.yaml read with yaml.safe_load, not through portcli.
"""
from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.text import WD_BREAK
from openpyxl import Workbook

from measure_files import measure_data, plan_data

TITLE = "天津口岸 2022 年促进跨境贸易便利化专项行动重点任务措施分工表"
HEADER = [["序号", "海关总署部署的主要措施", "", "天津市细化落实措施", "责任单位", "完成时限"],
          ["", "重点任务", "具体举措", "", "", ""]]
HEADER_MERGES = [((0, 0), (1, 0)), ((0, 1), (0, 2)), ((0, 3), (1, 3)), ((0, 4), (1, 4)), ((0, 5), (1, 5))]


def local_cell(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "\n".join(f"{i}.{t}" for i, t in enumerate(items, 1))


def break_after(text: str, mark: str) -> str:
    """`text` with a page break after the first `mark` in it."""
    at = text.index(mark) + len(mark)
    return text[:at] + "\f" + text[at:]


def shipped_table(page_break_in_14: bool = True) -> tuple[list[list[str]], list]:
    """The shipped plan as the document lays it out: rows and merges (key tasks merged over their
    measures), with a page break inside measure 14's row."""
    plan, data = plan_data(), measure_data()
    rows = [list(r) for r in HEADER]
    merges = list(HEADER_MERGES)
    for task in plan["tasks"]:
        measures = sorted((m for m in data.values() if m["task"] == task["id"]), key=lambda m: m["id"])
        first = len(rows)
        for i, m in enumerate(measures):
            task_cell = ("" if m["national"] else f"{m['id']}.") + task["title"] if i == 0 else ""
            national = f"{m['id']}.{m['national']}" if m["national"] else ""
            local = local_cell(m["local"])
            units = "、".join(m["units"]) + (m["units_note"] or "")
            deadline = m["deadline"].replace("5月底前", "5 月底前") if m["id"] % 3 == 0 else m["deadline"]
            if m["id"] == 14 and page_break_in_14:
                national, local = break_after(national, "船边直"), break_after(local, "“抵")
                units = break_after(units, "天津海关、")
            rows.append([task["numeral"] if i == 0 else "", task_cell, national, local, units, deadline])
        if len(measures) > 1:
            merges += [((first, 0), (len(rows) - 1, 0)), ((first, 1), (len(rows) - 1, 1))]
    return rows, merges


def write_docx(path: Path, tables: list[tuple[list[list[str]], list]], title: str | None = TITLE,
               between: str = "\f") -> Path:
    """A Word document: the title, then each table (rows, merges), `between` them (a page break)."""
    document = docx.Document()
    if title:
        document.add_paragraph(title)
    for n, (rows, merges) in enumerate(tables):
        if n:
            _fill(document.add_paragraph(), between)
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                cell = table.cell(r, c)
                for i, paragraph_text in enumerate(text.split("\n")):
                    _fill(cell.paragraphs[0] if i == 0 else cell.add_paragraph(), paragraph_text)
        for (r0, c0), (r1, c1) in merges:
            table.cell(r0, c0).merge(table.cell(r1, c1))
    document.save(str(path))
    return path


def _fill(paragraph, text: str) -> None:
    for i, part in enumerate(text.split("\f")):
        if i:
            paragraph.add_run().add_break(WD_BREAK.PAGE)
        if part:
            paragraph.add_run(part)


def write_xlsx(path: Path, rows: list[list[str]], merges: list = (), title: str | None = TITLE) -> Path:
    """An Excel workbook: the title in A1, the table from row 2 (merged cells hold "" but the first)."""
    workbook = Workbook()
    sheet = workbook.active
    offset = 1 if title else 0
    if title:
        sheet.cell(1, 1, title)
    for r, row in enumerate(rows, 1 + offset):
        for c, text in enumerate(row, 1):
            if text:
                sheet.cell(r, c, text.replace("\f", ""))
    for (r0, c0), (r1, c1) in merges:
        sheet.merge_cells(start_row=r0 + 1 + offset, start_column=c0 + 1, end_row=r1 + 1 + offset, end_column=c1 + 1)
    workbook.save(path)
    return path


def write_text(path: Path, rows: list[list[str]], title: str | None = TITLE) -> Path:
    """Tab-separated text as copied out of Word: a cell's paragraphs joined by a space, and a row
    broken by a page ("\\f") going on two lines lower with the rest of each cell."""
    lines = ["", title or "", ""]
    for row in rows:
        parts = [cell.replace("\n", " ").split("\f") for cell in row]
        lines.append("\t".join(p[0] for p in parts))
        if any(len(p) > 1 for p in parts):
            lines += ["", "\t".join(p[1] if len(p) > 1 else "" for p in parts)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
