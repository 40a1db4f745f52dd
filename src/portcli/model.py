"""The domain: a plan of key tasks and units, and the measures that carry it out.

Everything here is a frozen value; reading files lives in ``load``, writing them in ``write``,
questions that depend on "today" live in ``query``.
"""
from __future__ import annotations

from .i18n import Message
from .values import Frozen, cached_property, date

STATUSES: dict[str, str] = {
    "not_started": "未启动",
    "in_progress": "推进中",
    "blocked": "受阻",
    "ongoing": "持续推进",
    "done": "已完成",
}
STATUS_BY_LABEL = {label: key for key, label in STATUSES.items()}

DEADLINE_KINDS = ("date", "milestone", "ongoing", "external")

# The largest id: nine digits are more than any plan needs, and a file name or an option stays short.
MAX_ID = 999_999_999

# The years a date may fall in: those a plan's year may be (check.py checks _plan.yaml's `year` by the
# same rule). A date outside them is a typo (202-05-31 for 2022-05-31), and dates this far from
# date.min and date.max keep every date window inside what `datetime` can count.
FIRST_YEAR, LAST_YEAR = 1901, 2999
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)


def in_range(day: date, text: str) -> date:
    """`day`, read from `text`, when it falls in FIRST_YEAR…LAST_YEAR; else ValueError."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(Message("{text} is out of range: dates go from {first} to {last}", text=repr(text),
                                 first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()))
    return day


def fold(name: str) -> str:
    """A name as compared: case, full-width forms and outer spaces aside (天津港(集团) is 天津港（集团）)."""
    import unicodedata  # here: 0.3 ms of a query that compares no name (issue 16)

    return unicodedata.normalize("NFKC", name).strip().casefold()


def status_key(text: str) -> str | None:
    """The status key for a key or a Chinese label, or None when it is neither."""
    text = text.strip()
    if text in STATUSES:
        return text
    return STATUS_BY_LABEL.get(text)


class Deadline(Frozen):
    """A 完成时限 phrase and what it means: a kind, and for most kinds a due date."""

    __slots__ = ()

    def __new__(cls, phrase: str, kind: str, due: date | None = None, authority: str | None = None):
        # kind: one of DEADLINE_KINDS; authority: for `external`, whose schedule the measure follows
        return tuple.__new__(cls, (phrase, kind, due, authority))


class Unit(Frozen):
    """A responsible unit (责任单位) as the plan registers it, with every name it goes by."""

    __slots__ = ()

    def __new__(cls, name: str, full_name: str, english: str, aliases: tuple[str, ...] = ()):
        # name: the short name, as the document writes it
        return tuple.__new__(cls, (name, full_name, english, aliases))

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.full_name, self.english, *self.aliases)


class Task(Frozen):
    """A key task (重点任务) of the plan."""

    __slots__ = ()

    def __new__(cls, id: int, numeral: str, title: str):
        return tuple.__new__(cls, (id, numeral, title))


_UNIT_INDEXES: dict[tuple[Unit, ...], dict[str, Unit]] = {}  # a registry's units -> Plan._unit_by_name


class Plan(Frozen):
    """What _plan.yaml holds: the document's title and year, its key tasks and units."""

    def __new__(cls, title: str, year: int, tasks: dict[int, Task] | None = None, units: tuple[Unit, ...] = (),
                start: date | None = None, yellow_days: int | None = None):
        # start: when the plan began, the day a measure with no progress was last heard of;
        # yellow_days: `lights: {yellow_days: N}`, days before the due date a light turns yellow
        return tuple.__new__(cls, (title, year, {} if tasks is None else tasks, units, start, yellow_days))

    @property
    def started(self) -> date:
        """The plan's `start`, else the first day of its year."""
        return self.start or date(self.year, 1, 1)

    def unit(self, name: str) -> Unit | None:
        """The unit whose short name, full name, English name or alias is exactly `name`."""
        return self._unit_by_name.get(fold(name))

    @cached_property
    def _unit_by_name(self) -> dict[str, Unit]:
        # Built once a plan: every unit of every measure file is looked up here. Plans that register
        # the same units share one index: 1,000 plans of one registry fold their names once, not
        # 1,000 times (0.1 s of `list --unit` at 100,000 measures).
        index = _UNIT_INDEXES.get(self.units)
        if index is None:
            index = _UNIT_INDEXES[self.units] = {}
            for unit in self.units:
                for n in unit.names:
                    index.setdefault(fold(n), unit)  # the first unit to use a name keeps it
        return index

    def close_units(self, name: str, cutoff: float = 0.5) -> list[str]:
        """Short names of the units one of whose names is close to `name`, closest first, each once."""
        import difflib

        owner = {fold(n): unit.name for unit in self.units for n in unit.names}
        close = difflib.get_close_matches(fold(name), list(owner), n=len(owner), cutoff=cutoff)
        return list(dict.fromkeys(owner[n] for n in close))[:3]


class Progress(Frozen):
    """One progress report on a measure: when, its status from then on, by whom, what."""

    __slots__ = ()

    def __new__(cls, date: date, status: str, by: str | None = None, note: str | None = None):
        return tuple.__new__(cls, (date, status, by, note))


class Extension(Frozen):
    """An approved extension (延期): from which due date to which, why, approved by whom."""

    __slots__ = ()

    def __new__(cls, date: date, to: date, reason: str, from_: date | None = None, by: str | None = None):
        return tuple.__new__(cls, (date, to, reason, from_, by))


class Measure(Frozen, derived=("due", "due_source")):
    """One measure file: the document's row, its status, progress log and extensions. Besides its
    fields it keeps what every report asks for again and again, worked out once from them: `due`, the
    effective due date (the latest extension's, else `due:`, else the phrase's), and `due_source`,
    which of the three it is ("extension", "due", "deadline"; None with no due date)."""

    __slots__ = ()

    def __new__(cls, id: int, task: int, national: str | None, local: tuple[str, ...], units: tuple[str, ...],
                units_note: str | None, deadline: Deadline, status: str, due_override: date | None = None,
                progress: tuple[Progress, ...] = (), extensions: tuple[Extension, ...] = (), file: str = "",
                line: int = 1, plan: str | None = None):
        # due_override: the file's explicit `due:`; line: where the measure starts in its file, for
        # messages about it; plan: the plan folder's name when the measures folder holds several
        # plans, else None (the plan is where the file is, so load.load_tree gives it; a field, so
        # that equality and copies see it)
        if extensions:
            due, source = extensions[-1].to, "extension"
        elif due_override is not None:
            due, source = due_override, "due"
        elif deadline.due is not None:
            due, source = deadline.due, "deadline"
        else:
            due = source = None
        return tuple.__new__(cls, (id, task, national, local, units, units_note, deadline, status, due_override, progress,
                               extensions, file, line, plan, due, source))

    @property
    def lead(self) -> str:
        return self.units[0]

    @property
    def texts(self) -> tuple[str, ...]:
        return ((self.national,) if self.national else ()) + self.local
