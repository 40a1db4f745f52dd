"""The 任务分工表 as an Excel workbook, laid out as the source document is (key tasks in merged
cells over their measures), with the tracking columns after it, set up to print: A4 landscape,
one page wide, the title and header repeated, page numbers and the as-of date in the footer.

LibreOffice and Excel size neither wrapped rows nor merged cells when they open a file, so the
row heights are computed here from the text (a Chinese character takes two columns). openpyxl
writes the file, its styles and the title and header rows; the data rows' XML is written here, as
openpyxl would write it (`_row_xml`). openpyxl is imported here only, so no other command pays for it."""
from __future__ import annotations

import io
import math
import os
import shutil
import tempfile
import unicodedata
import zipfile
from itertools import groupby

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..i18n import N_, _
from ..model import Measure, Plan
from ..query import days_for
from ..values import cache, date
from .. import child, shared_output
from . import as_of as as_of_line, light, printable, sheet
from .widths import simple_width

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import IO, Iterable

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
    width = simple_width(text)
    if width is None:
        width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return width


def lines_needed(text: str, width: float) -> int:
    """Lines `text` wraps to in a column `width` units wide (a unit of margin on each side)."""
    room = max(1.0, width - 1.0)
    if len(text) * 2 <= room and "\n" not in text:  # no character is wider than two units: one line
        return 1
    return sum(max(1, math.ceil(display_width(line) / room)) for line in text.split("\n"))


def height_for(lines: int) -> float:
    return lines * LINE_POINTS + PADDING_POINTS


def font(**style) -> Font:
    return Font(name=FONT_NAME, charset=CHINESE, size=style.pop("size", FONT_SIZE), **style)


def render(measures: Iterable[Measure], plan: Plan | None, as_of: date, unit: str | None = None) -> memoryview:
    """The workbook's bytes; with `unit`, one unit's share (`export --per-unit`), the unit named in the title.
    The rows stream to a temporary file as they come (a workbook held whole took 780 MiB and 99 s at
    100,000 measures), so each row is written once, whole: its height, and the key task's merged cells
    over the rows under it, are worked out first."""
    rows = sheet.ordered(measures)
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_(SHEET_TITLE))
    headers = sheet.headers()
    columns = len(headers)
    plan_title = plan.title if plan else _(SHEET_TITLE)
    for col, width in enumerate(WIDTHS, 1):  # columns and rows are set up before any row is written
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(columns)}{max(HEADER_ROW, FIRST_DATA_ROW + len(rows) - 1)}"
    _page_setup(ws, plan_title, as_of)

    title = WriteOnlyCell(ws)
    _set(title, _("{title} ({unit}, as of {date})").format(title=plan_title, unit=unit, date=as_of.isoformat())
         if unit else _("{title} (as of {date})").format(title=plan_title, date=as_of.isoformat()))
    title.font = font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    # Merged ranges are handed over at the end, at once: openpyxl's add() compares each new range with
    # every range before it (22,000 ranges at 100,000 measures in 1,000 plans: 11 minutes).
    merged = [CellRange(f"A{TITLE_ROW}:{get_column_letter(columns)}{TITLE_ROW}")]
    ws.row_dimensions[TITLE_ROW].height = TITLE_POINTS
    ws.append([title])
    header_cells = []
    for header in headers:
        c = WriteOnlyCell(ws, header)
        c.font, c.fill, c.border = font(bold=True), HEADER_FILL, BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header_cells.append(c)
    ws.row_dimensions[HEADER_ROW].height = height_for(
        max(lines_needed(h, w) for h, w in zip(headers, WIDTHS)))
    ws.append(header_cells)

    # One merged 序号 cell and one 重点任务 cell per key task, over its measures, as the document has them.
    groups = [list(group) for _task, group in groupby(rows, key=lambda m: (m.plan, m.task))]  # a plan's own key tasks
    starts = []
    r = FIRST_DATA_ROW
    for group in groups:
        starts.append(r)
        if len(group) > 1:
            for col in range(1, sheet.TASK_COLUMNS + 1):
                letter = get_column_letter(col)
                merged.append(CellRange(f"{letter}{r}:{letter}{r + len(group) - 1}"))
        r += len(group)
    ws.merged_cells = MultiCellRange(merged)

    rows_xml = _RowsXml(ws, columns, plan, as_of)
    try:
        with tempfile.TemporaryFile() as body:
            # The rows as text, encoded as the file holds them (ASCII, character references): in_two's
            # child encodes its rows as this wrapper does.
            text = io.TextIOWrapper(body, encoding="ascii", errors="xmlcharrefreplace", newline="")
            if len(rows) < shared_output.SHARED_FROM:
                rows_xml.write(groups, starts, text)
            else:
                _write_in_two(rows_xml, groups, starts, text)
            text.detach()  # flushed into `body`, which stays open for _with_rows (closing the wrapper would close it)
            saved = io.BytesIO()
            workbook.save(saved)
            return _with_rows(saved, ws.path[1:], body)
    except BaseException:
        _close_unsaved(ws)
        raise


def _close_unsaved(ws) -> None:
    """openpyxl's writer of `ws`, left open by a failure before the workbook is saved (a full disk),
    closed now. Left to the garbage collector, its generators are closed in any order as portcli
    exits, and lxml's complaints reach stderr as two tracebacks ("Exception ignored in ...") after
    the one line that tells the failure."""
    if ws.closed:
        return
    try:
        ws.close()
    except Exception:  # its own file on the same full disk: the failure told is the first one
        pass


class _RowsXml:
    """The data rows' XML (`_row_xml`), a key task's measures at a time: the rows under a key task
    grow together until its text fits."""

    def __init__(self, ws, columns: int, plan: Plan | None, as_of: date) -> None:
        self.styles = _Styles(ws)
        self.letters = [get_column_letter(col) for col in range(1, columns + 1)]
        self.plan, self.as_of = plan, as_of

    def write(self, groups: list[list[Measure]], starts: list[int], out: IO[str]) -> None:
        """The rows of these key tasks' measures (`groups`), the first of each at its row in `starts`, to `out`
        (text: `_row_xml`'s ASCII, which the rows' file and in_two's channel encode as it was)."""
        plan, as_of, letters, styles = self.plan, self.as_of, self.letters, self.styles
        for group, r in zip(groups, starts):
            values = [sheet.row(m, plan, as_of) for m in group]
            shown = [[printable(value) if isinstance(value, str) else value for value in row] for row in values]
            lights = [light(m, as_of, days_for(m, plan)) for m in group]
            n = len(values)
            heights = []
            for row in shown:  # the text as the cell shows it: a control character takes 4 places (\x1b)
                lines = 1
                for col, value in enumerate(row[sheet.TASK_COLUMNS:], sheet.TASK_COLUMNS + 1):
                    if isinstance(value, str):
                        lines = max(lines, lines_needed(value, WIDTHS[col - 1]))
                heights.append(height_for(lines))
            task_text = shown[0][1]
            needed = height_for(lines_needed(task_text if isinstance(task_text, str) else str(task_text or ""), WIDTHS[1]))
            have = sum(heights)
            if needed > have:
                heights = [height + (needed - have) / n for height in heights]
            for i, (row, height, lit) in enumerate(zip(values, heights, lights)):
                cells = _data_cells(row, shown[i], lit, i == 0, i == n - 1, styles)
                out.write(_row_xml(r + i, height, letters, cells).decode("ascii"))


def _write_in_two(rows_xml: _RowsXml, groups: list[list[Measure]], starts: list[int], out: IO[str]) -> None:
    """rows_xml.write of every group to `out`, the last groups' rows written by a forked child
    (shared_output.in_two) while this process writes the first ones: at 100,000 measures the rows are
    two thirds of the export. Every style a data cell can have is numbered first (`_Styles.every_kind`),
    on one CPU too, so that the child numbers its cells as this process would and the workbook is the
    same, byte for byte, however many processes wrote it. Whatever the child fails to write, this
    process writes; a copy of the child's rows into `out` that fails (a full disk) raises its OSError,
    as this process's own write would."""
    rows_xml.styles.every_kind()
    if len(groups) < 2 or not child.can_fork():
        rows_xml.write(groups, starts, out)
        return
    at = child.split([len(group) for group in groups], child.SHARE)
    parent = os.getpid()

    def theirs(out: IO[str]) -> None:
        # In the child a style every_kind did not number would be a number of its own: it fails instead,
        # and this process writes these rows (theirs then runs here, where numbering one is right).
        if os.getpid() != parent:
            rows_xml.styles.in_child = True
        rows_xml.write(groups[at:], starts[at:], out)

    shared_output.in_two(out, lambda out: rows_xml.write(groups[:at], starts[:at], out), theirs)


# Under a merged cell only its first cell holds a value; the others keep the borders on the merged
# range's edges, as openpyxl leaves them when it merges.
_MERGED_MIDDLE = Border(left=THIN, right=THIN)
_MERGED_LAST = Border(left=THIN, right=THIN, bottom=THIN)


class _Styles:
    """The workbook's style numbers for each kind of data row. openpyxl hashes every font, border and
    alignment a cell is given, so each kind of cell is styled once, by openpyxl, and its number reused;
    equal styles are one number, whichever row first asked for them."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.rows: dict = {}
        self.every: set[int] | None = None  # with every_kind: the numbers there are
        self.in_child = False  # a child's new number would be its own: it may use only those in `every`

    def every_kind(self) -> None:
        """Every style a data cell can have numbered now, in an order that depends on nothing else: a
        text, a formula-like text (quotePrefix) or a date (number format) in each column, in each light,
        and the merged key task's cells above and at the bottom of its range."""
        kinds = (None, sheet.FORMULA_STARTS[0], date(2000, 1, 1))
        numbers = set()
        for colour in ("green", *LIGHT_STYLES):
            for col in range(1, len(sheet.HEADERS) + 1):
                numbers.update(self._style(col, value, colour, False, False).style_id for value in kinds)
                if col <= sheet.TASK_COLUMNS:
                    numbers.update(self._style(col, None, colour, True, last).style_id for last in (False, True))
        self.every = numbers

    def row(self, values: list, colour: str, first: bool, last: bool) -> list[int]:
        """The style numbers of a measure's row of `values`, its tracking cells in its light's `colour`
        (LIGHT_STYLES); `first` and `last`: its place under its key task's merged cells."""
        kinds = tuple([2 if isinstance(value, date) else isinstance(value, str) and value.startswith(sheet.FORMULA_STARTS)
                       for value in values])
        key = (colour, first, last, kinds)
        numbers = self.rows.get(key)
        if numbers is None:
            numbers = self.rows[key] = [self._style(col, value, colour, col <= sheet.TASK_COLUMNS and not first, last).style_id
                                        for col, value in enumerate(values, 1)]
            if self.in_child and not self.every.issuperset(numbers):  # the child fails; this process writes its rows
                raise LookupError(f"a style every_kind did not number: {key}")
        return numbers

    def _style(self, col: int, value: object, colour: str, merged: bool, last: bool) -> WriteOnlyCell:
        c = WriteOnlyCell(self.ws)
        if merged:
            c.border = _MERGED_LAST if last else _MERGED_MIDDLE
            return c
        lit = LIGHT_STYLES.get(colour)
        _set_style(c, value)
        c.border = BORDER
        c.alignment = Alignment(vertical="center" if col <= sheet.TASK_COLUMNS else "top", wrap_text=True,
                                horizontal="center" if col in (1, 3) else None)
        c.font = font(color=lit[1]) if lit and lit[1] and col > sheet.TASK_COLUMNS else font()
        if lit and col > sheet.TASK_COLUMNS:
            c.fill = lit[0]
        return c


def _data_cells(values: list, shown: list, colour: str, first: bool, last: bool, styles: _Styles) -> list:
    """A measure's row as (value as `shown`, style number) pairs, styled by its `values` (`_Styles.row`);
    a cell under a merged key task holds no value."""
    cells = list(zip(shown, styles.row(values, colour, first, last)))
    if not first:
        for col in range(sheet.TASK_COLUMNS):
            cells[col] = (None, cells[col][1])
    return cells


def _row_xml(index: int, height: float, letters: list, cells: list) -> bytes:
    """A row of the sheet as openpyxl writes it (through lxml), byte for byte, at a tenth of the time:
    its cell by cell writing took 80 % of a big workbook. Text (printable already) is inline, never a
    formula; anything outside ASCII a character reference, as lxml writes it."""
    parts = [f'<row r="{index}" ht="{height:.16g}" customHeight="1">']
    for letter, (value, style) in zip(letters, cells):
        if isinstance(value, str):
            if not value:
                parts.append(f'<c r="{letter}{index}" s="{style}" t="inlineStr"></c>')
                continue
            space = ' xml:space="preserve"' if value != value.strip() else ""
            text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            parts.append(f'<c r="{letter}{index}" s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
        elif value is None:
            parts.append(f'<c r="{letter}{index}" s="{style}" t="n"></c>')
        else:
            number = _serial(value) if isinstance(value, date) else value
            parts.append(f'<c r="{letter}{index}" s="{style}" t="n"><v>{number:.16g}</v></c>')
    parts.append("</row>")
    return "".join(parts).encode("ascii", "xmlcharrefreplace")


@cache
def _serial(day: date) -> float:
    return to_excel(day)


# The sheet's rows are most of a workbook: at 100,000 measures 190 MB of XML (every Chinese character a
# character reference, as openpyxl writes it). zlib's default level 6 packed them into 14.4 MB in 2.5 s,
# more than a quarter of the export; level 3 takes 0.9 s for 19.1 MB (level 1: 0.8 s, 22 MB).
SHEET_COMPRESSION = 3


def _with_rows(saved: io.BytesIO, sheet_path: str, body) -> memoryview:
    """The workbook openpyxl `saved`, its sheet's rows followed by the rows written to `body`."""
    out = io.BytesIO()
    end = b"</sheetData>"
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != sheet_path:
                target.writestr(info, data)
                continue
            head, _end, tail = data.partition(end)  # the title and header rows are there: never <sheetData/>
            rows = body.seek(0, io.SEEK_END)
            info.file_size = len(head) + rows + len(end) + len(tail)  # over 2 GiB, a ZIP64 entry
            info._compresslevel = SHEET_COMPRESSION  # its own level (Python 3.13's compress_level, by its old name)
            body.seek(0)
            with target.open(info, "w") as part:
                part.write(head)
                shutil.copyfileobj(body, part, 1 << 20)
                part.write(end + tail)
    return out.getbuffer()  # the bytes, not a copy of them


def _page_setup(ws, plan_title: str, as_of: date) -> None:
    """A4 landscape, one page wide and as many long as it takes, title and header on every page."""
    ws.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
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
    _set_value(c, value)
    _set_style(c, value)


def _set_value(c, value: object) -> None:
    if isinstance(value, str):
        # Text stays text: openpyxl would store "=…" as a formula, so the type is set back to string.
        c.value = printable(value)
        c.data_type = "s"
    else:
        c.value = value


def _set_style(c, value: object) -> None:
    if isinstance(value, date):
        c.number_format = "yyyy-mm-dd"
    elif isinstance(value, str):
        # quotePrefix keeps Excel from re-reading text as a formula when someone edits the cell.
        c.quotePrefix = value.startswith(sheet.FORMULA_STARTS)
