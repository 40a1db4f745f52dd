"""A small parser of the source document, tests/data/source_table.txt.

The document is a tab-separated dump of a Word table with six columns:

    序号 | 重点任务 | 具体举措 | 天津市细化落实措施 | 责任单位 | 完成时限

A row with a numeral (一, 二, … 十一) in the first column opens a key task. A measure starts
where a numbered text ("14.…") begins, normally in the 具体举措 column. The dump has a few traps,
handled here by rule rather than by knowing any measure's text:

* Page breaks leave empty lines and split a row: the rest of the cells sits in a later row whose
  first columns are empty and whose 具体举措 cell does not start a new number. Such a row continues
  the previous measure, cell by cell, joined without inserting any character.
* A key task without a national measure (Tianjin's own task 十一) carries its measure number in
  the 重点任务 column ("25.天津市…"): that measure's `national` is None.
* The units cell may end in a qualifier (…天津海关按照职责分工负责) that applies to the whole list.
* Deadlines carry typesetting spaces ("5 月底前"): all whitespace is removed.

Only the Python standard library is used, so the tests stay independent of the portcli package.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SOURCE = Path(__file__).parent / "data" / "source_table.txt"

SEQ, TASK, NATIONAL, LOCAL, UNITS, DEADLINE = range(6)
CARRIED = (NATIONAL, LOCAL, UNITS, DEADLINE)  # the cells a continuation row adds to

NUMBERED = re.compile(r"(\d+)\.(?!\d)")  # "14." but not "3.0"
UNIT_NOTE = re.compile(r"按(?:照)?职责分工负责$")
WHITESPACE = re.compile(r"\s+")
DIGITS = "一二三四五六七八九"


@dataclass
class Task:
    number: int
    numeral: str
    title: str


@dataclass
class Measure:
    id: int
    task: int
    national: str | None
    local: list[str]
    units: list[str]
    units_note: str | None
    deadline: str


@dataclass
class Document:
    title: str
    tasks: list[Task] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)


def numeral_value(numeral: str) -> int:
    """一 → 1, 十 → 10, 十一 → 11, 二十三 → 23."""
    if "十" not in numeral:
        return DIGITS.index(numeral) + 1
    tens, _, units = numeral.partition("十")
    return (DIGITS.index(tens) + 1 if tens else 1) * 10 + (DIGITS.index(units) + 1 if units else 0)


def split_numbered(text: str) -> list[str]:
    """'1.甲。 2.乙。' → ['甲。', '乙。']; text that does not start with '1.' is one item."""
    text = text.strip()
    first = NUMBERED.match(text)
    if not first or first.group(1) != "1":
        return [text]
    items, n, pos = [], 1, first.end()
    while True:
        # the next item number, preceded by whitespace, looked for in sequence (2., then 3., …)
        nxt = re.compile(rf"\s+{n + 1}\.(?!\d)").search(text, pos)
        if nxt is None:
            items.append(text[pos:].strip())
            return items
        items.append(text[pos:nxt.start()].strip())
        n, pos = n + 1, nxt.end()


def split_units(text: str) -> tuple[list[str], str | None]:
    """'市商务局、天津海关按照职责分工负责' → (['市商务局', '天津海关'], '按照职责分工负责')."""
    text = text.strip()
    note = UNIT_NOTE.search(text)
    if note:
        text = text[: note.start()]
    units = [unit.strip() for unit in text.split("、")]
    if any(not unit for unit in units):
        raise ValueError(f"empty unit in {text!r}")
    return units, note.group(0) if note else None


def parse(text: str) -> Document:
    lines = text.split("\n")
    title = next(line.strip() for line in lines if line.strip())
    rows = [line.split("\t") for line in lines if "\t" in line]  # empty lines are page breaks
    header_end = next(i for i, cells in enumerate(rows) if "具体举措" in cells) + 1

    doc = Document(title=title)
    raw: list[dict] = []  # one per measure: id, task, number_in_task_column, cells
    for cells in rows[header_end:]:
        cells = [*cells, *[""] * (6 - len(cells))]
        in_task_column = None
        if cells[SEQ].strip():
            numeral, task_title = cells[SEQ].strip(), cells[TASK].strip()
            in_task_column = NUMBERED.match(task_title)
            if in_task_column:
                task_title = task_title[in_task_column.end():]
            doc.tasks.append(Task(numeral_value(numeral), numeral, task_title))

        national = NUMBERED.match(cells[NATIONAL].strip())
        if national or in_task_column:
            if national and in_task_column:
                raise ValueError(f"two measure numbers in one row: {cells}")
            number = national or in_task_column
            raw.append({
                "id": int(number.group(1)),
                "task": doc.tasks[-1].number,
                "has_national": bool(national),
                "cells": {col: cells[col] for col in CARRIED},
            })
        elif not cells[SEQ].strip() and not cells[TASK].strip() and raw:
            for col in CARRIED:  # page-break continuation of the previous measure
                raw[-1]["cells"][col] += cells[col]
        else:
            raise ValueError(f"row belongs to no measure: {cells}")

    for item in raw:
        cells = item["cells"]
        national = None
        if item["has_national"]:
            national = cells[NATIONAL].strip()
            national = national[NUMBERED.match(national).end():].strip()
        units, note = split_units(cells[UNITS])
        doc.measures.append(Measure(
            id=item["id"],
            task=item["task"],
            national=national,
            local=split_numbered(cells[LOCAL]),
            units=units,
            units_note=note,
            deadline=WHITESPACE.sub("", cells[DEADLINE]),
        ))
    return doc


def load(path: Path = SOURCE) -> Document:
    return parse(path.read_text(encoding="utf-8"))


if __name__ == "__main__":  # a quick look: python tests/source_table.py
    document = load()
    print(document.title)
    for task in document.tasks:
        print(task)
    for measure in document.measures:
        print(measure)
