"""`portcli remind`: a unit's 催办通知 (issue 11, item 4), on a folder whose deadlines, statuses, progress
and extensions differ (tests/varied.py), with progress added below. Every expectation is worked out by
hand from these tables, as of 2022-06-15, the plan starting on 2022-01-01 (no `start:`): a measure
with no progress filed by then has been silent 165 days (31+28+31+30+31+14).

天津海关's measures (varied.py's table, plus the progress here):
id  role   due          status        progress filed by 06-15     on 2022-06-15
 2  lead   2022-06-20   in_progress   one dated 06-20 (later)     due in 5, silent 165
 5  lead   2022-06-30   in_progress   2022-05-31                  due in 15 (not soon at 14), silent 15
 7  lead   2022-03-31   done          —                           done: never chased
 9  lead   —            in_progress   2022-05-10                  no date, silent 36
11  lead   2022-06-25   in_progress   2022-06-01                  due in 10, silent 14 (not stale: > 14)
 1  co-op  2022-05-31   in_progress   —                           overdue 15, silent 165 (lead 市商务局)
 4  co-op  2022-04-30   blocked       04-10, 04-20 (no by/note)   overdue 46, silent 56 (lead 天津海事局)
 8  co-op  milestone    ongoing       —                           milestone met; silent 165 (lead 市发展改革委)
"""
from __future__ import annotations

import os
import re
import stat
from datetime import date
from pathlib import Path

import pytest
import yaml

import varied

AS_OF = "2022-06-15"
PROGRESS = {
    2: ("in_progress", [{"date": date(2022, 6, 20), "status": "in_progress", "by": "天津海关", "note": "将于下周对接"}]),
    5: ("in_progress", [{"date": date(2022, 5, 31), "status": "in_progress", "by": "天津海关", "note": "完成方案"}]),
    9: ("in_progress", [{"date": date(2022, 5, 10), "status": "in_progress", "by": "天津海关", "note": "已上报总署"}]),
    11: ("in_progress", [{"date": date(2022, 6, 1), "status": "in_progress", "by": "天津海关", "note": "系统联调"}]),
}


def write_folder(folder: Path) -> Path:
    varied.write(folder)
    for measure_id, (status, progress) in PROGRESS.items():
        path = folder / varied.file_name(measure_id)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["status"], data["progress"] = status, progress
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture
def folder(tmp_path) -> Path:
    return write_folder(tmp_path / "measures")


def sections(markdown: str) -> dict[str, list[list[str]]]:
    """Each `### heading` of a notice → its table's rows (cells as written), the header row aside."""
    out: dict[str, list[list[str]]] = {}
    heading = None
    for line in markdown.splitlines():
        if line.startswith("### "):
            heading = line[4:].split(":")[0]
            out[heading] = []
        elif heading and line.startswith("| ") and not line.startswith("| ID "):
            out[heading].append([cell.strip() for cell in line.strip("|").split(" | ")])
    return out


def ids(rows: list[list[str]]) -> list[int]:
    return [int(row[0]) for row in rows]


def test_a_units_notice_lists_lead_then_cooperating_measures_each_in_its_order(run, folder):
    result = run("remind", "--dir", folder, "--unit", "天津海关", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("## Reminder notice: 天津海关\n")
    assert "To 中华人民共和国天津海关:" in out  # the registry's full name
    assert "**2 overdue · 2 due within 14 days · 6 silent for more than 14 days**" in out
    found = sections(out)
    assert list(found) == ["Lead measures", "Co-operating measures"]
    # lead: due soon, soonest first (2 in 5 days, 11 in 10), then silent, longest first (9: 36 days, 5: 15)
    assert ids(found["Lead measures"]) == [2, 11, 9, 5]
    # co-operating: overdue, most overdue first (4: 46 days, 1: 15), then silent (8)
    assert ids(found["Co-operating measures"]) == [4, 1, 8]
    lead = {int(row[0]): row for row in found["Lead measures"]}
    assert lead[2][1:] == ["due in 5 days; no progress for 165 days", "2022-06-20", varied.local(2), "none reported"]
    assert lead[11][1:] == ["due in 10 days", "2022-06-25", varied.local(11), "2022-06-01 天津海关: 系统联调"]
    assert lead[9][1:] == ["no progress for 36 days", "—", varied.local(9), "2022-05-10 天津海关: 已上报总署"]
    assert lead[5][1:] == ["no progress for 15 days", "2022-06-30", varied.local(5), "2022-05-31 天津海关: 完成方案"]
    co = {int(row[0]): row for row in found["Co-operating measures"]}
    assert co[4][1:] == ["天津海事局", "46 days overdue; no progress for 56 days", "2022-04-30", varied.local(4),
                         "2022-04-20: blocked"]
    assert co[1][1:3] == ["市商务局", "15 days overdue; no progress for 165 days"]
    assert co[8][1:4] == ["市发展改革委", "no progress for 165 days", "2022-05-31"]


def test_the_stale_and_due_soon_windows_change_what_is_chased(run, folder):
    def chased(*args: str) -> dict[str, list[int]]:
        result = run("remind", "--dir", folder, "--unit", "海关", "--as-of", AS_OF, *args)
        assert result.exit_code == 0, result.stderr
        return {heading: ids(rows) for heading, rows in sections(result.stdout).items()}

    # 40 days: 9 (36) and 5 (15) are no longer silent; 2 and 11 are still due soon, 4 (56) and 8 still silent
    assert chased("--stale", "40") == {"Lead measures": [2, 11], "Co-operating measures": [4, 1, 8]}
    # due soon within 3 days: 2 (in 5) is chased as silent (165) instead, 11 (in 10, silent 14) not at all
    assert chased("--due-soon", "3") == {"Lead measures": [2, 9, 5], "Co-operating measures": [4, 1, 8]}
    # 15 days takes in 5 (due in 15), which moves from the silent to the due-soon group
    assert chased("--due-soon", "15") == {"Lead measures": [2, 11, 5, 9], "Co-operating measures": [4, 1, 8]}


def test_due_soon_follows_the_plans_yellow_days(run, folder):
    plan = folder / "_plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "lights: {yellow_days: 7}\n", encoding="utf-8")
    result = run("remind", "--dir", folder, "--unit", "天津海关", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    # 7 days: 2 (in 5) is due soon, 11 (in 10, silent 14) is not chased
    assert ids(sections(result.stdout)["Lead measures"]) == [2, 9, 5]
    assert "1 due within 7 days" in result.stdout


def test_plain_text_says_the_same(run, folder):
    result = run("remind", "--dir", folder, "--unit", "天津海关", "--as-of", AS_OF, "--format", "text")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Reminder notice: 天津海关"
    assert [int(n) for n in re.findall(r"^Measure (\d+)  ", result.stdout, re.M)] == [2, 11, 9, 5, 4, 1, 8]
    at = lines.index("Measure 4  Lead unit: 天津海事局  46 days overdue; no progress for 56 days  Due: 2022-04-30")
    assert lines[at + 1:at + 3] == ["  " + varied.local(4), "  Latest progress: 2022-04-20: blocked"]
    assert lines.index("Co-operating measures: 3") < at
    assert "|" not in result.stdout and "#" not in result.stdout


def test_the_notice_speaks_chinese(run, folder):
    result = run("remind", "--dir", folder, "--unit", "天津海关", "--as-of", AS_OF, env={"PORTCLI_LANG": "zh"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("## 催办通知：天津海关\n\n中华人民共和国天津海关：\n")
    assert "**逾期 2 项 · 14 天内到期 2 项 · 超过 14 天未报送进展 6 项**" in result.stdout
    assert "### 牵头措施：4" in result.stdout and "### 配合措施：3" in result.stdout
    assert "| 4 | 天津海事局 | 逾期 46 天；56 天未报送进展 | 2022-04-30 |" in result.stdout


def test_a_unit_with_nothing_to_chase_is_one_line_and_exit_0(run, folder):
    # 市交通运输委 has measure 3 only, due 2023-12-31: chased only as silent (165 days), not past 200
    result = run("remind", "--dir", folder, "--unit", "市交通运输委", "--as-of", AS_OF, "--stale", "200")
    assert result.exit_code == 0
    assert result.stdout == ("市交通运输委: nothing to chase as of 2022-06-15: no measure is overdue, due soon or silent "
                             "for more than 200 days\n")
    assert result.stderr == ""
    assert run("remind", "--dir", folder, "--unit", "市交通运输委", "--as-of", AS_OF).stdout.startswith("## ")


@pytest.mark.parametrize("args, words", [
    ((), "--unit"),
    (("--unit", "天津海关", "--unit", "市商务局"), "--output-dir"),
    (("--unit", "天津海关", "--stale", "-1"), "--stale"),
    (("--unit", "天津海关", "--stale", "99999999"), "--stale"),
    (("--unit", "nosuchunit"), "unknown unit"),
])
def test_a_wrong_command_line_is_one_line_and_exit_2(run, folder, args, words):
    result = run("remind", "--dir", folder, "--as-of", AS_OF, *args)
    assert result.exit_code == 2
    assert words in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def registry(folder: Path) -> list[str]:
    return [u["name"] for u in yaml.safe_load((folder / "_plan.yaml").read_text(encoding="utf-8"))["units"]]


def test_output_dir_writes_a_notice_for_each_unit_with_anything_to_chase(run, folder, tmp_path):
    target = tmp_path / "notices"
    result = run("remind", "--dir", folder, "--as-of", AS_OF, "--output-dir", target)
    assert result.exit_code == 0, result.stderr
    # Every unit named in a measure has something silent or late (3: 市交通运输委 silent 165, 10: 天津港集团
    # overdue 5 days); the registry's other units have no measures at all.
    named = {"市商务局", "天津海关", "市交通运输委", "天津海事局", "市发展改革委", "天津港集团"}
    expected = [name for name in registry(folder) if name in named]
    assert result.stdout.splitlines() == [f"wrote {target / name}.md" for name in expected]
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{name}.md" for name in expected)
    alone = run("remind", "--dir", folder, "--unit", "天津海关", "--as-of", AS_OF).stdout
    assert (target / "天津海关.md").read_text(encoding="utf-8") == alone
    text = run("remind", "--dir", folder, "--as-of", AS_OF, "--output-dir", target, "--format", "text",
               "--unit", "天津港集团", "--unit", "市交通运输委", "--stale", "200")
    # with 200 days, 市交通运输委's one measure is not chased: only 天津港集团's file is written
    assert text.stdout == f"wrote {target / '天津港集团'}.txt\n"
    assert (target / "天津港集团.txt").read_text(encoding="utf-8").startswith("Reminder notice: 天津港集团\n")


def test_output_dir_with_nothing_to_chase_writes_nothing(run, folder, tmp_path):
    result = run("remind", "--dir", folder, "--as-of", "2022-01-10", "--output-dir", tmp_path / "none")
    assert result.exit_code == 0
    assert result.stdout.startswith("nothing to chase as of 2022-01-10")
    assert not (tmp_path / "none").exists()


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_an_output_dir_that_is_a_file_is_refused_before_anything(run, folder, tmp_path):
    (tmp_path / "taken").write_text("keep", encoding="utf-8")
    before = tree(tmp_path)
    result = run("remind", "--dir", folder, "--as-of", AS_OF, "--output-dir", tmp_path / "taken")
    assert result.exit_code == 2
    assert result.stderr == f"portcli: {tmp_path / 'taken'} exists and is not a folder: give a folder for the files\n"
    assert tree(tmp_path) == before and (tmp_path / "taken").read_text(encoding="utf-8") == "keep"
    beneath = run("remind", "--dir", folder, "--as-of", AS_OF, "--output-dir", tmp_path / "taken" / "sub")
    assert beneath.exit_code == 2 and beneath.stderr.startswith("portcli: cannot write in ")
    assert "nothing was written" in beneath.stderr and len(beneath.stderr.splitlines()) == 1
    assert tree(tmp_path) == before


def test_a_folder_that_cannot_take_one_file_gets_none(run, folder, tmp_path):
    target = tmp_path / "notices"
    target.mkdir()
    (target / "old.md").write_text("last week", encoding="utf-8")
    (target / "天津海关.md").mkdir()  # the second unit's file cannot replace a folder
    result = run("remind", "--dir", folder, "--as-of", AS_OF, "--output-dir", target)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"portcli: cannot write in {target / '天津海关.md'}: ")
    assert result.stdout == ""
    assert tree(target) == {"old.md", "天津海关.md"}  # 市商务局.md, written first, is not there either


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in a read-only folder")
def test_a_read_only_folder_gets_nothing(run, folder, tmp_path):
    target = tmp_path / "ro"
    target.mkdir()
    target.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = run("remind", "--dir", folder, "--as-of", AS_OF, "--output-dir", target)
    finally:
        target.chmod(stat.S_IRWXU)
    assert result.exit_code == 2 and "nothing was written" in result.stderr
    assert list(target.iterdir()) == []


# Unit names a _plan.yaml may hold, and the file name each must become, worked out by the rules of
# SPEC (Windows' characters become _, a leading dot _, trailing dots and spaces go, a reserved name
# gets _ before its first dot, at most 150 bytes).
HOSTILE = {
    "../evil": "_._evil",
    "/etc/evil": "_etc_evil",
    "..": "_",
    "a\\b": "a_b",
    "a:b": "a_b-2",  # the second unit named a_b once made safe
    "a_b": "a_b-3",
    "CON": "CON_",
    "nul.txt": "nul_.txt",
    "com1 .x": "com1 _.x",
    "trailing. ": "trailing",
    " lead": "lead",
    "\u202etxt.exe": "_txt.exe",
    "x" * 300: "x" * 150,
    "天" * 60: "天" * 50,  # 3 bytes each
}


def hostile_folder(folder: Path) -> Path:
    """The folder, its plan registering the hostile names, measure 3 (silent 165 days) naming them all."""
    plan = yaml.safe_load((folder / "_plan.yaml").read_text(encoding="utf-8"))
    plan["units"] += [{"name": n, "full_name": n, "english": n, "aliases": []} for n in HOSTILE]
    (folder / "_plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    path = folder / varied.file_name(3)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["units"] = ["市交通运输委", *HOSTILE]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", [("remind", "--output-dir"), ("export", "--format", "csv", "--per-unit")])
def test_hostile_unit_names_write_nothing_outside_the_folder(run, folder, tmp_path, command):
    hostile_folder(folder)
    work = tmp_path / "work"
    target = work / "out"
    work.mkdir()
    result = run(*command, target, "--dir", folder, "--as-of", AS_OF, "--unit", "市交通运输委",
                 *[arg for name in HOSTILE for arg in ("--unit", name)])
    assert result.exit_code == 0, result.stderr
    suffix = ".md" if command[0] == "remind" else ".csv"
    expected = ["市交通运输委" + suffix] + [name + suffix for name in HOSTILE.values()]
    assert sorted(tree(work)) == sorted(["out", *(f"out/{name}" for name in expected)])
    assert result.stdout.splitlines() == [f"wrote {target / name}" for name in expected]
    assert not list(tmp_path.glob("*evil*")) and not list(Path("/etc").glob("evil*"))


def test_several_plans_name_each_measure_plan_id(run, tmp_path):
    root = tmp_path / "measures"
    write_folder(root / "2022-甲")
    varied.write(root / "2023-乙")
    plan = root / "2023-乙" / "_plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("2022", "2023"), encoding="utf-8")
    result = run("remind", "--dir", root, "--unit", "天津海事局", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    # measure 4 in each: led by 天津海事局; in 2022 overdue 46 days, in 2023 due 2023-04-30 and silent 56 days
    rows = sections(result.stdout)["Lead measures"]
    assert [row[:3] for row in rows] == [["2022-甲:4", "46 days overdue; no progress for 56 days", "2022-04-30"],
                                         ["2023-乙:4", "no progress for 56 days", "2023-04-30"]]
    assert "天津口岸2022年" in result.stdout and "天津口岸2023年" in result.stdout


def test_ties_across_plans_go_by_plan_then_id(run, tmp_path):
    # Two 2022 plans. In 2-乙, measure 1 is rewritten to be led by 天津海事局 and due 4月底前: 46 days
    # overdue on 06-15, as measure 4 is in both plans. Same kind, same days: the plan decides first,
    # then the id, so 1-甲:4 comes before 2-乙:1 although its id is higher.
    root = tmp_path / "measures"
    write_folder(root / "1-甲")
    varied.write(root / "2-乙")
    path = root / "2-乙" / varied.file_name(1)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["units"], data["deadline"] = ["天津海事局"], "4月底前"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = run("remind", "--dir", root, "--unit", "天津海事局", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    rows = sections(result.stdout)["Lead measures"]
    # 2-乙:1 has no progress: silent since the plan's start, 2022-01-01 (165 days); the 4s since 04-20 (56)
    assert [row[:2] for row in rows] == [["1-甲:4", "46 days overdue; no progress for 56 days"],
                                         ["2-乙:1", "46 days overdue; no progress for 165 days"],
                                         ["2-乙:4", "46 days overdue; no progress for 56 days"]]
