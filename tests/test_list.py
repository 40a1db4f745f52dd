"""`portcli list` (SPEC §4): filters, unit names, table and JSON output, finding the folder."""
from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

from measure_files import insert_before, measure_data, plan_data, replace_line
from portcli.load import load
from portcli.render import listing
from portcli.render.terminal import Terminal


@pytest.fixture
def run(run_in_chinese):
    """These tests read the reports' Chinese words: the commands speak Chinese."""
    return run_in_chinese


DATA = measure_data()
PLAN = plan_data()
ALL = sorted(DATA)
MAY = [i for i in ALL if DATA[i]["deadline"].startswith("5月底前")]


def ids(result) -> list[int]:
    assert result.exit_code == 0, result.stderr
    return [m["id"] for m in json.loads(result.stdout)]


def naming(unit: str) -> list[int]:
    return [i for i in ALL if unit in DATA[i]["units"]]


def registered(short: str) -> dict:
    return next(u for u in PLAN["units"] if u["name"] == short)


def all_names(unit: dict) -> list[str]:
    return [unit["name"], unit["full_name"], unit["english"], *unit["aliases"]]


def row(stdout: str, measure_id: int) -> str:
    """The table line of one measure (its id is the first word)."""
    lines = [line for line in stdout.splitlines() if line.split()[:1] == [str(measure_id)]]
    assert len(lines) == 1, stdout
    return lines[0]


# --- units ---------------------------------------------------------------------------------------

def test_unit_tianjin_customs_gives_the_21_measures_naming_it(run, measures_dir):
    expected = naming("天津海关")
    assert len(expected) == 21
    assert ids(run("list", "--unit", "天津海关", "--dir", measures_dir, "-f", "json")) == expected
    result = run("list", "--unit", "天津海关", "--dir", measures_dir)
    assert [int(line.split()[0]) for line in result.stdout.splitlines()
            if line.split()[:1] and line.split()[0].isdigit() and "项措施" not in line] == expected
    assert "21 项措施" in result.stdout


@pytest.mark.parametrize("short", ["市商务局", "天津海关", "天津港集团", "市发展改革委"])
def test_every_name_of_a_unit_finds_the_same_measures(run, measures_dir, short):
    expected = naming(short)
    unit = registered(short)
    for name in [*all_names(unit), unit["english"].upper(), unit["english"].lower()]:
        assert ids(run("list", "--unit", name, "--dir", measures_dir, "-f", "json")) == expected, name


def test_full_name_of_the_commerce_bureau(run, measures_dir):
    by_full = ids(run("list", "--unit", "天津市商务局", "--dir", measures_dir, "-f", "json"))
    assert by_full == ids(run("list", "--unit", "市商务局", "--dir", measures_dir, "-f", "json")) == naming("市商务局")


@pytest.mark.parametrize(("part", "short"), [("港集", "天津港集团"), ("customs", "天津海关"), ("财政", "市财政局"),
                                             ("Maritime", "天津海事局")])
def test_unambiguous_part_of_a_name(run, measures_dir, part, short):
    owners = [u["name"] for u in PLAN["units"] if any(part.casefold() in n.casefold() for n in all_names(u))]
    assert owners == [short]  # the part really is unambiguous in the registry
    assert ids(run("list", "--unit", part, "--dir", measures_dir, "-f", "json")) == naming(short)


@pytest.mark.parametrize("part", ["天津", "港", "Tianjin Municipal"])
def test_ambiguous_part_exits_2_listing_the_candidates(run, measures_dir, part):
    candidates = [u["name"] for u in PLAN["units"] if any(part.casefold() in n.casefold() for n in all_names(u))]
    assert len(candidates) > 1
    result = run("list", "--unit", part, "--dir", measures_dir, env={"PORTCLI_LANG": "en"})
    assert result.exit_code == 2 and result.stdout == ""
    assert "ambiguous" in result.stderr
    for name in candidates:
        assert name in result.stderr


@pytest.mark.parametrize(("typo", "meant"), [("海关总署", "天津海关"), ("Tianjin Custom House", "天津海关"),
                                             ("市商务厅", "市商务局")])
def test_unknown_unit_exits_2_with_did_you_mean(run, measures_dir, typo, meant):
    result = run("list", "--unit", typo, "--dir", measures_dir, env={"PORTCLI_LANG": "en"})
    assert result.exit_code == 2 and result.stdout == ""
    assert f"unknown unit {typo!r}" in result.stderr
    assert "did you mean" in result.stderr and meant in result.stderr
    assert "Traceback" not in result.stderr


def test_lead_only(run, measures_dir):
    led = [i for i in ALL if DATA[i]["units"][0] == "天津海关"]
    assert 0 < len(led) < len(naming("天津海关"))
    assert ids(run("list", "--unit", "天津海关", "--lead", "--dir", measures_dir, "-f", "json")) == led
    assert ids(run("list", "--unit", "海关", "--lead", "--dir", measures_dir, "-f", "json")) == led


def test_repeated_unit_means_any(run, measures_dir):
    expected = sorted(set(naming("天津海事局")) | set(naming("市财政局")))
    assert ids(run("list", "--unit", "天津海事局", "-u", "市财政局", "--dir", measures_dir, "-f", "json")) == expected
    led = [i for i in ALL if DATA[i]["units"][0] in ("天津海关", "市市场监管委")]
    assert ids(run("list", "-u", "天津海关", "-u", "市市场监管委", "--lead", "--dir", measures_dir, "-f", "json")) == led


# --- status, task, search, AND -------------------------------------------------------------------

@pytest.fixture
def statuses(measures_dir) -> Path:
    replace_line(measures_dir / "14.yaml", "status:", "status: in_progress")
    replace_line(measures_dir / "16.yaml", "status:", "status: 受阻")  # a label in the file is fine too
    replace_line(measures_dir / "25.yaml", "status:", "status: done")
    return measures_dir


@pytest.mark.parametrize(("values", "expected"), [
    (["in_progress"], [14]),
    (["推进中"], [14]),
    (["blocked"], [16]),
    (["受阻"], [16]),
    (["in_progress", "受阻"], [14, 16]),
    (["已完成", "blocked", "推进中"], [14, 16, 25]),
    (["ongoing"], []),
    (["not_started"], [i for i in ALL if i not in (14, 16, 25)]),
])
def test_status_by_key_or_label_repeatable(run, statuses, values, expected):
    args = [a for v in values for a in ("--status", v)]
    assert ids(run("list", *args, "--dir", statuses, "-f", "json")) == expected


def test_status_is_stored_as_key_whatever_the_file_says(run, statuses):
    rows = {m["id"]: m["status"] for m in json.loads(run("list", "--dir", statuses, "-f", "json").stdout)}
    assert (rows[14], rows[16], rows[25], rows[1]) == ("in_progress", "blocked", "done", "not_started")


def test_unknown_status_exits_2(run, measures_dir):
    result = run("list", "--status", "finished", "--dir", measures_dir)
    assert result.exit_code == 2 and result.stdout == ""
    assert "finished" in result.stderr and "未启动" in result.stderr


@pytest.mark.parametrize("task", [1, 5, 11])
def test_task(run, measures_dir, task):
    expected = [i for i in ALL if DATA[i]["task"] == task]
    assert expected
    assert ids(run("list", "--task", str(task), "--dir", measures_dir, "-f", "json")) == expected


def _squash(text):
    return re.sub(r"\s+", "", text or "").casefold()


@pytest.mark.parametrize("needle", ["船边直提", "跨境电商B2B出口", "跨境电商 B2B 出口", "b2b", "单一窗口", "按照职责分工负责"])
def test_search_texts(run, measures_dir, needle):
    expected = [i for i in ALL if any(_squash(needle) in _squash(t) for t in
                                      [DATA[i]["national"], *DATA[i]["local"], DATA[i]["units_note"]])]
    assert expected
    assert ids(run("list", "--search", needle, "--dir", measures_dir, "-f", "json")) == expected


def test_search_progress_notes(run, measures_dir):
    replace_line(measures_dir / "07.yaml", "progress:",
                 "progress:\n  - {date: 2022-05-20, status: in_progress, by: 天津海关, note: 完成系统对接测试}")
    assert ids(run("list", "-q", "系统对接测试", "--dir", measures_dir, "-f", "json")) == [7]


def test_filters_combine_with_and(run, statuses):
    customs = set(naming("天津海关"))
    task5 = {i for i in ALL if DATA[i]["task"] == 5}
    assert ids(run("list", "--unit", "天津海关", "--task", "5", "--dir", statuses, "-f", "json")) == sorted(customs & task5)
    both = ids(run("list", "--unit", "天津海关", "--status", "in_progress", "--status", "blocked",
                   "--dir", statuses, "-f", "json"))
    assert both == sorted(customs & {14, 16})
    late = ids(run("list", "--overdue", "--as-of", "2022-06-15", "--unit", "天津海事局", "--status", "not_started",
                   "--dir", statuses, "-f", "json"))
    assert late == [i for i in MAY if "天津海事局" in DATA[i]["units"] and i not in (14, 16, 25)]
    assert ids(run("list", "--task", "5", "--search", "储备粮食", "--dir", statuses, "-f", "json")) == [16]
    assert ids(run("list", "--task", "1", "--search", "储备粮食", "--dir", statuses, "-f", "json")) == []


def test_limit(run, measures_dir):
    result = run("list", "--limit", "3", "--dir", measures_dir)
    assert [row(result.stdout, i) for i in ALL[:3]]
    assert str(ALL[3]) not in [line.split()[0] for line in result.stdout.splitlines() if line.split()]
    assert f"另有 {len(ALL) - 3} 项" in result.stdout
    assert ids(run("list", "--limit", "3", "--dir", measures_dir, "-f", "json")) == ALL  # JSON has every row


# --- output --------------------------------------------------------------------------------------

def test_table_shows_lead_status_label_deadline_and_due(run, measures_dir):
    result = run("list", "--dir", measures_dir, "--as-of", "2022-06-15")
    assert result.exit_code == 0
    for header in ("编号", "牵头单位", "完成时限", "到期日", "状态"):
        assert header in result.stdout
    line = row(result.stdout, 14)
    data = DATA[14]
    assert f"{data['units'][0]} +{len(data['units']) - 1}" in line
    assert "未启动" in line and "not_started" not in line
    assert data["deadline"] in line and "2022-05-31" in line
    external = row(result.stdout, 10)
    assert "2022-" not in external and "—" in external  # no due date
    assert "25 项措施" in result.stdout and "2022-06-15" in result.stdout


def _kind(phrase: str) -> str:
    if phrase.startswith("按照"):
        return "external"
    return "milestone" if "取得阶段性进展" in phrase else "date"


def test_json_has_every_spec_key_with_correct_values(run, measures_dir):
    result = run("list", "--dir", measures_dir, "--as-of", "2022-06-15", "-f", "json")
    assert result.exit_code == 0 and result.stderr == ""
    rows = json.loads(result.stdout)
    assert [m["id"] for m in rows] == ALL
    titles = {t["id"]: t["title"] for t in PLAN["tasks"]}
    for m in rows:
        data = DATA[m["id"]]
        for key, value in data.items():  # the file's keys, as the file has them
            assert m[key] == value, (m["id"], key)
        may = m["id"] in MAY
        assert m["task_title"] == titles[data["task"]]
        assert m["lead"] == data["units"][0]
        assert m["deadline_kind"] == _kind(data["deadline"])
        assert m["due"] == ("2022-05-31" if may else None)
        assert m["due_source"] == ("deadline" if may else None)
        assert m["overdue"] is may
        assert m["days_overdue"] == (15 if may else None)
        assert Path(m["file"]).resolve() == (measures_dir / f"{m['id']:02d}.yaml").resolve()


def test_json_due_source_follows_due_and_extension(run, measures_dir):
    insert_before(measures_dir / "10.yaml", "status:", "due: 2022-06-30")
    replace_line(measures_dir / "14.yaml", "progress:", "progress: []\nextensions:\n"
                 "  - {date: 2022-05-25, from: 2022-05-31, to: 2022-06-30, by: 市商务局, reason: 等待机场系统升级}")
    rows = {m["id"]: m for m in json.loads(run("list", "--as-of", "2022-06-15", "--dir", measures_dir, "-f", "json").stdout)}
    assert (rows[10]["due"], rows[10]["due_source"], rows[10]["deadline_kind"]) == ("2022-06-30", "due", "external")
    assert (rows[14]["due"], rows[14]["due_source"], rows[14]["overdue"]) == ("2022-06-30", "extension", False)
    assert rows[14]["extensions"] == [{"date": "2022-05-25", "from": "2022-05-31", "to": "2022-06-30",
                                       "by": "市商务局", "reason": "等待机场系统升级"}]


def test_json_is_utf8_not_escaped(run, measures_dir):
    result = run("list", "--unit", "天津海关", "--dir", measures_dir, "-f", "json")
    assert "天津海关" in result.stdout and "\\u" not in result.stdout


# --- which folder --------------------------------------------------------------------------------

def _mark(directory: Path) -> Path:
    """Make this copy recognisable: measure 14 is done in it and in no other folder."""
    replace_line(directory / "14.yaml", "status:", "status: done")
    return directory


def test_dir_option(run, measures_dir):
    assert ids(run("list", "--status", "done", "--dir", _mark(measures_dir), "-f", "json")) == [14]


def test_portcli_dir_environment_variable(run, measures_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path.parent)
    env = {"PORTCLI_DIR": str(_mark(measures_dir))}
    assert ids(run("list", "--status", "done", "-f", "json", env=env)) == [14]


def test_dir_option_beats_the_environment(run, measures_dir, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    result = run("list", "--dir", _mark(measures_dir), "--status", "done", "-f", "json", env={"PORTCLI_DIR": str(other)})
    assert ids(result) == [14]


def test_upward_discovery_from_a_nested_folder(run, measures_dir, tmp_path, monkeypatch):
    _mark(measures_dir)
    nested = tmp_path / "notes" / "2022" / "june"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    rows = json.loads(run("list", "--status", "done", "-f", "json").stdout)
    assert [m["id"] for m in rows] == [14]
    assert Path(rows[0]["file"]).resolve() == (measures_dir / "14.yaml").resolve()


def test_no_measures_folder_anywhere_exits_2(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("list")
    assert result.exit_code == 2 and result.stdout == ""
    assert "--dir" in result.stderr and "PORTCLI_DIR" in result.stderr


def test_missing_dir_exits_2(run, tmp_path):
    result = run("list", "--dir", tmp_path / "nowhere")
    assert result.exit_code == 2 and "nowhere" in result.stderr and "Traceback" not in result.stderr


# --- data printed literally, traffic-light rows --------------------------------------------------

MARKUP = "[red]x[/] 与 [/] 及 [bold 字样"


def test_markup_in_data_is_printed_literally(run, measures_dir):
    path = measures_dir / "14.yaml"
    first_local = DATA[14]["local"][0]
    replace_line(path, f"  - {first_local}", f"  - '{MARKUP}'")
    replace_line(path, "units_note:", "units_note: '[/]'")
    replace_line(path, "deadline:", "deadline: '[bold]尽快[/]'\ndue: 2022-07-01")  # any phrase, given a due date
    replace_line(path, "progress:", f"progress:\n  - {{date: 2022-05-20, status: in_progress, note: '{MARKUP}'}}")
    listed = run("list", "--dir", measures_dir)
    assert listed.exit_code == 0, listed.stderr
    assert MARKUP in row(listed.stdout, 14) and "[bold]尽快[/]" in row(listed.stdout, 14)
    shown = run("show", "14", "--dir", measures_dir)
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout.count(MARKUP) == 2 and "[/]" in shown.stdout.replace(MARKUP, "")
    assert "[bold]尽快[/]（限期）" in shown.stdout


def test_control_characters_in_data_never_reach_the_terminal(run, measures_dir):
    replace_line(measures_dir / "14.yaml", "units_note:", 'units_note: "\\e[31m红\\a"')
    shown = run("show", "14", "--dir", measures_dir)
    assert shown.exit_code == 0
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout
    assert "\\x1b[31m红\\x07" in shown.stdout


RED, YELLOW = "\x1b[31m", "\x1b[33m"


def test_overdue_rows_red_and_due_soon_rows_yellow(measures_dir):
    insert_before(measures_dir / "14.yaml", "status:", "due: 2022-05-20")  # overdue as of 05-25
    replace_line(measures_dir / "16.yaml", "status:", "status: done")       # done: neither
    insert_before(measures_dir / "10.yaml", "status:", "due: 2022-12-31")  # far off: neither
    loaded = load(measures_dir)
    assert loaded.problems == []
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="standard", width=200,
                      highlight=False, markup=False, emoji=False)
    listing.measures(loaded.measures, loaded.plan, date(2022, 5, 25), Terminal.of(console))
    lines = {}
    for line in out.getvalue().splitlines():
        plain = re.sub(r"\x1b\[[0-9;]*m", "", line).split()
        if len(plain) > 1 and plain[0].isdigit() and plain[1].isdigit():
            lines[int(plain[0])] = line
    assert sorted(lines) == ALL
    yellow = [i for i in MAY if i not in (14, 16)]
    for i, line in lines.items():
        assert (RED in line) == (i == 14), i
        assert (YELLOW in line) == (i in yellow), i


@pytest.mark.parametrize("columns", [80, 120])
def test_narrow_terminal_keeps_ids_dates_and_statuses_whole(run, measures_dir, columns):
    from rich.cells import cell_len

    env = {"COLUMNS": str(columns)}
    late = run("overdue", "--as-of", "2022-06-15", "--dir", measures_dir, env=env)
    listed = run("list", "--unit", "天津海关", "--as-of", "2022-06-15", "--dir", measures_dir, env=env)
    for result, expected in ((late, MAY), (listed, [i for i in ALL if "天津海关" in DATA[i]["units"]])):
        assert max(cell_len(line) for line in result.stdout.splitlines()) <= columns
        rows = [line.split() for line in result.stdout.splitlines()]
        rows = [words for words in rows if len(words) > 2 and words[0].isdigit() and words[1].isdigit()]
        assert [int(words[0]) for words in rows] == expected
        for words in rows:
            assert words[2] == DATA[int(words[0])]["units"][0]
            assert "未启动" in words
            assert ("2022-05-31" in words) == (int(words[0]) in MAY)
            if result is late:
                assert "15" in words


@pytest.mark.parametrize("columns", [80, 120, 200])
def test_columns_line_up_with_double_width_text(run, measures_dir, columns):
    """The due date starts at the same screen column on every row as its header does."""
    from rich.cells import cell_len

    out = run("list", "--as-of", "2022-06-15", "--dir", measures_dir, env={"COLUMNS": str(columns)}).stdout
    lines = out.splitlines()
    header = lines[0]
    start = cell_len(header[:header.index("到期日")])
    starts = set()
    for line in lines[2:]:
        words = line.split()
        if len(words) > 2 and words[0].isdigit() and words[1].isdigit():
            due = "2022-05-31" if int(words[0]) in MAY else "—"
            starts.add(cell_len(line[:line.index(due)]))
    assert starts == {start}


def test_a_listing_of_nothing_is_its_header_and_the_count(run, measures_dir):
    """No measure is both done and 天津港集团's: the table's header and rule alone, then the count.
    Worked out by hand: each column as wide as its header (Deadline's 8 is its minimum too), one space
    of padding inside each edge between columns and SIMPLE_HEAD's space between them: 3 spaces
    between headers, 44 cells of headers + 7 x 3 = 65 cells, the rule under them as wide."""
    result = run("list", "--unit", "天津港集团", "--status", "done", "--dir", measures_dir, "--as-of", "2022-06-15",
                 env={"PORTCLI_LANG": "en"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["ID   Task   Lead unit   Deadline   Due   Status   Light   Measure",
                                          "─" * 65, "0 measures, as of 2022-06-15"]
