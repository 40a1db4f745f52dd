"""A JSON query over a big tree of plans is shared with a forked child (issue 16): it loads, picks and
writes the second half of the plans while portcli does the first. What it prints, on stdout and
stderr, and its exit code must be those of one process doing it all, whatever the child does.

The tree is built to tell the ways apart: a unit's alias that only a plan of one half knows, while
plans of the other half name the same unit; measures of both halves due on the same day with the
same id (the overdue list's order across the halves); broken files and a stray file in both halves.
"""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from portcli import commands
from forks import counted_children

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402  (benchmarks/generate.py: the benchmark's own tree of plans)

AS_OF = "2023-06-20"


def plan_file(title: str, customs_aliases: str, port_aliases: str) -> str:
    return f"""title: {title}
year: 2023
tasks:
  - {{id: 1, numeral: 一, title: 任务一}}
units:
  - {{name: 天津海关, full_name: 中华人民共和国天津海关, english: Tianjin Customs, aliases: [{customs_aliases}]}}
  - {{name: 天津港集团, full_name: 天津港集团有限公司, english: Tianjin Port Group, aliases: [{port_aliases}]}}
  - {{name: 市商务局, full_name: 天津市商务局, english: Tianjin Commerce, aliases: []}}
"""


# Plans A and B fall to this process, C and D to the child (two files each, split in the middle).
# Only A calls 天津海关 "关区", only D calls 天津港集团 "港务" (neither a part of any name, which would
# be the unit in every plan).
PLANS = {"A": plan_file("甲", "关区", ""), "B": plan_file("乙", "", ""),
         "C": plan_file("丙", "", ""), "D": plan_file("丁", "", "港务")}


def measure(id_: int, units: list[str], deadline: str, status: str = "in_progress") -> str:
    return (f"id: {id_}\ntask: 1\nnational: null\nlocal: [措施{id_}]\nunits: [{', '.join(units)}]\n"
            f"units_note: null\ndeadline: {deadline}\nstatus: {status}\nprogress: []\n")


MEASURES = {
    ("A", 1): measure(1, ["天津海关"], "3月底前"),         # overdue since 2023-03-31
    ("A", 2): measure(2, ["天津港集团", "市商务局"], "5月底前"),  # since 2023-05-31
    ("B", 1): measure(1, ["市商务局", "天津港集团"], "3月底前"),
    ("B", 3): measure(3, ["天津海关"], "12月底前"),        # not due
    ("C", 1): measure(1, ["天津海关", "市商务局"], "3月底前"),
    ("C", 2): measure(2, ["天津海关"], "4月底前", status="done"),
    ("D", 1): measure(1, ["天津港集团"], "3月底前"),
    ("D", 4): measure(4, ["市商务局", "天津海关"], "4月底前"),  # since 2023-04-30
}


@pytest.fixture
def tree(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "measures"
    for name, text in PLANS.items():
        (root / name).mkdir(parents=True)
        (root / name / "_plan.yaml").write_text(text, encoding="utf-8")
    for (name, id_), text in MEASURES.items():
        (root / name / f"{id_:03d}.yaml").write_text(text, encoding="utf-8")
    (root / "A" / "009.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    (root / "D" / "009.yaml").write_text(measure(9, ["不存在的单位"], "3月底前"), encoding="utf-8")
    (root / "017.yaml").write_text(measure(17, ["天津海关"], "3月底前"), encoding="utf-8")  # outside any plan
    monkeypatch.chdir(tmp_path)
    return root


@pytest.fixture
def children(monkeypatch) -> list:
    """Every child started, from 2 files on, on any machine: what it sent (None when it failed)."""
    return counted_children(monkeypatch, commands)


def run_both(run, monkeypatch, children, *argv: str):
    """(what one process prints, what a process and its child print) for the command line."""
    with monkeypatch.context() as alone:
        alone.setattr(commands, "SHARED_FROM", 10**9)
        one = run(*argv, "--as-of", AS_OF)
    before = len(children)
    two = run(*argv, "--as-of", AS_OF)
    assert len(children) == before + 1, "no child was started"
    return one, two


def same(one, two) -> None:
    assert (two.stdout, two.stderr, two.exit_code) == (one.stdout, one.stderr, one.exit_code)


def ids(result) -> list[tuple[str, int]]:
    return [(m["plan"], m["id"]) for m in json.loads(result.stdout)]


def test_the_overdue_list_runs_across_the_halves_as_one_process_orders_it(tree, run, monkeypatch, children):
    one, two = run_both(run, monkeypatch, children, "overdue", "--format", "json")
    same(one, two)
    # most overdue first; on the same day by id, and plans of the same id in the tree's order
    assert ids(two) == [("A", 1), ("B", 1), ("C", 1), ("D", 1), ("D", 4), ("A", 2)]
    assert two.exit_code == 2 and children[-1] is not None  # the problems below; the child sent its half


def test_the_problems_of_both_halves_are_told_in_the_trees_order(tree, run, monkeypatch, children):
    one, two = run_both(run, monkeypatch, children, "list", "--format", "json")
    same(one, two)
    told = [line.split(":")[0] for line in two.stderr.splitlines()]
    assert told == [str(Path("measures", "017.yaml")), str(Path("measures", "A", "009.yaml")),
                    str(Path("measures", "D", "009.yaml"))]
    assert len(ids(two)) == 8


@pytest.mark.parametrize("unit, expected", [
    # 关区 is 天津海关 in A only: the child's half, which cannot know it, is picked again here
    ("关区", [("A", 1), ("B", 3), ("C", 1), ("C", 2), ("D", 4)]),
    # 港务 is 天津港集团 in D only: this process's half is picked again
    ("港务", [("A", 2), ("B", 1), ("D", 1)]),
    ("市商务局", [("A", 2), ("B", 1), ("C", 1), ("D", 4)]),
])
def test_a_unit_is_what_the_whole_tree_calls_it_in_either_half(tree, run, monkeypatch, children, unit, expected):
    one, two = run_both(run, monkeypatch, children, "list", "--unit", unit, "--format", "json")
    same(one, two)
    assert ids(two) == expected


@pytest.mark.parametrize("unit, expected", [
    # overdue on 2023-06-20, most overdue first: A 1, C 1 (3月底前, by plan), D 4 (4月底前); 关区 is A's only
    ("关区", [("A", 1), ("C", 1), ("D", 4)]),
    # 港务 is D's only: B 1, D 1 (3月底前), A 2 (5月底前)
    ("港务", [("B", 1), ("D", 1), ("A", 2)]),
])
def test_overdue_of_a_unit_is_picked_by_the_unit_in_both_halves(tree, run, monkeypatch, children, unit, expected):
    one, two = run_both(run, monkeypatch, children, "overdue", "--unit", unit, "--format", "json")
    same(one, two)
    assert ids(two) == expected


def test_a_half_whose_plans_do_not_know_the_unit_has_none_of_its_measures(tree, run, monkeypatch, children):
    one, two = run_both(run, monkeypatch, children, "list", "--unit", "港务", "--plan", "C", "--plan", "D",
                        "--format", "json")
    same(one, two)
    assert ids(two) == [("D", 1)]  # C's plan knows no 港务, and none of its measures is 天津港集团's


def test_lead_units_and_statuses_pick_alike(tree, run, monkeypatch, children):
    one, two = run_both(run, monkeypatch, children, "list", "--unit", "关区", "--lead", "--status", "in_progress",
                        "--format", "json")
    same(one, two)
    assert ids(two) == [("A", 1), ("B", 3), ("C", 1)]  # C 2 is done, D 4 led by 市商务局


@pytest.mark.parametrize("argv", [
    ["list", "--unit", "没有这个单位", "--format", "json"],
    ["list", "--unit", "关区局", "--format", "json"],  # why it is unknown: the first plan's reason (A's, near 关区)
    ["list", "--task", "7", "--format", "json"],
    ["list", "--lead", "--format", "json"],
    ["overdue", "--unit", "没有这个单位", "--format", "json"],
])
def test_a_wrong_command_line_fails_as_one_process_fails(tree, run, monkeypatch, children, argv):
    one, two = run_both(run, monkeypatch, children, *argv)
    same(one, two)
    assert two.exit_code == 2 and two.stdout == ""


def test_plans_named_with_plan_are_shared_too(tree, run, monkeypatch, children):
    one, two = run_both(run, monkeypatch, children, "overdue", "--plan", "B", "--plan", "D", "--format", "json")
    same(one, two)
    assert ids(two) == [("B", 1), ("D", 1), ("D", 4)]
    assert "017.yaml" not in two.stderr  # no stray is told when plans are named


@pytest.mark.parametrize("fails", ["sends nothing", "sends garbage", "sends another object"])
def test_a_failing_child_changes_nothing_but_the_time(tree, run, monkeypatch, children, fails):
    real_dump = pickle.dump

    def child_dump(value, file, protocol=None):  # only the child sends with pickle.dump
        if fails == "sends nothing":
            raise OSError("the child cannot send")
        if fails == "sends garbage":
            file.write(b"not a pickle")
        else:
            real_dump(["not", "a", "half"], file, protocol=protocol)

    monkeypatch.setattr(pickle, "dump", child_dump)
    for argv in (["overdue", "--format", "json"], ["list", "--unit", "港务", "--format", "json"]):
        one, two = run_both(run, monkeypatch, children, *argv)
        same(one, two)
        assert children[-1] is None or fails != "sends nothing"
    assert ids(two) == [("A", 2), ("B", 1), ("D", 1)]


def test_a_fork_that_fails_leaves_the_whole_query_to_this_process(tree, run, monkeypatch, children):
    """No child to be had (fork refused: too many processes): shared() gives None and this process
    loads both halves, with what one process prints."""
    def no_more_processes():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_more_processes)
    one, two = run_both(run, monkeypatch, children, "overdue", "--format", "json")
    same(one, two)
    assert children[-1] is None
    # as in the overdue list across the halves above: the same measures, most overdue first
    assert ids(two) == [("A", 1), ("B", 1), ("C", 1), ("D", 1), ("D", 4), ("A", 2)]


def test_a_small_tree_and_a_table_are_done_by_one_process(tree, run, monkeypatch, children):
    monkeypatch.setattr(commands, "SHARED_FROM", 11)  # the tree has 10 measure files
    assert run("overdue", "--format", "json", "--as-of", AS_OF).exit_code == 2
    monkeypatch.setattr(commands, "SHARED_FROM", 10)
    assert run("overdue", "--as-of", AS_OF).exit_code == 2  # a table: all its rows are measured together
    assert children == []
    run("overdue", "--format", "json", "--as-of", AS_OF)
    assert len(children) == 1


def test_the_halves_hold_about_as_many_files_each(tmp_path, children):
    root = tmp_path / "m"
    for name, count in {"a": 10, "b": 1, "c": 2, "d": 6, "e": 1, "f": 2, "g": 5, "h": 3}.items():
        (root / name).mkdir(parents=True)
        (root / name / "_plan.yaml").write_text("", encoding="utf-8")
        for i in range(count):
            (root / name / f"{i}.yaml").write_text("", encoding="utf-8")
    # the child's share is a little under half (0.45): it sends its lines too, and this process reads them
    assert commands._halves(str(root), ["a", "b", "c", "d", "e"])[:2] == (["a", "b"], ["c", "d", "e"])  # 11 against 9
    assert commands._halves(str(root), ["b", "c", "d"])[:2] == (["b", "c"], ["d"])  # 3 against 6
    # the plan across the line goes to the side that holds most of it: 7 against 3, not 2 against 8
    assert commands._halves(str(root), ["f", "g", "h"])[:2] == (["f", "g"], ["h"])
    assert commands._halves(str(root), None)[2] == {name: [f"{i}.yaml" for i in range(count)] for name, count in
                                                    {"a": 10, "b": 1, "c": 2, "d": 6, "e": 1, "f": 2, "g": 5, "h": 3}.items()}


def test_each_half_keeps_a_plan_at_the_edges(tmp_path, children):
    """The child takes 45%: of 10 files, this process keeps 5.5. Plans of 2, 7 and 1 files: 2 + 7/2 is
    5.5, no more than this process's share, so the plan of 7 is not mostly on this side and goes to the
    child (2 against 8). Plans of 1 and 10: the plan of 10 is more than the child's share, but this
    process keeps its plan of 1 and the child still gets one plan (1 against 10), never none."""
    for tree_, sizes in (("x", {"p": 2, "q": 7, "r": 1}), ("y", {"s": 1, "t": 10})):
        for name, count in sizes.items():
            (tmp_path / tree_ / name).mkdir(parents=True)
            (tmp_path / tree_ / name / "_plan.yaml").write_text("", encoding="utf-8")
            for i in range(count):
                (tmp_path / tree_ / name / f"{i}.yaml").write_text("", encoding="utf-8")
    assert commands._halves(str(tmp_path / "x"), None)[:2] == (["p"], ["q", "r"])
    assert commands._halves(str(tmp_path / "y"), None)[:2] == (["s"], ["t"])


def test_a_real_tree_of_plans_prints_the_same_on_one_cpu_and_on_two(tmp_path):
    """portcli as a process, on a tree above SHARED_FROM: on one CPU no child is started."""
    if not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs two CPUs and sched_setaffinity")
    root = generate.generate_plans(6, commands.SHARED_FROM // 6 + 10, tmp_path / "measures", seed=3)
    env = {**os.environ, "PORTCLI_CACHE_DIR": str(tmp_path / "cache"), "PORTCLI_LANG": "zh"}
    cpus = os.sched_getaffinity(0)

    def portcli(*argv: str, one_cpu: bool) -> subprocess.CompletedProcess:
        first = min(cpus)
        return subprocess.run([sys.executable, "-m", "portcli", *argv, "--dir", str(root), "--as-of", "2022-06-15"],
                              capture_output=True, env=env, timeout=300,
                              preexec_fn=(lambda: os.sched_setaffinity(0, {first})) if one_cpu else None)

    for argv in (["overdue", "--format", "json"], ["list", "--unit", "天津海关", "--format", "json"]):
        portcli(*argv, one_cpu=True)  # the cache written
        one, two = portcli(*argv, one_cpu=True), portcli(*argv, one_cpu=False)
        assert (two.stdout, two.stderr, two.returncode) == (one.stdout, one.stderr, one.returncode)
        assert one.returncode == 0 and len(json.loads(one.stdout)) > 100


def test_a_child_with_more_to_send_than_a_pipe_holds_sends_it_all(tmp_path, run, monkeypatch, children):
    """Without a file in memory (os.memfd_create: Linux) the child sends through a pipe, which holds
    64 KB: its 300 lines of JSON are read as it writes them."""
    monkeypatch.delattr(os, "memfd_create", raising=False)
    root = generate.generate_plans(4, 150, tmp_path / "measures", seed=5)
    with monkeypatch.context() as alone:
        alone.setattr(commands, "SHARED_FROM", 10**9)
        one = run("list", "--format", "json", "--dir", str(root), "--as-of", "2022-06-15")
    two = run("list", "--format", "json", "--dir", str(root), "--as-of", "2022-06-15")
    same(one, two)
    assert len(children) == 1 and len(json.loads(two.stdout)) == 600
    sent = children[0]  # the child's half, as it came through the pipe
    assert type(sent) is commands._Half and sum(len(line.encode()) for line in sent.lines) > 256 * 1024


def test_a_tree_too_small_to_share_is_listed_once(tree, run, monkeypatch, children):
    """Below SHARED_FROM the one process loads the plan folders _halves listed, without listing them again."""
    from portcli import load

    monkeypatch.setattr(commands, "SHARED_FROM", 11)  # the tree has 10 measure files
    listings: list[str] = []
    real = load.measure_names

    def counted(folder):
        listings.append(Path(folder).name)
        return real(folder)

    monkeypatch.setattr(load, "measure_names", counted)
    monkeypatch.setattr(commands, "measure_names", counted)
    assert commands._halves("measures", None)[:2] == (["A", "B", "C", "D"], [])
    listings.clear()
    result = run("overdue", "--format", "json", "--as-of", AS_OF)
    assert ids(result) == [("A", 1), ("B", 1), ("C", 1), ("D", 1), ("D", 4), ("A", 2)] and children == []
    assert sorted(listings) == ["A", "B", "C", "D", "measures"]  # each plan once; the tree's own folder for strays
