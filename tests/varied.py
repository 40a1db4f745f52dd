"""A measures folder whose data can tell behaviours apart, which the shipped one cannot (every
shipped measure is 5月底前 and not_started).

Eleven measures with deadlines in four kinds and two years, every status, units written by their
aliases, an explicit `due:`, an extension, and ids whose order differs from their due dates' order.
What each command must say about them is worked out by hand in the tests that use it, from the
table below, never from portcli.

id  task  units as written (lead first)  deadline                       status       due          on 2022-06-15
 1   1    商务局 (市商务局), 海关 (天津海关)  5月底前                         in_progress  2022-05-31   overdue 15
 2   2    天津海关, 市商务局                 6月20日前                       not_started  2022-06-20   due in 5
 3   3    市交通运输委                       2023年底前                      not_started  2023-12-31   —
 4   4    天津海事局, 天津海关               4月底前, two progress entries   blocked      2022-04-30   overdue 46
 5   5    天津海关                           6月底前                         in_progress  2022-06-30   due in 15
 6   6    市商务局                           6月17日前                       not_started  2022-06-17   due in 2
 7   7    天津海关                           3月底前                         done         2022-03-31   — (done)
 8   8    市发展改革委, 天津海关             5月底前取得阶段性进展，持续推动  ongoing      2022-05-31   — (milestone met)
 9   9    天津海关                           按照海关总署统一部署推动实施    not_started  —            — (external)
10  10    市商务局, 天津港集团               5月底前, extended twice         not_started  2022-06-10   overdue 5
11  11    天津海关                           5月底前, due: 2022-06-25        in_progress  2022-06-25   due in 10

Measure 4's progress: 2022-04-10 in_progress by 天津海关 "已对接", then 2022-04-20 blocked, no unit, no note.
Measure 10's extensions: 2022-05-25 to 2022-06-05 by 市商务局 (no `from`), then 2022-06-01 from 2022-06-05 to
2022-06-10 (no `by`).

Files with an even id start with a comment line, so their `id:` is on line 2; the others on line 1.
"""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import yaml

SHIPPED = Path(__file__).resolve().parents[1] / "measures"
AS_OF = "2022-06-15"

# id: (task, units as written, deadline, status, extra keys)
MEASURES: dict[int, tuple[int, list[str], str, str, dict]] = {
    1: (1, ["商务局", "海关"], "5月底前", "in_progress", {}),
    2: (2, ["天津海关", "市商务局"], "6月20日前", "not_started", {}),
    3: (3, ["市交通运输委"], "2023年底前", "not_started", {}),
    4: (4, ["天津海事局", "天津海关"], "4月底前", "blocked",
        {"progress": [{"date": date(2022, 4, 10), "status": "in_progress", "by": "天津海关", "note": "已对接"},
                      {"date": date(2022, 4, 20), "status": "blocked"}]}),
    5: (5, ["天津海关"], "6月底前", "in_progress", {}),
    6: (6, ["市商务局"], "6月17日前", "not_started", {}),
    7: (7, ["天津海关"], "3月底前", "done", {}),
    8: (8, ["市发展改革委", "天津海关"], "5月底前取得阶段性进展，持续推动", "ongoing", {}),
    9: (9, ["天津海关"], "按照海关总署统一部署推动实施", "not_started", {}),
    10: (10, ["市商务局", "天津港集团"], "5月底前", "not_started",
         {"extensions": [{"date": date(2022, 5, 25), "to": date(2022, 6, 5), "by": "市商务局", "reason": "等待船公司系统改造"},
                         {"date": date(2022, 6, 1), "from": date(2022, 6, 5), "to": date(2022, 6, 10), "reason": "再延五天"}]}),
    11: (11, ["天津海关"], "5月底前", "in_progress", {"due": date(2022, 6, 25)}),
}


def local(measure_id: int) -> str:
    """The measure's one local item: what every report shows as its summary."""
    return f"第{measure_id}项细化措施"


def file_name(measure_id: int) -> str:
    return f"{measure_id:02d}.yaml"


def write(folder: Path) -> Path:
    """The folder, with the shipped plan and the eleven measures above; returns `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SHIPPED / "_plan.yaml", folder / "_plan.yaml")
    for measure_id, (task, units, deadline, status, extra) in MEASURES.items():
        data = {"id": measure_id, "task": task, "national": f"第{measure_id}项国家措施", "local": [local(measure_id)],
                "units": units, "units_note": None, "deadline": deadline,
                **({"due": extra["due"]} if "due" in extra else {}), "status": status, "progress": extra.get("progress", []),
                **({"extensions": extra["extensions"]} if "extensions" in extra else {})}
        head = f"# 措施 {measure_id}\n" if measure_id % 2 == 0 else ""
        (folder / file_name(measure_id)).write_text(
            head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder
