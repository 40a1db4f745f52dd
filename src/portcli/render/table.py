"""Rich tables for people at a terminal: the report, a measure, the units, a measure's history.

Every piece of data goes in as a `Text`, never as a markup string, so a note holding
`[red]` or `[/]` prints as written. (The listing of `list` and `overdue` is listing.py.)
"""
from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..i18n import N_, _, ngettext, status_word
from ..model import STATUSES, Measure, Plan
from ..plans import label, plan_of
from ..query import Report, days_for, days_overdue, is_due_soon
from ..values import date
from . import (as_of as as_of_line, changes_heading, changes_rows, joined, overdue_by, labelled, printable,
               progress_line, ranking_cells, ranking_header_parts, ranking_heading, stale_heading, summary,
               summary_line)
from .grid import Column, Grid, write_rows
from .terminal import Terminal
from .widths import cell_width

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Iterable

# The kind's words differ from every status label: 持续推进 is a status, 长期任务 a kind of deadline.
KIND_LABELS = {"date": N_("fixed date"), "milestone": N_("milestone"), "ongoing": N_("long-term task"),
               "external": N_("as a higher authority directs")}


def due_in(due: date, as_of: date) -> str:
    days = (due - as_of).days
    return _("due today") if days == 0 else ngettext("due in {count} day", "due in {count} days", days).format(count=days)


def text(value: object, style: str = "") -> Text:
    return Text(printable("" if value is None else str(value)), style=style)


def say(console: Console, line: Text, style: str = "") -> None:
    """console.print(line, style=style): a line of one style is said by the Terminal (Terminal.say)."""
    if line._spans or line.end != "\n" or line.justify not in (None, "default") or not isinstance(line.style, str):
        console.print(line, style=style)
        return
    Terminal.of(console).say(line.plain, (style, line.style))


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


def bar_pieces(done: int, overdue: int, involved: int, width: int = 20) -> list[tuple[str, str]]:
    """bar() as styled pieces (see write_rows)."""
    return [(char * n, style) for (char, style, _), n in
            zip(BAR_PARTS, bar_cells([done, overdue, involved - done - overdue], width)) if n]


def report(r: Report, plan: Plan | None, console: Console) -> None:
    title = printable(plan.title) if plan else "portcli"
    head = Text(title, style="bold")
    scope = as_of_line(r.as_of) + (f" · {printable(r.unit)}" if r.unit else "")
    head.append(f"  {scope}")
    say(console, head)
    say(console, text(summary_line(r)))
    say(console, text("  ".join(f"{status_word(k)} {n}" for k, n in r.by_status.items())))
    if r.changes is not None:
        _changes(console, r.changes)
    columns = ((_("Unit"), "left"), (_("Lead"), "right"), (_("Involved"), "right"), (_("Done"), "right"),
               (_("Overdue"), "right"), (_("Extended"), "right"), (_("Completion"), "right"),
               (_("Progress"), "left"))
    table = Grid([Column(name, justify=justify, no_wrap=True) for name, justify in columns], title=_("Per unit"),
                 title_justify="left")
    # The bar takes what the other columns leave (they are never cut): 20 cells at most, 4 at least.
    unit_width = max((cell_width(row.unit) for row in r.units), default=4)
    number_width = max((len(str(row.involved)) for row in r.units), default=1)
    headers = [cell_width(name) for name, _ in columns[1:-1]]  # the number columns' names, in cells
    others = unit_width + sum(max(h, number_width) for h in headers) + 3 * (len(headers) + 1)
    width = max(4, min(20, console.width - others - 1))
    plain: dict = {}
    write_rows(table, [([printable(row.unit), str(row.lead), str(row.involved), str(row.done),
                         [(str(row.overdue), "red" if row.overdue else "")], str(row.extended),
                         f"{row.completion:.0%}", bar_pieces(row.done, row.overdue, row.involved, width)], "")
                        for row in r.units], [plain] * len(columns), Terminal.of(console))
    legend = [(labelled(_("Progress"), ""), "")]
    for char, style, label in BAR_PARTS:
        legend += [(char, style), (" " + _(label) + "  ", "")]
    legend[-1] = (legend[-1][0].rstrip(), "")
    Terminal.of(console).say_pieces(legend)
    _ranking(console, r)
    scope = f" --as-of {r.as_of.isoformat()}" + (f" --unit {printable(r.unit)}" if r.unit else "")
    _listing(console, _("Overdue"), r.overdue, r.as_of, "red", lambda m: overdue_by((r.as_of - m.due).days),
             f"portcli overdue{scope}")
    _listing(console, _("Due soon"), r.due_soon, r.as_of, "yellow", lambda m: due_in(m.due, r.as_of),
             f"portcli list --due-soon{'' if r.due_soon_days is None else f' {r.due_soon_days}'}{scope}")
    _stale(console, r, f"portcli list --stale {r.stale_days}{scope}")


def _changes(console: Console, changes) -> None:
    """本期变化: what changed in the period, a line each: how many, and which."""
    say(console, Text(changes_heading(changes), style="bold"))
    rows = changes_rows(changes)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(no_wrap=True)
    used = max(cell_width(name) for name, _ms in rows) + max(len(str(len(ms))) for _name, ms in rows) + 4
    for name, ms in rows:
        grid.add_row(text(name), text(len(ms)), text(wrapped_ids(ms, console.width - used)))
    console.print(grid)


def _ranking(console: Console, r: Report) -> None:
    """Per unit: on-time rate, overdue share and stale count, as lead and as co-operating unit."""
    # the figures' names on two lines: the table stays within 100 columns
    table = Grid([Column(_("Unit"), no_wrap=True)] + [Column(f"{group}\n{figure}", justify="right", no_wrap=True)
                                                      for group, figure in ranking_header_parts()],
                 title=ranking_heading(r), title_justify="left")
    plain: dict = {}
    write_rows(table, [([printable(str(cell)) for cell in ranking_cells(row)], "") for row in r.units],
               [plain] * len(table.columns), Terminal.of(console))


def _stale(console: Console, r: Report, command: str) -> None:
    """催办: per unit, the stale measures it leads, then those it co-operates on; as the overdue list,
    at most REPORT_LISTING_LIMIT of each, the rest a command away."""
    say(console, Text(stale_heading(r), style="bold"))
    if not r.stale_units:
        return
    unit_width = max(cell_width(_("Unit")), *(cell_width(unit) for unit, _led, _co in r.stale_units))
    width = max(8, (console.width - unit_width - 4) // 2)  # the lead and co-operating columns share the rest
    table = Grid([Column(_("Unit"), no_wrap=True), Column(_("Lead"), no_wrap=True, max_width=width),
                  Column(_("Co-operating"), no_wrap=True, max_width=width)], box=False, header_style="")
    cut = False
    rows = []
    for unit, led, co in r.stale_units:
        cells = [printable(unit)]
        for ms in (led, co):
            cell = wrapped_ids(ms[:REPORT_LISTING_LIMIT], width)
            if len(ms) > REPORT_LISTING_LIMIT:
                more = len(ms) - REPORT_LISTING_LIMIT
                cell += "\n" + ngettext("… {count} more", "… {count} more", more).format(count=more)
                cut = True
            cells.append(printable(cell))
        rows.append((cells, ""))
    plain: dict = {}
    write_rows(table, rows, [plain] * 3, Terminal.of(console))
    if cut:
        command = _in_plan(command, [m for _unit, led, co in r.stale_units for m in (*led, *co)])
        say(console, text(_("Every measure to chase: `{command}`").format(command=command)), "dim")


def wrapped_ids(ms: list[Measure], width: int) -> str:
    """Measures named as a list (14、17、23), in lines of at most `width` cells broken only between
    names: a Chinese list has no space for rich to break at, and would be cut inside a number."""
    separator = joined(["", ""])
    lines, line = [], ""
    for name in (label(m) for m in ms):
        candidate = f"{line}{separator}{name}" if line else name
        if line and cell_width(candidate + separator) > width:
            lines.append(line + separator.rstrip())
            line = name
        else:
            line = candidate
    return "\n".join([*lines, line]) if line else ""


def _in_plan(command: str, ms: list[Measure]) -> str:
    """`command` as a plan's section of the report names it: with `--plan NAME` when `ms` are all of one plan."""
    plans = {m.plan for m in ms}
    return command + f" --plan {printable(plans.pop())}" if len(plans) == 1 and None not in plans else command


# The report's overdue and due-soon lists show this many measures: a report is read in a meeting,
# and the rest are a command away (at 100,000 measures the overdue list alone ran to 40,000 lines).
REPORT_LISTING_LIMIT = 50


def _listing(console: Console, title: str, ms: list[Measure], as_of: date, style: str, when,
             command: str = "") -> None:
    say(console, Text(labelled(title, len(ms)), style="bold"))
    if not ms:
        return
    table = Grid([Column(justify="right", no_wrap=True), Column(no_wrap=True), Column(no_wrap=True),
                  Column(no_wrap=True), Column(overflow="ellipsis")], box=False, show_header=False)
    plain: dict = {}
    rows = [([printable(label(m)), printable(m.lead), str(m.due), printable(when(m)), printable(summary(m))], style)
            for m in ms[:REPORT_LISTING_LIMIT]]
    write_rows(table, rows, [plain, plain, plain, plain, {"no_wrap": True, "overflow": "ellipsis"}],
               Terminal.of(console))
    if len(ms) > REPORT_LISTING_LIMIT:
        more = len(ms) - REPORT_LISTING_LIMIT
        command = _in_plan(command, ms)
        say(console, text(ngettext("… {count} more: see `{command}`", "… {count} more: see `{command}`", more)
                          .format(count=more, command=command)), "dim")


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
