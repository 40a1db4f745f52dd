"""The xlsx export writes its data rows' XML itself (render/xlsx.py `_row_xml`): openpyxl, cell by
cell, took 80 % of a big workbook. These tests hold that XML to openpyxl's own: the same cells, values
and row heights written by openpyxl's write-only worksheet give the same bytes. From 3,000 measures
a forked child writes the last key tasks' rows: the workbook must be one process's, byte for byte,
whatever the child does. The workbook as a whole is read back by openpyxl and LibreOffice in
test_export.py, test_xlsx_print.py and test_spreadsheet_inert.py."""
from __future__ import annotations

import csv
import errno
import io
import os
import re
import shutil
import signal
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

import hostile
from forks import counted_children
from programs import libreoffice, needs_libreoffice
from portcli import child, cli, shared_output
from portcli.render import printable
from portcli.render import xlsx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402  (benchmarks/generate.py: the benchmark's own tree of plans)

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
    shown = [printable(value) if isinstance(value, str) else value for value in row]
    assert xlsx._row_xml(index, height, LETTERS, list(zip(shown, styles))).decode("ascii") == expected


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


def test_the_sheet_is_deflated_at_its_own_level_the_rest_as_openpyxl_does(run, measures_dir, tmp_path):
    """The sheet's rows, most of a big workbook, are deflated at zlib level 3 (xlsx.SHEET_COMPRESSION:
    2.7 times faster than the default level 6, for a third more bytes): its stored bytes are zlib's at
    that level of its XML, and not at level 6. (Set on the zip entry by a name Python may change: were
    it ignored, this fails.) The other entries stay as openpyxl deflates them."""
    import zlib

    out = tmp_path / "measures.xlsx"
    run("export", "--dir", measures_dir, "--as-of", "2022-06-15", "--format", "xlsx", "--output", out)

    def deflated(data: bytes, level: int) -> int:
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        return len(packer.compress(data) + packer.flush())

    with zipfile.ZipFile(out) as workbook:
        sheet = workbook.getinfo("xl/worksheets/sheet1.xml")
        xml = workbook.read(sheet)
        assert sheet.compress_type == zipfile.ZIP_DEFLATED and len(xml) > 20_000
        assert sheet.compress_size == deflated(xml, 3) != deflated(xml, 6)
        styles = workbook.getinfo("xl/styles.xml")
        assert styles.compress_size == deflated(workbook.read(styles), 6)


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


# --- a workbook written by two processes ------------------------------------------------------------

@pytest.fixture
def tree(tmp_path) -> Path:
    """Four plans of generated measures (every light, progress, extensions), one of them with the hostile
    measure (texts Excel would take for formulas), so that every kind of cell is in either half."""
    root = generate.generate_plans(4, 15, tmp_path / "measures", seed=7)
    plans = sorted(p for p in root.iterdir() if p.is_dir())
    for plan in plans[::3]:  # the first plan and the last
        hostile.write(plan)
    for plan in plans[1:3]:  # yellow lights: a window of two months in the middle plans
        text = (plan / "_plan.yaml").read_text(encoding="utf-8")
        (plan / "_plan.yaml").write_text(text.replace("\ntasks:", "\nlights: {yellow_days: 60}\ntasks:", 1), encoding="utf-8")
    return root


@pytest.fixture
def children(monkeypatch) -> list:
    """Every child started, from 2 measures on, on any machine: what it sent (None when it failed)."""
    return counted_children(monkeypatch, shared_output)


def exported(run, folder: Path, out: Path) -> dict[str, bytes]:
    """The workbook's parts, but its creation time (docProps/core.xml: the clock's)."""
    result = run("export", "--dir", folder, "--as-of", hostile.AS_OF, "--format", "xlsx", "--output", out)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as workbook:
        return {name: workbook.read(name) for name in workbook.namelist() if name != "docProps/core.xml"}


def one_and_two(run, monkeypatch, children, tree, tmp_path) -> tuple[dict, dict]:
    """(the workbook this process writes alone, on one CPU; the workbook it writes with a child)."""
    with monkeypatch.context() as one_cpu:
        one_cpu.setattr(child, "cpus", lambda: 1)
        one = exported(run, tree, tmp_path / "one.xlsx")
    before = len(children)
    two = exported(run, tree, tmp_path / "two.xlsx")
    assert len(children) == before + 1, "no child was started"
    return one, two


def test_a_workbook_written_with_a_child_is_one_processs(run, monkeypatch, children, tree, tmp_path):
    one, two = one_and_two(run, monkeypatch, children, tree, tmp_path)
    assert children[-1] is True  # the child's rows, copied from its file in memory
    assert two == one
    sheet = two["xl/worksheets/sheet1.xml"].decode("ascii")
    rows = [int(r) for r in re.findall(r'<row r="(\d+)"', sheet)]
    assert rows == list(range(1, 2 + 4 * 15 + 2 + 1))  # title, header, 60 generated measures and 2 hostile ones


@pytest.mark.parametrize("channel", ["memfd", "pipe"])
def test_each_row_is_written_once_this_process_the_first_the_child_the_last(run, monkeypatch, children, tree,
                                                                             tmp_path, channel):
    """The child ended well: its rows are the workbook's, and this process writes only its own share,
    never the child's rows again (the same workbook either way, but twice the work for every big export)."""
    if channel == "pipe":
        monkeypatch.delattr(os, "memfd_create", raising=False)
    parent, real, log = os.getpid(), xlsx._row_xml, tmp_path / "rows.log"

    def row_xml(index, *args):
        with open(log, "a", encoding="ascii") as rows:  # each process appends: whose row, which row
            rows.write(f"{'here' if os.getpid() == parent else 'child'} {index}\n")
        return real(index, *args)

    monkeypatch.setattr(xlsx, "_row_xml", row_xml)
    exported(run, tree, tmp_path / "two.xlsx")
    assert children[-1] is True or type(children[-1]) is bytes
    written = [line.split() for line in log.read_text(encoding="ascii").splitlines()]
    here = [int(index) for who, index in written if who == "here"]
    theirs = [int(index) for who, index in written if who == "child"]
    last = 2 + 4 * 15 + 2  # title, header, 60 generated measures and 2 hostile ones
    assert here and theirs  # each wrote some
    assert here == list(range(3, here[-1] + 1))  # this process: the first rows, in order, once each
    assert theirs == list(range(here[-1] + 1, last + 1))  # the child: the rest, in order, once each


@pytest.mark.parametrize("how", ["raises", "dies", "exits"])
def test_a_failing_child_changes_nothing_but_the_time(run, monkeypatch, children, tree, tmp_path, how):
    parent, real = os.getpid(), xlsx._row_xml
    written = []

    def row_xml(*args):
        if os.getpid() != parent and written:  # the child fails after its first row
            if how == "dies":
                os.kill(os.getpid(), signal.SIGKILL)
            if how == "exits":
                os._exit(3)
            raise RuntimeError("the child's rows failed")
        written.append(args[0])
        return real(*args)

    monkeypatch.setattr(xlsx, "_row_xml", row_xml)
    one, two = one_and_two(run, monkeypatch, children, tree, tmp_path)
    assert children[-1] is None
    assert two == one


def test_a_child_that_sends_through_a_pipe_sends_every_row(run, monkeypatch, children, tree, tmp_path):
    """Without a file in memory (os.memfd_create: Linux) the child's rows come through a pipe, held
    until the child has ended well."""
    monkeypatch.delattr(os, "memfd_create", raising=False)
    one, two = one_and_two(run, monkeypatch, children, tree, tmp_path)
    sent = children[-1]
    assert type(sent) is bytes and sent.startswith(b"<row r=") and sent in two["xl/worksheets/sheet1.xml"]
    assert two == one


def test_a_fork_that_fails_leaves_every_row_to_this_process(run, monkeypatch, children, tree, tmp_path):
    def no_more_processes():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_more_processes)
    one, two = one_and_two(run, monkeypatch, children, tree, tmp_path)
    assert children[-1] is None
    assert two == one


def test_a_child_never_numbers_a_style_of_its_own(run, monkeypatch, children, tree, tmp_path):
    """A style the child's copy of the workbook numbered would be a number this process's workbook does
    not have, or has for another style: a child meeting a kind of cell every_kind did not number fails,
    and this process writes its rows."""
    monkeypatch.setattr(xlsx._Styles, "every_kind", lambda self: setattr(self, "every", set()))
    one, two = one_and_two(run, monkeypatch, children, tree, tmp_path)
    assert children[-1] is None
    assert two == one


def test_every_kind_numbers_every_style_the_rows_take(run, monkeypatch, children, tree, tmp_path):
    """Every light, a date and no date, formula-like texts, merged key tasks of one and several
    measures: the child numbered each of its cells as this process had (else it would have failed)."""
    exported(run, tree, tmp_path / "two.xlsx")
    assert children[-1] is True
    styles = load_workbook(tmp_path / "two.xlsx").active
    fills = {styles.cell(r, 11).fill.fgColor.rgb for r in range(3, styles.max_row + 1)}
    assert fills == {"00FFC7CE", "00FFEB9C", "00E7E6E6", "00000000"}  # red, yellow, grey and no fill
    assert any(c.quotePrefix for row in styles.iter_rows(min_row=3) for c in row)


@needs_libreoffice
def test_libreoffice_reads_a_workbook_written_by_two_processes(run, monkeypatch, children, tree, tmp_path):
    """The styles every_kind numbers beyond those the rows use are in styles.xml unused: LibreOffice
    reads the workbook as it reads the one the small-export path writes, cell for cell."""
    two = tmp_path / "two.xlsx"
    exported(run, tree, two)
    assert children[-1] is True
    with monkeypatch.context() as alone:
        alone.setattr(shared_output, "SHARED_FROM", 10**9)
        exported(run, tree, tmp_path / "alone.xlsx")
    options = "csv:Text - txt - csv (StarCalc):44,34,76"
    read = [list(csv.reader(io.StringIO(libreoffice(tmp_path / f"{name}.xlsx", options, tmp_path / name,
                                                     tmp_path / "lo").read_text(encoding="utf-8"), newline="")))
            for name in ("two", "alone")]
    assert read[0] == read[1] and len(read[0]) == 2 + 4 * 15 + 2


class _FullAt(io.FileIO):
    """A file on a disk that is full once the file holds `room` bytes: a write past it writes what
    fits, and the next one fails as a full disk fails."""

    def __init__(self, descriptor: int, room: int) -> None:
        super().__init__(descriptor, "r+")
        self.room = room

    def write(self, data) -> int:
        left = self.room - self.tell()
        if left <= 0 < len(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(memoryview(data)[:left])


@pytest.mark.parametrize("channel", ["memfd", "pipe"])
def test_a_child_whose_rows_cannot_all_be_copied_ends_the_export_as_one_process_meeting_a_full_disk(
        run, monkeypatch, capsys, children, tree, tmp_path, channel):
    """The child ended well, but its rows could not all be copied into the rows' file (its disk full
    halfway): the export ends as it ends when one process, writing every row, meets that full disk: one
    line on stderr and exit 2 (no traceback), and no workbook. The child's rows are not written again
    here, into a disk that cannot take them."""
    import gc
    import tempfile
    import types

    if channel == "pipe":
        monkeypatch.delattr(os, "memfd_create", raising=False)
    sheet = exported(run, tree, tmp_path / "whole.xlsx")["xl/worksheets/sheet1.xml"]
    rows = sheet.index(b"</sheetData>") - sheet.index(b'<row r="3"')  # the data rows' file, whole
    # room for this process's rows (about 55 % of them) and some of the child's
    monkeypatch.setattr(xlsx, "tempfile", types.SimpleNamespace(
        TemporaryFile=lambda: io.BufferedRandom(_FullAt(tempfile.mkstemp(dir=tmp_path)[0], rows * 3 // 4))))
    monkeypatch.setenv("PORTCLI_LANG", "en")

    def export(out: Path) -> tuple[int, str]:
        """The exit code, and stderr: what the command says, and what Python says as it exits of what the
        failure left behind (the garbage collector's "Exception ignored in ..." tracebacks)."""
        ignored, hook = [], sys.unraisablehook
        sys.unraisablehook = lambda unraisable: ignored.append(f"Exception ignored in: {unraisable.object!r}\n")
        try:
            with pytest.raises(SystemExit) as ended:  # as the console script runs it, under commands.guarded
                cli.run(["export", "--dir", str(tree), "--as-of", hostile.AS_OF, "--format", "xlsx", "--output", str(out)])
            code = ended.value.code
            del ended  # its traceback holds the export's frames, and what they held, alive
            gc.collect()
        finally:
            sys.unraisablehook = hook
        return code, capsys.readouterr().err + "".join(ignored)

    with monkeypatch.context() as one_cpu:
        one_cpu.setattr(child, "cpus", lambda: 1)
        one = export(tmp_path / "one.xlsx")
    parent, real, here = os.getpid(), xlsx._row_xml, []

    def row_xml(index, *args):
        if os.getpid() == parent:
            here.append(index)
        return real(index, *args)

    monkeypatch.setattr(xlsx, "_row_xml", row_xml)
    before = len(children)
    two = export(tmp_path / "two.xlsx")
    # the child ended well and handed its rows over: what failed is their copy, after this process's rows
    assert len(children) == before + 1
    assert children[-1] is True if channel == "memfd" else type(children[-1]) is bytes
    assert here == list(range(3, here[-1] + 1)) and here[-1] < 2 + 4 * 15 + 2  # its own rows, once
    assert one == two == (2, "portcli: cannot write the output: No space left on device\n")
    assert not (tmp_path / "one.xlsx").exists() and not (tmp_path / "two.xlsx").exists()


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
