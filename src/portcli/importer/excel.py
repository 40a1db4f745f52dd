"""An Excel workbook (.xlsx): each sheet a grid. Only the top-left cell of a merged range holds
its value; the others read as empty, as a vertically merged Word cell does.

Nothing in the file runs: macros are never loaded, and a formula is read as the value Excel saved
with it (data_only); a formula without a saved value is refused by row, never computed."""
from __future__ import annotations

import warnings
from datetime import date, datetime, time
from pathlib import Path

from ..i18n import _
from .grid import Grid, ReadError, Row, check_package


def read(path: Path) -> list[Grid]:
    check_package(path, "Excel")
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():  # "unknown extension", "no default style": not the user's business
            warnings.simplefilter("ignore")
            values = load_workbook(path, data_only=True)
            formulas = load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file; each is one line here
        raise ReadError(_("damaged, or not an Excel workbook ({error}: {message})").format(
            error=type(exc).__name__, message=exc)) from None
    grids = []
    several = len(values.worksheets) > 1
    for sheet, formula_sheet in zip(values.worksheets, formulas.worksheets):
        grids.append(_grid(sheet, formula_sheet, _("sheet {name}").format(name=sheet.title) if several else ""))
    return grids


def _grid(sheet, formula_sheet, name: str) -> Grid:
    width = sheet.max_column or 0
    covered = set()  # every cell of a merged range but its top-left one
    for merged in sheet.merged_cells.ranges:
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if (r, c) != (merged.min_row, merged.min_col):
                    covered.add((r, c))

    def where(r: int) -> str:
        return _("{sheet}, row {row}").format(sheet=name, row=r) if name else _("row {row}").format(row=r)

    rows: list[Row] = []
    for r, cells in enumerate(sheet.iter_rows(max_col=width), 1):
        texts = []
        for c, cell in enumerate(cells, 1):
            if (r, c) in covered:
                texts.append("")
                continue
            if cell.value is None and formula_sheet.cell(r, c).data_type == "f":
                raise ReadError(_("{where}: cell {cell} holds a formula ({formula}) without a saved value; portcli "
                                  "never computes formulas: open the workbook in Excel or LibreOffice and save it, "
                                  "or paste the values").format(where=where(r), cell=cell.coordinate,
                                                                formula=formula_sheet.cell(r, c).value))
            texts.append(_text(cell.value))
        rows.append(Row(texts, where(r)))
    # The title sits above the table, in the first cell of a row of its own.
    return Grid(rows, [], name, width)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
