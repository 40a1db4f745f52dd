"""GitHub-flavoured Markdown: the report as a CI step summary, or pasted into a meeting's notes.

Every datum goes through `escape`: a backslash before each character GitHub would read as
markup (a `|` that ends a table cell, HTML tags, emphasis, links, code, math), and `<br>` for a
line break, which would otherwise end the table row. A note therefore shows exactly as written.
"""
from __future__ import annotations

import re

from ..i18n import _, status_word
from ..model import STATUSES, Measure, Plan
from ..plans import label
from ..query import Report
from . import (_UNSAFE, changes_heading, changes_rows, ids, labelled, latest_progress, printable, ranking_cells, ranking_headers,
               ranking_heading, report_scope, report_title, stale_heading, summary, summary_line)

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import IO, Iterable, Iterator, Sequence

# ASCII punctuation that means something to GFM inside a table cell; CommonMark lets any ASCII
# punctuation be backslash-escaped, and GFM's table parser treats `\|` as a literal pipe.
_MARKUP = re.compile(r"([\\`*_\[\]<>&|~$])")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


# Text with none of the characters escape() changes: most cells (numbers, dates, names, measures).
_INERT = re.compile(r"[^\\`*_\[\]<>&|~$\r\n" + _UNSAFE + "]*")


def escape(value: object) -> str:
    """`value` as inert inline Markdown, safe in a table cell."""
    text = "" if value is None else str(value)
    if _INERT.fullmatch(text):
        return text
    return "<br>".join(_MARKUP.sub(r"\\\1", printable(line)) for line in _LINE_BREAK.split(text))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], right: Sequence[bool] = ()) -> Iterator[str]:
    """A GFM table's lines, made as they are wanted; `right[i]` right-aligns column i (numbers)."""
    yield from head(headers, right)
    yield from map(row, rows)


def head(headers: Sequence[str], right: Sequence[bool] = ()) -> list[str]:
    """A GFM table's first two lines: its headers, and how each column is aligned (table)."""
    align = ["---:" if i < len(right) and right[i] else "---" for i in range(len(headers))]
    return ["| " + " | ".join(escape(h) for h in headers) + " |", "|" + "|".join(align) + "|"]


def row(cells: Sequence[object]) -> str:
    """A GFM table's line of `cells`."""
    cells = ["" if c is None else str(c) for c in cells]
    # most rows hold no character escape() changes: one match for the row, not one a cell
    if not _INERT.fullmatch("".join(cells)):
        cells = [escape(c) for c in cells]
    return "| " + " | ".join(cells) + " |"


LINES_AT_A_TIME = 500


def report(r: Report, plan: Plan | None, out: IO[str], problems: Sequence = ()) -> None:
    """The report, written a few hundred lines at a time as they are made: the overdue list of 100,000
    measures is never held whole as text."""
    batch: list[str] = []
    for line in lines(r, plan, problems):
        batch.append(line)
        if len(batch) == LINES_AT_A_TIME:
            out.write("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        out.write("\n".join(batch) + "\n")


def lines(r: Report, plan: Plan | None, problems: Sequence = ()) -> Iterator[str]:
    yield from [f"## {escape(report_title(plan))}", "", escape(report_scope(r)), ""]
    yield from [f"**{escape(summary_line(r))}**", ""]
    yield from table([status_word(key) for key in STATUSES], [list(r.by_status.values())],
                     right=[True] * len(STATUSES))
    if problems:
        yield ""
        yield from problems_section(problems)
    if r.changes is not None:
        yield from ["", "### " + escape(changes_heading(r.changes)), ""]
        yield from table([_("Change"), _("Count"), _("IDs")],
                         [[name, len(ms), ids(ms)] for name, ms in changes_rows(r.changes)], right=[False, True])
    yield from ["", "### " + _("Per unit"), ""]
    yield from table([_("Unit"), _("Lead"), _("Involved"), _("Done"), _("Overdue"), _("Extended"), _("Completion")],
                     ([u.unit, u.lead, u.involved, u.done, u.overdue, u.extended, f"{u.completion:.0%}"]
                      for u in r.units), right=[False] + [True] * 6)
    yield from ["", "### " + escape(ranking_heading(r)), ""]
    yield from table(ranking_headers(), (ranking_cells(u) for u in r.units), right=[False] + [True] * 6)
    yield from _listing(_("Overdue"), _("Days overdue"), r.overdue, r.as_of, True)
    yield from _listing(_("Due soon"), _("Days left"), r.due_soon, r.as_of, False)
    yield from ["", "### " + escape(stale_heading(r)), ""]
    if r.stale_units:
        yield from table([_("Unit"), _("Lead"), _("Co-operating")],
                         ([u, ids(led), ids(co)] for u, led, co in r.stale_units))
    else:
        yield _("None.")


def problems_section(problems: Sequence) -> list[str]:
    """Every problem with its file and line: in the report, and the step summary `validate` writes
    when GitHub would not show all its annotations."""
    return ["### " + labelled(_("File problems"), len(problems)), "", *table(
        [_("File"), _("Line"), _("Problem")], [[p.file, p.line or "", p.message] for p in problems], [False, True])]


def _listing(title: str, days_header: str, ms: list[Measure], as_of, late: bool) -> Iterator[str]:
    yield from ["", f"### {labelled(title, len(ms))}", ""]
    if not ms:
        yield _("None.")
        return
    yield from head([_("ID"), _("Lead unit"), _("Due"), days_header, _("Measure"), _("Latest progress")],
                    [True, False, False, True])
    for m in ms:
        yield getattr(m, "shown", None) or listed(m, as_of, late)


def listed(m: Measure, as_of, late: bool) -> str:
    """A measure's line in the overdue (`late`) or due-soon list. A measure a child sent in a total's
    lists (shared_output.Brief) carries it as `shown` (a name a Measure does not have)."""
    days = (as_of - m.due).days if late else (m.due - as_of).days
    return row([label(m), m.lead, m.due.isoformat(), days, summary(m), latest_progress(m)])
