"""What changed in a period, for the supervision office's weekly 通报 (`report --since`).

Pure functions over (measures, dates), as `query` is: no files and no output. What git says about a
folder (status changes committed in a period) is read by `history.done_in_commits` and handed in as
a set of file paths.

The period of a 通报 is (since, as_of]: an entry dated on `since` itself belongs to the report before.
"""
from __future__ import annotations

from .model import Measure
from .query import in_id_order, is_overdue
from .values import Value, date

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Iterable


def in_period(day: date, since: date, as_of: date) -> bool:
    return since < day <= as_of


def became_done(m: Measure, since: date, as_of: date) -> bool:
    """A progress entry dated in the period turned the measure done: its status is done and the
    entry before it (in the file's order, oldest first) was not, or there was none."""
    before = None
    for p in m.progress:
        if p.status == "done" and before != "done" and in_period(p.date, since, as_of):
            return True
        before = p.status
    return False


def became_overdue(m: Measure, since: date, as_of: date) -> bool:
    """Overdue on as_of, and not yet on since: its due date is on or after since (a measure due on
    as_of itself is due today, not overdue: the next report has it)."""
    return is_overdue(m, as_of) and m.due >= since


class Changes(Value):
    """What changed in the period (since, as_of]; each list in id order."""

    def __init__(self, since: date, as_of: date, done: list[Measure] | None = None,
                 newly_overdue: list[Measure] | None = None, progress: list[Measure] | None = None,
                 extended: list[Measure] | None = None) -> None:
        self.since, self.as_of = since, as_of
        self.done = [] if done is None else done
        self.newly_overdue = [] if newly_overdue is None else newly_overdue
        self.progress = [] if progress is None else progress
        self.extended = [] if extended is None else extended

    def lists(self) -> dict[str, list[Measure]]:
        return {"done": self.done, "newly_overdue": self.newly_overdue, "progress": self.progress,
                "extended": self.extended}


def changes(measures: Iterable[Measure], since: date, as_of: date,
            committed_done: frozenset[str] | set[str] = frozenset()) -> Changes:
    """What changed in (since, as_of]. `committed_done` holds the files (as `Measure.file` names
    them) whose status git saw change to done in a commit of the period."""
    ms = in_id_order(measures)
    return Changes(
        since, as_of,
        done=[m for m in ms if became_done(m, since, as_of) or m.file in committed_done],
        newly_overdue=[m for m in ms if became_overdue(m, since, as_of)],
        progress=[m for m in ms if any(in_period(p.date, since, as_of) for p in m.progress)],
        extended=[m for m in ms if any(in_period(e.date, since, as_of) for e in m.extensions)])
