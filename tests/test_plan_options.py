"""_plan.yaml's optional `start` and `lights: {yellow_days}`, and when a measure counts as stale (SPEC §2)."""
from __future__ import annotations

import json
from datetime import date

import pytest

from portcli.load import load_plan
from portcli.model import Deadline, Measure, Plan, Progress
from portcli.query import days_since_progress, is_stale, last_progress


def add_to_plan(folder, text: str) -> None:
    path = folder / "_plan.yaml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_start_and_yellow_days_are_read(measures_dir):
    add_to_plan(measures_dir, "start: 2022-04-15\nlights: {yellow_days: 7}\n")
    plan, problems = load_plan(measures_dir)
    assert problems == []
    assert (plan.start, plan.yellow_days, plan.started) == (date(2022, 4, 15), 7, date(2022, 4, 15))


def test_without_them_the_plan_starts_on_new_years_day(measures_dir):
    plan, _ = load_plan(measures_dir)
    assert (plan.start, plan.yellow_days, plan.started) == (None, None, date(2022, 1, 1))


@pytest.mark.parametrize("lights, code", [
    ("{yellow_days: -1}", "bad-yellow-days"),
    ("{yellow_days: 366}", "bad-yellow-days"),
    ("{yellow_days: soon}", "bad-yellow-days"),
    ("{yellow_days: true}", "bad-yellow-days"),
    ("{yellow: 7}", "unknown-key"),
    ("7", "wrong-type"),
])
def test_a_wrong_lights_entry_is_one_problem_at_its_line(run, measures_dir, lights, code):
    add_to_plan(measures_dir, f"lights: {lights}\n")
    line = len((measures_dir / "_plan.yaml").read_text(encoding="utf-8").splitlines())
    result = run("validate", "--dir", measures_dir, "--format", "json")
    assert result.exit_code == 2  # a broken plan leaves the measures unchecked (SPEC §5)
    problems = json.loads(result.stdout)["problems"]
    assert [(p["code"], p["line"]) for p in problems] == [(code, line)]


def test_the_largest_yellow_days_is_a_year(run, measures_dir):
    add_to_plan(measures_dir, "lights: {yellow_days: 365}\n")
    assert run("validate", "--dir", measures_dir).exit_code == 0


def test_a_start_that_is_not_a_date_is_refused(run, measures_dir):
    add_to_plan(measures_dir, "start: 4月\n")
    result = run("validate", "--dir", measures_dir, "--format", "json")
    assert result.exit_code == 2  # a broken plan leaves the measures unchecked (SPEC §5)
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == ["bad-date"]


def measure(status: str = "in_progress", *dates: date) -> Measure:
    return Measure(1, 1, None, ("某项措施",), ("天津海关",), None, Deadline("年底前", "date", date(2022, 12, 31)),
                   status, progress=tuple(Progress(d, status) for d in dates))


PLAN = Plan("计划", 2022, start=date(2022, 3, 1))


def test_the_newest_entry_counts_even_when_listed_first():
    m = measure("in_progress", date(2022, 5, 20), date(2022, 5, 2))
    assert last_progress(m, date(2022, 6, 1)) == date(2022, 5, 20)
    assert days_since_progress(m, date(2022, 6, 1), PLAN) == 12


def test_an_entry_after_as_of_was_not_yet_filed():
    m = measure("in_progress", date(2022, 5, 2), date(2022, 6, 10))
    assert last_progress(m, date(2022, 6, 1)) == date(2022, 5, 2)
    assert days_since_progress(m, date(2022, 6, 1), PLAN) == 30


def test_with_no_entry_the_plan_start_is_when_it_was_last_heard_of():
    assert days_since_progress(measure(), date(2022, 3, 15), PLAN) == 14
    assert days_since_progress(measure(), date(2022, 2, 1), PLAN) is None  # the plan has not begun


@pytest.mark.parametrize("as_of, stale", [(date(2022, 3, 15), False), (date(2022, 3, 16), True)])
def test_stale_is_more_than_n_days_silent(as_of, stale):
    # 2022-03-01 + 14 days = 03-15: exactly 14 days silent is not yet stale, 15 is.
    assert is_stale(measure(), as_of, PLAN, 14) is stale


def test_a_done_measure_is_never_stale():
    assert not is_stale(measure("done"), date(2022, 12, 1), PLAN, 14)


# --- what the mutation run of _yellow_days and the stale questions found unchecked ---------------

@pytest.mark.parametrize("lights, expected", [
    ("lights: 7", "`lights` must be a mapping such as {yellow_days: 7}"),
    ("lights: {yellow: 7}", "unknown key `yellow` in `lights`; did you mean yellow_days?"),
    ("lights: {yellow_days: 1000}", "`yellow_days` must be a whole number of days from 0 to 365, not 1000"),
])
def test_a_wrong_lights_entry_in_its_words(run, measures_dir, lights, expected):
    add_to_plan(measures_dir, lights + "\n")
    result = run("validate", "--dir", measures_dir, "--format", "json")
    assert [p["message"] for p in json.loads(result.stdout)["problems"]] == [expected]


def test_a_bad_yellow_days_is_at_its_own_line_in_block_style(run, measures_dir):
    add_to_plan(measures_dir, "lights:\n  # 黄灯提前天数\n  yellow_days: -3\n")
    lines = (measures_dir / "_plan.yaml").read_text(encoding="utf-8").splitlines()
    result = run("validate", "--dir", measures_dir, "--format", "json")
    assert [(p["code"], p["line"]) for p in json.loads(result.stdout)["problems"]] == [
        ("bad-yellow-days", len(lines))]  # the last line, not `lights:` two above it


def test_an_entry_dated_as_of_itself_was_heard_that_day():
    m = measure("in_progress", date(2022, 5, 2), date(2022, 6, 1))
    assert last_progress(m, date(2022, 6, 1)) == date(2022, 6, 1)
    assert days_since_progress(m, date(2022, 6, 1), PLAN) == 0


def test_a_plan_starting_on_as_of_is_zero_days_silent():
    assert days_since_progress(measure(), date(2022, 3, 1), PLAN) == 0


def test_without_a_plan_or_an_entry_nothing_is_known():
    # a broken _plan.yaml: no start to count from, so never stale
    assert days_since_progress(measure(), date(2022, 6, 1), None) is None
    assert not is_stale(measure(), date(2022, 6, 1), None, 0)
    m = measure("in_progress", date(2022, 5, 2))
    assert days_since_progress(m, date(2022, 6, 1), None) == 30  # an entry needs no plan
