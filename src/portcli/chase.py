"""催办: what a unit is chased about as of a date — a pure question over (measures, plans, as_of), like
`query`; `render.notice` words the answer as a 催办通知.

A measure of the unit is chased when it is overdue, else due soon, else stale (not done and silent
for more than `stale_days`); each measure once, under the first of these that holds. The unit's
lead measures come first, then those it co-operates on; within each, the overdue ones most overdue
first, the due-soon ones soonest first, the stale ones longest silent first, ties by plan and id.
"""
from __future__ import annotations

from .model import Measure, Plan
from .plans import Plans, plan_of
from .query import (DEFAULT_DUE_SOON_DAYS, DEFAULT_STALE_DAYS, days_overdue, days_since_progress, is_due_soon,
                    is_overdue, is_stale)
from .values import Frozen, date

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Iterable

KINDS = ("overdue", "due_soon", "stale")


class Chased(Frozen):
    """One measure a unit is chased about, and why."""

    __slots__ = ()

    def __new__(cls, measure: Measure, kind: str, days: int, silent: int | None, stale: bool):
        # kind: one of KINDS; days: overdue, days overdue; due_soon, days left (0 = today); stale, days
        # silent; silent: days since the last progress (or the plan's start), None when unknown;
        # stale: silent for more than the stale window (an overdue measure may be too)
        return tuple.__new__(cls, (measure, kind, days, silent, stale))


class Notice(Frozen):
    """What a unit is chased about as of a date."""

    __slots__ = ()

    def __new__(cls, unit: str, as_of: date, lead: tuple[Chased, ...], cooperating: tuple[Chased, ...],
                stale_days: int, due_soon_days: tuple[int, ...]):
        # due_soon_days: the due-soon windows used (one per plan, when each plan sets its own)
        return tuple.__new__(cls, (unit, as_of, lead, cooperating, stale_days, due_soon_days))

    @property
    def items(self) -> tuple[Chased, ...]:
        return self.lead + self.cooperating

    def count(self, kind: str) -> int:
        """How many are overdue, due soon, or stale; a stale count takes in the overdue and due-soon
        measures that are silent too, as each row says."""
        return sum(c.stale if kind == "stale" else c.kind == kind for c in self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def due_soon_window(plan: Plan | None, days: int | None) -> int:
    """The due-soon window: --due-soon when given, else the plan's `lights: {yellow_days}`, else 14."""
    if days is not None:
        return days
    if plan is not None and plan.yellow_days is not None:
        return plan.yellow_days
    return DEFAULT_DUE_SOON_DAYS


def chased(m: Measure, as_of: date, plan: Plan | None, due_soon_days: int,
           stale_days: int = DEFAULT_STALE_DAYS) -> Chased | None:
    """Why `m` is chased as of `as_of`, or None when it is not."""
    silent = days_since_progress(m, as_of, plan)
    stale = is_stale(m, as_of, plan, stale_days)
    if is_overdue(m, as_of):
        return Chased(m, "overdue", days_overdue(m, as_of), silent, stale)
    if is_due_soon(m, as_of, due_soon_days):
        return Chased(m, "due_soon", (m.due - as_of).days, silent, stale)
    if stale:
        return Chased(m, "stale", silent, silent, stale)
    return None


def _order(c: Chased) -> tuple:
    ahead = -c.days if c.kind in ("overdue", "stale") else c.days
    return KINDS.index(c.kind), ahead, c.measure.plan or "", c.measure.id


def notice(unit: str, measures: Iterable[Measure], plans: Plan | Plans | None, as_of: date,
           stale_days: int = DEFAULT_STALE_DAYS, due_soon_days: int | None = None) -> Notice:
    """The notice for `unit` (a short name): its measures that are overdue, due soon or stale."""
    lead, cooperating, windows = [], [], set()
    for m in measures:
        if unit not in m.units:
            continue
        plan = plan_of(plans, m)
        window = due_soon_window(plan, due_soon_days)
        windows.add(window)
        found = chased(m, as_of, plan, window, stale_days)
        if found is not None:
            (lead if m.lead == unit else cooperating).append(found)
    return Notice(unit, as_of, tuple(sorted(lead, key=_order)), tuple(sorted(cooperating, key=_order)),
                  stale_days, tuple(sorted(windows)) or (due_soon_window(None, due_soon_days),))
