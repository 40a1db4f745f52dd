"""The 催办通知: what a unit is chased about (`chase.Notice`), as Markdown or plain text.

Both say the same: the unit's full name as the addressee, the as-of date and the plan, the counts,
then its lead measures and those it co-operates on, each with why it is chased, its due date, what
it is and its latest progress. Data goes through `markdown.escape` or `printable`, so a unit name
or a note cannot forge markup or a terminal sequence.
"""
from __future__ import annotations

from ..chase import Chased, Notice
from ..i18n import _, ngettext
from ..model import Measure
from ..plans import label
from ..values import date
from . import labelled, overdue_by, printable, progress_line, summary
from .markdown import escape, table


def title(n: Notice) -> str:
    return _("Reminder notice: {unit}").format(unit=n.unit)


def nothing_to_chase(unit: str, as_of: date, stale_days: int) -> str:
    """The one line for a unit with nothing overdue, due soon or silent."""
    return ngettext("{unit}: nothing to chase as of {date}: no measure is overdue, due soon or silent for more "
                    "than {days} day", "{unit}: nothing to chase as of {date}: no measure is overdue, due soon or "
                    "silent for more than {days} days", stale_days).format(unit=unit, date=as_of.isoformat(),
                                                                          days=stale_days)


def nobody_to_chase(as_of: date, stale_days: int) -> str:
    """The one line when no unit has anything to chase."""
    return ngettext("nothing to chase as of {date}: no unit has a measure overdue, due soon or silent for more than "
                    "{days} day", "nothing to chase as of {date}: no unit has a measure overdue, due soon or silent "
                    "for more than {days} days", stale_days).format(date=as_of.isoformat(), days=stale_days)


def _intro(n: Notice, plan_title: str) -> str:
    return _("As of {date}, the measures of {title} below, which your unit leads or takes part in, are overdue, due "
             "soon or silent. Please press on with them and report their progress.").format(
        date=n.as_of.isoformat(), title=plan_title)


def _counts(n: Notice) -> str:
    soon = (ngettext("due within {days} day", "due within {days} days", n.due_soon_days[0]).format(
        days=n.due_soon_days[0]) if len(n.due_soon_days) == 1 else _("due soon"))
    silent = ngettext("silent for more than {days} day", "silent for more than {days} days",
                      n.stale_days).format(days=n.stale_days)
    return " · ".join(ngettext("{count} {what}", "{count} {what}", n.count(kind)).format(count=n.count(kind), what=what)
                      for kind, what in (("overdue", _("overdue")), ("due_soon", soon), ("stale", silent)))


def why(c: Chased) -> str:
    """Why a measure is chased: 逾期 15 天, 3 天后到期, 40 天未报送进展 (and the silence of an overdue one)."""
    silent = ngettext("no progress for {count} day", "no progress for {count} days", c.silent or 0).format(
        count=c.silent)
    if c.kind == "stale":
        return silent
    said = overdue_by(c.days) if c.kind == "overdue" else (
        _("due today") if c.days == 0 else ngettext("due in {count} day", "due in {count} days", c.days).format(
            count=c.days))
    return _("; ").join([said, silent]) if c.stale else said


def latest(m: Measure, as_of: date) -> str:
    """The newest progress entry filed by `as_of`, as one line; `none reported` without one."""
    filed = [p for p in m.progress if p.date <= as_of]
    if not filed:
        return _("none reported")
    p = filed[-1]
    return progress_line(p.date, p.by, p.note, p.status)


def _due(m: Measure) -> str:
    return m.due.isoformat() if m.due else "—"


def _sections(n: Notice):
    return ((_("Lead measures"), n.lead, False), (_("Co-operating measures"), n.cooperating, True))


def markdown(n: Notice, plan_title: str, addressee: str) -> str:
    lines = [f"## {escape(title(n))}", "", escape(_("To {unit}:").format(unit=addressee)), "",
             escape(_intro(n, plan_title)), "", f"**{escape(_counts(n))}**"]
    for heading, items, cooperating in _sections(n):
        if not items:
            continue
        lines += ["", f"### {escape(labelled(heading, len(items)))}", ""]
        headers = [_("ID"), *([_("Lead unit")] if cooperating else []), _("Why"), _("Due"), _("Measure"),
                   _("Latest progress")]
        rows = [[label(c.measure), *([c.measure.lead] if cooperating else []), why(c), _due(c.measure),
                 summary(c.measure), latest(c.measure, n.as_of)] for c in items]
        lines += table(headers, rows, right=[True])
    return "\n".join(lines) + "\n"


def text(n: Notice, plan_title: str, addressee: str) -> str:
    lines = [title(n), _("To {unit}:").format(unit=addressee), _intro(n, plan_title), _counts(n)]
    for heading, items, cooperating in _sections(n):
        if not items:
            continue
        lines += ["", labelled(heading, len(items))]
        for c in items:
            m = c.measure
            head = [_("Measure {id}").format(id=label(m))]
            if cooperating:
                head.append(labelled(_("Lead unit"), m.lead))
            head += [why(c), labelled(_("Due"), _due(m))]
            lines += ["  ".join(head), "  " + summary(m), "  " + labelled(_("Latest progress"), latest(m, n.as_of))]
    return "\n".join(printable(line, one_line=True) for line in lines) + "\n"

