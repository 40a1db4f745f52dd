"""Overdue, due soon, due before/after (SPEC §3), through the real CLI and the query functions."""
from __future__ import annotations

import json
from datetime import date

import pytest

from measure_files import insert_before, measure_data, replace_line
from portcli import query
from portcli.load import load


@pytest.fixture
def run(run_in_chinese):
    """These tests read the reports' Chinese words: the commands speak Chinese."""
    return run_in_chinese


DATA = measure_data()
MAY = sorted(i for i, d in DATA.items() if d["deadline"].startswith("5月底前"))
EXTERNAL = sorted(i for i, d in DATA.items() if d["deadline"].startswith("按照"))
MILESTONE = sorted(i for i, d in DATA.items() if "取得阶段性进展" in d["deadline"])


def ids(result) -> list[int]:
    assert result.exit_code == 0, result.stderr
    return [m["id"] for m in json.loads(result.stdout)]


def table_ids(result) -> list[int]:
    """The ids in the first column of a table's rows, in order."""
    assert result.exit_code == 0, result.stderr
    return [int(line.split()[0]) for line in result.stdout.splitlines() if _is_row(line)]


def _is_row(line: str) -> bool:
    """A table row starts with the measure's id and its key-task number."""
    words = line.split()
    return len(words) > 2 and words[0].isdigit() and words[1].isdigit()


def test_the_document_has_20_may_deadlines_and_5_national_schedules():
    assert len(MAY) == 20 and len(EXTERNAL) == 5
    assert set(MAY) | set(EXTERNAL) == set(DATA)


def test_overdue_mid_june_is_the_20_may_measures(run, measures_dir):
    result = run("overdue", "--as-of", "2022-06-15", "--dir", measures_dir, "-f", "json")
    rows = json.loads(result.stdout)
    assert [m["id"] for m in rows] == MAY  # all 15 days late, so by id
    assert {(m["overdue"], m["days_overdue"], m["due"]) for m in rows} == {(True, 15, "2022-05-31")}
    table = run("overdue", "--as-of", "2022-06-15", "--dir", measures_dir)
    assert table_ids(table) == MAY
    assert "逾期天数" in table.stdout
    for line in table.stdout.splitlines():
        if _is_row(line):
            assert " 15 " in line and "2022-05-31" in line


@pytest.mark.parametrize("as_of", ["2022-05-31", "2022-05-01", "2022-01-01"])
def test_nothing_is_overdue_on_or_before_the_due_day(run, measures_dir, as_of):
    assert ids(run("overdue", "--as-of", as_of, "--dir", measures_dir, "-f", "json")) == []
    table = run("overdue", "--as-of", as_of, "--dir", measures_dir)
    assert table_ids(table) == [] and "0 项措施" in table.stdout


def test_one_day_after_the_due_day_is_one_day_overdue(run, measures_dir):
    rows = json.loads(run("overdue", "--as-of", "2022-06-01", "--dir", measures_dir, "-f", "json").stdout)
    assert [m["id"] for m in rows] == MAY and {m["days_overdue"] for m in rows} == {1}


def test_most_overdue_first_with_days(run, measures_dir):
    insert_before(measures_dir / "14.yaml", "status:", "due: 2022-04-30")
    insert_before(measures_dir / "02.yaml", "status:", "due: 2022-06-10")
    replace_line(measures_dir / "25.yaml", "progress:", "progress: []\nextensions:\n"
                 "  - {date: 2022-05-01, from: 2022-05-31, to: 2022-06-14, by: 市商务局, reason: 系统联调}")
    as_of = date(2022, 6, 15)
    rows = json.loads(run("overdue", "--as-of", as_of.isoformat(), "--dir", measures_dir, "-f", "json").stdout)
    middle = [i for i in MAY if i not in (14, 2, 25)]
    assert [m["id"] for m in rows] == [14, *middle, 2, 25]
    days = {m["id"]: m["days_overdue"] for m in rows}
    assert days[14] == (as_of - date(2022, 4, 30)).days == 46
    assert days[2] == (as_of - date(2022, 6, 10)).days
    assert days[25] == (as_of - date(2022, 6, 14)).days == 1
    assert {days[i] for i in middle} == {15}
    assert table_ids(run("overdue", "--as-of", as_of.isoformat(), "--dir", measures_dir)) == [14, *middle, 2, 25]


def test_done_is_never_overdue(run, measures_dir):
    replace_line(measures_dir / "14.yaml", "status:", "status: done")
    replace_line(measures_dir / "16.yaml", "status:", "status: 已完成")
    found = ids(run("overdue", "--as-of", "2022-06-15", "--dir", measures_dir, "-f", "json"))
    assert found == [i for i in MAY if i not in (14, 16)]


def test_reached_milestone_is_not_overdue_but_a_dated_measure_in_ongoing_is(run, measures_dir):
    milestone, dated = MILESTONE[0], next(i for i in MAY if i not in MILESTONE)
    for i in (milestone, dated):
        replace_line(measures_dir / f"{i:02d}.yaml", "status:", "status: ongoing")
    found = ids(run("overdue", "--as-of", "2022-06-15", "--dir", measures_dir, "-f", "json"))
    assert milestone not in found and dated in found
    soon = ids(run("list", "--due-soon", "--as-of", "2022-05-20", "--dir", measures_dir, "-f", "json"))
    assert milestone not in soon and dated in soon
    # in progress, the milestone measure is late like any other
    replace_line(measures_dir / f"{milestone:02d}.yaml", "status:", "status: in_progress")
    assert milestone in ids(run("overdue", "--as-of", "2022-06-15", "--dir", measures_dir, "-f", "json"))


def test_national_schedule_is_never_overdue_until_given_a_due_date(run, measures_dir):
    far = ids(run("overdue", "--as-of", "2030-01-01", "--dir", measures_dir, "-f", "json"))
    assert far == MAY and not set(EXTERNAL) & set(far)
    insert_before(measures_dir / "10.yaml", "status:", "due: 2022-06-05")
    rows = json.loads(run("overdue", "--as-of", "2022-06-15", "--dir", measures_dir, "-f", "json").stdout)
    assert [m["id"] for m in rows] == [*MAY, 10]  # 10 is the least late: 10 days
    late = rows[-1]
    assert (late["deadline_kind"], late["due"], late["due_source"], late["days_overdue"]) == (
        "external", "2022-06-05", "due", 10)


@pytest.mark.parametrize("unit", ["天津海事局", "天津港集团", "市市场监管委"])
def test_overdue_filtered_by_unit(run, measures_dir, unit):
    expected = [i for i in MAY if unit in DATA[i]["units"]]
    assert expected and expected != MAY
    assert ids(run("overdue", "--as-of", "2022-06-15", "--unit", unit, "--dir", measures_dir, "-f", "json")) == expected


def test_overdue_unknown_unit_exits_2(run, measures_dir):
    result = run("overdue", "--as-of", "2022-06-15", "--unit", "海关总署", "--dir", measures_dir)
    assert result.exit_code == 2 and "海关总署" in result.stderr and result.stdout == ""


# --- due soon ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("as_of", "args", "expected"), [
    ("2022-05-17", (), MAY),                # 14 days ahead: the default window's last day
    ("2022-05-16", (), []),                 # 15 days ahead
    ("2022-05-16", ("15",), MAY),
    ("2022-05-01", ("30",), MAY),
    ("2022-05-31", ("0",), MAY),            # due today is due soon, not overdue
    ("2022-06-01", (), []),                 # overdue is not due soon
    ("2022-06-01", ("365",), []),
])
def test_due_soon(run, measures_dir, as_of, args, expected):
    assert ids(run("list", "--due-soon", *args, "--as-of", as_of, "--dir", measures_dir, "-f", "json")) == expected


def test_due_soon_equals_form_and_alone_before_another_option(run, measures_dir):
    assert ids(run("list", "--due-soon=30", "--as-of", "2022-05-01", "--dir", measures_dir, "-f", "json")) == MAY
    # `--due-soon` directly followed by another option takes the default of 14 days
    assert ids(run("list", "--as-of", "2022-05-16", "--due-soon", "--dir", measures_dir, "-f", "json")) == []
    assert ids(run("list", "--as-of", "2022-05-17", "--due-soon", "--dir", measures_dir, "-f", "json")) == MAY


def test_due_soon_query_function_default_is_14_days(measures_dir):
    measures = load(measures_dir).measures
    assert query.DEFAULT_DUE_SOON_DAYS == 14
    assert [m.id for m in query.due_soon(measures, date(2022, 5, 17))] == MAY
    assert query.due_soon(measures, date(2022, 5, 16)) == []


# --- due before / after ----------------------------------------------------------------------------

@pytest.mark.parametrize(("option", "day", "expected"), [
    ("--due-before", "2022-05-31", []),     # strict
    ("--due-before", "2022-06-01", MAY),
    ("--due-before", "2099-01-01", MAY),    # never a measure without a due date
    ("--due-after", "2022-05-31", []),      # strict
    ("--due-after", "2022-05-30", MAY),
    ("--due-after", "1999-01-01", MAY),
])
def test_due_before_and_after(run, measures_dir, option, day, expected):
    assert ids(run("list", option, day, "--dir", measures_dir, "-f", "json")) == expected


def test_due_before_and_after_use_the_effective_due_date(run, measures_dir):
    insert_before(measures_dir / "10.yaml", "status:", "due: 2022-09-30")
    assert ids(run("list", "--due-after", "2022-06-01", "--dir", measures_dir, "-f", "json")) == [10]
    between = run("list", "--due-after", "2022-05-01", "--due-before", "2022-06-01", "--dir", measures_dir,
                  "-f", "json")
    assert ids(between) == MAY
