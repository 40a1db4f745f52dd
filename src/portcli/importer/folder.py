"""Writing an imported table as a measures folder, in the shape of measures/: `_plan.yaml` and one
file per measure. Every file is checked by the loader's own rules before anything is written; the
folder is loaded again afterwards, as `validate` would, for the summary.

A folder that already holds measure files is never written over: `merge` adds only the measures
(and the key tasks and units they need) that it lacks, and leaves every existing file as it is,
but for new units and key tasks appended to its _plan.yaml.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import edit, write
from ..check import PLAN_KEYS, build_measure, build_plan
from ..files import PLAN_FILE, measure_names, read_text
from ..i18n import N_, Message, _, ngettext
from ..load import Loaded, load
from ..model import Plan
from ..problem import Problem as FileProblem
from ..record import _measure_text
from ..values import date
from ..yamlread import parse_yaml
from .table import Document, Measure, Problem


class TargetError(Exception):
    """The folder cannot take the import (it holds files, its plan is broken): one line, exit 2."""


@dataclass
class Outcome:
    doc: Document
    problems: list[Problem]  # what the table and the checks found; nothing written unless forced
    written: list[str] = field(default_factory=list)  # file names, in the order written
    notes: list[str] = field(default_factory=list)  # what --merge kept or found different
    loaded: Loaded | None = None  # the folder as read after writing
    new_units: list[str] = field(default_factory=list)
    kept: int = 0  # measures --merge found already there


def existing_files(target: Path) -> list[str]:
    if not target.exists():
        return []
    if not target.is_dir():
        raise TargetError(_("{path} is a file, not a folder").format(path=target))
    return ([PLAN_FILE] if (target / PLAN_FILE).exists() else []) + measure_names(target)


def check_target(target: Path, merge: bool) -> None:
    """Refuse before reading the table: a folder with files (without --merge), or one without a plan (with)."""
    present = existing_files(target)
    if present and not merge:
        shown = ", ".join(present[:3]) + (", … " + _("({count} files)").format(count=len(present))
                                          if len(present) > 3 else "")
        raise TargetError(_("{path} already holds {files}; import never writes over them: import into a new folder, "
                            "or pass --merge to add only the measures it lacks").format(path=target, files=shown))
    if merge and PLAN_FILE not in present:
        raise TargetError(_("--merge adds to a measures folder, and {path} has no {plan}; leave out --merge to import "
                            "into a new folder").format(path=target, plan=PLAN_FILE))


def plan_text(doc: Document, title: str, year: int) -> str:
    lines = ["# The plan: title, year, key tasks (重点任务) and the units (责任单位) its measures name, written by",
             "# `portcli import`. A unit's full_name and english start as its short name: write the real ones",
             "# (and any aliases) here.",
             f"title: {edit.scalar(title)}", f"year: {year}", "tasks:"]
    lines += [f"  - {_task_entry(t.id, t.numeral, t.title)}" for t in doc.tasks]
    lines.append("units:")
    for name in doc.units:
        lines += [f"  - name: {edit.scalar(name)}", f"    full_name: {edit.scalar(name)}",
                  f"    english: {edit.scalar(name)}", "    aliases: []"]
    return "\n".join(lines) + "\n"


def _task_entry(task_id: int, numeral: str, title: str) -> str:
    return edit.flow_mapping({"id": task_id, "numeral": numeral, "title": title})


def measure_fields(m: Measure, units: list[str]) -> dict[str, Any]:
    return {"task": m.task, "national": m.national, "local": list(m.local), "units": units,
            "units_note": m.units_note, "deadline": m.deadline or None, "status": "not_started", "progress": []}


def measure_text(m: Measure, numeral: str, units: list[str]) -> str:
    return _measure_text(f"# 措施 {m.id} · 重点任务{numeral}", m.id, measure_fields(m, units))


def _checked_plan(text: str, where: str, problems: list[Problem]) -> Plan | None:
    data, problem = parse_yaml(Path(PLAN_FILE), text)
    found = [problem] if problem else []
    plan = None
    if not found:
        plan, found = build_plan(data, PLAN_FILE, text)
    problems += [Problem(where, _("{plan} would not be valid: {problem}").format(plan=PLAN_FILE, problem=p.message))
                 for p in found]
    return plan


def _checked_measure(m: Measure, units: list[str], text: str, plan: Plan | None, problems: list[Problem]) -> None:
    """Check the measure's file text by the loader's rules; a measure the table check already
    found wrong is not blamed twice (its row's problem says more than the file's would)."""
    name = f"{m.id:02d}.yaml"
    data, problem = parse_yaml(Path(name), text)
    if problem is None and data != {"id": m.id, **measure_fields(m, units)}:
        # the loader's kind of problem (file, line, message), as parse_yaml's own
        problem = FileProblem(name, 1, Message("its file would not read back as the table says; please report this "
                                               "with the document"))
    found = [problem] if problem else (build_measure(data, plan, name, text)[1] if plan is not None else [])
    if not any(p.where == m.where for p in problems):
        problems += [Problem(m.where, _("measure {id}: {problem}").format(id=m.id, problem=p.message)) for p in found]


def import_table(doc: Document, target: Path, *, merge: bool = False, force_partial: bool = False,
                 fallback_title: str = "") -> Outcome:
    """Write `doc` into `target` (created if need be), unless it has problems and `force_partial`
    is off; then load the folder as `validate` does."""
    problems = list(doc.problems)
    title = doc.title or fallback_title
    year = doc.year or date.today().year
    if not doc.measures:  # nothing to write; the rows' problems say why
        return Outcome(doc, problems or [Problem(doc.header_where, _(
            "no measure under the header; expected rows numbered N. in {column}").format(column="具体举措"))])
    if merge:
        return _merge(doc, target, problems, force_partial)
    numerals = {t.id: t.numeral for t in doc.tasks}
    plan_source = plan_text(doc, title, year)
    plan = _checked_plan(plan_source, doc.header_where, problems)
    texts: dict[int, str] = {}
    width = max(2, len(str(max((m.id for m in doc.measures), default=1))))
    for m in doc.measures:
        if m.id in texts:
            continue  # a repeated number is a problem already; the first keeps the id
        texts[m.id] = measure_text(m, numerals.get(m.task, str(m.task)), list(m.units))
        _checked_measure(m, list(m.units), texts[m.id], plan, problems)
    outcome = Outcome(doc, problems)
    if problems and not force_partial:
        return outcome
    target.mkdir(parents=True, exist_ok=True)
    with write.locked(target):
        check_target(target, merge=False)  # again, under the lock: another writer may have been first
        write.atomic_write(target / PLAN_FILE, plan_source.encode("utf-8"))
        outcome.written.append(PLAN_FILE)
        for measure_id, text in texts.items():
            name = f"{measure_id:0{width}d}.yaml"
            write.atomic_write(target / name, text.encode("utf-8"))
            outcome.written.append(name)
    outcome.loaded = load(target)
    return outcome


def _merge(doc: Document, target: Path, problems: list[Problem], force_partial: bool) -> Outcome:
    from ..record import file_name

    outcome = Outcome(doc, problems)
    with write.locked(target):
        loaded = load(target)
        plan_problems = [p for p in loaded.problems if Path(p.file).name == PLAN_FILE]
        if loaded.plan is None or plan_problems:
            why = plan_problems[0].message if plan_problems else _("it cannot be read")
            raise TargetError(_("--merge: {path} has problems; fix it first ({problem})").format(
                path=target / PLAN_FILE, problem=why))
        plan = loaded.plan
        text, _unreadable = read_text(target / PLAN_FILE)
        # units: a name the plan knows (as a short name, full name or alias) is written as its short name
        short: dict[str, str] = {}
        for name in doc.units:
            unit = plan.unit(name)
            if unit is not None:
                short[name] = unit.name
            else:
                short[name] = name
                outcome.new_units.append(name)
                text = edit.insert_item(text, "units", edit.flow_mapping(
                    {"name": name, "full_name": name, "english": name}), None, PLAN_KEYS)
        new_tasks = []
        for t in doc.tasks:
            if t.id not in plan.tasks:
                new_tasks.append(t.id)
                text = edit.insert_item(text, "tasks", _task_entry(t.id, t.numeral, t.title), None, PLAN_KEYS)
            elif re.sub(r"\s+", "", plan.tasks[t.id].title) != re.sub(r"\s+", "", t.title):
                outcome.notes.append(_("key task {id} is titled differently in {plan}; kept its title").format(
                    id=t.id, plan=PLAN_FILE))
        merged_plan = _checked_plan(text, doc.header_where, problems) if (outcome.new_units or new_tasks) else plan
        have = {m.id: m for m in loaded.measures}
        taken = {int(re.match(r"\d+", n).group()) for n in measure_names(target) if re.match(r"\d+\.", n)}
        numerals = {t.id: t.numeral for t in doc.tasks} | {t.id: t.numeral for t in plan.tasks.values()}
        texts: dict[int, str] = {}
        for m in doc.measures:
            if m.id in have or m.id in taken or m.id in texts:
                outcome.kept += m.id in have
                if m.id in have and _differs(have[m.id], m, short):
                    outcome.notes.append(_("measure {id} in {path} differs from the table ({where}); kept the "
                                           "folder's").format(id=m.id, path=target, where=m.where))
                continue
            units = list(dict.fromkeys(short[u] for u in m.units))
            texts[m.id] = measure_text(m, numerals.get(m.task, str(m.task)), units)
            _checked_measure(m, units, texts[m.id], merged_plan, problems)
        if problems and not force_partial:
            return outcome
        if outcome.new_units or new_tasks:
            write.atomic_write(target / PLAN_FILE, text.encode("utf-8"))
            outcome.written.append(PLAN_FILE)
        for measure_id, measure_source in texts.items():
            name = file_name(loaded, measure_id)
            write.atomic_write(target / name, measure_source.encode("utf-8"))
            outcome.written.append(name)
    outcome.loaded = load(target)
    return outcome


def _differs(have, m: Measure, short: dict[str, str]) -> bool:
    squash = lambda t: re.sub(r"\s+", "", t or "")  # noqa: E731
    return (squash(have.national) != squash(m.national) or [squash(t) for t in have.local] != [squash(t) for t in m.local]
            or list(have.units) != [short[u] for u in m.units] or have.deadline.phrase != m.deadline)


def deadline_kinds(doc: Document) -> Counter:
    from ..deadline import DeadlineError, parse_deadline

    kinds: Counter = Counter()
    for m in doc.measures:
        if not m.deadline:
            kinds["empty"] += 1
            continue
        try:
            kinds[parse_deadline(m.deadline, doc.year or date.today().year).kind] += 1
        except DeadlineError:
            kinds["unrecognised"] += 1
    return kinds


# How many deadlines of each kind the table has (deadline.parse_deadline's kinds), said per kind.
DEADLINE_KINDS = {"date": N_("{count} date"), "milestone": N_("{count} milestone"), "external": N_("{count} external"),
                  "ongoing": N_("{count} ongoing"), "empty": N_("{count} empty"),
                  "unrecognised": N_("{count} unrecognised")}

# A unit name that may be another's written differently: how the two names relate (table._aliases).
ALIAS_LINES = {
    "prefix": N_("possible alias: {name} ({where}) differs only by a prefix ({prefixes}) from {registered} "
                 "({registered_where}); kept as two units"),
    "part": N_("possible alias: {name} ({where}) is part of {registered} ({registered_where}); kept as two units"),
    "contains": N_("possible alias: {name} ({where}) contains {registered} ({registered_where}); kept as two units"),
}


def summary(outcome: Outcome, source: Path, target: Path) -> list[str]:
    """What was read, what was written, and what the written folder's check says: for people."""
    doc = outcome.doc
    lines: list[str] = []
    if outcome.written:
        measures = [n for n in outcome.written if n != PLAN_FILE]
        named = f"{measures[0]} … {measures[-1]}" if len(measures) > 1 else "".join(measures)
        files = ngettext("{count} measure file ({names})", "{count} measure files ({names})", len(measures)).format(
            count=len(measures), names=named)
        if PLAN_FILE in outcome.written and measures:
            wrote = _("{source} → {target}: wrote {plan} and {files}").format(
                source=source.name, target=target, plan=PLAN_FILE, files=files)
        elif measures:
            wrote = _("{source} → {target}: wrote {files}").format(source=source.name, target=target, files=files)
        else:
            wrote = _("{source} → {target}: wrote {plan}").format(source=source.name, target=target, plan=PLAN_FILE)
        lines.append(wrote)
    elif outcome.problems:
        lines.append(_("{source}: nothing written to {target}").format(source=source.name, target=target))
    else:
        lines.append(_("{source}: {target} already has every measure of the table; nothing written").format(
            source=source.name, target=target))
    ids = {m.id for m in doc.measures}
    lines.append(_("read: {tasks}, {measures}, {units}").format(
        tasks=ngettext("{count} key task", "{count} key tasks", len(doc.tasks)).format(count=len(doc.tasks)),
        measures=ngettext("{count} measure", "{count} measures", len(ids)).format(count=len(ids)),
        units=ngettext("{count} unit", "{count} units", len(doc.units)).format(count=len(doc.units))))
    kinds = deadline_kinds(doc)
    if kinds:
        said = [_(DEADLINE_KINDS[kind]).format(count=n) if kind in DEADLINE_KINDS else f"{n} {kind}"
                for kind, n in kinds.most_common()]
        lines.append(_("deadlines: {kinds}").format(kinds=_(", ").join(said)))
    else:
        lines.append(_("deadlines: none"))
    if outcome.kept or outcome.new_units:
        lines.append(_("merge: {kept} already in {target}; {added} added to {plan}").format(
            kept=ngettext("kept {count} measure", "kept {count} measures", outcome.kept).format(count=outcome.kept),
            target=target, plan=PLAN_FILE,
            added=ngettext("{count} new unit", "{count} new units", len(outcome.new_units)).format(
                count=len(outcome.new_units))))
    lines += outcome.notes
    for a in doc.aliases:
        lines.append(_(ALIAS_LINES[a.why]).format(name=a.name, where=a.where, registered=a.registered,
                                                  registered_where=doc.unit_rows[a.registered], prefixes="天津/市"))
    if outcome.written and PLAN_FILE in outcome.written and not (outcome.kept or outcome.new_units):
        lines.append(_("units: full_name and english are the short names; write the real ones in {path}").format(
            path=target / PLAN_FILE))
    if outcome.loaded is not None:
        found = outcome.loaded.problems
        lines.append(_("validate: ok") if not found else ngettext(
            "validate: {count} problem; run `portcli validate --dir {target}`",
            "validate: {count} problems; run `portcli validate --dir {target}`", len(found)).format(
                count=len(found), target=target))
    lines.append(_("problems: {count}").format(count=len(outcome.problems)))
    return lines
