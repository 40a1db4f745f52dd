"""The xlsx export writes its data rows' XML itself (render/xlsx.py `_row_xml`): openpyxl, cell by
cell, took 80 % of a big workbook. These tests hold that XML to openpyxl's own: the same cells, values
and row heights written by openpyxl's write-only worksheet give the same bytes. The workbook as a
whole is read back by openpyxl and LibreOffice in test_export.py, test_xlsx_print.py and
test_spreadsheet_inert.py."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date

from hypothesis import given, settings, strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from portcli.render import printable
from portcli.render import xlsx

LETTERS = list("ABCDEFGHIJK")

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["", " ", " 前后有空格 ", "a<b>&c", "&amp;", "=1+1", "\t制表", "一\n二", "😀", "\x1b[2J", "\u202e", "\r"])
values = st.none() | texts | st.integers(-10**6, 10**6) | st.dates(date(1900, 3, 1), date(2100, 12, 31))
rows = st.lists(values, min_size=1, max_size=len(LETTERS))
heights = st.floats(1, 400, allow_nan=False) | st.sampled_from([18.0, 32.0, 19.333333333333332])


def openpyxl_row(index: int, height: float, row: list) -> tuple[str, list[int]]:
    """The row as openpyxl writes it, each cell given a style of its own, and those styles' numbers."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("s")
    cells = []
    for size, value in enumerate(row, 8):
        c = WriteOnlyCell(ws)
        if isinstance(value, str):
            c.value, c.data_type = printable(value), "s"  # the export's texts: printable, never formulas
        else:
            c.value = value
        c.font = Font(size=size)
        if isinstance(value, date):
            c.number_format = "yyyy-mm-dd"
        cells.append(c)
    styles = [c.style_id for c in cells]
    for _ in range(1, index):  # rows before it, so that it is row `index`
        ws.append([])
    ws.row_dimensions[index].height = height
    ws.append(cells)
    saved = io.BytesIO()
    workbook.save(saved)
    sheet = zipfile.ZipFile(saved).read("xl/worksheets/sheet1.xml").decode("ascii")
    return re.search(rf'<row r="{index}".*?</row>', sheet, re.S).group(), styles


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4), heights, rows)
def test_a_row_is_written_as_openpyxl_writes_it(index, height, row):
    expected, styles = openpyxl_row(index, height, row)
    assert xlsx._row_xml(index, height, LETTERS, list(zip(row, styles))).decode("ascii") == expected


def test_the_rows_xml_is_plain_ascii_with_character_references():
    written = xlsx._row_xml(3, 18.0, LETTERS, [("海关 &", 4), (None, 5), (date(2022, 5, 31), 6), (15, 7)])
    assert written == (b'<row r="3" ht="18" customHeight="1">'
                       b'<c r="A3" s="4" t="inlineStr"><is><t>&#28023;&#20851; &amp;</t></is></c>'
                       b'<c r="B3" s="5" t="n"></c>'
                       b'<c r="C3" s="6" t="n"><v>44712</v></c>'  # Excel's serial day of 2022-05-31
                       b'<c r="D3" s="7" t="n"><v>15</v></c></row>')


def test_a_sheet_past_the_zip_size_limit_is_written_as_zip64(run, measures_dir, tmp_path, monkeypatch):
    """Past 2 GiB a zip entry needs ZIP64 fields, and the sheet's size is only known once its rows are
    written: it is given before the entry is opened. The limit is lowered here to between the size of
    openpyxl's sheet (title and header) and the whole sheet's."""
    import zipfile as zip_module

    out = tmp_path / "small.xlsx"
    run("export", "--dir", measures_dir, "--as-of", "2022-06-15", "--format", "xlsx", "--output", out)
    sizes = {i.filename: i.file_size for i in zipfile.ZipFile(out).infolist()}
    monkeypatch.setattr(zip_module, "ZIP64_LIMIT", sizes["xl/worksheets/sheet1.xml"] // 2)
    big = tmp_path / "zip64.xlsx"
    run("export", "--dir", measures_dir, "--as-of", "2022-06-15", "--format", "xlsx", "--output", big)
    monkeypatch.undo()
    info = zipfile.ZipFile(big).getinfo("xl/worksheets/sheet1.xml")
    assert info.extract_version >= zip_module.ZIP64_VERSION  # written with ZIP64 sizes
    assert [[c.value for c in r] for r in load_workbook(big).active.iter_rows()] == \
           [[c.value for c in r] for r in load_workbook(out).active.iter_rows()]


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("天津海关 ab\n、１👍e\u0301")) | st.text(max_size=60), st.sampled_from(xlsx.WIDTHS))
def test_a_text_takes_a_line_per_column_width_of_each_of_its_lines(text, width):
    """Row heights: each line of a cell's text wraps to ceil(its width / the column's room) lines, a W
    or F character (Unicode's East Asian Width) counting two; a short text is one line at once."""
    import math
    import unicodedata

    room = width - 1
    expected = sum(max(1, math.ceil(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) / room))
                   for line in text.split("\n"))
    assert xlsx.lines_needed(text, width) == expected
