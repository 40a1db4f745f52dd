"""A plan whose every text that reaches a spreadsheet cell starts like a formula: the title, a key
task's numeral and title, a unit's name, and a measure's national and local texts, deadline phrase
and units note. Written with yaml.safe_dump into a copy of the shipped measures."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from measure_files import measure_files, plan_data

UNIT = "市商务局"
MEASURE = 8  # key task 3, one local item, led by 市商务局
TASK = 3


def dump(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def write(folder: Path, start: str = "=") -> dict:
    """Rewrite `folder` so each of those texts starts with `start`; the texts as written, by cell kind."""
    plan = plan_data(folder)
    plan["title"] = f"{start}1+1&{plan['title']}"
    task = next(t for t in plan["tasks"] if t["id"] == TASK)
    task["numeral"], task["title"] = f"{start}{task['numeral']}", f"{start}SUM(1,2){task['title']}"
    unit = next(u for u in plan["units"] if u["name"] == UNIT)
    unit["name"] = f"{start}{UNIT}"
    dump(folder / "_plan.yaml", plan)
    for id_, (path, m) in measure_files(folder).items():
        m["units"] = [unit["name"] if u == UNIT else u for u in m["units"]]
        if id_ == MEASURE:
            m["national"] = f"{start}HYPERLINK(\"http://x\"){m['national']}"
            m["local"] = [f"{start}2+3 {m['local'][0]}"]
            m["deadline"], m["due"] = f"{start}5月底前", date(2022, 5, 31)
            m["units_note"] = f"{start}按职责分工负责"
        dump(path, m)
    measure = measure_files(folder)[MEASURE][1]
    return {"title": plan["title"], "序号": task["numeral"], "重点任务": task["title"],
            "具体举措": measure["national"], "天津市细化落实措施": measure["local"][0],
            "责任单位": "、".join(measure["units"]) + measure["units_note"], "完成时限": measure["deadline"]}
