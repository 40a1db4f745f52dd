"""The 任务分工表 as an Excel workbook, laid out as the source document is (key tasks in merged
cells over their measures), with the tracking columns after it, set up to print: A4 landscape,
one page wide, the title and header repeated, page numbers and the as-of date in the footer.

LibreOffice and Excel size neither wrapped rows nor merged cells when they open a file, so the
row heights are computed here from the text (a Chinese character takes two columns). openpyxl
writes the file; it is imported here only, so no other command pays for it."""
from __future__ import annotations

import io
import math
import unicodedata
from datetime import date
from itertools import groupby
from typing import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from ..i18n import N_, _
from ..model import Measure, Plan
from ..query import days_for
from . import as_of as as_of_line, light, printable, sheet

SHEET_TITLE = N_("Division of tasks")  # 任务分工表, the document's name
# 等线 ships with Office 2016 and later; LibreOffice, lacking it, falls back through fontconfig to the
# system's CJK font (Noto Sans CJK SC on Debian with fonts-noto-cjk). charset 134 is GB2312: it tells
# Excel the text is Chinese when the font is missing.
FONT_NAME = "等线"
FONT_SIZE = 10
CHINESE = 134
OVERDUE_FILL = PatternFill("solid", fgColor="FFC7CE")  # Excel's own "bad" red
# The lights (SPEC §4b) on a row's tracking cells, as the HTML report colours its rows: Excel's own "bad"
# red and "neutral" yellow, a grey for 待定 (no date), and nothing for green, which needs no action.
LIGHT_STYLES = {"red": (OVERDUE_FILL, "9C0006"), "yellow": (PatternFill("solid", fgColor="FFEB9C"), "9C5700"),
                "pending": (PatternFill("solid", fgColor="E7E6E6"), None)}
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# Column widths (Excel's character units) in the source document's proportions: 重点任务 and 责任单位
# medium, 具体举措 wide, 细化落实措施 widest; then the tracking columns. About 185 units: A4 landscape
# at roughly 75 %, which fit-to-width does by itself.
WIDTHS = (6, 16, 6, 30, 40, 18, 10, 7, 11, 9, 26)
TITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3
# A 10 pt line: Excel needs about 13.5 pt, LibreOffice's Noto Sans CJK (1.45 em) 14.5 pt; room for both.
LINE_POINTS = 14.0
PADDING_POINTS = 4.0
TITLE_POINTS = 26.0


def display_width(text: str) -> int:
    """Columns the text takes in Excel: a Chinese character is about two Latin ones."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def lines_needed(text: str, width: float) -> int:
    """Lines `text` wraps to in a column `width` units wide (a unit of margin on each side)."""
    room = max(1.0, width - 1.0)
    return sum(max(1, math.ceil(display_width(line) / room)) for line in text.split("\n"))


def height_for(lines: int) -> float:
    return lines * LINE_POINTS + PADDING_POINTS


def font(**style) -> Font:
    return Font(name=FONT_NAME, charset=CHINESE, size=style.pop("size", FONT_SIZE), **style)


def render(measures: Iterable[Measure], plan: Plan | None, as_of: date) -> bytes:
    rows = sheet.ordered(measures)
    workbook = Workbook()
    ws = workbook.active
    ws.title = _(SHEET_TITLE)
    headers = sheet.headers()
    columns = len(headers)
    plan_title = plan.title if plan else _(SHEET_TITLE)

    title = ws.cell(TITLE_ROW, 1)
    _set(title, _("{title} (as of {date})").format(title=plan_title, date=as_of.isoformat()))
    title.font = font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=columns)
    ws.row_dimensions[TITLE_ROW].height = TITLE_POINTS
    for col, header in enumerate(headers, 1):
        c = ws.cell(HEADER_ROW, col, header)
        c.font, c.fill, c.border = font(bold=True), HEADER_FILL, BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[HEADER_ROW].height = height_for(
        max(lines_needed(h, w) for h, w in zip(headers, WIDTHS)))

    for r, m in enumerate(rows, FIRST_DATA_ROW):
        values = sheet.row(m, plan, as_of)
        lit = LIGHT_STYLES.get(light(m, as_of, days_for(m, plan)))
        lines = 1
        for col, value in enumerate(values, 1):
            c = ws.cell(r, col)
            _set(c, value)
            c.border = BORDER
            c.alignment = Alignment(vertical="center" if col <= sheet.TASK_COLUMNS else "top", wrap_text=True,
                                    horizontal="center" if col in (1, 3) else None)
            c.font = font(color=lit[1]) if lit and lit[1] and col > sheet.TASK_COLUMNS else font()
            if lit and col > sheet.TASK_COLUMNS:
                c.fill = lit[0]
            if col > sheet.TASK_COLUMNS and isinstance(value, str):  # the key task's cells may be merged
                lines = max(lines, lines_needed(value, WIDTHS[col - 1]))
        ws.row_dimensions[r].height = height_for(lines)

    # One merged 序号 cell and one 重点任务 cell per key task, over its measures, as the document has them;
    # the rows under a key task grow together until its text fits.
    r = FIRST_DATA_ROW
    for _task, group in groupby(rows, key=lambda m: m.task):
        n = len(list(group))
        if n > 1:
            for col in range(1, sheet.TASK_COLUMNS + 1):
                ws.merge_cells(start_row=r, start_column=col, end_row=r + n - 1, end_column=col)
        task_text = str(ws.cell(r, 2).value or "")
        needed = height_for(lines_needed(task_text, WIDTHS[1]))
        have = sum(ws.row_dimensions[i].height for i in range(r, r + n))
        if needed > have:
            for i in range(r, r + n):
                ws.row_dimensions[i].height += (needed - have) / n
        r += n

    for col, width in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(columns)}{max(HEADER_ROW, FIRST_DATA_ROW + len(rows) - 1)}"
    _page_setup(ws, plan_title, as_of)

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _page_setup(ws, plan_title: str, as_of: date) -> None:
    """A4 landscape, one page wide and as many long as it takes, title and header on every page."""
    ws.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # no limit: as many pages long as the rows need
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.25, footer=0.3)
    ws.print_options.horizontalCentered = True
    # In header and footer text `&` starts a code (&P is the page number): a title's own & is doubled.
    ws.oddFooter.left.text = _footer_text(plan_title)
    ws.oddFooter.left.size = 8
    ws.oddFooter.center.text = _footer_text(_("Page {page} of {pages}")).format(page="&P", pages="&N")
    ws.oddFooter.center.size = 8
    ws.oddFooter.right.text = _footer_text(as_of_line(as_of))
    ws.oddFooter.right.size = 8


def _footer_text(text: str) -> str:
    return printable(text, one_line=True).replace("&", "&&")


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
