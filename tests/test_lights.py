"""Lights the office sets (issue 11, item 7): `_plan.yaml`'s `lights: {yellow_days: N}` decides when a
light turns yellow and what "due soon" means, in the terminal, HTML and xlsx alike; a measure with no
date that is not done is 待定 (pending) everywhere.

Every expectation below is worked out by hand from the table, as of 2022-06-01:

id  due          days left  status       yellow_days 3   yellow_days 30   no lights (14)
 1  2022-06-03   2          not_started  yellow          yellow           yellow
 2  2022-06-04   3          not_started  yellow          yellow           yellow
 3  2022-06-05   4          in_progress  green           yellow           yellow
 4  2022-06-30   29         not_started  green           yellow           green
 5  2022-07-01   30         blocked      green           yellow           green
 6  2022-07-02   31         not_started  green           green            green
 7  —            —          in_progress  pending         pending          pending   (持续推动: no date)
 8  —            —          done         green           green            green     (done: nothing to chase)
 9  2022-05-31   overdue 1  not_started  red             red              red
10  2022-06-04   3          done         green           green            green     (done before its date)

Each measure has its own key task (task = id), so the xlsx rows, in key-task order, are in id order.
"""
from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from portcli import query
from portcli.model import Plan

SHIPPED = Path(__file__).resolve().parents[1] / "measures"
AS_OF = date(2022, 6, 1)
# id: (days from AS_OF to the due date, or None for no date; status)
MEASURES = {1: (2, "not_started"), 2: (3, "not_started"), 3: (4, "in_progress"), 4: (29, "not_started"),
            5: (30, "blocked"), 6: (31, "not_started"), 7: (None, "in_progress"), 8: (None, "done"),
            9: (-1, "not_started"), 10: (3, "done")}
LIGHTS = {
    3: {1: "yellow", 2: "yellow", 3: "green", 4: "green", 5: "green", 6: "green", 7: "pending", 8: "green",
        9: "red", 10: "green"},
    30: {1: "yellow", 2: "yellow", 3: "yellow", 4: "yellow", 5: "yellow", 6: "green", 7: "pending", 8: "green",
         9: "red", 10: "green"},
    None: {1: "yellow", 2: "yellow", 3: "yellow", 4: "green", 5: "green", 6: "green", 7: "pending", 8: "green",
           9: "red", 10: "green"},
}
DUE_SOON = {3: [1, 2], 30: [1, 2, 3, 4, 5], None: [1, 2, 3]}  # soonest first
WORDS = {"en": {"red": "red", "yellow": "yellow", "green": "green", "pending": "pending"},
         "zh": {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "pending": "待定"}}
# Excel's "bad" red, "neutral" yellow, a grey for 待定; nothing (openpyxl's 00000000) for green
FILLS = {"red": "00FFC7CE", "yellow": "00FFEB9C", "pending": "00E7E6E6", "green": "00000000"}


def write_plan(folder: Path, yellow_days: int | None) -> Path:
    folder.mkdir(parents=True)
    plan = (SHIPPED / "_plan.yaml").read_text(encoding="utf-8")
    if yellow_days is not None:
        plan += f"lights: {{yellow_days: {yellow_days}}}\n"
    (folder / "_plan.yaml").write_text(plan, encoding="utf-8")
    for id_, (days, status) in MEASURES.items():
        data = {"id": id_, "task": id_, "national": None, "local": [f"第{id_}项措施"], "units": ["天津海关"],
                "units_note": None, "deadline": "持续推动" if days is None else "年底前",
                **({} if days is None else {"due": AS_OF + timedelta(days=days)}), "status": status, "progress": []}
        (folder / f"{id_:02d}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                                encoding="utf-8")
    return folder


@pytest.fixture(params=[3, 30, None], ids=["yellow3", "yellow30", "default14"])
def folder(request, tmp_path):
    return request.param, write_plan(tmp_path / "measures", request.param)


def ok(result):
    assert result.exit_code == 0, result.stderr
    return result.stdout


def table_lights(stdout: str, language: str = "en") -> dict[str, str]:
    """The light column of `list`: the word after the status, on each row that starts with an id."""
    words = {said: colour for colour, said in WORDS[language].items()}
    lights = {}
    for line in stdout.splitlines():
        cells = line.split()
        if cells and re.fullmatch(r"(\S+:)?\d+", cells[0]) and len(cells) > 6:
            lights[cells[0]] = words[cells[6]]
    return lights


def by_id(lights: dict[int, str]) -> dict[str, str]:
    return {str(id_): colour for id_, colour in lights.items()}


# --- the terminal listing ------------------------------------------------------------------------

def test_the_terminal_listing_shows_each_light_by_the_plans_yellow_days(run, folder):
    yellow_days, path = folder
    stdout = ok(run("list", "--dir", path, "--as-of", AS_OF.isoformat()))
    assert table_lights(stdout) == by_id(LIGHTS[yellow_days])


def test_the_light_column_speaks_chinese(run, folder):
    yellow_days, path = folder
    stdout = ok(run("list", "--dir", path, "--as-of", AS_OF.isoformat(), env={"PORTCLI_LANG": "zh"}))
    assert "灯" in stdout.splitlines()[0]
    assert table_lights(stdout, "zh") == by_id(LIGHTS[yellow_days])


def test_an_explicit_due_soon_colours_the_listing_it_selects(run, tmp_path):
    path = write_plan(tmp_path / "measures", 3)
    stdout = ok(run("list", "--dir", path, "--as-of", AS_OF.isoformat(), "--due-soon", "30"))
    assert table_lights(stdout) == {"1": "yellow", "2": "yellow", "3": "yellow", "4": "yellow", "5": "yellow"}


# --- the due-soon lists --------------------------------------------------------------------------

def listed(run, *args) -> list:
    return [m["id"] if m["plan"] is None else f'{m["plan"]}:{m["id"]}'
            for m in json.loads(ok(run("list", *args, "--as-of", AS_OF.isoformat(), "-f", "json")))]


def test_list_due_soon_without_days_takes_the_plans_yellow_days(run, folder):
    yellow_days, path = folder
    assert listed(run, "--dir", path, "--due-soon") == DUE_SOON[yellow_days]
    # followed by another option, it still takes the plan's
    assert listed(run, "--due-soon", "--dir", path) == DUE_SOON[yellow_days]


@pytest.mark.parametrize("days, expected", [(0, []), (2, [1]), (4, [1, 2, 3]), (31, [1, 2, 3, 4, 5, 6])])
def test_an_explicit_due_soon_wins_over_the_plan(run, folder, days, expected):
    _, path = folder
    assert listed(run, "--dir", path, "--due-soon", str(days)) == expected
    report = json.loads(ok(run("report", "--dir", path, "--as-of", AS_OF.isoformat(), "--due-soon", str(days),
                               "-f", "json")))
    assert report["due_soon"] == expected


def test_the_report_due_soon_list_follows_the_plan(run, folder):
    yellow_days, path = folder
    for extra in ((), ("--due-soon",)):  # --due-soon without DAYS: as without it
        report = json.loads(ok(run("report", "--dir", path, "--as-of", AS_OF.isoformat(), *extra, "-f", "json")))
        assert report["due_soon"] == DUE_SOON[yellow_days]
        assert report["overdue"] == [9]


def test_the_terminal_report_lists_the_plans_due_soon_and_fails_on_them(run, folder):
    yellow_days, path = folder
    result = run("report", "--dir", path, "--as-of", AS_OF.isoformat(), "--fail-on", "due-soon")
    assert result.exit_code == 1  # measure 9 is overdue whatever the lights
    section = result.stdout.split("Due soon: ")[1].split("\nTo chase: ")[0]  # the 催办 section follows
    assert section.startswith(f"{len(DUE_SOON[yellow_days])}\n")
    rows = [line.split()[0] for line in section.splitlines()[1:] if line.strip()]
    assert rows == [str(i) for i in DUE_SOON[yellow_days]]


def test_show_says_due_in_only_inside_the_plans_window(run, folder):
    yellow_days, path = folder
    shown = ok(run("show", "4", "--dir", path, "--as-of", AS_OF.isoformat()))
    assert ("due in 29 days" in shown) is (yellow_days == 30)


# --- HTML ----------------------------------------------------------------------------------------

ROW = re.compile(r'<tr(?: class="(\w+)")?><td class="nowrap" data-label="[^"]+"><span class="light (\w+)" '
                 r'aria-hidden="true"></span>([^<]+)</td><td class="num" data-label="[^"]+">([^<]+)</td>')


def html_lights(page: str) -> dict[str, tuple[str | None, str, str]]:
    """id -> (the row's class, the light's class, the light's word) in the all-measures table."""
    return {id_: (row_class, light, word) for row_class, light, word, id_ in ROW.findall(page)}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_html_lights_follow_the_plan(run, folder, language):
    yellow_days, path = folder
    page = ok(run("report", "--dir", path, "--as-of", AS_OF.isoformat(), "-f", "html",
                  env={"PORTCLI_LANG": language}))
    expected = {str(id_): ("" if colour == "green" else colour, colour, WORDS[language][colour])
                for id_, colour in LIGHTS[yellow_days].items()}
    assert html_lights(page) == expected
    headers = {"en": ["Light", "ID", "Key task", "Measure", "Units", "Deadline", "Due", "Status", "Latest progress"],
               "zh": ["灯", "编号", "重点任务", "措施", "责任单位", "完成时限", "到期日", "状态", "最新进展"]}[language]
    assert "<thead><tr>" + "".join(f"<th>{h}</th>" for h in headers) + "</tr></thead>" in page
    # the key task's cell: its numeral and title, from the measure's own plan (measure 3 is in key task 三)
    assert '<td class="text task" data-label="{}">三<span class="task-title">、{}</span></td>'.format(
        "Key task" if language == "en" else "重点任务", "推进跨境电商 B2B 出口监管试点。") in page
    # the timeline's dots: measures 2 and 10 share 2022-06-04, the worst light of the two (yellow) shows
    dots = re.findall(r'<div class="tl-row due"><span>([\d-]+)</span>.*?<span class="dot (\w+)"', page)
    assert dict(dots) == {(AS_OF + timedelta(days=MEASURES[i][0])).isoformat(): LIGHTS[yellow_days][i]
                          for i in (1, 2, 3, 4, 5, 6, 9)}
    # below the axis, 待定: the measure with no date that is not done (8, done, is green and needs no date)
    undated = re.findall(r'<div class="tl-row undated"><span>([^<]+)</span><span class="tl-note">([^<]+)<', page)
    assert undated == [(WORDS[language]["pending"],
                        "1 measure without a date: 7" if language == "en" else "1 项未定日期：措施 7")]


def test_an_explicit_due_soon_colours_the_html_as_its_list(run, tmp_path):
    path = write_plan(tmp_path / "measures", 3)
    page = ok(run("report", "--dir", path, "--as-of", AS_OF.isoformat(), "--due-soon", "29", "-f", "html"))
    assert {id_ for id_, (_, light, _) in html_lights(page).items() if light == "yellow"} == {"1", "2", "3", "4"}


# --- xlsx ----------------------------------------------------------------------------------------

def xlsx_lights(run, path: Path, target: Path) -> dict[int, str]:
    ok(run("export", "--dir", path, "--as-of", AS_OF.isoformat(), "--output", target))
    ws = load_workbook(target).active
    fills = {}
    for row in range(3, ws.max_row + 1):
        tracking = {ws.cell(row, col).fill.fgColor.rgb for col in range(3, 12)}
        assert len(tracking) == 1, tracking  # the whole row past the key task, one colour
        fills[ws.cell(row, 3).value] = tracking.pop()
    return fills


def test_the_xlsx_fills_follow_the_plan(run, folder, tmp_path):
    yellow_days, path = folder
    fills = xlsx_lights(run, path, tmp_path / "out.xlsx")
    assert fills == {id_: FILLS[colour] for id_, colour in LIGHTS[yellow_days].items()}


# the text of a lit row in Excel's matching dark colour ("bad" dark red, "neutral" dark yellow); others black
FONTS = {"red": "009C0006", "yellow": "009C5700", "pending": None, "green": None}


def test_the_xlsx_colours_the_tracking_cells_and_leaves_the_key_task_alone(run, tmp_path):
    path = write_plan(tmp_path / "measures", 30)
    ok(run("export", "--dir", path, "--as-of", AS_OF.isoformat(), "--output", tmp_path / "out.xlsx"))
    ws = load_workbook(tmp_path / "out.xlsx").active
    for row in range(3, ws.max_row + 1):
        colour = LIGHTS[30][ws.cell(row, 3).value]
        key_task = [(ws.cell(row, col).fill.fgColor.rgb, ws.cell(row, col).font.color) for col in (1, 2)]
        assert key_task == [("00000000", None)] * 2, row  # 序号 and 重点任务 span a task's measures: never lit
        fonts = {ws.cell(row, col).font.color.rgb if ws.cell(row, col).font.color else None for col in range(3, 12)}
        assert fonts == {FONTS[colour]}, (row, fonts)


# --- two plans, each with its own lights ---------------------------------------------------------

@pytest.fixture
def two_plans(tmp_path):
    root = tmp_path / "measures"
    write_plan(root / "a3", 3)
    write_plan(root / "b30", 30)
    return root


def test_each_measure_follows_its_own_plans_lights(run, two_plans, tmp_path):
    expected = {f"{plan}:{id_}": colour for plan, days in (("a3", 3), ("b30", 30))
                for id_, colour in LIGHTS[days].items()}
    assert table_lights(ok(run("list", "--dir", two_plans, "--as-of", AS_OF.isoformat()))) == expected
    page = ok(run("report", "--dir", two_plans, "--as-of", AS_OF.isoformat(), "-f", "html"))
    assert {id_: light for id_, (_, light, _) in html_lights(page).items()} == expected
    ok(run("export", "--dir", two_plans, "--as-of", AS_OF.isoformat(), "--output", tmp_path / "two.xlsx"))
    ws = load_workbook(tmp_path / "two.xlsx").active
    fills = {ws.cell(row, 3).value: ws.cell(row, 3).fill.fgColor.rgb for row in range(3, ws.max_row + 1)}
    assert fills == {name: FILLS[colour] for name, colour in expected.items()}


def test_with_two_plans_the_due_soon_lists_take_each_measures_own_plan(run, two_plans):
    # the total: soonest first; a tie on the date keeps the plans' order (a3 before b30)
    total = ["a3:1", "b30:1", "a3:2", "b30:2", "b30:3", "b30:4", "b30:5"]
    report = json.loads(ok(run("report", "--dir", two_plans, "--as-of", AS_OF.isoformat(), "-f", "json")))
    assert report["total"]["due_soon"] == total
    assert {name: r["due_soon"] for name, r in report["plans"].items()} == {
        "a3": ["a3:1", "a3:2"], "b30": ["b30:1", "b30:2", "b30:3", "b30:4", "b30:5"]}
    assert listed(run, "--dir", two_plans, "--due-soon") == ["a3:1", "a3:2", "b30:1", "b30:2", "b30:3", "b30:4", "b30:5"]
    # an explicit --due-soon is one window for every plan
    report = json.loads(ok(run("report", "--dir", two_plans, "--as-of", AS_OF.isoformat(), "--due-soon", "4",
                               "-f", "json")))
    assert report["total"]["due_soon"] == ["a3:1", "b30:1", "a3:2", "b30:2", "a3:3", "b30:3"]
    assert report["plans"]["a3"]["due_soon"] == ["a3:1", "a3:2", "a3:3"]
    assert listed(run, "--dir", two_plans, "--due-soon", "4") == ["a3:1", "a3:2", "a3:3", "b30:1", "b30:2", "b30:3"]


# --- the one rule --------------------------------------------------------------------------------

@pytest.mark.parametrize("plan_days, asked, expected", [
    (None, None, 14), (7, None, 7), (0, None, 0), (7, 30, 30), (None, 0, 0), (365, 2, 2)])
def test_due_soon_days_is_asked_else_the_plans_else_14(plan_days, asked, expected):
    plan = Plan("计划", 2022, yellow_days=plan_days)
    assert query.due_soon_days(plan, asked) == expected
    assert query.due_soon_days(None, asked) == (14 if asked is None else asked)


# --- a broken `lights` ---------------------------------------------------------------------------

@pytest.mark.parametrize("command, form", [(("validate",), form) for form in ("table", "json", "github", "gitlab")]
                         + [(("report",), form) for form in ("table", "json", "github", "gitlab", "markdown", "html")])
def test_a_broken_lights_is_one_message_and_exit_2(run, tmp_path, command, form):
    path = write_plan(tmp_path / "measures", None)
    plan = path / "_plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "lights: {yellow_days: 400}\n", encoding="utf-8")
    line = len(plan.read_text(encoding="utf-8").splitlines())
    result = run(*command, "--dir", path, *(("--as-of", AS_OF.isoformat()) if command == ("report",) else ()),
                 "-f", form)
    assert result.exit_code == 2
    message = "`yellow_days` must be a whole number of days from 0 to 365, not 400"
    said = result.stdout + result.stderr
    # once; gitlab's JSON and the HTML page hold it too, and stderr says it for the log
    assert said.count(message) == 1 + (form in ("gitlab", "html")), said
    assert f"{line}" in said and "Traceback" not in said
    if form == "github":  # an annotation on the plan's line, not repeated on stderr
        assert f"_plan.yaml,line={line},title=bad-yellow-days::" in result.stdout and result.stderr == ""
    elif form == "json" and command == ("validate",):
        assert [(p["code"], p["line"]) for p in json.loads(result.stdout)["problems"]] == [("bad-yellow-days", line)]
    elif form != "gitlab":
        assert result.stderr.strip().endswith(f"_plan.yaml:{line}: {message}")


@pytest.mark.parametrize("args, expected", [
    (["list", "--due-soon"], ["list", "--due-soon", "plan"]),
    (["list", "--due-soon", "--as-of", "2022-06-01"], ["list", "--due-soon", "plan", "--as-of", "2022-06-01"]),
    (["list", "--due-soon", "7"], ["list", "--due-soon", "7"]),
    (["list", "--due-soon", "-1"], ["list", "--due-soon", "-1"]),  # a wrong value, refused by its bounds
    # after `--` nothing is an option: a search for the text `--due-soon` stays as typed
    (["list", "--search", "--", "--due-soon"], ["list", "--search", "--", "--due-soon"]),
])
def test_due_soon_without_days_stands_for_the_plans_window(args, expected):
    from portcli.cli import complete_args

    assert complete_args(args) == expected


def test_the_html_rows_wrap_texts_and_keep_lights_dates_and_statuses_whole(run, tmp_path):
    path = write_plan(tmp_path / "measures", 3)
    page = ok(run("report", "--dir", path, "--as-of", AS_OF.isoformat(), "-f", "html"))
    # what the classes do: a text keeps its line breaks (numbered local items) and wraps; the rest stays whole
    assert "td.text { white-space: pre-line; overflow-wrap: anywhere; }" in page
    assert "td.num { text-align: right; white-space: nowrap; } td.nowrap { white-space: nowrap; }" in page
    row = re.search(r'<tr class="yellow">(.*?)</tr>', page).group(1)
    assert re.findall(r'<td class="([^"]+)" data-label="([^"]+)"', row) == [
        ("nowrap", "Light"), ("num", "ID"), ("text task", "Key task"), ("text", "Measure"), ("text", "Units"),
        ("text", "Deadline"), ("nowrap", "Due"), ("nowrap", "Status"), ("text", "Latest progress")]


# --- the terminal listing's edges, which the mutation run found unchecked ------------------------

def test_an_overdue_listing_in_blocks_keeps_its_days_overdue_column(run, tmp_path, monkeypatch):
    from portcli.render import grid

    path = write_plan(tmp_path / "measures", 3)
    later = "2022-08-01"  # 1…6 and 9 overdue: 59, 58, 57, 32, 31, 30 and 62 days
    whole = ok(run("overdue", "--dir", path, "--as-of", later))
    monkeypatch.setattr(grid, "ROWS_PER_BLOCK", 2)
    blocks = ok(run("overdue", "--dir", path, "--as-of", later))
    assert blocks == whole  # the same table, drawn two rows at a time with the whole listing's widths
    rows = [line.split() for line in blocks.splitlines() if re.match(r"\s*\d+\s+\d+\s", line)]
    assert [(r[0], r[6]) for r in rows] == [("9", "62"), ("1", "59"), ("2", "58"), ("3", "57"), ("4", "32"),
                                            ("5", "31"), ("6", "30")]
    assert "more" not in blocks  # every row shown: no "… N more" line


def test_the_terminal_colours_red_and_yellow_rows_and_dims_the_footer(tmp_path):
    import io

    from rich.console import Console

    from portcli.load import load
    from portcli.render import listing
    from portcli.render.terminal import Terminal

    loaded = load(write_plan(tmp_path / "measures", 3))
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="standard", width=200, highlight=False,
                      markup=False, emoji=False)
    listing.measures(loaded.measures, loaded.plan, AS_OF, Terminal.of(console))
    lines = out.getvalue().splitlines()
    plain = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
    by_id = {text.split()[0]: line for text, line in zip(plain, lines) if re.match(r"\s*\d+\s", text)}
    red, yellow = "\x1b[31m", "\x1b[33m"
    for id_, colour in LIGHTS[3].items():
        line = by_id[str(id_)]
        assert (red in line, yellow in line) == (colour == "red", colour == "yellow"), (id_, line)
    assert lines[-1].startswith("\x1b[2m") and "10 measures, as of 2022-06-01" in lines[-1]  # dim


def test_the_html_measure_cell_is_the_local_text_else_the_national(run, tmp_path):
    path = write_plan(tmp_path / "measures", 3)
    for id_, national in ((8, "国家措施八"), (7, None)):  # 8: national only; 7: neither (an empty cell)
        data = yaml.safe_load((path / f"{id_:02d}.yaml").read_text(encoding="utf-8"))
        data.update(local=[], national=national)
        (path / f"{id_:02d}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                             encoding="utf-8")
    page = ok(run("report", "--dir", path, "--as-of", AS_OF.isoformat(), "-f", "html"))
    cells = dict(re.findall(r'<td class="num" data-label="ID">(\d+)</td><td class="text task"[^>]*>.*?</td>'
                            r'<td class="text" data-label="Measure">([^<]*)</td>', page))
    assert (cells["1"], cells["8"], cells["7"]) == ("第1项措施", "国家措施八", "")


def test_a_shortened_listing_says_how_many_more_dimmed_and_cuts_texts_at_a_third(run, measures_dir, tmp_path):
    import io

    from rich.cells import cell_len
    from rich.console import Console

    from portcli.load import load
    from portcli.render import listing
    from portcli.render.terminal import Terminal

    loaded = load(write_plan(tmp_path / "lit", 3))
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="standard", width=200, highlight=False,
                      markup=False, emoji=False)
    listing.measures(loaded.measures, loaded.plan, AS_OF, Terminal.of(console), limit=2)
    more = [line for line in out.getvalue().splitlines() if "more, use --limit 0" in line]
    assert len(more) == 1 and more[0].startswith("\x1b[2m") and "… 8 more" in more[0]
    # the measure's text takes at most a third of the terminal (200 // 3 = 66 cells), cut with …
    listed = ok(run("list", "--dir", measures_dir, "--as-of", "2022-06-15", "--limit", "0"))
    texts = [line[line.index("  ", line.index("red ")) :].strip() for line in listed.splitlines()
             if re.match(r"\s*\d+\s", line) and " red " in line]
    assert texts and max(cell_len(t) for t in texts) == 66
