"""Reading a 任务分工表 out of a grid: the header, the key tasks, the measures, the units.

The rules, each for a trap real tables have (docs/SPEC.md §6 lists them):

* The header is found by its texts, over one or two rows (海关总署部署的主要措施 over 重点任务 and
  具体举措): a column's role is its lowest header text that names one.
* A key task opens where 序号 or 重点任务 has text; a merge carries it over the rows below it.
* A measure opens where a number `N.` starts 具体举措 (or sits in 编号); a key task without a
  national measure carries its measure's number in 重点任务 (`25.天津市…`), and that measure has
  no national text.
* A row with nothing in 序号, 重点任务 and no number continues the measure above: a page break
  split the row. Its cells are joined to the measure's cell by cell, adding no character. A
  header repeated on the new page is skipped.
* 天津市细化落实措施 holding `1.… 2.…` is several items, numbering stripped.
* 责任单位 is units separated by 、 (，；, too); a trailing 按照职责分工负责 is the units' note.
* 完成时限 loses its whitespace (5 月底前 is 5月底前).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..deadline import DeadlineError, parse_deadline
from ..i18n import _
from .grid import Grid, ReadError, Row, clean

# Header texts naming each column's role, most specific first; a header cell *containing* one names it.
ROLES: dict[str, tuple[str, ...]] = {
    "seq": ("序号",),
    "id": ("编号",),
    "national": ("具体举措",),
    "local": ("细化落实措施", "落实措施", "细化措施", "具体措施"),
    "task": ("重点任务", "主要任务", "工作任务"),
    "units": ("责任单位", "责任部门", "牵头单位"),
    "deadline": ("完成时限", "完成时间", "时限"),
}
EXPECTED = "序号, 重点任务, 具体举措, 天津市细化落实措施, 责任单位, 完成时限"
MAX_HEADER_CHARS = 16  # a header is a few words; a longer cell is data or a title
HEADER_SEARCH_ROWS = 15

NUMBER = re.compile(r"\s*(\d{1,4})\s*[.．、](?!\d)\s*")  # "14." but not "3.0"
UNIT_NOTE = re.compile(r"(?:按照?职责分工负责|按照?职责分工(?:分别)?(?:落实|推进)|分别负责|共同负责)$")
LEAD_MARK = re.compile(r"[（(]牵头[)）]$")
UNIT_SEPARATORS = re.compile(r"[、，,；;\n]+")
YEAR = re.compile(r"(?<!\d)(19\d\d|2\d\d\d)(?!\d)")
CN_DIGITS = "一二三四五六七八九"
NUMERAL = re.compile(r"[（(]?\s*([一二三四五六七八九十]+|\d{1,3})\s*[)）]?\s*[、.．]?")
# What `portcli export` adds to the title: （截至 DATE）, or （UNIT，截至 DATE） for one unit's share (--per-unit).
EXPORT_DATE = re.compile(r"[（(](?:[^（）()]*[，,]\s*)?截至\s*\d{4}-\d{2}-\d{2}[)）]$")


@dataclass
class Problem:
    where: str
    message: str


@dataclass
class Task:
    id: int
    numeral: str
    title: str
    where: str


@dataclass
class Measure:
    id: int
    task: int
    national: str | None
    local: list[str]
    units: list[str]
    units_note: str | None
    deadline: str
    where: str  # the row it starts on
    continued: list[str] = field(default_factory=list)  # the rows that continue it (page breaks)


@dataclass
class Alias:
    name: str
    registered: str
    where: str
    why: str


@dataclass
class Document:
    title: str
    year: int | None
    tasks: list[Task]
    measures: list[Measure]
    units: list[str]  # first-seen order
    unit_rows: dict[str, str]  # unit -> the row it was first seen on
    aliases: list[Alias]
    problems: list[Problem]
    header_where: str = ""


def numeral_value(numeral: str) -> int | None:
    """一 → 1, 十 → 10, 十一 → 11, 二十三 → 23, '7' → 7; None for anything else."""
    if numeral.isdigit():
        return int(numeral)
    if not numeral or any(ch not in CN_DIGITS + "十" for ch in numeral) or numeral.count("十") > 1:
        return None
    if "十" not in numeral:
        return CN_DIGITS.index(numeral) + 1 if len(numeral) == 1 else None
    tens, _ten, units = numeral.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    return (CN_DIGITS.index(tens) + 1 if tens else 1) * 10 + (CN_DIGITS.index(units) + 1 if units else 0)


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _role(text: str) -> str | None:
    key = _key(text)
    if not key or len(key) > MAX_HEADER_CHARS:
        return None
    for role, words in ROLES.items():
        if any(word in key for word in words):
            return role
    return None


# --- the header ----------------------------------------------------------------------------------

@dataclass
class Header:
    start: int  # index of its first row in the grid
    rows: int  # 1 or 2
    columns: dict[str, int]  # role -> column


def find_header(grid: Grid) -> Header | None:
    """The table's header: the first row (with the next, when it holds header texts too) whose texts
    name the columns a 任务分工表 needs."""
    for i, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        if sum(_role(c) is not None for c in row.cells) < 2:
            continue
        rows = 1
        nxt = grid.rows[i + 1] if i + 1 < len(grid.rows) else None
        if nxt is not None and any(_role(c) for c in nxt.cells) and all(
                not c.strip() or _role(c) or len(_key(c)) <= MAX_HEADER_CHARS for c in nxt.cells):
            rows = 2
        columns: dict[str, int] = {}
        for col in range(grid.width):
            for r in reversed(range(i, i + rows)):  # the lowest header text is the most specific
                role = _role(grid.rows[r].cells[col])
                if role:
                    columns.setdefault(role, col)
                    break
        if _missing(columns) is None:
            return Header(i, rows, columns)
    return None


def _missing(columns: dict[str, int]) -> str | None:
    either = _("{first} or {second}")
    needed = [("重点任务", "task" in columns), ("责任单位", "units" in columns), ("完成时限", "deadline" in columns),
              (either.format(first="具体举措", second="编号"), "national" in columns or "id" in columns),
              (either.format(first="具体举措", second="天津市细化落实措施"), "national" in columns or "local" in columns)]
    missing = [name for name, present in needed if not present]
    return _(", ").join(missing) if missing else None


def not_a_table(grids: list[Grid]) -> str:
    """Why no grid has a 任务分工表's header: what was expected and what was found."""
    if not grids or not any(g.rows for g in grids):
        return _("no table in the file; expected a task-division table with the columns {columns}").format(
            columns=EXPECTED)
    found = []
    for g in grids:
        texts = [c.strip() for row in g.rows[:2] for c in row.cells if c.strip()]
        if texts:
            found.append("、".join(dict.fromkeys(t[:12] for t in texts[:8])))
    if not found:
        return _("no table with the headers of a task-division table ({columns}); the table is empty").format(
            columns=EXPECTED)
    return _("no table with the headers of a task-division table ({columns}); its first rows hold {texts}").format(
        columns=EXPECTED, texts=found[0])


# --- the rows ------------------------------------------------------------------------------------

def split_numbered(text: str) -> list[str]:
    """'1.甲。 2.乙。' → ['甲。', '乙。']; a text that does not start with '1.' is one item.

    Items are found in sequence (2., then 3., …), each after whitespace or a sentence's end, so a
    number inside a sentence (3.0版, 12360) never splits it."""
    first = NUMBER.match(text)
    if not first or first.group(1) != "1":
        return [text]
    items, n, pos = [], 1, first.end()
    while True:
        nxt = re.compile(rf"(?:(?<=\s)|(?<=[。；;！!？?]))\s*{n + 1}\s*[.．、](?!\d)").search(text, pos)
        if nxt is None:
            items.append(text[pos:])
            return items
        items.append(text[pos:nxt.start()])
        n, pos = n + 1, nxt.end()


def split_units(text: str) -> tuple[list[str], str | None, str | None]:
    """'市商务局、天津海关按照职责分工负责' → (['市商务局', '天津海关'], '按照职责分工负责', None);
    the third value names what is wrong, if anything. Units on lines of their own are separate units."""
    text = clean(re.sub(r"\s*\n\s*", "、", text.strip()))
    note = UNIT_NOTE.search(text)
    if note:
        text = text[: note.start()]
    if not text.strip():
        return [], note.group(0) if note else None, _("{column} is empty; expected unit names separated by {mark}").format(
            column="责任单位", mark="、")
    names = [LEAD_MARK.sub("", n).strip() for n in UNIT_SEPARATORS.split(text.strip("、，,；; "))]
    if any(not n for n in names):
        return [n for n in names if n], note.group(0) if note else None, \
            _("{column} {text!r} has an empty name between two {mark}").format(column="责任单位", text=text, mark="、")
    return names, note.group(0) if note else None, None


@dataclass
class _Raw:
    """A measure's cells as read, before they are split into texts and units."""

    id: int
    task: int
    cells: dict[str, str]
    where: str
    continued: list[str] = field(default_factory=list)


def parse(grids: list[Grid], *, title: str | None = None, year: int | None = None) -> Document:
    """The plan and measures a file's tables hold; ReadError when none is a 任务分工表."""
    start = next(((i, h) for i, g in enumerate(grids) if (h := find_header(g))), None)
    if start is None:
        raise ReadError(not_a_table(grids))
    index, header = start
    first = grids[index]
    header_rows = first.rows[header.start:header.start + header.rows]
    header_texts = [{_key(r.cells[c]) for r in header_rows} - {""} for c in range(first.width)]
    problems: list[Problem] = []
    rows = list(first.rows[header.start + header.rows:])
    for other in grids[index + 1:]:  # the table goes on after a page break as a table of its own
        if other.width == first.width:
            rows += other.rows
        elif any(c.strip() for r in other.rows for c in r.cells):
            problems.append(Problem(other.rows[0].where if other.rows else other.name,
                                    _("{table} has {count} columns, not the {expected} of the task-division table "
                                      "above it; not read").format(table=other.name, count=other.width,
                                                                   expected=first.width)))
    if not any(any(c.strip() for c in r.cells) for r in rows):
        raise ReadError(_("the table has the headers of a task-division table ({where}) but no rows under them").format(
            where=first.rows[header.start].where))

    doc_title = clean(title) if title else _title(first, header)
    doc_year = year
    if doc_year is None:
        found = YEAR.search(doc_title or "")
        doc_year = int(found.group(1)) if found else None
    if not doc_title:
        problems.append(Problem(_("title"), _("no title above the table; give one with --title")))
    if doc_year is None:
        problems.append(Problem(_("title"), _("the title {title!r} names no year; give the plan's year with --year").format(
            title=doc_title)))

    tasks, raws = _read_rows(rows, header.columns, header_texts, problems)
    measures = [_measure(raw, header.columns, doc_year, problems) for raw in raws]
    _check_numbers(measures, problems)
    units, unit_rows = _registry(measures)
    doc = Document(doc_title, doc_year, tasks, measures, units, unit_rows, _aliases(units, unit_rows),
                   problems, first.rows[header.start].where)
    return doc


def _title(grid: Grid, header: Header) -> str:
    above = [*grid.before, *(c for r in grid.rows[:header.start] for c in r.cells if c.strip())]
    above = [clean(t) for t in above if not re.fullmatch(r"\s*附件\s*\d*\s*[:：]?\s*", t)]
    if not above:
        return ""
    # The title names the table (…分工表, …清单, …方案) and its year; notes and letterheads around it do not.
    title = max(reversed(above), key=lambda t: (bool(re.search("分工|清单|方案|计划|表", t)), bool(YEAR.search(t))))
    return EXPORT_DATE.sub("", title).strip()


def _read_rows(rows: list[Row], columns: dict[str, int], header_texts: list[set[str]],
               problems: list[Problem]) -> tuple[list[Task], list[_Raw]]:
    tasks: list[Task] = []
    raws: list[_Raw] = []
    carried = [role for role in ("id", "national", "local", "units", "deadline") if role in columns]

    def cell(row: Row, role: str) -> str:
        return row.cells[columns[role]] if role in columns else ""

    for row in rows:
        if not any(c.strip() for c in row.cells):
            continue
        if all(not c.strip() or _key(c) in header_texts[i] for i, c in enumerate(row.cells)):
            continue  # the header again, at the top of a new page
        seq, task_text = clean(cell(row, "seq")), cell(row, "task").strip()
        id_text = clean(cell(row, "id"))
        national = cell(row, "national")
        in_national = NUMBER.match(national)
        number_in_task = None
        if seq or task_text:
            numeral = ""
            if seq:
                m = NUMERAL.fullmatch(seq)
                numeral = m.group(1) if m else ""
            elif m := re.match(r"([一二三四五六七八九十]+)\s*[、.．]\s*", task_text):
                numeral, task_text = m.group(1), task_text[m.end():]
            if m := NUMBER.match(task_text):
                task_text = task_text[m.end():]
                if not in_national and not id_text:  # a task of the city's own: its measure's number sits here
                    number_in_task = int(m.group(1))
                elif not numeral:  # the key task's own number (1、深化…), the measure's is in its column
                    numeral = m.group(1)
            task_title = clean(task_text)
            value = numeral_value(numeral) if numeral else None
            if seq and value is None:
                problems.append(Problem(row.where, _("{column} {value!r} is not a key-task number; expected {numerals} "
                                                     "or 1, 2, …").format(column="序号", value=seq, numerals="一, 二, …")))
            current = tasks[-1] if tasks else None
            # A table that repeats the key task on each row, instead of merging its cells, stays in it.
            same = current is not None and (value is None or value == current.id) and task_title in ("", current.title)
            if not same:
                task_id = value if value is not None else (current.id + 1 if current else 1)
                if not task_title:
                    problems.append(Problem(row.where, _("key task {number} has no title; expected it in {column}").format(
                        number=numeral or task_id, column="重点任务")))
                if any(t.id == task_id for t in tasks):
                    problems.append(Problem(row.where, _("key task {number} again; each key task opens once").format(
                        number=numeral or task_id)))
                tasks.append(Task(task_id, numeral or str(task_id), task_title, row.where))

        number = None
        if id_text:
            if not id_text.isdigit():
                problems.append(Problem(row.where, _("{column} {value!r} is not a measure number").format(
                    column="编号", value=id_text)))
            else:
                number = int(id_text)
        if in_national:
            if number is not None and int(in_national.group(1)) != number:
                problems.append(Problem(row.where, _("{id_column} says measure {number} but {text_column} starts with "
                                                     "{other}.").format(id_column="编号", number=number,
                                                                        text_column="具体举措", other=in_national.group(1))))
            number = int(in_national.group(1)) if number is None else number
        if number_in_task is not None:
            if number is not None and number != number_in_task:
                problems.append(Problem(row.where, _("two measure numbers in one row: {first} and {second}").format(
                    first=number, second=number_in_task)))
            number = number if number is not None else number_in_task

        if number is not None:
            if not tasks:
                problems.append(Problem(row.where, _("measure {number} comes before any key task; expected a key task "
                                                     "in {first} and {second} first").format(
                    number=number, first="序号", second="重点任务")))
                continue
            raws.append(_Raw(number, tasks[-1].id, {role: cell(row, role) for role in carried}, row.where))
        elif not seq and not task_text and raws:
            for role in carried:  # a page break split the row: the rest of each cell comes here
                raws[-1].cells[role] += cell(row, role)
            raws[-1].continued.append(row.where)
        elif any(cell(row, role).strip() for role in carried):
            what = "具体举措" if "national" in columns else "编号"
            problems.append(Problem(row.where, _("this row belongs to no measure: expected a measure number (N.) at "
                                                 "the start of {column}").format(column=what)))
    return tasks, raws


def _measure(raw: _Raw, columns: dict[str, int], year: int | None, problems: list[Problem]) -> Measure:
    where = raw.where
    national_text = raw.cells.get("national", "")
    if (m := NUMBER.match(national_text)) and int(m.group(1)) == raw.id:
        national_text = national_text[m.end():]
    national = clean(national_text) or None
    local = [clean(item) for item in split_numbered(raw.cells.get("local", "").strip())]
    local = [item for item in local if item]
    if national is None and not local:
        problems.append(Problem(where, _("measure {id} has no text; expected it in {first} or {second}").format(
            id=raw.id, first="具体举措", second="天津市细化落实措施")))
    units, note, wrong = split_units(raw.cells.get("units", ""))
    if wrong:
        problems.append(Problem(where, _("measure {id}: {problem}").format(id=raw.id, problem=wrong)))
    deadline = re.sub(r"\s+", "", raw.cells.get("deadline", ""))
    if not deadline:
        problems.append(Problem(where, _("measure {id}: {column} is empty; expected a deadline such as {example}").format(
            id=raw.id, column="完成时限", example="5月底前")))
    elif year is not None:
        try:
            parse_deadline(deadline, year)
        except DeadlineError as exc:
            problems.append(Problem(where, _("measure {id}: {column} {problem}").format(
                id=raw.id, column="完成时限", problem=exc)))
    return Measure(raw.id, raw.task, national, local, units, note, deadline, where, raw.continued)


def _check_numbers(measures: list[Measure], problems: list[Problem]) -> None:
    seen: dict[int, str] = {}
    previous = 0
    for m in measures:
        if m.id in seen:
            problems.append(Problem(m.where, _("measure {id} again (also at {where}); each number once").format(
                id=m.id, where=seen[m.id])))
            continue
        if m.id > previous + 1:
            missing = f"{previous + 1}" if m.id == previous + 2 else f"{previous + 1}–{m.id - 1}"
            problems.append(Problem(m.where, (
                _("measure {id} follows measure {previous}: measure {missing} is missing") if previous
                else _("the first measure is {id}: measure {missing} is missing")).format(
                    id=m.id, previous=previous, missing=missing)))
        elif m.id <= previous:
            problems.append(Problem(m.where, _("measure {id} comes after measure {previous}; expected {expected}").format(
                id=m.id, previous=previous, expected=previous + 1)))
        seen[m.id] = m.where
        previous = max(previous, m.id)


def _registry(measures: list[Measure]) -> tuple[list[str], dict[str, str]]:
    rows: dict[str, str] = {}
    for m in measures:
        for unit in m.units:
            rows.setdefault(unit, m.where)
    return list(rows), rows


PREFIXES = ("天津市", "天津", "市")


def _bare(name: str) -> str:
    for prefix in PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            return name[len(prefix):]
    return name


def _aliases(units: list[str], rows: dict[str, str]) -> list[Alias]:
    """Names that may be one unit written two ways: reported for a person to decide, never merged
    (市交通运输委 and 交通运输委 are likely one; 天津海关 and 天津海关技术中心 are not)."""
    found = []
    for i, name in enumerate(units):
        for registered in units[:i]:
            if _bare(name) == _bare(registered):
                why = "prefix"  # said in folder.summary: one sentence for each
            elif name in registered or registered in name:
                why = "part" if name in registered else "contains"
            else:
                continue
            found.append(Alias(name, registered, rows[name], why))
    return found
