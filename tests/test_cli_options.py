"""Options behave the same way everywhere: a repeat means any (or all, for --search), a value that
names nothing is exit 2, and nothing is filled in silently."""
from __future__ import annotations

import json

import pytest

from measure_files import measure_data, replace_line

AS_OF = ("--as-of", "2022-06-15")


def ids(result) -> list[int]:
    assert result.exit_code == 0, result.stderr
    return [m["id"] for m in json.loads(result.stdout)]


def test_a_repeated_task_means_any_of_them(run, measures_dir):
    data = measure_data(measures_dir)
    expected = sorted(i for i, m in data.items() if m["task"] in (5, 10))
    assert ids(run("list", "--task", "5", "--task", "10", "-f", "json", "--dir", measures_dir)) == expected


@pytest.mark.parametrize("task", ["0", "12"])
def test_a_task_the_plan_lacks_is_exit_2(run, measures_dir, task):
    result = run("list", "--task", task, "--dir", measures_dir)
    assert result.exit_code == 2 and f"no key task {task}" in result.stderr and "1…11" in result.stderr


def test_a_repeated_search_needs_every_term(run, measures_dir):
    data = measure_data(measures_dir)
    texts = {i: "".join([m["national"] or "", *m["local"]]).replace(" ", "") for i, m in data.items()}
    both = sorted(i for i, t in texts.items() if "单一窗口" in t and "金融" in t)
    assert both  # the two terms do meet somewhere, so the check is not vacuous
    assert ids(run("list", "--search", "单一窗口", "--search", "金融", "-f", "json", "--dir", measures_dir)) == both


def test_search_finds_an_extension_reason(run, measures_dir):
    replace_line(measures_dir / "02.yaml", "progress: []",
                 "progress: []\nextensions:\n  - {date: 2022-05-25, from: 2022-05-31, to: 2022-06-30, "
                 "reason: 等待机场系统升级}")
    assert ids(run("list", "--search", "机场系统升级", "-f", "json", "--dir", measures_dir)) == [2]


def test_lead_without_unit_is_refused(run, measures_dir):
    result = run("list", "--lead", "--dir", measures_dir)
    assert result.exit_code == 2 and "--lead needs --unit" in result.stderr


def test_report_takes_one_unit(run, measures_dir):
    result = run("report", "--unit", "市财政局", "--unit", "市外办", "--dir", measures_dir)
    assert result.exit_code == 2 and "one unit" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("text", ["2022", "15 Jun", "3/6/2022", "June 2022"])
def test_a_date_that_leaves_something_out_or_is_ambiguous_is_refused(run, measures_dir, text):
    result = run("report", "--as-of", text, "--dir", measures_dir)
    assert result.exit_code == 2 and "not one date" in result.stderr


@pytest.mark.parametrize("text", ["15/6/2022", "June 15 2022", "2022年6月15日"])
def test_an_unambiguous_date_is_read(run, measures_dir, text):
    result = run("report", "--as-of", text, "-f", "json", "--dir", measures_dir)
    assert json.loads(result.stdout)["as_of"] == "2022-06-15"


def test_ascii_brackets_name_the_same_unit(run, measures_dir):
    data = measure_data(measures_dir)
    expected = sorted(i for i, m in data.items() if "天津港集团" in m["units"])
    assert ids(run("list", "--unit", "天津港(集团)", "-f", "json", "--dir", measures_dir)) == expected


def test_a_unit_registered_twice_is_one_plan_problem(run, measures_dir):
    plan = measures_dir / "_plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("- name: 市财政局", "- name: 市商务局"), encoding="utf-8")
    result = run("validate", "--dir", measures_dir)
    problems = [line for line in result.stderr.splitlines() if line]
    assert result.exit_code == 2
    assert [p for p in problems if p.startswith(f"{plan}:")], problems
    assert "registered twice" in problems[0] and "市商务局" in problems[0]
    assert not [p for p in problems if "unknown unit" in p]  # one plan message, not one per measure


def test_an_empty_status_says_so(run, measures_dir):
    replace_line(measures_dir / "03.yaml", "status:", "status:")
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2 and "`status` is empty: write one of not_started" in result.stderr
    assert "None" not in result.stderr


def test_unit_suggestions_name_each_unit_once(run, measures_dir):
    result = run("list", "--unit", "海关总署", "--dir", measures_dir)
    suggestion = result.stderr.split("did you mean", 1)[1]
    assert "天津海关" in suggestion and " 海关 " not in suggestion


def test_report_per_unit_table_keeps_headers_and_numbers_at_80_columns(run, measures_dir):
    result = run("report", *AS_OF, "--dir", measures_dir, env={"COLUMNS": "80", "PORTCLI_LANG": "zh"})
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("单位"))
    for word in ("牵头", "参与", "已完成", "逾期", "延期", "完成率", "进度"):
        assert word in header
    assert "…" not in header
    assert any(line.startswith("中铁北京局天津办事处 ") for line in lines)


def test_due_today_reads_as_today(run, measures_dir):
    result = run("show", "2", "--as-of", "2022-05-31", "--dir", measures_dir, env={"PORTCLI_LANG": "zh"})
    assert "今天到期" in result.stdout and "0 天后到期" not in result.stdout


def test_year_end_with_the_year_written_once(run, measures_dir):
    replace_line(measures_dir / "02.yaml", "deadline:", "deadline: 2022年底前")
    [m] = [m for m in json.loads(run("list", "-f", "json", "--dir", measures_dir).stdout) if m["id"] == 2]
    assert (m["due"], m["deadline_kind"]) == ("2022-12-31", "date")
