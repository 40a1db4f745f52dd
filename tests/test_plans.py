"""A measures folder of several plans (issue 12, item 3): every command across all plans, PLAN:ID where
ids clash, --plan to narrow.

The tree is built here: two plans that both have a measure 1 and both register 天津海关 (under
different aliases), with deadlines, statuses and leads that tell the behaviours apart. Expected values
are worked out by hand from the files below, as of AS_OF.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from portcli.plans import BadReference, parse_reference

AS_OF = "2023-06-20"
OLD, NEW = "2022-跨境贸易", "2023-跨境贸易"

PLAN_FILES = {
    OLD: """title: 二〇二二年甲计划
year: 2022
tasks:
  - {id: 1, numeral: 一, title: 甲任务}
units:
  - {name: 天津海关, full_name: 中华人民共和国天津海关, english: Tianjin Customs, aliases: [海关]}
  - {name: 市商务局, full_name: 天津市商务局, english: Tianjin Commerce, aliases: [商务局]}
""",
    NEW: """title: 二〇二三年乙计划
year: 2023
tasks:
  - {id: 1, numeral: 一, title: 乙任务一}
  - {id: 2, numeral: 二, title: 乙任务二}
units:
  - {name: 天津海关, full_name: 中华人民共和国天津海关, english: Tianjin Customs, aliases: [津关]}
  - {name: 天津港集团, full_name: 天津港集团有限公司, english: Tianjin Port Group, aliases: []}
""",
}


def measure(id_: int, task: int, units: list[str], deadline: str, status: str, text: str) -> str:
    return (f"id: {id_}\ntask: {task}\nnational: null\nlocal: [{text}]\nunits: [{', '.join(units)}]\n"
            f"units_note: null\ndeadline: {deadline}\nstatus: {status}\nprogress: []\n")


MEASURES = {
    # 2022-05-31: 385 days late on 2023-06-20 (365 to 2023-05-31, then 20)
    (OLD, 1): measure(1, 1, ["天津海关", "市商务局"], "5月底前", "in_progress", "甲一"),
    (OLD, 2): measure(2, 1, ["市商务局"], "年底前", "done", "甲二"),
    # 2023-03-31: 81 days late (30 in April, 31 in May, 20 in June)
    (NEW, 1): measure(1, 2, ["天津港集团", "天津海关"], "3月底前", "not_started", "乙一"),
    # 2023-06-30: due in 10 days, within the 14 of "due soon"
    (NEW, 5): measure(5, 1, ["天津港集团"], "6月底前", "in_progress", "乙五"),
}


@pytest.fixture
def tree(tmp_path, monkeypatch) -> Path:
    """./measures holding the two plan folders; the current folder is tmp_path, so paths print short."""
    root = tmp_path / "measures"
    for name, text in PLAN_FILES.items():
        (root / name).mkdir(parents=True)
        (root / name / "_plan.yaml").write_text(text, encoding="utf-8")
    for (name, id_), text in MEASURES.items():
        (root / name / f"{id_}.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return root


def listed(run, *args) -> list[tuple[str | None, int]]:
    result = run(*args, "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    return [(m["plan"], m["id"]) for m in json.loads(result.stdout)]


def one_line_failure(result, *words: str) -> str:
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("portcli: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# --- reading across plans ------------------------------------------------------------------------

def test_list_shows_every_plan_by_plan_then_id_with_plan_ids(run, tree):
    assert listed(run, "list") == [(OLD, 1), (OLD, 2), (NEW, 1), (NEW, 5)]
    table = run("list", "--as-of", AS_OF, "--limit", "0")
    assert table.exit_code == 0, table.stderr
    rows = [line.split() for line in table.stdout.splitlines() if ":" in line and "as of" not in line]
    assert [row[0] for row in rows] == [f"{OLD}:1", f"{OLD}:2", f"{NEW}:1", f"{NEW}:5"]
    assert "4" in table.stdout.splitlines()[-1] and AS_OF in table.stdout.splitlines()[-1]  # the count line


def test_json_names_the_plan_and_the_task_of_its_own_plan(run, tree):
    rows = {(m["plan"], m["id"]): m for m in json.loads(run("list", "-f", "json", "--as-of", AS_OF).stdout)}
    assert rows[(OLD, 1)]["task_title"] == "甲任务"
    assert rows[(NEW, 1)]["task_title"] == "乙任务二"  # task 2 of the 2023 plan, which 2022 lacks
    assert rows[(NEW, 1)]["file"] == f"measures/{NEW}/1.yaml"
    assert (rows[(OLD, 1)]["days_overdue"], rows[(NEW, 1)]["days_overdue"]) == (385, 81)


def test_a_one_plan_folder_says_plan_null(run, measures_dir):
    result = run("list", "--format", "json", "--dir", measures_dir)
    assert {m["plan"] for m in json.loads(result.stdout)} == {None}


def test_list_unit_answers_for_every_plan_the_unit_is_in(run, tree):
    # 天津海关 leads 2022:1 and takes part in 2023:1; each alias is known to one plan only
    assert listed(run, "list", "--unit", "天津海关") == [(OLD, 1), (NEW, 1)]
    assert listed(run, "list", "--unit", "津关") == [(OLD, 1), (NEW, 1)]
    assert listed(run, "list", "--unit", "海关", "--lead") == [(OLD, 1)]
    assert listed(run, "list", "--unit", "市商务局") == [(OLD, 1), (OLD, 2)]
    one_line_failure(run("list", "--unit", "海事局"), "海事局")


def test_plan_narrows_every_reading_command(run, tree):
    assert listed(run, "list", "--plan", NEW) == [(NEW, 1), (NEW, 5)]
    assert listed(run, "list", "--plan", NEW, "--plan", OLD) == [(OLD, 1), (OLD, 2), (NEW, 1), (NEW, 5)]
    assert listed(run, "overdue", "--plan", OLD) == [(OLD, 1)]
    assert listed(run, "list", "--plan", OLD, "--task", "1", "--status", "done") == [(OLD, 2)]
    line = one_line_failure(run("list", "--plan", "2024-跨境贸易"), "2024-跨境贸易")
    # the folder asked about (./measures, the default) and the plans there are, in the tree's order
    assert line == f"portcli: no plan 2024-跨境贸易 in measures: its plans are {OLD}, {NEW}"


def test_plan_in_a_one_plan_folder_is_refused(run, measures_dir):
    line = one_line_failure(run("list", "--plan", OLD, "--dir", measures_dir), "--plan")
    assert line == f"portcli: --plan: {measures_dir} holds one plan, not several plan folders"


def test_overdue_across_plans_most_overdue_first(run, tree):
    assert listed(run, "overdue") == [(OLD, 1), (NEW, 1)]
    table = run("overdue", "--as-of", AS_OF)
    rows = [line.split() for line in table.stdout.splitlines() if ":" in line and "as of" not in line]
    assert [(row[0], row[-2]) for row in rows] == [(f"{OLD}:1", "385"), (f"{NEW}:1", "81")]


def test_overdue_as_a_table_narrows_to_the_plan_asked_for(run, tree):
    # the table is loaded apart from JSON's query: --plan must reach it too (only 2023:1 is late in NEW)
    table = run("overdue", "--plan", NEW, "--as-of", AS_OF)
    rows = [line.split() for line in table.stdout.splitlines() if ":" in line and "as of" not in line]
    assert [(row[0], row[-2]) for row in rows] == [(f"{NEW}:1", "81")]


def test_report_json_has_each_plan_and_the_total(run, tree):
    result = run("report", "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert list(out["plans"]) == [OLD, NEW]
    old, new, total = out["plans"][OLD], out["plans"][NEW], out["total"]
    assert (old["total"], new["total"], total["total"]) == (2, 2, 4)
    assert old["by_status"]["done"] == 1 and total["by_status"]["in_progress"] == 2
    assert total["overdue"] == [f"{OLD}:1", f"{NEW}:1"]
    assert total["due_soon"] == [f"{NEW}:5"] and old["due_soon"] == []
    units = {u["unit"]: u for u in total["units"]}
    # 天津海关: lead of 2022:1, in 2023:1; both overdue. The same name in both registries is one row.
    assert (units["天津海关"]["lead"], units["天津海关"]["involved"], units["天津海关"]["overdue"]) == (1, 2, 2)
    assert (units["天津港集团"]["lead"], units["天津港集团"]["overdue"]) == (2, 1)
    assert [u["unit"] for u in new["units"]] == ["天津海关", "天津港集团"]


def test_report_json_fits_its_schema(run, tree):
    import jsonschema

    schema = json.loads((Path(__file__).parents[1] / "schema" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(run("report", "-f", "json", "--as-of", AS_OF).stdout), schema)


def test_report_table_has_a_section_per_plan_then_the_total(run, tree):
    result = run("report", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    starts = [out.index("二〇二二年甲计划"), out.index("二〇二三年乙计划"), out.index("All plans")]
    assert starts == sorted(starts)
    old, new, total = out[starts[0]:starts[1]], out[starts[1]:starts[2]], out[starts[2]:]
    # the overdue and due-soon listings of each section, and of the total
    assert f"{OLD}:1" in old and f"{NEW}:1" not in old and f"{NEW}:5" not in old
    assert f"{NEW}:1" in new and f"{NEW}:5" in new and f"{OLD}:1" not in new
    assert all(name in total for name in (f"{OLD}:1", f"{NEW}:1", f"{NEW}:5"))
    # the per-unit rows: 市商务局 is in the 2022 plan only, 天津港集团 in the 2023 plan only
    assert "市商务局" in old and "市商务局" not in new and "天津港集团" in new and "天津港集团" in total


def test_report_of_one_unit_leaves_out_plans_it_is_not_in(run, tree):
    out = json.loads(run("report", "--unit", "市商务局", "-f", "json", "--as-of", AS_OF).stdout)
    assert list(out["plans"]) == [OLD] and out["total"]["total"] == 2


def test_report_of_one_unit_counts_due_soon_by_the_days_asked_for_in_each_plans_section(run, tree):
    """With --unit each plan's section works out what it counts afresh (its unit's measures only): by
    --due-soon's days too, not the plan's own. 天津港集团 is in the 2023 plan only; its measure 5 is due
    on 2023-06-30, 10 days after AS_OF: due soon by the plan's 14 days, not by 5."""
    def due_soon(*days):
        result = run("report", "--unit", "天津港集团", *days, "-f", "json", "--as-of", AS_OF)
        assert result.exit_code == 0, result.stderr
        out = json.loads(result.stdout)
        assert list(out["plans"]) == [NEW]
        return out["plans"][NEW]["due_soon"], out["total"]["due_soon"]

    assert due_soon() == ([f"{NEW}:5"], [f"{NEW}:5"])
    assert due_soon("--due-soon", "5") == ([], [])


def test_report_markdown_has_a_heading_per_plan_and_the_total(run, tree):
    out = run("report", "--format", "markdown", "--as-of", AS_OF).stdout
    headings = [line for line in out.splitlines() if line.startswith("## ")]
    assert headings == ["## 二〇二二年甲计划", "## 二〇二三年乙计划", "## All plans"]


def test_units_merges_the_registries_by_name(run, tree):
    rows = json.loads(run("units", "--format", "json").stdout)
    by_name = {row["name"]: row for row in rows}
    assert list(by_name) == ["天津海关", "市商务局", "天津港集团"]  # first seen, plan by plan
    assert by_name["天津海关"]["aliases"] == ["海关", "津关"]
    assert by_name["天津海关"]["plans"] == [OLD, NEW]
    assert (by_name["天津海关"]["lead"], by_name["天津海关"]["involved"]) == (1, 2)
    assert (by_name["市商务局"]["lead"], by_name["市商务局"]["involved"], by_name["市商务局"]["plans"]) == (1, 2, [OLD])
    assert (by_name["天津港集团"]["lead"], by_name["天津港集团"]["involved"]) == (2, 2)
    table = run("units").stdout
    assert [line.split()[0] for line in table.splitlines()[2:] if line.strip() and line[0] != " "] == \
        ["天津海关", "市商务局", "天津港集团"]  # one row each


# --- naming one measure ---------------------------------------------------------------------------

def test_show_takes_plan_id_and_a_unique_bare_id(run, tree):
    full = json.loads(run("show", f"{NEW}:1", "-f", "json", "--as-of", AS_OF).stdout)
    assert (full["plan"], full["id"], full["local"], full["task_title"]) == (NEW, 1, ["乙一"], "乙任务二")
    bare = json.loads(run("show", "5", "-f", "json", "--as-of", AS_OF).stdout)
    assert (bare["plan"], bare["id"]) == (NEW, 5)
    table = run("show", "2", "--as-of", AS_OF)
    head = table.stdout.splitlines()[0]
    assert table.exit_code == 0 and f"{OLD}:2" in head and head.endswith("一 甲任务")


def test_an_ambiguous_bare_id_names_the_candidates(run, tree):
    line = one_line_failure(run("show", "1"), f"{OLD}:1", f"{NEW}:1")
    assert "several plans" in line


@pytest.mark.parametrize("reference, words", [
    (f"{OLD}:5", ["5"]),  # 5 is in the other plan only
    ("2024-跨境贸易:1", ["2024-跨境贸易", OLD, NEW]),
    ("9", ["9"]),
])
def test_a_reference_to_nothing_is_one_line(run, tree, reference, words):
    one_line_failure(run("show", reference), *words)


@pytest.mark.parametrize("text, expected", [
    ("13", (None, 13)),
    ("2022-跨境贸易:13", ("2022-跨境贸易", 13)),
    ("a:b:7", ("a:b", 7)),  # the id follows the last colon
])
def test_parse_reference(text, expected):
    assert parse_reference(text) == expected


@pytest.mark.parametrize("text", [":3", "plan:", "plan:x", "plan:0", "plan:1000000000"])
def test_parse_reference_refuses(text):
    with pytest.raises(BadReference):
        parse_reference(text)


def test_a_bad_reference_on_the_command_line_is_a_usage_error(run, tree):
    result = run("show", "plan:0")
    assert result.exit_code == 2 and "Traceback" not in result.stderr and "1 to 999999999" in result.stderr


# --- writing -------------------------------------------------------------------------------------

def data(tree: Path, plan: str, id_: int) -> dict:
    return yaml.safe_load((tree / plan / f"{id_}.yaml").read_text(encoding="utf-8"))


def test_update_plan_id_writes_that_plans_file_only(run, tree):
    before = (tree / OLD / "1.yaml").read_bytes()
    result = run("update", f"{NEW}:1", "--status", "推进中", "--note", "已对接", "--date", "2023-06-01")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"measures/{NEW}/1.yaml: ") and f" {NEW}:1: " in result.stdout
    assert data(tree, NEW, 1)["status"] == "in_progress"
    assert [p["note"] for p in data(tree, NEW, 1)["progress"]] == ["已对接"]
    assert (tree / OLD / "1.yaml").read_bytes() == before


def test_update_json_names_the_plan(run, tree):
    result = run("update", "2", "--note", "补记", "--date", "2023-01-05", "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["plan"], out["id"], out["progress"][0]["note"]) == (OLD, 2, "补记")


def test_update_an_ambiguous_id_writes_nothing(run, tree):
    before = {p: p.read_bytes() for p in tree.rglob("*.yaml")}
    one_line_failure(run("update", "1", "--note", "x", "--date", "2023-06-01"), f"{OLD}:1", f"{NEW}:1")
    assert {p: p.read_bytes() for p in tree.rglob("*.yaml")} == before
    # --plan settles it
    assert run("update", "1", "--plan", OLD, "--note", "x", "--date", "2023-06-01").exit_code == 0
    assert data(tree, OLD, 1)["progress"][0]["note"] == "x" and data(tree, NEW, 1)["progress"] == []


def test_extend_plan_id(run, tree):
    result = run("extend", f"{OLD}:1", "--to", "2023-09-30", "--reason", "等待系统升级", "--date", "2023-06-01")
    assert result.exit_code == 0, result.stderr
    assert data(tree, OLD, 1)["extensions"][0]["to"].isoformat() == "2023-09-30"
    assert listed(run, "overdue") == [(NEW, 1)]  # the extension took 2022:1 off the overdue list


def test_new_needs_plan_when_there_are_several(run, tree):
    args = ["new", "--task", "1", "--unit", "海关", "--deadline", "年底前", "--local", "新措施"]
    line = one_line_failure(run(*args), "--plan")
    assert OLD in line and NEW in line
    result = run(*args, "--plan", NEW, "--format", "json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["plan"], out["id"]) == (NEW, 6)  # after 5, the highest id in the 2023 plan
    assert out["file"].startswith(f"measures/{NEW}/")
    assert listed(run, "list", "--plan", NEW) == [(NEW, 1), (NEW, 5), (NEW, 6)]


def test_history_takes_plan_id(run, tree):
    import subprocess

    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "start"], check=True)
    out = json.loads(run("history", f"{NEW}:5", "--format", "json").stdout)
    assert [c["file"].endswith(f"{NEW}/5.yaml") for c in out] == [True]
    one_line_failure(run("history", "1"), f"{OLD}:1")


# --- validation and export -----------------------------------------------------------------------

def test_validate_reports_every_plans_problems_by_file_and_line(run, tree):
    old = tree / OLD / "2.yaml"
    old.write_text(old.read_text(encoding="utf-8").replace("status: done", "status: finished"), encoding="utf-8")
    new = tree / NEW / "5.yaml"
    new.write_text(new.read_text(encoding="utf-8").replace("[天津港集团]", "[市商务局]"), encoding="utf-8")
    (tree / "7.yaml").write_text(MEASURES[(OLD, 2)], encoding="utf-8")  # beside the plan folders
    result = run("validate", "--format", "json")
    assert result.exit_code == 2
    out = json.loads(result.stdout)
    # status is line 8 of each measure file, units line 5; 市商务局 is not in the 2023 registry
    assert [(p["file"], p["line"]) for p in out["problems"]] == [
        ("measures/7.yaml", 1), (f"measures/{OLD}/2.yaml", 8), (f"measures/{NEW}/5.yaml", 5)]
    assert out["valid"] == 2
    table = run("validate")
    assert f"measures/{OLD}/2.yaml:8:" in table.stderr and f"measures/{NEW}/5.yaml:5:" in table.stderr
    narrowed = json.loads(run("validate", "--format", "json", "--plan", NEW).stdout)
    assert [p["file"] for p in narrowed["problems"]] == [f"measures/{NEW}/5.yaml"]


def test_validate_ok_counts_every_plan(run, tree):
    result = run("validate")
    assert (result.exit_code, result.stdout) == (0, "ok: 4 measures and the plan are valid\n")


def test_export_csv_names_measures_plan_id(run, tree):
    import csv
    import io

    result = run("export", "--format", "csv", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    column = 2  # 序号, 重点任务, 编号: the document's columns
    assert [row[column] for row in rows[1:]] == [f"{OLD}:1", f"{OLD}:2", f"{NEW}:5", f"{NEW}:1"]  # plan, task, id
    titles = {row[column]: row[1] for row in rows[1:]}
    assert (titles[f"{NEW}:1"], titles[f"{NEW}:5"]) == ("乙任务二", "乙任务一")


def test_export_json_is_the_list(run, tree):
    assert listed(run, "export", "--unit", "天津港集团") == [(NEW, 1), (NEW, 5)]


def test_a_folder_of_measures_without_a_plan_is_a_problem(run, tree):
    (tree / "2024-跨境贸易").mkdir()
    (tree / "2024-跨境贸易" / "1.yaml").write_text(MEASURES[(OLD, 2)], encoding="utf-8")
    result = run("validate", "--format", "json")
    assert result.exit_code == 2
    out = json.loads(result.stdout)
    assert [(p["file"], p["code"]) for p in out["problems"]] == [("measures/2024-跨境贸易/_plan.yaml", "missing-plan")]
    assert out["valid"] == 4  # the two plans' measures; the planless folder's are not read


# --- in both languages ---------------------------------------------------------------------------

ZH = {"PORTCLI_LANG": "zh"}


def test_the_ambiguous_id_said_in_both_languages(run, tree):
    english = one_line_failure(run("show", "1"))
    assert english == f"portcli: id 1 is in several plans: say which, as {OLD}:1 or {NEW}:1"
    chinese = one_line_failure(run("show", "1", env=ZH))
    assert chinese.startswith("portcli: 编号 1 见于多个计划，请指明是哪一项：")
    assert chinese.index(f"{OLD}:1") < chinese.index(f"{NEW}:1")


def test_new_without_plan_said_in_both_languages(run, tree):
    args = ["new", "--task", "1", "--unit", "海关", "--deadline", "年底前", "--local", "新措施"]
    assert one_line_failure(run(*args)) == \
        f"portcli: measures holds several plans ({OLD}, {NEW}): say which one the measure is for with --plan NAME"
    assert one_line_failure(run(*args, env=ZH)) == \
        f"portcli: measures 中有多个计划（{OLD}, {NEW}），请用 --plan 指明新措施所属的计划"


def test_the_total_section_said_in_both_languages(run, tree):
    english = run("report", "--as-of", AS_OF).stdout
    chinese = run("report", "--as-of", AS_OF, env=ZH).stdout
    assert "All plans" in english and "全部计划合计" not in english
    assert "全部计划合计" in chinese and "All plans" not in chinese
    # JSON does not change with the language
    assert run("report", "-f", "json", "--as-of", AS_OF).stdout == run("report", "-f", "json", "--as-of", AS_OF,
                                                                       env=ZH).stdout


def test_a_stray_file_said_in_both_languages(run, tree):
    (tree / "7.yaml").write_text(MEASURES[(OLD, 2)], encoding="utf-8")
    english, chinese = run("validate").stderr, run("validate", env=ZH).stderr
    assert "measures/7.yaml:1: not read: in a folder of several plans every measure file belongs in a plan folder" \
        in english
    assert "measures/7.yaml:1: 未读取：存放多个计划时，每个措施文件都应放在所属计划的文件夹中" in chinese


def test_the_step_summary_has_each_plan_and_the_total(run, tree, tmp_path):
    summary = tmp_path / "summary.md"
    result = run("report", "--format", "json", "--as-of", AS_OF, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 0, result.stderr
    headings = [line for line in summary.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    assert headings == ["## 二〇二二年甲计划", "## 二〇二三年乙计划", "## All plans"]


def test_the_html_report_is_one_page_naming_plan_ids(run, tree):
    page = run("report", "--format", "html", "--as-of", AS_OF).stdout
    assert page.count("<html") == 1 and page.count("</html>") == 1
    # the key tasks of each plan apart: task 1 of 2022 (甲任务) and task 1 of 2023 (乙任务一)
    assert f"{OLD}:一、甲任务" in page and f"{NEW}:一、乙任务一" in page
    assert f"{OLD}:1" in page and f"{NEW}:5" in page


def test_plans_of_one_registry_share_its_unit_index_and_no_other_plan_does():
    """1,000 plans of one registry fold its names once (issue 16): a plan whose registry is equal,
    though read separately, looks names up in the same index; one with another registry of as many
    units (an alias less) does not, and finds what its own registry says."""
    from portcli.model import Plan, Unit

    def registry(aliases):
        return (Unit("天津海关", "中华人民共和国天津海关", "Tianjin Customs", aliases),
                Unit("市商务局", "天津市商务局", "Tianjin Commerce Bureau"))

    first, second = Plan("甲计划", 2022, units=registry(("津关",))), Plan("乙计划", 2023, units=registry(("津关",)))
    other = Plan("丙计划", 2022, units=registry(()))
    assert first.unit("津关") == second.unit("ＴＩＡＮＪＩＮ customs ") == Unit(
        "天津海关", "中华人民共和国天津海关", "Tianjin Customs", ("津关",))
    assert other.unit("津关") is None and other.unit("tianjin customs").aliases == ()
    assert second._unit_by_name is first._unit_by_name and other._unit_by_name is not first._unit_by_name


def test_each_plans_section_of_the_report_is_that_plans_own_report(run, tmp_path):
    """A report of several plans counts each measure once for its plan's section and once for the total,
    and works out what it counts it by (overdue, stale, due soon, on time) only once (issue 16). Each
    section must still be the report of that plan folder alone, read as a folder of one plan, where
    nothing is shared: plans of other lights and another start (so that due soon and stale differ
    from plan to plan), on a day when all of it happens."""
    sys_path = str(Path(__file__).parents[1] / "benchmarks")
    import sys

    if sys_path not in sys.path:
        sys.path.insert(0, sys_path)
    import generate

    root = generate.generate_plans(3, 40, tmp_path / "measures", seed=7)
    names = sorted(p.name for p in root.iterdir())
    first, second, _third = (root / name / "_plan.yaml" for name in names)
    first.write_text(first.read_text(encoding="utf-8") + "lights: {yellow_days: 60}\n", encoding="utf-8")
    second.write_text(second.read_text(encoding="utf-8") + "start: 2022-06-10\n", encoding="utf-8")
    as_of = "2022-06-20"
    whole = run("report", "--format", "json", "--as-of", as_of, "--dir", str(root))
    assert whole.exit_code == 0, whole.stderr
    sections = json.loads(whole.stdout)["plans"]
    assert list(sections) == names

    def named(name, value):  # a one-plan folder names measures by id; a folder of several, PLAN:ID
        if isinstance(value, dict):
            return {key: (f"{name}:{item}" if key == "id" else named(name, item)) for key, item in value.items()}
        if isinstance(value, list):
            return [f"{name}:{item}" if isinstance(item, int) else named(name, item) for item in value]
        return value

    seen = {"due_soon": set(), "stale": set()}
    for name in names:
        alone = run("report", "--format", "json", "--as-of", as_of, "--dir", str(root / name))
        assert alone.exit_code == 0, alone.stderr
        own = json.loads(alone.stdout)
        expected = {key: named(name, value) if key in ("overdue", "due_soon", "extended", "overdue_measures",
                                                       "stale", "stale_by_unit") else value
                    for key, value in own.items()}
        assert sections[name] == expected, name
        for key in seen:
            seen[key].add(len(own[key]))
    # the plans' lights and starts made their lists differ, so a section given another plan's facts shows
    assert len(seen["due_soon"]) > 1 and len(seen["stale"]) > 1


def test_a_report_handed_every_measures_facts_and_a_unit_counts_the_units_measures_by_their_own(tree):
    """query.report(known=facts of all the measures, unit=...) keeps each of the unit's measures with
    its own facts. 天津海关 takes part in 2022's measure 1 (in progress, due 2022-05-31) and 2023's
    measure 1 (not started, due 2023-03-31): both overdue on AS_OF; the measures it is not in (2022's 2,
    done; 2023's 5, due soon) count for nothing, though their facts come first or between."""
    from portcli import query
    from portcli.load import load_tree
    from portcli.plans import key
    from portcli.values import date

    loaded = load_tree("measures", None)
    as_of = date(2023, 6, 20)
    assert [key(m) for m in loaded.measures] == [f"{OLD}:1", f"{OLD}:2", f"{NEW}:1", f"{NEW}:5"]
    known = query.facts(loaded.measures, loaded.plans, as_of)
    r = query.report(loaded.measures, loaded.plans, as_of, None, "天津海关", known=known)
    assert r.total == 2 and r.unit == "天津海关"
    assert {status: n for status, n in r.by_status.items() if n} == {"in_progress": 1, "not_started": 1}
    assert [key(m) for m in r.overdue] == [f"{OLD}:1", f"{NEW}:1"] and r.due_soon == [] and r.extended == []
    row = next(u for u in r.units if u.unit == "天津海关")
    assert (row.involved, row.lead, row.done, row.overdue) == (2, 1, 0, 2)


def test_a_name_two_units_of_a_registry_use_is_the_first_ones():
    """The registry's order settles a name two units share (as check finds the first): the alias 海关
    of 天津海关, listed first, and of 东疆海关; the index shared with an equal registry says the same."""
    from portcli.model import Plan, Unit

    first = Unit("天津海关", "中华人民共和国天津海关", "Tianjin Customs", ("海关",))
    second = Unit("东疆海关", "中华人民共和国东疆海关", "Dongjiang Customs", ("海关",))
    assert Plan("甲计划", 2022, units=(first, second)).unit("海关") is first
    assert Plan("乙计划", 2023, units=(first, second)).unit("海关") is first
    assert Plan("丙计划", 2023, units=(second, first)).unit("海关") is second


def test_a_plan_the_tree_lacks_is_told_with_the_trees_own_folder(run, tree):
    # the folder named is the one asked about, not the default ./measures
    moved = tree.rename(tree.parent / "计划")
    result = run("show", "2024-跨境贸易:1", "--dir", "计划")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"portcli: no plan 2024-跨境贸易 in 计划: its plans are {OLD}, {NEW}\n"
    assert moved.is_dir()


def test_list_stale_counts_each_measures_days_silent_from_its_own_plans_start(run, tree):
    # No progress anywhere: a measure was last heard of when its own plan began, the first day of its
    # year (neither plan gives a start). As of 2023-06-20: from 2022-01-01, 365 + 151 (January to May)
    # + 19 = 535 days; from 2023-01-01, 170. OLD:2 is done, so not stale.
    table = run("list", "--stale", "--as-of", AS_OF, "--limit", "0")
    assert table.exit_code == 0, table.stderr
    assert "Days silent" in table.stdout.splitlines()[0]
    rows = [line.split() for line in table.stdout.splitlines() if ":" in line and "as of" not in line]
    # the days silent stand between the light and the measure's text
    assert [(row[0], row[-2]) for row in rows] == [(f"{OLD}:1", "535"), (f"{NEW}:1", "170"), (f"{NEW}:5", "170")]
