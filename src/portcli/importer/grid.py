"""What every reader gives the table parser: rows of cell texts, one per grid column, with where
each row is in the file (for problems), and the texts above the table (where the title is)."""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import _

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a password-protected Office file, or a .doc/.xls
MAX_UNPACKED_BYTES = 200 << 20  # what a .docx/.xlsx may unpack to: a zip bomb stops here


class ReadError(Exception):
    """The file cannot be read as a table at all: one line for the user, exit 2."""


@dataclass
class Row:
    cells: list[str]  # '' for an empty cell and for the cells a merge covers
    where: str  # "line 23", "row 5", "table 1, row 14, page 3"


@dataclass
class Grid:
    rows: list[Row]
    before: list[str] = field(default_factory=list)  # texts above the table, in order
    name: str = ""  # "table 2", "sheet 任务分工表": which table, when the file has several
    width: int = 0


def check_package(path: Path, what: str) -> None:
    """Refuse, in one line, a file that is not the zip package a .docx/.xlsx is, or that unpacks
    to more than a table could: before any XML is parsed."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise ReadError(_("cannot read it: {reason}").format(reason=exc.strerror or exc)) from None
    if head == OLE_MAGIC:
        raise ReadError(_("password-protected, or an old {program} 97–2003 file: open it in {program} and save it as "
                          "{suffix} without a password").format(program=what, suffix=path.suffix))
    try:
        with zipfile.ZipFile(path) as package:
            unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadError(_("damaged, or not a {program} file ({message})").format(program=what, message=exc)) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ReadError(_("it unpacks to {size} MiB; a task-division table is far smaller: is this the right file?").format(
            size=unpacked >> 20))


# --- texts ---------------------------------------------------------------------------------------

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”‘’"
_BREAK_RUN = re.compile(r"\s*\n\s*")
_CJK_DIGIT_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[0-9])|(?<=[0-9])\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """A cell's text as one line, as the document means it.

    Line breaks inside a cell are layout: between Chinese characters they go, between Latin words
    they become a space. Typesetting spaces between Chinese and digits (天津口岸 2022 年) go;
    other runs of whitespace become one space (跨境电商 B2B 出口 stays)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    text = _BREAK_RUN.sub(lambda m: _join_lines(text, m), text)
    text = _CJK_DIGIT_GAP.sub("", text)
    return _SPACES.sub(" ", text)


def _join_lines(text: str, m: re.Match) -> str:
    before = text[m.start() - 1] if m.start() else ""
    after = text[m.end()] if m.end() < len(text) else ""
    latin = re.compile(r"[A-Za-z0-9,.;:!?)\]]")
    return " " if latin.match(before) and re.match(r"[A-Za-z0-9(\[]", after) else ""
