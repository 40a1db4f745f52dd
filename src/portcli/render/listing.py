"""The listing of `list` and `overdue` at a terminal: one row a measure, in rich's layout and colours.

Rows are red when overdue and yellow when due soon, the traffic lights (红黄绿灯) supervision
offices use. Drawn by grid.write_rows, so a listing that fits its terminal never imports rich.
"""
from __future__ import annotations

from ..i18n import N_, _, ngettext, status_word
from ..model import Measure, Plan
from ..plans import label, plan_of
from ..query import days_for, days_overdue, days_since_progress
from ..values import date
from . import LIGHT_WORDS, light, printable, summary
from .grid import Column, Grid, write_rows
from .terminal import Terminal


def measures(ms: list[Measure], plan: Plan | None, as_of: date, terminal: Terminal,
             limit: int = 0, show_overdue_days: bool = False, due_soon: int | None = None,
             show_silent_days: bool = False) -> None:
    """The listing, each row's light (红灯 黄灯 绿灯 待定) after its status: yellow within `due_soon` days when
    given, else within the measure's own plan's `lights: {yellow_days}` (query.days_for). With
    `show_overdue_days` (every row red) the days overdue take the light's place."""
    def colour(m: Measure) -> str:
        return light(m, as_of, days_for(m, plan, due_soon))

    shown = ms[:limit] if limit else ms
    summary_width = max(20, terminal.width // 3)
    silent = (lambda m: days_since_progress(m, as_of, plan_of(plan, m))) if show_silent_days else None
    table = measures_table(show_overdue_days, summary_width, show_silent_days)
    rows = []
    for m in shown:
        lit = colour(m)
        rows.append((_plains(m, as_of, show_overdue_days, lit, silent), row_style(lit)))
    write_rows(table, rows, _cell_kinds(show_silent_days), terminal)  # none: the header alone
    if len(shown) < len(ms):
        more = len(ms) - len(shown)
        terminal.say(ngettext("… {count} more, use --limit 0 to show all",
                              "… {count} more, use --limit 0 to show all", more).format(count=more), ("dim",))
    terminal.say(ngettext("{count} measure, as of {date}", "{count} measures, as of {date}", len(ms))
                 .format(count=len(ms), date=as_of.isoformat()), ("dim",))


def row_style(colour: str) -> str:
    return colour if colour in ("red", "yellow") else ""  # the terminal colours only what needs action


_HEADERS = (N_("ID"), N_("Task"), N_("Lead unit"), N_("Deadline"), N_("Due"), N_("Status"), N_("Light"), N_("Measure"))
# (the light's column holds the days overdue in the overdue listing)


def _plains(m: Measure, as_of: date, show_overdue_days: bool, colour: str, silent=None) -> list[str]:
    """A listing row's cells as the words they show: the lead unit and how many co-operate (a row
    stays one line; `show` lists them all), …, the measure's summary."""
    lead = printable(m.lead) + (f" +{len(m.units) - 1}" if len(m.units) > 1 else "")
    cells = [printable(label(m)), str(m.task), lead, printable(m.deadline.phrase), str(m.due or "—"),
             status_word(m.status)]
    if show_overdue_days:
        late = days_overdue(m, as_of)
        cells.append("" if late is None else str(late))
    else:
        cells.append(_(LIGHT_WORDS[colour]))
    if silent is not None:
        days = silent(m)
        cells.append("—" if days is None else str(days))
    cells.append(printable(summary(m)))
    return cells


def _cell_kinds(show_silent_days: bool = False) -> list[dict]:
    """How each column's cells are made as Text: the lead unit in bold; the summary on one line, cut
    with … to fit (the cell, not its column, refuses to wrap: rich may then narrow the column to fit
    the terminal, instead of squeezing every other column, ids and dates, down to "…")."""
    plain: dict = {}
    return [plain, plain, {"style": "bold"}, plain, plain, plain, plain] + [plain] * show_silent_days + [
        {"no_wrap": True, "overflow": "ellipsis"}]


def measures_table(show_overdue_days: bool, summary_width: int, show_silent_days: bool = False) -> Grid:
    columns = [Column(_("ID"), justify="right", no_wrap=True), Column(_("Task"), justify="right", no_wrap=True),
               Column(_("Lead unit"), no_wrap=True), Column(_("Deadline"), min_width=8, overflow="fold"),
               Column(_("Due"), no_wrap=True), Column(_("Status"), no_wrap=True),
               Column(_("Days overdue"), justify="right", no_wrap=True) if show_overdue_days
               else Column(_("Light"), no_wrap=True)]
    if show_silent_days:
        columns.append(Column(_("Days silent"), justify="right", no_wrap=True))
    columns.append(Column(_("Measure"), overflow="ellipsis", max_width=summary_width))
    return Grid(columns)
