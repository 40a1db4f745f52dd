"""With the cache on, every command prints and writes exactly what it does with the cache off.

The weekly routine that broke it: a unit records progress, any read command runs a few seconds
later (long enough for the cache to trust the file), and the unit records again. The cache's clock
is moved past the racy window between steps instead of sleeping.
"""
from __future__ import annotations

import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from portcli import cache

from conftest import SHIPPED


class Clock:
    """The cache's clock: real time plus however far the test has moved it on."""

    def __init__(self):
        self.ahead = 0

    def __call__(self) -> int:
        return time.time_ns() + self.ahead

    def past_the_racy_window(self) -> None:
        self.ahead += cache.RACY_NS + 1_000_000_000  # "sleep 4"


@pytest.fixture
def clock(monkeypatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr(cache, "clock", moved)
    return moved


def twin_folders(root: Path) -> tuple[Path, Path]:
    """Two copies of the shipped measures, each as `measures/` in a folder of its own, so that the
    file names commands print are spelled the same in both; `link` beside it leads to it."""
    on, off = root / "on", root / "off"
    for parent in (on, off):
        shutil.copytree(SHIPPED, parent / "measures")
        (parent / "link").symlink_to("measures", target_is_directory=True)
    return on, off


# Ways to name one folder: they share a cache, and each prints file names as it spells them.
SPELLINGS = ("measures", "./measures", "link", "measures/../measures/")
SPELLING = st.sampled_from(SPELLINGS)


def run_in(run, monkeypatch, parent: Path, argv: list[str], cached: bool, spelling: str = "measures"):
    with monkeypatch.context() as m:
        m.chdir(parent)
        env = {} if cached else {"PORTCLI_NO_CACHE": "1"}
        return run(*argv, "--dir", spelling, env=env)


def files_of(parent: Path) -> dict[str, bytes]:
    """Every YAML file under measures/, plan folders' too, by its path inside measures/."""
    folder = parent / "measures"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.suffix == ".yaml"}


def same_everywhere(run, monkeypatch, on: Path, off: Path, argv: list[str], spelling: str = "measures"):
    with_cache = run_in(run, monkeypatch, on, argv, cached=True, spelling=spelling)
    without = run_in(run, monkeypatch, off, argv, cached=False, spelling=spelling)
    assert (with_cache.exit_code, with_cache.stdout, with_cache.stderr) == \
        (without.exit_code, without.stdout, without.stderr), argv
    assert files_of(on) == files_of(off), argv
    return without


def progress_dates(path: Path) -> list[str]:
    return [line.split("date: ")[1][:10] for line in path.read_text(encoding="utf-8").splitlines()
            if line.lstrip().startswith("- {date: ")]


def test_the_weekly_routine_through_a_warm_cache(tmp_path, run, monkeypatch, clock):
    """The issue's own commands: the second entry goes last, and an earlier date needs --force."""
    on, off = twin_folders(tmp_path)
    steps = [
        ["update", "13", "--status", "推进中", "--note", "5月20日已对接船公司", "--date", "2022-05-20"],
        ["list"],
        ["update", "13", "--note", "6月10日平台已上线试运行", "--date", "2022-06-10"],
        ["list", "--format", "json"],
        ["update", "13", "--note", "补记", "--date", "2022-05-25"],
        ["update", "13", "--status", "done", "--note", "补记", "--date", "2022-05-25", "--force"],
        ["show", "13", "--as-of", "2022-06-15"],
    ]
    results = []
    for argv in steps:
        results.append(same_everywhere(run, monkeypatch, on, off, argv))
        clock.past_the_racy_window()
    assert progress_dates(on / "measures" / "13.yaml") == ["2022-05-20", "2022-05-25", "2022-06-10"]
    assert results[4].exit_code == 2 and "--force" in results[4].stderr  # before the newest entry
    # --force puts it where its date belongs; the status follows the newest entry (06-10, in_progress)
    assert "status: in_progress" in (on / "measures" / "13.yaml").read_text(encoding="utf-8")
    assert results[5].exit_code == 0


MEASURE_IDS = st.sampled_from([2, 10, 13, 14, 25])
DAYS = st.integers(0, 120).map(lambda n: (date(2022, 5, 1) + timedelta(days=n)).isoformat())
STATUS = st.sampled_from(["not_started", "in_progress", "推进中", "blocked", "done", "已完成", "ongoing"])
NOTE = st.sampled_from(["已对接", "平台上线", "\u202e反向", "x" * 30, "冒号: 井号 #"])

WRITE = st.one_of(
    st.builds(lambda i, s, n, d, force: ["update", str(i), "--status", s, "--note", n, "--date", d]
              + (["--force"] if force else []), MEASURE_IDS, STATUS, NOTE, DAYS, st.booleans()),
    st.builds(lambda i, n, d: ["update", str(i), "--note", n, "--date", d], MEASURE_IDS, NOTE, DAYS),
    st.builds(lambda i, to, d: ["extend", str(i), "--to", to, "--reason", "等待系统升级", "--date", d],
              MEASURE_IDS, DAYS, DAYS),
    st.builds(lambda t, n: ["new", "--task", str(t), "--unit", "海关", "--deadline", "年底前", "--local", n],
              st.integers(1, 11), NOTE),
)
READ = st.one_of(
    st.builds(lambda d: ["list", "--format", "json", "--as-of", d], DAYS),
    st.builds(lambda d: ["overdue", "--as-of", d], DAYS),
    st.builds(lambda d: ["report", "--format", "json", "--as-of", d], DAYS),
    st.builds(lambda d: ["report", "--format", "markdown", "--as-of", d], DAYS),
    st.builds(lambda i, d: ["show", str(i), "--format", "json", "--as-of", d], MEASURE_IDS, DAYS),
    st.builds(lambda i, d: ["show", str(i), "--as-of", d], MEASURE_IDS, DAYS),
    st.just(["validate"]),
    st.just(["units"]),
)


# An edit of _plan.yaml, the same in both folders: the plan is cached too, and every file is checked against it.
PLAN_EDIT = st.sampled_from(["title", "alias", "year", "broken", "restore"]).map(lambda how: ["edit-plan", how])


def edit_plan(parent: Path, how: str) -> None:
    path = parent / "measures" / "_plan.yaml"
    text = (SHIPPED / "_plan.yaml").read_text(encoding="utf-8")
    if how == "title":
        text = text.replace("title: 天津口岸", "title: 天津口岸（修订）", 1)
    elif how == "alias":
        text = text.replace("    aliases: [海关]\n", "    aliases: [海关, 津关]\n", 1)
    elif how == "broken":
        text = text.replace("year: 2022", "year: twenty", 1)
    elif how == "year":
        text = text.replace("year: 2022", "year: 2023", 1)
    path.write_text(text, encoding="utf-8")


# How soon a journal is folded into a new base: as shipped, or at every record it would take.
FOLDING = st.sampled_from(["shipped", "every record"])


def fold(monkeypatch, folding: str) -> None:
    if folding == "every record":
        monkeypatch.setattr(cache, "JOURNAL_AT_LEAST", 0)
        monkeypatch.setattr(cache, "JOURNAL_SHARE", 10**9)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.one_of(WRITE, READ, PLAN_EDIT), st.booleans(), SPELLING), min_size=2,
                      max_size=12), folding=FOLDING)
def test_random_writes_and_reads_agree_with_the_cache_on_and_off(tmp_path_factory, run, monkeypatch, steps,
                                                                 folding):
    """Under every spelling of the folder (one shared cache), with the journal folded as shipped or at
    every record, and the plan edited now and then."""
    clock = Clock()
    monkeypatch.setattr(cache, "clock", clock)
    fold(monkeypatch, folding)
    monkeypatch.setenv("PORTCLI_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    on, off = twin_folders(tmp_path_factory.mktemp("twins"))
    for argv, wait, spelling in steps:
        if argv[0] == "edit-plan":
            for parent in (on, off):
                edit_plan(parent, argv[1])
        else:
            same_everywhere(run, monkeypatch, on, off, argv, spelling)
        if wait:  # another read or write a few seconds later: the cache now trusts what was written
            clock.past_the_racy_window()
    for spelling in SPELLINGS:  # and what is there at the end reads the same, however it is named
        for argv in (["list", "--format", "json"], ["validate"]):
            same_everywhere(run, monkeypatch, on, off, argv, spelling)


# --- a measures folder of two plans: one cache per plan folder, the same answers as none ------------

PLANS = ("2022-跨境贸易", "2023-跨境贸易")


def twin_trees(root: Path) -> tuple[Path, Path]:
    """Two copies of a folder of two plans, each the shipped measures: every id is in both plans."""
    on, off = root / "on", root / "off"
    for parent in (on, off):
        for name in PLANS:
            shutil.copytree(SHIPPED, parent / "measures" / name)
    return on, off


REFERENCE = st.builds(lambda plan, i: f"{plan}:{i}", st.sampled_from(PLANS), MEASURE_IDS)
WRITE_IN_A_TREE = st.one_of(
    st.builds(lambda r, s, n, d: ["update", r, "--status", s, "--note", n, "--date", d, "--force"],
              REFERENCE, STATUS, NOTE, DAYS),
    st.builds(lambda r, to, d: ["extend", r, "--to", to, "--reason", "等待系统升级", "--date", d], REFERENCE, DAYS, DAYS),
    st.builds(lambda plan, n: ["new", "--plan", plan, "--task", "3", "--unit", "海关", "--deadline", "年底前",
                               "--local", n], st.sampled_from(PLANS), NOTE),
)
READ_IN_A_TREE = st.one_of(
    st.builds(lambda d: ["list", "--format", "json", "--as-of", d], DAYS),
    st.builds(lambda d, p: ["overdue", "--as-of", d, "--plan", p], DAYS, st.sampled_from(PLANS)),
    st.builds(lambda d: ["report", "--format", "json", "--as-of", d], DAYS),
    st.builds(lambda r, d: ["show", r, "--as-of", d], REFERENCE, DAYS),
    st.just(["validate"]),
    st.just(["units", "--format", "json"]),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.one_of(WRITE_IN_A_TREE, READ_IN_A_TREE), st.booleans(), st.booleans()),
                      min_size=2, max_size=10), folding=FOLDING)
def test_a_folder_of_two_plans_reads_the_same_with_the_cache_on_and_off(tmp_path_factory, run, monkeypatch, steps,
                                                                        folding):
    """With the journal folded as shipped or at every record, and with the cache folder bounded as
    shipped or to nothing (a step that writes one plan's cache may remove the other's)."""
    clock = Clock()
    monkeypatch.setattr(cache, "clock", clock)
    fold(monkeypatch, folding)
    cached = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("PORTCLI_CACHE_DIR", str(cached))
    on, off = twin_trees(tmp_path_factory.mktemp("trees"))
    for argv, wait, cramped in steps:
        monkeypatch.setattr(cache, "_bounded", set())  # each step a run of its own
        with monkeypatch.context() as m:
            m.setenv("PORTCLI_CACHE_MAX_MB", "0" if cramped else "1024")
            same_everywhere(run, monkeypatch, on, off, argv)
        if wait:
            clock.past_the_racy_window()
    monkeypatch.setattr(cache, "_bounded", set())
    clock.past_the_racy_window()  # what is there at the end is old enough to be cached
    for argv in (["list", "--format", "json"], ["validate"]):
        same_everywhere(run, monkeypatch, on, off, argv)
    # one cache file per plan folder, not one for the tree: each plan's files are checked against its own plan
    assert len(list(cached.glob("*.cache"))) == len(PLANS)
