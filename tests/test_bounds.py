"""Numbers and dates have bounds: every int option, every date option and every date sum ends in
output or a one-line refusal (exit 2), never in "internal error: OverflowError" (issue 10).

The bounds: dates 1901-01-01…2999-12-31 (the years a plan may have), ids 1…999,999,999, --limit
0…999,999,999, --due-soon 0…36,500 days, --task the plan's key tasks. A measure file is held to
the same dates (test_trust_rules), and query's sums must not overflow even for a date past them.
"""
from __future__ import annotations

import json
import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from folder_state import snapshot
from measure_files import measure_data, replace_line

FIRST, LAST = date(1901, 1, 1), date(2999, 12, 31)
SOON_MAX = 36_500
PHRASE_DUES = {"5月底前": date(2022, 5, 31), "5月底前取得阶段性进展，持续推动": date(2022, 5, 31),
               "2999年12月底前": date(2999, 12, 31)}

# 60 examples a property in CI; PORTCLI_PROPERTY_SCALE=10 for ten times as many (as in test_properties)
BOUNDS = settings(deadline=None, max_examples=60 * int(os.environ.get("PORTCLI_PROPERTY_SCALE", "1")), print_blob=True,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def edge_folder(measures_dir: Path) -> Path:
    """Due dates at the bounds: 2999-12-31 (the last a file may hold), 1901-01-01, an extension to
    2999-12-31, a phrase in 2999, a done measure."""
    replace_line(measures_dir / "01.yaml", "status:", "due: 2999-12-31\nstatus: not_started")
    replace_line(measures_dir / "02.yaml", "status:", "due: 1901-01-01\nstatus: not_started")
    replace_line(measures_dir / "03.yaml", "progress: []", "progress: []\nextensions:\n"
                 "  - {date: 2022-05-20, from: 2022-05-31, to: 2999-12-31, reason: 等待系统升级}")
    replace_line(measures_dir / "04.yaml", "deadline:", "deadline: 2999年12月底前")
    replace_line(measures_dir / "06.yaml", "status:", "due: 2999-12-30\nstatus: done")
    return measures_dir


def effective_dues(folder: Path) -> dict[int, tuple[date | None, str]]:
    """id -> (due date, status), worked out from the files by SPEC §3's precedence, by hand."""
    out = {}
    for id_, m in measure_data(folder).items():
        due = m["extensions"][-1]["to"] if m.get("extensions") else m.get("due") or PHRASE_DUES.get(m["deadline"])
        out[id_] = (due, m["status"])
    return out


def ids(result) -> list[int]:
    assert result.exit_code == 0, result.stderr
    return sorted(m["id"] for m in json.loads(result.stdout))


def assert_refused(result, *words: str) -> None:
    """Exit 2, nothing on stdout, the reason on stderr, no traceback and no internal error."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.stdout == ""
    for word in words:
        assert word in result.stderr, (word, result.stderr)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


# --- the two examples ------------------------------------------------------------------

def test_a_huge_due_soon_window_is_refused_with_its_bound(run, edge_folder):
    for command in ("list", "report"):
        result = run(command, "--due-soon", "3000000", "--as-of", "2022-05-01", "--dir", edge_folder)
        assert_refused(result, "Invalid value for '--due-soon': 3000000 is not in the range 0<=x<=36500")


def test_an_as_of_past_the_last_year_is_refused(run, edge_folder):
    result = run("report", "--as-of", "9999-12-30", "--dir", edge_folder)
    assert_refused(result, "'9999-12-30' is out of range: dates go from 1901-01-01 to 2999-12-31")


def test_the_widest_window_from_the_last_day_still_counts(run, edge_folder):
    """The widest window from the last day a command line may give (2999-12-31 + 36,500 days is in
    3099): measures 1 (`due: 2999-12-31`), 3 (extended to 2999-12-31) and 4 (2999年12月底前) are
    due that very day."""
    result = run("list", "--due-soon", str(SOON_MAX), "--as-of", "2999-12-31", "-f", "json", "--dir", edge_folder)
    assert ids(result) == [1, 3, 4]
    overdue = json.loads(run("overdue", "--as-of", "2999-12-31", "-f", "json", "--dir", edge_folder).stdout)
    # 1901-01-01 to 2999-12-31: 1099 years, 266 of them leap (1904…2996, less 2100, 2200, 2300,
    # 2500, 2600, 2700, 2900), so 1099 * 365 + 266 days
    assert {m["id"]: m["days_overdue"] for m in overdue}[2] == 1099 * 365 + 266


def test_the_due_soon_sum_cannot_overflow_whatever_the_dates(edge_folder):
    """query is where the date sum happens: a due date of 9999-12-31 (no file may hold it now, but
    query does not rely on that), as of 9999-12-30 and with any window, is a difference of dates,
    never today + N past date.max."""
    from portcli.values import replace

    from portcli import query
    from portcli.load import load

    loaded = load(edge_folder)
    by_id = {m.id: m for m in loaded.measures}
    by_id[1] = replace(by_id[1], due_override=date(9999, 12, 31))
    loaded.measures[:] = [by_id[m.id] for m in loaded.measures]
    last_but_one = date(9999, 12, 30)
    assert query.is_due_soon(by_id[1], last_but_one, query.DEFAULT_DUE_SOON_DAYS) and query.is_due_soon(by_id[1], last_but_one, 10**30)
    assert not query.is_due_soon(by_id[1], last_but_one, 0)  # due tomorrow, a window of today only
    assert query.is_due_soon(by_id[2], date(1, 1, 1), 10**30)
    result = query.report(loaded.measures, loaded.plan, date.max, 10**30)
    # due on date.max itself: met on the day (SPEC §3), so due soon and not overdue
    assert 1 in [m.id for m in result.due_soon] and 1 not in [m.id for m in result.overdue]
    assert query.days_overdue(by_id[2], date.max) == (date.max - date(1901, 1, 1)).days


# --- every int option, over values far inside and far outside its bound -------------------------

INT_OPTIONS = [  # (arguments with {n}, the lowest and highest value taken, what a value out of them says)
    (("list", "--due-soon", "{n}"), 0, SOON_MAX, "Invalid value for '--due-soon'"),
    (("report", "--due-soon", "{n}"), 0, SOON_MAX, "Invalid value for '--due-soon'"),
    (("list", "--limit", "{n}"), 0, 999_999_999, "Invalid value for '--limit'"),
    (("overdue", "--limit", "{n}"), 0, 999_999_999, "Invalid value for '--limit'"),
    (("show", "--", "{n}"), 1, 999_999_999, "Invalid value for 'ID'"),
    (("history", "--", "{n}"), 1, 999_999_999, "Invalid value for 'ID'"),
    (("update", "--note", "x", "--", "{n}"), 1, 999_999_999, "Invalid value for 'ID'"),
    (("extend", "--to", "2023-01-01", "--reason", "x", "--", "{n}"), 1, 999_999_999, "Invalid value for 'ID'"),
]

numbers = st.one_of(
    st.integers(-10, 40_000), st.integers(-10**40, 10**40),
    st.sampled_from([-1, 0, 1, SOON_MAX, SOON_MAX + 1, 999_999_999, 10**9, 2**31, 2**63, 10**4299]))


def fresh(folder: Path, tmp_path_factory) -> Path:
    """A copy for one example: examples that write must not see each other's writes."""
    copy = tmp_path_factory.mktemp("example") / "measures"
    shutil.copytree(folder, copy)
    return copy


def with_options(args: list[str], *options: str) -> list[str]:
    """`options` before a `--` that ends them, if there is one."""
    end = args.index("--") if "--" in args else len(args)
    return [*args[:end], *options, *args[end:]]


@BOUNDS
@given(option=st.sampled_from(INT_OPTIONS), n=numbers)
def test_every_int_option_has_a_bound(run, edge_folder, tmp_path_factory, option, n):
    args, low, high, refusal = option
    folder = fresh(edge_folder, tmp_path_factory)
    before = snapshot(folder)
    as_of = () if args[0] == "history" else ("--as-of", "2022-06-15")
    result = run(*with_options([a.format(n=n) for a in args], *as_of, "--dir", str(folder)))
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if not low <= n <= high:
        assert_refused(result, refusal)
        assert snapshot(folder) == before
    elif args[0] in ("list", "report", "overdue"):
        assert result.exit_code == 0, result.stderr
    elif n > 25:  # an id in range that no file has
        assert_refused(result, f"no measure with id {n}")


@pytest.mark.parametrize("task", ["0", "12", "-5", str(10**30), "9" * 5000])
@pytest.mark.parametrize("command", ["list", "new"])
def test_a_task_number_is_bounded_by_the_plan(run, edge_folder, command, task):
    before = snapshot(edge_folder)
    extra = ("--unit", "市商务局", "--deadline", "年底前", "--national", "x") if command == "new" else ()
    result = run(command, "--task", task, *extra, "--dir", edge_folder)
    if len(task) > 4300:  # more digits than Python turns into a number: not a number at all
        assert_refused(result, "Invalid value for '--task'", "is not a valid int")
    elif command == "new" and int(task) < 1:  # `new --task 0` said "a new measure needs --task"
        assert_refused(result, f"Invalid value for '--task' / '-t': {task} is not in the range x>=1")
    else:
        assert_refused(result, f"no key task {task}", "1…11")
    assert snapshot(edge_folder) == before


@pytest.mark.parametrize("command", ["list", "report"])
def test_a_negative_due_soon_is_out_of_range_not_an_unknown_option(run, edge_folder, command):
    """--due-soon takes an optional value; -1 is its (wrong) value, not an option named -1."""
    assert_refused(run(command, "--due-soon", "-1", "--dir", edge_folder),
                   "Invalid value for '--due-soon': -1 is not in the range 0<=x<=36500")


@BOUNDS
@given(as_of=st.one_of(st.dates(date(1901, 1, 1), date(1901, 3, 1)), st.dates(date(2999, 10, 1), date(2999, 12, 31)),
                       st.dates(date(2022, 1, 1), date(2022, 12, 31))),
       days=st.one_of(st.integers(0, 100), st.integers(0, SOON_MAX), st.sampled_from([0, SOON_MAX])))
def test_due_soon_windows_at_the_edges_of_the_dates(run, edge_folder, as_of, days):
    dues = effective_dues(edge_folder)
    expected = sorted(i for i, (due, status) in dues.items()
                      if due is not None and status != "done" and as_of <= due <= as_of + timedelta(days=days))
    result = run("list", "--due-soon", str(days), "--as-of", as_of.isoformat(), "-f", "json", "--dir", edge_folder)
    assert ids(result) == expected
    report = json.loads(run("report", "--due-soon", str(days), "--as-of", as_of.isoformat(), "-f", "json",
                            "--dir", edge_folder).stdout)
    late = sorted(i for i, (due, status) in dues.items() if due is not None and status != "done" and as_of > due)
    assert (sorted(report["due_soon"]), sorted(report["overdue"])) == (expected, late)


# --- every date option --------------------------------------------------------------------------

DATE_OPTIONS = [  # read commands, then the ones that write
    ("list", "--as-of", "{d}"), ("list", "--due-before", "{d}"), ("list", "--due-after", "{d}"),
    ("show", "2", "--as-of", "{d}"), ("overdue", "--as-of", "{d}"), ("report", "--as-of", "{d}"),
    ("export", "--format", "csv", "--as-of", "{d}"),
    ("update", "7", "--note", "x", "--date", "{d}", "--force"), ("update", "7", "--note", "x", "--as-of", "{d}"),
    ("extend", "8", "--to", "{d}", "--reason", "x", "--date", "2022-05-20"),
    ("extend", "8", "--to", "2999-12-31", "--reason", "x", "--date", "{d}"),
    ("new", "--task", "1", "--unit", "市商务局", "--deadline", "年底前", "--national", "x", "--due", "{d}"),
]

dates = st.one_of(st.dates(), st.dates(date(1, 1, 1), date(1, 1, 31)), st.dates(date(9999, 12, 1), date(9999, 12, 31)),
                  st.sampled_from([FIRST, LAST, FIRST - timedelta(days=1), LAST + timedelta(days=1)]))


@BOUNDS
@given(option=st.sampled_from(DATE_OPTIONS), day=dates)
def test_every_date_option_has_a_bound(run, edge_folder, tmp_path_factory, option, day):
    folder = fresh(edge_folder, tmp_path_factory)
    before = snapshot(folder)
    result = run(*[a.format(d=day.isoformat()) for a in option], "--dir", folder)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if FIRST <= day <= LAST:
        # extend 8 --to a day not after 2022-05-31 is refused by the extension rule, not the bound
        refused_by_rule = option[:4] == ("extend", "8", "--to", "{d}") and day <= date(2022, 5, 31)
        assert result.exit_code == (2 if refused_by_rule else 0), result.stderr
        assert "out of range" not in result.stderr
    else:
        assert_refused(result, f"'{day.isoformat()}' is out of range: dates go from 1901-01-01 to 2999-12-31")
        assert snapshot(folder) == before


@pytest.mark.parametrize("text", ["202-05-31", "0001-01-01", "10000-01-01", "1900年12月31日", "3000/1/1"])
def test_a_date_typo_is_not_written_into_a_file(run, edge_folder, text):
    before = snapshot(edge_folder)
    result = run("update", "7", "--note", "x", "--date", text, "--dir", edge_folder)
    assert_refused(result, "Invalid value for '--date'", repr(text))
    assert snapshot(edge_folder) == before


# --- deadline phrases: the years a phrase may name ----------------------------------------------

@pytest.mark.parametrize("phrase", ["9999年12月底前", "3000年底前", "1900年6月30日前", "0001年1月底前",
                                    "9999年上半年", "3000年三季度末", "9999年5月底前取得阶段性进展，持续推动"])
def test_a_phrase_naming_a_year_out_of_range_is_a_problem_at_its_line(run, measures_dir, phrase):
    replace_line(measures_dir / "05.yaml", "deadline:", f"deadline: {phrase}")
    result = run("validate", "--dir", measures_dir)
    assert result.exit_code == 2
    line = next(n for n, text in enumerate((measures_dir / "05.yaml").read_text().splitlines(), 1)
                if text.startswith("deadline:"))
    year = int(phrase[:4])
    assert f"05.yaml:{line}: deadline '{phrase}' names the year {year}; deadlines fall in the years 1901…2999" \
        in result.stderr


def test_a_phrase_in_the_last_year_is_due_on_its_day(run, measures_dir):
    replace_line(measures_dir / "05.yaml", "deadline:", "deadline: 2999年12月底前")
    shown = json.loads(run("show", "5", "--as-of", "2999-12-31", "-f", "json", "--dir", measures_dir).stdout)
    assert (shown["due"], shown["overdue"]) == ("2999-12-31", False)


def test_new_refuses_a_phrase_out_of_range_and_writes_nothing(run, measures_dir):
    before = snapshot(measures_dir)
    result = run("new", "--task", "1", "--unit", "市商务局", "--deadline", "9999年12月底前", "--national", "x",
                 "--dir", measures_dir)
    assert result.exit_code == 2 and "names the year 9999" in result.stderr
    assert snapshot(measures_dir) == before


# --- the terminal's width is a number too -------------------------------------------------------

@pytest.mark.parametrize("columns", ["0", "1", "20"])
@pytest.mark.parametrize("command", [("list", "--limit", "0"), ("overdue",), ("show", "14")])
def test_a_terminal_width_below_80_still_shows_every_column(run, measures_dir, command, columns):
    """COLUMNS=0 printed nothing at all and exited 0; at 20 the ids and due dates were squeezed
    to … . Below 80 columns portcli draws 80, and the terminal wraps."""
    narrow = run(*command, "--as-of", "2022-06-15", "--dir", measures_dir, env={"COLUMNS": columns})
    wide = run(*command, "--as-of", "2022-06-15", "--dir", measures_dir, env={"COLUMNS": "80"})
    assert narrow.exit_code == wide.exit_code == 0
    assert narrow.stdout == wide.stdout
    assert "2022-05-31" in narrow.stdout and "14" in narrow.stdout


def test_an_id_too_big_for_a_file_name_is_refused_where_it_is_written(run, measures_dir):
    """`id: 1000…0` (300 zeros) made `new` name the next file after it, a name longer than the file
    system allows ("internal error: OSError"). The reader refuses the id at its line; `new` goes on
    past the invalid file with a warning."""
    big = 10**300
    path = measures_dir / "25.yaml"
    replace_line(path, "id:", f"id: {big}")
    assert "25.yaml:2: `id` must be a whole number from 1 to 999999999" in run("validate", "--dir", measures_dir).stderr
    result = run("new", "--task", "1", "--unit", "市商务局", "--deadline", "年底前", "--national", "x",
                 "--dir", measures_dir)
    assert result.exit_code == 0 and (measures_dir / "26.yaml").is_file()
    assert "25.yaml:2:" in result.stderr and "warning" in result.stderr
