"""The HTML report's charts, as plain HTML boxes sized in percent: per unit and per key task a bar
split by where its measures stand, worst first, and a timeline of due dates. Every datum goes
through `html.escape`."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from html import escape

from ..i18n import N_, _, ngettext
from ..model import Measure, Plan
from ..plans import Plans, label as name_of
from ..query import Report, is_overdue
from . import joined, labelled, light

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Callable, Iterable, Iterator

# A measure's place in the charts, worst last in this order of precedence: what the bar segments are.
CATEGORIES = {"done": N_("done"), "overdue": N_("overdue"), "in_progress": N_("in progress"),
              "not_started": N_("not started"), "no_date": N_("no date")}
IN_PROGRESS = ("in_progress", "blocked", "ongoing")


def category(m: Measure, as_of: date) -> str:
    """Where a measure stands in the charts; the same order as the lights: done, overdue, no date
    (待定), then by status."""
    if m.status == "done":
        return "done"
    if is_overdue(m, as_of):
        return "overdue"
    if m.due is None:
        return "no_date"
    return "in_progress" if m.status in IN_PROGRESS else "not_started"


# A due date's dot has the worst light among its measures', in this order.
WORST_FIRST = ("red", "yellow", "pending", "green")


class Digest:
    """What the charts and the timeline read of the measures a report covers: per unit and per key
    task (plan, task), how many stand where (CATEGORIES); per due date, the worst light among its
    measures and their names; the extended measures' lines; the undated unfinished measures' names;
    and the first and last day the timeline shows (None: no dated measure). A name is (plan, id,
    label), which sorts as the charts list measures. Worked out from any run of a tree's plans
    (`digest`); the digests of the runs a tree is cut into, in plan order, add up (`+`) to the digest
    of all its measures: the HTML report a forked child writes part of (shared_output) draws its
    charts from its own and the child's."""

    __slots__ = ("by_unit", "by_task", "by_due", "extended", "undated", "span")

    def __init__(self, by_unit: dict, by_task: dict, by_due: dict, extended: list, undated: list,
                 span: tuple[date, date] | None) -> None:
        self.by_unit, self.by_task, self.by_due = by_unit, by_task, by_due
        self.extended, self.undated, self.span = extended, undated, span

    def __add__(self, later: Digest) -> Digest:
        by_unit = {key: Counter(counts) for key, counts in self.by_unit.items()}
        by_task = {key: Counter(counts) for key, counts in self.by_task.items()}
        for mine, theirs in ((by_unit, later.by_unit), (by_task, later.by_task)):
            for key, counts in theirs.items():
                mine.setdefault(key, Counter()).update(counts)
        by_due = {due: (colour, list(names)) for due, (colour, names) in self.by_due.items()}
        for due, (colour, names) in later.by_due.items():
            had = by_due.get(due)
            by_due[due] = (colour, list(names)) if had is None else (_worse(had[0], colour), had[1] + names)
        spans = [s for s in (self.span, later.span) if s is not None]
        span = (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None
        return Digest(by_unit, by_task, by_due, self.extended + later.extended, self.undated + later.undated, span)


def _worse(one: str, other: str) -> str:
    return one if WORST_FIRST.index(one) <= WORST_FIRST.index(other) else other


def digest(measures: Iterable[Measure], as_of: date, days_for: Callable[[Measure], int]) -> Digest:
    """The Digest of `measures` as of a date; `days_for(m)`: its due-soon window (Report.days_for)."""
    by_unit: dict = defaultdict(Counter)
    by_task: dict = defaultdict(Counter)
    by_due: dict[date, tuple[str, list]] = {}
    extended, undated, days = [], [], []
    for m in measures:
        where = category(m, as_of)
        for unit in m.units:
            by_unit[unit][where] += 1
        by_task[m.plan or "", m.task][where] += 1  # several plans: each plan's tasks apart
        name = (m.plan or "", m.id, name_of(m))
        if m.due is None:
            if m.status != "done":  # 待定; done needs no date
                undated.append(name)
            continue
        colour = light(m, as_of, days_for(m))
        had = by_due.get(m.due)
        if had is None:
            by_due[m.due] = (colour, [name])
        else:
            had[1].append(name)
            if colour != had[0] and _worse(colour, had[0]) == colour:
                by_due[m.due] = (colour, had[1])
        days.append(m.due)
        if m.extensions:
            was = original_due(m)
            start = was or m.extensions[0].date  # no due date before it: the line starts on the approval day
            days.append(start)
            extended.append((name, was, start, m.due, colour, m.extensions[-1].reason))
    return Digest(dict(by_unit), dict(by_task), by_due, extended, undated, (min(days), max(days)) if days else None)


def worst_first(counts: Counter) -> tuple:
    """Most overdue first, then the least done, then the most measures."""
    total = sum(counts.values())
    return -counts["overdue"], counts["done"] / total if total else 0.0, -total


def unit_rows(r: Report, d: Digest) -> list[tuple[str, str, Counter]]:
    rows = []
    for u in r.units:
        figures = _("lead {lead} · involved {involved} · overdue {overdue} · extended {extended} · done {completion}").format(
            lead=u.lead, involved=u.involved, overdue=u.overdue, extended=u.extended, completion=f"{u.completion:.0%}")
        rows.append((u.unit, figures, d.by_unit.get(u.unit) or Counter()))
    return sorted(rows, key=lambda row: worst_first(row[2]))


def task_rows(d: Digest, plan: Plan | None) -> list[tuple[str, str, Counter]]:
    rows = []
    for (plan_name, task_id), c in sorted(d.by_task.items()):
        own = plan.get(plan_name) if isinstance(plan, Plans) else plan
        task = own.tasks.get(task_id) if own else None
        label = f"{task.numeral}、{task.title}" if task else str(task_id)
        label = f"{plan_name}:{label}" if plan_name else label
        n = sum(c.values())
        figures = ngettext("{count} measure · overdue {overdue} · done {done}",
                           "{count} measures · overdue {overdue} · done {done}", n).format(
            count=n, overdue=c["overdue"], done=c["done"])
        rows.append((label, figures, c))
    return sorted(rows, key=lambda row: worst_first(row[2]))


def bars(rows: list[tuple[str, str, Counter]], kind: str) -> Iterator[str]:
    """One bar per row, to one scale, split into CATEGORIES; the figures beside it say it in numbers.
    In pieces, a row at a time: 1,000 plans have 11,000 key tasks."""
    if not rows:
        yield none()
        return
    most = max(sum(c.values()) for _, _, c in rows) or 1
    said = {key: escape(word) for key, word in categories().items()}  # once, not once a row: 11,000 key tasks
    yield f'<div class="bars {kind}">'
    for label, figures, counts in rows:
        total = sum(counts.values())
        name = escape(label)
        segments = "".join(
            f'<span class="seg {key}" style="width:{100 * counts[key] / total:.2f}%" '
            f'title="{name} · {word} {counts[key]}">{counts[key]}</span>'
            for key, word in said.items() if counts[key])
        yield (f'<div class="bar-row {kind}"><span class="bar-label" title="{name}">{name}</span>'
               f'<span class="track"><span class="bar" style="width:{100 * total / most:.2f}%">{segments}</span>'
               f'</span><span class="bar-figures">{escape(figures)}</span></div>')
    yield "</div>"


def none() -> str:
    """What an empty list or chart shows."""
    nothing = _("None.")
    return f'<p class="none">{escape(nothing)}</p>'


def categories() -> dict[str, str]:
    return {key: _(name) for key, name in CATEGORIES.items()}


def legend() -> str:
    items = "".join(f'<li><span class="swatch {key}"></span>{escape(said)}</li>' for key, said in categories().items())
    return f'<ul class="legend">{items}</ul>'


def timeline(r: Report, d: Digest) -> Iterator[str]:
    """Due dates on one axis with a today line: a row per due date (its measures, coloured by the worst
    light among them), a row per extended measure (原定 → 延至), and below, 待定, the unfinished measures with no
    date. In pieces, a row at a time. `d`: the Digest of the report's measures."""
    first, last = (min(d.span[0], r.as_of), max(d.span[1], r.as_of)) if d.span else (r.as_of, r.as_of)
    pad = max(7, (last - first).days // 20)
    first, last = first - timedelta(days=pad), last + timedelta(days=pad)
    span = (last - first).days

    def where(day: date) -> float:
        return 100 * (day - first).days / span

    def at(day: date) -> str:
        return f"{where(day):.2f}%"

    now = where(r.as_of)
    # The today label sits over the line, kept inside the axis at its ends; month ticks near it give way.
    shift = "0" if now < 15 else "-100%" if now > 85 else "-50%"
    today = f'<span class="today" style="left:{at(r.as_of)}"></span>'
    ticks = "".join(f'<span class="tick" style="left:{at(d)}">{d.year}-{d.month:02d}</span>'
                    for d in _months(first, last) if abs(where(d) - now) > 12)
    today_label = _("today {date}").format(date=r.as_of.isoformat())
    yield (f'<div class="timeline"><div class="tl-row axis"><span></span><span class="track">{ticks}'
           f'<span class="tick now" style="left:{at(r.as_of)};transform:translateX({shift})">'
           f"{escape(today_label)}</span></span></div>")
    for due, (worst, names) in sorted(d.by_due.items()):
        ids = joined(label for _plan, _id, label in sorted(names))
        count = ngettext("{count} measure", "{count} measures", len(names)).format(count=len(names))
        note = ngettext("{count} measure: {ids}", "{count} measures: {ids}", len(names)).format(
            count=len(names), ids=ids)
        yield (f'<div class="tl-row due"><span>{due.isoformat()}</span><span class="track">{today}'
               f'<span class="dot {worst}" style="left:{at(due)}" title="{escape(count)}"></span></span>'
               f'<span class="tl-note">{escape(note)}</span></div>')
    # by name; two measures of one name (a duplicate id, a problem) keep the order they were read in
    for (_plan, _id, label), was, start, due, colour, reason in sorted(d.extended, key=lambda line: line[0][:2]):
        path = (f'<span class="span" style="left:{at(min(start, due))};width:calc({at(max(start, due))} - '
                f'{at(min(start, due))})"></span>')
        marks = (f'<span class="was-dot" style="left:{at(was)}"></span>' if was else "") + \
                f'<span class="dot {colour}" style="left:{at(due)}"></span>'
        words = (_("originally {was} → extended to {due}").format(was=was.isoformat(), due=due.isoformat()) if was
                 else _("extended to {date}").format(date=due.isoformat()))
        name = _("Measure {id} extended").format(id=label)
        yield (f'<div class="tl-row extension"><span>{escape(name)}</span><span class="track">{today}'
               f'{path}{marks}</span><span class="tl-note">{escape(labelled(words, reason))}'
               f"</span></div>")
    if d.undated:
        ids = joined(label for _plan, _id, label in sorted(d.undated))
        note = ngettext("{count} measure without a date: {ids}", "{count} measures without a date: {ids}",
                        len(d.undated)).format(count=len(d.undated), ids=ids)
        pending = _("pending")
        yield (f'<div class="tl-row undated"><span>{escape(pending)}</span>'
               f'<span class="tl-note">{escape(note)}</span></div>')
    yield "</div>"


def original_due(m: Measure) -> date | None:
    """The due date the first extension moved (原定), if the measure had one."""
    return next((e.from_ for e in m.extensions if e.from_), None)


def _months(first: date, last: date) -> list[date]:
    """Month starts inside the axis, at most five of them, so their labels never run into each other."""
    months = []
    day = date(first.year, first.month, 1)
    while day <= last:
        if day > first:
            months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months[::max(1, -(-len(months) // 5))]

