"""The xlsx export writes its data rows' XML itself (render/xlsx.py `_row_xml`): openpyxl, cell by
cell, took 80 % of a big workbook. These tests hold that XML to openpyxl's own: the same cells, values
and row heights written by openpyxl's write-only worksheet give the same bytes. The workbook as a
whole is read back by openpyxl and LibreOffice in test_export.py, test_xlsx_print.py and
test_spreadsheet_inert.py."""
from __future__ import annotations

import io
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

from hypothesis import given, settings, strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from portcli.render import printable
from portcli.render import xlsx

LETTERS = list("ABCDEFGHIJK")
SHIPPED = Path(__file__).resolve().parents[1] / "measures"

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


def test_a_sheet_one_byte_past_the_limit_is_zip64_and_its_declared_size_is_its_own(run, tmp_path, monkeypatch):
    """The size given before the rows are written is the sheet's own: with the limit one byte under it the
    entry is ZIP64. zipfile allows 5 % for a size given low, so the folder is small and has many merged
    key tasks (the part of the sheet after its rows, its merged ranges, is a large share of it): a size
    that left that part out would be too low by more than 5 %, and the entry, written without ZIP64, would
    be refused on closing."""
    import zipfile as zip_module
    import yaml

    folder = tmp_path / "measures"
    folder.mkdir()
    shutil.copy(SHIPPED / "_plan.yaml", folder / "_plan.yaml")
    for measure_id in range(1, 31):  # ten key tasks of three measures each
        (folder / f"{measure_id:02d}.yaml").write_text(yaml.safe_dump(
            {"id": measure_id, "task": (measure_id - 1) // 3 + 1, "national": "", "local": ["x"], "units": ["天津海关"],
             "deadline": "5月底前", "status": "not_started"}, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "small.xlsx"
    assert run("export", "--dir", folder, "--as-of", "2022-06-15", "--format", "xlsx", "--output", out).exit_code == 0
    size = zipfile.ZipFile(out).getinfo("xl/worksheets/sheet1.xml").file_size
    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml")
    after_rows = len(sheet) - sheet.index(b"</sheetData>")
    assert after_rows * 2 > size * 0.05  # what the test needs: the part after the rows is big enough
    monkeypatch.setattr(zip_module, "ZIP64_LIMIT", size - 1)
    big = tmp_path / "zip64.xlsx"
    assert run("export", "--dir", folder, "--as-of", "2022-06-15", "--format", "xlsx", "--output", big).exit_code == 0
    monkeypatch.undo()
    assert zipfile.ZipFile(big).getinfo("xl/worksheets/sheet1.xml").extract_version >= zip_module.ZIP64_VERSION
    assert [[c.value for c in r] for r in load_workbook(big).active.iter_rows()] == \
           [[c.value for c in r] for r in load_workbook(out).active.iter_rows()]
