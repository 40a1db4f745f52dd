"""Validation (SPEC §5): every problem as FILE:LINE: message, all at once, valid measures still served."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from measure_files import SHIPPED, insert_before, line_of, measure_data, replace_line

ALL = sorted(measure_data())
MAY = [i for i, d in measure_data().items() if d["deadline"].startswith("5月底前")]


def _block_units(path: Path) -> None:
    replace_line(path, "units:", "units:\n  - 市商务局\n  - 天津海光")


def _block_progress(path: Path) -> None:
    replace_line(path, "progress:", "progress:\n  - date: 2022-05-20\n    status: finshed\n    note: 测试")


def _backwards_extension(path: Path) -> None:
    replace_line(path, "progress:", "progress: []\nextensions:\n  - date: 2022-05-20\n    from: 2022-05-31\n"
                 "    to: 2022-05-15\n    reason: 倒退")


# file, how to break it, the line the message must name (its start), what the message must say
CASES = {
    "yaml syntax": ("03.yaml", lambda p: replace_line(p, "units_note:", "units_note: null: oops"),
                    "units_note:", ["(YAML: mapping values are not allowed"]),
    "wrong type task": ("02.yaml", lambda p: replace_line(p, "task:", "task: five"),
                        "task:", ["`task` must be a key-task number", "five"]),
    "wrong type units": ("06.yaml", lambda p: replace_line(p, "units:", "units: 天津海关"),
                         "units:", ["`units` must be a non-empty list"]),
    "wrong type units_note": ("08.yaml", lambda p: replace_line(p, "units_note:", "units_note: [甲, 乙]"),
                              "units_note:", ["`units_note` must be text"]),
    "no such key task": ("11.yaml", lambda p: replace_line(p, "task:", "task: 12"),
                         "task:", ["no key task 12"]),
    "missing key": ("04.yaml", lambda p: replace_line(p, "national:", ""),
                    "id:", ["missing key `national`"]),
    "unknown key": ("05.yaml", lambda p: insert_before(p, "status:", "statu: done"),
                    "statu:", ["unknown key `statu`", "did you mean status"]),
    "unknown unit": ("07.yaml", lambda p: replace_line(p, "units:", "units: [天津海光]"),
                     "units:", ["unknown unit '天津海光'", "did you mean", "天津海关"]),
    "unknown unit in a block list": ("09.yaml", _block_units, "  - 天津海光", ["unknown unit '天津海光'", "天津海关"]),
    "unknown status": ("12.yaml", lambda p: replace_line(p, "status:", "status: in-progress"),
                       "status:", ["unknown status 'in-progress'", "did you mean in_progress"]),
    "unknown status label": ("18.yaml", lambda p: replace_line(p, "status:", "status: 完成"),
                             "status:", ["unknown status '完成'", "did you mean 已完成"]),
    "unknown status in progress": ("19.yaml", _block_progress, "    status: finshed", ["unknown status 'finshed'"]),
    "unrecognised deadline": ("13.yaml", lambda p: replace_line(p, "deadline:", "deadline: 尽快"),
                              "deadline:", ["unrecognised deadline '尽快'", "due:"]),
    "impossible deadline": ("20.yaml", lambda p: replace_line(p, "deadline:", "deadline: 2月30日前"),
                            "deadline:", ["no real date"]),
    "bad due": ("21.yaml", lambda p: insert_before(p, "status:", "due: 2022-13-01"),
                "due:", ["2022-13-01", "not a real date"]),
    "extension backwards": ("22.yaml", _backwards_extension, "    to:", ["must move the due date later"]),
    "empty file": ("23.yaml", lambda p: p.write_text("", encoding="utf-8"), None, ["empty", "write the measure's keys"]),
}


def _break(directory: Path, name: str) -> tuple[str, int, list[str]]:
    """Break one file as CASES says; its file, the line its problem must name, and the message parts."""
    filename, edit, prefix, says = CASES[name]
    path = directory / filename
    edit(path)
    return str(path), (line_of(path, prefix) if prefix else 1), says


def _problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


@pytest.mark.parametrize("name", CASES)
def test_one_problem_precisely_located(run, measures_dir, name):
    file, line, says = _break(measures_dir, name)
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2
    problems = _problem_lines(result.stderr)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{file}:{line}: "), (problems[0], line)
    for part in says:
        assert part in problems[0]
    assert "1 problem in 1 file; 24 valid measures" in result.stdout


def test_a_long_value_is_quoted_cut_to_sixty_characters_at_its_middle(run, measures_dir):
    """A value a message quotes is written as Python writes it, but no longer than 60 characters: its first 28,
    "...", its last 29 (problem.shown). Here a YAML timestamp with a zone where a key-task number belongs."""
    from datetime import datetime, timedelta, timezone

    path = measures_dir / "05.yaml"
    replace_line(path, "task:", "task: 2022-01-01T10:10:10.123456+01:00")
    result = run("validate", "--dir", measures_dir)
    whole = repr(datetime(2022, 1, 1, 10, 10, 10, 123456, tzinfo=timezone(timedelta(hours=1))))
    assert len(whole) > 60
    assert _problem_lines(result.stderr) == [
        f"{path}:{line_of(path, 'task:')}: `task` must be a key-task number, not {whole[:28]}...{whole[-29:]}"]


def test_duplicate_id_names_both_files(run, measures_dir):
    replace_line(measures_dir / "09.yaml", "id:", "id: 11")
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2
    a, b = measures_dir / "09.yaml", measures_dir / "11.yaml"
    assert sorted(_problem_lines(result.stderr)) == [
        f"{a}:{line_of(a, 'id:')}: duplicate id 11: {b}:{line_of(b, 'id:')} has it too; give one of them another id",
        f"{b}:{line_of(b, 'id:')}: duplicate id 11: {a}:{line_of(a, 'id:')} has it too; give one of them another id"]
    listed = json.loads(run("list", "--dir", measures_dir, "-f", "json").stdout)
    # which file is measure 11 is for a person to decide: neither is served as it until then
    assert [m["id"] for m in listed] == [i for i in ALL if i not in (9, 11)]


def _gbk(directory: Path) -> tuple[str, int]:
    """17.yaml saved as GBK, its comment line dropped so the first Chinese is in `national:`."""
    path = directory / "17.yaml"
    replace_line(path, "# ", "")
    line = line_of(path, "national:")
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    return str(path), line


def test_gbk_file_is_named_as_such(run, measures_dir):
    file, line = _gbk(measures_dir)
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    [problem] = _problem_lines(result.stderr)
    assert problem.startswith(f"{file}:{line}: not UTF-8")
    assert "GBK" in problem and "iconv" in problem


def test_unrecognised_deadline_is_fine_with_due(run, measures_dir):
    replace_line(measures_dir / "13.yaml", "deadline:", "deadline: 尽快\ndue: 2022-07-01")
    result = run("validate", "--dir", measures_dir)
    assert (result.exit_code, result.stderr) == (0, "")
    shown = json.loads(run("show", "13", "--as-of", "2022-07-02", "--dir", measures_dir, "-f", "json").stdout)
    assert (shown["deadline"], shown["due"], shown["due_source"], shown["days_overdue"]) == ("尽快", "2022-07-01", "due", 1)


@pytest.fixture
def broken(measures_dir) -> tuple[Path, list[tuple[str, int, list[str]]], list[int]]:
    """A copy with every kind of broken file at once; the expected problems and the files still valid
    (by number: 10.yaml and 14.yaml both claim id 14, so neither is served)."""
    expected = [_break(measures_dir, name) for name in CASES]
    gbk_file, gbk_line = _gbk(measures_dir)
    expected.append((gbk_file, gbk_line, ["not UTF-8"]))
    replace_line(measures_dir / "10.yaml", "id:", "id: 14")  # 10.yaml now duplicates 14.yaml's id
    expected.append((str(measures_dir / "14.yaml"), line_of(measures_dir / "14.yaml", "id:"),
                     ["duplicate id 14", str(measures_dir / "10.yaml")]))
    expected.append((str(measures_dir / "10.yaml"), line_of(measures_dir / "10.yaml", "id:"),
                     ["duplicate id 14", str(measures_dir / "14.yaml")]))
    broken_files = {int(CASES[name][0][:2]) for name in CASES} | {17, 14, 10}
    return measures_dir, expected, [i for i in ALL if i not in broken_files]


def test_every_problem_in_one_run(run, broken):
    directory, expected, valid = broken
    result = run("validate", "--dir", directory)
    assert result.exit_code == 2
    problems = _problem_lines(result.stderr)
    assert len(problems) == len(expected)
    for file, line, says in expected:
        [problem] = [p for p in problems if p.startswith(f"{file}:{line}: ")]
        for part in says:
            assert part in problem
    n = len(expected)
    assert f"{n} problem{'s' * (n != 1)} in {n} file{'s' * (n != 1)}; {len(valid)} valid measures" in result.stdout


@pytest.mark.parametrize("args", [("list",), ("list", "--format", "json"), ("overdue", "--as-of", "2022-06-15"),
                                  ("report", "--as-of", "2022-06-15"), ("units",)])
def test_query_commands_serve_the_valid_measures_and_exit_2(run, broken, args):
    directory, expected, valid = broken
    result = run(*args, "--dir", directory)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert len(_problem_lines(result.stderr)) == len(expected)
    if args == ("list", "--format", "json"):
        listed = [m["id"] for m in json.loads(result.stdout)]
        assert listed == sorted(valid)
    elif args[0] == "list":
        assert f"{len(valid)} measures" in result.stdout
    elif args[0] == "overdue":
        assert f"{len([i for i in MAY if i in valid])} measures" in result.stdout
    else:
        assert result.stdout.strip()


def test_broken_file_makes_report_exit_2_whatever_fail_on_says(run, measures_dir):
    _break(measures_dir, "unknown status")
    for fail_on in ("never", "overdue", "due-soon"):
        assert run("report", "--as-of", "2022-06-15", "--fail-on", fail_on, "--dir", measures_dir).exit_code == 2


def test_validate_json(run, measures_dir):
    file, line, says = _break(measures_dir, "unknown unit")
    result = run("validate", "--dir", measures_dir, "-f", "json")
    assert result.exit_code == 2
    found = json.loads(result.stdout)
    [problem] = found["problems"]
    assert (problem["file"], problem["line"]) == (file, line)
    assert found["valid"] == len(ALL) - 1  # every measure but the broken one
    assert all(part in problem["message"] for part in says)


def test_many_copies_of_an_id_name_three_of_the_others_each(run, measures_dir):
    """A hundred copies of one file: each gets one line naming three others and counting the rest,
    not a line naming all hundred (10,000 copies would make 10,000 lines of 10,000 names)."""
    source = (measures_dir / "11.yaml").read_text(encoding="utf-8")
    for i in range(100, 199):
        (measures_dir / f"{i}.yaml").write_text(source, encoding="utf-8")
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2
    lines = [line for line in _problem_lines(result.stderr) if "duplicate id 11" in line]
    assert len(lines) == 100
    first = lines[0]
    assert first.startswith(f"{measures_dir / '100.yaml'}:2: duplicate id 11: ")
    assert first.endswith(f"{measures_dir / '101.yaml'}:2, {measures_dir / '102.yaml'}:2, "
                          f"{measures_dir / '103.yaml'}:2 and 96 other files have it too; "
                          "give all but one of them another id")
    assert 11 not in [m["id"] for m in json.loads(run("list", "--dir", measures_dir, "-f", "json").stdout)]


def test_duplicate_ids_are_reported_in_the_order_of_the_files(run, measures_dir):
    """As every other problem: 01.yaml's duplicate first, then its twin, then the next pair."""
    replace_line(measures_dir / "01.yaml", "id:", "id: 20")
    replace_line(measures_dir / "03.yaml", "id:", "id: 5")
    lines = _problem_lines(run("validate", "--dir", measures_dir).stderr)
    assert [line.split(":")[0].rsplit("/", 1)[1] for line in lines] == ["01.yaml", "20.yaml", "03.yaml", "05.yaml"]


def test_one_more_copy_is_one_other_file(run, measures_dir):
    source = (measures_dir / "11.yaml").read_text(encoding="utf-8")
    for i in range(100, 104):
        (measures_dir / f"{i}.yaml").write_text(source, encoding="utf-8")
    lines = _problem_lines(run("validate", "--dir", measures_dir).stderr)
    assert lines[0].endswith(":2 and 1 other file have it too; give all but one of them another id")


def test_validate_counts_one_measure_as_one(run, measures_dir):
    for path in measures_dir.glob("*.yaml"):
        if path.name not in ("_plan.yaml", "01.yaml"):
            path.unlink()
    assert run("validate", "--dir", measures_dir).stdout == "ok: 1 measure and the plan are valid\n"


def test_validate_is_clean_on_the_shipped_data(run, measures_dir):
    result = run("validate", "--dir", measures_dir)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.strip() == f"ok: {len(ALL)} measures and the plan are valid"
    assert json.loads(run("validate", "--dir", measures_dir, "-f", "json").stdout) == {"problems": [],
                                                                                       "valid": len(ALL)}


# --- a broken plan: one message, not one per measure ---------------------------------------------

PLAN_BREAKS = {
    "yaml syntax": (lambda p: replace_line(p, "year:", "year: 2022: oops"), "year:", "(YAML: mapping values are not allowed"),
    "unit without english": (lambda p: replace_line(p, "    english: Tianjin Customs", ""),
                             "  - name: 天津海关", "a unit needs"),
    "year not a number": (lambda p: replace_line(p, "year:", "year: twenty"), "year:", "`year`"),
    "gbk": (lambda p: p.write_bytes(p.read_text(encoding="utf-8").encode("gbk")), "#", "not UTF-8"),
}


@pytest.mark.parametrize("name", PLAN_BREAKS)
def test_broken_plan_is_one_clear_message(run, measures_dir, name):
    edit, prefix, says = PLAN_BREAKS[name]
    plan = measures_dir / "_plan.yaml"
    line = line_of(plan, prefix)
    edit(plan)
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2
    problems = _problem_lines(result.stderr)
    assert problems == [p for p in problems if p.startswith(f"{plan}:")]  # nothing about the measures
    assert len(problems) == 1 and problems[0].startswith(f"{plan}:{line}: ") and says in problems[0]
    assert not [p for p in problems if "unknown unit" in p]
    assert f"{len(ALL)} valid measures" in result.stdout


def test_unclosed_bracket_says_where_it_opened(run, measures_dir):
    path = measures_dir / "14.yaml"
    replace_line(path, "task:", "task: [5")
    opened = line_of(path, "task:")
    [problem] = _problem_lines(run("validate", "--dir", measures_dir).stderr)
    assert problem.startswith(f"{path}:{opened}: ") and "a [ or { opened on this line is not closed" in problem


def test_missing_plan_is_one_message(run, measures_dir):
    (measures_dir / "_plan.yaml").unlink()
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2
    assert _problem_lines(result.stderr) == [f"{measures_dir / '_plan.yaml'}: missing: every measures folder needs a _plan.yaml"]


def test_broken_plan_keeps_its_year_for_due_dates(run, measures_dir):
    PLAN_BREAKS["unit without english"][0](measures_dir / "_plan.yaml")
    result = run("overdue", "--as-of", "2022-06-15", "--dir", measures_dir, "-f", "json")
    assert result.exit_code == 2
    assert [m["id"] for m in json.loads(result.stdout)] == MAY
    assert {m["due"] for m in json.loads(result.stdout)} == {"2022-05-31"}


def test_broken_plan_unit_lookup_fails_clearly(run, measures_dir):
    PLAN_BREAKS["yaml syntax"][0](measures_dir / "_plan.yaml")
    result = run("list", "--unit", "天津海关", "--dir", measures_dir)
    assert result.exit_code == 2 and "plan" in result.stderr and "Traceback" not in result.stderr


def test_a_yml_file_is_not_silently_skipped(run, measures_dir):
    stray = measures_dir / "26.yml"
    stray.write_text((measures_dir / "14.yaml").read_text(encoding="utf-8").replace("id: 14", "id: 26"), encoding="utf-8")
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2
    assert _problem_lines(result.stderr) == [f"{stray}:1: not read: measure files end in .yaml; rename it to 26.yaml"]
    assert 26 not in [m["id"] for m in json.loads(run("list", "--dir", measures_dir, "-f", "json").stdout)]


def test_with_a_broken_plan_validate_says_what_went_unchecked(run, measures_dir):
    (measures_dir / "_plan.yaml").write_text("title: [\n", encoding="utf-8")
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2
    assert "units and key tasks unchecked: the plan is broken" in result.stdout


def test_dir_pointed_at_the_folder_above_measures_says_where_they_are(run, measures_dir):
    result = run("validate", "--dir", measures_dir.parent)
    assert result.exit_code == 2
    assert f"is the measures folder {measures_dir}? (--dir {measures_dir})" in result.stderr


# --- each rule of the checker (check.py), in its own words ------------------------------------
# Each case tells apart a rule and the rule with one operator, constant or word changed: these
# killed the mutants that survived the cases above (docs/RELIABILITY.md, "Mutation testing").

MEASURE_14 = (SHIPPED / "14.yaml").read_text(encoding="utf-8")
PLAN = (SHIPPED / "_plan.yaml").read_text(encoding="utf-8")


def problems_of(run, folder: Path, file: Path) -> list[tuple[int, str]]:
    """validate's problems, all about `file`: (line, message) each; the exit must be 2."""
    result = run("validate", "--dir", folder)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    found = []
    for line in result.stderr.splitlines():
        match = re.fullmatch(re.escape(str(file)) + r":(\d+): (.+)", line)
        assert match, line
        found.append((int(match[1]), match[2]))
    return found


def measure_14(folder: Path, *changes: tuple[str, str]) -> Path:
    """Measure 14's file with each (old, new) replaced once; every `old` must be in it."""
    text = MEASURE_14
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = folder / "14.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- a value of the wrong type is named by its type, as a person calls it ---------------------

@pytest.mark.parametrize("value, called", [
    ("[甲, 乙]", "a list"),
    ("{甲: 乙}", "a mapping"),
    ("true", "true/false"),
    ("12", "a number"),
    ("1.5", "a number"),
    ("2022-05-01", "a date"),
    ("2022-05-01 10:00:00", "datetime"),  # no word of its own: the type's name
])
def test_a_text_of_another_type_is_named_by_that_type(run, measures_dir, value, called):
    path = measure_14(measures_dir, ("units_note: null", f"units_note: {value}"))
    assert problems_of(run, measures_dir, path) == [(10, f"`units_note` must be text, not {called}")]


# --- a measure's own keys ------------------------------------------------------------------------

def test_a_file_that_is_not_a_mapping_says_what_it_is(run, measures_dir):
    path = measures_dir / "14.yaml"
    path.write_text("- id: 14\n- task: 5\n", encoding="utf-8")
    assert problems_of(run, measures_dir, path) == [
        (1, "a measure file must be a mapping of keys (id, task, …), not a list")]


@pytest.mark.parametrize("value, ok", [("1", True), ("0", False), ("-1", False)])
@pytest.mark.english
def test_an_id_is_a_whole_number_from_one(run, measures_dir, value, ok):
    (measures_dir / "01.yaml").unlink()  # id 1 is free
    path = measure_14(measures_dir, ("id: 14", f"id: {value}"))
    if ok:
        assert run("validate", "--dir", measures_dir).exit_code == 0
        shown = json.loads(run("show", value, "--dir", measures_dir, "-f", "json").stdout)
        assert shown["file"] == str(path)
    else:
        assert problems_of(run, measures_dir, path) == [(2, f"`id` must be a whole number from 1 to 999999999, not {value}")]


def test_a_task_not_in_the_plan_names_the_plans_range(run, measures_dir):
    path = measure_14(measures_dir, ("task: 5", "task: 12"))
    assert problems_of(run, measures_dir, path) == [(3, "no key task 12 in _plan.yaml (1…11)")]


def test_a_task_that_is_not_a_number(run, measures_dir):
    path = measure_14(measures_dir, ("task: 5", "task: [5]"))
    assert problems_of(run, measures_dir, path) == [(3, "`task` must be a key-task number, not [5]")]


@pytest.mark.parametrize("local", ["local: 一项", "local: [一项, '']", "local: [一项, '  ']", "local: [一项, 3]"])
@pytest.mark.english
def test_local_is_a_list_of_texts_none_empty(run, measures_dir, local):
    path = measure_14(measures_dir, ("local:\n", "local_old:\n"))
    text = path.read_text(encoding="utf-8")
    start = text.index("local_old:")
    end = text.index("units:")
    path.write_text(text[:start] + local + "\n" + text[end:], encoding="utf-8")
    assert problems_of(run, measures_dir, path) == [
        (5, "`local` must be a list of texts (Tianjin's own measures), one per item")]


def test_a_measure_without_local_items_is_valid(run, measures_dir):
    """`local: []` (national only, as measure 25 is local only) reads as no items."""
    text = MEASURE_14
    start, end = text.index("local:"), text.index("units:")
    (measures_dir / "14.yaml").write_text(text[:start] + "local: []\n" + text[end:], encoding="utf-8")
    assert run("validate", "--dir", measures_dir).exit_code == 0
    assert json.loads(run("show", "14", "--dir", measures_dir, "-f", "json").stdout)["local"] == []


def test_a_unit_listed_twice_is_named_at_its_second_place(run, measures_dir):
    path = measure_14(measures_dir, ("units: [市商务局, 天津海关, 天津海事局, 中铁北京局天津办事处, 天津港集团]",
                                     "units:\n  - 市商务局\n  - 天津海关\n  - 海关"))  # 海关 is 天津海关's alias
    assert problems_of(run, measures_dir, path) == [(12, "unit 天津海关 is listed twice")]


@pytest.mark.parametrize("units", ["units: []", "units: 市商务局"])
def test_units_is_a_non_empty_list(run, measures_dir, units):
    path = measure_14(measures_dir, ("units: [市商务局, 天津海关, 天津海事局, 中铁北京局天津办事处, 天津港集团]", units))
    assert problems_of(run, measures_dir, path) == [
        (9, "`units` must be a non-empty list of unit names, lead unit first, such as [市商务局, 天津海关]")]


@pytest.mark.parametrize("unit", ["''", "'  '", "5"])
def test_a_unit_must_be_a_name(run, measures_dir, unit):
    path = measure_14(measures_dir, ("units: [市商务局,", f"units: [{unit}, 市商务局,"))
    called = "a number" if unit == "5" else "empty"
    assert problems_of(run, measures_dir, path) == [(9, f"a unit must be a name, not {called}")]


def test_a_unit_written_with_spaces_around_is_that_unit(run, measures_dir):
    measure_14(measures_dir, ("units: [市商务局,", "units: [' 市商务局 ',"))
    assert run("validate", "--dir", measures_dir).exit_code == 0
    shown = json.loads(run("show", "14", "--dir", measures_dir, "-f", "json").stdout)
    assert (shown["lead"], shown["units"][0]) == ("市商务局", "市商务局")


# --- the plan's own rules -------------------------------------------------------------------------

def plan(folder: Path, *changes: tuple[str, str]) -> Path:
    """The shipped plan with each (old, new) replaced once; every `old` must be in it."""
    text = PLAN
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = folder / "_plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


TASK_1 = "  - {id: 1, numeral: 一, title: 深化国际贸易“单一窗口”建设。}"
CUSTOMS_ALIASES = "    aliases: [海关]"


def test_a_plan_that_is_not_a_mapping(run, measures_dir):
    path = measures_dir / "_plan.yaml"
    path.write_text("- title: x\n", encoding="utf-8")
    assert problems_of(run, measures_dir, path) == [
        (1, "the plan must be a mapping with title, year, tasks and units")]


def test_a_plan_key_missing_or_unknown(run, measures_dir):
    path = plan(measures_dir, ("year: 2022\n", "yaer: 2022\n"))
    assert problems_of(run, measures_dir, path) == [
        (3, "unknown key `yaer` in the plan; did you mean year?"),
        (2, "missing key `year`: add a line `year: …` (docs/SPEC.md §2)")]


@pytest.mark.parametrize("title, says", [("title: '  '", "`title` must be the plan's title, not empty"),
                                         ("title:", "`title` must be text, not empty"),
                                         ("title: 2022", "`title` must be text, not a number")])
def test_the_plan_needs_a_title(run, measures_dir, title, says):
    path = plan(measures_dir, ("title: 天津口岸2022年促进跨境贸易便利化专项行动重点任务措施分工表", title))
    assert problems_of(run, measures_dir, path) == [(2, says)]


@pytest.mark.parametrize("year, ok", [("1900", False), ("1901", True), ("2999", True), ("3000", False),
                                      ("'2022'", False)])
def test_the_plans_year_is_from_1901_to_2999(run, measures_dir, year, ok):
    path = plan(measures_dir, ("year: 2022", f"year: {year}"))
    if ok:
        assert run("validate", "--dir", measures_dir).exit_code == 0
        shown = json.loads(run("show", "14", "--dir", measures_dir, "-f", "json").stdout)
        assert shown["due"] == f"{year}-05-31"  # 5月底前 in the plan's year
    else:
        assert problems_of(run, measures_dir, path) == [
            (3, f"`year` must be the plan's year, such as 2022, not {year}")]


@pytest.mark.parametrize("entry", ["  - {id: 0, numeral: 一, title: 深化}", "  - {id: 1, numeral: 一, title: ' '}",
                                   "  - {id: 1, numeral: 一}", "  - 一"])
def test_a_key_task_needs_an_id_from_one_and_a_title(run, measures_dir, entry):
    path = plan(measures_dir, (TASK_1, entry))
    assert problems_of(run, measures_dir, path) == [(5, "a key task needs a whole-number `id` above 0 and a `title`")]


@pytest.mark.parametrize("tasks", ["tasks: []\n", "tasks: 十一项\n"])
def test_tasks_is_a_non_empty_list(run, measures_dir, tasks):
    text = PLAN
    path = measures_dir / "_plan.yaml"
    path.write_text(text[:text.index("tasks:")] + tasks + text[text.index("units:"):], encoding="utf-8")
    assert problems_of(run, measures_dir, path) == [
        (4, "`tasks` must be a non-empty list of key tasks {id, numeral, title}")]


def test_a_key_tasks_unknown_key_and_numeral(run, measures_dir):
    path = plan(measures_dir, (TASK_1, "  - {id: 1, numeral: 1, title: 深化, titel: x}"))
    assert problems_of(run, measures_dir, path) == [
        (5, "unknown key `titel` in a key task; did you mean title?"),
        (5, "`numeral` must be text such as 五, not 1")]


@pytest.mark.english
def test_a_key_task_without_a_numeral_is_called_by_its_number(run, measures_dir):
    plan(measures_dir, ("  - {id: 5, numeral: 五, title:", "  - {id: 5, title:"))
    assert run("validate", "--dir", measures_dir).exit_code == 0
    assert "重点任务5" in run("show", "14", "--dir", measures_dir, env={"PORTCLI_LANG": "zh"}).stdout


def test_the_first_task_id_one_is_valid(run, measures_dir):
    """Only the first of the plan's tasks may be id 1; the lowest id allowed is 1."""
    result = run("validate", "--dir", measures_dir)
    assert (result.exit_code, result.stderr) == (0, "")
    assert "no key task" not in run("validate", "--dir", measures_dir).stderr


@pytest.mark.parametrize("units", ["units: []\n", "units: 市商务局\n"])
def test_the_plans_units_is_a_non_empty_list(run, measures_dir, units):
    path = measures_dir / "_plan.yaml"
    path.write_text(PLAN[:PLAN.index("units:")] + units, encoding="utf-8")
    assert problems_of(run, measures_dir, path) == [
        (16, "`units` must be a non-empty list of units {name, full_name, english, aliases}")]


@pytest.mark.parametrize("change", [("    english: Tianjin Customs\n", ""),
                                    ("    english: Tianjin Customs\n", "    english: ' '\n"),
                                    ("  - name: 天津海关\n", "  - name:\n"),
                                    ("    full_name: 中华人民共和国天津海关\n", "")])
def test_a_unit_needs_its_three_names(run, measures_dir, change):
    path = plan(measures_dir, change)
    assert problems_of(run, measures_dir, path) == [(21, "a unit needs `name`, `full_name` and `english` texts")]


@pytest.mark.parametrize("aliases", ["    aliases: 海关", "    aliases: [海关, '']", "    aliases: [海关, 5]"])
def test_aliases_are_a_list_of_names(run, measures_dir, aliases):
    path = plan(measures_dir, (CUSTOMS_ALIASES, aliases))
    assert problems_of(run, measures_dir, path) == [(24, "`aliases` must be a list of names")]


def test_a_unit_without_aliases_is_valid(run, measures_dir):
    plan(measures_dir, (CUSTOMS_ALIASES + "\n", ""))
    assert run("validate", "--dir", measures_dir).exit_code == 0
    assert run("list", "--unit", "Tianjin Customs", "--dir", measures_dir).exit_code == 0


def test_a_units_unknown_key(run, measures_dir):
    path = plan(measures_dir, (CUSTOMS_ALIASES, CUSTOMS_ALIASES + "\n    logo: 关.png"))
    assert problems_of(run, measures_dir, path) == [(25, "unknown key `logo` in a unit")]


def test_a_name_registered_by_two_units(run, measures_dir):
    path = plan(measures_dir, ("    aliases: [商务局, 天津商务局]", "    aliases: [商务局, 天津商务局, 海关]"))
    assert problems_of(run, measures_dir, path) == [
        (21, "the name '海关' is registered twice (also by the unit 市商务局, entry 1 of `units`): "
             "every name must point to one unit")]


def test_a_unit_may_repeat_its_own_name_among_its_aliases(run, measures_dir):
    plan(measures_dir, (CUSTOMS_ALIASES, "    aliases: [海关, 天津海关]"))
    assert run("validate", "--dir", measures_dir).exit_code == 0


# --- a measure's deadline, progress log and extensions ----------------------------------------

STATUS_CHOICES = "not_started, in_progress, blocked, ongoing, done or 未启动、推进中、受阻、持续推进、已完成"
ENTRY = "progress:\n  - {date: 2022-05-20, status: done, by: 天津海关, note: 完成}"
EXTENSION = "progress: []\nextensions:\n  - {date: 2022-05-20, from: 2022-05-31, to: 2022-06-30, by: 天津海关, reason: 等待}"


@pytest.mark.parametrize("old, new, line, message", [
    ("deadline: 5月底前", "deadline: 5", 11, "`deadline` must be a phrase such as 5月底前, not a number"),
    ("status: not_started", "status:", 12, f"`status` is empty: write one of {STATUS_CHOICES}"),
    ("status: not_started", "status: 5", 12, f"unknown status 5 (one of {STATUS_CHOICES})"),
    ("progress: []", "progress: 完成", 13, "`progress` must be a list of entries {date, status, by, note}"),
    ("progress: []", "progress:\n  - 2022-05-20", 14, "a progress entry must be a mapping {date, status, by, note}"),
    ("progress: []", ENTRY.replace("note:", "notes:"), 14, "unknown key `notes` in a progress entry; did you mean note?"),
    ("progress: []", ENTRY.replace("date: 2022-05-20, ", ""), 14, "`date` is missing; give a date such as 2022-05-31"),
    ("progress: []", ENTRY.replace("2022-05-20", "2022-05-20 09:00:00"), 14,
     "`date` must be a date such as 2022-05-31, without a time"),
    ("progress: []", ENTRY.replace("2022-05-20", "20220520"), 14, "`date` must be a date such as 2022-05-31, not a number"),
    ("progress: []", ENTRY.replace("status: done", "status: null"), 14, f"`status` is empty: write one of {STATUS_CHOICES}"),
    ("progress: []", ENTRY.replace("by: 天津海关", "by: ''"), 14, "a unit must be a name, not empty"),
    ("progress: []", ENTRY.replace("by: 天津海关", "by: 天津海光"), 14,
     "unknown unit '天津海光'; did you mean 天津海关, 天津海事局 or 天津滨海国际机场? (units are registered in _plan.yaml)"),
    ("progress: []", ENTRY.replace("note: 完成", "note: [完成]"), 14, "`note` must be text, not a list"),
    ("progress: []", EXTENSION.replace(", reason: 等待", ""), 15, "an extension needs a `reason`"),
    ("progress: []", EXTENSION.replace("reason: 等待", "reason: ''"), 15, "an extension needs a `reason`"),
    ("progress: []", EXTENSION.replace("to: 2022-06-30", "to: 2022-05-31"), 15,
     "an extension must move the due date later (2022-05-31 → 2022-05-31)"),
    ("progress: []", EXTENSION.replace("to: 2022-06-30, ", ""), 15, "`to` is missing; give a date such as 2022-05-31"),
    ("progress: []", EXTENSION.replace("date: 2022-05-20, ", ""), 15, "`date` is missing; give a date such as 2022-05-31"),
    ("progress: []", EXTENSION.replace("by: 天津海关", "by: 5"), 15, "a unit must be a name, not a number"),
    ("progress: []", EXTENSION.replace("from: 2022-05-31", "from: 五月"), 15,
     "`from`: '五月' is not a date; write it as 2022-05-31, 2022/5/31 or 2022年5月31日"),
    ("progress: []", "progress: []\nextensions:\n  - 延期", 15,
     "an extension must be a mapping {date, from, to, by, reason}"),
    ("progress: []", "progress: []\nextensions: 延期", 14, "`extensions` must be a list of entries {date, from, to, by, reason}"),
])
@pytest.mark.english
def test_each_rule_of_a_measure_in_its_words(run, measures_dir, old, new, line, message):
    path = measure_14(measures_dir, (old, new))
    assert problems_of(run, measures_dir, path) == [(line, message)]


def test_a_deadline_written_as_a_date_is_that_day(run, measures_dir):
    measure_14(measures_dir, ("deadline: 5月底前", "deadline: 2022-06-30"))
    shown = json.loads(run("show", "14", "--as-of", "2022-07-02", "--dir", measures_dir, "-f", "json").stdout)
    assert (shown["deadline"], shown["deadline_kind"], shown["due"], shown["days_overdue"]) == \
        ("2022-06-30", "date", "2022-06-30", 2)


def test_entries_read_whole_with_and_without_their_optional_keys(run, measures_dir):
    measure_14(measures_dir, ("progress: []", "progress:\n  - {date: 2022-05-20, status: 推进中}\n"
                              "  - {date: 2022-05-27, status: done, by: 海关, note: 完成}\n"
                              "extensions:\n  - {date: 2022-05-25, to: 2022-06-30, reason: 等待}\n"
                              "  - {date: 2022-06-20, from: 2022-06-30, to: 2022-07-31, by: 市商务局, reason: 再等}"))
    shown = json.loads(run("show", "14", "--dir", measures_dir, "-f", "json").stdout)
    assert shown["progress"] == [
        {"date": "2022-05-20", "status": "in_progress", "by": None, "note": None},
        {"date": "2022-05-27", "status": "done", "by": "天津海关", "note": "完成"}]
    assert shown["extensions"] == [
        {"date": "2022-05-25", "from": None, "to": "2022-06-30", "by": None, "reason": "等待"},
        {"date": "2022-06-20", "from": "2022-06-30", "to": "2022-07-31", "by": "市商务局", "reason": "再等"}]
    assert (shown["due"], shown["due_source"]) == ("2022-07-31", "extension")


def test_every_broken_or_repeated_key_task_is_named_not_only_the_first(run, measures_dir):
    path = plan(measures_dir, (TASK_1, "  - {id: 0, title: 深化}"),
                ("  - {id: 2, numeral: 二,", "  - {id: -2, numeral: 二,"),
                ("  - {id: 3, numeral: 三,", "  - {id: 5, numeral: 三,"),
                ("  - {id: 4, numeral: 四,", "  - {id: 5, numeral: 四,"))
    assert problems_of(run, measures_dir, path) == [
        (5, "a key task needs a whole-number `id` above 0 and a `title`"),
        (6, "a key task needs a whole-number `id` above 0 and a `title`"),
        (8, "key task 5 is listed twice"),
        (9, "key task 5 is listed twice")]


def test_every_broken_unit_is_named_not_only_the_first(run, measures_dir):
    path = plan(measures_dir, ("    english: Tianjin Municipal Bureau of Commerce\n", ""),
                ("    english: Tianjin Customs\n", ""))
    assert problems_of(run, measures_dir, path) == [
        (17, "a unit needs `name`, `full_name` and `english` texts"),
        (20, "a unit needs `name`, `full_name` and `english` texts")]


def test_an_unknown_key_says_where_it_is(run, measures_dir):
    path = measure_14(measures_dir, ("status: not_started", "status: not_started\nowner: 张三"))
    assert problems_of(run, measures_dir, path) == [(13, "unknown key `owner` in a measure")]


@pytest.mark.parametrize("old, new", [("id: 14", "id: ' 14 '"), ("progress: []", "progress:"),
                                      ("progress: []", "progress: null\nextensions:")])
def test_quoted_numbers_and_empty_lists_read_as_meant(run, measures_dir, old, new):
    measure_14(measures_dir, (old, new))
    result = run("show", "14", "--dir", measures_dir, "-f", "json")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert (shown["id"], shown["progress"], shown["extensions"]) == (14, [], [])


def test_an_unrecognised_phrase_with_a_due_date_is_a_date_deadline(run, measures_dir):
    measure_14(measures_dir, ("deadline: 5月底前", "deadline: 视情况而定\ndue: 2022-08-15"))
    shown = json.loads(run("show", "14", "--dir", measures_dir, "-f", "json").stdout)
    assert (shown["deadline"], shown["deadline_kind"], shown["due"], shown["due_source"]) == \
        ("视情况而定", "date", "2022-08-15", "due")


def test_with_a_broken_plan_units_are_still_read_trimmed(run, measures_dir):
    """The plan's registry is unusable, so units go unchecked; they are still names, spaces trimmed."""
    plan(measures_dir, ("    english: Tianjin Customs\n", ""))
    measure_14(measures_dir, ("units: [市商务局,", "units: [' 市商务局 ',"))
    result = run("show", "14", "--dir", measures_dir, "-f", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["units"][:2] == ["市商务局", "天津海关"]


def test_a_bad_numeral_is_named_at_its_own_line(run, measures_dir):
    path = plan(measures_dir, (TASK_1, "  - id: 1\n    numeral: 1\n    title: 深化"))
    assert problems_of(run, measures_dir, path) == [(6, "`numeral` must be text such as 五, not 1")]


def test_a_repeated_task_id_is_named_at_the_ids_own_line(run, measures_dir):
    path = plan(measures_dir, ("  - {id: 2, numeral: 二, title: 推动与主要贸易伙伴口岸相关单证信息共享合作。}",
                               "  - numeral: 二\n    title: 推动\n    id: 1"))
    assert problems_of(run, measures_dir, path) == [(8, "key task 1 is listed twice")]


def test_an_empty_title_is_named_at_its_own_line(run, measures_dir):
    path = plan(measures_dir, ("title: 天津口岸2022年促进跨境贸易便利化专项行动重点任务措施分工表\nyear: 2022",
                               "year: 2022\ntitle: ' '"))
    assert problems_of(run, measures_dir, path) == [(3, "`title` must be the plan's title, not empty")]


@pytest.mark.parametrize("key", ["tasks", "units"])
def test_a_missing_list_in_the_plan_is_one_problem(run, measures_dir, key):
    path = measures_dir / "_plan.yaml"
    start = PLAN.index(f"{key}:")
    end = PLAN.index("units:") if key == "tasks" else len(PLAN)
    path.write_text(PLAN[:start] + PLAN[end:], encoding="utf-8")
    assert problems_of(run, measures_dir, path) == [
        (2, f"missing key `{key}`: add a line `{key}: …` (docs/SPEC.md §2)")]


def test_an_unknown_unit_like_no_registered_one_gets_no_suggestion(run, measures_dir):
    path = measure_14(measures_dir, ("units: [市商务局,", "units: [Police, 市商务局,"))
    assert problems_of(run, measures_dir, path) == [(9, "unknown unit 'Police' (units are registered in _plan.yaml)")]


def test_every_progress_entry_is_checked_after_one_that_is_no_mapping(run, measures_dir):
    path = measure_14(measures_dir, ("progress: []", "progress:\n  - 2022-05-20\n  - {date: 2022-05-21, status: finshed}"))
    assert problems_of(run, measures_dir, path) == [
        (14, "a progress entry must be a mapping {date, status, by, note}"),
        (15, f"unknown status 'finshed' (one of {STATUS_CHOICES})")]
