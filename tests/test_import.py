"""`portcli import`: a 任务分工表 in a .docx, .xlsx or tab-separated text becomes a measures folder
equal to what the document says. Expected data come from measures/*.yaml read with yaml.safe_load,
or are written out in each test; documents are built in the tests (tests/table_documents.py)."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

import table_documents as docs
from measure_files import SHIPPED, measure_data, plan_data, replace_line

SOURCE = Path(__file__).parent / "data" / "source_table.txt"
HEADER = docs.HEADER
MERGES = docs.HEADER_MERGES
DOCUMENT_KEYS = ("id", "task", "national", "local", "units", "units_note", "deadline")


def imported(run, source: Path, folder: Path, *args: str):
    return run("import", source, "--dir", folder, *args)


def document_data(folder: Path) -> dict[int, dict]:
    return {i: {k: m[k] for k in DOCUMENT_KEYS} for i, m in measure_data(folder).items()}


def assert_same_plan_and_measures(folder: Path, expected: Path = SHIPPED) -> None:
    """Texts, units and their order, unit notes, deadlines, key tasks, title, year: as in `expected`."""
    got, want = measure_data(folder), measure_data(expected)
    assert got == want
    plan, shipped = plan_data(folder), plan_data(expected)
    assert plan["title"] == shipped["title"] and plan["year"] == shipped["year"]
    assert plan["tasks"] == shipped["tasks"]
    assert [u["name"] for u in plan["units"]] == [u["name"] for u in shipped["units"]]


def row(numeral="", task="", national="", local="", units="市商务局", deadline="5月底前") -> list[str]:
    return [numeral, task, national, local, units, deadline]


def small_table() -> list[list[str]]:
    """Two key tasks, three measures: enough to tell rows, tasks and measures apart."""
    return [*HEADER,
            row("一", "甲任务。", "1.甲一。", "甲一细化。", "市商务局、天津海关", "5月底前"),
            row("", "", "2.甲二。", "甲二细化。", "天津海关", "年底前"),
            row("二", "乙任务。", "3.乙一。", "乙一细化。", "市交通运输委", "持续推动")]


def small_merges() -> list:
    return [*MERGES, ((2, 0), (3, 0)), ((2, 1), (3, 1))]


# --- round trips ---------------------------------------------------------------------------------

def test_the_shipped_documents_text_imports_as_the_shipped_measures(run, tmp_path):
    result = imported(run, SOURCE, tmp_path / "new")
    assert result.exit_code == 0, result.stderr
    assert_same_plan_and_measures(tmp_path / "new")
    for path in SHIPPED.glob("[0-9]*.yaml"):  # the same shape, comment line and key order included
        assert (tmp_path / "new" / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    shipped = list(measure_data().values())
    kinds = {"date": sum(m["deadline"] == "5月底前" for m in shipped),
             "milestone": sum("取得阶段性进展" in m["deadline"] for m in shipped),
             "external": sum(m["deadline"].startswith("按照") for m in shipped)}
    assert kinds == {"date": 13, "milestone": 7, "external": 5}
    assert f"read: 11 key tasks, 25 measures, 14 units" in result.stdout
    assert f"deadlines: {kinds['date']} date, {kinds['milestone']} milestone, {kinds['external']} external" in result.stdout
    assert "validate: ok" in result.stdout and "problems: 0" in result.stdout
    assert run("validate", "--dir", tmp_path / "new").exit_code == 0


def varied(measures_dir: Path) -> Path:
    """The shipped measures with deadlines, notes and statuses that tell measures apart."""
    replace_line(measures_dir / "02.yaml", "deadline:", "deadline: 6月30日前")
    replace_line(measures_dir / "04.yaml", "deadline:", "deadline: 年底前")
    replace_line(measures_dir / "09.yaml", "units_note:", "units_note: 按职责分工负责")
    replace_line(measures_dir / "13.yaml", "deadline:", "deadline: 持续推动")
    replace_line(measures_dir / "13.yaml", "status:", "status: in_progress")
    replace_line(measures_dir / "16.yaml", "status:", "status: done")
    return measures_dir


def test_the_xlsx_export_imports_back_as_the_same_data(run, measures_dir, tmp_path):
    varied(measures_dir)
    workbook = tmp_path / "任务分工表.xlsx"
    assert run("export", "--dir", measures_dir, "--as-of", "2022-06-15", "--output", workbook).exit_code == 0
    result = imported(run, workbook, tmp_path / "back")
    assert result.exit_code == 0, result.stderr
    assert document_data(tmp_path / "back") == document_data(measures_dir)
    assert document_data(tmp_path / "back")[2]["deadline"] == "6月30日前"
    plan = plan_data(tmp_path / "back")
    assert plan["title"] == plan_data(measures_dir)["title"]  # the export's （截至 …） is not the title
    assert plan["tasks"] == plan_data(measures_dir)["tasks"]
    # Tracking starts afresh: the export's 状态 column is the state of another folder, not the document.
    assert {m["status"] for m in measure_data(tmp_path / "back").values()} == {"not_started"}


def test_the_xlsx_header_is_found_by_its_texts_wherever_it_is(run, tmp_path):
    rows = small_table()
    path = docs.write_xlsx(tmp_path / "t.xlsx", [["", "", "", "", "", ""], ["说明：本表按……"], *rows],
                           title="2023年测试分工表")
    result = imported(run, path, tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert [m["national"] for m in measure_data(tmp_path / "out").values()] == ["甲一。", "甲二。", "乙一。"]


def test_a_word_table_with_merged_cells_and_a_page_break_in_measure_14_imports_as_the_shipped_measures(run, tmp_path):
    rows, merges = docs.shipped_table(page_break_in_14=True)
    path = docs.write_docx(tmp_path / "分工表.docx", [(rows, merges)])
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert xml.count('w:type="page"') == 3 and "<w:vMerge/>" in xml and 'w:gridSpan w:val="2"' in xml
    result = imported(run, path, tmp_path / "new")
    assert result.exit_code == 0, result.stderr
    assert_same_plan_and_measures(tmp_path / "new")


def test_python_docx_alone_would_repeat_merged_cells(tmp_path):
    """Why the XML is read: python-docx's cells give a vertically merged key task on every row."""
    import docx

    path = docs.write_docx(tmp_path / "t.docx", [(small_table(), small_merges())])
    table = docx.Document(str(path)).tables[0]
    assert table.rows[3].cells[1].text == "甲任务。"  # the merge's text again, on measure 2's row


# --- the traps, one document each ----------------------------------------------------------------

def test_a_header_over_two_rows_names_the_columns_in_any_order(run, tmp_path):
    order = [0, 1, 2, 3, 5, 4]  # 完成时限 before 责任单位
    rows = [[r[i] for i in order] for r in small_table()]
    merges = [((0, 0), (1, 0)), ((0, 1), (0, 2)), ((0, 3), (1, 3)), ((0, 4), (1, 4)), ((0, 5), (1, 5)),
              ((2, 0), (3, 0)), ((2, 1), (3, 1))]
    result = imported(run, docs.write_docx(tmp_path / "t.docx", [(rows, merges)], title="2023年分工表"),
                      tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    got = measure_data(tmp_path / "out")
    assert got[1]["units"] == ["市商务局", "天津海关"] and got[1]["deadline"] == "5月底前"
    assert got[3]["deadline"] == "持续推动"


def test_key_tasks_span_their_rows_in_excel_merges(run, tmp_path):
    path = docs.write_xlsx(tmp_path / "t.xlsx", small_table(), small_merges(), title="2023年分工表")
    result = imported(run, path, tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert {i: m["task"] for i, m in measure_data(tmp_path / "out").items()} == {1: 1, 2: 1, 3: 2}
    assert plan_data(tmp_path / "out")["tasks"] == [{"id": 1, "numeral": "一", "title": "甲任务。"},
                                                   {"id": 2, "numeral": "二", "title": "乙任务。"}]
    assert plan_data(tmp_path / "out")["year"] == 2023


def test_several_numbered_local_items_in_one_cell(run, tmp_path):
    rows = small_table()
    rows[2][3] = "1.推广标准（3.0版），开通12360热线。 2.完善机制；3.加强宣传"
    result = imported(run, docs.write_text(tmp_path / "t.txt", rows, title="2023年分工表"), tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert measure_data(tmp_path / "out")[1]["local"] == ["推广标准（3.0版），开通12360热线。", "完善机制；", "加强宣传"]


def test_a_measure_split_by_a_page_break_without_the_header_repeated(run, tmp_path):
    rows = small_table()
    rows[3] = row("", "", "2.甲\f二。", "甲二\f细化。", "天津海关、\f市商务局", "年底前\f")
    text = docs.write_text(tmp_path / "t.txt", rows, title="2023年分工表")
    assert "\t\t2.甲\t甲二\t天津海关、\t年底前\n\n\t\t二。\t细化。\t市商务局\t\n" in text.read_text(encoding="utf-8")
    result = imported(run, text, tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    m = measure_data(tmp_path / "out")[2]
    assert (m["national"], m["local"], m["units"], m["deadline"]) == ("甲二。", ["甲二细化。"], ["天津海关", "市商务局"], "年底前")
    assert len(measure_data(tmp_path / "out")) == 3


def test_a_measure_split_across_two_tables_with_the_header_repeated(run, tmp_path):
    rows = small_table()
    first = [*rows[:3], row("", "", "2.甲", "甲二", "天津海关、", "年底前")]
    second = [*HEADER, row("", "", "二。", "细化。", "市商务局", ""), rows[4]]
    path = docs.write_docx(tmp_path / "t.docx", [(first, [*MERGES, ((2, 0), (3, 0)), ((2, 1), (3, 1))]),
                                                 (second, MERGES)], title="2023年分工表")
    result = imported(run, path, tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    got = measure_data(tmp_path / "out")
    assert (got[2]["national"], got[2]["local"], got[2]["units"]) == ("甲二。", ["甲二细化。"], ["天津海关", "市商务局"])
    assert got[3]["task"] == 2 and len(got) == 3


def test_a_row_without_a_national_measure_has_its_number_in_the_key_task_column(run, tmp_path):
    rows = small_table()
    rows[4] = row("二", "3.本市自定任务", "", "本市细化。", "市商务局", "5月底前")
    result = imported(run, docs.write_text(tmp_path / "t.txt", rows, title="2023年分工表"), tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert measure_data(tmp_path / "out")[3]["national"] is None
    assert plan_data(tmp_path / "out")["tasks"][1]["title"] == "本市自定任务"


def test_units_separated_by_dunhao_with_a_note(run, tmp_path):
    rows = small_table()
    rows[2][4] = "市商务局、天津海关按照职责分工负责"
    rows[3][4] = "天津海关、市交通运输委按职责分工负责"
    result = imported(run, docs.write_xlsx(tmp_path / "t.xlsx", rows, small_merges(), title="2023年表"),
                      tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    got = measure_data(tmp_path / "out")
    assert (got[1]["units"], got[1]["units_note"]) == (["市商务局", "天津海关"], "按照职责分工负责")
    assert (got[2]["units"], got[2]["units_note"]) == (["天津海关", "市交通运输委"], "按职责分工负责")
    assert (got[3]["units"], got[3]["units_note"]) == (["市交通运输委"], None)
    assert [u["name"] for u in plan_data(tmp_path / "out")["units"]] == ["市商务局", "天津海关", "市交通运输委"]


def test_deadlines_lose_their_typesetting_spaces(run, tmp_path):
    rows = small_table()
    rows[2][5], rows[3][5] = "5 月底前", "5 月底前取得阶段性进展，持续推动"
    result = imported(run, docs.write_text(tmp_path / "t.txt", rows, title="2023年分工表"), tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    got = measure_data(tmp_path / "out")
    assert (got[1]["deadline"], got[2]["deadline"]) == ("5月底前", "5月底前取得阶段性进展，持续推动")
    assert "deadlines: 1 date, 1 milestone, 1 ongoing" in result.stdout


def test_texts_keep_or_lack_their_final_full_stop_as_written(run, tmp_path):
    rows = small_table()
    rows[2][2], rows[2][3] = "1.有句号。", "无句号"
    result = imported(run, docs.write_docx(tmp_path / "t.docx", [(rows, small_merges())], title="2023年分工表"),
                      tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    got = measure_data(tmp_path / "out")[1]
    assert (got["national"], got["local"]) == ("有句号。", ["无句号"])


def test_units_that_may_be_one_are_reported_not_merged(run, tmp_path):
    rows = small_table()
    rows[2][4] = "天津海关、市商务局"
    rows[3][4] = "海关、天津市商务局"
    result = imported(run, docs.write_text(tmp_path / "t.txt", rows, title="2023年分工表"), tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert [u["name"] for u in plan_data(tmp_path / "out")["units"]] == ["天津海关", "市商务局", "海关", "天津市商务局",
                                                                        "市交通运输委"]
    lines = (tmp_path / "t.txt").read_text(encoding="utf-8").splitlines()
    first, second = (lines.index(next(l for l in lines if cell in l)) + 1 for cell in ("天津海关、市商务局", "海关、天津市商务局"))
    assert (f"possible alias: 海关 (line {second}) differs only by a prefix (天津/市) from 天津海关 (line {first}); "
            "kept as two units") in result.stdout
    assert (f"possible alias: 天津市商务局 (line {second}) differs only by a prefix (天津/市) from 市商务局 (line {first}); "
            "kept as two units") in result.stdout


def test_a_unit_contained_in_another_is_reported(run, tmp_path):
    rows = small_table()
    rows[3][4] = "天津海关、天津海关技术中心"
    result = imported(run, docs.write_xlsx(tmp_path / "t.xlsx", rows, small_merges(), title="2023年分工表"),
                      tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert "possible alias: 天津海关技术中心 (row 5) contains 天津海关 (row 4); kept as two units" in result.stdout
