"""A big report is written by two processes (issue 16, shared_output.py): a forked child renders
the last plans' sections (Markdown, JSON) or the last rows of the table of every measure (HTML)
while portcli writes the first part, then its bytes follow. What portcli prints, on stdout and
stderr, and its exit code must be those of one process writing it all, whatever the child does.

The tree is built to tell the ways apart: five plans of generated measures (deadlines, statuses,
progress, extensions and stale measures as the benchmark makes them), two plans with a due-soon
window of their own, a unit registered by the first plan only and one by the last plan only (so a
unit's report has sections in one half alone, and the JSON object of plans is opened by either
process), broken files in both halves and a measure file outside any plan.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from portcli import child, shared_output
from portcli.render import html, markdown, table
from forks import counted_children

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402  (benchmarks/generate.py: the benchmark's own tree of plans)

AS_OF = "2022-06-15"
PER_PLAN = 14
PLANS = sorted(generate.plan_name(k) for k in range(1, 6))  # in the order portcli reads them: by name


def unit_entry(name: str) -> str:
    return f"  - {{name: {name}, full_name: {name}全称, english: {name} in English, aliases: []}}\n"


@pytest.fixture
def tree(tmp_path, monkeypatch) -> Path:
    root = generate.generate_plans(len(PLANS), PER_PLAN, tmp_path / "measures", seed=11)
    first, second, fourth, last = (root / PLANS[i] for i in (0, 1, 3, 4))
    # units of one plan each: 甲港务局 in the first plan only, 戊港务局 in the last only
    for folder, unit, ids in ((first, "甲港务局", (2, 5)), (last, "戊港务局", (3, 9, 12))):
        (folder / "_plan.yaml").write_text((folder / "_plan.yaml").read_text(encoding="utf-8") + unit_entry(unit),
                                           encoding="utf-8")
        for i in ids:
            path = folder / f"{i:02d}.yaml"
            text = path.read_text(encoding="utf-8")
            path.write_text(re.sub(r"^units: \[", f"units: [{unit}, ", text, count=1, flags=re.M), encoding="utf-8")
    # plans with a due-soon window of their own: each measure's light and list follow its plan's
    for folder, days in ((second, 30), (fourth, 3)):
        text = (folder / "_plan.yaml").read_text(encoding="utf-8")
        (folder / "_plan.yaml").write_text(text.replace("\ntasks:", f"\nlights: {{yellow_days: {days}}}\ntasks:", 1),
                                           encoding="utf-8")
    (first / "90.yaml").write_text("id: [unclosed\n", encoding="utf-8")  # broken, in both halves
    unknown_status = re.sub(r"^status: ", "status: 没有", (last / "01.yaml").read_text(encoding="utf-8"), flags=re.M)
    (last / "91.yaml").write_text(re.sub(r"^id: 1$", "id: 91", unknown_status, flags=re.M), encoding="utf-8")
    (root / "17.yaml").write_text((first / "01.yaml").read_text(encoding="utf-8"), encoding="utf-8")  # outside any plan
    monkeypatch.chdir(tmp_path)
    return root


# the valid measures: the five plans' generated ones (neither the broken files nor the file outside any plan)
MEASURES = len(PLANS) * PER_PLAN


@pytest.fixture
def children(monkeypatch) -> list:
    """Every child started, from 2 measures on, on any machine: what it sent (None when it failed)."""
    return counted_children(monkeypatch, shared_output)


def run_both(run, monkeypatch, children, *argv: str, env: dict | None = None):
    """(what one process prints, what a process and its child print) for the command line."""
    with monkeypatch.context() as alone:
        alone.setattr(shared_output, "SHARED_FROM", 10**9)
        one = run(*argv, "--as-of", AS_OF, env=env)
    before = len(children)
    two = run(*argv, "--as-of", AS_OF, env=env)
    assert len(children) == before + 1, "no child was started"
    return one, two


def same(one, two) -> None:
    assert two.stdout_bytes == one.stdout_bytes
    assert (two.stderr, two.exit_code) == (one.stderr, one.exit_code)


def told(result) -> list[str]:
    """The files the problems on stderr name."""
    return [line.split(":")[0] for line in result.stderr.splitlines()]


PROBLEMS = [str(Path("measures", "17.yaml")), str(Path("measures", PLANS[0], "90.yaml")),
            str(Path("measures", PLANS[4], "91.yaml"))]


@pytest.mark.parametrize("share", [0.8, 0.5, 0.15])  # the child's part: 4, 3 and 1 of the 5 plans
@pytest.mark.parametrize("options", [[], ["--rank"], ["--stale", "3"], ["--since", "2022-05-01"],
                                     ["--unit", "天津海关", "--due-soon", "20"]])
def test_the_markdown_report_is_one_processs(tree, run, monkeypatch, children, share, options):
    monkeypatch.setattr(shared_output, "SECTIONS_SHARE", share)  # with --since or --unit: a child started after the load
    monkeypatch.setattr(shared_output, "MARKDOWN_SENDING_SHARE", share)  # else: one started before it, sending its tally
    one, two = run_both(run, monkeypatch, children, "report", "--format", "markdown", *options)
    same(one, two)
    assert two.exit_code == 2 and told(two) == PROBLEMS and children[-1] is True
    # a section for each plan, once, then the total (worked out from the tree, not the code)
    titles = re.findall(r"^## (.*)$", two.stdout, flags=re.M)
    assert len(titles) == len(PLANS) + 1
    headings = re.findall(r"^### Overdue: (\d+)$", two.stdout, flags=re.M)
    assert len(headings) == len(PLANS) + 1
    assert sum(map(int, headings[:-1])) == int(headings[-1])  # the plans' overdue measures add up to the total's


@pytest.mark.parametrize("share", [0.8, 0.5, 0.15])
@pytest.mark.parametrize("options", [[], ["--rank", "--stale", "30"], ["--since", "2022-05-01"], ["--due-soon", "40"]])
def test_the_json_report_is_one_processs(tree, run, monkeypatch, children, share, options):
    monkeypatch.setattr(shared_output, "SECTIONS_SHARE", share)  # with --since: a child started after the load
    monkeypatch.setattr(shared_output, "SENDING_SHARE", share)  # else: one started before it, sending its tally
    one, two = run_both(run, monkeypatch, children, "report", "--format", "json", *options)
    same(one, two)
    assert two.exit_code == 2 and told(two) == PROBLEMS
    report = json.loads(two.stdout)
    assert list(report["plans"]) == PLANS
    assert sum(r["total"] for r in report["plans"].values()) == report["total"]["total"] == MEASURES
    assert sorted(report["total"]["overdue"]) == sorted(key for r in report["plans"].values() for key in r["overdue"])


@pytest.mark.parametrize("share, theirs", [(0.7, PLANS[1:]), (0.15, PLANS[4:])])
def test_a_json_reports_child_loads_the_last_plans_itself_and_this_process_only_the_others(
        tree, run, monkeypatch, children, share, theirs):
    """The child is started before this process loads the tree, and loads its own plans: the last ones,
    `share` of the 72 files in plans (14 in each, a broken one in the first and in the last): 0.7 of
    them is 50 files, the last four plans (57 files) nearer than the last three (43); 0.15 is the
    last plan alone. This process loads the others, and adds up the total from the tally the child
    sends. Through a pipe, what it wrote is seen: exactly those plans' members."""
    from portcli import commands, load

    monkeypatch.delattr(os, "memfd_create", raising=False)
    monkeypatch.setattr(shared_output, "SENDING_SHARE", share)
    order = []
    counted_start, load_plans, load_tree = child.start, load.load_plans, commands.load_tree
    monkeypatch.setattr(child, "start", lambda theirs, **kw: (order.append("child started"), counted_start(theirs, **kw))[1])
    monkeypatch.setattr(load, "load_plans", lambda folder, names, **kw: (order.append(names), load_plans(folder, names, **kw))[1])
    monkeypatch.setattr(commands, "load_tree", lambda *args, **kw: (order.append("tree loaded"), load_tree(*args, **kw))[1])
    one, two = run_both(run, monkeypatch, children, "report", "--format", "json")
    same(one, two)
    mine = [name for name in PLANS if name not in theirs]
    # the child (forked: its load is not seen here) is started first; this process then loads its own
    # plans, and nothing else (one process alone loaded the tree before)
    assert order == ["tree loaded", "child started", mine]
    sent = children[-1].decode("utf-8")
    assert list(json.loads("{" + sent + "}")) == theirs
    report = json.loads(two.stdout)
    assert list(report["plans"]) == PLANS and sent in two.stdout
    for name in theirs:  # a plan's section is its own: its measures, counted in the total too
        assert report["plans"][name]["total"] == PER_PLAN


@pytest.mark.parametrize("share, theirs", [(0.7, PLANS[1:]), (0.15, PLANS[4:])])
def test_an_html_reports_child_loads_the_last_plans_itself_and_writes_their_rows(
        tree, run, monkeypatch, children, share, theirs):
    """As in JSON, the HTML report's child is started before the load and loads the last plans itself;
    it sends their tally and charts, then writes their rows of the table of every measure. Through a
    pipe its part is seen: exactly those plans' measures' rows, each once, in order, and the table's
    end; this process loads only its own plans, and writes the page above the table and the rows of
    its own plans before the child's."""
    from portcli import commands, load

    monkeypatch.delattr(os, "memfd_create", raising=False)
    monkeypatch.setattr(shared_output, "HTML_SENDING_SHARE", share)
    order = []
    counted_start, load_plans, load_tree = child.start, load.load_plans, commands.load_tree
    monkeypatch.setattr(child, "start", lambda theirs, **kw: (order.append("child started"), counted_start(theirs, **kw))[1])
    monkeypatch.setattr(load, "load_plans", lambda folder, names, **kw: (order.append(names), load_plans(folder, names, **kw))[1])
    monkeypatch.setattr(commands, "load_tree", lambda *args, **kw: (order.append("tree loaded"), load_tree(*args, **kw))[1])
    one, two = run_both(run, monkeypatch, children, "report", "--format", "html")
    same(one, two)
    mine = [name for name in PLANS if name not in theirs]
    assert order == ["tree loaded", "child started", mine]
    sent = children[-1].decode("utf-8")
    ids = re.findall(r'<td class="num" data-label="ID">([^<]*)</td>', sent)
    assert ids == [f"{plan}:{i}" for plan in theirs for i in range(1, PER_PLAN + 1)]
    assert "<table" not in sent and sent.endswith("</tbody></table>") and "<h2" not in sent
    table = two.stdout.split('<h2 id="measures">', 1)[1]
    assert table.index(sent) > table.index(f'data-label="ID">{mine[-1]}:{PER_PLAN}</td>')  # after this process's rows


@pytest.mark.parametrize("format, heading", [("markdown", r"^as of 2022-06-15$"), ("table", r"^\S.*  as of 2022-06-15$")])
@pytest.mark.parametrize("share, theirs", [(0.7, 4), (0.15, 1)])
def test_a_markdown_or_terminal_reports_child_too_writes_the_last_plans_sections_from_its_own_load(
        tree, run, monkeypatch, children, format, heading, share, theirs):
    """As in JSON: through a pipe, the child's part is seen to be the last `theirs` plans' sections,
    then this process's first ones and the total. This process loads only its own plans and adds up
    the total from the child's tally (in Markdown, with the rows of its lists the child renders). Each
    format has a share of its own: the others' are set to another split, which would load other plans."""
    from portcli import commands, load

    monkeypatch.delattr(os, "memfd_create", raising=False)
    own = {"table": "TERMINAL_SENDING_SHARE", "markdown": "MARKDOWN_SENDING_SHARE"}[format]
    for name in ("TERMINAL_SENDING_SHARE", "MARKDOWN_SENDING_SHARE", "SENDING_SHARE", "AHEAD_SHARE",
                 "TERMINAL_AHEAD_SHARE"):
        monkeypatch.setattr(shared_output, name, share if name == own else 1 - share)
    order = []
    counted_start, load_tree, load_plans = child.start, commands.load_tree, load.load_plans
    monkeypatch.setattr(child, "start", lambda theirs, **kw: (order.append("child started"), counted_start(theirs, **kw))[1])
    monkeypatch.setattr(commands, "load_tree", lambda *args, **kw: (order.append("tree loaded"), load_tree(*args, **kw))[1])
    monkeypatch.setattr(load, "load_plans", lambda folder, names, **kw: (order.append(names), load_plans(folder, names, **kw))[1])
    one, two = run_both(run, monkeypatch, children, "report", "--format", format)
    same(one, two)
    assert order[-2:] == ["child started", PLANS[:len(PLANS) - theirs]]
    sent = children[-1].decode("utf-8")
    headings = re.compile(heading, flags=re.M)
    assert len(headings.findall(sent)) == theirs
    assert len(headings.findall(two.stdout)) == len(PLANS) + 1  # every plan's section, then the total
    at = two.stdout.index(sent)
    assert len(headings.findall(two.stdout[:at])) == len(PLANS) - theirs  # this process's sections come first


@pytest.mark.parametrize("unit, plans", [
    ("甲港务局", [PLANS[0]]),   # sections in this process's half only: the child writes no member
    ("戊港务局", [PLANS[4]]),   # in the child's half only: its first member opens the object
    ("天津海关", PLANS),        # in both
])
@pytest.mark.parametrize("share", [0.8, 0.5, 0.15])
def test_a_units_report_has_its_plans_in_either_half(tree, run, monkeypatch, children, unit, plans, share):
    monkeypatch.setattr(shared_output, "SECTIONS_SHARE", share)
    for format in ("json", "markdown"):
        one, two = run_both(run, monkeypatch, children, "report", "--unit", unit, "--format", format)
        same(one, two)
        if format == "json":
            report = json.loads(two.stdout)
            assert list(report["plans"]) == plans and report["total"]["unit"] == unit
        else:
            assert len(re.findall(r"^## ", two.stdout, flags=re.M)) == len(plans) + 1


def test_the_plans_object_is_empty_when_no_plan_has_a_section(tree, run, monkeypatch, children):
    """A unit every plan registers that no measure names: no section in either half, "plans": {}
    (a report of no measures is shared only when the threshold is none at all)."""
    monkeypatch.setattr(shared_output, "SHARED_FROM", 0)
    for name in PLANS:
        plan = tree / name / "_plan.yaml"
        plan.write_text(plan.read_text(encoding="utf-8") + unit_entry("无措施局"), encoding="utf-8")
    one, two = run_both(run, monkeypatch, children, "report", "--unit", "无措施局", "--format", "json")
    same(one, two)
    assert '"plans": {},' in two.stdout and json.loads(two.stdout)["plans"] == {}


@pytest.mark.parametrize("share", [0.8, 0.5, 0.15])
@pytest.mark.parametrize("options", [[], ["--rank", "--stale", "3"], ["--since", "2022-05-01"],
                                     ["--unit", "戊港务局"], ["--unit", "天津海关", "--due-soon", "20"]])
@pytest.mark.parametrize("env", [{}, {"COLUMNS": "90", "NO_COLOR": None, "FORCE_COLOR": "1", "TERM": "xterm-256color"}])
def test_the_terminal_report_is_one_processs(tree, run, monkeypatch, children, share, options, env):
    """Drawn on rich's console: the child draws on it bound to its channel, as wide, in the same colours
    and as much a terminal as the output (FORCE_COLOR makes rich take the captured output for one)."""
    monkeypatch.setattr(shared_output, "TERMINAL_SHARE", share)  # --unit, --since: a child started after the load
    monkeypatch.setattr(shared_output, "TERMINAL_SENDING_SHARE", share)  # else: one started before it, sending its tally
    one, two = run_both(run, monkeypatch, children, "report", *options, env=env)
    same(one, two)
    assert two.exit_code == 2 and told(two) == PROBLEMS
    assert ("\x1b[" in two.stdout) == bool(env)
    sections = 1 if options[:2] == ["--unit", "戊港务局"] else len(PLANS)
    assert len(re.findall(r"^(?:\x1b\[\d+m)?Per unit(?!:)", two.stdout, flags=re.M)) == sections + 1


@pytest.mark.parametrize("options", [[], ["--unit", "天津海关"], ["--rank", "--stale", "5"], ["--since", "2022-05-01"],
                                     ["--due-soon", "40"], ["--due-soon", "90"]])  # 90: the child's plans have some due soon
@pytest.mark.parametrize("rows", [4, 7, 500])  # 500: the table of 70 measures is one piece, written here
def test_the_html_report_is_one_processs(tree, run, monkeypatch, children, options, rows):
    monkeypatch.setattr(html, "ROWS_A_PIECE", rows)
    one, two = run_both(run, monkeypatch, children, "report", "--format", "html", *options)
    same(one, two)
    assert two.exit_code == 2 and told(two) == PROBLEMS
    table = two.stdout.split('<h2 id="measures">', 1)[1]
    assert table.count("<table") == 1 and table.count("</table>") == 1 and table.endswith("</html>\n")
    ids = re.findall(r'<td class="num" data-label="ID">([^<]*)</td>', table)
    expected = MEASURES if not options[:1] == ["--unit"] else len(ids)
    assert len(ids) == len(set(ids)) == expected  # every measure once
    assert ids == sorted(ids, key=lambda label: (label.rpartition(":")[0], int(label.rpartition(":")[2])))


def test_the_html_table_is_split_where_a_piece_of_it_starts(tree, monkeypatch):
    """The child's rows start a piece of the table, so both parts come in the very pieces of the whole;
    a split one row off is not (the pieces tell it, though the bytes joined would not)."""
    from portcli import query
    from portcli.load import load_tree
    from portcli.values import date

    monkeypatch.setattr(html, "ROWS_A_PIECE", 4)
    loaded = load_tree(str(tree))
    r = query.report(loaded.measures, loaded.plans, date(2022, 6, 15))
    whole = list(html.all_measures(r, loaded.plans))
    start = shared_output.html_split(r)
    assert 0 < start < len(r.measures) and start % 4 == 0
    assert list(html.all_measures(r, loaded.plans, 0, start)) + list(html.all_measures(r, loaded.plans, start)) == whole
    off = list(html.all_measures(r, loaded.plans, 0, start + 1)) + list(html.all_measures(r, loaded.plans, start + 1))
    assert "".join(off) == "".join(whole) and off != whole
    assert whole[0].startswith("<table") and whole[-1].endswith("</tbody></table>")
    assert all(piece.count("</td></tr>") == 4 for piece in whole[:-1])  # rows, the header aside


def test_the_split_between_plans_follows_the_share(tree, children):
    from portcli.load import load_tree

    measures = load_tree(str(tree)).measures
    # 14 measures a plan: this process keeps plans while it holds less than its part, a plan across
    # the line going where most of it lies; each side keeps one plan at least
    assert shared_output.plan_halves(PLANS, measures, 0.8) == (PLANS[:1], PLANS[1:])     # 14 of 70 here
    assert shared_output.plan_halves(PLANS, measures, 0.5) == (PLANS[:2], PLANS[2:])     # 35: 28, not 42
    assert shared_output.plan_halves(PLANS, measures, 0.15) == (PLANS[:4], PLANS[4:])    # 59.5: 56
    assert shared_output.plan_halves(PLANS, measures, 0.99) == (PLANS[:1], PLANS[1:])
    assert shared_output.plan_halves(PLANS, measures, 0.0) == (PLANS[:4], PLANS[4:])
    assert shared_output.plan_halves(PLANS[:1], measures, 0.5) is None  # one plan: nothing to share
    # 21.875 here (a share of 11/16, exact in binary): 14 + 7 < 21.875, so the second plan stays here too
    assert shared_output.plan_halves(PLANS, measures, 0.6875) == (PLANS[:2], PLANS[2:])
    two = [m for m in measures if m.plan in PLANS[:2]]  # two plans are shared, one each
    assert shared_output.plan_halves(PLANS[:2], two, 0.5) == (PLANS[:1], PLANS[1:2])


def test_the_step_summary_and_an_output_file_are_one_processs_too(tree, run, monkeypatch, children, tmp_path):
    outputs = {}
    for label, threshold in (("one", 10**9), ("two", 2)):
        monkeypatch.setattr(shared_output, "SHARED_FROM", threshold)
        summary, written = tmp_path / f"summary-{label}.md", tmp_path / f"report-{label}.json"
        result = run("report", "--as-of", AS_OF, "--output", str(written), env={"GITHUB_STEP_SUMMARY": str(summary)})
        outputs[label] = (result.stdout, result.stderr, result.exit_code, summary.read_bytes(), written.read_bytes())
    assert outputs["two"] == outputs["one"]
    assert json.loads(outputs["two"][4])["total"]["total"] == MEASURES
    assert outputs["two"][3].count(b"\n## ") == len(PLANS)  # the summary: each plan's section and the total
    assert len(children) == 1  # the report to the file; the summary is written by one process


def _dying_in_the_child(real, how: str):
    """`real`, but in a forked child it writes a little of what it was to write, then fails `how`."""
    parent = os.getpid()

    def fail() -> None:
        if how == "dies":
            os.kill(os.getpid(), signal.SIGKILL)
        if how == "exits":
            os._exit(3)
        raise RuntimeError("the child's renderer failed")

    def pieces(*args, **kwargs):  # html.measure_rows gives its pieces
        yield from real(*args, **kwargs)
        yield "<p>half-written</p>" * 1000
        fail()

    def renderer(*args, **kwargs):
        if os.getpid() == parent:
            return real(*args, **kwargs)
        out = next((a for a in args if hasattr(a, "write")), None) or next(
            (a.file for a in args if hasattr(a, "file") and hasattr(a, "print")), None)  # a rich Console's
        if out is None:
            return pieces(*args, **kwargs)
        real(*args, **kwargs)
        out.write("## a half-written section\n" * 1000)
        out.flush()
        fail()

    return renderer


@pytest.mark.parametrize("how", ["raises", "dies", "exits"])
def test_a_failing_child_changes_nothing_but_the_time(tree, run, monkeypatch, children, how):
    from portcli.render import json as json_render

    monkeypatch.setattr(markdown, "report", _dying_in_the_child(markdown.report, how))
    monkeypatch.setattr(json_render, "plan_members", _dying_in_the_child(json_render.plan_members, how))
    monkeypatch.setattr(html, "measure_rows", _dying_in_the_child(html.measure_rows, how))
    monkeypatch.setattr(table, "report", _dying_in_the_child(table.report, how))
    monkeypatch.setattr(html, "ROWS_A_PIECE", 4)
    for format in ("markdown", "json", "html", "table"):
        for options in ([], ["--unit", "戊港务局"]):
            one, two = run_both(run, monkeypatch, children, "report", "--format", format, *options)
            same(one, two)
            assert children[-1] is None  # the child failed; this process wrote its part
            assert "half-written" not in two.stdout


@pytest.mark.parametrize("format", ["json", "markdown"])
def test_a_child_started_before_the_load_is_stopped_when_this_process_fails_first(tree, run, monkeypatch, children,
                                                                                   tmp_path, format):
    """The output is opened after the load: when it cannot be, portcli says so as one process does, and the
    child started ahead (still writing, or done and not yet taken) is not left behind."""
    from forks import no_child_left

    started = []
    counted_start = child.start
    monkeypatch.setattr(child, "start", lambda theirs, **kw: started.append(counted_start(theirs, **kw)) or started[-1])
    nowhere = str(tmp_path / "no such folder" / "report.out")
    with monkeypatch.context() as alone:
        alone.setattr(shared_output, "SHARED_FROM", 10**9)
        one = run("report", "--format", format, "--output", nowhere, "--as-of", AS_OF)
    assert started == []
    two = run("report", "--format", format, "--output", nowhere, "--as-of", AS_OF)
    assert len(started) == 1 and started[0] is not None  # a child was started, before the load
    assert (two.exit_code, two.stderr, two.stdout) == (one.exit_code, one.stderr, one.stdout)
    assert two.exit_code == 2 and "cannot write" in two.stderr
    assert children == []  # its part never taken
    assert no_child_left()


def test_a_fork_that_fails_leaves_the_whole_report_to_this_process(tree, run, monkeypatch, children):
    def no_more_processes():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_more_processes)
    for format in ("markdown", "json", "html", "table"):
        one, two = run_both(run, monkeypatch, children, "report", "--format", format)
        same(one, two)
        assert children[-1] is None


def test_a_child_with_more_to_send_than_a_pipe_holds_sends_it_all(tmp_path, run, monkeypatch, children):
    """Without a file in memory (os.memfd_create: Linux) the child sends through a pipe, which holds
    64 KB: its part is read as it writes it, and held until the child has ended well."""
    monkeypatch.delattr(os, "memfd_create", raising=False)
    root = generate.generate_plans(3, 200, tmp_path / "measures", seed=5)
    for format in ("markdown", "json", "html", "table"):
        one, two = run_both(run, monkeypatch, children, "report", "--format", format, "--dir", str(root))
        same(one, two)
        sent = children[-1]  # the child's part, as it came through the pipe
        assert type(sent) is bytes and len(sent) > 64 * 1024 and sent in two.stdout_bytes


def test_a_small_report_a_table_and_one_cpu_start_no_child(tree, run, monkeypatch, children):
    # A child that starts before the files are read counts them, the two broken ones too
    monkeypatch.setattr(shared_output, "SHARED_FROM", MEASURES + 3)
    for format in ("markdown", "json", "table", "html"):
        assert run("report", "--format", format, "--as-of", AS_OF).exit_code == 2
    # one that starts after the load counts the valid measures the report covers
    monkeypatch.setattr(shared_output, "SHARED_FROM", MEASURES + 1)
    for format in ("markdown", "json", "table", "html"):
        assert run("report", "--format", format, "--since", "2022-05-01", "--as-of", AS_OF).exit_code == 2
    monkeypatch.setattr(shared_output, "SHARED_FROM", MEASURES)
    # a unit's report covers the unit's measures: too few of them
    assert run("report", "--format", "json", "--unit", "戊港务局", "--as-of", AS_OF).exit_code == 2
    for format in ("github", "gitlab"):  # the total alone: written by one process
        run("report", "--format", format, "--as-of", AS_OF)
    monkeypatch.setattr(child, "cpus", lambda: 1)
    run("report", "--format", "json", "--as-of", AS_OF)
    assert children == []
    monkeypatch.setattr(child, "cpus", lambda: 2)
    run("report", "--format", "json", "--as-of", AS_OF)
    assert len(children) == 1


def test_one_plan_shares_its_html_table_and_has_no_sections_to_share(tmp_path, run, monkeypatch, children):
    root = generate.generate(60, tmp_path / "measures", seed=4)
    monkeypatch.setattr(html, "ROWS_A_PIECE", 4)
    one, two = run_both(run, monkeypatch, children, "report", "--format", "html", "--dir", str(root))
    same(one, two)
    assert one.exit_code == 0 and two.stdout.count('data-label="ID">') >= 60
    for format in ("markdown", "json"):
        run("report", "--format", format, "--dir", str(root), "--as-of", AS_OF)
    assert len(children) == 1


def test_a_real_report_prints_the_same_on_one_cpu_and_on_two(tmp_path):
    """portcli as a process, on a tree above SHARED_FROM: on one CPU no child is started."""
    if not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs two CPUs and sched_setaffinity")
    root = generate.generate_plans(4, shared_output.SHARED_FROM // 4 + 10, tmp_path / "measures", seed=3)
    (root / generate.plan_name(4) / "9999.yaml").write_text("id: [\n", encoding="utf-8")
    env = {**os.environ, "PORTCLI_CACHE_DIR": str(tmp_path / "cache"), "PORTCLI_LANG": "zh"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    cpus = os.sched_getaffinity(0)

    def portcli(*argv: str, one_cpu: bool) -> subprocess.CompletedProcess:
        first = min(cpus)
        return subprocess.run([sys.executable, "-m", "portcli", "report", *argv, "--dir", str(root),
                               "--as-of", "2022-06-15"], capture_output=True, env=env, timeout=300,
                              preexec_fn=(lambda: os.sched_setaffinity(0, {first})) if one_cpu else None)

    portcli(one_cpu=True)  # the cache written
    for argv in (["--format", "markdown"], ["--format", "json", "--rank"], ["--format", "html"],
                 ["--format", "markdown", "--stale", "30", "--since", "2022-05-01"]):
        one, two = portcli(*argv, one_cpu=True), portcli(*argv, one_cpu=False)
        assert (two.stdout, two.stderr, two.returncode) == (one.stdout, one.stderr, one.returncode)
        assert one.returncode == 2 and len(one.stdout) > 1_000_000 and b"9999.yaml" in one.stderr


def _on_a_terminal(argv: list[str], env: dict, one_cpu: bool, columns: int = 100) -> tuple[bytes, int]:
    """What portcli draws on a real pseudo-terminal of `columns` columns, and its exit code."""
    import fcntl
    import pty
    import struct
    import termios

    pid, descriptor = pty.fork()
    if pid == 0:  # the child: the terminal's size, then portcli
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
            if one_cpu:
                os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
            os.execve(sys.executable, [sys.executable, "-c", LOWERED, *argv], env)
        finally:
            os._exit(127)
    drawn = []
    while True:
        try:
            data = os.read(descriptor, 1 << 16)
        except OSError:  # EIO: the terminal's other side is closed
            break
        if not data:
            break
        drawn.append(data)
    os.close(descriptor)
    return b"".join(drawn), os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


# portcli's own entry point, with a threshold low enough for a small tree; each child started is
# told in the file $STARTED names
LOWERED = """import os, sys
from portcli import child, shared_output
shared_output.SHARED_FROM = 2
real = child.start
def told(*args, **kwargs):
    with open(os.environ["STARTED"], "a") as log:
        log.write("a child\\n")
    return real(*args, **kwargs)
child.start = told
from portcli.entry import main
sys.argv[0] = "portcli"
main()
"""


@pytest.mark.parametrize("options", [[], ["--unit", "天津海关", "--rank"], ["--since", "2022-05-01", "--stale", "3"]])
def test_the_terminal_report_on_a_real_terminal_is_one_processs(tree, tmp_path, options):
    """On a pseudo-terminal rich draws in colour, as wide as the terminal: on one CPU no child is
    started, on two the child draws the last plans' sections; the bytes are the same."""
    if not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs two CPUs and sched_setaffinity")
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR",
                                                                          "TTY_COMPATIBLE", "GITHUB_STEP_SUMMARY")}
    started = tmp_path / "started"
    env.update({"TERM": "xterm-256color", "PORTCLI_CACHE_DIR": str(tmp_path / "cache"), "PORTCLI_LANG": "zh",
                "STARTED": str(started)})
    argv = ["report", "--dir", str(tree), "--as-of", AS_OF, *options]
    _on_a_terminal(argv, env, one_cpu=True)  # the cache written
    one = _on_a_terminal(argv, env, one_cpu=True)
    assert not started.exists()  # child.start is asked only where a child can be had
    two = _on_a_terminal(argv, env, one_cpu=False)
    assert two == one
    assert started.read_text() == "a child\n"
    drawn, code = two
    # in colour; a section for each plan (天津海关 has measures in every one), then the total
    assert code == 2 and b"\x1b[1m" in drawn and drawn.count("截至 2022-06-15".encode()) == len(PLANS) + 1


@pytest.mark.parametrize("format", ["table", "markdown", "json", "html"])
def test_the_exit_code_and_the_step_outputs_count_the_total_this_process_worked_out(tmp_path, run, monkeypatch,
                                                                                   children, format):
    """--fail-on and $GITHUB_OUTPUT count the total, which this process works out while the child writes."""
    root = generate.generate_plans(3, 20, tmp_path / "measures", seed=8)  # no problem: the exit code is --fail-on's
    outputs = {}
    for label in ("one", "two"):
        github = tmp_path / f"github-output-{label}"
        argv = ["report", "--format", format, "--dir", str(root), "--fail-on", "overdue"]
        with monkeypatch.context() as alone:
            if label == "one":
                alone.setattr(shared_output, "SHARED_FROM", 10**9)
            result = run(*argv, "--as-of", AS_OF, env={"GITHUB_OUTPUT": str(github)})
        outputs[label] = (result.stdout_bytes, result.stderr, result.exit_code, github.read_text())
    assert outputs["two"] == outputs["one"] and len(children) == 1
    overdue = int(re.search(r"^overdue=(\d+)$", outputs["two"][3], flags=re.M).group(1))
    assert overdue > 0 and outputs["two"][2] == 1


# --- the output's own encoding (issue 16's mutation run: docs/RELIABILITY.md) ---------------------

def run_encoded(monkeypatch, charset: str, *args: str):
    """`run`, its stdout a stream encoding as `charset` does (a GB18030 console or redirect: a Chinese
    Windows, LANG=zh_CN.GB18030)."""
    from click.testing import CliRunner

    from portcli.cli import command_for, complete_args, speak_for

    for name in ("PORTCLI_DIR", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"):
        monkeypatch.delenv(name, raising=False)
    argv = complete_args([*args, "--as-of", AS_OF])
    env = {"COLUMNS": "200", "NO_COLOR": "1", "PORTCLI_LANG": "en"}
    with monkeypatch.context() as m:
        for name, value in env.items():
            m.setenv(name, value)
        speak_for(argv)
    return CliRunner(charset=charset).invoke(command_for(argv), argv, env=env)


@pytest.mark.parametrize("format", ["json", "markdown", "html", "table"])
def test_a_report_to_a_gb18030_output_is_encoded_as_one_process_encodes_it(tree, monkeypatch, children, format):
    """The child's part, and the total this process writes into its spool meanwhile, are encoded as
    the output encodes, not in UTF-8: the bytes are one process's, GB18030 throughout."""
    with monkeypatch.context() as alone:
        alone.setattr(shared_output, "SHARED_FROM", 10**9)
        one = run_encoded(monkeypatch, "gb18030", "report", "--format", format)
    two = run_encoded(monkeypatch, "gb18030", "report", "--format", format)
    assert len(children) == 1 and children[-1] is True
    assert two.stdout_bytes == one.stdout_bytes and (two.exit_code, two.stderr) == (one.exit_code, one.stderr)
    # every plan's section names 天津海关 (its measures are in every plan): in GB18030, never in UTF-8
    assert two.stdout_bytes.count("天津海关".encode("gb18030")) >= len(PLANS) + 1
    assert "天津海关".encode("utf-8") not in two.stdout_bytes
    two.stdout_bytes.decode("gb18030")  # the whole output reads back


@pytest.mark.parametrize("channel", ["memfd", "pipe"])
@pytest.mark.parametrize("format, options", [("html", ["--since", "2022-05-01"]), ("json", ["--unit", "天津海关"]),
                                             ("markdown", ["--since", "2022-05-01"]), ("table", ["--unit", "天津海关"])])
def test_a_child_started_after_the_load_encodes_as_the_output_does(tree, monkeypatch, children, channel, format, options):
    """The reports whose child is started after the load (--unit or --since, where no child is started
    ahead: in HTML it writes the table's last rows) hand it the output's encoding themselves
    (shared_output.in_two): into a GB18030 stdout its part is GB18030 too, the bytes one process writes."""
    if channel == "pipe":  # what the child sent is seen: its own part, in Chinese
        monkeypatch.delattr(os, "memfd_create", raising=False)
    monkeypatch.setattr(html, "ROWS_A_PIECE", 4)  # HTML: the child writes the table's last rows (html_split)
    with monkeypatch.context() as alone:
        alone.setattr(shared_output, "SHARED_FROM", 10**9)
        one = run_encoded(monkeypatch, "gb18030", "report", "--format", format, *options)
    two = run_encoded(monkeypatch, "gb18030", "report", "--format", format, *options)
    assert len(children) == 1 and children[-1] is not None
    assert two.stdout_bytes == one.stdout_bytes and (two.exit_code, two.stderr) == (one.exit_code, one.stderr)
    assert "天津海关".encode("utf-8") not in two.stdout_bytes
    two.stdout_bytes.decode("gb18030")
    if channel == "pipe":
        sent = children[-1]
        assert max(sent) > 0x7F and sent in two.stdout_bytes  # not ASCII alone, and as it was sent
        sent.decode("gb18030")


@pytest.mark.parametrize("channel", ["memfd", "pipe"])
def test_a_text_only_output_gets_the_childs_text_after_its_own(children, monkeypatch, channel):
    """An output of text alone (io.StringIO: portcli called under contextlib.redirect_stdout) takes
    the child's bytes decoded, a character split by a read of 1 MiB whole; the joint between, once;
    through a file in memory or, without one, a pipe."""
    import io

    if channel == "pipe":
        monkeypatch.delattr(os, "memfd_create", raising=False)

    text = "乙" * (1 << 19)  # 1.5 MiB in UTF-8: 1 MiB ends inside a character
    out = io.StringIO()
    out.write("开头|")
    gave, more = shared_output.in_two(out, lambda o: o.write("甲") and 7, lambda o: o.write(text), lambda g: f"<{g}>")
    # what the child sent: copied from the file in memory (True), or the bytes that came through the pipe
    sent = True if channel == "memfd" else text.encode("utf-8")
    assert (gave, more) == (7, True) and children == [sent]
    assert out.getvalue() == "开头|甲<7>" + text
    # a child that writes nothing: no joint, nothing after this process's part
    out = io.StringIO()
    assert shared_output.in_two(out, lambda o: o.write("甲") and 7, lambda o: None, lambda g: "<joint>") == (7, False)
    assert out.getvalue() == "甲" and children == [sent, True if channel == "memfd" else b""]


def test_the_spool_writes_as_the_output_would(tmp_path):
    """What waits in the spool (the total) reaches the output as the output itself would have
    written it: in its encoding and with its way of handling what it cannot encode; into a stream of
    text alone, as text."""
    import io

    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii", errors="backslashreplace")  # PYTHONIOENCODING=ascii:backslashreplace
    spool = shared_output.Spool(out)
    spool.text.write("总计 ok\n")
    out.write("前 ")
    spool.copy_to(out)
    out.flush()
    assert raw.getvalue() == b"\\u524d \\u603b\\u8ba1 ok\n" and spool.text.closed
    text = io.StringIO()
    spool = shared_output.Spool(text)
    spool.text.write("总计" * 1000)
    text.write("前")
    spool.copy_to(text)
    assert text.getvalue() == "前" + "总计" * 1000


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("format", ["json", "markdown", "table"])
def test_a_full_output_file_is_told_as_one_process_tells_it(tree, run, monkeypatch, children, format):
    """--output /dev/full: the open and the buffered writes succeed, the last flush fails (ENOSPC).
    One line and exit 2, as when one process writes it all; no traceback."""
    # 戊港务局 is in the last plan only: this process writes no section, the child writes that plan's
    one, two = run_both(run, monkeypatch, children, "report", "--format", format, "--unit", "戊港务局",
                        "--output", "/dev/full")
    same(one, two)
    assert (two.exit_code, two.stderr) == (2, "portcli: cannot write /dev/full: No space left on device\n")
    assert two.stdout == ""


def test_an_output_that_fails_while_the_childs_part_is_copied_raises_its_own_error(children):
    """The copy of the child's part into an output that fails (a full disk) raises the output's own
    OSError, which portcli tells as one line (as the test above); the child's part is not then
    rendered again here, into an output that cannot take it."""
    import errno
    import io

    class Full(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    rendered_here = []
    parent = os.getpid()

    def theirs(out) -> None:
        if os.getpid() == parent:
            rendered_here.append(True)
        out.write("乙" * (1 << 16))  # more than the output's buffer: written through at once

    out = io.TextIOWrapper(io.BufferedWriter(Full()), encoding="utf-8")
    with pytest.raises(OSError) as raised:
        shared_output.in_two(out, lambda o: None, theirs)
    assert raised.value.errno == errno.ENOSPC and children == [True] and rendered_here == []


@pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="a pipe's bytes are held until the child has ended well")
def test_the_childs_part_is_copied_a_piece_at_a_time_not_held_whole(children):
    """From a file in memory the child's part goes to the output in reads of 1 MiB: 16 MiB of it
    (the JSON of some 60,000 measures) are never held here as one bytes object."""
    import io
    import tracemalloc

    class Sink(io.RawIOBase):
        count = 0

        def writable(self) -> bool:
            return True

        def write(self, data) -> int:
            self.count += len(data)
            return len(data)

    sink = Sink()
    out = io.TextIOWrapper(io.BufferedWriter(sink), encoding="utf-8")
    size = 16 << 20
    tracemalloc.start()
    try:
        done = shared_output.in_two(out, lambda o: None, lambda o: o.write("x" * size))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    out.flush()
    assert done == (None, True) and children == [True] and sink.count == size
    assert peak < size // 2  # a read (1 MiB) and its copy, about 2 MiB: never the 16 MiB at once


# --- the total added up from two processes' tallies (JSON and the terminal, a child started ahead) ---

@pytest.fixture(scope="module")
def several(tmp_path_factory):
    """Four plans of 60 generated measures: overdue, due-soon, stale and extended ones in each, units
    led and co-operated on, and ids in every plan (a plan's lists interleave with another's by date)."""
    from portcli.load import load_tree

    root = generate.generate_plans(4, 60, tmp_path_factory.mktemp("tally") / "measures", seed=3)
    loaded = load_tree(root)
    assert not loaded.problems and len(loaded.measures) == 240
    return loaded


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(at=st.integers(0, 240), day=st.integers(0, 700), days=st.none() | st.integers(0, 90),
       stale_days=st.integers(0, 90), rank=st.booleans())
def test_two_tallies_add_up_to_the_report_of_all_their_measures(several, at, day, days, stale_days, rank):
    """The measures of a tree in plan order, cut anywhere (at a plan's edge, as the two processes cut
    it, or inside one): the report made from the sum of the two parts' tallies is query.report of all
    of them, field for field, each list the very measures in the same order; only the measures
    themselves are not in it (the child keeps its own)."""
    from datetime import date, timedelta

    from portcli import query

    as_of = date(2022, 1, 1) + timedelta(days=day)
    ms, plans = several.measures, several.plans
    known = query.facts(ms, plans, as_of, days, stale_days)
    whole = query.report(ms, plans, as_of, days, None, stale_days, rank, known)
    added = query.tallied(query.tally(ms[:at], known[:at]) + query.tally(ms[at:], known[at:]), plans, as_of, days,
                          None, stale_days, rank)
    assert added.measures == [] and added.total == len(ms)
    added.measures = whole.measures
    assert added == whole
    for name in ("overdue", "due_soon", "stale", "extended"):  # the same objects, not equal copies
        assert all(a is b for a, b in zip(getattr(added, name), getattr(whole, name)))


def test_a_tally_sent_keeps_its_lists_first_measures_whole_and_the_rest_as_briefs(several):
    """What the child sends of its tally, through pickle as it goes: each list's measures in order with
    their plan, id, due date and units (lead first); the first `whole` of the overdue and due-soon lists
    the measures themselves, every other one a Brief, one object for a measure in several lists."""
    import pickle
    from datetime import date

    from portcli import query

    as_of = date(2022, 6, 30)  # 105 overdue, 24 due soon
    ms, plans = several.measures, several.plans
    counted = query.tally(ms, query.facts(ms, plans, as_of))
    assert len(counted.late) > 5 and len(counted.soon) > 3 and counted.silent and counted.extended
    back = shared_output.received_tally(pickle.loads(pickle.dumps(shared_output.sent_tally(counted, 3))))
    assert (back.total, back.by_status, back.counts) == (counted.total, counted.by_status, counted.counts)
    whole = {(m.plan, m.id) for m in (*counted.late[:3], *counted.soon[:3])}  # whole in any list they are in
    assert len(whole) == 6
    for name in ("late", "soon", "silent", "extended"):
        sent, got = getattr(counted, name), getattr(back, name)
        assert [(m.plan, m.id, m.due, m.units, m.lead) for m in got] == [(m.plan, m.id, m.due, m.units, m.lead) for m in sent]
        assert [type(m).__name__ for m in got] == ["Measure" if (m.plan, m.id) in whole else "Brief" for m in sent]
        assert [m for m in got if type(m) is not shared_output.Brief] == [m for m in sent if (m.plan, m.id) in whole]
    both = {(m.plan, m.id) for m in counted.late} & {(m.plan, m.id) for m in counted.silent}
    assert both and len({id(m) for m in back.late} & {id(m) for m in back.silent}) == len(both)


def failing_message(monkeypatch, how: str, which: int, before=lambda: None) -> None:
    """A child whose early message `which` (0: the first; HTML's second is its lists' rows) fails as
    `how` says, after before(); the messages before it are sent as ever."""
    parent = os.getpid()
    real_send = child._Early.send
    sent = []

    def send(self, data: bytes) -> None:
        if os.getpid() != parent:
            sent.append(data)
            if len(sent) == which + 1:
                before()
                if how == "dies":
                    os.kill(os.getpid(), signal.SIGKILL)
                if how == "exits":
                    os._exit(3)
                if how == "raises":
                    raise RuntimeError("the child's message failed")
                data = data[:len(data) // 2] if how == "cut short" else b"not a pickle"
        real_send(self, data)

    monkeypatch.setattr(child._Early, "send", send)


@pytest.mark.parametrize("how", ["raises", "dies", "exits", "cut short", "not a pickle"])
@pytest.mark.parametrize("format", ["json", "table", "html", "markdown"])
def test_a_child_that_sends_nothing_usable_of_its_plans_leaves_them_to_this_process(tree, run, monkeypatch, children,
                                                                                     how, format):
    """The child started ahead sends what the total needs of its plans before it writes their sections.
    When it fails first, or what it sends cannot be read, this process loads those plans itself (once)
    for the total; the output is one process's. A child that sent something unreadable but ended well
    still gives its sections."""
    from portcli import load

    failing_message(monkeypatch, how, 0)
    monkeypatch.setattr(shared_output, "SENDING_SHARE", 0.5)
    monkeypatch.setattr(shared_output, "TERMINAL_SENDING_SHARE", 0.5)
    monkeypatch.setattr(shared_output, "HTML_SENDING_SHARE", 0.5)
    monkeypatch.setattr(shared_output, "MARKDOWN_SENDING_SHARE", 0.5)
    loads = []
    real_load_plans = load.load_plans
    monkeypatch.setattr(load, "load_plans", lambda folder, names, **kw: (loads.append(names), real_load_plans(folder, names, **kw))[1])
    one, two = run_both(run, monkeypatch, children, "report", "--format", format)
    same(one, two)
    # half the 72 files: this process's first two plans (29 files), then the child's three, loaded here
    # once (for the total, and for their sections when the child failed)
    assert loads == [PLANS[:2], PLANS[2:]]
    ended_well = how in ("cut short", "not a pickle")
    assert children[-1] is (True if ended_well else None)


@pytest.mark.parametrize("how", ["raises", "dies", "exits", "cut short", "not a pickle"])
@pytest.mark.parametrize("format", ["html", "markdown"])
def test_a_child_that_fails_after_its_tally_leaves_its_lists_rows_to_this_process(tree, run, monkeypatch,
                                                                                children, how, format):
    """The HTML and Markdown reports' child sends its tally (in HTML, with its charts), then its lists'
    rows in a message of their own. When that second message does not come, or cannot be read, this
    process loads the child's plans (once) and renders those rows itself; the output is one process's.
    A child that sent something unreadable but ended well still gives its part (its rows of HTML's
    table of every measure, its plans' Markdown sections)."""
    from portcli import load

    failing_message(monkeypatch, how, 1)
    monkeypatch.setattr(shared_output, "HTML_SENDING_SHARE", 0.5)
    monkeypatch.setattr(shared_output, "MARKDOWN_SENDING_SHARE", 0.5)
    loads = []
    real_load_plans = load.load_plans
    monkeypatch.setattr(load, "load_plans", lambda folder, names, **kw: (loads.append(names), real_load_plans(folder, names, **kw))[1])
    one, two = run_both(run, monkeypatch, children, "report", "--format", format)
    same(one, two)
    assert loads == [PLANS[:2], PLANS[2:]]
    assert children[-1] is (True if how in ("cut short", "not a pickle") else None)


def listed_rows(output: str, format: str, late: bool) -> dict[str, tuple[str, str, str, str]]:
    """The total's overdue (`late`) or due-soon list, as the report in `format` (html, markdown) shows it:
    each measure's label, and its lead unit, due date, days and measure cells."""
    if format == "html":
        listed = output.split(f'<h2 id="{"overdue" if late else "due-soon"}">', 1)[1].split("</table>", 1)[0]
        return dict((row[0], row[1:]) for row in re.findall(
            r'data-label="ID">([^<]*)</td>.*?data-label="Lead unit">([^<]*)</td>.*?data-label="Due">([^<]*)</td>'
            rf'.*?data-label="{"Days overdue" if late else "Days left"}">([^<]*)</td>'
            r'.*?data-label="Measure">([^<]*)</td>', listed))
    # the total's list is the last one headed so, after every plan's section: its table's rows
    listed = output.rsplit(f"\n### {'Overdue' if late else 'Due soon'}: ", 1)[1].split("\n\n", 2)[1]
    header, align, *rows = listed.splitlines()
    assert header.startswith("| ID | Lead unit | Due | ") and align.startswith("|---:|")
    cells = [row.removeprefix("| ").removesuffix(" |").split(" | ") for row in rows]
    assert all(len(row) == 6 for row in cells)  # no cell of this tree holds " | "
    return {row[0]: tuple(row[1:5]) for row in cells}


@pytest.mark.parametrize("format", ["html", "markdown"])
@pytest.mark.parametrize("change", ["a file removed", "units reordered"])
def test_when_the_childs_plans_change_before_its_lists_rows_come_they_show_what_its_tally_knew(tree, run, monkeypatch,
                                                                                             children, change, format):
    """The child sends its tally, then a measure file of its plans is removed, or has its units put in
    the other order (its lead unit another: its lists still hold the same measures in the same places),
    and the child dies before sending its lists' rows: this process reads its plans again and no longer
    finds what they tallied. It does not guess which row is which: each of the child's measures in the
    lists shows what the tally holds of it (its id, lead unit, due date and days), with no text or
    progress. No traceback."""
    from datetime import date

    from portcli import query
    from portcli.load import load_tree

    as_of = date.fromisoformat(AS_OF)
    late = query.overdue(load_tree(str(tree)).measures, as_of)  # which are overdue is not what is tested here
    theirs = [m for m in late if m.plan in PLANS[2:]]
    mine = [m for m in late if m.plan in PLANS[:2]]
    assert theirs and mine
    if change == "a file removed":
        gone = theirs[0]
        failing_message(monkeypatch, "dies", 1, lambda: os.unlink(gone.file))
    else:
        moved = next(m for m in theirs if len(set(m.units)) > 1)
        text = Path(moved.file).read_text(encoding="utf-8")
        line = f"units: [{', '.join(moved.units)}]\n"
        assert line in text
        reordered = text.replace(line, f"units: [{', '.join(reversed(moved.units))}]\n")
        failing_message(monkeypatch, "dies", 1, lambda: Path(moved.file).write_text(reordered, encoding="utf-8"))
    monkeypatch.setattr(shared_output, "HTML_SENDING_SHARE", 0.5)
    monkeypatch.setattr(shared_output, "MARKDOWN_SENDING_SHARE", 0.5)
    page = run("report", "--format", format, "--as-of", AS_OF, "--due-soon", "90")  # the child's plans have some due soon
    assert page.exit_code == 2 and "Traceback" not in page.stdout + page.stderr and children[-1] is None
    rows = listed_rows(page.stdout, format, late=True)
    assert set(rows) == {f"{m.plan}:{m.id}" for m in late}  # as the child tallied them: the one gone too
    for m in theirs:
        assert rows[f"{m.plan}:{m.id}"] == (m.lead, m.due.isoformat(), str((as_of - m.due).days), "")
    assert all(rows[f"{m.plan}:{m.id}"][3] for m in mine if m.local or m.national)  # this process's: with their text
    # the due-soon list too, each of the child's measures with the days left to its due date
    left = listed_rows(page.stdout, format, late=False)
    by_key = {f"{m.plan}:{m.id}": m for m in load_tree(str(tree)).measures}
    theirs_soon = [key for key in left if key.split(":")[0] in PLANS[2:]]
    assert theirs_soon
    for key in theirs_soon:
        m = by_key[key]
        assert left[key][1:] == (m.due.isoformat(), str((m.due - as_of).days), "") and 0 <= (m.due - as_of).days


@pytest.mark.parametrize("format", ["json", "table", "markdown"])
def test_with_a_step_summary_to_write_this_process_loads_every_plan_and_the_child_only_writes(
        tree, run, monkeypatch, children, tmp_path, format):
    """On GitHub the Markdown step summary is the report of a tree loaded whole: in every format this
    process then loads every plan, and the child started ahead sends nothing early."""
    from portcli import commands

    order = []
    real_start, load_tree = child.start, commands.load_tree
    monkeypatch.setattr(child, "start", lambda theirs, early=False: (order.append(("child", early)), real_start(theirs, early))[1])
    monkeypatch.setattr(commands, "load_tree", lambda *args, **kw: (order.append("tree loaded"), load_tree(*args, **kw))[1])
    summaries = {label: tmp_path / f"summary-{label}.md" for label in ("one", "two")}
    with monkeypatch.context() as alone:
        alone.setattr(shared_output, "SHARED_FROM", 10**9)
        one = run("report", "--format", format, "--as-of", AS_OF, env={"GITHUB_STEP_SUMMARY": str(summaries["one"])})
    two = run("report", "--format", format, "--as-of", AS_OF, env={"GITHUB_STEP_SUMMARY": str(summaries["two"])})
    same(one, two)
    assert summaries["two"].read_bytes() == summaries["one"].read_bytes()
    assert order == ["tree loaded", ("child", False), "tree loaded"] and children[-1] is True


@pytest.mark.parametrize("format", ["table", "json", "html", "markdown"])
def test_the_totals_lists_led_by_the_childs_measures_show_them_whole(tree, run, monkeypatch, children, format):
    """The child sends the first measures of its overdue and due-soon lists whole, the rest as Briefs.
    Here its plans' measures lead both lists of the total (due before any other: an explicit `due:`),
    and the terminal shows 2 of each list: the 2 rows are the child's, drawn whole (what each row says
    of the measure: its text), and the "… N more" lines count the Briefs too. The output is one
    process's, with the first of those rows and its text on it."""
    monkeypatch.setattr(table, "REPORT_LISTING_LIMIT", 2)
    monkeypatch.setattr(shared_output, "SENDING_SHARE", 0.15)  # the child: the last plan alone
    monkeypatch.setattr(shared_output, "TERMINAL_SENDING_SHARE", 0.15)
    monkeypatch.setattr(shared_output, "HTML_SENDING_SHARE", 0.15)
    monkeypatch.setattr(shared_output, "MARKDOWN_SENDING_SHARE", 0.15)
    last = tree / PLANS[4]
    source = (last / "02.yaml").read_text(encoding="utf-8")
    for new_id, due, note in ((95, "2021-01-05", "最早逾期"), (96, "2021-01-06", "次早逾期"), (97, "2021-01-07", "第三逾期"),
                              (98, "2022-06-16", "最先到期"), (99, "2022-06-17", "其次到期"), (94, "2022-06-18", "第三到期")):
        text = re.sub(r"^id: \d+$", f"id: {new_id}", source, count=1, flags=re.M)
        text = re.sub(r"^status: .*$", "status: in_progress", text, count=1, flags=re.M)
        text = re.sub(r"^local:\n(?:  - .*\n)+", f"local:\n  - {note}\n", text, count=1, flags=re.M)
        assert note in text
        (last / f"{new_id}.yaml").write_text(text + f"due: {due}\n", encoding="utf-8")
    one, two = run_both(run, monkeypatch, children, "report", "--format", format)
    same(one, two)
    if format == "json":
        total = json.loads(two.stdout)["total"]
        assert total["overdue"][:3] == [f"{PLANS[4]}:{i}" for i in (95, 96, 97)]
        assert total["due_soon"][:3] == [f"{PLANS[4]}:{i}" for i in (98, 99, 94)]
        return
    if format in ("html", "markdown"):  # every measure of both lists, the child's rendered there: its id and its text
        for late, notes in ((True, ("最早逾期", "次早逾期", "第三逾期")), (False, ("最先到期", "其次到期", "第三到期"))):
            rows = [(key, cells[3]) for key, cells in listed_rows(two.stdout, format, late).items()]
            ids = (95, 96, 97) if late else (98, 99, 94)
            assert rows[:3] == [(f"{PLANS[4]}:{i}", note) for i, note in zip(ids, notes)]
        return
    at = two.stdout.rindex("Overdue:")  # the total's lists, after every plan's section
    shown = two.stdout[at:]
    assert "最早逾期" in shown and "次早逾期" in shown and "第三逾期" not in shown
    assert "最先到期" in shown and "其次到期" in shown and "第三到期" not in shown


@settings(max_examples=40, deadline=None)
@given(at=st.integers(0, 240), day=st.integers(0, 700), days=st.none() | st.integers(0, 90))
def test_two_digests_add_up_to_the_charts_of_all_their_measures(several, at, day, days):
    """The HTML report's charts and timeline drawn from the sum of two parts' digests (the measures of a
    tree in plan order, cut anywhere) are those drawn from all of them, byte for byte: each unit's and
    key task's bar, each due date's dot (the worst light of both parts) and names (sorted across both),
    the extended measures' lines and the undated ones."""
    from datetime import date, timedelta

    from portcli import query
    from portcli.render import html_charts

    as_of = date(2022, 1, 1) + timedelta(days=day)
    ms, plans = several.measures, several.plans
    r = query.report(ms, plans, as_of, days)

    def drawn(d) -> str:
        return "".join([*html_charts.bars(html_charts.unit_rows(r, d), "unit"),
                        *html_charts.bars(html_charts.task_rows(d, plans), "task"), *html_charts.timeline(r, d)])

    first, then = (html_charts.digest(part, as_of, r.days_for) for part in (ms[:at], ms[at:]))
    whole = html_charts.digest(ms, as_of, r.days_for)
    assert drawn(first + then) == drawn(whole)
    assert whole.extended and whole.undated and len(whole.by_due) >= 5


def test_the_charts_digest_of_a_tree_holds_what_its_measures_say(several):
    """Worked out by hand from the measures, not by the code: a due date shared by two plans has both
    plans' names, sorted, and the worst light among them; each unit's bar counts what it takes part in."""
    from collections import Counter
    from datetime import date

    from portcli import query
    from portcli.render import html_charts, light

    as_of = date(2022, 6, 30)
    ms, plans = several.measures, several.plans
    r = query.report(ms, plans, as_of)
    cut = next(i for i, m in enumerate(ms) if m.plan != ms[0].plan)  # the first plan, then the others
    d = html_charts.digest(ms[:cut], as_of, r.days_for) + html_charts.digest(ms[cut:], as_of, r.days_for)
    shared = next(due for due in sorted({m.due for m in ms[:cut] if m.due}) if any(m.due == due for m in ms[cut:]))
    on_it = [m for m in ms if m.due == shared]
    worst = min((light(m, as_of, r.days_for(m)) for m in on_it), key=["red", "yellow", "pending", "green"].index)
    colour, names = d.by_due[shared]
    assert colour == worst
    assert sorted(names) == sorted((m.plan, m.id, f"{m.plan}:{m.id}") for m in on_it)
    # the timeline's span: the first and last due date or extension's start, whichever part has them
    def days_of(m) -> list:
        return [m.due, *([html_charts.original_due(m) or m.extensions[0].date] if m.extensions else [])] if m.due else []

    every_day = [day for m in ms for day in days_of(m)]
    ends = (min(every_day), max(every_day))
    inside = [m for m in ms if not set(days_of(m)) & set(ends)]
    at_ends = [m for m in ms if set(days_of(m)) & set(ends)]
    apart = html_charts.digest(inside, as_of, r.days_for), html_charts.digest(at_ends, as_of, r.days_for)
    assert ends[0] < apart[0].span[0] and apart[0].span[1] < ends[1]
    assert (apart[0] + apart[1]).span == (apart[1] + apart[0]).span == d.span == ends
    extended = next(m for m in ms if m.extensions and m.due)  # its line runs from the date it had
    start = html_charts.original_due(extended) or extended.extensions[0].date
    assert start != extended.due
    assert html_charts.digest([extended], as_of, r.days_for).span == (min(start, extended.due), max(start, extended.due))
    unit = ms[0].lead
    assert sum(d.by_unit[unit].values()) == sum(unit in m.units for m in ms)
    assert d.by_unit[unit]["done"] == sum(unit in m.units and m.status == "done" for m in ms)
    assert Counter({k: v for k, v in d.by_unit[unit].items() if v}) == Counter(
        html_charts.category(m, as_of) for m in ms if unit in m.units)


@pytest.mark.parametrize("format", ["html", "markdown"])
def test_a_tally_sent_carries_its_lists_rows_rendered(several, format):
    """In HTML and Markdown each measure of the overdue and due-soon lists a child sends carries its row
    of the list (in HTML, and its short id), as this process would render them from the measure; the
    other lists' do not."""
    import pickle
    from datetime import date

    from portcli import query

    as_of = date(2022, 6, 30)
    ms, plans = several.measures, several.plans
    counted = query.tally(ms, query.facts(ms, plans, as_of))
    shown, rendered = (shared_output.html_shown, html) if format == "html" else (shared_output.markdown_shown, markdown)
    sent = shared_output.sent_tally(counted, 0, shown(as_of))
    back = shared_output.received_tally(pickle.loads(pickle.dumps(sent)))
    for late, original, got in ((True, counted.late, back.late), (False, counted.soon, back.soon)):
        assert got and [m.shown for m in got] == [rendered.listed(m, as_of, late) for m in original]
        days = [(as_of - m.due).days if late else (m.due - as_of).days for m in original]
        if format == "html":
            assert [m.shown[0].count(f'data-label="{"Days overdue" if late else "Days left"}">{n}</td>')
                    for m, n in zip(got, days)] == [1] * len(got)
        else:  # | ID | Lead unit | Due | days | Measure | Latest progress |
            assert [m.shown.split(" | ")[:4] for m in got] == [
                [f"| {m.plan}:{m.id}", m.lead, m.due.isoformat(), str(n)] for m, n in zip(original, days)]
    listed = {id(m) for m in (*back.late, *back.soon)}
    others = [m for m in (*back.silent, *back.extended) if id(m) not in listed]
    assert others and all(m.shown is None for m in others)


def test_each_row_of_the_html_table_shows_its_own_plans_key_task_and_its_own_units(tree, run, monkeypatch):
    """The table of every measure makes what many rows share once (a key task's cell, a units cell):
    each row still shows its own plan's key task (every plan's titles made different here, the ids the
    same) and its own units with their note (the first plan's measures all given one set of units,
    every other one with a note). Expected from the files, as written here."""
    from portcli.load import load_tree

    for name in PLANS:
        plan_file = tree / name / "_plan.yaml"
        plan_file.write_text(re.sub(r"(\{id: [^}\n]*title: [^}\n]*)\}", rf"\1（{name}）}}",
                                              plan_file.read_text(encoding="utf-8")),
                             encoding="utf-8")
    for i in range(1, PER_PLAN + 1):
        path = tree / PLANS[0] / f"{i:02d}.yaml"
        text = re.sub(r"^units: .*$", "units: [市商务局, 天津海关]", path.read_text(encoding="utf-8"), count=1, flags=re.M)
        note = "按职责分工负责" if i % 2 else "null"
        path.write_text(re.sub(r"^units_note: .*$", f"units_note: {note}", text, count=1, flags=re.M), encoding="utf-8")
    monkeypatch.setattr(shared_output, "SHARED_FROM", 10**9)
    result = run("report", "--format", "html", "--as-of", AS_OF)
    table = result.stdout.split('<h2 id="measures">', 1)[1]
    shown = {name: (task, units) for name, task, units in re.findall(
        r'data-label="ID">([^<]*)</td><td class="text task" data-label="Key task">(.*?)</td>'
        r'.*?data-label="Units">([^<]*)</td>', table, flags=re.S)}
    loaded = load_tree(str(tree))
    assert len(shown) == len(loaded.measures) == MEASURES
    for m in loaded.measures:
        task = loaded.plans[m.plan].tasks[m.task]
        assert task.title.endswith(f"（{m.plan}）")
        assert shown[f"{m.plan}:{m.id}"] == (f'{task.numeral}<span class="task-title">、{task.title}</span>',
                                             ", ".join(m.units) + (m.units_note or ""))  # in English
    assert {units for _task, units in shown.values()} >= {"市商务局, 天津海关按职责分工负责", "市商务局, 天津海关"}


def bar_rows(page: str, kind: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The rows of a chart of the page (kind: unit, task) as shown: label, figures, [(category, count)]."""
    return [(label, figures, re.findall(r'<span class="seg (\w+)"[^>]*>(\d+)</span>', segments))
            for label, segments, figures in re.findall(
                rf'<div class="bar-row {kind}"><span class="bar-label" title="[^"]*">([^<]*)</span>'
                r'<span class="track"><span class="bar" style="[^"]*">(.*?)</span></span>'
                r'<span class="bar-figures">([^<]*)</span></div>', page)]


def bar_widths(page: str, kind: str) -> list[tuple[float, list[float]]]:
    """The widths (percent) of a chart's bars, each with its segments'."""
    return [(float(width), [float(w) for w in re.findall(r'<span class="seg \w+" style="width:([\d.]+)%"', segments)])
            for width, segments in re.findall(
                rf'<div class="bar-row {kind}"><span class="bar-label"[^>]*>[^<]*</span>'
                r'<span class="track"><span class="bar" style="width:([\d.]+)%">(.*?)</span></span>', page)]



def html_page(run, monkeypatch, children, two: bool, as_of: str = AS_OF) -> str:
    """The HTML report of the tree as of a date, written by one process, or by two (`two`: a child too)."""
    if not two:
        monkeypatch.setattr(shared_output, "SHARED_FROM", 10**9)
    page = run("report", "--format", "html", "--as-of", as_of).stdout
    assert len(children) == (1 if two else 0)
    return page


@pytest.mark.parametrize("two", [False, True])
def test_the_html_key_task_bars_count_each_plans_tasks_apart(tree, run, monkeypatch, children, two):
    """A tree's plans share their key tasks' ids (every generated plan has tasks 1, 2, ...): the chart
    per key task has a bar for each plan's task, labelled with its plan, counting that plan's measures
    of it alone; whether the page is one process's or the child's charts are added to this one's.
    Expected from the files, as written here."""
    from collections import Counter
    from datetime import date

    from portcli import query
    from portcli.load import load_tree

    page = html_page(run, monkeypatch, children, two)
    loaded = load_tree(str(tree))
    as_of = date.fromisoformat(AS_OF)
    expected = {}
    for (plan, task), ms in Counter((m.plan, m.task) for m in loaded.measures).items():
        of_it = [m for m in loaded.measures if (m.plan, m.task) == (plan, task)]
        t = loaded.plans[plan].tasks[task]
        overdue = sum(query.is_overdue(m, as_of) for m in of_it)
        done = sum(m.status == "done" for m in of_it)
        expected[f"{plan}:{t.numeral}、{t.title}"] = (
            f"{ms} measure{'s' if ms != 1 else ''} · overdue {overdue} · done {done}", ms)
    assert len({task for _plan, task in Counter((m.plan, m.task) for m in loaded.measures)}) < len(expected)
    shown = bar_rows(page, "task")
    assert {label: figures for label, figures, _segments in shown} == {
        label: figures for label, (figures, _n) in expected.items()}
    assert all(sum(int(n) for _c, n in segments) == expected[label][1] for label, _f, segments in shown)
    # one scale: the longest bar the task with the most measures; a segment its share of its bar; none empty
    most = max(n for _figures, n in expected.values())
    for (label, _figures, segments), (width, parts) in zip(shown, bar_widths(page, "task"), strict=True):
        n = expected[label][1]
        assert abs(width - 100 * n / most) < 0.01
        assert [abs(part - 100 * int(count) / n) < 0.01 for part, (_c, count) in zip(parts, segments, strict=True)] == \
            [True] * len(segments)
        assert all(int(count) > 0 for _c, count in segments)


@pytest.mark.parametrize("as_of", [AS_OF, "2000-01-01", "2040-01-01"])
@pytest.mark.parametrize("two", [False, True])
def test_the_html_timeline_shows_each_due_date_on_one_scale_with_its_own_measures(tree, run, monkeypatch, children,
                                                                                   as_of, two):
    """A row per due date: its dot's colour the worst light of its measures, its title and note their
    count and names (sorted by plan, then id); every dot and the today line on one scale, in date
    order, at least a week inside either end of the axis, whether today is before, among or after
    the due dates. Expected from the files, as written here."""
    from collections import defaultdict
    from datetime import date

    from portcli import query
    from portcli.load import load_tree
    from portcli.render import light

    page = html_page(run, monkeypatch, children, two, as_of)
    loaded = load_tree(str(tree))
    today = date.fromisoformat(as_of)
    plans = loaded.plans
    on = defaultdict(list)
    for m in loaded.measures:
        if m.due:
            on[m.due].append(m)
    rows = re.findall(r'<div class="tl-row due"><span>([\d-]+)</span><span class="track">'
                      r'<span class="today" style="left:([\d.-]+)%"></span>'
                      r'<span class="dot (\w+)" style="left:([\d.-]+)%" title="([^"]*)"></span></span>'
                      r'<span class="tl-note">([^<]*)</span></div>', page)
    assert [row[0] for row in rows] == [day.isoformat() for day in sorted(on)]
    for day, _today, colour, _left, title, note in rows:
        ms = sorted(on[date.fromisoformat(day)], key=lambda m: (m.plan, m.id))
        worst = min((light(m, today, query.days_for(m, plans, None)) for m in ms),
                    key=["red", "yellow", "pending", "green"].index)
        n = len(ms)
        assert (colour, title) == (worst, f"{n} measure{'s' if n != 1 else ''}")
        assert note == f"{n} measure{'s' if n != 1 else ''}: " + ", ".join(f"{m.plan}:{m.id}" for m in ms)
    assert len({colour for _d, _t, colour, *_rest in rows}) >= 3 or as_of != AS_OF
    # one scale: a dot's place is linear in its date, the today line's too; a week's margin at either end
    days = [date.fromisoformat(row[0]) for row in rows]
    lefts = [float(row[3]) for row in rows]
    now = float(rows[0][1])
    points = sorted([*zip(days, lefts), (today, now)])
    (start, first), (end, last) = points[0], points[-1]
    scale = (last - first) / (end - start).days  # percent a day
    for day, left in points:
        assert abs(left - (first + scale * (day - start).days)) < 0.02
    assert first >= 7 * scale - 0.01 and 100 - last >= 7 * scale - 0.01
    assert abs(first - (100 - last)) < 0.02  # the same margin at both ends


def test_a_short_html_timeline_still_keeps_a_week_inside_either_end(several):
    """Due dates two months apart: the axis still runs a week past the first and the last of them (and
    today), so no dot sits on its edge. Worked out from the dates, as written here."""
    from datetime import date

    from portcli import query

    as_of = date(2022, 6, 30)
    ms = [m for m in several.measures if m.due and not m.extensions and abs((m.due - as_of).days) <= 31]
    assert len({m.due for m in ms}) >= 3
    page = html.render(query.report(ms, several.plans, as_of), several.plans)
    dots = [(date.fromisoformat(day), float(left)) for day, left in re.findall(
        r'<div class="tl-row due"><span>([\d-]+)</span><span class="track"><span class="today" [^>]*></span>'
        r'<span class="dot \w+" style="left:([\d.]+)%"', page)]
    assert [day for day, _left in dots] == sorted({m.due for m in ms})
    now = float(re.search(r'<span class="today" style="left:([\d.]+)%"', page)[1])
    points = sorted([*dots, (as_of, now)])
    (start, first), (end, last) = points[0], points[-1]
    a_day = 100 / ((end - start).days + 14)  # a week either side
    assert abs((last - first) - a_day * (end - start).days) < 0.02
    assert abs(first - 7 * a_day) < 0.02 and abs(100 - last - 7 * a_day) < 0.02


@pytest.mark.parametrize("two", [False, True])
def test_each_row_of_the_html_table_shows_its_own_light_due_date_and_status(tree, run, monkeypatch, children, two):
    """The table of every measure makes a light, a due cell and a status once for the many rows that
    share them: each row still shows its own light (and is coloured by it), its own due date with the
    date an extension moved it from and how many days it is overdue, and its own status; whether the
    page is one process's or its last rows the child's. Expected from the files, as written here."""
    from datetime import date

    from portcli import query
    from portcli.load import load_tree
    from portcli.render import light

    page = html_page(run, monkeypatch, children, two)
    table = page.split('<h2 id="measures">', 1)[1]
    shown = {name: (row_class, lit, due, status) for row_class, lit, name, due, status in re.findall(
        r'<tr(?: class="(\w+)")?><td class="nowrap" data-label="Light"><span class="light (\w+)" aria-hidden="true">'
        r'</span>\w+</td><td class="num" data-label="ID">([^<]*)</td>.*?data-label="Due">(.*?)</td>'
        r'<td class="nowrap" data-label="Status">([^<]*)</td>', table, flags=re.S)}
    loaded = load_tree(str(tree))
    as_of = date.fromisoformat(AS_OF)
    assert len(shown) == len(loaded.measures) == MEASURES
    kinds = set()
    for m in loaded.measures:
        colour = light(m, as_of, query.days_for(m, loaded.plans, None))
        was = next((e.from_ for e in m.extensions if e.from_), None)
        due = "—" if m.due is None else m.due.isoformat()
        if was:
            due = f'extended to {due}<br><span class="was">originally {was.isoformat()}</span>'
        if colour == "red":
            late = (as_of - m.due).days
            due += f'<br><span class="late">{late} day{"s" if late != 1 else ""} overdue</span>'
        assert shown[f"{m.plan}:{m.id}"] == ("" if colour == "green" else colour, colour, due, m.status)
        kinds.add((colour, bool(was)))
    assert {("red", False), ("green", True), ("green", False), ("yellow", False), ("pending", False)} <= kinds


@pytest.mark.parametrize("two", [False, True])
def test_a_key_task_title_and_a_unit_name_with_markup_stay_text_in_the_html_charts_lists_and_table(
        tree, run, monkeypatch, children, two):
    """What the charts, the overdue and due-soon lists and the table make once for many rows (a bar's
    label, a key task's cell, a lead unit) is escaped: a title and a unit's name with & < > " ' in them
    show as text everywhere, never as markup; whether the page is one process's or the child's charts,
    lists' rows and table rows are added to this one's. The names as written here."""
    from html import unescape

    from portcli.load import load_tree

    mark = " <i>&\"'"
    unit = "R&D<局>"
    for name in PLANS:  # the first and last plans' titles marked, every measure led by the unit
        plan_file = tree / name / "_plan.yaml"
        text = plan_file.read_text(encoding="utf-8")
        if name in (PLANS[0], PLANS[4]):
            text = re.sub(r"(\{id: [^}\n]*title: [^}\n]*)\}", lambda m: m[1] + mark + "}", text)
        plan_file.write_text(text + unit_entry(unit), encoding="utf-8")
        for i in range(1, PER_PLAN + 1):
            path = tree / name / f"{i:02d}.yaml"
            text = path.read_text(encoding="utf-8")
            path.write_text(re.sub(r"^units: \[", f"units: [{unit}, ", text, count=1, flags=re.M), encoding="utf-8")
    loaded = load_tree(str(tree))
    titles = [t.title for t in loaded.plans[PLANS[0]].tasks.values()]
    assert titles and all(t.endswith(mark) for t in titles) and not loaded.problems[3:]
    page = html_page(run, monkeypatch, children, two)
    assert "<i>" not in page and "R&D" not in page and "<局>" not in page
    task_labels = [unescape(label) for label, _f, _s in bar_rows(page, "task")]
    assert sum(label.endswith(mark) for label in task_labels) == len({(m.plan, m.task) for m in loaded.measures
                                                                      if m.plan in (PLANS[0], PLANS[4])})
    assert unit in [unescape(label) for label, _f, _s in bar_rows(page, "unit")]
    for heading in ("overdue", "due-soon", "measures"):
        part = page.split(f'<h2 id="{heading}">', 1)[1].split("</table>", 1)[0]
        leads = re.findall(r'data-label="(?:Lead unit|Units)">([^<]*)</td>', part)
        assert leads and any(unescape(lead).startswith(unit) for lead in leads), heading
    cells = re.findall(r'data-label="Key task">(.*?)</td>', page)
    assert sum(unescape(re.sub(r"<[^>]*>", "", cell)).endswith(mark) for cell in cells) == 2 * PER_PLAN


def test_a_plan_folder_named_with_markup_stays_text_in_the_html_timeline(tmp_path, run):
    """A plan is named by its folder, and a folder's name may hold & < > ' : the timeline's notes,
    which list the measures due each day by name (PLAN:ID), show it as text."""
    from html import unescape

    root = generate.generate_plans(2, 6, tmp_path / "measures", seed=5)
    first = sorted(p for p in root.iterdir() if p.is_dir())[0]
    odd = first.with_name("R&D<港>'s")
    first.rename(odd)
    page = run("report", "--dir", str(root), "--format", "html", "--as-of", AS_OF).stdout
    assert "<港>" not in page and "R&D" not in page
    notes = [unescape(note) for note in re.findall(r'<div class="tl-row due">.*?<span class="tl-note">([^<]*)</span>',
                                                   page)]
    assert any(f"{odd.name}:" in note for note in notes)


def test_an_extended_measures_line_in_the_html_timeline_runs_between_its_dates(tree, run, monkeypatch):
    """An extension's line runs from the date it moved (its was-dot there) to the new due date; with no
    due date before it, from the day it was approved, even when that came after the new date. On the
    scale the due dates' dots give. Dates as written here."""
    from datetime import date

    ext = {2: "  - {date: 2022-05-20, from: 2022-05-31, to: 2022-08-31, reason: 等待批复}",
           3: "  - {date: 2022-07-20, to: 2022-07-10, reason: 补报延期}"}
    for i, line in ext.items():
        path = tree / PLANS[0] / f"{i:02d}.yaml"
        text = path.read_text(encoding="utf-8")
        assert "extensions" not in text
        path.write_text(text + "extensions:\n" + line + "\n", encoding="utf-8")
    monkeypatch.setattr(shared_output, "SHARED_FROM", 10**9)
    page = run("report", "--format", "html", "--as-of", AS_OF).stdout
    dots = [(date.fromisoformat(day), float(left)) for day, left in re.findall(
        r'<div class="tl-row due"><span>([\d-]+)</span><span class="track"><span class="today" [^>]*></span>'
        r'<span class="dot \w+" style="left:([\d.]+)%"', page)]
    (start, first), (end, last) = dots[0], dots[-1]

    def at(day: date) -> float:
        return first + (last - first) * (day - start).days / (end - start).days

    lines = {name: (float(left), float(right), float(again), was and float(was), float(due))
             for name, left, right, again, was, due in re.findall(
                 r'<div class="tl-row extension"><span>Measure ([^ ]*) extended</span><span class="track">'
                 r'<span class="today" [^>]*></span><span class="span" style="left:([\d.]+)%;width:calc\(([\d.]+)% - '
                 r'([\d.]+)%\)"></span>(?:<span class="was-dot" style="left:([\d.]+)%"></span>)?'
                 r'<span class="dot \w+" style="left:([\d.]+)%"></span>', page)}
    moved = lines[f"{PLANS[0]}:2"]
    assert [abs(a - b) < 0.02 for a, b in zip(moved, [at(date(2022, 5, 31)), at(date(2022, 8, 31)),
                                                     at(date(2022, 5, 31)), at(date(2022, 5, 31)),
                                                     at(date(2022, 8, 31))])] == [True] * 5
    late = lines[f"{PLANS[0]}:3"]
    assert late[3] == ""  # no was-dot: it had no due date before
    assert [abs(a - b) < 0.02 for a, b in zip((late[0], late[1], late[2], late[4]),
                                              [at(date(2022, 7, 10)), at(date(2022, 7, 20)),
                                               at(date(2022, 7, 10)), at(date(2022, 7, 10))])] == [True] * 4


@pytest.mark.parametrize("two", [False, True])
def test_the_html_overdue_and_due_soon_lists_head_and_count_their_own_days(tree, run, monkeypatch, children, two):
    """The overdue list's table is headed "Days overdue" and the due-soon list's "Days left", in its
    header row and each cell's label (the phone shows it), each column's cells of one class; each row its
    measure's days past or before its due date; whether this process or the child rendered the row.
    Each list's heading counts its measures, and the table's all of them. Expected from the files, as
    written here."""
    from datetime import date

    from portcli import query
    from portcli.load import load_tree
    from portcli.render import light

    page = html_page(run, monkeypatch, children, two)
    loaded = load_tree(str(tree))
    as_of = date.fromisoformat(AS_OF)
    lit = {f"{m.plan}:{m.id}": (light(m, as_of, query.days_for(m, loaded.plans, None)), m) for m in loaded.measures}
    for heading, words, colour in (("overdue", "Days overdue", "red"), ("due-soon", "Days left", "yellow")):
        part = page.split(f'<h2 id="{heading}">', 1)[1].split("</table>", 1)[0]
        assert re.findall(r"<th>([^<]*)</th>", part) == ["ID", "Lead unit", "Due", words, "Measure", "Latest progress"]
        # numbers to the right, names and dates kept on one line, texts wrapped: each cell's class, every row
        cells = re.findall(r'<td class="([\w ]+)" data-label="([^"]*)">', part)
        assert cells and set(cells) == {("num", "ID"), ("nowrap", "Lead unit"), ("nowrap", "Due"), ("num", words),
                                        ("text", "Measure"), ("text", "Latest progress")}
        rows = re.findall(rf'data-label="ID">([^<]*)</td>.*?data-label="{words}">(\d+)</td>', part)
        assert sorted(name for name, _days in rows) == sorted(n for n, (c, _m) in lit.items() if c == colour)
        for name, days in rows:
            due = lit[name][1].due
            assert int(days) == ((as_of - due) if colour == "red" else (due - as_of)).days
        # the list's heading counts its own measures
        title, count = "Overdue" if colour == "red" else "Due soon", sum(c == colour for c, _m in lit.values())
        assert part.startswith(f"{title}: {count}</h2>")
    assert f'<h2 id="measures">All measures: {MEASURES}</h2>' in page


MARKUP = "a | b *em* _u_ <b>x</b> `c` [l](u) $m$ ~s~ \\\\ &amp;"


@pytest.mark.parametrize("options, lang", [([], "en"), (["--rank", "--stale", "3", "--due-soon", "40"], "zh")])
def test_the_markdown_totals_lists_escape_the_childs_rows_as_one_process_does(tree, run, monkeypatch, children,
                                                                            options, lang):
    """The child renders its plans' rows of the total's overdue and due-soon lists: a measure's text
    and progress note with a cell's | and markup, a line break, a plan folder named with markup, a
    measure of the child's overdue and silent both, one with no due date at all: the bytes are one
    process's, and each row is escaped once (a cell's | never splits the row)."""
    last = tree / PLANS[4]
    odd = last.with_name(PLANS[4] + "_*<b>|[x]")
    last.rename(odd)
    source = (odd / "02.yaml").read_text(encoding="utf-8")
    noted = "progress:\n  - {date: 2022-06-01, status: in_progress, by: 天津海关, note: \"p | q\\nr *s* <br> `t`\"}\n"
    for new_id, due, progress in ((80, "due: 2021-01-05\n", noted),
                                  (81, "due: 2022-06-20\n", "progress:\n  - {date: 2022-06-10, status: in_progress}\n"),
                                  (82, "due: 2022-01-05\n", "progress: []\n"),  # overdue, and silent
                                  (83, "", "progress: []\n")):  # no due date
        text = re.sub(r"^id: \d+$", f"id: {new_id}", source, count=1, flags=re.M)
        text = re.sub(r"^status: .*$", "status: in_progress", text, count=1, flags=re.M)
        text = re.sub(r"^deadline: .*$", "deadline: 持续推进", text, count=1, flags=re.M)
        text = re.sub(r"^local:\n(?:  - .*\n)+", lambda _m: f"local:\n  - \"{MARKUP}\\nline two\"\n", text, count=1,
                      flags=re.M)
        text = re.sub(r"^progress:.*(?:\n  - .*)*\n", lambda _m: progress, text, count=1, flags=re.M)
        (odd / f"{new_id}.yaml").write_text(text + due, encoding="utf-8")
    monkeypatch.setattr(shared_output, "MARKDOWN_SENDING_SHARE", 0.5)
    one, two = run_both(run, monkeypatch, children, "report", "--format", "markdown", *options,
                        env={"PORTCLI_LANG": lang})
    same(one, two)
    assert two.exit_code == 2 and "Traceback" not in two.stderr and children[-1] is True
    total = two.stdout.rsplit("\n## ", 1)[1]
    (row,) = [line for line in total.splitlines() if ":80 | " in line]  # in the overdue list, once
    if lang == "en":  # the lists' head is this process's, its rows the child's: the days column right-aligned
        for words in ("Days overdue", "Days left"):
            assert f"\n| ID | Lead unit | Due | {words} | Measure | Latest progress |\n|---:|---|---|---:|---|---|\n| " \
                   f"{markdown.escape(odd.name)}:" in total
    assert row.count(" | ") == 5 and "<br>line two" in row and "\\*em\\*" in row and "p \\| q<br>r" in row
    assert row.startswith(f"| {markdown.escape(odd.name)}:80 | ")
