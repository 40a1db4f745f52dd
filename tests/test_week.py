"""The weekly 通报: `report --since` (本期变化), the stale measures (催办) and `list --stale`.

The folder is the shipped measures with fifteen files rewritten, committed to git across three weeks.
The period under test is (2022-06-08, 2022-06-15]: what each list must hold is worked out by hand
below from the table, never from portcli. The plan starts on 2022-05-01.

id  deadline → due          status (file)  progress entries                   extensions      git
 1  5月底前 → 05-31         done           06-01 in_progress, 06-08 done
 2  6月20日前 → 06-20       done           06-09 in_progress, 06-15 done
 3  6月8日前 → 06-08        in_progress    06-08 in_progress
 4  6月15日前 → 06-15       not_started    —
 5  6月14日前 → 06-14       in_progress    06-15 in_progress
 6  6月7日前 → 06-07        in_progress    05-20 in_progress
 7  5月底前 → 06-30         not_started    —                                  06-08 → 06-30
 8  5月底前 → 06-30         not_started    —                                  06-09 → 06-30
 9  5月底前 → 06-20         not_started    —                                  06-15 → 06-20
10  5月底前                  done           05-20 in_progress                                  → done 06-10 10:00 +08
11  5月底前                  done           05-20 in_progress                                  → done 06-08 23:30 +08
12  5月底前                  done           05-20 in_progress                                  → done 06-16 00:30 +08
13  5月底前取得阶段性进展…   ongoing        05-30 ongoing
14  5月底前                  done           05-20 in_progress, 05-25 done
15  5月底前                  blocked        06-01 blocked (committed 06-01)
16…25 as shipped: 5月底前, not_started, no progress.

Commits: everything on 05-25 (10, 11, 12 then in_progress, 15 not_started); 15 blocked on 06-01;
then 11, 10 and 12 turned done by editing their `status:` line only, on the dates above. 12's commit is
06-15 16:30 in UTC, but 06-16 where it was made: a day after the period.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from measure_files import measure_data, plan_data
from programs import DevTools, needs_browser
from week_data import commit, entry, extension, fresh_copy, git, rewrite, set_status, start_plan

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed; .ci/run installs it")
SINCE, AS_OF = "2022-06-08", "2022-06-15"
SHIPPED_REST = list(range(16, 26))


def build(folder: Path) -> dict[int, Path]:
    start_plan(folder, "2022-05-01")
    ip, done = "in_progress", "done"
    files = {
        1: rewrite(folder, 1, deadline="5月底前", status=done, progress=[entry("2022-06-01", ip), entry("2022-06-08", done)]),
        2: rewrite(folder, 2, deadline="6月20日前", status=done,
                   progress=[entry("2022-06-09", ip), entry("2022-06-15", done, note="系统上线")]),
        3: rewrite(folder, 3, deadline="6月8日前", status=ip, progress=[entry("2022-06-08", ip)]),
        4: rewrite(folder, 4, deadline="6月15日前", status="not_started"),
        5: rewrite(folder, 5, deadline="6月14日前", status=ip, progress=[entry("2022-06-15", ip, note="联调")]),
        6: rewrite(folder, 6, deadline="6月7日前", status=ip, progress=[entry("2022-05-20", ip)]),
        7: rewrite(folder, 7, deadline="5月底前", status="not_started",
                   extensions=[extension("2022-06-08", "2022-06-30", was="2022-05-31")]),
        8: rewrite(folder, 8, deadline="5月底前", status="not_started",
                   extensions=[extension("2022-06-09", "2022-06-30", was="2022-05-31")]),
        9: rewrite(folder, 9, deadline="5月底前", status="not_started",
                   extensions=[extension("2022-06-15", "2022-06-20", was="2022-05-31")]),
        13: rewrite(folder, 13, deadline="5月底前取得阶段性进展，持续推动", status="ongoing",
                    progress=[entry("2022-05-30", "ongoing")]),
        14: rewrite(folder, 14, deadline="5月底前", status=done, progress=[entry("2022-05-20", ip), entry("2022-05-25", done)]),
        15: rewrite(folder, 15, deadline="5月底前", status="not_started"),
    }
    for i in (10, 11, 12):
        files[i] = rewrite(folder, i, deadline="5月底前", status=ip, progress=[entry("2022-05-20", ip)])
    return files


@pytest.fixture
def week(tmp_path) -> Path:
    """The folder, committed across three weeks in a git repository (tmp_path/repo)."""
    repository = tmp_path / "repo"
    repository.mkdir()
    folder = fresh_copy(repository / "measures")
    files = build(folder)
    git(repository, "init", "-q")
    commit(repository, "措施文件", "2022-05-25T09:00:00+08:00")
    rewrite(folder, 15, deadline="5月底前", status="blocked", progress=[entry("2022-06-01", "blocked")])
    commit(repository, "措施 15 受阻", "2022-06-01T09:00:00+08:00")
    for i, when in ((11, "2022-06-08T23:30:00+08:00"), (10, "2022-06-10T10:00:00+08:00"),
                    (12, "2022-06-16T00:30:00+08:00")):
        set_status(files[i], "done")
        commit(repository, f"措施 {i} 已完成", when)
    return folder


@pytest.fixture
def no_git_copy(tmp_path, week) -> Path:
    """The same files outside any git repository."""
    target = tmp_path / "plain" / "measures"
    shutil.copytree(week, target)
    return target


def report_json(run, folder, *args, env=None):
    result = run("report", "--dir", folder, "--format", "json", *args, env=env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def changes(run, folder, since=SINCE, as_of=AS_OF, env=None):
    found = report_json(run, folder, "--since", since, "--as-of", as_of, env=env)["changes"]
    return {k: found[k] for k in ("done", "newly_overdue", "progress", "extended")}


def test_the_period_excludes_its_first_day_and_includes_its_last(run, week):
    # done: 2 (entry on 06-15, as_of), 10 (commit on 06-10); not 1 (entry on 06-08, since), not 11 (commit
    # on 06-08), not 12 (commit 06-16 where it was made), not 14 (done 05-25).
    # newly overdue: 3 (due 06-08 = since: overdue from 06-09), 5 (due 06-14); not 4 (due 06-15: due
    # today), not 6 (due 06-07, overdue already on since), not 16…25 (due 05-31).
    # progress: 2 (06-09, 06-15), 5 (06-15); not 1 and 3 (06-08), not 15 (06-01).
    # extended: 8 (06-09), 9 (06-15); not 7 (06-08).
    assert changes(run, week) == {"done": [2, 10], "newly_overdue": [3, 5], "progress": [2, 5], "extended": [8, 9]}


def test_a_day_earlier_since_takes_in_what_happened_on_06_08(run, week):
    # (06-07, 06-15]: 1's done entry and 11's commit (06-08) now count; 6 (due 06-07) is newly overdue;
    # 1 and 3 have progress on 06-08; 7 was extended on 06-08.
    assert changes(run, week, since="2022-06-07") == {
        "done": [1, 2, 10, 11], "newly_overdue": [3, 5, 6], "progress": [1, 2, 3, 5], "extended": [7, 8, 9]}


def test_a_day_earlier_as_of_leaves_out_what_happened_on_06_15(run, week):
    # (06-08, 06-14]: 2's done entry and 9's extension (06-15) are after it; 5 is due on 06-14 itself,
    # so not yet overdue; 5's only entry is 06-15.
    assert changes(run, week, as_of="2022-06-14") == {
        "done": [10], "newly_overdue": [3], "progress": [2], "extended": [8]}


def test_without_git_only_the_progress_entries_tell_what_was_done(run, no_git_copy):
    assert changes(run, no_git_copy)["done"] == [2]


def test_without_a_git_program_only_the_progress_entries_tell(run, week, tmp_path):
    empty = tmp_path / "no-programs"
    empty.mkdir()
    result = run("report", "--dir", week, "--format", "json", "--since", SINCE, "--as-of", AS_OF,
                 env={"PATH": str(empty)})
    assert result.exit_code == 0 and result.stderr == ""  # silently
    assert json.loads(result.stdout)["changes"]["done"] == [2]


def test_a_done_entry_on_a_measure_done_before_the_period_is_progress_not_done(run, no_git_copy):
    # 14 was done on 05-25; a second done entry on 06-10 (its acceptance noted) is news of it, not a
    # change of status: 14 is among the measures with progress, not among those done in the period.
    rewrite(no_git_copy, 14, deadline="5月底前", status="done",
            progress=[entry("2022-05-20", "in_progress"), entry("2022-05-25", "done"),
                      entry("2022-06-10", "done", note="通过验收")])
    found = changes(run, no_git_copy)
    assert (found["done"], found["progress"]) == ([2], [2, 5, 14])


def test_changes_give_the_period(run, week):
    found = report_json(run, week, "--since", SINCE, "--as-of", AS_OF)["changes"]
    assert (found["since"], found["as_of"]) == (SINCE, AS_OF)


def test_a_commit_that_changes_no_status_to_done_is_no_change(run, week):
    # 15's commit on 06-01 changed its status (to blocked): no done in (05-31, 06-01]
    assert changes(run, week, since="2022-05-31", as_of="2022-06-01")["done"] == []


def test_since_after_as_of_is_one_line_and_exit_2(run, week):
    result = run("report", "--dir", week, "--since", "2022-06-16", "--as-of", AS_OF)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("portcli: ")
    assert "2022-06-16" in result.stderr and AS_OF in result.stderr


def test_since_equal_to_as_of_is_an_empty_period(run, week):
    assert changes(run, week, since=AS_OF) == {"done": [], "newly_overdue": [], "progress": [], "extended": []}


# --- stale (催办) ----------------------------------------------------------------------------------

# Not done and silent for more than 14 days on 06-15 (the plan starts 05-01): 4 (no entry: 45 days),
# 6 (05-20: 26), 7, 8, 9 (no entry), 13 (ongoing, 05-30: 16), 16…25 (no entry). Not 3 (06-08: 7 days),
# 5 (06-15: 0), 15 (06-01: exactly 14), nor the done ones (1, 2, 10, 11, 12, 14).
STALE = [4, 6, 7, 8, 9, 13, *SHIPPED_REST]


def listed(run, folder, *args):
    result = run("list", "--dir", folder, "--format", "json", "--as-of", AS_OF, *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_list_stale_defaults_to_14_days(run, week):
    assert [m["id"] for m in listed(run, week, "--stale")] == STALE
    assert [m["id"] for m in listed(run, week, "--stale", "14")] == STALE
    assert [m["id"] for m in listed(run, week, "--stale=14")] == STALE


def test_list_stale_days_moves_the_line(run, week):
    assert [m["id"] for m in listed(run, week, "--stale", "13")] == sorted([*STALE, 15])  # 15: 14 days silent
    assert [m["id"] for m in listed(run, week, "--stale", "26")] == [4, 7, 8, 9, *SHIPPED_REST]  # 6: 26 is not more
    # 0: every measure not done with no entry on as_of itself
    assert [m["id"] for m in listed(run, week, "--stale", "0")] == sorted([3, 15, *STALE])


def test_list_stale_combines_with_other_filters(run, week):
    # key task 2 holds 5, 6, 7 (5 heard of on 06-15); key task 3 holds 8
    assert [m["id"] for m in listed(run, week, "--stale", "--task", "2")] == [6, 7]
    assert [m["id"] for m in listed(run, week, "--stale", "--status", "not_started", "--task", "2", "--task", "3")] == [7, 8]


@pytest.mark.parametrize("value", ["-1", "36501", "soon"])
def test_a_wrong_stale_is_refused(run, week, value):
    for command in (["list"], ["report"]):
        result = run(*command, "--dir", week, f"--stale={value}")
        assert result.exit_code == 2, (command, result.stdout)
        assert "--stale" in result.stderr


def test_list_json_says_when_each_measure_was_last_heard_of(run, week):
    found = {m["id"]: m for m in listed(run, week)}
    assert (found[6]["last_progress"], found[6]["days_since_progress"]) == ("2022-05-20", 26)
    assert (found[4]["last_progress"], found[4]["days_since_progress"]) == (None, 45)  # since 05-01
    assert (found[5]["last_progress"], found[5]["days_since_progress"]) == ("2022-06-15", 0)
    assert list(found[6])[-3:] == ["last_progress", "days_since_progress", "file"]
    earlier = {m["id"]: m for m in listed(run, week, "--as-of", "2022-06-12")}  # the later --as-of wins
    assert (earlier[2]["last_progress"], earlier[2]["days_since_progress"]) == ("2022-06-09", 3)


def test_show_json_has_the_same_keys_as_list(run, week):
    shown = json.loads(run("show", "6", "--dir", week, "--format", "json", "--as-of", AS_OF).stdout)
    assert shown == {m["id"]: m for m in listed(run, week)}[6]


def test_list_stale_table_shows_the_days_silent(run, week):
    result = run("list", "--dir", week, "--as-of", AS_OF, "--stale", "--task", "2")  # 6 and 7
    assert "Days silent" in result.stdout.splitlines()[0]
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[2:-1]}
    assert sorted(rows) == ["6", "7"]
    assert "26" in rows["6"] and "45" in rows["7"]  # 7 has no entry: since the plan's start, 05-01


def test_report_stale_by_unit_lead_before_co_operating(run, week):
    found = report_json(run, week, "--since", SINCE, "--as-of", AS_OF)
    assert found["stale"] == STALE and found["stale_days"] == 14
    units = {i: data["units"] for i, data in measure_data(week).items()}
    expected = []
    for unit in (u["name"] for u in plan_data(week)["units"]):  # the registry's order
        led = [i for i in STALE if units[i][0] == unit]
        co = [i for i in STALE if unit in units[i][1:]]
        if led or co:
            expected.append({"unit": unit, "lead": led, "co_operating": co})
    assert found["stale_by_unit"] == expected
    assert expected[0]["unit"] == "市商务局" and expected[0]["lead"] and expected[0]["co_operating"]


def test_report_stale_days_sets_n(run, week):
    found = report_json(run, week, "--stale", "13", "--as-of", AS_OF)
    assert found["stale"] == sorted([*STALE, 15]) and found["stale_days"] == 13
    assert "changes" not in found  # no --since, no period


def test_report_of_one_unit_chases_only_its_measures(run, week):
    found = report_json(run, week, "--since", SINCE, "--as-of", AS_OF, "--unit", "天津海关")
    units = {i: data["units"] for i, data in measure_data(week).items()}
    mine = [i for i in STALE if "天津海关" in units[i]]
    assert found["stale"] == mine
    assert [g["unit"] for g in found["stale_by_unit"]] == ["天津海关"]
    assert found["changes"]["progress"] == [i for i in (2, 5) if "天津海关" in units[i]]


# --- every format shows the sections ----------------------------------------------------------------

def test_without_since_the_report_has_the_bulletin_but_no_changes(run, week):
    """Every report is the week's 通报 (figures, 催办); only --since adds what changed in a period."""
    plain = report_json(run, week, "--as-of", AS_OF)
    assert list(plain) == ["as_of", "unit", "total", "by_status", "completion_rate", "overdue", "due_soon",
                           "extended", "units", "overdue_measures", "stale_days", "stale", "stale_by_unit", "ranked"]
    assert list(plain["units"][0]) == ["unit", "lead", "involved", "done", "overdue", "extended", "as_lead",
                                       "as_co_operating"]
    assert plain["stale_days"] == 14 and len(plain["stale"]) == 16 and plain["ranked"] is False
    for fmt in ("table", "markdown", "html"):
        out = run("report", "--dir", week, "--as-of", AS_OF, "--format", fmt).stdout
        assert "Changes after" not in out, fmt
        assert "To chase: no progress for more than 14 days: 16" in out and "Per unit: on time" in out, fmt


@pytest.mark.parametrize("lang, changes_title, stale_title, figures_title", [
    ("en", "Changes after 2022-06-08 up to 2022-06-15", "To chase: no progress for more than 14 days: 16",
     "Per unit: on time, overdue, stale"),
    ("zh", "本期变化（2022-06-08 后至 2022-06-15）", "催办（超过 14 天无进展）：16", "各单位按期完成、逾期与催办情况"),
])
def test_every_report_format_shows_the_sections(run, week, tmp_path, lang, changes_title, stale_title, figures_title):
    env = {"PORTCLI_LANG": lang}
    args = ("report", "--dir", week, "--since", SINCE, "--as-of", AS_OF)
    table = run(*args, env=env).stdout
    assert changes_title in table.splitlines()
    assert stale_title in table and figures_title in table
    markdown = run(*args, "--format", "markdown", env=env).stdout
    assert f"### {changes_title}" in markdown and f"### {stale_title}" in markdown and f"### {figures_title}" in markdown
    html = run(*args, "--format", "html", env=env).stdout
    assert f'<h2 id="changes">{changes_title}</h2>' in html and f'<h2 id="stale">{stale_title}</h2>' in html
    assert f'<h2 id="ranking">{figures_title}</h2>' in html
    summary = tmp_path / f"summary-{lang}.md"
    github = run(*args, "--format", "github", env={**env, "GITHUB_STEP_SUMMARY": str(summary)})
    assert github.stdout.startswith("::warning ")  # the annotations, as before
    assert f"### {changes_title}" in summary.read_text(encoding="utf-8")


def test_the_terminal_section_lists_each_change(run, week):
    lines = run("report", "--dir", week, "--since", SINCE, "--as-of", AS_OF, env={"PORTCLI_LANG": "zh"}).stdout.splitlines()
    at = lines.index("本期变化（2022-06-08 后至 2022-06-15）")
    assert [line.split() for line in lines[at + 1:at + 5]] == [
        ["已完成", "2", "2、10"], ["新增逾期", "2", "3、5"], ["有进展", "2", "2、5"], ["获批延期", "2", "8、9"]]


def test_the_markdown_section_lists_each_change(run, week):
    markdown = run("report", "--dir", week, "--since", SINCE, "--as-of", AS_OF, "--format", "markdown").stdout
    assert ("| Change | Count | IDs |\n|---|---:|---|\n| Done | 2 | 2, 10 |\n| Newly overdue | 2 | 3, 5 |\n"
            "| With progress | 2 | 2, 5 |\n| Extension approved | 2 | 8, 9 |\n") in markdown


def test_gitlab_code_quality_has_no_section(run, week):
    plain = run("report", "--dir", week, "--as-of", AS_OF, "--format", "gitlab").stdout
    weekly = run("report", "--dir", week, "--as-of", AS_OF, "--since", SINCE, "--format", "gitlab").stdout
    assert weekly == plain


def test_report_json_is_the_same_in_both_languages(run, week):
    args = ("--since", SINCE, "--as-of", AS_OF, "--rank")
    english = run("report", "--dir", week, "--format", "json", *args, env={"PORTCLI_LANG": "en"}).stdout
    chinese = run("report", "--dir", week, "--format", "json", *args, env={"PORTCLI_LANG": "zh"}).stdout
    assert english == chinese and json.loads(english)["changes"]["done"] == [2, 10]


def test_a_bulletin_report_fits_its_schema(run, week):
    from schema_files import validator_for

    validator = validator_for(Path(__file__).resolve().parents[1] / "schema" / "report.schema.json")
    validator.validate(report_json(run, week, "--since", SINCE, "--as-of", AS_OF, "--rank"))


def two_plans(tmp_path):
    """A measures folder of two plan folders: 2022's the shipped copy, 2023's its plan alone, to fill."""
    root = tmp_path / "measures"
    old, new = root / "2022-跨境贸易", root / "2023-跨境贸易"
    fresh_copy(old)
    new.mkdir(parents=True)
    shutil.copy(old / "_plan.yaml", new / "_plan.yaml")
    return root, old, new


def test_several_plans_name_their_changes_plan_colon_id(run, tmp_path):
    root, old, new = two_plans(tmp_path)
    rewrite(new, 5, deadline="6月30日前", status="in_progress", progress=[entry("2022-06-10", "in_progress")])
    rewrite(old, 5, deadline="6月30日前", status="in_progress", progress=[entry("2022-06-01", "in_progress")])
    found = report_json(run, root, "--since", SINCE, "--as-of", AS_OF)
    assert found["total"]["changes"]["progress"] == ["2023-跨境贸易:5"]
    assert found["plans"]["2022-跨境贸易"]["changes"]["progress"] == []
    assert found["plans"]["2023-跨境贸易"]["changes"]["progress"] == ["2023-跨境贸易:5"]


def test_several_plans_list_their_changes_by_plan_then_id(run, tmp_path):
    # Progress in the period on 2022's measure 7 and 2023's 3 and 5: plan first, so 2022-…:7 leads
    # although its id is the highest.
    root, old, new = two_plans(tmp_path)
    for folder, measure_id in ((old, 7), (new, 3), (new, 5)):
        rewrite(folder, measure_id, deadline="6月30日前", status="in_progress", progress=[entry("2022-06-10", "in_progress")])
    found = report_json(run, root, "--since", SINCE, "--as-of", AS_OF)
    assert found["total"]["changes"]["progress"] == ["2022-跨境贸易:7", "2023-跨境贸易:3", "2023-跨境贸易:5"]


@needs_browser
@pytest.mark.parametrize("width", [390, 1280])
def test_the_bulletin_page_in_a_browser(run, week, tmp_path, width):
    """Headless Chromium shows the three sections, in Chinese, and nothing runs off a phone's screen."""
    page = tmp_path / "通报.html"
    result = run("report", "--dir", week, "--since", SINCE, "--as-of", AS_OF, "--rank", "--output", page,
                 env={"PORTCLI_LANG": "zh"})
    assert result.exit_code == 0, result.stderr
    with DevTools(tmp_path / "profile") as devtools:
        devtools.open(page, width, 844, mobile=width < 640)
        shown = devtools.evaluate("""(() => {
            const texts = [...document.querySelectorAll('body *')].filter(e =>
                [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) && e.getClientRects().length);
            const cells = id => [...document.querySelectorAll('#' + id + ' + table tbody tr')].map(
                tr => [...tr.children].map(td => td.innerText.trim()));
            return {headings: [...document.querySelectorAll('h2')].map(h => h.innerText),
                    changes: cells('changes'), ranking: cells('ranking').map(row => row[0]),
                    scrollWidth: document.documentElement.scrollWidth, viewport: innerWidth,
                    smallestFont: Math.min(...texts.map(e => parseFloat(getComputedStyle(e).fontSize)))};
        })()""")
    assert shown["viewport"] == width and shown["scrollWidth"] == width, shown
    assert shown["smallestFont"] >= 12, shown
    headings = shown["headings"]
    assert headings[0] == "本期变化（2022-06-08 后至 2022-06-15）"
    assert "各单位按期完成、逾期与催办情况（由差到好）" in headings and headings[-2].startswith("催办（超过 14 天无进展）：16")
    assert [row[-1] for row in shown["changes"]] == ["2、10", "3、5", "2、5", "8、9"]
    assert len(shown["ranking"]) == len(json.loads(run("report", "--dir", week, "--as-of", AS_OF, "--format", "json").stdout)["units"])
