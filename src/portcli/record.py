"""Recording progress: the rules of `update`, `extend` and `new`, and the edits they make.

Each operation holds the folder's write lock from reading the file to replacing it: it reads the
one file as it is now (`write.read_source`), decides from that alone, changes only the lines it
must (`edit`), and has `write` check the result by the reader's rules before it replaces the file.
The rest of the folder is consulted only for what the write depends on: the plan, which file holds
the id, whether another file holds it too. A refusal raises `Refused` before anything is written.
Only the measure's own file and the plan need to be valid; other files' problems come back as
warnings (SPEC §5).
"""
from __future__ import annotations

import copy
import os
import re
from contextlib import contextmanager
from pathlib import Path

from . import edit, query, write
from .check import MEASURE_KEYS, build_measure
from .files import PLAN_FILE, measure_names
from .load import Loaded, load
from .model import MAX_ID, STATUS_BY_LABEL, STATUSES, Measure, Plan
from .i18n import _, status_word
from .problem import Problem
from .write import Source, WriteError
from .yamlread import parse_yaml
from .values import Value, date

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Any, Iterator

HELP_PREFIX = "#:"  # template lines that explain; dropped when the measure is written


class Refused(Exception):
    """A write the rules do not allow (or cannot be checked); nothing was written."""

    def __init__(self, message: str, problems: list[Problem] | tuple[Problem, ...] = ()):
        super().__init__(message)
        self.problems = list(problems)


class Written(Value):
    """What a write command did: the measure as written, its plan, what changed, other files' problems."""

    def __init__(self, measure: Measure, plan: Plan, changes: list[str], warnings: list[Problem] | None = None) -> None:
        self.measure, self.plan = measure, plan
        self.changes = changes  # what changed, for people
        self.warnings = [] if warnings is None else warnings  # other files' problems


def text_option(value: str | None, option: str) -> str | None:
    """A text from the command line, stripped; None when empty. Refuses bytes that are not UTF-8."""
    if value is None:
        return None
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise Refused(_("{option} is not valid UTF-8 text").format(option=option))
    return value.strip() or None


def _open(loaded: Loaded, measure_id: int) -> tuple[Plan, Path]:
    """The plan and the file that holds the measure, or a refusal naming what stands in the way."""
    plan = _plan_of(loaded)
    if twins := loaded.duplicates.get(measure_id):
        if len(twins) == 2:
            message = _("id {id} is in both {first} and {second}; give one of them another id first").format(
                id=measure_id, first=twins[0], second=twins[1])
        else:
            message = _("id {id} is in {count} files ({files}, …); give all but one of them another id first").format(
                id=measure_id, count=len(twins), files=", ".join(twins[:3]))
        raise Refused(message, loaded.problems)
    measure = next((m for m in loaded.measures if m.id == measure_id), None)
    if measure is None:
        message = (_("no measure with id {id}; the problems above may be why") if loaded.problems
                   else _("no measure with id {id}"))
        raise Refused(message.format(id=measure_id), loaded.problems)
    path = Path(measure.file)
    if path.is_symlink():  # replacing it would turn the link into a file, or write where it points
        raise Refused(_("{path} is a symbolic link; portcli writes only regular files in the measures folder").format(
            path=path))
    return plan, path


def _source(path: Path, plan: Plan, measure_id: int) -> Source:
    """The file as it is now: what the write decides from and edits."""
    source, problems = write.read_source(path, plan)
    if source is None:
        raise Refused(_("{path} has problems; fix them first, nothing was written").format(path=path), problems)
    if source.measure.id != measure_id:  # changed on disk since the folder was read
        raise Refused(_("{path} now holds measure {found}, not {id}; run the command again").format(
            path=path, found=source.measure.id, id=measure_id))
    return source


def _others(loaded: Loaded, own: Path | None) -> list[Problem]:
    return [p for p in loaded.problems if own is None or Path(p.file) != own]


def _unit_of(plan: Plan, measure: Measure, text: str) -> str:
    """The short name of the unit `text` means, which must be one of the measure's units."""
    try:
        unit = query.resolve_unit(plan, text)
    except query.LookupProblem as exc:
        raise Refused(f"--by: {exc}") from None
    if unit.name not in measure.units:
        raise Refused(_("--by: {unit} is not one of measure {id}'s units ({units})").format(
            unit=unit.name, id=measure.id, units="、".join(measure.units)))
    return unit.name


def _writes_labels(data: dict) -> bool:
    """Whether the file spells its status as a Chinese label (推进中) rather than a key; writes follow it."""
    raw = data.get("status")
    return isinstance(raw, str) and raw.strip() in STATUS_BY_LABEL


def update(directory: Path, measure_id: int, *, when: date, status: str | None = None,
           note: str | None = None, by: str | None = None, force: bool = False) -> Written:
    """Add a progress entry {date, status, by, note}; with `status`, set the measure's status too.

    Entries stay oldest first: a date before the last entry's is refused unless `force`, and then
    the entry goes where its date puts it (the status line follows only the newest entry).
    """
    note = text_option(note, "--note")
    if status is None and note is None:
        raise Refused(_("nothing to record: give --status, --note or both"))
    with _measure_to_write(directory, measure_id, by) as (loaded, plan, source, unit):
        measure, path = source.measure, source.path
        log = measure.progress
        if log and when < log[-1].date and not force:
            raise Refused(_("{date} is before measure {id}'s last progress entry ({last}); entries go oldest first; "
                            "pass --force to record an earlier date").format(date=when, id=measure_id, last=log[-1].date))
        index = len(log)
        while index and log[index - 1].date > when:
            index -= 1
        newest = index == len(log)
        in_effect = measure.status if newest or not index else log[index - 1].status
        word = (lambda key: STATUSES[key]) if _writes_labels(source.data) else (lambda key: key)
        entry: dict[str, Any] = {"date": when, "status": word(status or in_effect)}
        if unit:
            entry["by"] = unit
        if note:
            entry["note"] = note
        text, expected = _with_entry(source, "progress", entry, index)
        changes = []
        if status is not None and newest and status != measure.status:
            text = _edit(source, lambda t: edit.set_value(t, "status", edit.scalar(word(status)), MEASURE_KEYS), text)
            expected["status"] = word(status)
            changes.append(_("status {before} → {after}").format(before=status_word(measure.status),
                                                                  after=status_word(status)))
        elif status is not None and not newest:
            changes.append(_("status stays {status}: the entry of {date} is newer").format(
                status=status_word(measure.status), date=log[-1].date))
        written = write.write_measure(path, text, plan, expected, bom=source.bom)
        added = {(True, True): _("added progress {date} {status} by {unit}: {note}"),
                 (True, False): _("added progress {date} {status} by {unit}"),
                 (False, True): _("added progress {date} {status}: {note}"),
                 (False, False): _("added progress {date} {status}")}[bool(unit), bool(note)]
        changes.insert(0, added.format(date=when, status=status_word(status or in_effect), unit=unit, note=note))
        return Written(written, plan, changes, _others(loaded, path))


def extend(directory: Path, measure_id: int, *, to: date, reason: str, when: date, by: str | None = None) -> Written:
    """Record an approved extension {date, from, to, by, reason}; its `to` becomes the due date.

    `from` is the due date in force before it (null for a measure that had none, which the
    extension then gives one). A `to` that does not move the due date later is refused.
    """
    reason = text_option(reason, "--reason")
    if not reason:
        raise Refused(_("--reason must say why the extension was approved"))
    with _measure_to_write(directory, measure_id, by) as (loaded, plan, source, unit):
        measure, path = source.measure, source.path
        current = measure.due
        if current is not None and to <= current:
            raise Refused(_("--to {to} is not later than measure {id}'s due date {due}; an extension only moves the "
                            "due date later").format(to=to, id=measure_id, due=current))
        entry: dict[str, Any] = {"date": when, "from": current, "to": to}
        if unit:
            entry["by"] = unit
        entry["reason"] = reason
        text, expected = _with_entry(source, "extensions", entry, None)
        written = write.write_measure(path, text, plan, expected, bom=source.bom)
        said = (_("extended: due {before} → {after} by {unit}: {reason}") if unit
                else _("extended: due {before} → {after}: {reason}"))
        return Written(written, plan, [said.format(before=current or _("none"), after=to, unit=unit, reason=reason)],
                       _others(loaded, path))


@contextmanager
def _measure_to_write(directory: Path, measure_id: int, by: str | None) -> Iterator[tuple]:
    """Under the folder's write lock: the loaded folder, the plan, the measure's file as it is now,
    and the unit --by names (None without --by)."""
    with write.locked(directory):
        loaded = load(directory)
        plan, path = _open(loaded, measure_id)
        source = _source(path, plan, measure_id)
        yield loaded, plan, source, _unit_of(plan, source.measure, by) if by is not None else None


def _with_entry(source: Source, key: str, entry: dict[str, Any], index: int | None) -> tuple[str, dict]:
    """The file's text with `entry` put in its `key` list at `index` (None: last), changing only
    those lines, and the data the written file must read back as."""
    text = _edit(source, lambda t: edit.insert_item(t, key, edit.flow_mapping(entry), index, MEASURE_KEYS))
    expected = copy.deepcopy(source.data)
    if not isinstance(expected.get(key), list):
        expected[key] = []
    expected[key].insert(len(expected[key]) if index is None else index, entry)
    return text, expected


def _edit(source: Source, change, text: str | None = None) -> str:
    try:
        return change(source.text if text is None else text)
    except edit.EditError as exc:
        raise WriteError(_("cannot edit {path} in place: {reason}; nothing was written").format(
            path=source.path, reason=exc)) from None


# --- new ----------------------------------------------------------------------------------------

def _numbered_stems(loaded: Loaded) -> list[str]:
    """The file names that are a number (01.yaml), without the suffix; ASCII digits only (² is a
    digit to str.isdigit, and no number to int)."""
    stems = (os.path.splitext(name)[0] for name in measure_names(loaded.directory))
    return [stem for stem in stems if stem.isascii() and stem.isdigit()]


def next_id(loaded: Loaded) -> int:
    """One above the highest id in use, by a valid measure or in a file's name: gaps are not filled,
    since a gap is usually a measure that was removed and whose id still names it in old reports."""
    used = [m.id for m in loaded.measures]
    used += [int(stem) for stem in _numbered_stems(loaded)]
    following = max(used, default=0) + 1
    if following > MAX_ID:
        raise Refused(_("no id is left: the next would be {id}, above the largest, {most}; a file name in {folder} "
                        "is a number that large").format(id=following, most=MAX_ID, folder=loaded.directory))
    return following


def file_name(loaded: Loaded, measure_id: int) -> str:
    """The existing files' pattern: ids zero-padded to the width they use (01.yaml … 25.yaml)."""
    widths = [len(stem) for stem in _numbered_stems(loaded) if stem[0] == "0"]
    return f"{measure_id:0{max(widths, default=2)}d}.yaml"


def _header(plan: Plan, measure_id: int, task: int | None) -> str:
    numeral = plan.tasks[task].numeral if task in plan.tasks else None
    return f"# 措施 {measure_id}" + (f" · 重点任务{numeral}" if numeral else "")


def _fields(plan: Plan, task: int | None, units: list[str], deadline: str | None,
            national: str | None, local: list[str], due: date | None = None) -> dict[str, Any]:
    resolved = []
    for name in units:
        try:
            resolved.append(query.resolve_unit(plan, name).name)
        except query.LookupProblem as exc:
            raise Refused(f"--unit: {exc}") from None
    return {"task": task, "national": text_option(national, "--national"),
            "local": [t for t in (text_option(x, "--local") for x in local) if t],
            "units": list(dict.fromkeys(resolved)), "units_note": None,
            "deadline": _squash(text_option(deadline, "--deadline")),
            **({"due": due} if due else {}),  # SPEC key order: due follows deadline
            "status": "not_started", "progress": []}


def _squash(phrase: str | None) -> str | None:
    # SPEC §2: a deadline is stored as the document words it, whitespace removed.
    return re.sub(r"\s+", "", phrase) if phrase else phrase


def _measure_text(header: str, measure_id: int, fields: dict[str, Any], nl: str = "\n") -> str:
    lines = [header, f"id: {measure_id}"]
    for key, value in fields.items():
        if key == "local" and value:
            lines.append(f"{key}:")
            lines += [f"{' ' * edit.DEFAULT_INDENT}- {edit.scalar(item) if item else ''}" for item in value]
        elif isinstance(value, list):
            lines.append(f"{key}: {edit.flow_sequence(value)}")
        else:
            lines.append(f"{key}: {'' if value is None and key in ('task', 'deadline') else edit.scalar(value)}")
    return nl.join(lines) + nl


def new(directory: Path, *, task: int | None, units: list[str], deadline: str | None,
        national: str | None = None, local: list[str] = (), due: date | None = None) -> Written:
    """A new measure with the next free id, from command-line values."""
    missing = [option for option, value in (("--task", task), ("--unit", units), ("--deadline", deadline)) if not value]
    if missing:
        raise Refused(_("a new measure needs {options} (or use --edit to write it in $EDITOR)").format(
            options=", ".join(missing)))
    if not (national or any(x.strip() for x in local)):
        raise Refused(_("a new measure needs its text: --national, --local or both"))
    with write.locked(directory):
        loaded = load(directory)
        plan = _plan_of(loaded)
        measure_id = next_id(loaded)
        fields = _fields(plan, task, units, deadline, national, list(local), due)
        return _create(loaded, plan, _measure_text(_header(plan, measure_id, task), measure_id, fields), label=None)


def template(directory: Path, *, task: int | None = None, units: list[str] = (), deadline: str | None = None,
             national: str | None = None, local: list[str] = (), due: date | None = None) -> str:
    """The commented text `new --edit` opens: the next id and whatever the options gave, with help."""
    loaded = load(directory)
    plan = _plan_of(loaded)
    measure_id = next_id(loaded)
    fields = _fields(plan, task, list(units), deadline, national, list(local), due)
    if not fields["local"]:
        fields["local"] = [""]
    text = _measure_text(_header(plan, measure_id, task), measure_id, fields)
    names = "、".join(u.name for u in plan.units)
    help_before = {
        "id": [_("new measure: fill in the values, save and close the editor."),
               _("Lines starting with {prefix} are help and are dropped; your own # comments stay.").format(
                   prefix=HELP_PREFIX),
               _("Save an empty file, or quit without saving, to write nothing.")],
        "task": [_("task: key-task number:")] + [f"  {t.id:>2} {t.title}" for t in plan.tasks.values()],
        "national": [_("national: the national measure of the General Administration of Customs, or null for "
                       "Tianjin's own task")],
        "local": [_("local: Tianjin's own measures, one `- ` item each")],
        "units": [_("units: short names, lead unit first — {names}").format(names=names)],
        "units_note": [_("units_note: a note on the units such as {example}, else null").format(example="按照职责分工负责")],
        "deadline": [_("deadline: the deadline as the document words it — {examples}").format(
            examples="5月底前, 2022年6月30日前, 年底前, 5月底前取得阶段性进展，持续推动, 持续推动, 按照海关总署统一部署推动实施")],
        "status": [_("status: {keys} (or {labels})").format(keys=", ".join(STATUSES), labels="、".join(STATUSES.values()))],
    }
    help_before = {key: [f"{HELP_PREFIX} {line}" for line in lines] for key, lines in help_before.items()}
    out = []
    for line in text.splitlines():
        key = line.split(":", 1)[0]
        out += help_before.get(key, []) if not line.startswith(("#", " ")) else []
        out.append(line)
    return "\n".join(out) + "\n"


def without_help(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith(HELP_PREFIX))


def new_from_text(directory: Path, text: str, label: str) -> Written:
    """A new measure from a whole file's text (the edited template, or --from FILE).

    Problems name `label` and lines of `text` as given, help lines included, so they point
    where the person editing it looks; the help lines are dropped from what is written.
    """
    if not without_help(text).strip():
        raise Refused(_("the text is empty: nothing was written"))
    with write.locked(directory):
        loaded = load(directory)
        return _create(loaded, _plan_of(loaded), text, label=label)


def _plan_of(loaded: Loaded) -> Plan:
    plan_problems = [p for p in loaded.problems if Path(p.file).name == PLAN_FILE]
    if loaded.plan is None or plan_problems:
        raise Refused(_("cannot write: {plan} has problems; fix it first").format(plan=PLAN_FILE),
                      plan_problems or loaded.problems)
    return loaded.plan


def _create(loaded: Loaded, plan: Plan, text: str, label: str | None) -> Written:
    """Check a new measure's text and write it under the file name its id gives; never over a file.

    With a `label`, problems come as FILE:LINE values naming it; without (the text was made from
    options), they are folded into one message.
    """
    name = label or "new measure"
    data, problem = parse_yaml(Path(name), text)
    measure, problems = (None, [problem]) if problem else build_measure(data, plan, name, text)
    if measure is None:
        if label is None:
            raise Refused(_("the new measure is not valid: {problems}").format(
                problems="; ".join(str(p.message) for p in problems)))
        raise Refused(_("the new measure is not valid; nothing was written"), problems)
    text = without_help(text)
    bare, full = _header(plan, measure.id, None), _header(plan, measure.id, measure.task)
    if text.startswith(bare + "\n") and bare != full:  # the template's header, from before the task was known
        text = full + text[len(bare):]
    taken = {m.id: m.file for m in loaded.measures}
    if measure.id in taken:
        raise Refused(_("id {id} is taken by {file}; the next free id is {next}").format(
            id=measure.id, file=taken[measure.id], next=next_id(loaded)))
    path = Path(loaded.directory, file_name(loaded, measure.id))
    if path.exists():
        raise Refused(_("{path} already exists; the next free id is {next}").format(path=path, next=next_id(loaded)))
    written = write.write_measure(path, text, plan, data)
    return Written(written, plan, [_("new measure {id}").format(id=measure.id)], _others(loaded, None))
