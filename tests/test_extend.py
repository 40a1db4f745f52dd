"""`portcli extend`: approved extensions move the due date later, and show and report say so."""
from __future__ import annotations

import json

import pytest

from folder_state import snapshot


@pytest.fixture
def run(run, run_in_chinese, request):
    """These tests read the reports' Chinese words: the commands speak Chinese."""
    # a test marked `english` quotes English messages
    return run if request.node.get_closest_marker("english") else run_in_chinese


REASON = "等待机场系统升级"


def extend_2(run, folder, *extra):
    return run("extend", "2", "--to", "2022-06-30", "--reason", REASON, "--date", "2022-05-25", *extra,
               "--dir", folder)


def overdue_ids(run, folder, as_of):
    result = run("overdue", "--as-of", as_of, "--dir", folder, "--format", "json")
    return [m["id"] for m in json.loads(result.stdout)]


def test_done_means_measure_2_is_not_overdue_mid_june_and_overdue_in_july(run, measures_dir):
    assert 2 in overdue_ids(run, measures_dir, "2022-06-15")  # 5月底前: late without the extension
    result = extend_2(run, measures_dir)
    assert result.exit_code == 0, result.stderr
    assert 2 not in overdue_ids(run, measures_dir, "2022-06-15")
    assert 2 in overdue_ids(run, measures_dir, "2022-07-01")


def test_the_entry_goes_under_a_new_extensions_key_after_progress_and_nothing_else_changes(run, measures_dir):
    path = measures_dir / "02.yaml"
    before = path.read_text(encoding="utf-8")
    assert before.endswith("progress: []\n") and "extensions" not in before
    extend_2(run, measures_dir, "--by", "商务局")
    assert path.read_text(encoding="utf-8") == before + (
        "extensions:\n  - {date: 2022-05-25, from: 2022-05-31, to: 2022-06-30, by: 市商务局, reason: 等待机场系统升级}\n")


def test_the_deadline_phrase_stays_and_json_says_where_the_due_date_came_from(run, measures_dir):
    extend_2(run, measures_dir)
    shown = json.loads(run("show", "2", "--dir", measures_dir, "--format", "json").stdout)
    assert shown["deadline"] == "5月底前"
    assert (shown["due"], shown["due_source"]) == ("2022-06-30", "extension")
    assert shown["extensions"] == [{"date": "2022-05-25", "from": "2022-05-31", "to": "2022-06-30", "by": None,
                                    "reason": REASON}]


def test_a_second_extension_starts_from_the_first_ones_date(run, measures_dir):
    extend_2(run, measures_dir)
    result = run("extend", "2", "--to", "2022-09-30", "--reason", "二次延期", "--date", "2022-06-20",
                 "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    assert "2022-06-30 → 2022-09-30" in result.stdout
    shown = json.loads(run("show", "2", "--dir", measures_dir, "--format", "json").stdout)
    assert [(e["from"], e["to"]) for e in shown["extensions"]] == [("2022-05-31", "2022-06-30"),
                                                                    ("2022-06-30", "2022-09-30")]
    assert shown["due"] == "2022-09-30"


@pytest.mark.parametrize("args, message", [
    (("--to", "2022-05-31", "--reason", "x"), "not later than measure 2's due date 2022-05-31"),
    (("--to", "2022-05-01", "--reason", "x"), "only moves the due date later"),
    (("--to", "2022-06-30", "--reason", "  "), "--reason must say why"),
    (("--to", "2022-06-30", "--reason", "x", "--by", "天津港集团"), "not one of measure 2's units"),
    (("--to", "2022-06-30"), "Missing option '--reason'"),
    (("--reason", "x"), "Missing option '--to'"),
    (("--to", "next year", "--reason", "x"), "not a date"),
])
def test_refusals_exit_2_and_write_nothing(run, measures_dir, args, message):
    before = snapshot(measures_dir)
    result = run("extend", "2", *args, "--dir", measures_dir, env={"PORTCLI_LANG": "en"})
    assert result.exit_code == 2
    assert message in result.stderr
    assert snapshot(measures_dir) == before


def test_a_measure_without_a_due_date_gets_one_with_from_null(run, measures_dir):
    before = json.loads(run("show", "1", "--dir", measures_dir, "--format", "json").stdout)
    assert before["due"] is None and before["deadline_kind"] == "external"
    result = run("extend", "1", "--to", "2022-12-31", "--reason", "总署部署明确", "--date", "2022-06-01",
                 "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    assert "from: null, to: 2022-12-31" in (measures_dir / "01.yaml").read_text(encoding="utf-8")
    after = json.loads(run("show", "1", "--dir", measures_dir, "--format", "json").stdout)
    assert (after["due"], after["due_source"], after["deadline_kind"]) == ("2022-12-31", "extension", "external")


def test_show_lists_extensions(run, measures_dir):
    extend_2(run, measures_dir, "--by", "空港管委会")
    out = run("show", "2", "--dir", measures_dir, "--as-of", "2022-06-15").stdout
    assert "延期" in out.splitlines()
    assert "已延期 1 次，原定 2022-05-31" in out
    row = next(line for line in out.splitlines() if line.startswith("2022-05-25"))
    assert row.split() == ["2022-05-25", "2022-05-31", "2022-06-30", "空港经济区管委会", REASON]


def test_report_counts_extended_measures_per_unit(run, measures_dir):
    extend_2(run, measures_dir)
    run("extend", "6", "--to", "2022-07-31", "--reason", "x", "--date", "2022-05-25", "--dir", measures_dir)
    shows = {i: json.loads(run("show", i, "--dir", measures_dir, "--format", "json").stdout) for i in (2, 6)}
    expected = {}
    for measure in shows.values():
        for unit in measure["units"]:
            expected[unit] = expected.get(unit, 0) + 1

    report = json.loads(run("report", "--as-of", "2022-06-15", "--dir", measures_dir, "--format", "json").stdout)
    assert report["extended"] == [2, 6]
    assert {row["unit"]: row["extended"] for row in report["units"] if row["extended"]} == expected

    table = run("report", "--as-of", "2022-06-15", "--dir", measures_dir).stdout
    assert "延期 2 项" in table
    lines = table.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("单位"))
    column = lines[start].split().index("延期")
    end = next(i for i, line in enumerate(lines) if line.startswith("进度"))  # the table's legend: the next section
    for line in lines[start + 1:end]:
        cells = line.split()
        if cells and cells[0] in expected:
            assert int(cells[column]) == expected[cells[0]], line


@pytest.mark.parametrize("measure, by, said", [
    ("2", ("--by", "海关"), "extended: due 2022-05-31 → 2022-06-30 by 天津海关: 等待机场系统升级"),
    ("1", (), "extended: due none → 2022-06-30: 等待机场系统升级"),
])
@pytest.mark.english
def test_it_says_what_it_moved(run, measures_dir, measure, by, said):
    result = run("extend", measure, "--to", "2022-06-30", "--reason", REASON, "--date", "2022-05-25", *by,
                 "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{measures_dir / f'{int(measure):02d}.yaml'}: measure {measure}: {said}\n"


@pytest.mark.parametrize("args, message", [
    (("--to", "2022-06-30", "--reason", "  "), "--reason must say why the extension was approved"),
    (("--to", "2022-06-30", "--reason", "a\udcffb"), "--reason is not valid UTF-8 text"),
    (("--to", "2022-05-31", "--reason", "x"),
     "--to 2022-05-31 is not later than measure 2's due date 2022-05-31; an extension only moves the due date later"),
])
@pytest.mark.english
def test_refusals_in_their_exact_words(run, measures_dir, args, message):
    result = run("extend", "2", *args, "--date", "2022-05-25", "--dir", measures_dir)
    assert (result.exit_code, result.stderr) == (2, f"portcli: {message}\n")


def test_a_file_with_a_bom_keeps_it_and_json_is_the_measure_as_shown(run, measures_dir):
    path = measures_dir / "02.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = extend_2(run, measures_dir, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert path.read_bytes().startswith(b"\xef\xbb\xbf# ")
    shown = json.loads(run("show", "2", "--dir", measures_dir, "--format", "json").stdout)
    assert json.loads(result.stdout) == shown and shown["task_title"]


@pytest.mark.english
def test_other_files_problems_are_warnings_and_the_extension_is_written(run, measures_dir):
    (measures_dir / "03.yaml").write_text("id: 3\n", encoding="utf-8")
    result = extend_2(run, measures_dir)
    assert result.exit_code == 0
    assert "03.yaml" in result.stderr and "this write succeeded" in result.stderr
    assert "reason: 等待机场系统升级}" in (measures_dir / "02.yaml").read_text(encoding="utf-8")


def test_a_due_date_worked_out_once_stays_out_of_equality_and_copies():
    """A measure keeps its due date once asked (every report asks 100,000 times), but the kept value is
    no field: a measure asked equals one never asked, and a copy with an extension has the new date."""
    from portcli.values import replace
    from datetime import date

    from portcli.model import Deadline, Extension, Measure

    def made() -> Measure:
        return Measure(id=3, task=1, national=None, local=("措施",), units=("天津海关",), units_note=None,
                       deadline=Deadline("6月底前", "date", date(2022, 6, 30)), status="in_progress")

    asked, fresh = made(), made()
    assert (asked.due, asked.due_source) == (date(2022, 6, 30), "deadline")
    assert asked == fresh and hash(asked) == hash(fresh)
    extended = replace(asked, extensions=(Extension(date(2022, 6, 20), date(2022, 9, 30), "等待总署批复"),))
    assert (extended.due, extended.due_source) == (date(2022, 9, 30), "extension")
    assert (asked.due, fresh.due) == (date(2022, 6, 30), date(2022, 6, 30))
