"""A Word document (.docx): each table a grid, read from the document's XML.

python-docx opens the package; the cells are read from the XML itself, because python-docx
repeats a vertically merged cell's text in every row it spans and has no public API for the
merge (python-docx issue #232): here a cell that continues a merge (`w:vMerge` without
"restart", an old-style `w:hMerge`) reads as empty, and a cell spanning columns (`w:gridSpan`)
fills them all, its text in the first. Pages are counted from the page breaks the file records:
those Word wrote when it last laid the document out (`w:lastRenderedPageBreak`) when there are
any, else the explicit ones (`w:br w:type="page"`, `w:pageBreakBefore`, a section that starts a
new page). A break inside a cell adds nothing to its text: the row goes on on the next page.
"""
from __future__ import annotations

import warnings
from pathlib import Path

from ..i18n import _
from .grid import Grid, ReadError, Row, check_package

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(path: Path) -> list[Grid]:
    check_package(path, "Word")
    import docx

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            body = docx.Document(str(path)).element.body
    except Exception as exc:  # python-docx and lxml raise many kinds for a damaged file
        raise ReadError(_("damaged, or not a Word document ({error}: {message})").format(
            error=type(exc).__name__, message=exc)) from None
    return _Reader(body).grids


class _Reader:
    def __init__(self, body):
        self.rendered = next(body.iter(f"{W}lastRenderedPageBreak"), None) is not None
        self.page = 1
        self.paragraphs: list[str] = []  # texts since the last table: the next table's title is among them
        self.grids: list[Grid] = []
        self._blocks(body)

    def _blocks(self, parent) -> None:
        for child in parent.iterchildren():
            if child.tag == f"{W}p":
                text, breaks = self._paragraph(child)
                if text.strip():
                    self.paragraphs.append(text.strip())
                self.page += breaks
            elif child.tag == f"{W}tbl":
                self._table(child)
            elif child.tag in (f"{W}sdt", f"{W}customXml"):  # content controls: their content is the document's
                content = child.find(f"{W}sdtContent") if child.tag == f"{W}sdt" else child
                if content is not None:
                    self._blocks(content)

    def _paragraph(self, p) -> tuple[str, int]:
        """The paragraph's text and the page breaks in it."""
        parts: list[str] = []
        breaks = 0
        if not self.rendered:
            ppr = p.find(f"{W}pPr")
            if ppr is not None:
                before = ppr.find(f"{W}pageBreakBefore")
                if before is not None and before.get(f"{W}val") not in ("0", "false", "off"):
                    breaks += 1
                sect = ppr.find(f"{W}sectPr")
                kind = sect.find(f"{W}type") if sect is not None else None
                if sect is not None and (kind is None or kind.get(f"{W}val") in ("nextPage", "oddPage", "evenPage")):
                    breaks += 1
        for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}lastRenderedPageBreak", f"{W}noBreakHyphen"):
            tag = el.tag[len(W):]
            if tag == "t":
                parts.append(el.text or "")
            elif tag == "tab":
                parts.append(" ")
            elif tag == "noBreakHyphen":
                parts.append("-")
            elif tag == "lastRenderedPageBreak":
                breaks += 1
            elif tag == "br" and el.get(f"{W}type") == "page":
                breaks += 0 if self.rendered else 1
            elif tag == "br" and el.get(f"{W}type") != "column":
                parts.append("\n")
            elif tag == "cr":
                parts.append("\n")
        return "".join(parts), breaks

    def _table(self, tbl) -> None:
        number = len(self.grids) + 1
        width = len(tbl.findall(f"{W}tblGrid/{W}gridCol"))
        rows: list[Row] = []
        for r, tr in enumerate(tbl.iterchildren(f"{W}tr"), 1):
            cells: list[str] = []
            trpr = tr.find(f"{W}trPr")
            cells += [""] * _int_val(trpr, "gridBefore", 0)
            row_breaks = 0  # a row broken over a page: its cells break once, together
            for tc in tr.iterchildren(f"{W}tc"):
                tcpr = tc.find(f"{W}tcPr")
                span = max(1, _int_val(tcpr, "gridSpan", 1))
                texts, breaks = [], 0
                for p in tc.iterchildren(f"{W}p"):
                    text, b = self._paragraph(p)
                    texts.append(text)
                    breaks += b
                for inner in tc.iterchildren(f"{W}tbl"):  # a table in a cell: its text, not its grid
                    texts += ["".join(t.text or "" for t in inner.iter(f"{W}t"))]
                row_breaks = max(row_breaks, breaks)
                cells += ["" if _continues_merge(tcpr) else "\n".join(texts)] + [""] * (span - 1)
            width = max(width, len(cells))
            rows.append(Row(cells, _("table {number}, row {row}, page {page}").format(number=number, row=r,
                                                                                        page=self.page)))
            self.page += row_breaks
        for row in rows:
            row.cells += [""] * (width - len(row.cells))
        self.grids.append(Grid(rows, self.paragraphs, _("table {number}").format(number=number), width))
        self.paragraphs = []


def _int_val(props, name: str, default: int) -> int:
    el = props.find(f"{W}{name}") if props is not None else None
    try:
        return int(el.get(f"{W}val")) if el is not None else default
    except (TypeError, ValueError):
        return default


def _continues_merge(tcpr) -> bool:
    if tcpr is None:
        return False
    v = tcpr.find(f"{W}vMerge")
    if v is not None and v.get(f"{W}val", "continue") == "continue":
        return True
    h = tcpr.find(f"{W}hMerge")
    return h is not None and h.get(f"{W}val", "continue") == "continue"
