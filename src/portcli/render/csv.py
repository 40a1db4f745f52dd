"""CSV that Excel opens correctly: UTF-8 with a byte-order mark (else Excel reads Chinese as
GBK mojibake), CRLF rows quoted per RFC 4180, and no cell Excel would run as a formula."""
from __future__ import annotations

import codecs
import csv
import io

from ..model import Measure, Plan
from ..values import date
from . import sheet

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import IO, Iterable

def neutralise(value: object) -> object:
    """A text cell that would start a formula gets a leading ' so spreadsheets show it as text."""
    if isinstance(value, str) and value.startswith(sheet.FORMULA_STARTS):
        return "'" + value
    return value


def cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def render(measures: Iterable[Measure], plan: Plan | None, as_of: date) -> bytes:
    out = io.BytesIO()
    write(measures, plan, as_of, out)
    return out.getvalue()


ROWS_AT_A_TIME = 1000


def write(measures: Iterable[Measure], plan: Plan | None, as_of: date, out: IO[bytes]) -> None:
    """The file's bytes, written a thousand rows at a time: 100,000 measures' texts are never held
    whole as text. UTF-8 with its byte-order mark is the BOM, then each piece in UTF-8."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n")
    writer.writerow(sheet.headers())
    out.write(codecs.BOM_UTF8)
    for i, m in enumerate(sheet.ordered(measures), 1):
        writer.writerow([cell(v) for v in sheet.row(m, plan, as_of)])
        if i % ROWS_AT_A_TIME == 0:
            out.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue().encode("utf-8"))
