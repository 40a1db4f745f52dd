"""What a CI run shows on a file's line: each problem an error, each overdue measure a warning.

GitHub annotations (render.github) and GitLab Code Quality (render.gitlab) both format these
findings, so the two forges say the same thing about the same lines.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..i18n import _, ngettext
from ..query import Report
from ..load import id_line
from ..plans import label
from ..problem import Problem
from . import summary
from ..values import Frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Iterable, Iterator

ERROR, WARNING = "error", "warning"
# The check a finding belongs to: Code Quality's check_name, the annotation's title and the key of
# its fingerprint. A problem's is its code (unknown-unit, duplicate-key …, SPEC §5).
OVERDUE = "overdue"


class Finding(Frozen):
    __slots__ = ()

    def __new__(cls, level: str, check: str, path: str, line: int | None, message: str, title: str | None = None,
                identity: str = ""):
        # level: ERROR or WARNING; path: relative to the checkout when inside it, as both forges want;
        # identity: what names the same finding on another day or after lines moved (a measure's id, a
        # problem's message), never the line number or the days overdue, which change without
        # anything being fixed
        return tuple.__new__(cls, (level, check, path, line, message, title, identity))


def workspace_path(file: str) -> str:
    """The path relative to the checkout (the working folder) when it is inside it."""
    path = Path(file)
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()
    return Path(os.path.normpath(path)).as_posix()




def of_problems(ps: Iterable[Problem]) -> list[Finding]:
    return [Finding(ERROR, p.code, workspace_path(p.file), p.line, str(p.message), title=p.code,
                    identity=p.message.in_english())
            for p in ps]


def of_report(r: Report, ps: Iterable[Problem]) -> Iterator[Finding]:
    """Every problem as an error, then every overdue measure, most overdue first, as a warning on
    the line of its `id:`; made as they are asked for (100,000 measures may be overdue)."""
    yield from of_problems(ps)
    yield from of_overdue(r)


def of_overdue(r: Report) -> Iterator[Finding]:
    """Every overdue measure, most overdue first, as a warning on the line of its `id:`."""
    for m in r.overdue:
        days = (r.as_of - m.due).days
        title = ngettext("Measure {id} is {count} day overdue", "Measure {id} is {count} days overdue",
                         days).format(id=label(m), count=days)
        message = _("{title} (due {due}, lead unit {lead}): {summary}").format(
            title=title, due=m.due.isoformat(), lead=m.lead, summary=summary(m))
        yield Finding(WARNING, OVERDUE, workspace_path(m.file), id_line(m.file), message,
                      title=title, identity=f"measure {label(m)}")
