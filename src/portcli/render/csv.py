"""CSV that Excel opens correctly: UTF-8 with a byte-order mark (else Excel reads Chinese as
GBK mojibake), CRLF rows quoted per RFC 4180, and no cell Excel would run as a formula."""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import Iterable

from ..model import Measure, Plan
from . import sheet

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
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n")
    writer.writerow(sheet.headers())
    writer.writerows([cell(v) for v in sheet.row(m, plan, as_of)] for m in sheet.ordered(measures))
    return buffer.getvalue().encode("utf-8-sig")
