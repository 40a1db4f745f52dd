"""Rich tables for people at a terminal.

Every piece of data goes in as a `Text`, never as a markup string, so a note holding
`[red]` or `[/]` prints as written. Rows are red when overdue and yellow when due soon,
the traffic lights (红黄绿灯) supervision offices use.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from rich import box
from rich.console import Console
from rich.table import Table
from rich.cells import cell_len
from rich.text import Text

from ..i18n import N_, _, ngettext, status_word
from ..model import STATUSES, Measure, Plan
from ..plans import label, plan_of
from ..query import Report, days_for, days_overdue, is_due_soon
from . import (LIGHT_WORDS, as_of as as_of_line, joined, overdue_by, labelled, light, printable, progress_line, summary,
               summary_line)

# The kind's words differ from every status label: 持续推进 is a status, 长期任务 a kind of deadline.
KIND_LABELS = {"date": N_("fixed date"), "milestone": N_("milestone"), "ongoing": N_("long-term task"),
               "external": N_("as a higher authority directs")}


def due_in(due: date, as_of: date) -> str:
    days = (due - as_of).days
    return _("due today") if days == 0 else ngettext("due in {count} day", "due in {count} days", days).format(count=days)


def text(value: object, style: str = "") -> Text:
    return Text(printable("" if value is None else str(value)), style=style)


def row_style(colour: str) -> str:
    return colour if colour in ("red", "yellow") else ""  # the terminal colours only what needs action


def units_text(m: Measure) -> Text:
    """The lead unit, and how many co-operate: a row stays one line; `show` lists them all."""
    out = Text(printable(m.lead), style="bold")
    if len(m.units) > 1:
        out.append(f" +{len(m.units) - 1}")
    return out


def gist(m: Measure) -> Text:
    """The measure's summary on one line, cut with … to fit.

    The cell, not its column, refuses to wrap: rich may then narrow the column to fit the
    terminal, instead of squeezing every other column (ids, dates) down to "…".
    """
    line = text(summary(m))
    line.no_wrap, line.overflow = True, "ellipsis"
    return line


# A longer listing is drawn as blocks of this many rows, its columns pinned to the widths of the
# whole listing: the output starts at once and memory stays flat (10,000 rows in one rich Table
# need over 100 MiB).
ROWS_PER_BLOCK = 1000


def measures(ms: list[Measure], plan: Plan | None, as_of: date, console: Console,
             limit: int = 0, show_overdue_days: bool = False, due_soon: int | None = None) -> None:
    """The listing, each row's light (红灯 黄灯 绿灯 待定) after its status: yellow within `due_soon` days when
    given, else within the measure's own plan's `lights: {yellow_days}` (query.days_for). With
    `show_overdue_days` (every row red) the days overdue take the light's place."""
    def colour(m: Measure) -> str:
        return light(m, as_of, days_for(m, plan, due_soon))

    shown = ms[:limit] if limit else ms
    summary_width = max(20, console.width // 3)
    widths = None
    if len(shown) > ROWS_PER_BLOCK:
        widths = [0] * len(_HEADERS)
        for m in shown:
            widths = [max(w, cell.cell_len) for w, cell in zip(widths, _cells(m, as_of, show_overdue_days,
                                                                               colour(m)))]
    for start in range(0, len(shown) or 1, ROWS_PER_BLOCK):
        table = _measures_table(show_overdue_days, summary_width, widths, header=start == 0)
        for m in shown[start:start + ROWS_PER_BLOCK]:
            lit = colour(m)
            table.add_row(*_cells(m, as_of, show_overdue_days, lit), style=row_style(lit))
        console.print(table)
    if len(shown) < len(ms):
        more = len(ms) - len(shown)
        console.print(text(ngettext("… {count} more, use --limit 0 to show all",
                                    "… {count} more, use --limit 0 to show all", more).format(count=more)),
                      style="dim")
    console.print(text(ngettext("{count} measure, as of {date}", "{count} measures, as of {date}", len(ms))
                       .format(count=len(ms), date=as_of.isoformat())), style="dim")


_HEADERS = (N_("ID"), N_("Task"), N_("Lead unit"), N_("Deadline"), N_("Due"), N_("Status"), N_("Light"), N_("Measure"))
# (the light's column holds the days overdue in the overdue listing)


def _cells(m: Measure, as_of: date, show_overdue_days: bool, colour: str) -> list[Text]:
    cells = [text(label(m)), text(m.task), units_text(m), text(m.deadline.phrase), text(m.due or "—"),
             text(status_word(m.status)),
             text(days_overdue(m, as_of)) if show_overdue_days else text(_(LIGHT_WORDS[colour])), gist(m)]
    return cells


def _measures_table(show_overdue_days: bool, summary_width: int, widths: list[int] | None,
                    header: bool) -> Table:
    """The listing's table; with `widths`, every column pinned to its width in the whole listing."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, show_header=header)
    columns = [(_("ID"), dict(justify="right", no_wrap=True)), (_("Task"), dict(justify="right", no_wrap=True)),
               (_("Lead unit"), dict(no_wrap=True)), (_("Deadline"), dict(min_width=8, overflow="fold")),
               (_("Due"), dict(no_wrap=True)), (_("Status"), dict(no_wrap=True)),
               (_("Days overdue"), dict(justify="right", no_wrap=True)) if show_overdue_days
               else (_("Light"), dict(no_wrap=True)),
               (_("Measure"), dict(overflow="ellipsis", max_width=summary_width))]
    for i, (name, options) in enumerate(columns):
        if widths is not None:
            width = max(widths[i], Text(name).cell_len, options.get("min_width", 0))
            width = min(width, options.get("max_width", width))
            options = {**options, "min_width": width, "max_width": width}
        table.add_column(name, **options)
    return table


def measure(m: Measure, plan: Plan | None, as_of: date, console: Console) -> None:
    plan = plan_of(plan, m)
    task = plan.tasks.get(m.task) if plan else None
    key_task = task.numeral if task else m.task
    head = Text(_("Measure {id} · key task {task}").format(id=label(m), task=key_task), style="bold")
    if task:
        head.append(" " + printable(task.title))
    console.print(head)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(_("Status"), text(status_word(m.status)))
    kind = _(KIND_LABELS[m.deadline.kind])
    if m.deadline.authority:
        when = _("{phrase} ({kind}: {authority})").format(phrase=m.deadline.phrase, kind=kind,
                                                          authority=m.deadline.authority)
    else:
        when = _("{phrase} ({kind})").format(phrase=m.deadline.phrase, kind=kind)
    grid.add_row(_("Deadline"), text(when))
    if m.due is None:
        due = text(_("none (no date set)"))
    elif m.due_source == "due":
        due = text(_("{due} (set by `due` in the file)").format(due=m.due.isoformat()))
    elif m.due_source == "extension":
        was = m.extensions[0].from_ or m.deadline.due or "—"
        n = len(m.extensions)
        due = text(ngettext("{due} (extended {count} time, originally {was})",
                            "{due} (extended {count} times, originally {was})", n)
                   .format(due=m.due.isoformat(), count=n, was=was))
    else:
        due = text(m.due.isoformat())
    late = days_overdue(m, as_of)
    if late is not None:
        due.append(f"  {overdue_by(late)}", style="bold red")
    elif is_due_soon(m, as_of, days_for(m, plan)):
        due.append(f"  {due_in(m.due, as_of)}", style="bold yellow")
    grid.add_row(_("Due"), due)
    names = [_("{unit} (lead)").format(unit=name) if i == 0 else name for i, name in enumerate(m.units)]
    grid.add_row(_("Units"), text(joined(names)))
    if m.units_note:
        grid.add_row(_("Division of work"), text(m.units_note))
    grid.add_row(_("National measure"), text(m.national or _("— (Tianjin's own task)")))
    for i, item in enumerate(m.local, 1):
        grid.add_row(_("Tianjin's measures") if i == 1 else "", text(f"{i}.{item}" if len(m.local) > 1 else item))
    grid.add_row(_("File"), text(m.file))
    console.print(grid)
    if m.progress:
        console.print(Text(_("Progress"), style="bold"))
        log = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for name in (_("Date"), _("Status"), _("Reported by"), _("Note")):
            log.add_column(name)
        for p in m.progress:
            log.add_row(text(p.date), text(status_word(p.status)), text(p.by or "—"), text(p.note or ""))
        console.print(log)
    if m.extensions:
        console.print(Text(_("Extensions"), style="bold"))
        log = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for name in (_("Approved on"), _("Was due"), _("Extended to"), _("Unit"), _("Reason")):
            log.add_column(name)
        for e in m.extensions:
            log.add_row(text(e.date), text(e.from_ or "—"), text(e.to), text(e.by or "—"), text(e.reason))
        console.print(log)


BAR_PARTS = (("█", "green", N_("done")), ("▓", "red", N_("overdue")), ("░", "dim", N_("other")))


def bar_cells(counts: list[int], width: int) -> list[int]:
    """How many of `width` cells each count gets: proportional, largest remainder first, and at
    least one for any count above zero, so one late measure out of 21 never disappears."""
    total = sum(counts)
    if not total:
        return [0] * len(counts)
    exact = [c * width / total for c in counts]
    cells = [max(int(e), 1 if c else 0) for e, c in zip(exact, counts)]
    while sum(cells) < width:
        cells[max(range(len(cells)), key=lambda i: exact[i] - cells[i])] += 1
    while sum(cells) > width:
        cells[max((i for i in range(len(cells)) if cells[i] > 1), key=lambda i: cells[i] - exact[i])] -= 1
    return cells


def bar(done: int, overdue: int, involved: int, width: int = 20) -> Text:
    """A unit's measures as one bar: done, overdue, the rest; the characters differ, so it reads without colour."""
    out = Text()
    for (char, style, _), n in zip(BAR_PARTS, bar_cells([done, overdue, involved - done - overdue], width)):
        out.append(char * n, style=style)
    return out


def report(r: Report, plan: Plan | None, console: Console) -> None:
    title = printable(plan.title) if plan else "portcli"
    head = Text(title, style="bold")
    scope = as_of_line(r.as_of) + (f" · {printable(r.unit)}" if r.unit else "")
    head.append(f"  {scope}")
    console.print(head)
    console.print(text(summary_line(r)))
    console.print(text("  ".join(f"{status_word(k)} {n}" for k, n in r.by_status.items())))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title=_("Per unit"),
                  title_justify="left")
    columns = ((_("Unit"), "left"), (_("Lead"), "right"), (_("Involved"), "right"), (_("Done"), "right"),
               (_("Overdue"), "right"), (_("Extended"), "right"), (_("Completion"), "right"),
               (_("Progress"), "left"))
    for name, justify in columns:
        table.add_column(name, justify=justify, no_wrap=True)
    # The bar takes what the other columns leave (they are never cut): 20 cells at most, 4 at least.
    unit_width = max((cell_len(row.unit) for row in r.units), default=4)
    number_width = max((len(str(row.involved)) for row in r.units), default=1)
    headers = [cell_len(name) for name, _ in columns[1:-1]]  # the number columns' names, in cells
    others = unit_width + sum(max(h, number_width) for h in headers) + 3 * (len(headers) + 1)
    width = max(4, min(20, console.width - others - 1))
    for row in r.units:
        table.add_row(text(row.unit), text(row.lead), text(row.involved), text(row.done),
                      text(row.overdue, "red" if row.overdue else ""), text(row.extended),
                      text(f"{row.completion:.0%}"), bar(row.done, row.overdue, row.involved, width))
    console.print(table)
    legend = Text(labelled(_("Progress"), ""))
    for char, style, label in BAR_PARTS:
        legend.append(char, style=style).append(" " + _(label) + "  ")
    legend.rstrip()
    console.print(legend)
    _listing(console, _("Overdue"), r.overdue, r.as_of, "red", lambda m: overdue_by((r.as_of - m.due).days))
    _listing(console, _("Due soon"), r.due_soon, r.as_of, "yellow", lambda m: due_in(m.due, r.as_of))


def _listing(console: Console, title: str, ms: list[Measure], as_of: date, style: str, when) -> None:
    console.print(Text(labelled(title, len(ms)), style="bold"))
    if not ms:
        return
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(overflow="ellipsis")
    for m in ms:
        table.add_row(text(label(m)), text(m.lead), text(m.due), text(when(m)), gist(m), style=style)
    console.print(table)


def units(rows: Iterable[dict], console: Console) -> None:
    # The short name is what people type after --unit: never split it. One alias per line, so a
    # narrow terminal folds none of them in the middle ("Tianji" / "n MSA").
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column(_("Short name"), no_wrap=True)
    table.add_column(_("Full name"), overflow="fold")
    table.add_column(_("English name"), overflow="fold")
    table.add_column(_("Aliases"), overflow="fold")
    table.add_column(_("Lead"), justify="right", no_wrap=True)
    table.add_column(_("Involved"), justify="right", no_wrap=True)
    for row in rows:
        table.add_row(text(row["name"]), text(row["full_name"]), text(row["english"]),
                      text("\n".join(row["aliases"])), text(row["lead"]), text(row["involved"]))
    console.print(table)


def history(changes: list, m: Measure, console: Console) -> None:
    """A measure's commits, oldest first: when, who, status before → after, what was recorded."""
    console.print(text(_("History of measure {id} ({file})").format(id=label(m), file=m.file), "bold"))
    if not changes:
        console.print(text(_("no commits of this file yet")), style="dim")
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column(_("Date"), no_wrap=True)
    table.add_column(_("Author"), no_wrap=True)
    table.add_column(_("Status"), no_wrap=True)
    table.add_column(_("Recorded"), overflow="fold")
    table.add_column(_("Commit"), no_wrap=True)
    for c in changes:
        after = _status_or_unknown(c.status_after)
        if c.created:
            status = _("created · {status}").format(status=after)
        elif c.status_before != c.status_after:
            status = f"{_status_or_unknown(c.status_before)} → {after}"
        else:
            status = after
        lines = [progress_line(e.get("date"), e.get("by"), e.get("note"), e.get("status")) for e in c.progress]
        lines += [_("extended {was} → {to}: {reason}").format(was=e.get("from") or "—", to=e.get("to"),
                                                             reason=e.get("reason") or "") for e in c.extensions]
        if not c.readable:
            lines.append(_("the file as this commit left it does not read as a measure file"))
        table.add_row(text(c.when.strftime("%Y-%m-%d %H:%M")), text(c.author), text(status),
                      text("\n".join(lines)), text(c.commit[:8]))
    console.print(table)


def _status_or_unknown(key: str | None) -> str:
    return status_word(key) if key in STATUSES else "?"
