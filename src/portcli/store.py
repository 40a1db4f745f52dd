"""Finding, reading and checking the measure files.

Loading never raises for bad input: it returns what is valid together with every
problem found, each a value naming its file and line (as beancount's loader does).
Line numbers cost a second parse, so they are looked up only for files that have a problem.
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from . import cache
from .deadline import DeadlineError, parse_date, parse_deadline
from .model import STATUSES, Deadline, Extension, Measure, Plan, Progress, Task, Unit, status_key



def _pyyaml():
    """PyYAML and its safe loader, imported only when a file needs them: a cached run reads the
    plan with fastyaml and needs no PyYAML, whose import costs 13-17 ms."""
    import yaml

    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def __getattr__(name: str):
    if name == "Loader":  # store.Loader, as before PyYAML was imported lazily
        return _pyyaml()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

PLAN_FILE = "_plan.yaml"
MEASURE_KEYS = ("id", "task", "national", "local", "units", "units_note", "deadline", "due",
                "status", "progress", "extensions")
REQUIRED_KEYS = ("id", "task", "national", "local", "units", "deadline", "status")
PROGRESS_KEYS = ("date", "status", "by", "note")
EXTENSION_KEYS = ("date", "from", "to", "by", "reason")
UNIT_KEYS = ("name", "full_name", "english", "aliases")
TASK_KEYS = ("id", "numeral", "title")

KeyPath = tuple[Any, ...]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclass
class Loaded:
    plan: Plan | None
    measures: list[Measure] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    directory: Path = Path("measures")


class DirectoryNotFound(Exception):
    pass


def find_directory(explicit: Path | None = None, start: Path | None = None) -> Path:
    """--dir, else $PORTCLI_DIR, else measures/ in the current folder or its nearest parent."""
    if explicit is None and os.environ.get("PORTCLI_DIR"):
        explicit = Path(os.environ["PORTCLI_DIR"])
    if explicit is not None:
        if not explicit.is_dir():
            raise DirectoryNotFound(f"{explicit}: no such measures folder")
        return explicit
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "measures").is_dir():
            found = folder / "measures"
            try:
                return found.relative_to(Path.cwd())
            except ValueError:
                return found
    raise DirectoryNotFound(
        "no measures/ folder here or in any parent folder; pass --dir PATH or set PORTCLI_DIR"
    )


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.5)
    return f"; did you mean {' or '.join(close)}?" if close else ""


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
        root = _compose(self.text)
        return [Problem(self.file, _line_of(root, path), message) for path, message in self.found]


def _compose(text: str) -> yaml.Node | None:
    yaml, Loader = _pyyaml()
    try:
        return yaml.compose(text, Loader=Loader)
    except yaml.YAMLError:
        return None


def _line_of(node: yaml.Node | None, path: KeyPath) -> int:
    """The line of the key (or item) at `path`, or of the deepest part of it that exists."""
    yaml, _ = _pyyaml()
    line = node.start_mark.line + 1 if node is not None else 1
    for step in path:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(step):
                    line, node = key.start_mark.line + 1, value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def read_text(path: Path) -> tuple[str | None, Problem | None]:
    """The file's text, or the problem that stops it being read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, Problem(str(path), None, f"cannot read: {exc.strerror or exc}")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            raw.decode("gb18030")
            hint = (f"the file looks GBK/GB18030-encoded; convert it with "
                    f"`iconv -f GBK -t UTF-8 {path} > tmp && mv tmp {path}`")
        except UnicodeDecodeError:
            hint = "save it as UTF-8"
        return None, Problem(str(path), line, f"not UTF-8 (byte {raw[exc.start]:#04x}); {hint}")


def parse_yaml(path: Path, text: str) -> tuple[Any, Problem | None]:
    yaml, Loader = _pyyaml()
    try:
        return yaml.load(text, Loader=Loader), None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        return None, Problem(str(path), line, f"YAML syntax error: {message}")
    except yaml.YAMLError as exc:
        return None, Problem(str(path), None, f"YAML error: {exc}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
            date: "a date"}.get(type(value), type(value).__name__)


def _date(check: _Checker, value: Any, path: KeyPath, *, required: bool = True) -> date | None:
    if value is None:
        if required:
            check.add(path, f"`{path[-1]}` is missing; give a date such as 2022-05-31")
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
    if not isinstance(value, str) or status_key(value) is None:
        choices = [*STATUSES, *STATUSES.values()]
        check.add(path, f"unknown status {value!r}{did_you_mean(str(value), choices)} "
                        f"(one of {', '.join(STATUSES)} or {'、'.join(STATUSES.values())})")
        return None
    return status_key(value)


def _unit(check: _Checker, plan: Plan | None, value: Any, path: KeyPath) -> str | None:
    if not isinstance(value, str) or not value.strip():
        check.add(path, f"a unit must be a name, not {_type_name(value)}")
        return None
    if plan is None or not plan.units:  # the plan is broken; its own problem says so
        return value.strip()
    unit = plan.unit(value)
    if unit is None:
        names = [n for u in plan.units for n in (u.name, u.full_name, *u.aliases)]
        check.add(path, f"unknown unit {value!r}{did_you_mean(value, names)} "
                        f"(units are registered in {PLAN_FILE})")
        return None
    return unit.name


def build_measure(data: Any, plan: Plan | None, file: str, text: str) -> tuple[Measure | None, list[Problem]]:
    """Check one parsed measure file; the Measure when it is valid, and its problems."""
    check = _Checker(file, text)
    if not isinstance(data, dict):
        what = "empty" if data is None else _type_name(data)
        return None, [Problem(file, 1, f"a measure file must be a mapping of keys (id, task, …), not {what}")]
    _unknown_keys(check, data, MEASURE_KEYS, (), "a measure")
    for key in REQUIRED_KEYS:
        if key not in data:
            check.add((), f"missing key `{key}`")

    measure_id = data.get("id")
    if "id" in data and not (_is_int(measure_id) and measure_id > 0):
        check.add(("id",), f"`id` must be a whole number above 0, not {measure_id!r}")
    task = data.get("task")
    if "task" in data:
        if not _is_int(task):
            check.add(("task",), f"`task` must be a key-task number, not {task!r}")
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
            check.add(("units",), "`units` must be a non-empty list of unit names, lead unit first")
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
    raw_progress = data.get("progress") or []
    if not isinstance(raw_progress, list):
        check.add(("progress",), "`progress` must be a list of entries {date, status, by, note}")
        raw_progress = []
    for i, entry in enumerate(raw_progress):
        path = ("progress", i)
        if not isinstance(entry, dict):
            check.add(path, "a progress entry must be a mapping {date, status, by, note}")
            continue
        _unknown_keys(check, entry, PROGRESS_KEYS, path, "a progress entry")
        when = _date(check, entry.get("date"), path + ("date",))
        entry_status = _status(check, entry.get("status"), path + ("status",))
        by = _unit(check, plan, entry["by"], path + ("by",)) if entry.get("by") is not None else None
        note = _text(check, entry, "note", path, optional=True)
        if when and entry_status:
            progress.append(Progress(when, entry_status, by, note))

    extensions: list[Extension] = []
    raw_extensions = data.get("extensions") or []
    if not isinstance(raw_extensions, list):
        check.add(("extensions",), "`extensions` must be a list of entries {date, from, to, by, reason}")
        raw_extensions = []
    for i, entry in enumerate(raw_extensions):
        path = ("extensions", i)
        if not isinstance(entry, dict):
            check.add(path, "an extension must be a mapping {date, from, to, by, reason}")
            continue
        _unknown_keys(check, entry, EXTENSION_KEYS, path, "an extension")
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


def build_plan(data: Any, file: str, text: str) -> tuple[Plan | None, list[Problem]]:
    check = _Checker(file, text)
    if not isinstance(data, dict):
        return None, [Problem(file, 1, "the plan must be a mapping with title, year, tasks and units")]
    _unknown_keys(check, data, ("title", "year", "tasks", "units"), (), "the plan")
    title = _text(check, data, "title") or ""
    year = data.get("year")
    if not _is_int(year) or not 1900 < year < 3000:
        check.add(("year",), f"`year` must be the plan's year, such as 2022, not {year!r}")
    tasks: dict[int, Task] = {}
    raw_tasks = data.get("tasks")
    if not isinstance(raw_tasks, list):
        check.add(("tasks",), "`tasks` must be a list of {id, numeral, title}")
        raw_tasks = []
    for i, entry in enumerate(raw_tasks):
        if not isinstance(entry, dict) or not _is_int(entry.get("id")) or not isinstance(entry.get("title"), str):
            check.add(("tasks", i), "a key task needs a whole-number `id` and a `title`")
            continue
        _unknown_keys(check, entry, TASK_KEYS, ("tasks", i), "a key task")
        tasks[entry["id"]] = Task(entry["id"], str(entry.get("numeral") or entry["id"]), entry["title"])
    units: list[Unit] = []
    seen: dict[str, str] = {}
    raw_units = data.get("units")
    if not isinstance(raw_units, list):
        check.add(("units",), "`units` must be a list of {name, full_name, english, aliases}")
        raw_units = []
    for i, entry in enumerate(raw_units):
        path = ("units", i)
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in UNIT_KEYS[:3]):
            check.add(path, "a unit needs `name`, `full_name` and `english` texts")
            continue
        _unknown_keys(check, entry, UNIT_KEYS, path, "a unit")
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            check.add(path + ("aliases",), "`aliases` must be a list of names")
            aliases = []
        unit = Unit(entry["name"], entry["full_name"], entry["english"], tuple(aliases))
        for name in unit.names:
            other = seen.setdefault(name.casefold(), unit.name)
            if other != unit.name:
                check.add(path, f"the name {name!r} is used by both {other} and {unit.name}")
        units.append(unit)
    problems = check.problems()
    if problems:
        return None, problems
    return Plan(title, year, tasks, tuple(units)), []


def measure_files(directory: Path) -> list[Path]:
    return sorted((p for p in directory.glob("*.yaml") if not p.name.startswith("_")), key=lambda p: p.name)


def read_yaml(path: Path, text: str) -> tuple[Any, Problem | None]:
    """The document, read by fastyaml when it has the regular shape (exactly as PyYAML would,
    in a fraction of the time), else by parse_yaml."""
    from . import fastyaml  # only when a file must be read: a cached run reads just the plan

    data = fastyaml.load(text)
    return parse_yaml(path, text) if data is fastyaml.UNSURE else (data, None)


def load_plan(directory: Path) -> tuple[Plan | None, list[Problem]]:
    path = directory / PLAN_FILE
    if not path.exists():
        return None, [Problem(str(path), None, f"missing: every measures folder needs a {PLAN_FILE}")]
    text, problem = read_text(path)
    if problem:
        return None, [problem]
    data, problem = read_yaml(path, text)
    if problem:
        return None, [problem]
    return build_plan(data, str(path), text)


def load_measure_file(path: Path, plan: Plan | None) -> tuple[Measure | None, list[Problem]]:
    text, problem = read_text(path)
    if problem:
        return None, [problem]
    data, problem = read_yaml(path, text)
    if problem:
        return None, [problem]
    return build_measure(data, plan, str(path), text)


def load(directory: Path) -> Loaded:
    """Every valid measure in `directory`, sorted by id, and every problem found on the way."""
    plan, problems = load_plan(directory)
    measures: list[Measure] = []
    first_file: dict[int, str] = {}
    files = measure_files(directory)
    for path, (measure, found) in zip(files, cache.check_files(directory, plan, files, load_measure_file)):
        problems.extend(found)
        if measure is None:
            continue
        if measure.id in first_file:
            problems.append(Problem(str(path), _id_line(path), f"duplicate id {measure.id}: "
                                    f"{first_file[measure.id]} has it too"))
            continue
        first_file[measure.id] = measure.file
        measures.append(measure)
    measures.sort(key=lambda m: m.id)
    return Loaded(plan, measures, problems, directory)


def _id_line(path: Path) -> int:
    text, _ = read_text(path)
    return _line_of(_compose(text or ""), ("id",))
