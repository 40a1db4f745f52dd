"""The 任务分工表 as an Excel workbook, laid out as the source document is (key tasks in merged
cells over their measures), with the tracking columns after it. openpyxl writes the file; it is
imported here only, so no other command pays for it."""
from __future__ import annotations

import io
import unicodedata
from datetime import date
from itertools import groupby
from typing import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..model import Measure, Plan
from . import printable, sheet

SHEET_TITLE = "任务分工表"
OVERDUE_FILL = PatternFill("solid", fgColor="FFC7CE")  # Excel's own "bad" red
OVERDUE_FONT = Font(color="9C0006")
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# Widest a column grows (in Excel's character units) before its text wraps.
MAX_WIDTHS = (6, 24, 6, 40, 50, 22, 14, 10, 12, 10, 36)
FIRST_DATA_ROW = 3  # row 1 the title, row 2 the header


def display_width(text: str) -> int:
    """Columns the text takes in Excel: a Chinese character is about two Latin ones."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def render(measures: Iterable[Measure], plan: Plan | None, as_of: date) -> bytes:
    rows = sheet.ordered(measures)
    workbook = Workbook()
    ws = workbook.active
    ws.title = SHEET_TITLE
    columns = len(sheet.HEADERS)

    title = (plan.title if plan else SHEET_TITLE) + f"（截至 {as_of.isoformat()}）"
    ws.cell(1, 1, printable(title)).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    for col, header in enumerate(sheet.HEADERS, 1):
        c = ws.cell(2, col, header)
        c.font, c.fill, c.border = Font(bold=True), HEADER_FILL, BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    widths = [display_width(h) + 2 for h in sheet.HEADERS]
    for r, m in enumerate(rows, FIRST_DATA_ROW):
        values = sheet.row(m, plan, as_of)
        late = values[sheet.HEADERS.index("逾期天数")] is not None
        for col, value in enumerate(values, 1):
            c = ws.cell(r, col)
            _set(c, value)
            c.border = BORDER
            c.alignment = Alignment(vertical="center" if col <= sheet.TASK_COLUMNS else "top", wrap_text=True,
                                    horizontal="center" if col in (1, 3) else None)
            if late and col > sheet.TASK_COLUMNS:
                c.fill, c.font = OVERDUE_FILL, OVERDUE_FONT
            if isinstance(value, str):
                widths[col - 1] = max(widths[col - 1], *(display_width(line) + 2 for line in value.split("\n")))
            elif value is not None:
                widths[col - 1] = max(widths[col - 1], 12 if isinstance(value, date) else len(str(value)) + 2)

    # One merged 序号 cell and one 重点任务 cell per key task, over its measures, as the document has them.
    r = FIRST_DATA_ROW
    for _, group in groupby(rows, key=lambda m: m.task):
        n = len(list(group))
        if n > 1:
            for col in range(1, sheet.TASK_COLUMNS + 1):
                ws.merge_cells(start_row=r, start_column=col, end_row=r + n - 1, end_column=col)
        r += n

    for col, (width, most) in enumerate(zip(widths, MAX_WIDTHS), 1):
        ws.column_dimensions[get_column_letter(col)].width = min(width, most)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)
    ws.auto_filter.ref = f"A2:{get_column_letter(columns)}{max(2, FIRST_DATA_ROW + len(rows) - 1)}"
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = "landscape"

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _set(c, value: object) -> None:
    if isinstance(value, date):
        c.value = value
        c.number_format = "yyyy-mm-dd"
    elif isinstance(value, str):
        # Text stays text: openpyxl would store "=…" as a formula, so the type is set back to string,
        # and quotePrefix keeps Excel from re-reading it as a formula when someone edits the cell.
        c.value = printable(value)
        c.data_type = "s"
        c.quotePrefix = value.startswith(sheet.FORMULA_STARTS)
    else:
        c.value = value
