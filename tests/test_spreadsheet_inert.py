"""Every value that reaches a spreadsheet cell is inert text (issue 10): on a plan whose title, key
task, unit names and measure texts start with = + - @ tab or CR, no xlsx cell is a formula and each
such cell holds the text as written (a string cell, quotePrefix set), and each CSV cell starts with
a ' as OWASP advises. LibreOffice, opening both, shows the literal text."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

import formula_plan
from programs import libreoffice, needs_libreoffice, needs_poppler, pdf_pages


@pytest.fixture
def run(run_in_chinese):
    """These tests read the reports' Chinese words: the commands speak Chinese."""
    return run_in_chinese


AS_OF = "2022-06-15"
STARTS = ["=", "+", "-", "@", "\t", "\r"]
CELL_KINDS = ["序号", "重点任务", "具体举措", "天津市细化落实措施", "责任单位", "完成时限"]
HEADERS = ["序号", "重点任务", "编号", "具体举措", "天津市细化落实措施", "责任单位", "完成时限",
           "状态", "到期日", "逾期天数", "最新进展"]


def in_xlsx(text: str) -> str:
    """A CR is a control character: the xlsx shows it as the escape \\x0d, as the terminal does."""
    return text.replace("\r", "\\x0d")


def shown(written: dict) -> dict:
    """What portcli keeps of each text: a deadline phrase without its whitespace (SPEC §1)."""
    return {**written, "完成时限": "".join(written["完成时限"].split())}


def export(run, folder: Path, target: Path) -> Path:
    result = run("export", "--dir", folder, "--as-of", AS_OF, "--output", target)
    assert result.exit_code == 0, result.stderr
    return target


@pytest.mark.parametrize("start", STARTS, ids=repr)
def test_no_xlsx_cell_is_a_formula(run, measures_dir, tmp_path, start):
    written = shown(formula_plan.write(measures_dir, start))
    path = export(run, measures_dir, tmp_path / "分工表.xlsx")
    sheet_xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula element in the file itself

    ws = load_workbook(path).active
    assert ws["A1"].value == in_xlsx(written["title"]) + f"（截至 {AS_OF}）"
    assert ws["A1"].data_type == "s" and ws["A1"].quotePrefix
    row = next(r for r in ws.iter_rows(min_row=3) if r[2].value == formula_plan.MEASURE)
    task_row = next(r for r in ws.iter_rows(min_row=3) if r[0].value is not None and r[0].value == in_xlsx(written["序号"]))
    cells = {"序号": task_row[0], "重点任务": task_row[1]}
    cells.update({kind: row[HEADERS.index(kind)] for kind in CELL_KINDS[2:]})
    for kind in CELL_KINDS:
        cell = cells[kind]
        assert cell.value == in_xlsx(written[kind]), kind
        assert cell.data_type == "s" and cell.quotePrefix == written[kind].startswith(tuple(STARTS)), kind
    # The plan title in the page footer: & starts a code there (&P the page number), so it is doubled.
    assert ws.oddFooter.left.text == in_xlsx(written["title"]).replace("\t", "\\x09").replace("&", "&&")  # one line


@pytest.mark.parametrize("start", STARTS, ids=repr)
def test_every_csv_cell_that_starts_a_formula_gets_a_quote(run, measures_dir, start):
    written = shown(formula_plan.write(measures_dir, start))
    raw = run("export", "--dir", measures_dir, "--as-of", AS_OF, "--format", "csv").stdout_bytes
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert not [c for r in rows for c in r if c[:1] in STARTS]
    row = next(r for r in rows if r[2] == str(formula_plan.MEASURE))
    for kind in CELL_KINDS:
        quote = "'" if written[kind].startswith(tuple(STARTS)) else ""
        assert row[HEADERS.index(kind)] == quote + written[kind], kind
    unit_rows = [r for r in rows if formula_plan.UNIT in r[5]]
    assert unit_rows and all(r[5].startswith("'" + start) or f"、{start}{formula_plan.UNIT}" in r[5]
                             for r in unit_rows)


@needs_libreoffice
def test_libreoffice_shows_the_literal_text_of_the_xlsx(run, measures_dir, tmp_path):
    written = formula_plan.write(measures_dir, "=")
    path = export(run, measures_dir, tmp_path / "inert.xlsx")
    # CSV filter options: comma, double quote, UTF-8 (76), so the Chinese survives the trip.
    converted = libreoffice(path, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path / "out", tmp_path / "lo")
    rows = list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8"), newline="")))
    assert rows[0][0] == written["title"] + f"（截至 {AS_OF}）"  # evaluated, it would begin with 2
    row = next(r for r in rows if r[2] == str(formula_plan.MEASURE))
    for kind in CELL_KINDS[2:]:
        assert row[HEADERS.index(kind)] == written[kind], kind
    assert any(r[0] == written["序号"] and r[1] == written["重点任务"] for r in rows)


@needs_libreoffice
@needs_poppler
def test_libreoffice_prints_the_literal_text_of_the_xlsx(run, measures_dir, tmp_path):
    written = formula_plan.write(measures_dir, "=")
    pdf = libreoffice(export(run, measures_dir, tmp_path / "inert.xlsx"), "pdf", tmp_path / "out", tmp_path / "lo")
    first = pdf_pages(pdf)[0]
    assert written["title"] + f"（截至 {AS_OF}）" in first
    assert re.search(rf"^{re.escape(written['title'])} 第 1 页", first, re.M)  # the footer, its & kept


@needs_libreoffice
def test_libreoffice_reads_the_csv_as_text(run, measures_dir, tmp_path):
    """The CSV opened as the README says (UTF-8 in the import dialog): the quoted cells stay text."""
    written = formula_plan.write(measures_dir, "=")
    source = tmp_path / "measures.csv"
    source.write_bytes(run("export", "--dir", measures_dir, "--as-of", AS_OF, "--format", "csv").stdout_bytes)
    out = tmp_path / "out"
    out.mkdir()
    converted = libreoffice(source, "csv:Text - txt - csv (StarCalc):44,34,76", out, tmp_path / "lo",
                            infilter="Text - txt - csv (StarCalc):44,34,76")
    rows = list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8-sig"), newline="")))
    assert rows[0] == HEADERS
    row = next(r for r in rows if r[2] == str(formula_plan.MEASURE))
    for kind in CELL_KINDS:
        assert row[HEADERS.index(kind)] in (written[kind], "'" + written[kind]), kind
