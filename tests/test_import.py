"""`portcli import`: a 任务分工表 in a .docx, .xlsx or tab-separated text becomes a measures folder
equal to what the document says. Expected data come from measures/*.yaml read with yaml.safe_load,
or are written out in each test; documents are built in the tests (tests/table_documents.py)."""
from __future__ import annotations

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
    assert "read: 11 key tasks, 25 measures, 14 units" in result.stdout
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
    # the 任务分工表 as the office has it, in Chinese: what import reads
    assert run("export", "--dir", measures_dir, "--as-of", "2022-06-15", "--output", workbook,
               env={"PORTCLI_LANG": "zh"}).exit_code == 0
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
    rows[3][4] = "天津海关\n市交通运输委按职责分工负责"  # units on lines of their own, in one cell
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


# --- what it could not read: problems by row, nothing written --------------------------------------

def problem_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if not line.startswith("portcli:")]


def test_a_skipped_number_an_empty_deadline_and_an_empty_unit_cell_are_problems_by_row_and_page(run, tmp_path):
    rows, merges = docs.shipped_table(page_break_in_14=True)
    at = {r[2].split(".")[0]: i for i, r in enumerate(rows) if r[2][:1].isdigit()}
    rows[at["20"]][5] = ""        # 完成时限 of measure 20, on page 2 (measure 14's row broke the page)
    rows[at["3"]][4] = ""         # 责任单位 of measure 3, page 1
    rows[at["22"]][2] = rows[at["22"]][2].replace("22.", "26.", 1)  # 26 where 22 belongs
    path = docs.write_docx(tmp_path / "分工表.docx", [(rows, merges)])
    result = imported(run, path, tmp_path / "new")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert problem_lines(result) == [
        f"{path}: table 1, row {at['3'] + 1}, page 1: measure 3: 责任单位 is empty; expected unit names separated by 、",
        f"{path}: table 1, row {at['20'] + 1}, page 2: measure 20: 完成时限 is empty; expected a deadline such as 5月底前",
        f"{path}: table 1, row {at['22'] + 1}, page 2: measure 26 follows measure 21: measure 22–25 is missing",
        f"{path}: table 1, row {at['23'] + 1}, page 2: measure 23 comes after measure 26; expected 27",
        f"{path}: table 1, row {at['24'] + 1}, page 2: measure 24 comes after measure 26; expected 27",
        f"{path}: table 1, row {len(rows)}, page 2: measure 25 comes after measure 26; expected 27",
    ]
    assert "nothing written" in result.stderr.splitlines()[-1]
    assert not (tmp_path / "new").exists()


def test_a_repeated_number_is_a_problem_at_its_line(run, tmp_path):
    rows = small_table()
    rows[4][2] = "2.重复。"
    path = docs.write_text(tmp_path / "t.txt", rows, title="2023年分工表")
    lines = path.read_text(encoding="utf-8").splitlines()
    first, again = (i + 1 for i, line in enumerate(lines) if "\t2." in line)
    result = imported(run, path, tmp_path / "new")
    assert result.exit_code == 2
    assert problem_lines(result) == [f"{path}: line {again}: measure 2 again (also at line {first}); each number once"]
    assert not (tmp_path / "new").exists()


def test_a_row_that_belongs_to_no_measure_says_what_was_expected(run, tmp_path):
    rows = [*HEADER, row("一", "甲任务。", "没有编号的举措", "细化。", "市商务局", "5月底前")]
    result = imported(run, docs.write_xlsx(tmp_path / "t.xlsx", rows, MERGES, title="2023年分工表"), tmp_path / "new")
    assert result.exit_code == 2
    assert problem_lines(result) == [f"{tmp_path / 't.xlsx'}: row 4: this row belongs to no measure: expected a "
                                     "measure number (N.) at the start of 具体举措"]


def test_force_partial_writes_what_was_read_and_validate_names_the_rest(run, tmp_path):
    rows = small_table()
    rows[3][5] = ""
    result = imported(run, docs.write_text(tmp_path / "t.txt", rows, title="2023年分工表"), tmp_path / "new",
                      "--force-partial")
    assert result.exit_code == 2
    assert sorted(p.name for p in (tmp_path / "new").glob("*.yaml")) == ["01.yaml", "02.yaml", "03.yaml", "_plan.yaml"]
    assert measure_data(tmp_path / "new")[2]["deadline"] is None  # `deadline:` left for a person to fill in
    validate = run("validate", "--dir", tmp_path / "new")
    assert validate.exit_code == 2 and "02.yaml" in validate.stderr
    assert "validate: 1 problem; run" in result.stdout


def test_an_existing_folder_is_never_written_over(run, measures_dir, tmp_path):
    before = {p.name: p.read_bytes() for p in measures_dir.iterdir()}
    result = imported(run, SOURCE, measures_dir)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"portcli: {measures_dir} already holds _plan.yaml, 01.yaml, 02.yaml, … (26 files)")
    assert len(result.stderr.splitlines()) == 1
    assert {p.name: p.read_bytes() for p in measures_dir.iterdir()} == before


def test_merge_adds_only_the_measures_the_folder_lacks(run, measures_dir, tmp_path):
    for name in ("24.yaml", "25.yaml"):
        (measures_dir / name).unlink()
    replace_line(measures_dir / "03.yaml", "status:", "status: in_progress")
    kept = {p.name: p.read_bytes() for p in measures_dir.glob("[0-9]*.yaml")}
    rows, merges = docs.shipped_table()
    rows.append(row("十二", "26.新增任务", "", "新增细化措施", "市商务局、天津市口岸办", "年底前"))
    result = imported(run, docs.write_docx(tmp_path / "t.docx", [(rows, merges)]), measures_dir, "--merge")
    assert result.exit_code == 0, result.stderr
    assert {p.name: p.read_bytes() for p in measures_dir.glob("[0-9]*.yaml") if p.name in kept} == kept
    got = measure_data(measures_dir)
    shipped = measure_data()
    assert got[24] == shipped[24] and got[25] == shipped[25]
    assert got[26]["units"] == ["市商务局", "天津市口岸办"] and got[26]["task"] == 12 and got[26]["national"] is None
    plan = plan_data(measures_dir)
    assert plan["units"][:14] == plan_data()["units"]  # the registry as it was, full names and all
    assert plan["units"][14] == {"name": "天津市口岸办", "full_name": "天津市口岸办", "english": "天津市口岸办"}
    assert plan["tasks"][-1] == {"id": 12, "numeral": "十二", "title": "新增任务"}
    assert "merge: kept 23 measures already in" in result.stdout
    assert run("validate", "--dir", measures_dir).exit_code == 0


def test_merge_names_a_measure_that_differs_from_the_table(run, measures_dir, tmp_path):
    replace_line(measures_dir / "05.yaml", "deadline:", "deadline: 年底前")
    before = (measures_dir / "05.yaml").read_bytes()
    result = imported(run, SOURCE, measures_dir, "--merge")
    assert result.exit_code == 0, result.stderr
    assert f"measure 5 in {measures_dir} differs from the table (line 11); kept the folder's" in result.stdout
    assert (measures_dir / "05.yaml").read_bytes() == before


# --- bad input: one line, exit 2, no traceback ---------------------------------------------------

def one_line_refusal(run, path: Path, tmp_path: Path) -> str:
    result = imported(run, path, tmp_path / "new")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(f"portcli: {path}: ")
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "new").exists()
    return result.stderr


def test_a_letter_is_not_a_table(run, tmp_path):
    import docx

    letter = docx.Document()
    letter.add_paragraph("关于报送2023年工作总结的通知")
    letter.add_paragraph("各单位：请于5月底前报送。")
    letter.save(str(tmp_path / "letter.docx"))
    assert "no table in the file; expected a task-division table with the columns 序号, 重点任务, 具体举措, 天津市细化落实措施, " \
           "责任单位, 完成时限" in one_line_refusal(run, tmp_path / "letter.docx", tmp_path)


def test_an_empty_table_under_the_headers(run, tmp_path):
    path = docs.write_docx(tmp_path / "t.docx", [([*HEADER, ["", "", "", "", "", ""]], MERGES)])
    assert "has the headers of a task-division table (table 1, row 1, page 1) but no rows under them" in \
        one_line_refusal(run, path, tmp_path)


def test_a_table_with_other_headers(run, tmp_path):
    rows = [["姓名", "电话", "邮箱"], ["张三", "12345", "a@b.c"]]
    message = one_line_refusal(run, docs.write_xlsx(tmp_path / "t.xlsx", rows, title="通讯录"), tmp_path)
    assert "no table with the headers of a task-division table (序号, 重点任务" in message and "姓名、电话、邮箱" in message


@pytest.mark.parametrize("name", ["locked.docx", "locked.xlsx"])
def test_an_encrypted_office_file(run, tmp_path, name):
    # A password-protected .docx/.xlsx is an OLE compound file, not a zip: its first eight bytes say so.
    path = tmp_path / name
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 4000)
    assert "password-protected, or an old" in one_line_refusal(run, path, tmp_path)


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_a_damaged_office_file(run, tmp_path, kind):
    whole = tmp_path / f"whole.{kind}"
    if kind == "docx":
        docs.write_docx(whole, [(small_table(), small_merges())])
    else:
        docs.write_xlsx(whole, small_table(), small_merges())
    cut = tmp_path / f"cut.{kind}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert "damaged, or not a" in one_line_refusal(run, cut, tmp_path)


def test_binary_bytes_as_text_and_an_unknown_suffix(run, tmp_path):
    (tmp_path / "t.txt").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    assert "a binary file, not tab-separated text" in one_line_refusal(run, tmp_path / "t.txt", tmp_path)
    (tmp_path / "t.pdf").write_bytes(b"%PDF-1.4")
    assert "portcli imports .docx, .xlsx and tab-separated .txt or .tsv" in \
        one_line_refusal(run, tmp_path / "t.pdf", tmp_path)


def test_gbk_text_is_read(run, tmp_path):
    path = docs.write_text(tmp_path / "t.txt", small_table(), title="2023年分工表")
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    result = imported(run, path, tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert measure_data(tmp_path / "out")[1]["units"] == ["市商务局", "天津海关"]


def _with_cached_values(path: Path, cached: dict[str, str]) -> None:
    """Give formula cells the value Excel would have saved with them (openpyxl saves none)."""
    import re

    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, value in cached.items():
        xml = re.sub(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v>\s*</v></c>',
                     lambda m: f'<c r="{ref}" t="str"><f>{m.group(2)}</f><v>{value}</v></c>', xml)
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)


def test_a_formula_is_read_as_its_saved_value_never_computed(run, tmp_path):
    rows = small_table()
    rows[2][5] = '=CONCATENATE("6","月底前")'  # computed, it would say 6月底前
    path = docs.write_xlsx(tmp_path / "t.xlsx", rows, small_merges(), title="2023年分工表")
    _with_cached_values(path, {"F4": "5月底前"})
    result = imported(run, path, tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert measure_data(tmp_path / "out")[1]["deadline"] == "5月底前"


def test_a_formula_without_a_saved_value_is_refused(run, tmp_path):
    rows = small_table()
    rows[2][5] = '=CONCATENATE("6","月底前")'
    path = docs.write_xlsx(tmp_path / "t.xlsx", rows, small_merges(), title="2023年分工表")
    message = one_line_refusal(run, path, tmp_path)
    assert 'row 4: cell F4 holds a formula (=CONCATENATE("6","月底前")) without a saved value' in message


def test_a_merge_with_nothing_new_writes_nothing(run, measures_dir):
    before = {p.name: p.read_bytes() for p in measures_dir.iterdir()}
    result = imported(run, SOURCE, measures_dir, "--merge")
    assert result.exit_code == 0, result.stderr
    assert "already has every measure of the table; nothing written" in result.stdout
    assert {p.name: p.read_bytes() for p in measures_dir.iterdir() if p.name != ".portcli.lock"} == before


def test_a_title_without_a_year_needs_year(run, tmp_path):
    path = docs.write_text(tmp_path / "t.txt", small_table(), title="某市口岸任务分工表")
    result = imported(run, path, tmp_path / "out")
    assert result.exit_code == 2
    assert problem_lines(result) == [f"{path}: title: the title '某市口岸任务分工表' names no year; give the plan's "
                                     "year with --year"]
    result = imported(run, path, tmp_path / "out", "--year", "2024", "--title", "某市2024年口岸任务分工表")
    assert result.exit_code == 0, result.stderr
    plan = plan_data(tmp_path / "out")
    assert (plan["title"], plan["year"]) == ("某市2024年口岸任务分工表", 2024)
    # the year dates the deadlines: 5月底前 is due at the end of May 2024
    shown = run("show", "1", "--dir", tmp_path / "out", "--format", "json")
    assert yaml.safe_load(shown.stdout)["due"] == "2024-05-31"


def test_text_copied_out_of_excel_with_quoted_multiline_cells(run, tmp_path):
    rows = small_table()
    lines = ["2023年分工表", *("\t".join(r) for r in rows[:2]),
             "一\t甲任务。\t1.甲一。\t\"1.第一项。\n2.第二项。\"\t市商务局\t5月底前",
             "\t\t2.甲二。\t甲二细化。\t天津海关\t年底前"]
    path = tmp_path / "t.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = imported(run, path, tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    got = measure_data(tmp_path / "out")
    assert got[1]["local"] == ["第一项。", "第二项。"] and got[2]["units"] == ["天津海关"]


def test_pages_follow_the_breaks_word_recorded_when_it_laid_the_document_out(run, tmp_path):
    """Word writes w:lastRenderedPageBreak where pages broke when it last laid the document out;
    with those present, explicit breaks are not counted again."""
    rows = small_table()
    rows[2][3] = "甲一\f细化。"  # an explicit page break inside measure 1's row …
    rows[4][5] = ""               # … and a problem in measure 3's row
    path = docs.write_docx(tmp_path / "t.docx", [(rows, small_merges())], title="2023年分工表")
    explicit = imported(run, path, tmp_path / "a")
    assert f"{path}: table 1, row 5, page 2: measure 3: 完成时限 is empty" in explicit.stderr
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    xml = parts["word/document.xml"].decode()
    rendered = '<w:r><w:lastRenderedPageBreak/><w:t>x</w:t></w:r>'
    # Word's layout put two page breaks before measure 3's row: one in measure 1's row, one in measure 2's.
    for text in ("甲二细化。", "细化。"):
        xml = xml.replace(f"<w:t>{text}</w:t></w:r>", f"<w:t>{text}</w:t></w:r>{rendered.replace('x', '')}", 1)
    parts["word/document.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    result = imported(run, path, tmp_path / "b")
    assert f"{path}: table 1, row 5, page 3: measure 3: 完成时限 is empty" in result.stderr


def test_texts_that_look_like_yaml_come_back_as_written(run, tmp_path):
    rows = small_table()
    rows[2][2] = "1.- 看似列表: 实为文字 # 不是注释"
    rows[2][3] = "1.null 2.~ 3.[括号]与{花括号}"
    rows[3][3] = "'引号' \"双引号\" \\ 反斜杠"
    result = imported(run, docs.write_text(tmp_path / "t.txt", rows, title="2023年分工表"), tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    got = measure_data(tmp_path / "out")
    assert got[1]["national"] == "- 看似列表: 实为文字 # 不是注释"
    assert got[1]["local"] == ["null", "~", "[括号]与{花括号}"]
    assert got[2]["local"] == ["'引号' \"双引号\" \\ 反斜杠"]
    assert run("validate", "--dir", tmp_path / "out").exit_code == 0


def test_a_table_without_a_number_column_numbers_its_key_tasks_in_their_titles(run, tmp_path):
    rows = [["重点任务", "具体举措", "细化落实措施", "责任单位", "完成时限"],
            ["1、甲任务。", "1.甲一。", "甲一细化。", "市商务局", "5月底前"],
            ["", "2.甲二。", "甲二细化。", "天津海关", "年底前"],
            ["2、乙任务。", "3.乙一。", "乙一细化。", "市商务局", "6月30日前"]]
    result = imported(run, docs.write_docx(tmp_path / "t.docx", [(rows, [((1, 0), (2, 0))])], title="2023年分工表"),
                      tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert plan_data(tmp_path / "out")["tasks"] == [{"id": 1, "numeral": "1", "title": "甲任务。"},
                                                   {"id": 2, "numeral": "2", "title": "乙任务。"}]
    assert {i: (m["task"], m["national"]) for i, m in measure_data(tmp_path / "out").items()} == {
        1: (1, "甲一。"), 2: (1, "甲二。"), 3: (2, "乙一。")}


# --- workbooks as LibreOffice Calc saves them --------------------------------------------------------

def calc_saved(path: Path, tmp_path: Path) -> Path:
    """`path` opened and saved again as .xlsx by LibreOffice Calc (headless), as a person would."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc")
    out = tmp_path / "calc"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
                    "--convert-to", "xlsx", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180)
    return out / path.name


def test_a_formula_calc_computed_and_saved_is_read_as_its_value(run, tmp_path):
    rows = small_table()
    rows[2][5] = '="5月"&"底前"'
    saved = calc_saved(docs.write_xlsx(tmp_path / "t.xlsx", rows, small_merges(), title="2023年分工表"), tmp_path)
    result = imported(run, saved, tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    got = measure_data(tmp_path / "out")
    assert got[1]["deadline"] == "5月底前" and got[2]["task"] == 1  # the merged key task survived Calc too


def test_the_export_saved_again_by_calc_imports_as_the_same_data(run, measures_dir, tmp_path):
    varied(measures_dir)
    workbook = tmp_path / "任务分工表.xlsx"
    # the 任务分工表 as the office has it, in Chinese: what import reads
    assert run("export", "--dir", measures_dir, "--as-of", "2022-06-15", "--output", workbook,
               env={"PORTCLI_LANG": "zh"}).exit_code == 0
    result = imported(run, calc_saved(workbook, tmp_path), tmp_path / "back")
    assert result.exit_code == 0, result.stderr
    assert document_data(tmp_path / "back") == document_data(measures_dir)


def test_a_copied_table_with_the_header_repeated_inside_a_split_row(run, tmp_path):
    rows = small_table()
    lines = ["2023年分工表", *("\t".join(r) for r in rows[:3]),
             "\t\t2.甲\t甲二\t天津海关、\t年底前", "", "", *("\t".join(r) for r in HEADER),
             "\t\t二。\t细化。\t市商务局\t", "\t".join(rows[4])]
    path = tmp_path / "t.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = imported(run, path, tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    got = measure_data(tmp_path / "out")
    assert (got[2]["national"], got[2]["local"], got[2]["units"]) == ("甲二。", ["甲二细化。"], ["天津海关", "市商务局"])
    assert len(got) == 3
