"""One self-contained HTML page: the report a supervision office mails round or opens offline.

Nothing is fetched: CSS and the chart (SVG) are inline, fonts come from the reader's system
(a Chinese font stack), and the Content-Security-Policy forbids every fetch and every script,
so even a text that slipped past escaping could not load or run anything. Every datum goes
through `html.escape`.
"""
from __future__ import annotations

from html import escape
from typing import IO, Sequence

from ..model import STATUSES, Measure, Plan
from ..query import Report
from . import latest_progress, light, local_text, report_scope, report_title, units_line

STATUS_COLOURS = {"not_started": "#b0b7c3", "in_progress": "#3b82f6", "blocked": "#f59e0b",
                  "ongoing": "#14b8a6", "done": "#16a34a"}
LIGHTS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}

CSS = """
:root { --red: #dc2626; --yellow: #eab308; --green: #16a34a; --line: #e5e7eb; --muted: #6b7280; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 24px; color: #111827; background: #fff;
  font-family: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
    "WenQuanYi Micro Hei", "Heiti SC", system-ui, sans-serif; font-size: 14px; line-height: 1.5; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
.scope { color: var(--muted); margin: 0 0 16px; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 0; }
.figure { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.figure dt { color: var(--muted); font-size: 13px; }
.figure dd { margin: 0; font-size: 26px; font-weight: 600; }
.figure.red dd { color: var(--red); } .figure.yellow dd { color: #a16207; } .figure.green dd { color: var(--green); }
.statuses { margin: 10px 0 0; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin-top: 8px; }
table.compact { width: auto; min-width: 50%; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f9fafb; font-weight: 600; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; } td.nowrap { white-space: nowrap; }
td.text { white-space: pre-line; overflow-wrap: anywhere; }
tr.red td { background: #fef2f2; } tr.yellow td { background: #fefce8; }
.light { display: inline-block; width: 12px; height: 12px; border-radius: 50%; vertical-align: -1px;
  margin-right: 4px; border: 1px solid rgba(0,0,0,.2); }
.light.red { background: var(--red); } .light.yellow { background: var(--yellow); } .light.green { background: var(--green); }
.chart text { font-family: inherit; font-size: 13px; fill: #111827; }
.chart .count { fill: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: 14px; margin: 4px 0 0; padding: 0; list-style: none; color: var(--muted); }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; }
.none { color: var(--muted); }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; }
@media print { body { padding: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
"""

# No fetch, no script, no form, no frame: the page only shows.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


class Safe(str):
    """HTML this module wrote itself (never data), passed through `_table` unescaped."""


def report(r: Report, plan: Plan | None, out: IO[str], problems: Sequence = ()) -> None:
    out.write(render(r, plan, problems))


def render(r: Report, plan: Plan | None, problems: Sequence = ()) -> str:
    title, scope = report_title(plan), report_scope(r)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{escape(title)} · {escape(scope)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="scope">{escape(scope)}</p>',
        _figures(r),
    ]
    if problems:
        parts += [f'<h2 id="problems">文件问题 (problems)：{len(problems)}</h2>',
                  _table(["文件", "行", "问题"], [[(p.file, "nowrap"), (p.line or "", "num"), (str(p.message), "text")]
                                                  for p in problems])]
    parts += [
        '<h2 id="units">各单位 (per unit)</h2>',
        _chart(r),
        _unit_table(r),
        f'<h2 id="overdue">逾期 (overdue)：{len(r.overdue)}</h2>',
        _listing(r, r.overdue, "逾期天数", lambda m: (r.as_of - m.due).days),
        f'<h2 id="due-soon">即将到期 (due soon)：{len(r.due_soon)}</h2>',
        _listing(r, r.due_soon, "剩余天数", lambda m: (m.due - r.as_of).days),
        f'<h2 id="measures">全部措施 (all measures)：{r.total}</h2>',
        _all_measures(r, plan),
        f"<footer>portcli · {escape(scope)} · 红灯 逾期 · 黄灯 即将到期 · 绿灯 其他</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _figures(r: Report) -> str:
    figures = [("措施总数", r.total, ""), ("已完成", r.by_status["done"], "green"),
               ("完成率", f"{r.completion:.1%}", "green"), ("逾期", len(r.overdue), "red"),
               ("即将到期", len(r.due_soon), "yellow"), ("延期", len(r.extended), "")]
    cards = "".join(f'<div class="figure {css}"><dt>{escape(label)}</dt><dd>{escape(str(value))}</dd></div>'
                    for label, value, css in figures)
    statuses = " · ".join(f"{escape(label)} {r.by_status[key]}" for key, label in STATUSES.items())
    return f'<dl class="figures">{cards}</dl>\n<p class="statuses">{statuses}</p>'


def _chart(r: Report) -> str:
    """Per unit, a bar split by the status of the measures it takes part in, to one scale."""
    label_width, bar_width, count_width, row_height, bar_height = 170, 760, 50, 26, 16
    width = label_width + bar_width + count_width
    height = row_height * len(r.units) + 4
    most = max((u.involved for u in r.units), default=0) or 1
    rows = []
    for i, u in enumerate(r.units):
        y = 2 + i * row_height
        x = float(label_width)
        segments = []
        for key, label in STATUSES.items():
            n = u.by_status[key]
            if not n:
                continue
            w = bar_width * n / most
            segments.append(f'<rect x="{x:.1f}" y="{y + (row_height - bar_height) / 2:.1f}" width="{w:.1f}" '
                            f'height="{bar_height}" fill="{STATUS_COLOURS[key]}">'
                            f"<title>{escape(u.unit)} · {escape(label)} {n}</title></rect>")
            x += w
        rows.append(f'<text x="{label_width - 8}" y="{y + row_height / 2:.1f}" text-anchor="end" '
                    f'dominant-baseline="central">{escape(u.unit)}</text>' + "".join(segments) +
                    f'<text class="count" x="{x + 6:.1f}" y="{y + row_height / 2:.1f}" '
                    f'dominant-baseline="central">{u.involved}</text>')
    legend = "".join(f'<li><span class="swatch" style="background:{STATUS_COLOURS[key]}"></span>{escape(label)}</li>'
                     for key, label in STATUSES.items())
    return (f'<svg class="chart" role="img" aria-label="各单位措施状态" viewBox="0 0 {width} {height}" '
            f'width="100%" xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>\n'
            f'<ul class="legend">{legend}</ul>')


def _table(headers: list[str], rows: list[list[tuple[object, str]]], row_classes: list[str] | None = None,
           table_class: str = "") -> str:
    """Rows of (value, cell class); a value is escaped unless it is `Safe`."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        row_class = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
        cells = "".join(f'<td class="{cls}">{value if isinstance(value, Safe) else escape(str(value))}</td>'
                        for value, cls in row)
        body.append(f"<tr{row_class}>{cells}</tr>")
    attrs = f' class="{table_class}"' if table_class else ""
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _unit_table(r: Report) -> str:
    return _table(["单位", "牵头", "参与", "已完成", "逾期", "延期", "完成率"],
                  [[(u.unit, "nowrap"), (u.lead, "num"), (u.involved, "num"), (u.done, "num"),
                    (u.overdue, "num"), (u.extended, "num"), (f"{u.completion:.0%}", "num")] for u in r.units],
                  table_class="compact")


def _light_html(colour: str) -> Safe:
    return Safe(f'<span class="light {colour}" aria-hidden="true"></span>{LIGHTS[colour]}')


def _listing(r: Report, ms: list[Measure], days_header: str, days) -> str:
    if not ms:
        return '<p class="none">无。</p>'
    return _table(["编号", "牵头单位", "到期日", days_header, "措施", "最新进展"],
                  [[(m.id, "num"), (m.lead, "nowrap"), (m.due.isoformat(), "nowrap"), (days(m), "num"),
                    (local_text(m) or m.national or "", "text"), (latest_progress(m), "text")] for m in ms])


def _all_measures(r: Report, plan: Plan | None) -> str:
    rows, classes = [], []
    for m in r.measures:
        colour = light(m, r.as_of, r.due_soon_days)
        task = plan.tasks.get(m.task) if plan else None
        rows.append([(_light_html(colour), "nowrap"), (m.id, "num"),
                     (f"{task.numeral}、{task.title}" if task else m.task, "text"),
                     (local_text(m) or m.national or "", "text"), (units_line(m), "text"),
                     (m.deadline.phrase, "text"), (m.due.isoformat() if m.due else "—", "nowrap"),
                     (STATUSES[m.status], "nowrap"), (latest_progress(m), "text")])
        classes.append(colour if colour != "green" else "")
    return _table(["灯", "编号", "重点任务", "措施", "责任单位", "完成时限", "到期日", "状态", "最新进展"], rows, classes)
