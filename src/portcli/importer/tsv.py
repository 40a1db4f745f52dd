"""Tab-separated text: a table copied out of Word or Excel (one row a line, cells split by tabs).

Copied out of Word, a cell's paragraphs stay on its line and a row split by a page break arrives
as two rows, the second further down after blank lines; copied out of Excel, a cell holding line
breaks is quoted ("…"). Both are read; which line a row starts on is kept for problems.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ..i18n import _
from .grid import Grid, ReadError, Row

_PAGE_NUMBER = re.compile(r"\s*[-—–]?\s*\d{1,3}\s*[-—–]?\s*")  # "— 3 —" left by a copied page footer


def decode(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text"), else GBK/GB18030
    (what Windows saves Chinese text as by default)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise ReadError(_("not text in UTF-8, UTF-16 or GBK: is it a table copied into a text file?"))


def read(path: Path) -> list[Grid]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReadError(_("cannot read it: {reason}").format(reason=exc.strerror or exc)) from None
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(_("a binary file, not tab-separated text"))
    text = decode(raw, path.name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    before: list[str] = []
    rows: list[Row] = []
    line = 1
    try:
        for cells in reader:
            where = _("line {line}").format(line=line)
            line = reader.line_num + 1
            if len(cells) <= 1:
                single = cells[0].strip() if cells else ""
                if not rows:
                    if single:
                        before.append(single)
                    continue
                if not single or _PAGE_NUMBER.fullmatch(single):
                    continue  # a blank line (a page break in a copied table) or a page number
            rows.append(Row(cells, where))
    except csv.Error as exc:
        raise ReadError(_("line {line}: {message}").format(line=line, message=exc)) from None
    width = max((len(r.cells) for r in rows), default=0)
    for r in rows:
        r.cells = [*r.cells, *[""] * (width - len(r.cells))]
    return [Grid(rows, before, "", width)]
