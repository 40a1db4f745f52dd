"""Checking a parsed measure or plan against the rules of SPEC §2: the Measure or Plan it makes,
or every problem found, each at its line (lines cost a second parse, so only files with a
problem pay for it)."""
from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Any

from .deadline import DeadlineError, parse_date, parse_deadline
from .files import PLAN_FILE
from .model import fold, STATUSES, Deadline, Extension, Measure, Plan, Progress, Task, Unit, status_key
from .problem import Problem, did_you_mean, shown
from .yamlread import KeyPath, compose, line_of

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
        self.found: list[tuple[KeyPath, str]] = []

    def add(self, path: KeyPath, message: str) -> None:
        self.found.append((path, message))

    def problems(self) -> list[Problem]:
        if not self.found:
            return []
        root = compose(self.text)
        return [Problem(self.file, line_of(root, path), message) for path, message in self.found]


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
            check.add(path + (key,), f"`{key}` must be text, not empty")
        return None
    if not isinstance(value, str):
        check.add(path + (key,), f"`{key}` must be text, not {_type_name(value)}")
        return None
    return value


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false", int: "a number", float: "a number",
            date: "a date", type(None): "empty"}.get(type(value), type(value).__name__)


def _date(check: _Checker, value: Any, path: KeyPath, *, required: bool = True) -> date | None:
    if value is None:
        if required:
            check.add(path, f"`{path[-1]}` is missing; give a date such as 2022-05-31")
        return None
    if isinstance(value, datetime):  # a time would be lost on the next write: refuse it rather
        check.add(path, f"`{path[-1]}` must be a date such as 2022-05-31, without a time")
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError as exc:
            check.add(path, f"`{path[-1]}`: {exc}")
            return None
    check.add(path, f"`{path[-1]}` must be a date such as 2022-05-31, not {_type_name(value)}")
    return None


def _unknown_keys(check: _Checker, data: dict, allowed: tuple[str, ...], path: KeyPath, what: str) -> None:
    for key in data:
        if key not in allowed:
            check.add(path + (key,), f"unknown key `{key}` in {what}{did_you_mean(str(key), allowed)}")


def _status(check: _Checker, value: Any, path: KeyPath) -> str | None:
    if value is None:
        check.add(path, f"`status` is empty: write one of {', '.join(STATUSES)} or {'、'.join(STATUSES.values())}")
        return None
    if not isinstance(value, str) or status_key(value) is None:
        choices = [*STATUSES, *STATUSES.values()]
        hint = did_you_mean(value, choices) if isinstance(value, str) else ""
        check.add(path, f"unknown status {shown(value)}{hint} "
                        f"(one of {', '.join(STATUSES)} or {'、'.join(STATUSES.values())})")
        return None
    return status_key(value)


def _unit(check: _Checker, plan: Plan | None, value: Any, path: KeyPath) -> str | None:
    if not isinstance(value, str) or not value.strip():
        check.add(path, f"a unit must be a name, not {'empty' if isinstance(value, str) else _type_name(value)}")
        return None
    if plan is None or not plan.units:  # the plan is broken; its own problem says so
        return value.strip()
    unit = plan.unit(value)
    if unit is None:
        close = plan.close_units(value)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        check.add(path, f"unknown unit {shown(value)}{hint} (units are registered in {PLAN_FILE})")
        return None
    return unit.name


def _entries(check: _Checker, data: dict, key: str, keys: tuple[str, ...], what: str):
    """(key path, entry) for each mapping in the list under `key`; the list's and the entries' own
    shape problems, and unknown keys, are noted on the way."""
    raw = [] if data.get(key) is None else data[key]
    shape = "{" + ", ".join(keys) + "}"
    if not isinstance(raw, list):
        check.add((key,), f"`{key}` must be a list of entries {shape}")
        return
    for i, entry in enumerate(raw):
        path = (key, i)
        if not isinstance(entry, dict):
            check.add(path, f"{what} must be a mapping {shape}")
            continue
        _unknown_keys(check, entry, keys, path, what)
        yield path, entry


def build_measure(data: Any, plan: Plan | None, file: str, text: str) -> tuple[Measure | None, list[Problem]]:
    """Check one parsed measure file; the Measure when it is valid, and its problems."""
    check = _Checker(file, text)
    if not isinstance(data, dict):
        if data is None:
            return None, [Problem(file, 1, "the file is empty (or holds only comments): write the measure's keys "
                                           "(id, task, national, …) or delete the file")]
        return None, [Problem(file, 1, f"a measure file must be a mapping of keys (id, task, …), not {_type_name(data)}")]
    _unknown_keys(check, data, MEASURE_KEYS, (), "a measure")
    for key in REQUIRED_KEYS:
        if key not in data:
            check.add((), f"missing key `{key}`: add a line `{key}: …` (docs/SPEC.md §2 lists the keys)")

    measure_id = _whole_number(data.get("id"))
    if "id" in data and not (is_int(measure_id) and measure_id > 0):
        check.add(("id",), f"`id` must be a whole number above 0, not {shown(measure_id)}")
    task = _whole_number(data.get("task"))
    if "task" in data:
        if not is_int(task):
            check.add(("task",), f"`task` must be a key-task number, not {shown(task)}")
        elif plan is not None and plan.tasks and task not in plan.tasks:
            check.add(("task",), f"no key task {task} in {PLAN_FILE} (1…{max(plan.tasks)})")
    national = _text(check, data, "national", optional=True)

    local = data.get("local")
    if "local" in data:
        if not isinstance(local, list) or not all(isinstance(x, str) and x.strip() for x in local):
            check.add(("local",), "`local` must be a list of texts (天津市细化落实措施), one per item")
            local = []
    else:
        local = []

    units: list[str] = []
    raw_units = data.get("units")
    if "units" in data:
        if not isinstance(raw_units, list) or not raw_units:
            check.add(("units",), "`units` must be a non-empty list of unit names, lead unit first, such as [市商务局, 天津海关]")
        else:
            for i, raw in enumerate(raw_units):
                name = _unit(check, plan, raw, ("units", i))
                if name is not None:
                    if name in units:
                        check.add(("units", i), f"unit {name} is listed twice")
                    units.append(name)
    units_note = _text(check, data, "units_note", optional=True)

    deadline = None
    due_override = _date(check, data.get("due"), ("due",), required=False)
    phrase = data.get("deadline")
    if "deadline" in data:
        if not isinstance(phrase, str) and not isinstance(phrase, date):
            check.add(("deadline",), f"`deadline` must be a phrase such as 5月底前, not {_type_name(phrase)}")
        else:
            phrase = phrase.isoformat() if isinstance(phrase, date) else phrase
            try:
                deadline = parse_deadline(phrase, plan.year if plan else date.today().year)
            except DeadlineError as exc:
                if due_override is None:
                    check.add(("deadline",), str(exc))
                else:  # an explicit due date makes any phrase acceptable
                    deadline = Deadline(phrase, "date")

    status = _status(check, data.get("status"), ("status",)) if "status" in data else None

    progress: list[Progress] = []
    for path, entry in _entries(check, data, "progress", PROGRESS_KEYS, "a progress entry"):
        when = _date(check, entry.get("date"), path + ("date",))
        entry_status = _status(check, entry.get("status"), path + ("status",))
        by = _unit(check, plan, entry["by"], path + ("by",)) if entry.get("by") is not None else None
        note = _text(check, entry, "note", path, optional=True)
        if when and entry_status:
            progress.append(Progress(when, entry_status, by, note))

    extensions: list[Extension] = []
    for path, entry in _entries(check, data, "extensions", EXTENSION_KEYS, "an extension"):
        when = _date(check, entry.get("date"), path + ("date",))
        to = _date(check, entry.get("to"), path + ("to",))
        from_ = _date(check, entry.get("from"), path + ("from",), required=False)
        by = _unit(check, plan, entry["by"], path + ("by",)) if entry.get("by") is not None else None
        reason = _text(check, entry, "reason", path, optional=True)
        if not reason:
            check.add(path + ("reason",), "an extension needs a `reason`")
        if to and from_ and to <= from_:
            check.add(path + ("to",), f"an extension must move the due date later ({from_} → {to})")
        if when and to and reason:
            extensions.append(Extension(when, to, reason, from_, by))

    problems = check.problems()
    if problems:
        return None, problems
    return Measure(
        id=measure_id, task=task, national=national, local=tuple(local), units=tuple(units),
        units_note=units_note, deadline=deadline, status=status, due_override=due_override,
        progress=tuple(progress), extensions=tuple(extensions), file=file,
    ), []


PLAN_KEYS = ("title", "year", "tasks", "units")


def build_plan(data: Any, file: str, text: str) -> tuple[Plan | None, list[Problem]]:
    """Check a parsed _plan.yaml as strictly as a measure: every measure is checked against it, so
    a plan with no units or tasks would make every unit and task valid."""
    check = _Checker(file, text)
    if not isinstance(data, dict):
        return None, [Problem(file, 1, "the plan must be a mapping with title, year, tasks and units")]
    _unknown_keys(check, data, PLAN_KEYS, (), "the plan")
    for key in PLAN_KEYS:
        if key not in data:
            check.add((), f"missing key `{key}`: add a line `{key}: …` (docs/SPEC.md §2)")
    title = _text(check, data, "title") or ""
    if "title" in data and isinstance(data["title"], str) and not title.strip():
        check.add(("title",), "`title` must be the plan's title, not empty")
    year = data.get("year")
    if "year" in data and (not is_int(year) or not 1900 < year < 3000):
        check.add(("year",), f"`year` must be the plan's year, such as 2022, not {shown(year)}")
    tasks = _plan_tasks(check, data.get("tasks")) if "tasks" in data else {}
    units = _plan_units(check, data.get("units")) if "units" in data else ()
    problems = check.problems()
    if problems:
        return None, problems
    return Plan(title, year, tasks, units), []


def _plan_tasks(check: _Checker, raw: Any) -> dict[int, Task]:
    if not isinstance(raw, list) or not raw:
        check.add(("tasks",), "`tasks` must be a non-empty list of key tasks {id, numeral, title}")
        return {}
    tasks: dict[int, Task] = {}
    for i, entry in enumerate(raw):
        path = ("tasks", i)
        if not isinstance(entry, dict) or not is_int(entry.get("id")) or entry["id"] < 1 \
                or not isinstance(entry.get("title"), str) or not entry["title"].strip():
            check.add(path, "a key task needs a whole-number `id` above 0 and a `title`")
            continue
        _unknown_keys(check, entry, TASK_KEYS, path, "a key task")
        numeral = entry.get("numeral")
        if numeral is not None and not (isinstance(numeral, str) and numeral.strip()):
            check.add(path + ("numeral",), f"`numeral` must be text such as 五, not {shown(numeral)}")
        if entry["id"] in tasks:
            check.add(path + ("id",), f"key task {entry['id']} is listed twice")
            continue
        tasks[entry["id"]] = Task(entry["id"], str(numeral or entry["id"]), entry["title"])
    return tasks


def _plan_units(check: _Checker, raw: Any) -> tuple[Unit, ...]:
    if not isinstance(raw, list) or not raw:
        check.add(("units",), "`units` must be a non-empty list of units {name, full_name, english, aliases}")
        return ()
    units: list[Unit] = []
    seen: dict[str, int] = {}  # folded name -> index of the unit that has it
    for i, entry in enumerate(raw):
        path = ("units", i)
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) and entry[k].strip()
                                                  for k in UNIT_KEYS[:3]):
            check.add(path, "a unit needs `name`, `full_name` and `english` texts")
            continue
        _unknown_keys(check, entry, UNIT_KEYS, path, "a unit")
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            check.add(path + ("aliases",), "`aliases` must be a list of names")
            aliases = []
        unit = Unit(entry["name"], entry["full_name"], entry["english"], tuple(aliases))
        for name in dict.fromkeys(fold(n) for n in unit.names):
            other = seen.setdefault(name, i)
            if other != i:
                owner = raw[other]["name"]
                check.add(path, f"the name {name!r} is registered twice (also by the unit {owner}, "
                                f"entry {other + 1} of `units`): every name must point to one unit")
        units.append(unit)
    return tuple(units)
