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

from ..model import STATUSES, Measure, Plan
from ..plans import label, plan_of
from ..query import Report, days_overdue, is_due_soon
from . import light, printable, progress_line, summary

# The kind's words differ from every status label: 持续推进 is a status, 长期任务 a kind of deadline.
KIND_LABELS = {"date": "限期", "milestone": "阶段目标", "ongoing": "长期任务", "external": "按上级部署"}


def due_in(due: date, as_of: date) -> str:
    days = (due - as_of).days
    return "今天到期" if days == 0 else f"{days} 天后到期"


def text(value: object, style: str = "") -> Text:
    return Text(printable("" if value is None else str(value)), style=style)


def row_style(m: Measure, as_of: date) -> str:
    colour = light(m, as_of)
    return colour if colour in ("red", "yellow") else ""  # the terminal marks only what needs action


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
             limit: int = 0, show_overdue_days: bool = False) -> None:
    shown = ms[:limit] if limit else ms
    summary_width = max(20, console.width // 3)
    widths = None
    if len(shown) > ROWS_PER_BLOCK:
        widths = [0] * (len(_HEADERS) + show_overdue_days)
        for m in shown:
            widths = [max(w, cell.cell_len) for w, cell in zip(widths, _cells(m, as_of, show_overdue_days))]
    for start in range(0, len(shown) or 1, ROWS_PER_BLOCK):
        table = _measures_table(show_overdue_days, summary_width, widths, header=start == 0)
        for m in shown[start:start + ROWS_PER_BLOCK]:
            table.add_row(*_cells(m, as_of, show_overdue_days), style=row_style(m, as_of))
        console.print(table)
    if len(shown) < len(ms):
        console.print(text(f"… {len(ms) - len(shown)} more, use --limit 0 to show all"), style="dim")
    console.print(text(f"{len(ms)} 项措施 (measures), as of {as_of.isoformat()}"), style="dim")


_HEADERS = ("编号", "任务", "牵头单位", "完成时限", "到期日", "状态", "措施")


def _cells(m: Measure, as_of: date, show_overdue_days: bool) -> list[Text]:
    cells = [text(label(m)), text(m.task), units_text(m), text(m.deadline.phrase), text(m.due or "—"),
             text(STATUSES[m.status])]
    if show_overdue_days:
        cells.append(text(days_overdue(m, as_of)))
    cells.append(gist(m))
    return cells


def _measures_table(show_overdue_days: bool, summary_width: int, widths: list[int] | None,
                    header: bool) -> Table:
    """The listing's table; with `widths`, every column pinned to its width in the whole listing."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, show_header=header)
    columns = [("编号", dict(justify="right", no_wrap=True)), ("任务", dict(justify="right", no_wrap=True)),
               ("牵头单位", dict(no_wrap=True)), ("完成时限", dict(min_width=8, overflow="fold")),
               ("到期日", dict(no_wrap=True)), ("状态", dict(no_wrap=True))]
    if show_overdue_days:
        columns.append(("逾期天数", dict(justify="right", no_wrap=True)))
    columns.append(("措施", dict(overflow="ellipsis", max_width=summary_width)))
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
    head = Text(f"措施 {label(m)}", style="bold")
    head.append(f" · 重点任务{task.numeral if task else m.task}")
    if task:
        head.append(" " + printable(task.title))
    console.print(head)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    status = text(STATUSES[m.status])
    grid.add_row("状态", status)
    when = Text(printable(m.deadline.phrase))
    when.append(f"（{KIND_LABELS[m.deadline.kind]}")
    if m.deadline.authority:
        when.append(f"：{printable(m.deadline.authority)}")
    when.append("）")
    grid.add_row("完成时限", when)
    due = Text(m.due.isoformat() if m.due else "无（不设日期）")
    if m.due_source == "due":
        due.append("（文件指定 due）")
    elif m.due_source == "extension":
        due.append(f"（已延期 {len(m.extensions)} 次，原定 {m.extensions[0].from_ or m.deadline.due or '—'}）")
    late = days_overdue(m, as_of)
    if late is not None:
        due.append(f"  逾期 {late} 天", style="bold red")
    elif is_due_soon(m, as_of):
        due.append(f"  {due_in(m.due, as_of)}", style="bold yellow")
    grid.add_row("到期日", due)
    units = Text()
    for i, name in enumerate(m.units):
        units.append(("、" if i else "") + printable(name) + ("（牵头）" if i == 0 else ""))
    grid.add_row("责任单位", units)
    if m.units_note:
        grid.add_row("分工说明", text(m.units_note))
    grid.add_row("海关总署措施", text(m.national or "—（天津市自定任务）"))
    for i, item in enumerate(m.local, 1):
        grid.add_row("天津市细化措施" if i == 1 else "", text(f"{i}.{item}" if len(m.local) > 1 else item))
    grid.add_row("文件", text(m.file))
    console.print(grid)
    if m.progress:
        console.print(Text("进度 (progress)", style="bold"))
        log = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for name in ("日期", "状态", "填报单位", "说明"):
            log.add_column(name)
        for p in m.progress:
            log.add_row(text(p.date), text(STATUSES[p.status]), text(p.by or "—"), text(p.note or ""))
        console.print(log)
    if m.extensions:
        console.print(Text("延期 (extensions)", style="bold"))
        log = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for name in ("批准日期", "原到期日", "延至", "单位", "理由"):
            log.add_column(name)
        for e in m.extensions:
            log.add_row(text(e.date), text(e.from_ or "—"), text(e.to), text(e.by or "—"), text(e.reason))
        console.print(log)


BAR_PARTS = (("█", "green", "已完成"), ("▓", "red", "逾期"), ("░", "dim", "其他"))


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
    head.append(f"  截至 {r.as_of.isoformat()}" + (f" · {printable(r.unit)}" if r.unit else ""))
    console.print(head)
    console.print(text(
        f"共 {r.total} 项 · 已完成 {r.by_status['done']} 项 ({r.completion:.1%}) · "
        f"逾期 {len(r.overdue)} 项 · {len(r.due_soon)} 项即将到期 · 延期 {len(r.extended)} 项"))
    console.print(text("  ".join(f"{STATUSES[k]} {n}" for k, n in r.by_status.items())))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title="各单位 (per unit)",
                  title_justify="left")
    columns = (("单位", "left"), ("牵头", "right"), ("参与", "right"), ("已完成", "right"),
               ("逾期", "right"), ("延期", "right"), ("完成率", "right"), ("进度", "left"))
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
    legend = Text("进度：")
    for char, style, label in BAR_PARTS:
        legend.append(char, style=style).append(f" {label}  ")
    legend.rstrip()
    console.print(legend)
    _listing(console, "逾期 (overdue)", r.overdue, r.as_of, "red", lambda m: f"逾期 {(r.as_of - m.due).days} 天")
    _listing(console, "即将到期 (due soon)", r.due_soon, r.as_of, "yellow",
             lambda m: due_in(m.due, r.as_of))


def _listing(console: Console, title: str, ms: list[Measure], as_of: date, style: str, when) -> None:
    console.print(Text(f"{title}：{len(ms)}", style="bold"))
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
    table.add_column("简称", no_wrap=True)
    table.add_column("全称", overflow="fold")
    table.add_column("English", overflow="fold")
    table.add_column("别名", overflow="fold")
    table.add_column("牵头", justify="right", no_wrap=True)
    table.add_column("参与", justify="right", no_wrap=True)
    for row in rows:
        table.add_row(text(row["name"]), text(row["full_name"]), text(row["english"]),
                      text("\n".join(row["aliases"])), text(row["lead"]), text(row["involved"]))
    console.print(table)


def history(changes: list, m: Measure, console: Console) -> None:
    """A measure's commits, oldest first: when, who, status before → after, what was recorded."""
    console.print(text(f"措施 {label(m)} 的变更记录 (history of {m.file})", "bold"))
    if not changes:
        console.print(text("no commits of this file yet"), style="dim")
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("日期", no_wrap=True)
    table.add_column("作者", no_wrap=True)
    table.add_column("状态", no_wrap=True)
    table.add_column("记录", overflow="fold")
    table.add_column("提交", no_wrap=True)
    for c in changes:
        after = STATUSES.get(c.status_after or "", "?")
        if c.created:
            status = f"新建 · {after}"
        elif c.status_before != c.status_after:
            status = f"{STATUSES.get(c.status_before or '', '?')} → {after}"
        else:
            status = after
        lines = [progress_line(e.get("date"), e.get("by"), e.get("note"), e.get("status")) for e in c.progress]
        lines += [f"延期 {e.get('from') or '—'} → {e.get('to')}：{e.get('reason') or ''}" for e in c.extensions]
        if not c.readable:
            lines.append("the file as this commit left it does not read as a measure file")
        table.add_row(text(c.when.strftime("%Y-%m-%d %H:%M")), text(c.author), text(status),
                      text("\n".join(lines)), text(c.commit[:8]))
    console.print(table)
