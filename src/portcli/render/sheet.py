"""The 任务分工表 as rows, as the source document lays it out plus the tracking columns:
what the CSV and the Excel export both write."""
from __future__ import annotations

from ..i18n import N_, _, status_word
from ..model import Measure, Plan
from ..plans import key, plan_of
from ..query import days_overdue
from ..values import date
from . import latest_progress, local_text, units_line

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Iterable

# The document's own columns (序号, 重点任务, 编号, 具体举措, 天津市细化落实措施, 责任单位, 完成时限), then the
# tracking ones; said in the language of the run by `headers()`.
HEADERS = (N_("No."), N_("Key task"), N_("ID"), N_("Specific measure"), N_("Tianjin's detailed measures"),
           N_("Units"), N_("Deadline"), N_("Status"), N_("Due"), N_("Days overdue"), N_("Latest progress"))
DAYS_OVERDUE_COLUMN = 9  # the index of 逾期天数 in a row
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TASK_COLUMNS = 2  # 序号 and 重点任务: one cell per key task in the document, spanning its measures


def headers() -> list[str]:
    return [_(header) for header in HEADERS]


def ordered(measures: Iterable[Measure]) -> list[Measure]:
    """Document order: by key task, then by id, so each task's measures sit together."""
    return sorted(measures, key=lambda m: (m.plan or "", m.task, m.id))  # several plans: plan by plan


def row(m: Measure, plan: Plan | None, as_of: date) -> list[object]:
    plan = plan_of(plan, m)
    task = plan.tasks.get(m.task) if plan else None
    return [task.numeral if task else m.task, task.title if task else "", key(m), m.national or "",
            local_text(m), units_line(m), m.deadline.phrase, status_word(m.status), m.due,
            days_overdue(m, as_of), latest_progress(m)]
