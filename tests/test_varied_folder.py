"""Commands on a folder whose measures differ in deadline, year, status, units and extensions
(tests/varied.py), where a filter that is ignored, a year that is dropped, an alias that is not
resolved or a list sorted by the wrong key gives a different answer. Every expected value is read
off the table in tests/varied.py by hand."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

import varied
from measure_files import line_of, plan_data
from portcli.deadline import DeadlineError, parse_deadline
from test_report_ci import annotations, split_row, tables

AS_OF = varied.AS_OF


@pytest.fixture
def run(run_in_chinese):
    """These tests read the reports' Chinese words: the default language."""
    return run_in_chinese


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return varied.write(tmp_path / "measures")


def listed(run, folder: Path, *args: str) -> list[dict]:
    result = run("list", "--dir", folder, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def ids(run, folder: Path, *args: str) -> list[int]:
    return [m["id"] for m in listed(run, folder, *args)]


def report(run, folder: Path, *args: str) -> dict:
    result = run("report", "--dir", folder, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def table_ids(stdout: str) -> list[int]:
    return [int(line.split()[0]) for line in stdout.splitlines()
            if re.match(r"\s*\d+\s", line) and "项措施" not in line]


# --- list's own filters ------------------------------------------------------------------------

def test_list_overdue_keeps_only_the_overdue(run, folder):
    # 1 (15 days), 4 (46), 10 (5, after its extension); not 7 (done), 8 (milestone met), 9 (external).
    assert ids(run, folder, "--as-of", AS_OF) == list(range(1, 12))
    assert ids(run, folder, "--as-of", AS_OF, "--overdue") == [1, 4, 10]
    # On the due day nothing of those is late yet; the day after, it is.
    assert ids(run, folder, "--as-of", "2022-05-31", "--overdue") == [4]
    assert ids(run, folder, "--as-of", "2022-06-01", "--overdue") == [1, 4]


@pytest.mark.parametrize(("days", "expected"), [
    ("0", []),              # nothing is due on 2022-06-15 itself
    ("2", [6]),             # 6 is due on 06-17: the last day of the window counts
    ("4", [6]),
    ("5", [2, 6]),          # 2 on 06-20
    ("14", [2, 6, 11]),     # 11 on 06-25; 5 (06-30) is 15 days away
    ("15", [2, 5, 6, 11]),
    ("600", [2, 3, 5, 6, 11]),  # 3 on 2023-12-31 is 564 days away; 7 is done, 8's milestone met, 9 has no date
])
def test_list_due_soon_takes_its_number_of_days(run, folder, days, expected):
    assert ids(run, folder, "--as-of", AS_OF, "--due-soon", days) == expected


def test_list_due_soon_alone_means_14_days(run, folder):
    assert ids(run, folder, "--as-of", AS_OF, "--due-soon") == [2, 6, 11]


def test_list_overdue_and_unit_combine(run, folder):
    # 天津海关 is in 1 (written 海关), 2, 4, 5, 7, 8, 9, 11; of those 1 and 4 are overdue.
    assert ids(run, folder, "--as-of", AS_OF, "--unit", "天津海关") == [1, 2, 4, 5, 7, 8, 9, 11]
    assert ids(run, folder, "--as-of", AS_OF, "--overdue", "--unit", "天津海关") == [1, 4]


# --- a unit written in a file by its alias -------------------------------------------------------

def counts(row: dict) -> dict:
    """A report's unit row less its 通报 figures (`as_lead`, `as_co_operating`; tests/test_rank.py checks those)."""
    return {k: v for k, v in row.items() if k not in ("as_lead", "as_co_operating")}


def test_a_unit_written_by_its_alias_is_that_unit(run, folder):
    # Measure 1's file says [商务局, 海关]: 市商务局 leads it and 天津海关 takes part.
    [one] = [m for m in listed(run, folder, "--as-of", AS_OF) if m["id"] == 1]
    assert (one["units"], one["lead"]) == (["市商务局", "天津海关"], "市商务局")
    assert ids(run, folder, "--as-of", AS_OF, "--unit", "市商务局", "--lead") == [1, 6, 10]
    assert ids(run, folder, "--as-of", AS_OF, "--unit", "海关") == [1, 2, 4, 5, 7, 8, 9, 11]


def test_the_report_counts_an_alias_for_its_unit(run, folder):
    rows = {u["unit"]: counts(u) for u in report(run, folder, "--as-of", AS_OF)["units"]}
    # 市商务局: leads 1 (as 商务局), 6, 10; in 1, 2, 6, 10; 1 and 10 overdue; 10 extended.
    assert rows["市商务局"] == {"unit": "市商务局", "lead": 3, "involved": 4, "done": 0, "overdue": 2, "extended": 1}
    # 天津海关: leads 2, 5, 7, 9, 11; in those and 1 (as 海关), 4, 8; 7 done; 1 and 4 overdue.
    assert rows["天津海关"] == {"unit": "天津海关", "lead": 5, "involved": 8, "done": 1, "overdue": 2, "extended": 0}
    assert "商务局" not in rows and "海关" not in rows
    one = report(run, folder, "--as-of", AS_OF, "--unit", "天津海关")
    assert (one["total"], one["overdue"], one["due_soon"]) == (8, [4, 1], [2, 11])


def test_units_counts_an_alias_for_its_unit(run, folder):
    result = run("units", "--dir", folder, "--format", "json")
    counts = {u["name"]: (u["lead"], u["involved"]) for u in json.loads(result.stdout)}
    assert counts["市商务局"] == (3, 4)
    assert counts["天津海关"] == (5, 8)


def test_the_report_counts_statuses_completion_and_extensions(run, folder):
    got = report(run, folder, "--as-of", AS_OF)
    # not_started 2, 3, 6, 9, 10; in_progress 1, 5, 11; blocked 4; ongoing 8; done 7.
    assert got["by_status"] == {"not_started": 5, "in_progress": 3, "blocked": 1, "ongoing": 1, "done": 1}
    assert (got["total"], got["completion_rate"], got["extended"]) == (11, 0.0909, [10])  # 1 of 11 done
    out = run("report", "--dir", folder, "--as-of", AS_OF).stdout
    assert "共 11 项 · 已完成 1 项（9.1%）· 逾期 3 项 · 即将到期 3 项 · 延期 1 项" in out


# --- a year written in the phrase ------------------------------------------------------------------

def test_a_year_in_the_phrase_is_kept(run, folder):
    [three] = [m for m in listed(run, folder, "--as-of", AS_OF) if m["id"] == 3]
    assert (three["deadline"], three["due"], three["deadline_kind"]) == ("2023年底前", "2023-12-31", "date")
    # Early in 2023 measure 3 is not late (it would be, were its year the plan's 2022).
    assert 3 not in ids(run, folder, "--as-of", "2023-01-10", "--overdue")
    assert ids(run, folder, "--as-of", AS_OF, "--due-after", "2022-12-31") == [3]
    assert 3 not in ids(run, folder, "--as-of", AS_OF, "--due-before", "2023-01-01")
    assert ids(run, folder, "--as-of", "2024-01-01", "--overdue") == [1, 2, 3, 4, 5, 6, 10, 11]


# --- report --due-soon N and --fail-on ------------------------------------------------------------

@pytest.mark.parametrize(("days", "due_soon"), [("2", [6]), ("4", [6]), ("5", [6, 2]), ("14", [6, 2, 11]),
                                                ("15", [6, 2, 11, 5])])
def test_report_due_soon_takes_its_number_of_days(run, folder, days, due_soon):
    assert report(run, folder, "--as-of", AS_OF, "--due-soon", days)["due_soon"] == due_soon


@pytest.mark.parametrize(("days", "code"), [("9", 0), ("10", 1), ("14", 1)])
def test_fail_on_due_soon_follows_the_number_of_days(run, folder, days, code):
    # On 2022-04-20 nothing is overdue (7, due 03-31, is done) and 4 is due on 04-30, 10 days on.
    assert report(run, folder, "--as-of", "2022-04-20")["overdue"] == []
    result = run("report", "--dir", folder, "--as-of", "2022-04-20", "--due-soon", days, "--fail-on", "due-soon")
    assert result.exit_code == code, result.stdout


def test_fail_on_due_soon_with_the_default_window(run, folder):
    # 2022-04-15: 4 is due in 15 days, one past the default 14; 2022-04-16: in 14.
    for as_of, code in (("2022-04-15", 0), ("2022-04-16", 1)):
        assert run("report", "--dir", folder, "--as-of", as_of, "--fail-on", "due-soon").exit_code == code


# --- order of the listings ------------------------------------------------------------------------

def test_overdue_and_due_soon_are_ordered_by_due_date_not_id(run, folder):
    got = report(run, folder, "--as-of", AS_OF)
    assert got["overdue"] == [4, 1, 10]  # due 04-30, 05-31, 06-10
    assert got["due_soon"] == [6, 2, 11]  # due 06-17, 06-20, 06-25
    assert [(m["id"], m["lead"], m["due"], m["days_overdue"]) for m in got["overdue_measures"]] == [
        (4, "天津海事局", "2022-04-30", 46), (1, "市商务局", "2022-05-31", 15), (10, "市商务局", "2022-06-10", 5)]
    overdue = run("overdue", "--dir", folder, "--as-of", AS_OF)
    assert table_ids(overdue.stdout) == [4, 1, 10]


def test_the_terminal_report_lists_by_due_date_with_days(run, folder):
    out = run("report", "--dir", folder, "--as-of", AS_OF).stdout
    late = out[out.index("\n逾期：") + 1:out.index("\n即将到期：")]
    soon = out[out.index("\n即将到期：") + 1:out.index("\n催办")]
    assert [line.split()[:4] for line in late.splitlines()[1:]] == [
        ["4", "天津海事局", "2022-04-30", "逾期"], ["1", "市商务局", "2022-05-31", "逾期"],
        ["10", "市商务局", "2022-06-10", "逾期"]]
    assert re.findall(r"逾期 (\d+) 天", late) == ["46", "15", "5"]
    assert [line.split()[:4] for line in soon.splitlines()[1:]] == [
        ["6", "市商务局", "2022-06-17", "2"], ["2", "天津海关", "2022-06-20", "5"],
        ["11", "天津海关", "2022-06-25", "10"]]


def test_the_markdown_report_lists_by_due_date_with_days(run, folder):
    found = tables(run("report", "--dir", folder, "--as-of", AS_OF, "--format", "markdown").stdout)
    assert [r[:4] for r in found["### 逾期：3"]] == [
        ["编号", "牵头单位", "到期日", "逾期天数"], ["4", "天津海事局", "2022-04-30", "46"],
        ["1", "市商务局", "2022-05-31", "15"], ["10", "市商务局", "2022-06-10", "5"]]
    assert [r[:4] for r in found["### 即将到期：3"]] == [
        ["编号", "牵头单位", "到期日", "剩余天数"], ["6", "市商务局", "2022-06-17", "2"],
        ["2", "天津海关", "2022-06-20", "5"], ["11", "天津海关", "2022-06-25", "10"]]
    assert found["### 各单位"][1:3] == [["市商务局", "3", "4", "0", "2", "1", "0%"],
                                               ["天津海关", "5", "8", "1", "2", "0", "12%"]]


# --- GitHub annotations -----------------------------------------------------------------------------

EXPECTED_WARNINGS = [  # id, line of `id:`, days, due, lead
    (4, 2, 46, "2022-04-30", "天津海事局"),
    (1, 1, 15, "2022-05-31", "市商务局"),  # written 商务局 in the file
    (10, 2, 5, "2022-06-10", "市商务局"),  # due after its extension, not the phrase's 05-31
]


def expected_annotations(folder: str) -> list[dict]:
    return [{"name": "warning", "file": f"{folder}/{varied.file_name(i)}", "line": str(line),
             "title": f"措施 {i} 逾期 {days} 天",
             "message": f"措施 {i} 逾期 {days} 天（到期日 {due}，牵头单位 {lead}）：{varied.local(i)}"}
            for i, line, days, due, lead in EXPECTED_WARNINGS]


def test_github_annotations_give_lead_due_days_and_line(run, folder):
    result = run("report", "--dir", folder, "--as-of", AS_OF, "--format", "github")
    assert result.exit_code == 0, result.stderr
    assert annotations(result.stdout) == expected_annotations(str(folder))


@pytest.mark.parametrize("given", ["absolute", "relative", "dotted"])
def test_github_annotation_paths_are_relative_to_the_checkout(run, folder, monkeypatch, given):
    monkeypatch.chdir(folder.parent)
    arg = {"absolute": str(folder), "relative": "measures", "dotted": "./measures/../measures"}[given]
    result = run("report", "--dir", arg, "--as-of", AS_OF, "--format", "github")
    assert annotations(result.stdout) == expected_annotations("measures")


def test_github_annotation_paths_outside_the_checkout_stay_absolute(run, folder, monkeypatch, tmp_path):
    elsewhere = tmp_path / "checkout"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run("report", "--dir", folder, "--as-of", AS_OF, "--format", "github")
    assert annotations(result.stdout) == expected_annotations(str(folder))


def test_validate_annotation_paths_are_relative_to_the_checkout(run, folder, monkeypatch):
    monkeypatch.chdir(folder.parent)
    bad = folder / "05.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("status: in_progress", "status: started"), encoding="utf-8")
    result = run("validate", "--dir", str(folder), "--format", "github")
    [found] = annotations(result.stdout)
    assert (found["name"], found["file"], found["line"]) == ("error", "measures/05.yaml", str(line_of(bad, "status:")))


# --- show: every label and value -------------------------------------------------------------------

def shown(run, folder: Path, measure_id: int, as_of: str = AS_OF) -> list[str]:
    """`show`'s lines with runs of spaces squeezed to one, trailing spaces dropped, rules left out."""
    result = run("show", str(measure_id), "--dir", folder, "--as-of", as_of)
    assert result.exit_code == 0, result.stderr
    return [" ".join(line.split()) for line in result.stdout.splitlines() if not set(line) <= {"─", " "}]


def test_show_an_overdue_measure_with_its_progress(run, folder):
    assert shown(run, folder, 4) == [
        "措施 4 · 重点任务四 完善跨境电商出口退货政策措施。",
        "状态 受阻",
        "完成时限 4月底前（限期）",
        "到期日 2022-04-30 逾期 46 天",
        "责任单位 天津海事局（牵头）、天津海关",
        "海关总署措施 第4项国家措施",
        "天津市细化措施 第4项细化措施",
        f"文件 {folder / '04.yaml'}",
        "进度",
        "日期 状态 填报单位 说明",
        "2022-04-10 推进中 天津海关 已对接",
        "2022-04-20 受阻 —",  # no unit, no note
    ]


def test_show_an_extended_measure(run, folder):
    assert shown(run, folder, 10) == [
        "措施 10 · 重点任务十 加大涉企政策措施宣传，完善企业意见反馈和协调解决机制。",
        "状态 未启动",
        "完成时限 5月底前（限期）",
        # twice extended; the first extension names no `from`, so the original is the phrase's date
        "到期日 2022-06-10（已延期 2 次，原定 2022-05-31） 逾期 5 天",
        "责任单位 市商务局（牵头）、天津港集团",
        "海关总署措施 第10项国家措施",
        "天津市细化措施 第10项细化措施",
        f"文件 {folder / '10.yaml'}",
        "延期",
        "批准日期 原到期日 延至 单位 理由",
        "2022-05-25 — 2022-06-05 市商务局 等待船公司系统改造",
        "2022-06-01 2022-06-05 2022-06-10 — 再延五天",
    ]


def test_show_a_measure_with_its_own_due_date_and_one_without_any(run, folder):
    assert shown(run, folder, 11)[2:4] == ["完成时限 5月底前（限期）", "到期日 2022-06-25（文件指定 `due`） 10 天后到期"]
    assert shown(run, folder, 9)[2:4] == ["完成时限 按照海关总署统一部署推动实施（按上级部署：海关总署）", "到期日 无（不设日期）"]
    assert shown(run, folder, 8)[2:4] == ["完成时限 5月底前取得阶段性进展，持续推动（阶段目标）", "到期日 2022-05-31"]
    assert shown(run, folder, 6, "2022-06-17")[3] == "到期日 2022-06-17 今天到期"
    assert shown(run, folder, 6, "2022-06-16")[3] == "到期日 2022-06-17 1 天后到期"
    assert shown(run, folder, 5)[3] == "到期日 2022-06-30"  # 15 days on: not due soon yet


def test_the_latest_progress_without_a_note_shows_its_status(run, folder):
    found = tables(run("report", "--dir", folder, "--as-of", AS_OF, "--format", "markdown").stdout)
    late = {r[0]: r for r in found["### 逾期：3"][1:]}
    assert late["4"][5] == "2022-04-20：受阻"  # no unit, no note: the date and the status
    assert late["1"][5] == ""  # no progress at all


# --- colours, for those whose terminal shows them ----------------------------------------------------

def styled(run, *args: str) -> "Text":
    from rich.text import Text

    result = run(*args, env={"NO_COLOR": None, "FORCE_COLOR": "1", "TERM": "xterm-256color"})
    assert result.exit_code == 0, result.stderr
    return Text.from_ansi(result.stdout)


RED, YELLOW = "color(1)", "color(3)"  # as ANSI SGR 31 and 33 read back


def style_of(text, part: str, *, heading: bool = False) -> str:
    """The style of the first occurrence of `part` in the output (every character of it the same);
    with `heading`, of `part` standing alone on a line."""
    start = text.plain.index(f"\n{part}\n") + 1 if heading else text.plain.index(part)
    styles = {str(text.get_style_at_offset(_Console, i)) for i in range(start, start + len(part))}
    assert len(styles) == 1, (part, styles)
    return styles.pop()


from rich.console import Console as _RichConsole  # noqa: E402

_Console = _RichConsole()


def test_show_marks_late_and_soon_in_colour(run, folder):
    late = styled(run, "show", "4", "--dir", str(folder), "--as-of", AS_OF)
    assert style_of(late, "措施 4") == "bold"
    assert style_of(late, "逾期 46 天") == f"bold {RED}"
    assert style_of(late, "完成时限") == "dim"
    assert style_of(late, "进度", heading=True) == "bold"
    soon = styled(run, "show", "11", "--dir", str(folder), "--as-of", AS_OF)
    assert style_of(soon, "10 天后到期") == f"bold {YELLOW}"
    extended = styled(run, "show", "10", "--dir", str(folder), "--as-of", AS_OF)
    assert style_of(extended, "延期", heading=True) == "bold"


def test_listings_are_red_when_late_and_yellow_when_due_soon(run, folder):
    listing = styled(run, "list", "--dir", str(folder), "--as-of", AS_OF)
    assert style_of(listing, "第4项细化措施") == RED
    assert style_of(listing, "第6项细化措施") == YELLOW
    assert style_of(listing, "第5项细化措施") == "none"  # 15 days on
    report_ = styled(run, "report", "--dir", str(folder), "--as-of", AS_OF)
    assert style_of(report_, "逾期 46 天") == RED
    assert style_of(report_, "2 天后到期") == YELLOW


# --- what the mutation run found in query and deadline ---------------------------------------------

def test_the_report_lists_units_in_the_plans_order(run, folder):
    # _plan.yaml registers 市商务局, 天津海关, …, 天津港集团 (5th), …, 市交通运输委, 天津海事局, …, 市发展改革委;
    # the files name them first in another order (市交通运输委 in measure 3, 天津港集团 only in 10).
    registry = [u["name"] for u in plan_data(folder)["units"]]
    involved = {"市商务局", "天津海关", "市交通运输委", "天津海事局", "市发展改革委", "天津港集团"}
    rows = [u["unit"] for u in report(run, folder, "--as-of", AS_OF)["units"]]
    assert rows == [name for name in registry if name in involved]
    assert rows.index("天津港集团") < rows.index("市交通运输委")


def test_a_report_without_a_plan_still_counts_each_unit_as_written(run, folder):
    (folder / "_plan.yaml").unlink()
    result = run("report", "--dir", folder, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 2  # the missing plan is a problem …
    assert "_plan.yaml: 缺失" in result.stderr
    rows = json.loads(result.stdout)["units"]  # … but the measures are still reported
    # No registry, so no alias is resolved: the names as the files write them, in the order they first appear.
    assert [u["unit"] for u in rows] == ["商务局", "海关", "天津海关", "市商务局", "市交通运输委", "天津海事局",
                                         "市发展改革委", "天津港集团"]
    # 市商务局 as written: 2, 6, 10. Without the plan's year a phrase has no year to fall back on (it takes
    # today's), but 10's extension names its date, 2022-06-10: it alone is overdue.
    assert counts(next(u for u in rows if u["unit"] == "市商务局")) == {
        "unit": "市商务局", "lead": 2, "involved": 3, "done": 0, "overdue": 1, "extended": 1}


def test_an_ambiguous_unit_lists_every_candidate(run, folder):
    registry = plan_data(folder)["units"]
    candidates = [u["name"] for u in registry
                  if any("天津" in n for n in [u["name"], u["full_name"], u["english"], *u["aliases"]])]
    result = run("list", "--dir", folder, "--unit", "天津", env={"PORTCLI_LANG": "en"})
    assert result.exit_code == 2
    either = ", ".join(candidates[:-1]) + " or " + candidates[-1]  # in English, as English joins them
    assert result.stderr == f"portcli: unit '天津' is ambiguous: it could be {either}\n"


@pytest.mark.parametrize(("typo", "hint"), [
    ("海事处", "; did you mean 天津海事局 or 天津海关?"),
    ("口岸办", "; did you mean 市外办?"),  # 市外办 is only as close as difflib's 0.4
    ("zzz", ""),
])
def test_an_unknown_unit_suggests_the_near_ones(run, folder, typo, hint):
    result = run("list", "--dir", folder, "--unit", typo, env={"PORTCLI_LANG": "en"})
    assert result.exit_code == 2
    assert result.stderr == f"portcli: unknown unit {typo!r}{hint} (see `portcli units`)\n"


def test_search_finds_only_what_the_texts_hold(run, folder):
    assert ids(run, folder, "--as-of", AS_OF, "--search", "等待船公司") == [10]  # an extension's reason
    assert ids(run, folder, "--as-of", AS_OF, "--search", "已对接") == [4]  # a progress note
    assert ids(run, folder, "--as-of", AS_OF, "--search", "xx") == []  # no text holds it, empty ones neither


def test_an_unrecognised_phrase_says_what_is_understood():
    with pytest.raises(DeadlineError) as refused:
        parse_deadline("适时", 2022)
    assert str(refused.value) == (
        "unrecognised deadline '适时'; write e.g. 5月底前, 2022年6月30日前, 年底前, 三季度末, "
        "5月底前取得阶段性进展，持续推动, 持续推动, 按照海关总署统一部署推动实施, or give an explicit `due:` date")


# --- what the mutation run found in the renderers ----------------------------------------------------

def test_the_github_report_annotates_problems_before_the_overdue(run, folder):
    bad = folder / "05.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("status: in_progress", "status: started"), encoding="utf-8")
    result = run("report", "--dir", folder, "--as-of", AS_OF, "--format", "github", env={"PORTCLI_LANG": "en"})
    assert result.exit_code == 2  # an invalid file
    found = annotations(result.stdout)
    assert [(a["name"], a["file"], a["line"]) for a in found] == [
        ("error", str(bad), str(line_of(bad, "status:")))] + [
        ("warning", a["file"], a["line"]) for a in expected_annotations(str(folder))]
    assert found[0]["message"].startswith("unknown status 'started'")


def test_show_json_names_the_key_task(run, folder):
    result = run("show", "10", "--dir", folder, "--as-of", AS_OF, "--format", "json")
    shown_ = json.loads(result.stdout)
    task = next(t for t in plan_data(folder)["tasks"] if t["id"] == 10)
    assert (shown_["task"], shown_["task_title"]) == (10, task["title"])
    assert (shown_["due"], shown_["due_source"], shown_["overdue"], shown_["days_overdue"]) == (
        "2022-06-10", "extension", True, 5)


def markdown(run, folder: Path, *args: str) -> list[str]:
    result = run("report", "--dir", folder, "--as-of", AS_OF, "--format", "markdown", *args)
    return result.stdout.splitlines()


def test_the_markdown_report_of_one_unit_line_by_line(run, folder):
    lines = markdown(run, folder, "--unit", "天津海关", "--due-soon", "0")
    title = plan_data(folder)["title"]
    # 天津海关 is in 8 measures: not_started 2 and 9; in_progress 1, 5, 11; blocked 4; ongoing 8; done 7.
    assert lines[:10] == [
        f"## {title}", "",
        "截至 2022-06-15 · 天津海关牵头或参与的措施", "",
        "**共 8 项 · 已完成 1 项（12.5%）· 逾期 2 项 · 即将到期 0 项 · 延期 0 项**", "",
        "| 未启动 | 推进中 | 受阻 | 持续推进 | 已完成 |", "|---:|---:|---:|---:|---:|", "| 2 | 3 | 1 | 1 | 1 |", ""]
    assert lines[10:15] == [
        "### 各单位", "",
        "| 单位 | 牵头 | 参与 | 已完成 | 逾期 | 延期 | 完成率 |", "|---|---:|---:|---:|---:|---:|---:|",
        "| 天津海关 | 5 | 8 | 1 | 2 | 0 | 12% |"]
    late = lines.index("### 逾期：2")
    assert lines[late - 1: late + 4] == ["", "### 逾期：2", "",
                                         "| 编号 | 牵头单位 | 到期日 | 逾期天数 | 措施 | 最新进展 |",
                                         "|---:|---|---|---:|---|---|"]
    soon = lines.index("### 即将到期：0")
    assert lines[soon - 1:soon + 3] == ["", "### 即将到期：0", "", "无。"]
    # 催办: the plan has no `start`, so a measure with no progress was last heard of on 2022-01-01; only 4 has
    # progress (04-20, 56 days before). Of 天津海关's 8 measures all but 7 (done) are silent over 14 days:
    # it leads 2, 5, 9, 11 and co-operates on 1, 4, 8.
    assert lines[-6:] == ["", "### 催办（超过 14 天无进展）：7", "", "| 单位 | 牵头 | 配合 |", "|---|---|---|",
                          "| 天津海关 | 2、5、9、11 | 1、4、8 |"]


def test_the_markdown_report_of_the_whole_plan_and_without_a_plan(run, folder):
    assert markdown(run, folder)[2] == "截至 2022-06-15"
    (folder / "_plan.yaml").unlink()
    assert markdown(run, folder)[:3] == ["## 进度报告", "", "截至 2022-06-15"]


def test_the_markdown_report_lists_problems_in_a_table(run, folder):
    bad = folder / "05.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("status: in_progress", "status: started"), encoding="utf-8")
    lines = markdown(run, folder)
    assert lines[:3] == [f"## {plan_data(folder)['title']}", "", "截至 2022-06-15"]  # the head stays above
    at = lines.index("### 文件问题：1")
    assert lines[at - 1: at + 4] == ["", "### 文件问题：1", "", "| 文件 | 行 | 问题 |", "|---|---:|---|"]
    assert split_row(lines[at + 4])[:2] == [str(bad), str(line_of(bad, "status:"))]


def test_a_measure_without_local_items_is_summed_up_by_its_national_one(run, folder):
    for name, national in (("01.yaml", "national: 第1项国家措施"), ("04.yaml", "national: null")):
        path = folder / name
        text = path.read_text(encoding="utf-8").replace(f"- 第{int(name[:2])}项细化措施\n", "")
        path.write_text(text.replace("local:\n", "local: []\n").replace(
            f"national: 第{int(name[:2])}项国家措施", national), encoding="utf-8")
    found = {a["title"].split()[1]: a["message"] for a in annotations(
        run("report", "--dir", folder, "--as-of", AS_OF, "--format", "github").stdout)}
    assert found["1"].endswith("牵头单位 市商务局）：第1项国家措施")  # no local item: the national measure
    assert found["4"].endswith("牵头单位 天津海事局）：")  # neither: nothing
    rows = {r["编号"]: r for r in csv.DictReader(io.StringIO(
        run("export", "--dir", folder, "--as-of", AS_OF, "--format", "csv").stdout_bytes.decode("utf-8-sig")))}
    assert (rows["1"]["具体举措"], rows["1"]["天津市细化落实措施"]) == ("第1项国家措施", "")
    assert (rows["4"]["具体举措"], rows["4"]["天津市细化落实措施"]) == ("", "")


def test_exports_without_a_plan_keep_the_task_number(run, folder):
    (folder / "_plan.yaml").unlink()
    rows = list(csv.DictReader(io.StringIO(
        run("export", "--dir", folder, "--as-of", AS_OF, "--format", "csv").stdout_bytes.decode("utf-8-sig"))))
    # Without the plan there is no numeral or title for a key task: its number, and no title.
    assert [(r["序号"], r["重点任务"], r["编号"]) for r in rows[:2]] == [("1", "", "1"), ("2", "", "2")]
    listed_ = json.loads(run("list", "--dir", folder, "--as-of", AS_OF, "--format", "json").stdout)
    assert {m["task_title"] for m in listed_} == {None}


def test_json_documents_are_indented_by_two(run, folder):
    out = run("report", "--dir", folder, "--as-of", AS_OF, "--format", "json").stdout
    assert out.startswith('{\n  "as_of": "2022-06-15",\n  "unit": null,\n  "total": 11,\n  "by_status": {\n    "not_started"')


def test_json_names_the_authority_and_escapes_what_a_terminal_would_act_on(run, folder):
    path = folder / "09.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "units_note: null", 'units_note: "按职责\\u202e分工\\u2028负责"'), encoding="utf-8")
    out = run("show", "9", "--dir", folder, "--as-of", AS_OF, "--format", "json").stdout
    assert "\u202e" not in out and "\u2028" not in out
    assert '"units_note": "按职责\\u202e分工\\u2028负责"' in out
    shown_ = json.loads(out)
    assert (shown_["deadline_kind"], shown_["deadline_authority"]) == ("external", "海关总署")
    assert shown_["units_note"] == "按职责\u202e分工\u2028负责"
