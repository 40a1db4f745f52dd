"""Checking a parsed measure or plan against the rules of SPEC §2: the Measure or Plan it makes,
or every problem found, each at its line (lines cost a second parse, so only files with a
problem pay for it)."""
from __future__ import annotations

import unicodedata
from datetime import date, datetime

from .deadline import DeadlineError, parse_date, parse_deadline
from .files import PLAN_FILE
from .model import FIRST_DAY, FIRST_YEAR, LAST_DAY, LAST_YEAR, MAX_ID, fold, STATUSES, Deadline, Extension, Measure, Plan, Progress, Task, Unit, status_key
from .i18n import Message
from .problem import Problem, did_you_mean, shown
from .yamlread import compose, line_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Any

    from .yamlread import KeyPath

MEASURE_KEYS = ("id", "task", "national", "local", "units", "units_note", "deadline", "due",
                "status", "progress", "extensions")
REQUIRED_KEYS = ("id", "task", "national", "local", "units", "deadline", "status")
PROGRESS_KEYS = ("date", "status", "by", "note")
EXTENSION_KEYS = ("date", "from", "to", "by", "reason")
UNIT_KEYS = ("name", "full_name", "english", "aliases")
TASK_KEYS = ("id", "numeral", "title")


class _Checker:
    """Collects the problems of one file as key paths; lines are resolved once, at the end."""

    def __init__(self, file: str, text: str):
        self.file, self.text = file, text
        self.found: list[tuple[str, KeyPath, Message]] = []

    def add(self, code: str, path: KeyPath, message: Message) -> None:
        self.found.append((code, path, message))

    def problems(self) -> list[Problem]:
        if not self.found:
            return []
        root = compose(self.text)
        return [Problem(self.file, line_of(root, path), code, message) for code, path, message in self.found]


def _said(error: Exception) -> Message:
    """What an error raised by a parser says, as a message: its Message when it carries one."""
    message = error.args[0] if error.args else ""
    return message if isinstance(message, Message) else Message.verbatim(str(message))


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _whole_number(value: Any) -> Any:
    """Digits typed with a Chinese input method (id: １４) count as the number they show."""
    if isinstance(value, str):
        digits = unicodedata.normalize("NFKC", value).strip()
        if digits.isascii() and digits.isdigit():
            return int(digits)
    return value


def _text(check: _Checker, data: dict, key: str, path: KeyPath = (), *, optional: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if not optional and key in data:
            check.add("wrong-type", path + (key,), Message("`{key}` must be text, not empty", key=key))
        return None
    if not isinstance(value, str):
        check.add("wrong-type", path + (key,), Message("`{key}` must be text, not {kind}", key=key, kind=_type_name(value)))
        return None
    return value


def _type_name(value: Any) -> Message:
    kinds = {dict: Message("a mapping"), list: Message("a list"), bool: Message("true/false"),
             int: Message("a number"), float: Message("a number"), date: Message("a date"),
             type(None): Message("empty")}
    return kinds.get(type(value)) or Message.verbatim(type(value).__name__)


def _date(check: _Checker, value: Any, path: KeyPath, *, required: bool = True) -> date | None:
    if value is None:
        if required:
            check.add("missing-date", path, Message("`{key}` is missing; give a date such as 2022-05-31", key=path[-1]))
        return None
    if isinstance(value, datetime):  # a time would be lost on the next write: refuse it rather
        check.add("date-with-time", path, Message("`{key}` must be a date such as 2022-05-31, without a time", key=path[-1]))
        return None
    if isinstance(value, str):
        try:
            value = parse_date(value)
        except ValueError as exc:
            check.add("bad-date", path, Message("`{key}`: {problem}", key=path[-1], problem=_said(exc)))
            return None
    if isinstance(value, date):
        if not FIRST_DAY <= value <= LAST_DAY:  # a typo (202-05-31), and date windows stay countable
            check.add("date-out-of-range", path, Message("`{key}`: {date} is out of range: dates go from {first} to {last}", key=path[-1],
                                    date=value.isoformat(), first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()))
            return None
        return value
    check.add("wrong-type", path, Message("`{key}` must be a date such as 2022-05-31, not {kind}", key=path[-1],
                            kind=_type_name(value)))
    return None


def _unknown_keys(check: _Checker, data: dict, allowed: tuple[str, ...], path: KeyPath, what: Message) -> None:
    for key in data:
        if key not in allowed:
            check.add("unknown-key", path + (key,), Message("unknown key `{key}` in {what}{hint}", key=key, what=what,
                                             hint=did_you_mean(str(key), allowed)))


def _status(check: _Checker, value: Any, path: KeyPath) -> str | None:
    if value is None:
        check.add("unknown-status", path, Message("`status` is empty: write one of {keys} or {labels}", keys=", ".join(STATUSES),
                                labels="、".join(STATUSES.values())))
        return None
    if not isinstance(value, str) or status_key(value) is None:
        choices = [*STATUSES, *STATUSES.values()]
        hint = did_you_mean(value, choices) if isinstance(value, str) else Message.verbatim("")
        check.add("unknown-status", path, Message("unknown status {value}{hint} (one of {keys} or {labels})", value=shown(value),
                                hint=hint, keys=", ".join(STATUSES), labels="、".join(STATUSES.values())))
        return None
    return status_key(value)


def _unit(check: _Checker, plan: Plan | None, value: Any, path: KeyPath) -> str | None:
    if not isinstance(value, str) or not value.strip():
        check.add("wrong-type", path, Message("a unit must be a name, not {kind}",
                                              kind=Message("empty") if isinstance(value, str) else _type_name(value)))
        return None
    if plan is None or not plan.units:  # the plan is broken; its own problem says so
        return value.strip()
    unit = plan.unit(value)
    if unit is None:
        check.add("unknown-unit", path, Message("unknown unit {value}{hint} (units are registered in {plan})", value=shown(value),
                                hint=did_you_mean(value, plan.close_units(value), already_close=True), plan=PLAN_FILE))
        return None
    return unit.name


def _entries(check: _Checker, data: dict, key: str, keys: tuple[str, ...], what: Message):
    """(key path, entry) for each mapping in the list under `key`; the list's and the entries' own
    shape problems, and unknown keys, are noted on the way."""
    raw = [] if data.get(key) is None else data[key]
    shape = "{" + ", ".join(keys) + "}"
    if not isinstance(raw, list):
        check.add("wrong-type", (key,), Message("`{key}` must be a list of entries {shape}", key=key, shape=shape))
        return
    for i, entry in enumerate(raw):
        path = (key, i)
        if not isinstance(entry, dict):
            check.add("wrong-type", path, Message("{what} must be a mapping {shape}", what=what, shape=shape))
            continue
        _unknown_keys(check, entry, keys, path, what)
        yield path, entry


def build_measure(data: Any, plan: Plan | None, file: str, text: str,
                  plan_name: str | None = None) -> tuple[Measure | None, list[Problem]]:
    """Check one parsed measure file; the Measure when it is valid (of the plan folder `plan_name`,
    when the measures folder holds several), and its problems."""
    check = _Checker(file, text)
    if not isinstance(data, dict):
        if data is None:
            return None, [Problem(file, 1, "empty-file", Message("the file is empty (or holds only comments): write the measure's "
                                                   "keys (id, task, national, …) or delete the file"))]
        return None, [Problem(file, 1, "not-a-mapping", Message("a measure file must be a mapping of keys (id, task, …), not {kind}",
                                               kind=_type_name(data)))]
    _unknown_keys(check, data, MEASURE_KEYS, (), Message("a measure"))
    for key in REQUIRED_KEYS:
        if key not in data:
            check.add("missing-key", (), Message("missing key `{key}`: add a line `{key}: …` (docs/SPEC.md §2 lists the keys)",
                                  key=key))

    measure_id = _whole_number(data.get("id"))
    if "id" in data and not (is_int(measure_id) and 0 < measure_id <= MAX_ID):
        check.add("bad-id", ("id",), Message("`id` must be a whole number from 1 to {most}, not {value}", most=MAX_ID,
                                   value=shown(measure_id)))
    task = _whole_number(data.get("task"))
    if "task" in data:
        if not is_int(task):
            check.add("bad-task", ("task",), Message("`task` must be a key-task number, not {value}", value=shown(task)))
        elif plan is not None and plan.tasks and task not in plan.tasks:
            check.add("unknown-task", ("task",), Message("no key task {task} in {plan} (1…{last})", task=task, plan=PLAN_FILE,
                                         last=max(plan.tasks)))
    national = _text(check, data, "national", optional=True)

    local = data.get("local")
    if "local" in data:
        if not isinstance(local, list) or not all(isinstance(x, str) and x.strip() for x in local):
            check.add("wrong-type", ("local",), Message("`local` must be a list of texts (Tianjin's own measures), one per item"))
            local = []
    else:
        local = []

    units: list[str] = []
    raw_units = data.get("units")
    if "units" in data:
        if not isinstance(raw_units, list) or not raw_units:
            check.add("wrong-type", ("units",), Message("`units` must be a non-empty list of unit names, lead unit first, "
                                          "such as {example}", example="[市商务局, 天津海关]"))
        else:
            for i, raw in enumerate(raw_units):
                name = _unit(check, plan, raw, ("units", i))
                if name is not None:
                    if name in units:
                        check.add("duplicate-unit", ("units", i), Message("unit {name} is listed twice", name=name))
                    units.append(name)
    units_note = _text(check, data, "units_note", optional=True)

    deadline = None
    due_override = _date(check, data.get("due"), ("due",), required=False)
    phrase = data.get("deadline")
    if "deadline" in data:
        if not isinstance(phrase, str) and not isinstance(phrase, date):
            check.add("wrong-type", ("deadline",), Message("`deadline` must be a phrase such as {example}, not {kind}",
                                             example="5月底前", kind=_type_name(phrase)))
        else:
            phrase = phrase.isoformat() if isinstance(phrase, date) else phrase
            try:
                deadline = parse_deadline(phrase, plan.year if plan else date.today().year)
            except DeadlineError as exc:
                if due_override is None:
                    check.add("bad-deadline", ("deadline",), _said(exc))
                else:  # an explicit due date makes any phrase acceptable
                    deadline = Deadline(phrase, "date")

    status = _status(check, data.get("status"), ("status",)) if "status" in data else None

    progress: list[Progress] = []
    for path, entry in _entries(check, data, "progress", PROGRESS_KEYS, Message("a progress entry")):
        when = _date(check, entry.get("date"), path + ("date",))
        entry_status = _status(check, entry.get("status"), path + ("status",))
        by = _unit(check, plan, entry["by"], path + ("by",)) if entry.get("by") is not None else None
        note = _text(check, entry, "note", path, optional=True)
        if when and entry_status:
            progress.append(Progress(when, entry_status, by, note))

    extensions: list[Extension] = []
    for path, entry in _entries(check, data, "extensions", EXTENSION_KEYS, Message("an extension")):
        when = _date(check, entry.get("date"), path + ("date",))
        to = _date(check, entry.get("to"), path + ("to",))
        from_ = _date(check, entry.get("from"), path + ("from",), required=False)
        by = _unit(check, plan, entry["by"], path + ("by",)) if entry.get("by") is not None else None
        reason = _text(check, entry, "reason", path, optional=True)
        if not reason:
            check.add("missing-reason", path + ("reason",), Message("an extension needs a `reason`"))
        if to and from_ and to <= from_:
            check.add("extension-not-later", path + ("to",), Message("an extension must move the due date later ({before} → {after})",
                                              before=from_.isoformat(), after=to.isoformat()))
        if when and to and reason:
            extensions.append(Extension(when, to, reason, from_, by))

    problems = check.problems()
    if problems:
        return None, problems
    return Measure(
        id=measure_id, task=task, national=national, local=tuple(local), units=tuple(units),
        units_note=units_note, deadline=deadline, status=status, due_override=due_override,
        progress=tuple(progress), extensions=tuple(extensions), file=file, plan=plan_name,
    ), []


PLAN_KEYS = ("title", "year", "tasks", "units")
OPTIONAL_PLAN_KEYS = ("start", "lights")
LIGHTS_KEYS = ("yellow_days",)
# A light that turns yellow more than a year ahead warns of everything; a larger number is a typo.
MAX_YELLOW_DAYS = 365


def build_plan(data: Any, file: str, text: str) -> tuple[Plan | None, list[Problem]]:
    """Check a parsed _plan.yaml as strictly as a measure: every measure is checked against it, so
    a plan with no units or tasks would make every unit and task valid."""
    check = _Checker(file, text)
    if not isinstance(data, dict):
        return None, [Problem(file, 1, "not-a-mapping", Message("the plan must be a mapping with title, year, tasks and units"))]
    _unknown_keys(check, data, PLAN_KEYS + OPTIONAL_PLAN_KEYS, (), Message("the plan"))
    for key in PLAN_KEYS:
        if key not in data:
            check.add("missing-key", (), Message("missing key `{key}`: add a line `{key}: …` (docs/SPEC.md §2)", key=key))
    title = _text(check, data, "title") or ""
    if "title" in data and isinstance(data["title"], str) and not title.strip():
        check.add("wrong-type", ("title",), Message("`title` must be the plan's title, not empty"))
    year = data.get("year")
    if "year" in data and (not is_int(year) or not FIRST_YEAR <= year <= LAST_YEAR):
        check.add("bad-year", ("year",), Message("`year` must be the plan's year, such as 2022, not {value}", value=shown(year)))
    tasks = _plan_tasks(check, data.get("tasks")) if "tasks" in data else {}
    units = _plan_units(check, data.get("units")) if "units" in data else ()
    start = _date(check, data["start"], ("start",)) if "start" in data else None
    yellow_days = _yellow_days(check, data["lights"]) if "lights" in data else None
    problems = check.problems()
    if problems:
        return None, problems
    return Plan(title, year, tasks, units, start, yellow_days), []


def _yellow_days(check: _Checker, raw: Any) -> int | None:
    if not isinstance(raw, dict):
        check.add("wrong-type", ("lights",), Message("`lights` must be a mapping such as {example}",
                                                     example="{yellow_days: 7}"))
        return None
    _unknown_keys(check, raw, LIGHTS_KEYS, ("lights",), Message("`lights`"))
    days = _whole_number(raw.get("yellow_days"))
    if "yellow_days" in raw and (not is_int(days) or not 0 <= days <= MAX_YELLOW_DAYS):
        check.add("bad-yellow-days", ("lights", "yellow_days"),
                  Message("`yellow_days` must be a whole number of days from 0 to {largest}, not {value}",
                          largest=MAX_YELLOW_DAYS, value=shown(raw.get("yellow_days"))))
        return None
    return days if "yellow_days" in raw else None


def _plan_tasks(check: _Checker, raw: Any) -> dict[int, Task]:
    if not isinstance(raw, list) or not raw:
        check.add("wrong-type", ("tasks",), Message("`tasks` must be a non-empty list of key tasks {shape}",
                                      shape="{id, numeral, title}"))
        return {}
    tasks: dict[int, Task] = {}
    for i, entry in enumerate(raw):
        path = ("tasks", i)
        if not isinstance(entry, dict) or not is_int(entry.get("id")) or entry["id"] < 1 \
                or not isinstance(entry.get("title"), str) or not entry["title"].strip():
            check.add("bad-plan-entry", path, Message("a key task needs a whole-number `id` above 0 and a `title`"))
            continue
        _unknown_keys(check, entry, TASK_KEYS, path, Message("a key task"))
        numeral = entry.get("numeral")
        if numeral is not None and not (isinstance(numeral, str) and numeral.strip()):
            check.add("wrong-type", path + ("numeral",), Message("`numeral` must be text such as {example}, not {value}",
                                                   example="五", value=shown(numeral)))
        if entry["id"] in tasks:
            check.add("duplicate-task", path + ("id",), Message("key task {task} is listed twice", task=entry["id"]))
            continue
        tasks[entry["id"]] = Task(entry["id"], str(numeral or entry["id"]), entry["title"])
    return tasks


def _plan_units(check: _Checker, raw: Any) -> tuple[Unit, ...]:
    if not isinstance(raw, list) or not raw:
        check.add("wrong-type", ("units",), Message("`units` must be a non-empty list of units {shape}",
                                      shape="{name, full_name, english, aliases}"))
        return ()
    units: list[Unit] = []
    seen: dict[str, int] = {}  # folded name -> index of the unit that has it
    for i, entry in enumerate(raw):
        path = ("units", i)
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) and entry[k].strip()
                                                  for k in UNIT_KEYS[:3]):
            check.add("bad-plan-entry", path, Message("a unit needs `name`, `full_name` and `english` texts"))
            continue
        _unknown_keys(check, entry, UNIT_KEYS, path, Message("a unit"))
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            check.add("wrong-type", path + ("aliases",), Message("`aliases` must be a list of names"))
            aliases = []
        unit = Unit(entry["name"], entry["full_name"], entry["english"], tuple(aliases))
        for name in dict.fromkeys(fold(n) for n in unit.names):
            other = seen.setdefault(name, i)
            if other != i:
                owner = raw[other]["name"]
                check.add("duplicate-name", path, Message("the name {name} is registered twice (also by the unit {owner}, entry {entry} "
                                        "of `units`): every name must point to one unit",
                                        name=repr(name), owner=owner, entry=other + 1))
        units.append(unit)
    return tuple(units)
