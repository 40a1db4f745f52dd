"""`show`, `report` and `units` (SPEC §4, §5), checked against counts derived from the YAML files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from measure_files import measure_data, plan_data, replace_line


@pytest.fixture
def run(run, run_in_chinese, request):
    """These tests read the reports' Chinese words: the commands speak Chinese."""
    # a test marked `english` quotes English messages
    return run if request.node.get_closest_marker("english") else run_in_chinese


PLAN = plan_data()
WIDE = {"COLUMNS": "1000"}  # long texts stay on one line, so they can be found whole

PROGRESS = ("progress:\n"
            "  - {date: 2022-05-10, status: in_progress, by: 天津海关, note: 完成系统对接测试}\n"
            "  - {date: 2022-05-28, status: 持续推进, by: 天津港集团, note: 试点扩大到北疆港区}")


# --- show ----------------------------------------------------------------------------------------

def test_show_table_has_everything(run, measures_dir):
    replace_line(measures_dir / "14.yaml", "progress:", PROGRESS)
    result = run("show", "14", "--as-of", "2022-06-15", "--dir", measures_dir, env=WIDE)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    data = measure_data(measures_dir)[14]
    task = next(t for t in PLAN["tasks"] if t["id"] == data["task"])
    assert f"措施 14" in out and task["title"] in out and f"重点任务{task['numeral']}" in out
    assert data["national"] in out
    for i, item in enumerate(data["local"], 1):
        assert f"{i}.{item}" in out
    lead, *others = data["units"]
    assert "、".join([f"{lead}（牵头）", *others]) in out
    assert "5月底前（限期）" in out
    assert "2022-05-31" in out and "逾期 15 天" in out
    assert "持续推进" in out  # the status label of the last progress entry
    for line in ("2022-05-10   推进中     天津海关     完成系统对接测试", "2022-05-28   持续推进   天津港集团   试点扩大到北疆港区"):
        assert " ".join(line.split()) in [" ".join(row.split()) for row in out.splitlines()]
    assert "14.yaml" in out


def test_show_external_and_own_measures(run, measures_dir):
    external = run("show", "10", "--dir", measures_dir, env=WIDE).stdout
    assert "按照海关总署统一部署推动实施（按上级部署：海关总署）" in external
    assert "分工说明" in external and "按照职责分工负责" in external
    assert "无（不设日期）" in external
    own = run("show", "25", "--as-of", "2022-05-20", "--dir", measures_dir, env=WIDE).stdout
    assert "阶段目标" in own and "天津市自定任务" in own and "11 天后到期" in own


def test_show_json_is_one_object(run, measures_dir):
    replace_line(measures_dir / "14.yaml", "progress:", PROGRESS)
    result = run("show", "14", "--as-of", "2022-06-15", "--dir", measures_dir, "-f", "json")
    assert result.exit_code == 0 and "\\u" not in result.stdout
    shown = json.loads(result.stdout)
    data = measure_data(measures_dir)[14]
    for key in ("id", "task", "national", "local", "units", "units_note", "deadline"):
        assert shown[key] == data[key]
    assert shown["progress"] == [
        {"date": "2022-05-10", "status": "in_progress", "by": "天津海关", "note": "完成系统对接测试"},
        {"date": "2022-05-28", "status": "ongoing", "by": "天津港集团", "note": "试点扩大到北疆港区"},
    ]
    assert (shown["lead"], shown["deadline_kind"], shown["due"], shown["due_source"]) == (
        data["units"][0], "date", "2022-05-31", "deadline")
    assert (shown["overdue"], shown["days_overdue"]) == (True, 15)
    assert Path(shown["file"]).name == "14.yaml"


@pytest.mark.english
def test_show_unknown_id_exits_2(run, measures_dir):
    result = run("show", "99", "--dir", measures_dir)
    assert result.exit_code == 2 and result.stdout == ""
    assert "no measure with id 99" in result.stderr


@pytest.mark.english
def test_show_id_0_is_no_id_at_all(run, measures_dir):
    result = run("show", "0", "--dir", measures_dir)  # ids are whole numbers above 0 (SPEC §2)
    assert result.exit_code == 2 and result.stdout == ""
    assert "Invalid value for 'ID': 0 is not in the range 1<=x<=" in result.stderr


@pytest.mark.english
def test_show_non_number_exits_2(run, measures_dir):
    result = run("show", "fourteen", "--dir", measures_dir)
    assert result.exit_code == 2 and result.stdout == ""
    assert "Invalid value for 'ID'" in result.stderr and "Traceback" not in result.stderr


# --- report --------------------------------------------------------------------------------------

@pytest.fixture
def progressed(measures_dir) -> Path:
    """Some measures moved on: two done, a milestone reached, one blocked."""
    replace_line(measures_dir / "14.yaml", "status:", "status: done")
    replace_line(measures_dir / "16.yaml", "status:", "status: 已完成")
    replace_line(measures_dir / "25.yaml", "status:", "status: ongoing")  # a milestone: reached
    replace_line(measures_dir / "13.yaml", "status:", "status: blocked")
    return measures_dir


def expected_report(directory: Path, overdue_ids: set[int]) -> list[dict]:
    """Per-unit rows worked out from the files, in registry order, units without measures left out."""
    data = measure_data(directory)
    rows = []
    for unit in (u["name"] for u in PLAN["units"]):
        mine = [d for d in data.values() if unit in d["units"]]
        if mine:
            rows.append({"unit": unit, "lead": sum(d["units"][0] == unit for d in mine), "involved": len(mine),
                         "done": sum(d["status"] in ("done", "已完成") for d in mine),
                         "overdue": sum(d["id"] in overdue_ids for d in mine)})
    return rows


def overdue_mid_june(directory: Path) -> set[int]:
    return {i for i, d in measure_data(directory).items()
            if d["deadline"].startswith("5月底前") and d["status"] not in ("done", "已完成")
            and not ("取得阶段性进展" in d["deadline"] and d["status"] == "ongoing")}


def test_report_per_unit_table(run, progressed):
    late = overdue_mid_june(progressed)
    assert 14 not in late and 25 not in late and 13 in late
    result = run("report", "--as-of", "2022-06-15", "--dir", progressed)
    assert result.exit_code == 0, result.stderr
    rows = {}
    for line in result.stdout.splitlines():
        words = line.split()
        if len(words) > 5 and words[0] in {u["name"] for u in PLAN["units"]} and words[1].isdigit():
            rows[words[0]] = {"unit": words[0], "lead": int(words[1]), "involved": int(words[2]),
                              "done": int(words[3]), "overdue": int(words[4])}
    assert list(rows.values()) == expected_report(progressed, late)
    assert "截至 2022-06-15" in result.stdout
    assert f"逾期 {len(late)} 项" in result.stdout and "已完成 2 项（8.0%）" in result.stdout


def test_report_lists_each_overdue_measure_with_lead_and_days(run, progressed):
    data = measure_data(progressed)
    late = sorted(overdue_mid_june(progressed))
    out = run("report", "--as-of", "2022-06-15", "--dir", progressed).stdout
    listing = out[out.index("逾期："):out.index("即将到期：")]
    lines = [line.split() for line in listing.splitlines()[1:]]
    assert [int(words[0]) for words in lines] == late
    for words in lines:
        assert words[1:5] == [data[int(words[0])]["units"][0], "2022-05-31", "逾期", "15"], words


def test_report_json(run, progressed):
    late = overdue_mid_june(progressed)
    result = run("report", "--as-of", "2022-06-15", "--dir", progressed, "-f", "json")
    assert result.exit_code == 0 and "\\u" not in result.stdout
    report = json.loads(result.stdout)
    data = measure_data(progressed)
    assert report["as_of"] == "2022-06-15"
    assert report["total"] == len(data) == 25
    assert report["by_status"] == {"not_started": 21, "in_progress": 0, "blocked": 1, "ongoing": 1, "done": 2}
    assert report["overdue"] == sorted(late)
    assert report["due_soon"] == []
    assert [{k: r[k] for k in ("unit", "lead", "involved", "done", "overdue")} for r in report["units"]] == \
        expected_report(progressed, late)


def test_report_json_due_soon(run, measures_dir):
    may = sorted(i for i, d in measure_data().items() if d["deadline"].startswith("5月底前"))
    report = json.loads(run("report", "--as-of", "2022-05-20", "--dir", measures_dir, "-f", "json").stdout)
    assert (report["overdue"], report["due_soon"]) == ([], may)


@pytest.mark.parametrize(("fail_on", "as_of", "code"), [
    ("overdue", "2022-06-15", 1),
    ("overdue", "2022-05-01", 0),
    ("overdue", "2022-05-20", 0),       # due soon is not overdue
    ("due-soon", "2022-05-20", 1),      # due within 14 days
    ("due-soon", "2022-06-15", 1),      # overdue counts too
    ("due-soon", "2022-05-01", 0),      # 30 days ahead
    ("never", "2022-06-15", 0),
    (None, "2022-06-15", 0),            # never is the default
])
def test_report_fail_on(run, measures_dir, fail_on, as_of, code):
    args = ("--fail-on", fail_on) if fail_on else ()
    result = run("report", "--as-of", as_of, *args, "--dir", measures_dir)
    assert result.exit_code == code, result.stderr
    assert "各单位" in result.stdout  # the report is printed whatever the exit code
    assert result.stderr == ""


def test_report_fail_on_unknown_value_exits_2(run, measures_dir):
    result = run("report", "--fail-on", "late", "--dir", measures_dir)
    assert result.exit_code == 2 and "late" in result.stderr


def test_report_of_one_unit(run, measures_dir):
    naming = [i for i, d in measure_data().items() if "天津海事局" in d["units"]]
    report = json.loads(run("report", "--unit", "海事局", "--as-of", "2022-06-15", "--dir", measures_dir,
                            "-f", "json").stdout)
    assert report["unit"] == "天津海事局" and report["total"] == len(naming)
    assert [r["unit"] for r in report["units"]] == ["天津海事局"]


# --- units ---------------------------------------------------------------------------------------

def _counts(short: str) -> tuple[int, int]:
    data = measure_data().values()
    return sum(d["units"][0] == short for d in data), sum(short in d["units"] for d in data)


def test_units_json(run, measures_dir):
    result = run("units", "--dir", measures_dir, "-f", "json")
    assert result.exit_code == 0 and "\\u" not in result.stdout
    rows = json.loads(result.stdout)
    assert [r["name"] for r in rows] == [u["name"] for u in PLAN["units"]]
    assert len(rows) == 14
    for r, unit in zip(rows, PLAN["units"]):
        assert (r["full_name"], r["english"], r["aliases"]) == (unit["full_name"], unit["english"], unit["aliases"])
        assert (r["lead"], r["involved"]) == _counts(unit["name"])
    assert sum(r["lead"] for r in rows) == 25


def test_units_table(run, measures_dir):
    result = run("units", "--dir", measures_dir)
    assert result.exit_code == 0
    lines = [line.split() for line in result.stdout.splitlines()]
    for unit in PLAN["units"]:
        line = next(words for words in lines if words[:1] == [unit["name"]])
        assert unit["full_name"] in line
        assert [int(n) for n in line[-2:]] == list(_counts(unit["name"]))


@pytest.mark.parametrize("columns", [80, 120])
def test_report_and_units_fit_a_narrow_terminal(run, measures_dir, columns):
    from rich.cells import cell_len

    env = {"COLUMNS": str(columns)}
    data = measure_data()
    report = run("report", "--as-of", "2022-06-15", "--dir", measures_dir, env=env).stdout
    units = run("units", "--dir", measures_dir, env=env).stdout
    for out in (report, units):
        assert max(cell_len(line) for line in out.splitlines()) <= columns
    listing = report[report.index("逾期："):report.index("即将到期：")].splitlines()[1:]
    for line in listing:
        words = line.split()
        assert words[1:5] == [data[int(words[0])]["units"][0], "2022-05-31", "逾期", "15"]
    # every short name stays whole on one line, whatever the width; with room, every alias too
    lines = [line.split() for line in units.splitlines()]
    for unit in PLAN["units"]:
        assert any(words[:1] == [unit["name"]] for words in lines)
        if columns >= 120:
            for alias in unit["aliases"]:
                assert alias in units, alias


@pytest.mark.english
def test_show_of_a_measure_whose_file_is_invalid_points_at_the_file(run, measures_dir):
    broken = measures_dir / "05.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("status: not_started", "status: started"),
                      encoding="utf-8")
    result = run("show", "5", "--dir", measures_dir)
    assert result.exit_code == 2
    assert f"no measure with id 5; it may be in the invalid file above ({broken})" in result.stderr
