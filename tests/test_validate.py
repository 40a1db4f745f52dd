"""Validation (SPEC §5): every problem as FILE:LINE: message, all at once, valid measures still served."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from measure_files import insert_before, line_of, measure_data, replace_line

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
