"""One self-contained HTML page: the report a supervision office mails round, forwards to a phone or
prints for the weekly meeting.

Nothing is fetched: CSS is inline, the charts are plain HTML boxes sized in percent (so their text
keeps its size on a phone, where an SVG would shrink it), fonts come from the reader's system (a
Chinese font stack), and the Content-Security-Policy forbids every fetch and every script, so even
a text that slipped past escaping could not load or run anything. Every datum goes through
`html.escape`, or `css_string` where it goes into the print stylesheet.

Three layouts from one page: a screen; a phone (below 640 px the tables become cards, the chart
rows wrap); and paper (A4 landscape, the charts side by side, the plan title, as-of date and page
numbers in the page margins). On paper and a phone the overdue and due-soon lists, which repeat the
all-measures table, are reduced to their ids.
"""
from __future__ import annotations

import re
from html import escape

from .. import i18n
from ..i18n import _, ngettext, status_word
from ..model import Measure, Plan
from ..plans import label, plan_of
from ..query import Report
from . import (LIGHT_WORDS, changes_heading, changes_rows, ids, joined, labelled, latest_progress, light, local_text,
               overdue_by, ranking_cells, ranking_headers, ranking_heading, report_scope, report_title, stale_heading,
               units_line)
from .html_charts import Digest, bars, digest, legend, none, original_due, task_rows, timeline, unit_rows

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import IO, Callable, Iterable, Iterator, Sequence

# The page's lang: it picks the browser's font for the Chinese data (zh-CN), and its hyphenation.
PAGE_LANGUAGES = {"zh": "zh-CN", "en": "en"}
CSS = """
:root { --red: #dc2626; --yellow: #eab308; --green: #16a34a; --blue: #3b82f6; --pale: #cbd5e1;
  --grey: #9ca3af; --line: #e5e7eb; --muted: #4b5563; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 24px; color: #111827; background: #fff;
  font-family: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
    "WenQuanYi Micro Hei", "Heiti SC", system-ui, sans-serif; font-size: 14px; line-height: 1.5; }
h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.scope { color: var(--muted); margin: 0 0 16px; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 0; }
.figure { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 110px; }
.figure dt { color: var(--muted); font-size: 13px; }
.figure dd { margin: 0; font-size: 26px; font-weight: 600; }
.figure.red dd { color: var(--red); } .figure.yellow dd { color: #a16207; } .figure.green dd { color: var(--green); }
.statuses { margin: 10px 0 0; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin-top: 8px; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f9fafb; font-weight: 600; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; } td.nowrap { white-space: nowrap; }
td.text { white-space: pre-line; overflow-wrap: anywhere; }
tr.red td { background: #fef2f2; } tr.yellow td { background: #fefce8; } tr.pending td { background: #f9fafb; }
.light { display: inline-block; width: 12px; height: 12px; border-radius: 50%; vertical-align: -1px;
  margin-right: 4px; border: 1px solid rgba(0,0,0,.2); }
.red { --c: var(--red); } .yellow { --c: var(--yellow); } .green { --c: var(--green); } .pending { --c: var(--grey); }
.light, .dot { background: var(--c); }
.was { color: var(--muted); font-size: 12px; }
.late { color: var(--red); font-size: 12px; }
.charts { display: grid; grid-template-columns: minmax(0, 1fr); gap: 0 32px; }
.bars { display: grid; grid-template-columns: minmax(0, max-content) minmax(0, 1fr) max-content; gap: 6px 8px;
  align-items: center; font-size: 13px; }
.bars.task { grid-template-columns: minmax(0, 12em) minmax(0, 1fr) max-content; }
.bar-row { display: contents; }
.bar-label { text-align: right; max-width: 12em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.bar-figures { color: var(--muted); font-size: 12px; white-space: nowrap; }
.track { height: 18px; }
.bar { display: flex; height: 100%; min-width: 2px; }
.seg { display: block; height: 100%; overflow: hidden; color: #fff; font-size: 12px; line-height: 18px;
  text-align: center; white-space: nowrap; }
.seg.done, .swatch.done { background: var(--green); } .seg.overdue, .swatch.overdue { background: var(--red); }
.seg.in_progress, .swatch.in_progress { background: var(--blue); }
.seg.not_started, .swatch.not_started { background: var(--pale); color: #111827; }
.seg.no_date, .swatch.no_date { background: repeating-linear-gradient(135deg, var(--grey) 0 4px, #d1d5db 4px 8px);
  color: #111827; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 8px 0 0; padding: 0; list-style: none;
  color: var(--muted); font-size: 13px; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; }
.timeline { position: relative; }
.tl-row { display: grid; grid-template-columns: 9em minmax(0, 1fr); gap: 8px; align-items: center; font-size: 13px;
  padding: 2px 0; }
.tl-row .track { position: relative; height: 22px; border-left: 1px solid var(--line); border-right: 1px solid var(--line); }
.tl-row .track::after { content: ""; position: absolute; left: 0; right: 0; top: 50%; border-top: 1px solid var(--line); }
.today { position: absolute; top: 0; bottom: 0; width: 0; border-left: 2px solid var(--red); z-index: 1; }
.axis .track { height: 18px; border: 0; } .axis .track::after { display: none; }
.tick { position: absolute; top: 0; transform: translateX(-50%); font-size: 12px; color: var(--muted); white-space: nowrap; }
.tick.now { color: var(--red); font-weight: 600; }
.dot { position: absolute; top: 50%; width: 12px; height: 12px; margin: -6px 0 0 -6px; border-radius: 50%;
  border: 1px solid rgba(0,0,0,.3); z-index: 2; }
.span { position: absolute; top: 50%; height: 4px; margin-top: -2px; background: var(--yellow); z-index: 2; }
.was-dot { position: absolute; top: 50%; width: 10px; height: 10px; margin: -5px 0 0 -5px; border-radius: 50%;
  background: #fff; border: 2px solid var(--muted); z-index: 2; }
.tl-note { grid-column: 2; color: var(--muted); font-size: 12px; margin-top: -2px; overflow-wrap: anywhere; }
.none { color: var(--muted); }
.short { display: none; }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; }
@media (min-width: 1000px) { .charts { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } }
@media (max-width: 640px) {
  body { padding: 12px; }
  h1 { font-size: 19px; }
  .figure { min-width: 0; flex: 1 1 28%; padding: 6px 10px; }
  .figure dd { font-size: 20px; }
  .bars, .bars.task { grid-template-columns: 6.5em minmax(0, 1fr); gap: 0 8px; }
  .bar-label { white-space: normal; overflow-wrap: anywhere; margin-top: 6px; }
  .bars .track { margin-top: 6px; }
  .bar-figures { grid-column: 2; white-space: normal; }
  .bars.task { grid-template-columns: minmax(0, 1fr); }
  .bars.task .bar-label { white-space: nowrap; text-align: left; }
  .bars.task .track { margin-top: 0; }
  .bars.task .bar-figures { grid-column: 1; }
  .tl-row { grid-template-columns: 6.5em minmax(0, 1fr); }
  table.cards thead { display: none; }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: auto; }
  table.cards tr { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; padding: 6px 10px; }
  table.cards td { border: 0; padding: 1px 0; text-align: left; }
  table.cards td.num, table.cards td.nowrap, table.cards td.task { display: inline-block; margin-right: 14px;
    white-space: normal; }
  table.cards td.text.task[data-label]::before { display: inline; }
  table.cards td:empty, .task-title { display: none; }
  table.cards td[data-label]::before { color: var(--muted); }
  table.cards td.text[data-label]::before { display: block; }
  .long { display: none; } .short { display: block; }
}
@media print {
  html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; padding: 0; font-size: 8pt; line-height: 1.35; }
  h1 { font-size: 13pt; } h2 { font-size: 10pt; margin: 8px 0 3px; break-after: avoid; }
  h3 { font-size: 9pt; margin: 6px 0 2px; break-after: avoid; }
  .scope { margin: 0 0 6px; }
  .figures { gap: 6px; } .figure { padding: 2px 10px; min-width: 0; border-radius: 4px; }
  .figure dt { font-size: 7.5pt; } .figure dd { font-size: 13pt; }
  .statuses { margin: 4px 0 0; }
  .charts { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 8mm; }
  .bars { font-size: 7.5pt; gap: 2px 6px; } .bars.task { grid-template-columns: minmax(0, 9em) minmax(0, 1fr) max-content; }
  .bar-figures, .seg, .tick, .tl-note, .was, .late { font-size: 7pt; }
  .track { height: 12px; } .seg { line-height: 12px; }
  .tl-row { font-size: 7.5pt; grid-template-columns: 7.5em minmax(0, 1fr); padding: 0; }
  .tl-row .track { height: 14px; } .axis .track { height: 12px; }
  .legend { font-size: 7.5pt; margin-top: 3px; }
  .long { display: none; } .short { display: block; }
  table { margin-top: 3px; }
  th, td { padding: 2px 4px; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  .task-title { display: none; }
  footer { display: none; }
}
"""

# No fetch, no script, no form, no frame: the page only shows.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


class Safe(str):
    """HTML this module wrote itself (never data), passed through `_table` unescaped."""


def css_string(text: str) -> str:
    """`text` as a CSS string literal: anything but letters, digits, spaces and printable non-ASCII is
    a hex escape, so data can neither end the string nor the <style> element (`<` becomes \\3c)."""
    safe = (c if c.isalnum() or c == " " or (ord(c) > 0x7F and c.isprintable()) else f"\\{ord(c):x} " for c in text)
    return '"' + "".join(safe) + '"'


def page_css(title: str, scope: str) -> str:
    """The printed page: A4 landscape, the plan title, as-of date and page numbers in its margin boxes
    (which also stand in for the browser's own header and footer, its URL and date); and the colon
    the phone layout puts after each card's labels, the language's own."""
    box = "font-size: 8pt; color: #4b5563; font-family: inherit;"
    colon = labelled("", "")
    return (f"@page {{ size: A4 landscape; margin: 12mm 10mm 12mm 10mm;"
            f" @top-left {{ content: {css_string(title)}; {box} }}"
            f" @top-right {{ content: {css_string(scope)}; {box} }}"
            f" @bottom-center {{ content: {page_numbers()}; {box} }} }}"
            f" @media (max-width: 640px) {{ table.cards td[data-label]::before {{ content: attr(data-label)"
            f" {css_string(colon)}; }} }}")


def page_numbers() -> str:
    """`Page N of M` as CSS content: the language's words as strings around the page counters."""
    parts = re.split(r"(\{page\}|\{pages\})", _("Page {page} of {pages}"))
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    return " ".join(counters.get(part) or css_string(part) for part in parts if part)


def report(r: Report, plan: Plan | None, out: IO[str], problems: Sequence = ()) -> None:
    """The page, written as it is made: a table of 100,000 measures is never held whole as text
    (7 s and 830 MiB when it was)."""
    for chunk in chunks(r, plan, problems):
        out.write(chunk)


def render(r: Report, plan: Plan | None, problems: Sequence = ()) -> str:
    return "".join(chunks(r, plan, problems))


def chunks(r: Report, plan: Plan | None, problems: Sequence = ()) -> Iterator[str]:
    yield from top(r, plan, problems)
    yield from all_measures(r, plan)
    yield from bottom(r)


def top(r: Report, plan: Plan | None, problems: Sequence = (), charts: Digest | None = None) -> Iterator[str]:
    """The page up to the table of every measure (`all_measures`), its heading included; `bottom` ends it.
    `charts`: the Digest of the report's measures, when the report does not hold them (r.measures: a
    total added up from two processes' tallies, shared_output)."""
    yield from above_lists(r, plan, problems, charts)
    yield from lists(r)


def above_lists(r: Report, plan: Plan | None, problems: Sequence = (), charts: Digest | None = None) -> Iterator[str]:
    """The first part of `top`: the page up to the overdue list, its heading included."""
    if charts is None:
        charts = digest(r.measures, r.as_of, r.days_for)
    title, scope = report_title(plan), report_scope(r)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{PAGE_LANGUAGES[i18n.current]}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{escape(title)} · {escape(scope)}</title>",
        f"<style>{CSS}{page_css(title, scope)}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="scope">{escape(scope)}</p>',
        _figures(r),
    ]
    if r.changes is not None:
        parts += [f'<h2 id="changes">{escape(changes_heading(r.changes))}</h2>',
                  _table([_("Change"), _("Count"), _("IDs")],
                         [[(name, "nowrap"), (len(ms), "num"), (ids(ms), "text")] for name, ms in changes_rows(r.changes)])]
    if problems:
        heading = labelled(_("File problems"), len(problems))
        parts += [f'<h2 id="problems">{escape(heading)}</h2>',
                  _table([_("File"), _("Line"), _("Problem")],
                         [[(p.file, "nowrap"), (p.line or "", "num"), (str(p.message), "text")] for p in problems])]
    headings = {"units": _("Per unit"), "tasks": _("Per key task"), "timeline": _("Due dates"),
                "overdue": labelled(_("Overdue"), len(r.overdue))}
    headings = {key: escape(value) for key, value in headings.items()}
    parts += ['<div class="charts">', f'<section><h2 id="units">{headings["units"]}</h2>']
    yield "\n".join(parts) + "\n"
    # The charts come a row at a time: 1,000 plans' key tasks and due dates make tens of MB of HTML.
    yield from bars(unit_rows(r, charts), "unit")
    yield "\n" + "\n".join([legend(), "</section>", f'<section><h2 id="tasks">{headings["tasks"]}</h2>']) + "\n"
    yield from bars(task_rows(charts, plan), "task")
    yield f'\n<h3 id="timeline">{headings["timeline"]}</h3>\n'
    yield from timeline(r, charts)
    yield "\n" + "\n".join(["</section>", "</div>", *_ranking(r), f'<h2 id="overdue">{headings["overdue"]}</h2>']) + "\n"


def lists(r: Report) -> Iterator[str]:
    """The second part of `top`: the overdue and due-soon lists, the stale measures, and the heading of
    the table of every measure. (In a total added up from two processes' tallies, the child's rows of
    the lists may come after its tally: shared_output.html_report_ahead.)"""
    yield from _listing(r.overdue, r.as_of, late=True)
    yield f'\n<h2 id="due-soon">{escape(labelled(_("Due soon"), len(r.due_soon)))}</h2>\n'
    yield from _listing(r.due_soon, r.as_of, late=False)
    if stale := _stale(r):
        yield "\n" + "\n".join(stale) + "\n"
    yield f'\n<h2 id="measures">{escape(labelled(_("All measures"), r.total))}</h2>\n'


def bottom(r: Report) -> Iterator[str]:
    """The page after the table of every measure."""
    lights = _("red: overdue · yellow: due soon · green: done or on schedule · pending: no date set")
    yield "\n" + "\n".join([f"<footer>portcli · {escape(report_scope(r))} · {escape(lights)}</footer>", "</body>",
                             "</html>"]) + "\n"


def _ranking(r: Report) -> list[str]:
    """A bulletin's per-unit figures: on-time rate, overdue share, stale, as lead and co-operating unit."""
    rows = [[(cell, "nowrap" if i == 0 else "num") for i, cell in enumerate(ranking_cells(u))] for u in r.units]
    return [f'<h2 id="ranking">{escape(ranking_heading(r))}</h2>', _table(ranking_headers(), rows)]


def _stale(r: Report) -> list[str]:
    """A bulletin's 催办: per unit, the stale measures it leads, then those it co-operates on."""
    rows = [[(u, "nowrap"), (ids(led), "text"), (ids(co), "text")] for u, led, co in r.stale_units]
    return [f'<h2 id="stale">{escape(stale_heading(r))}</h2>',
            _table([_("Unit"), _("Lead"), _("Co-operating")], rows) if rows else none()]


def _figures(r: Report) -> str:
    # Green only for what is good: done is green when all is done, none overdue is green.
    all_done = r.total > 0 and r.by_status["done"] == r.total
    figures = [(_("Measures"), r.total, ""), (_("Done"), r.by_status["done"], "green" if all_done else ""),
               (_("Completion"), f"{r.completion:.1%}", "green" if all_done else ""),
               (_("Overdue"), len(r.overdue), "red" if r.overdue else "green"),
               (_("Due soon"), len(r.due_soon), "yellow" if r.due_soon else ""), (_("Extended"), len(r.extended), "")]
    cards = "".join(f'<div class="figure {css}"><dt>{escape(label)}</dt><dd>{escape(str(value))}</dd></div>'
                    for label, value, css in figures)
    statuses = " · ".join(f"{escape(status_word(key))} {n}" for key, n in r.by_status.items())
    return f'<dl class="figures">{cards}</dl>\n<p class="statuses">{statuses}</p>'


def _table(headers: list[str], rows: Iterable[list[tuple[object, str]]]) -> str:
    """Rows of (value, cell class); a value is escaped unless it is `Safe`. Each cell carries its header
    as data-label: the phone layout shows it before the value."""
    labels = [escape(h) for h in headers]
    openings: dict[tuple[str, str], str] = {}  # a column's cell of a class opens the same way in every row
    return "".join(_in_pieces(headers, (_row(labels, openings, row) for row in rows)))


_TO_ESCAPE = re.compile("[&<>\"']").search  # what html.escape changes


# Rows a piece of a table holds: the page is written a few hundred rows at a time.
ROWS_A_PIECE = 500


def _in_pieces(headers: list[str] | None, rows: Iterable[str], ends: bool = True) -> Iterator[str]:
    """The table of `rows` (each a <tr> already) in pieces of ROWS_A_PIECE rows, the first with the
    table's opening (its `headers`; None: the rows do not begin the table), the last with its closing
    when they end it (`ends`). A run of its rows that starts at a piece's first row comes in the very
    pieces the whole table has."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers or ())
    body = [f'<table class="cards"><thead><tr>{head}</tr></thead><tbody>'] if headers is not None else []
    count = 0
    for row in rows:
        body.append(row)
        count += 1
        if count == ROWS_A_PIECE:
            yield "".join(body)
            body.clear()
            count = 0
    if ends:
        body.append("</tbody></table>")
    if body:
        yield "".join(body)


def _row(labels: list[str], openings: dict[tuple[str, str], str], row: list[tuple[object, str]]) -> str:
    """One <tr> of a table whose escaped headers are `labels`; `openings`: its cells' openings so far."""
    cells = []
    for h, (value, cls) in zip(labels, row):
        opening = openings.get((h, cls))
        if opening is None:
            opening = openings[h, cls] = f'<td class="{cls}" data-label="{h}">'
        cells.append(f"{opening}{value if isinstance(value, Safe) else _text(value)}</td>")
    return f"<tr>{''.join(cells)}</tr>"


def _light_html(colour: str) -> Safe:
    name = _(LIGHT_WORDS[colour])
    return Safe(f'<span class="light {colour}" aria-hidden="true"></span>{escape(name)}')


def _overdue_id(id: int, days: int) -> str:
    return ngettext("{id} ({count} day)", "{id} ({count} days)", days).format(id=id, count=days)


def _due_soon_id(id: int, days: int) -> str:
    return ngettext("{id} (in {count} day)", "{id} (in {count} days)", days).format(id=id, count=days)


def _listing_headers(late: bool) -> list[str]:
    return [_("ID"), _("Lead unit"), _("Due"), _("Days overdue") if late else _("Days left"), _("Measure"),
            _("Latest progress")]


# The lists' cells' openings, by language and list: made once, not once a row.
_listing_cells: dict[tuple[str, bool], list[str]] = {}


def _listing(ms: list[Measure], as_of, late: bool) -> Iterator[str]:
    """The overdue (`late`) or due-soon list: on a screen a table; on paper and a phone only the ids,
    as the all-measures table has the rest."""
    if not ms:
        yield none()
        return
    yield '<div class="long">'
    shown = [getattr(m, "shown", None) or listed(m, as_of, late) for m in ms]
    yield from _in_pieces(_listing_headers(late), (row for row, _short in shown))
    short = _("Measures {ids}").format(ids=joined(short for _row, short in shown))
    yield f'</div><p class="short">{escape(short)}</p>'


def listed(m: Measure, as_of, late: bool) -> tuple[str, str]:
    """A measure as the overdue (`late`) or due-soon list shows it: its row of the table (as _row writes
    it), and its id as the list on paper and a phone says it. A measure a child sent in a total's lists
    (shared_output.Brief) carries them as `shown` (a name a Measure does not have)."""
    cells = _listing_cells.get((i18n.current, late))
    if cells is None:
        cells = _listing_cells[i18n.current, late] = [
            f'<td class="{cls}" data-label="{escape(h)}">'
            for h, cls in zip(_listing_headers(late), ("num", "nowrap", "nowrap", "num", "text", "text"))]
    id_at, lead_at, due_at, days_at, measure_at, progress_at = cells
    days = (as_of - m.due).days if late else (m.due - as_of).days
    name = label(m)
    row = (f"<tr>{id_at}{_text(name)}</td>{lead_at}{_text(m.lead)}</td>{due_at}{m.due.isoformat()}</td>"
           f"{days_at}{days}</td>{measure_at}{_text(local_text(m) or m.national or '')}</td>"
           f"{progress_at}{_text(latest_progress(m))}</td></tr>")
    return row, _overdue_id(name, days) if late else _due_soon_id(name, days)


def _due_html(due, was, late: int | None) -> Safe:
    """The due date (None: none), with the date an extension moved it from (`was`) and how many days
    late it is (None: not overdue)."""
    if due is None:
        return Safe("—")
    text = due.isoformat()
    if was:
        moved, before = _("extended to {date}").format(date=text), _("originally {date}").format(date=was.isoformat())
        text = f'{escape(moved)}<br><span class="was">{escape(before)}</span>'
    if late is not None:
        text += f'<br><span class="late">{escape(overdue_by(late))}</span>'
    return Safe(text)


def all_measures(r: Report, plan: Plan | None, start: int = 0, stop: int | None = None) -> Iterator[str]:
    """The table of every measure, in pieces; or the pieces of its rows start:stop alone: the table's
    opening goes with the rows from 0, its closing with those to the end (stop None). Rows from a
    multiple of ROWS_A_PIECE on come in the pieces the whole table has: a page written by two
    processes (shared_output) splits the table there."""
    measures = r.measures if start == 0 and stop is None else r.measures[start:stop]
    return measure_rows(measures, r.as_of, r.days_for, plan, starts=start == 0, ends=stop is None)


# The table of every measure: its columns' cell classes.
_MEASURE_CELLS = ("nowrap", "num", "text task", "text", "text", "text", "nowrap", "nowrap", "text")


def measure_rows(measures: Iterable[Measure], as_of, days_for: Callable[[Measure], int], plan: Plan | None,
                 starts: bool = True, ends: bool = True) -> Iterator[str]:
    """The rows of `measures` in the table of every measure of a report as of a date (`days_for(m)`:
    its due-soon window, Report.days_for), with the table's opening (`starts`) and its closing
    (`ends`): the rows of a run of a tree's plans, in a report written by two processes (shared_output).
    A row as _row writes it, but its cells' openings made once, and what many rows share (a light, a
    key task, a status, how late) made once: 100,000 rows are a third of a report's time."""
    headers = [_("Light"), _("ID"), _("Key task"), _("Measure"), _("Units"), _("Deadline"), _("Due"), _("Status"),
               _("Latest progress")]
    light_at, id_at, task_at, measure_at, units_at, deadline_at, due_at, status_at, progress_at = (
        f'<td class="{cls}" data-label="{escape(h)}">' for h, cls in zip(headers, _MEASURE_CELLS))
    lights: dict[str, str] = {}
    tasks: dict[tuple, str] = {}
    statuses: dict[str, str] = {}
    units: dict[tuple, str] = {}
    dues: dict[tuple, str] = {}

    def rows():
        for m in measures:
            colour = light(m, as_of, days_for(m))
            lit = lights.get(colour)
            if lit is None:
                lit = lights[colour] = _light_html(colour)
            task_html = tasks.get((m.plan, m.task))
            if task_html is None:
                own = plan_of(plan, m)
                task = own.tasks.get(m.task) if own else None
                task_html = tasks[m.plan, m.task] = (
                    f'{escape(task.numeral)}<span class="task-title">、{escape(task.title)}</span>' if task
                    else _text(m.task))
            status = statuses.get(m.status)
            if status is None:
                status = statuses[m.status] = _text(status_word(m.status))
            named = units.get((m.units, m.units_note))
            if named is None:
                named = units[m.units, m.units_note] = _text(units_line(m))
            # red: overdue (light); an extension's first date only where there is one
            when = (m.due, original_due(m) if m.extensions else None,
                    (as_of - m.due).days if colour == "red" else None)
            due = dues.get(when)
            if due is None:
                due = dues[when] = _due_html(*when)
            row_class = f' class="{colour}"' if colour != "green" else ""
            yield (f"<tr{row_class}>{light_at}{lit}</td>{id_at}{_text(label(m))}</td>{task_at}{task_html}</td>"
                   f"{measure_at}{_text(local_text(m) or m.national or '')}</td>{units_at}{named}</td>"
                   f"{deadline_at}{_text(m.deadline.phrase)}</td>{due_at}{due}</td>"
                   f"{status_at}{status}</td>{progress_at}{_text(latest_progress(m))}</td></tr>")

    return _in_pieces(headers if starts else None, rows(), ends=ends)


def _text(value: object) -> str:
    """A value in a cell that is not Safe: most (numbers, dates, names) have nothing to escape."""
    value = str(value)
    return escape(value) if _TO_ESCAPE(value) else value
