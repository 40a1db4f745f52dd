"""Questions over (measures, as_of): pure functions, no files, no output."""
from __future__ import annotations

from .i18n import Message
from .model import STATUSES, Measure, Plan, Unit, fold
from .patterns import Lazy
from .plans import Plans, plan_of
from .problem import did_you_mean
from .values import Frozen, Value, cached_property, date

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Iterable

DEFAULT_DUE_SOON_DAYS = 14  # when neither --due-soon nor the plan's `lights: {yellow_days}` says
DEFAULT_STALE_DAYS = 14


PLAN_DAYS = -1  # Filters.due_soon for `--due-soon` without DAYS: each measure's plan's window


class LookupProblem(ValueError):
    """A name on the command line that matches nothing, or more than one thing; its one argument is a
    `Message`, said in the language of whoever prints it (str() says it in the current one)."""


def _reached_milestone(m: Measure) -> bool:
    # A milestone measure in `ongoing` has met its milestone; the work simply goes on.
    return m.deadline.kind == "milestone" and m.status == "ongoing"


def is_overdue(m: Measure, as_of: date) -> bool:
    due = m.due
    return due is not None and as_of > due and m.status != "done" and not _reached_milestone(m)


def days_overdue(m: Measure, as_of: date) -> int | None:
    return (as_of - m.due).days if is_overdue(m, as_of) else None


def due_soon_days(plan: Plan | None, asked: int | None = None) -> int:
    """The one rule for a due-soon window (and so for when a light turns yellow): `--due-soon DAYS`
    when it is given, else the plan's `lights: {yellow_days}`, else 14 days."""
    if asked is not None:
        return asked
    if plan is not None and plan.yellow_days is not None:
        return plan.yellow_days
    return DEFAULT_DUE_SOON_DAYS


def days_for(m: Measure, plan, asked: int | None = None) -> int:
    """`m`'s due-soon window, given the one plan or the several plans (`Plans`) it may come from:
    in a folder of several plans each measure follows its own plan's lights."""
    return due_soon_days(plan_of(plan, m), asked)


def is_due_soon(m: Measure, as_of: date, days: int) -> bool:
    # Due on one of the days as_of … as_of + days, counted as a difference of dates: as_of + days
    # may lie past date.max (a `due: 9999-12-31` read from a file), a difference never does.
    due = m.due
    return (due is not None and m.status != "done" and not _reached_milestone(m)
            and 0 <= (due - as_of).days <= days)


def last_progress(m: Measure, as_of: date) -> date | None:
    """The date of the newest progress entry on or before as_of: a report dated later had not been
    filed yet on that day."""
    return max((p.date for p in m.progress if p.date <= as_of), default=None)


def days_since_progress(m: Measure, as_of: date, plan: Plan | None) -> int | None:
    """Days from the newest progress entry (with none, the plan's start) to as_of; None when neither
    is known or the plan starts after as_of."""
    heard = last_progress(m, as_of) or (plan.started if plan else None)
    return (as_of - heard).days if heard is not None and heard <= as_of else None


def is_stale(m: Measure, as_of: date, plan: Plan | None, days: int = DEFAULT_STALE_DAYS) -> bool:
    """Silent: not done, and nothing heard of it for more than `days` days (催办 chases it)."""
    silent = days_since_progress(m, as_of, plan)
    return m.status != "done" and silent is not None and silent > days


_FINISHING = frozenset({"done"})
_MILESTONE_FINISHING = frozenset({"done", "ongoing"})


def finishing_statuses(m: Measure) -> frozenset[str]:
    """The statuses in which a measure has met its deadline: done; for a milestone also ongoing
    (the milestone reached, the work goes on), as the overdue rule has it (SPEC §3)."""
    return _MILESTONE_FINISHING if m.deadline.kind == "milestone" else _FINISHING


def is_finished(m: Measure) -> bool:
    return m.status in finishing_statuses(m)


def finished_on(m: Measure) -> date | None:
    """The day the measure was done: the date of the first progress entry in a finishing status
    after the last entry in any other; None when it is not finished, or no entry says when."""
    if not is_finished(m):
        return None
    finishing = finishing_statuses(m)
    day = None
    for p in m.progress:
        if p.status not in finishing:
            day = None
        elif day is None:
            day = p.date
    return day


class Figures(Value):
    """How a unit stands on the measures it leads, or on those it co-operates on."""

    def __init__(self, measures: int = 0, due: int = 0, on_time: int = 0, overdue: int = 0, stale: int = 0) -> None:
        # due: due on or before as_of; on_time: of those, done on or before their due date
        self.measures, self.due, self.on_time, self.overdue, self.stale = measures, due, on_time, overdue, stale

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    @property
    def overdue_share(self) -> float | None:
        return self.overdue / self.measures if self.measures else None

    def add(self, due: bool, on_time: bool, overdue: bool, silent: bool, count: int = 1) -> None:
        """`count` more measures: `due` on or before as_of, done `on_time`, `overdue`, `silent` (stale)."""
        self.measures += count
        self.due += due * count
        self.on_time += on_time * count
        self.overdue += overdue * count
        self.stale += silent * count


def _low_first(rate: float | None) -> float:
    return 2.0 if rate is None else rate  # nothing to judge ranks after every rate


def _high_first(share: float | None) -> float:
    return 1.0 if share is None else -share  # after every share, 0 included


def worst_first_key(led: Figures, co: Figures) -> tuple:
    """The ranking (SPEC §4d): the lowest on-time rate as lead, then the highest overdue share as lead,
    then the most stale measures led, then the same three as co-operating unit; nothing to judge
    (no measure due, none led) ranks after any figure."""
    return (_low_first(led.on_time_rate), _high_first(led.overdue_share), -led.stale,
            _low_first(co.on_time_rate), _high_first(co.overdue_share), -co.stale)


def in_id_order(ms: Iterable[Measure]) -> list[Measure]:
    """By plan name, then id: the order of a measures folder (SPEC §2a)."""
    return sorted(ms, key=_id_order)


def _id_order(m: Measure) -> tuple:
    return m.plan or "", m.id


def stale(measures: Iterable[Measure], plan: Plan | Plans | None, as_of: date,
          days: int = DEFAULT_STALE_DAYS) -> list[Measure]:
    """The measures to chase (催办), in id order: not done and silent for more than `days` days."""
    return in_id_order(m for m in measures if is_stale(m, as_of, plan_of(plan, m), days))


def by_due(m: Measure) -> tuple:
    return m.due, m.id  # the order of the overdue and due-soon lists: soonest due first, then by id


def stale_by_unit(stale_measures: list[Measure], units: Iterable[str]) -> list[tuple[str, list[Measure], list[Measure]]]:
    """Per unit, in the order given (the report's unit order), the stale measures it leads and those it
    co-operates on, each in id order; units with none are left out."""
    led: dict[str, list[Measure]] = {}
    co: dict[str, list[Measure]] = {}
    for m in stale_measures:
        led.setdefault(m.lead, []).append(m)
        for unit in dict.fromkeys(m.units[1:]):
            co.setdefault(unit, []).append(m)
    return [(unit, led.get(unit, []), co.get(unit, [])) for unit in units if unit in led or unit in co]


def resolve_unit(plan: Plan, text: str) -> Unit:
    """The unit a user means by `text`: an exact name of any kind, else an unambiguous part of one."""
    if unit := plan.unit(text):
        return unit
    folded = fold(text)
    candidates = [u for u in plan.units if folded and any(folded in fold(n) for n in u.names)]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise LookupProblem(Message("unit {text} is ambiguous: it could be {names}", text=repr(text),
                                    names=Message.either([u.name for u in candidates])))
    hint = did_you_mean(text, plan.close_units(text, cutoff=0.4), already_close=True)
    raise LookupProblem(Message("unknown unit {text}{hint} (see `portcli units`)", text=repr(text), hint=hint))


def resolve_unit_in(plans: Iterable[Plan | None], text: str) -> list[str]:
    """The short names `text` means in any of several plans (a unit is the same unit in every plan
    that registers its short name); when it means none, the first plan's reason why."""
    found, trouble = [], None
    for plan in plans:
        if plan is None:
            continue
        try:
            found.append(resolve_unit(plan, text).name)
        except LookupProblem as exc:
            trouble = trouble or exc
    if not found and trouble is not None:
        raise trouble
    return list(dict.fromkeys(found))


_SPACES = Lazy(r"\s+")


def _squash(text: str) -> str:
    return _SPACES.sub("", text).casefold()


class Filters(Frozen, uncompared=("plans",)):
    """What `list` selects by; an empty field selects everything."""

    def __new__(cls, units: tuple[str, ...] = (), lead_only: bool = False, statuses: tuple[str, ...] = (),
                tasks: tuple[int, ...] = (), due_before: date | None = None, due_after: date | None = None,
                overdue: bool = False, due_soon: int | None = None, search: tuple[str, ...] = (),
                plans: object = None):
        # units (short names), statuses (keys) and tasks: any of them; search: all of them;
        # due_soon: days ahead, PLAN_DAYS for each measure's plan's window (days_for);
        # plans: the Plan or Plans that PLAN_DAYS looks up
        return tuple.__new__(cls, (units, lead_only, statuses, tasks, due_before, due_after, overdue, due_soon, search, plans))

    @cached_property
    def _units(self) -> frozenset[str]:
        return frozenset(self.units)

    @cached_property
    def _terms(self) -> tuple[str, ...]:
        return tuple(_squash(term) for term in self.search)

    def matches(self, m: Measure, as_of: date) -> bool:
        if self.units and (m.units[0] not in self._units if self.lead_only else self._units.isdisjoint(m.units)):
            return False
        if self.statuses and m.status not in self.statuses:
            return False
        if self.tasks and m.task not in self.tasks:
            return False
        if self.due_before is not None and not (m.due is not None and m.due < self.due_before):
            return False
        if self.due_after is not None and not (m.due is not None and m.due > self.due_after):
            return False
        if self.overdue and not is_overdue(m, as_of):
            return False
        if self.due_soon is not None and not is_due_soon(
                m, as_of, days_for(m, self.plans, None if self.due_soon == PLAN_DAYS else self.due_soon)):
            return False
        if self.search:
            haystack = [_squash(t) for t in (*m.texts, m.units_note or "", *(p.note or "" for p in m.progress),
                                             *(e.reason for e in m.extensions))]
            if not all(any(term in t for t in haystack) for term in self._terms):
                return False
        return True


def select(measures: Iterable[Measure], filters: Filters, as_of: date) -> list[Measure]:
    return [m for m in measures if filters.matches(m, as_of)]


def overdue(measures: Iterable[Measure], as_of: date) -> list[Measure]:
    """Overdue measures, most overdue first (then by id)."""
    return sorted([m for m in measures if is_overdue(m, as_of)], key=by_due)


def due_soon(measures: Iterable[Measure], as_of: date, plan=None, asked: int | None = None) -> list[Measure]:
    """Measures due soon, soonest first (then by id): each in its own plan's window unless `asked`."""
    return sorted([m for m in measures if is_due_soon(m, as_of, days_for(m, plan, asked))], key=by_due)


def unit_registry(plan: Plan, measures: Iterable[Measure]) -> list[dict]:
    """Each registered unit, its names, and how many measures it leads and takes part in."""
    lead = dict.fromkeys((u.name for u in plan.units), 0)
    involved = dict(lead)
    for m in measures:
        lead[m.lead] = lead.get(m.lead, 0) + 1
        for name in m.units:
            involved[name] = involved.get(name, 0) + 1
    return [{"name": u.name, "full_name": u.full_name, "english": u.english, "aliases": list(u.aliases),
             "lead": lead[u.name], "involved": involved[u.name]} for u in plan.units]


class UnitRow(Value):
    """One unit's line of the report."""

    def __init__(self, unit: str, lead: int = 0, involved: int = 0, overdue: int = 0, extended: int = 0,
                 by_status: dict[str, int] | None = None, led: Figures | None = None, co: Figures | None = None) -> None:
        self.unit, self.lead, self.involved, self.overdue, self.extended = unit, lead, involved, overdue, extended
        self.by_status = dict.fromkeys(STATUSES, 0) if by_status is None else by_status
        self.led = Figures() if led is None else led  # the measures it leads (牵头)
        self.co = Figures() if co is None else co  # the measures it co-operates on (配合)

    @property
    def done(self) -> int:
        return self.by_status["done"]

    @property
    def completion(self) -> float:
        return self.done / self.involved if self.involved else 0.0


class Report(Value):
    """Where the plan stands as of a date."""

    def __init__(self, as_of: date, total: int, by_status: dict[str, int], overdue: list[Measure],
                 due_soon: list[Measure], units: list[UnitRow] | None = None, extended: list[Measure] | None = None,
                 unit: str | None = None, measures: list[Measure] | None = None, due_soon_days: int | None = None,
                 plan: object = None, stale: list[Measure] | None = None, stale_days: int = DEFAULT_STALE_DAYS,
                 stale_units: list[tuple[str, list[Measure], list[Measure]]] | None = None, ranked: bool = False,
                 changes: object = None) -> None:
        self.as_of, self.total, self.by_status, self.overdue, self.due_soon = as_of, total, by_status, overdue, due_soon
        self.units = [] if units is None else units
        self.extended = [] if extended is None else extended
        self.unit = unit  # set when the report is one unit's
        self.measures = [] if measures is None else measures  # every measure the report covers
        self.due_soon_days = due_soon_days  # --due-soon DAYS; None: each measure's plan's window
        self.plan = plan  # the Plan or Plans the measures come from, whose lights say when they are yellow
        self.stale = [] if stale is None else stale  # the measures to chase (催办), in id order
        self.stale_days = stale_days  # what "stale" means in it
        # Per unit (registry order), the stale measures it leads and those it co-operates on.
        self.stale_units = [] if stale_units is None else stale_units
        self.ranked = ranked  # units worst first (--rank), else in registry order
        self.changes = changes  # week.Changes of the period, with `report --since`

    def days_for(self, m: Measure) -> int:
        """What "due soon" means for `m` in this report: the due-soon list and the lights agree."""
        return days_for(m, self.plan, self.due_soon_days)

    @property
    def completion(self) -> float:
        return self.by_status["done"] / self.total if self.total else 0.0


def facts(measures: Iterable[Measure], plan: Plan | Plans | None, as_of: date, days: int | None = None,
          stale_days: int = DEFAULT_STALE_DAYS) -> list[tuple]:
    """For each measure, what `report` counts it by as of a date: (status, overdue, stale, extended,
    due by then, done on time, due soon). A folder of several plans reports each plan and the total
    over them, the same measures twice: worked out once, for the total, they are handed to each plan's
    report (a measure's plan, its lights and its start are the same in both)."""
    found: list[tuple] = []
    kinds: dict[tuple, tuple] = {}  # equal facts are one tuple: a few dozen kinds for 100,000 measures
    for m in measures:
        due = m.due
        was_due = due is not None and due <= as_of
        own = plan_of(plan, m)
        what = (m.status, is_overdue(m, as_of), is_stale(m, as_of, own, stale_days), bool(m.extensions),
                was_due, was_due and is_finished(m) and ((day := finished_on(m)) is None or day <= due),
                is_due_soon(m, as_of, due_soon_days(own, days)))
        found.append(kinds.setdefault(what, what))
    return found


class Tally(Value):
    """What `report` counts of some measures before it makes a Report of them: how many, by status, the
    units' figures by what each measure is (`counts`: (unit, leads, facts) -> measures), and its lists,
    each in the report's order. Two tallies of measures of a tree in plan order, the first's plans
    before the second's, add up (`+`) to the tally of all of them: the total a report written by two
    processes (shared_output) works out from each process's plans."""

    def __init__(self, total: int, by_status: dict[str, int], counts: dict[tuple, int], late: list[Measure],
                 soon: list[Measure], silent: list[Measure], extended: list[Measure]) -> None:
        self.total, self.by_status, self.counts = total, by_status, counts
        self.late, self.soon, self.silent, self.extended = late, soon, silent, extended

    def __add__(self, later: Tally) -> Tally:
        import heapq  # here: only a report written by two processes adds tallies

        counts = dict(self.counts)  # this tally's units first met first, as in one pass over both
        for what, count in later.counts.items():
            counts[what] = counts.get(what, 0) + count
        # heapq.merge is stable, this tally's measures first on ties: as sorting both in plan order
        return Tally(self.total + later.total, {s: n + later.by_status[s] for s, n in self.by_status.items()}, counts,
                     list(heapq.merge(self.late, later.late, key=by_due)),
                     list(heapq.merge(self.soon, later.soon, key=by_due)),
                     list(heapq.merge(self.silent, later.silent, key=_id_order)), self.extended + later.extended)


def tally(measures: Iterable[Measure], known: Iterable[tuple]) -> Tally:
    """The Tally of `measures`, each counted by its facts (`known`, as `facts` gives them)."""
    by_status = dict.fromkeys(STATUSES, 0)
    late, silent, soon, extended_ms = [], [], [], []
    # One pass over the measures (at 100,000 a report of 1,000 plans made 2,001 passes, 1.7 s); a
    # unit's figures are counted by what a measure is, then added up per unit: a measure's units
    # cost a dict increment each, not a dozen attribute updates.
    counts: dict[tuple, int] = {}
    total = 0
    for m, what in zip(measures, known):
        total += 1
        status, is_late, is_silent, extended, _was_due, _on_time, is_soon = what
        by_status[status] += 1
        if is_late:
            late.append(m)
        if is_silent:
            silent.append(m)
        if extended:
            extended_ms.append(m)
        if is_soon:
            soon.append(m)
        for i, name in enumerate(m.units):
            key = (name, i == 0, what)
            counts[key] = counts.get(key, 0) + 1
    late.sort(key=by_due)
    soon.sort(key=by_due)
    return Tally(total, by_status, counts, late, soon, in_id_order(silent), extended_ms)


def report(measures: list[Measure], plan: Plan | Plans | None, as_of: date,
           days: int | None = None, unit: str | None = None,
           stale_days: int = DEFAULT_STALE_DAYS, rank: bool = False, known: list[tuple] | None = None) -> Report:
    """Where the plan stands as of a date; with `unit`, only the measures that unit takes part in.
    `plan` is the one Plan or the several (`Plans`); `days` is --due-soon, None for each plan's own.
    With the stale measures (催办) and each unit's figures of the weekly 通报; `rank` orders the units
    worst first (worst_first_key), else they keep the registry's order. `known`: facts(measures, plan,
    as_of, days, stale_days), when the caller has them already."""
    if known is not None and unit is not None:
        chosen = [i for i, m in enumerate(measures) if unit in m.units]
        measures, known = [measures[i] for i in chosen], [known[i] for i in chosen]
    elif unit is not None:
        measures = [m for m in measures if unit in m.units]
    if known is None:
        known = facts(measures, plan, as_of, days, stale_days)
    return tallied(tally(measures, known), plan, as_of, days, unit, stale_days, rank, list(measures))


def tallied(counted: Tally, plan: Plan | Plans | None, as_of: date, days: int | None = None,
            unit: str | None = None, stale_days: int = DEFAULT_STALE_DAYS, rank: bool = False,
            measures: list[Measure] | None = None) -> Report:
    """The Report of what `counted` counted, as `report` makes it (its other arguments are report's;
    with `unit`, `counted` is the tally of that unit's measures, and `unit` keeps its row alone).
    `measures`: the measures counted, when the caller has them all (a total added up from two
    processes' tallies has not: its report is written from its lists and figures alone)."""
    rows: dict[str, UnitRow] = {u.name: UnitRow(u.name) for u in plan.units} if plan else {}
    for (name, leads, (status, is_late, is_silent, extended, was_due, on_time, _soon)), count in counted.counts.items():
        row = rows.get(name) or rows.setdefault(name, UnitRow(name))  # unregistered: as first met
        row.involved += count
        row.lead += leads * count
        row.by_status[status] += count
        row.overdue += is_late * count
        row.extended += extended * count
        (row.led if leads else row.co).add(was_due, on_time, is_late, is_silent, count)
    unit_rows = [r for r in rows.values() if r.involved and (unit is None or r.unit == unit)]
    groups = stale_by_unit(counted.silent, [r.unit for r in unit_rows])
    if rank:  # sorted() is stable: ties keep the registry's order
        unit_rows = sorted(unit_rows, key=lambda r: worst_first_key(r.led, r.co))
    return Report(as_of, counted.total, dict(counted.by_status), counted.late, counted.soon, unit_rows,
                  counted.extended, unit, measures, due_soon_days=days, plan=plan, stale=counted.silent,
                  stale_days=stale_days, stale_units=groups, ranked=rank)
