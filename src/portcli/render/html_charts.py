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


def _counts(r: Report, keys: Callable[[Measure], Iterable]) -> dict:
    counts: dict = defaultdict(Counter)
    for m in r.measures:
        c = category(m, r.as_of)
        for key in keys(m):
            counts[key][c] += 1
    return counts


def worst_first(counts: Counter) -> tuple:
    """Most overdue first, then the least done, then the most measures."""
    total = sum(counts.values())
    return -counts["overdue"], counts["done"] / total if total else 0.0, -total


def unit_rows(r: Report) -> list[tuple[str, str, Counter]]:
    counts = _counts(r, lambda m: m.units)
    rows = []
    for u in r.units:
        figures = _("lead {lead} · involved {involved} · overdue {overdue} · extended {extended} · done {completion}").format(
            lead=u.lead, involved=u.involved, overdue=u.overdue, extended=u.extended, completion=f"{u.completion:.0%}")
        rows.append((u.unit, figures, counts[u.unit]))
    return sorted(rows, key=lambda row: worst_first(row[2]))


def task_rows(r: Report, plan: Plan | None) -> list[tuple[str, str, Counter]]:
    counts = _counts(r, lambda m: ((m.plan or "", m.task),))  # several plans: each plan's tasks apart
    rows = []
    for (plan_name, task_id), c in sorted(counts.items()):
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
    yield f'<div class="bars {kind}">'
    for label, figures, counts in rows:
        total = sum(counts.values())
        segments = "".join(
            f'<span class="seg {key}" style="width:{100 * counts[key] / total:.2f}%" '
            f'title="{escape(label)} · {escape(said)} {counts[key]}">{counts[key]}</span>'
            for key, said in categories().items() if counts[key])
        yield (f'<div class="bar-row {kind}"><span class="bar-label" title="{escape(label)}">{escape(label)}</span>'
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


def timeline(r: Report) -> Iterator[str]:
    """Due dates on one axis with a today line: a row per due date (its measures, coloured by the worst
    light among them), a row per extended measure (原定 → 延至), and below, 待定, the unfinished measures with no
    date. In pieces, a row at a time."""
    dated = [m for m in r.measures if m.due is not None]
    undated = [m for m in r.measures if m.due is None and m.status != "done"]  # 待定; done needs no date
    extended = [m for m in dated if m.extensions]
    days = [m.due for m in dated] + [original_due(m) or m.extensions[0].date for m in extended] + [r.as_of]
    first, last = min(days), max(days)
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
    order = ("red", "yellow", "pending", "green")
    by_due: dict[date, list[Measure]] = defaultdict(list)
    for m in dated:
        by_due[m.due].append(m)
    for due, ms in sorted(by_due.items()):
        worst = min((light(m, r.as_of, r.days_for(m)) for m in ms), key=order.index)
        ids = joined(name_of(m) for m in sorted(ms, key=_by_name))
        count = ngettext("{count} measure", "{count} measures", len(ms)).format(count=len(ms))
        note = ngettext("{count} measure: {ids}", "{count} measures: {ids}", len(ms)).format(count=len(ms), ids=ids)
        yield (f'<div class="tl-row due"><span>{due.isoformat()}</span><span class="track">{today}'
               f'<span class="dot {worst}" style="left:{at(due)}" title="{escape(count)}"></span></span>'
               f'<span class="tl-note">{escape(note)}</span></div>')
    for m in sorted(extended, key=_by_name):
        was = original_due(m)
        start = was or m.extensions[0].date  # no due date before it: the line starts on the approval day
        path = (f'<span class="span" style="left:{at(min(start, m.due))};width:calc({at(max(start, m.due))} - '
                f'{at(min(start, m.due))})"></span>')
        marks = (f'<span class="was-dot" style="left:{at(was)}"></span>' if was else "") + \
                f'<span class="dot {light(m, r.as_of, r.days_for(m))}" style="left:{at(m.due)}"></span>'
        words = (_("originally {was} → extended to {due}").format(was=was.isoformat(), due=m.due.isoformat()) if was
                 else _("extended to {date}").format(date=m.due.isoformat()))
        name = _("Measure {id} extended").format(id=name_of(m))
        yield (f'<div class="tl-row extension"><span>{escape(name)}</span><span class="track">{today}'
               f'{path}{marks}</span><span class="tl-note">{escape(labelled(words, m.extensions[-1].reason))}'
               f"</span></div>")
    if undated:
        ids = joined(name_of(m) for m in sorted(undated, key=_by_name))
        note = ngettext("{count} measure without a date: {ids}", "{count} measures without a date: {ids}",
                        len(undated)).format(count=len(undated), ids=ids)
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


def _by_name(m: Measure) -> tuple[str, int]:
    return m.plan or "", m.id
