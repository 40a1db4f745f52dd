"""One module per output format; each is imported only when its format is asked for."""
from __future__ import annotations

from ..i18n import N_, _, ngettext, status_word
from ..model import STATUSES, Plan
from ..patterns import Lazy
from ..query import Report, is_due_soon, is_overdue
from ..values import date

# What data must never send to a terminal: C0 and C1 controls and DEL (newline and tab aside),
# the bidirectional embeddings, overrides and isolates that reorder what is shown ("Trojan
# Source"), and lone surrogates (from undecodable file names), which cannot be written at all.
# JSON escapes C0 controls itself; the rest (UNSAFE_ABOVE_C0) render.json escapes too.
UNSAFE_ABOVE_C0 = "\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE = "\x00-\x08\x0b-\x1f" + UNSAFE_ABOVE_C0
_CONTROLS = Lazy(f"[{_UNSAFE}]")
_CONTROLS_AND_BREAKS = Lazy(f"[{_UNSAFE}\n\t\u2028\u2029]")


def escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, one_line: bool = False) -> str:
    """`text` with terminal control characters shown as escapes (ESC → \\x1b, U+202E → \\u202e).

    `one_line` escapes line breaks and tabs too: a problem is one line, and data must not
    forge another.
    """
    if text.isprintable():  # each character escaped is one Python does not print (most text: none)
        return text
    pattern = _CONTROLS_AND_BREAKS if one_line else _CONTROLS
    return pattern.sub(lambda m: escape(m.group()), text)


# Texts every report format shows the same way.

def report_title(plan: Plan | None) -> str:
    return plan.title if plan else _("portcli report")


def report_scope(r: Report) -> str:
    if r.unit:
        return _("as of {date} · measures {unit} leads or takes part in").format(date=r.as_of.isoformat(),
                                                                                   unit=r.unit)
    return as_of(r.as_of)


def as_of(day: date) -> str:
    return _("as of {date}").format(date=day.isoformat())


def labelled(label: str, value: object) -> str:
    """`label: value`, with the colon the language writes (Chinese：a full-width one)."""
    return _("{label}: {value}").format(label=label, value=value)


def joined(items) -> str:
    """Names in a row, as the language lists them (Chinese with 、)."""
    return _(", ").join(str(item) for item in items)


def overdue_by(days: int) -> str:
    return ngettext("{count} day overdue", "{count} days overdue", days).format(count=days)


def summary_line(r: Report) -> str:
    """The report's figures in one line, as the terminal and the Markdown report both give them."""
    return ngettext("{count} measure · {done} done ({completion}) · {overdue} overdue · {due_soon} due soon · "
                    "{extended} extended",
                    "{count} measures · {done} done ({completion}) · {overdue} overdue · {due_soon} due soon · "
                    "{extended} extended", r.total).format(
        count=r.total, done=r.by_status["done"], completion=f"{r.completion:.1%}", overdue=len(r.overdue),
        due_soon=len(r.due_soon), extended=len(r.extended))


# The lights as people read them (SPEC §4b); the key is the HTML class and the colour's name.
LIGHT_WORDS = {"red": N_("red"), "yellow": N_("yellow"), "green": N_("green"), "pending": N_("pending")}


def light(m, as_of: date, days: int) -> str:
    """The traffic light (红黄绿灯) supervision offices use: red overdue, yellow due soon, green done or on
    schedule, and `pending` (待定) for an unfinished measure with no due date: green is only for good.
    `days` is the measure's due-soon window (`query.days_for`): no light has a window of its own."""
    if is_overdue(m, as_of):
        return "red"
    if is_due_soon(m, as_of, days):
        return "yellow"
    if m.status != "done" and m.due is None:
        return "pending"
    return "green"


def summary(m) -> str:
    """One line that says what a measure is: its first local item, else the national measure."""
    return (m.local[0] if m.local else m.national) or ""


def local_text(m) -> str:
    """The 天津市细化落实措施 as the document writes them: numbered lines when there are several."""
    if len(m.local) > 1:
        return "\n".join(f"{i}.{item}" for i, item in enumerate(m.local, 1))
    return m.local[0] if m.local else ""


def units_line(m) -> str:
    """The 责任单位 cell as the document writes it: 市商务局、天津海关按照职责分工负责."""
    return joined(m.units) + (m.units_note or "")


def latest_progress(m) -> str:
    """The newest progress entry as one line (date, unit, note), or '' when there is none."""
    if not m.progress:
        return ""
    p = m.progress[-1]
    return progress_line(p.date, p.by, p.note, p.status)


def progress_line(when, by: str | None, note: str | None, status: str | None) -> str:
    """A progress entry as one line: 2022-05-20 天津海关：完成系统对接测试 (the status when no note)."""
    said = note or (status_word(status) if status in STATUSES else status or "")
    return labelled(f"{when} {by}" if when and by else f"{when or by or ''}", said)


# The weekly bulletin's sections (report --since, the stale measures, the per-unit figures), said the
# same way in every format.

def changes_heading(changes) -> str:
    return _("Changes after {since} up to {as_of}").format(since=changes.since.isoformat(),
                                                             as_of=changes.as_of.isoformat())


def changes_rows(changes) -> list[tuple[str, list]]:
    """(what changed, the measures) in the order every format lists them."""
    return [(_("Done"), changes.done), (_("Newly overdue"), changes.newly_overdue),
            (_("With progress"), changes.progress), (_("Extension approved"), changes.extended)]


def stale_heading(r: Report) -> str:
    title = ngettext("To chase: no progress for more than {days} day", "To chase: no progress for more than {days} days",
                     r.stale_days).format(days=r.stale_days)
    return labelled(title, len(r.stale))


def ranking_heading(r: Report) -> str:
    return _("Per unit: on time, overdue, stale (worst first)") if r.ranked else _("Per unit: on time, overdue, stale")


def ranking_header_parts() -> list[tuple[str, str]]:
    """The figures table's columns after the unit's: (lead or co-operating, which figure)."""
    figures = (_("on time %"), _("overdue %"), _("stale"))
    return [(group, figure) for group in (_("Lead"), _("Co-operating")) for figure in figures]


def ranking_headers() -> list[str]:
    """The figures table's headers on one line each (牵头按期率, Lead: on time %)."""
    return [_("Unit")] + [_("{group}: {figure}").format(group=group, figure=figure)
                          for group, figure in ranking_header_parts()]


def share(value: float | None) -> str:
    """A rate as a whole percentage; — where there is nothing to count (no measure due, none led)."""
    return "—" if value is None else f"{value:.0%}"


def ranking_cells(row) -> list[object]:
    """A unit's row of the figures table: on-time rate, overdue share and stale count, as lead and as
    co-operating unit."""
    return [row.unit, share(row.led.on_time_rate), share(row.led.overdue_share), row.led.stale,
            share(row.co.on_time_rate), share(row.co.overdue_share), row.co.stale]


def ids(ms) -> str:
    """Measures named as a list: 14、17、23 (PLAN:ID in a folder of several plans)."""
    from ..plans import label

    return joined(label(m) for m in ms)
