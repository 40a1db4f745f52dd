"""`report` and `validate` as CI and meetings read them: Markdown, GitHub annotations, the step
summary. Every test runs the real CLI and parses what it prints; expected values come from the
measure files themselves (read with yaml) or from another command's JSON, never from the renderer."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from measure_files import measure_files
import hostile
from portcli.render.github import escape_data, escape_property


@pytest.fixture
def run(run, run_in_chinese, request):
    """These tests read the reports' Chinese words: the commands speak Chinese."""
    # a test marked `english` quotes English messages
    return run if request.node.get_closest_marker("english") else run_in_chinese


AS_OF = hostile.AS_OF
STATUS_LABELS = ["未启动", "推进中", "受阻", "持续推进", "已完成"]


def report_json(run, folder: Path, *args: str) -> dict:
    result = run("report", "--dir", folder, "--as-of", AS_OF, "--format", "json", *args)
    return json.loads(result.stdout)


# --- Markdown -----------------------------------------------------------------------------------

def split_row(line: str) -> list[str]:
    """A GFM table row's cells: split on pipes no backslash escapes, then undo the escapes and <br>."""
    assert line.startswith("|") and line.endswith("|"), line
    cells, current, i = [], "", 1
    while i < len(line) - 1:
        ch = line[i]
        if ch == "\\":
            current += line[i:i + 2]
            i += 2
            continue
        if ch == "|":
            cells.append(current)
            current = ""
        else:
            current += ch
        i += 1
    cells.append(current)
    return [unescape(c.strip()) for c in cells]


def unescape(cell: str) -> str:
    out, i = "", 0
    while i < len(cell):
        if cell[i] == "\\" and i + 1 < len(cell):
            out += cell[i + 1]
            i += 2
        elif cell.startswith("<br>", i):
            out += "\n"
            i += 4
        else:
            out += cell[i]
            i += 1
    return out


def tables(markdown: str) -> dict[str, list[list[str]]]:
    """Every table under the heading (or text line) above it: header row first, delimiter row dropped."""
    found, title, lines = {}, None, markdown.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|") and (i == 0 or not lines[i - 1].startswith("|")):
            rows = []
            for row in lines[i:]:
                if not row.startswith("|"):
                    break
                rows.append(row)
            assert re.fullmatch(r"\|(-+:?\|)+", rows[1]), rows[1]
            found[title] = [split_row(rows[0])] + [split_row(r) for r in rows[2:]]
        elif line.strip() and not line.startswith("|"):
            title = line
    return found


def test_markdown_report_tables_parse_back_to_the_data(run, measures_dir):
    hostile.write(measures_dir)
    result = run("report", "--dir", measures_dir, "--as-of", AS_OF, "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    found = tables(result.stdout)
    expected = report_json(run, measures_dir)
    for rows in found.values():
        assert all(len(r) == len(rows[0]) for r in rows), rows

    statuses = next(rows for title, rows in found.items() if rows[0] == STATUS_LABELS)
    assert statuses[1] == [str(n) for n in expected["by_status"].values()]

    units = found["### 各单位"]
    assert units[0] == ["单位", "牵头", "参与", "已完成", "逾期", "延期", "完成率"]
    assert [[r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4])] for r in units[1:]] == [
        [u["unit"], u["lead"], u["involved"], u["done"], u["overdue"]] for u in expected["units"]]

    late = found[f"### 逾期：{len(expected['overdue'])}"]
    assert late[0] == ["编号", "牵头单位", "到期日", "逾期天数", "措施", "最新进展"]
    assert [int(r[0]) for r in late[1:]] == expected["overdue"]
    row = next(r for r in late[1:] if r[0] == str(hostile.ID))
    assert row == [str(hostile.ID), hostile.LEAD, hostile.DUE.isoformat(), str(hostile.DAYS_OVERDUE),
                   hostile.LOCAL[0], hostile.LATEST]
    assert "### 即将到期：0" in result.stdout


def test_markdown_stays_inert_in_a_commonmark_renderer(run, measures_dir):
    """markdown-it-py (rich's own Markdown parser, with raw HTML allowed) sees no tag and no link."""
    hostile.write(measures_dir)
    text = run("report", "--dir", measures_dir, "--as-of", AS_OF, "--format", "markdown").stdout
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough").render(text)
    assert "<img" not in rendered and "<script" not in rendered and "<a " not in rendered
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered
    cell = f"<td>{hostile.LATEST}</td>".replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    cell = cell.replace("&lt;td&gt;", "<td>").replace("&lt;/td&gt;", "</td>").replace("\n", "<br>")
    assert cell.replace('"', "&quot;") in rendered


def test_markdown_report_lists_file_problems(run, measures_dir):
    (measures_dir / "03.yaml").write_text("id: 3\nstatus: [\n", encoding="utf-8")
    result = run("report", "--dir", measures_dir, "--as-of", AS_OF, "--format", "markdown")
    assert result.exit_code == 2
    problems = next(rows for title, rows in tables(result.stdout).items() if title.startswith("### 文件问题"))
    assert problems[0] == ["文件", "行", "问题"]
    assert [Path(problems[1][0]).name, problems[1][1]] == ["03.yaml", result.stderr.split(":")[1]]


# --- GitHub annotations -------------------------------------------------------------------------

ANNOTATION = re.compile(r"::(?P<name>[a-z]+)(?: (?P<props>[^:]*))?::(?P<message>.*)")


def unescape_data(text: str) -> str:
    # As the Actions runner reads them (actions/runner ActionCommand.cs): %25 last.
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    return (text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",")
            .replace("%25", "%"))


def annotations(stdout: str) -> list[dict]:
    out = []
    for line in stdout.splitlines():
        match = ANNOTATION.fullmatch(line)
        assert match, f"not a workflow command: {line!r}"
        props = dict(p.split("=", 1) for p in match["props"].split(",")) if match["props"] else {}
        out.append({"name": match["name"], "message": unescape_data(match["message"]),
                    **{k: unescape_property(v) for k, v in props.items()}})
    return out


def id_line(path: Path) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if line.startswith("id:"))


def test_escaping_matches_the_actions_toolkit():
    # actions/toolkit packages/core/src/command.ts: escapeData and escapeProperty.
    assert escape_data("100%\r\n::error::x, a:b") == "100%25%0D%0A::error::x, a:b"
    assert escape_property("100%\r\n::error::x, a:b") == "100%25%0D%0A%3A%3Aerror%3A%3Ax%2C a%3Ab"


def test_report_annotates_each_overdue_measure_on_its_id_line(run, measures_dir):
    for old in measures_dir.glob("[1-2]*.yaml"):  # fewer than GitHub's 10 warnings a step: all are shown
        old.unlink()
    path = hostile.write(measures_dir)
    result = run("report", "--dir", measures_dir, "--as-of", AS_OF, "--format", "github")
    assert result.exit_code == 0, result.stderr
    found = annotations(result.stdout)  # every line is one command: the hostile texts injected none
    late = json.loads(run("overdue", "--dir", measures_dir, "--as-of", AS_OF, "--format", "json").stdout)
    assert [a["name"] for a in found] == ["warning"] * len(late) and 1 < len(late) <= 10
    files = measure_files(measures_dir)
    for a, m in zip(found, late):
        assert a["file"] == str(files[m["id"]][0])
        assert int(a["line"]) == id_line(files[m["id"]][0])
        assert a["title"] == f"措施 {m['id']} 逾期 {m['days_overdue']} 天"
    mine = next(a for a in found if a["file"] == str(path))
    assert int(mine["line"]) == 2  # under the comment line
    assert mine["message"].endswith("：" + hostile.LOCAL[0])  # the text survives, escapes and all
    assert "\n::error::x" not in result.stdout


def test_report_with_fail_on_keeps_its_exit_code_in_github_format(run, measures_dir):
    result = run("report", "--dir", measures_dir, "--as-of", AS_OF, "--format", "github", "--fail-on", "overdue")
    assert result.exit_code == 1
    assert run("report", "--dir", measures_dir, "--as-of", "2022-05-01", "--format", "github",
               "--fail-on", "overdue").exit_code == 0


def test_validate_annotates_each_problem(run, measures_dir):
    (measures_dir / "05.yaml").write_text(
        (measures_dir / "05.yaml").read_text(encoding="utf-8").replace("status: not_started", "status: late, very"),
        encoding="utf-8")
    (measures_dir / "07.yaml").write_text("id: 7\n  bad: [\n", encoding="utf-8")
    table = run("validate", "--dir", measures_dir)
    expected = [re.match(r"(.+?):(\d+): (.*)", line).groups() for line in table.stderr.splitlines()]
    result = run("validate", "--dir", measures_dir, "--format", "github")
    assert result.exit_code == 2
    assert result.stderr == ""  # the annotations are the report; no second copy on stderr
    found = annotations(result.stdout)
    assert [(a["name"], a["file"], a["line"], a["message"]) for a in found] == [
        ("error", file, line, message) for file, line, message in expected]
    assert len(found) == 2


def test_annotation_properties_escape_colon_and_comma(run, measures_dir, tmp_path):
    odd = tmp_path / "a,b:c"
    measures_dir.rename(odd)
    (odd / "09.yaml").write_text("id: 9\n", encoding="utf-8")
    result = run("validate", "--dir", odd, "--format", "github")
    assert "a%2Cb%3Ac" in result.stdout
    assert {a["file"] for a in annotations(result.stdout)} == {str(odd / "09.yaml")}


def test_validate_in_github_format_prints_nothing_when_all_is_valid(run, measures_dir):
    result = run("validate", "--dir", measures_dir, "--format", "github")
    assert (result.exit_code, result.stdout) == (0, "")


# --- $GITHUB_STEP_SUMMARY -----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["table", "json", "github", "markdown", "html"])
def test_report_appends_the_markdown_to_the_step_summary(run, measures_dir, tmp_path, fmt):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    result = run("report", "--dir", measures_dir, "--as-of", AS_OF, "--format", fmt, env=env)
    assert result.exit_code == 0, result.stderr
    markdown = run("report", "--dir", measures_dir, "--as-of", AS_OF, "--format", "markdown").stdout
    assert summary.read_text(encoding="utf-8") == "earlier step\n" + markdown


@pytest.mark.parametrize("fail_on, code", [("never", 0), ("overdue", 1)])
@pytest.mark.english
def test_an_unwritable_step_summary_warns_and_keeps_the_exit_code(run, measures_dir, tmp_path, fail_on, code):
    env = {"GITHUB_STEP_SUMMARY": str(tmp_path)}  # a folder: cannot be opened for appending
    result = run("report", "--dir", measures_dir, "--as-of", AS_OF, "--fail-on", fail_on, env=env)
    assert result.exit_code == code
    assert "warning: cannot append the report to $GITHUB_STEP_SUMMARY" in result.stderr
    assert "各单位" in result.stdout


@pytest.mark.english
def test_the_step_summary_warning_is_one_line_whatever_the_path(run, measures_dir, tmp_path):
    forged = tmp_path / "x\nmeasures/01.yaml:1: forged"
    forged.mkdir(parents=True)
    result = run("report", "--dir", measures_dir, "--as-of", AS_OF, env={"GITHUB_STEP_SUMMARY": str(forged)})
    [line] = result.stderr.splitlines()
    assert line.startswith("portcli: warning: cannot append the report") and "x\\x0ameasures" in line


@pytest.mark.parametrize("as_of, days, lights", [("2022-05-20", [], {"yellow": 20}),
                                                ("2022-05-20", ["--due-soon", "5"], {}),
                                                ("2022-06-15", [], {"red": 20})])
def test_the_html_lights_follow_the_reports_own_due_soon(run, measures_dir, as_of, days, lights):
    page = run("report", "--dir", measures_dir, "--as-of", as_of, *days, "--format", "html").stdout
    found = re.findall(r'<tr class="(red|yellow)"', page)
    assert {colour: found.count(colour) for colour in set(found)} == lights


@pytest.mark.english
def test_report_output_file(run, measures_dir, tmp_path):
    target = tmp_path / "report.md"
    result = run("report", "--dir", measures_dir, "--as-of", AS_OF, "--format", "markdown", "--output", target)
    assert (result.exit_code, result.stdout) == (0, "")
    assert target.read_text(encoding="utf-8") == run("report", "--dir", measures_dir, "--as-of", AS_OF,
                                                     "--format", "markdown").stdout
    bad = run("report", "--dir", measures_dir, "--format", "markdown", "--output", tmp_path / "no" / "such.md")
    assert bad.exit_code == 2 and "cannot write" in bad.stderr and "Traceback" not in bad.stderr


# --- the sample workflow ------------------------------------------------------------------------

def test_the_sample_workflow_runs_portcli_commands_that_work(run, measures_dir, monkeypatch):
    """The workflow's own portcli lines (after the action: the HTML page and the spreadsheet) work;
    tests/test_adoption.py checks the workflow with actionlint and runs the action's steps."""
    import shlex

    workflow = yaml.safe_load((Path(__file__).parents[1] / ".github/workflows/portcli.yml").read_text(encoding="utf-8"))
    lines = [line for step in workflow["jobs"]["report"]["steps"] for line in step.get("run", "").splitlines()]
    commands = [shlex.split(line) for line in lines if "portcli " in line]
    assert [c[c.index("portcli") + 1] for c in commands] == ["report", "export"]
    monkeypatch.chdir(measures_dir.parent)  # the checkout: measures/ found from the working folder
    for command in commands:
        args = command[command.index("portcli") + 1:]
        result = run(*args, f"--as-of={AS_OF}")  # the workflow uses today; the test pins it
        assert result.exit_code == 0, (args, result.stderr)
    assert (measures_dir.parent / "report.html").stat().st_size > 10_000
    assert (measures_dir.parent / "任务分工表.xlsx").read_bytes().startswith(b"PK")


@pytest.mark.parametrize("text, expected", [
    *((f"a{c}b", f"a\\{c}b") for c in "\\`*_[]<>&|~$"),  # each alone in a cell: a backslash before it
    ("a\nb", "a<br>b"), ("a\r\nb", "a<br>b"), ("a\rb", "a<br>b"),
    # a control is shown as its escape (render.printable), whose backslash Markdown then shows as written
    ("a\x1bb", "a\\\\x1bb"), ("a\u202eb", "a\\\\u202eb"), ("a\x85b", "a\\\\x85b"),
    ("措施 14，到期 2022-05-31", "措施 14，到期 2022-05-31"), (14, "14"), (None, ""), ("", ""),
])
def test_a_markdown_cell_escapes_each_character_that_needs_it_even_alone(text, expected):
    """Most cells need nothing escaped and are let through at once; one character that needs it,
    alone in an otherwise plain cell, is still escaped."""
    from portcli.render.markdown import escape

    assert escape(text) == expected
