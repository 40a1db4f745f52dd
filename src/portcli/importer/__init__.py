"""Importing a 任务分工表 (a task-division table in a .docx, .xlsx or tab-separated text) into a
measures folder.

One direction: a reader (`word`, `excel`, `tsv`) turns the file into a `grid.Grid` of cell texts
with where each row is; `table` reads the plan and its measures from the grid, the same way
whatever the file was; `folder` writes the files, checks them by the loader's rules and sums up.
"""
from __future__ import annotations

from pathlib import Path

from ..i18n import _
from .grid import Grid, ReadError

READERS = {".docx": "word", ".xlsx": "excel", ".xlsm": "excel", ".txt": "tsv", ".tsv": "tsv"}
MAX_INPUT_BYTES = 50 << 20  # a 任务分工表 is a few hundred KB; more is not one


def read_grids(path: Path) -> list[Grid]:
    """The tables in the file, each as a grid of cell texts; ReadError (one line) if it cannot be read."""
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise ReadError(_("cannot tell what it is from its name: portcli imports .docx, .xlsx and tab-separated "
                          ".txt or .tsv"))
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ReadError(_("not an ordinary file"))
    except OSError as exc:
        raise ReadError(_("cannot read it: {reason}").format(reason=exc.strerror or exc)) from None
    if size > MAX_INPUT_BYTES:
        raise ReadError(_("it is {size} MiB; a task-division table is far smaller: is this the right file?").format(
            size=size >> 20))
    if kind == "word":
        from . import word as reader
    elif kind == "excel":
        from . import excel as reader
    else:
        from . import tsv as reader
    return reader.read(path)
