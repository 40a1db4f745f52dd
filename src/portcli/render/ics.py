"""Deadlines as an iCalendar file (RFC 5545), built with the `icalendar` library: one all-day VEVENT
per measure with a due date, which Google, iOS, Outlook and the Chinese office calendars all show
(many ignore VTODO).

- DTSTART;VALUE=DATE is the effective due date (an extension's `to` wins), DTEND the day after.
- SUMMARY `措施 N：<first local text, shortened>` (`措施 PLAN:N` in a folder of several plans);
  DESCRIPTION the units (lead first, marked), the deadline phrase, the due date and its extensions,
  and the measure's text. The words are the document's language, fixed: a calendar file, like every
  file portcli writes, is the same whatever language portcli speaks.
- A VALARM (DISPLAY) three days before the start.
- UID: a hash of the plan (its folder's name in a folder of several plans, else its title) and the
  measure's id, `@portcli`: the same measure keeps its UID from export to export, so importing a
  newer file updates the event instead of adding another. SEQUENCE is the number of extensions:
  each extension moves the event and raises it, which tells calendars the newer version wins.
- DTSTAMP is the as-of day at 00:00 UTC, so the same data and `--as-of` give the same bytes.
"""
from __future__ import annotations

import hashlib
import io
from datetime import date, datetime, time, timedelta, timezone

from icalendar import Alarm, Calendar, Event

from ..model import Measure, Plan
from ..plans import Plans, label, plan_of
from . import printable, summary

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import IO, Iterable, Iterator

PRODID = "-//portcli//measures//ZH"
ALARM_BEFORE = timedelta(days=3)
SUMMARY_CHARS = 40  # a calendar cell shows a line; the whole text is in the description


def uid(m: Measure, plan: Plan | None) -> str:
    """Stable across exports: the plan's name (folder) or title, and the measure's id."""
    owner = m.plan if m.plan is not None else (plan.title if plan else "")
    digest = hashlib.sha256(f"{owner}\0{m.id}".encode("utf-8")).hexdigest()[:32]
    return f"{digest}@portcli"


def shortened(text: str, limit: int = SUMMARY_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def event_summary(m: Measure) -> str:
    return printable(f"措施 {label(m)}：{shortened(summary(m))}", one_line=True)


def description(m: Measure) -> str:
    units = "、".join(f"{name}（牵头）" if i == 0 else name for i, name in enumerate(m.units))
    lines = [f"责任单位：{units}{m.units_note or ''}", f"完成时限：{m.deadline.phrase}",
             f"到期日：{m.due.isoformat()}"]
    for e in m.extensions:
        lines.append(f"延期：{e.date.isoformat()} 批准延至 {e.to.isoformat()}（{e.reason}）")
    lines += ["", *m.local] if m.local else []
    if m.national:
        lines += ["", f"海关总署措施：{m.national}"]
    return "\n".join(printable(line) for line in lines)  # a text's own line breaks stay: the format escapes them


def calendar(measures: Iterable[Measure], plans: Plan | Plans | None, as_of: date, name: str) -> Calendar:
    cal = _empty(name)
    for event in events(measures, plans, as_of):
        cal.add_component(event)
    return cal


def _empty(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", printable(name, one_line=True))
    return cal


def events(measures: Iterable[Measure], plans: Plan | Plans | None, as_of: date) -> Iterator[Event]:
    """Each dated measure's event, by plan and id, made as it is asked for."""
    stamp = datetime.combine(as_of, time(0, 0), tzinfo=timezone.utc)
    for m in sorted((m for m in measures if m.due is not None), key=lambda m: (m.plan or "", m.id)):
        event = Event()
        event.add("uid", uid(m, plan_of(plans, m)))
        event.add("dtstamp", stamp)
        event.add("dtstart", m.due)
        if m.due < date.max:
            event.add("dtend", m.due + timedelta(days=1))
        event.add("sequence", len(m.extensions))
        event.add("summary", event_summary(m))
        event.add("description", description(m))
        event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: the day stays free
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event_summary(m))
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
        yield event


_END = b"END:VCALENDAR\r\n"


def render(measures: Iterable[Measure], plans: Plan | Plans | None, as_of: date, name: str) -> bytes:
    out = io.BytesIO()
    write(measures, plans, as_of, name, out)
    return out.getvalue()


def write(measures: Iterable[Measure], plans: Plan | Plans | None, as_of: date, name: str, out: IO[bytes]) -> None:
    """`calendar(...).to_ical()`, byte for byte, written an event at a time: icalendar's objects for
    100,000 events took 1.4 GB. A calendar's text is its own lines, then each event's, then its END."""
    empty = _empty(name).to_ical()
    out.write(empty[:-len(_END)])
    for event in events(measures, plans, as_of):
        out.write(event.to_ical())
    out.write(_END)


def undated(measures: Iterable[Measure]) -> int:
    """How many measures have no due date, and so no event."""
    return sum(m.due is None for m in measures)
