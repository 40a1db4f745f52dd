"""Deadline phrases and dates (SPEC §3): every phrase of the document and the other common forms."""
from __future__ import annotations

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from measure_files import insert_before, measure_data, replace_line
from portcli.load import load
from portcli.deadline import DeadlineError, parse_date, parse_deadline

# phrase, kind, due (plan year 2022), authority — read off SPEC §3's table and the calendar.
PHRASES = [
    ("5月底前", "date", date(2022, 5, 31), None),
    ("5 月底前", "date", date(2022, 5, 31), None),  # the document's typesetting space
    ("5月底", "date", date(2022, 5, 31), None),
    ("５月底前", "date", date(2022, 5, 31), None),  # full-width digit
    ("11月底前", "date", date(2022, 11, 30), None),
    ("12月底前", "date", date(2022, 12, 31), None),
    ("6月30日前", "date", date(2022, 6, 30), None),
    ("6 月 30 日前", "date", date(2022, 6, 30), None),
    ("2022年6月30日前", "date", date(2022, 6, 30), None),
    ("2023年6月30日前", "date", date(2023, 6, 30), None),  # a phrase that names its year keeps it
    ("2022-06-30", "date", date(2022, 6, 30), None),
    ("年底前", "date", date(2022, 12, 31), None),
    ("年内", "date", date(2022, 12, 31), None),
    ("上半年", "date", date(2022, 6, 30), None),
    ("一季度末", "date", date(2022, 3, 31), None),
    ("二季度末", "date", date(2022, 6, 30), None),
    ("三季度末", "date", date(2022, 9, 30), None),
    ("四季度末", "date", date(2022, 12, 31), None),
    ("三季度", "date", date(2022, 9, 30), None),
    ("5月底前取得阶段性进展，持续推动", "milestone", date(2022, 5, 31), None),
    # A year in the phrase is kept, whichever form it comes in; the plan's year only fills a gap.
    ("2023年底前", "date", date(2023, 12, 31), None),
    ("2021年年底前", "date", date(2021, 12, 31), None),
    ("2023年3月底前", "date", date(2023, 3, 31), None),
    ("2024年2月底前", "date", date(2024, 2, 29), None),  # 2024 is a leap year, the plan's 2022 is not
    ("2023年上半年", "date", date(2023, 6, 30), None),
    ("2023年下半年", "date", date(2023, 12, 31), None),
    ("下半年", "date", date(2022, 12, 31), None),
    ("2023年第一季度", "date", date(2023, 3, 31), None),
    ("2023年3季度末", "date", date(2023, 9, 30), None),
    ("2023年5月底前取得阶段性进展，持续推动", "milestone", date(2023, 5, 31), None),
    ("2023/1/15前", "date", date(2023, 1, 15), None),
    ("5 月底前取得阶段性进展，持续推动", "milestone", date(2022, 5, 31), None),
    ("持续推动", "ongoing", None, None),
    ("长期坚持", "ongoing", None, None),
    ("按照海关总署统一部署推动实施", "external", None, "海关总署"),
    ("按照交通运输部等国家部委统一部署推动实施", "external", None, "交通运输部等国家部委"),
]


@pytest.mark.parametrize(("phrase", "kind", "due", "authority"), PHRASES)
def test_phrase(phrase, kind, due, authority):
    deadline = parse_deadline(phrase, 2022)
    assert (deadline.kind, deadline.due, deadline.authority) == (kind, due, authority)
    assert deadline.phrase == "".join(phrase.split()).replace("５", "5")  # stored without whitespace


def test_every_phrase_of_the_document_is_in_the_table():
    in_document = {data["deadline"] for data in measure_data().values()}
    assert in_document <= {phrase for phrase, *_ in PHRASES}
    assert len(in_document) == 4  # 5月底前, the milestone, and the two national schedules


@pytest.mark.parametrize(("year", "last_day"), [(2022, 28), (2023, 28), (2024, 29), (2000, 29), (2100, 28)])
def test_end_of_february_follows_the_plan_year(year, last_day):
    assert parse_deadline("2月底前", year).due == date(year, 2, last_day)


@given(year=st.integers(1901, 2999), month=st.integers(1, 12))
def test_month_end_is_the_day_before_the_next_month(year, month):
    first = date(year, month, 1)
    assert parse_deadline(f"{month}月底前", year).due == first + relativedelta(months=1, days=-1)


@given(day=st.dates(date(1901, 1, 1), date(2999, 12, 31)))
def test_parse_date_reads_every_real_day_in_each_form(day):
    y, m, d = day.year, day.month, day.day
    for text in (day.isoformat(), f"{y}/{m}/{d}", f"{y}年{m}月{d}日", day.strftime("%d %B %Y")):
        assert parse_date(text) == day, text


@pytest.mark.parametrize("year", [2022, 2024])
def test_year_end(year):
    assert parse_deadline("年底前", year).due == date(year, 12, 31)


@pytest.mark.parametrize("phrase", ["2月30日前", "2022年2月29日前", "13月底前", "0月底前", "2022-02-30", "4月31日前"])
def test_impossible_dates_are_refused(phrase):
    with pytest.raises(DeadlineError, match="no real date"):
        parse_deadline(phrase, 2022)


@pytest.mark.parametrize("phrase", ["尽快", "适时", "", "月底前", "五季度末", "5月底前完成验收", "持续推动，长期坚持吗"])
def test_unknown_phrases_are_refused(phrase):
    with pytest.raises(DeadlineError, match="unrecognised deadline"):
        parse_deadline(phrase, 2022)


# --- due: and extensions, through real files --------------------------------------------------------

def _measure(directory, measure_id):
    loaded = load(directory)
    assert loaded.problems == []
    return next(m for m in loaded.measures if m.id == measure_id)


def test_leap_year_plan_through_the_files(measures_dir):
    replace_line(measures_dir / "_plan.yaml", "year:", "year: 2024")
    replace_line(measures_dir / "14.yaml", "deadline:", "deadline: 2月底前")
    m = _measure(measures_dir, 14)
    assert (m.deadline.kind, m.due, m.due_source) == ("date", date(2024, 2, 29), "deadline")
    assert _measure(measures_dir, 2).due == date(2024, 5, 31)  # every phrase follows the plan year


def test_due_overrides_the_phrase(measures_dir):
    insert_before(measures_dir / "14.yaml", "status:", "due: 2022-06-20")
    m = _measure(measures_dir, 14)
    assert (m.deadline.kind, m.deadline.due) == ("date", date(2022, 5, 31))
    assert (m.due, m.due_source) == (date(2022, 6, 20), "due")


def test_due_gives_an_external_measure_a_date_and_keeps_its_authority(measures_dir):
    assert measure_data(measures_dir)[10]["deadline"] == "按照海关总署统一部署推动实施"
    assert _measure(measures_dir, 10).due is None
    insert_before(measures_dir / "10.yaml", "status:", "due: 2022-09-30")
    m = _measure(measures_dir, 10)
    assert (m.deadline.kind, m.deadline.authority) == ("external", "海关总署")
    assert (m.due, m.due_source) == (date(2022, 9, 30), "due")


def test_latest_extension_overrides_due_and_phrase(measures_dir):
    insert_before(measures_dir / "25.yaml", "status:", "due: 2022-06-20")
    replace_line(measures_dir / "25.yaml", "progress:", "\n".join([
        "progress: []",
        "extensions:",
        "  - {date: 2022-06-10, from: 2022-06-20, to: 2022-07-31, by: 市商务局, reason: 等待系统升级}",
        "  - {date: 2022-07-20, from: 2022-07-31, to: 2022-08-15, by: 市商务局, reason: 联调延后}",
    ]))
    m = _measure(measures_dir, 25)
    assert (m.deadline.kind, m.deadline.due) == ("milestone", date(2022, 5, 31))  # the kind stays the phrase's
    assert (m.due, m.due_source) == (date(2022, 8, 15), "extension")


def test_unquoted_iso_deadline_in_a_file(measures_dir):
    # YAML reads `deadline: 2022-06-30` as a date, not text; it is still that day.
    replace_line(measures_dir / "14.yaml", "deadline:", "deadline: 2022-06-30")
    m = _measure(measures_dir, 14)
    assert (m.deadline.kind, m.due, m.deadline.phrase) == ("date", date(2022, 6, 30), "2022-06-30")


# --- dates on the command line ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "2022-05-31", "2022/5/31", "2022/05/31", "2022.5.31", "2022年5月31日", "2022 年 5 月 31 日",
    " 2022-05-31 ", "２０２２－０５－３１", "２０２２年５月３１日", "２０２２/５/３１",
    "31 May 2022", "May 31, 2022", "31-May-2022", "20220531",
])
def test_parse_date(text):
    assert parse_date(text) == date(2022, 5, 31)


@pytest.mark.parametrize("text", ["2022-13-01", "2022-02-30", "2022年2月30日", "2022/0/10", "not a date", ""])
def test_parse_date_refuses(text):
    with pytest.raises(ValueError, match="date"):
        parse_date(text)


@pytest.mark.parametrize("text", [
    "June 5",     # no year: 2022-06-05 this year, 2023-06-05 the next
    "June 2022",  # no day
    "2022-06",    # no day
    "3/6/2022",   # 3 June or 6 March
    "5/6",        # no year, and either order
])
def test_parse_date_refuses_what_the_day_it_runs_or_a_guess_would_decide(text):
    with pytest.raises(ValueError, match=r"is not one date \(it leaves out the year, month or day, or could be read "
                                         r"day-first or month-first\); write it as 2022-05-31"):
        parse_date(text)


@pytest.mark.parametrize("args", [
    ("list", "--as-of", "2022-13-01"),
    ("overdue", "--as-of", "2022-13-01"),
    ("report", "--as-of", "2022-13-01"),
    ("show", "14", "--as-of", "2022-13-01"),
    ("list", "--due-before", "2022-02-30"),
    ("list", "--due-after", "yesterday-ish"),
])
def test_bad_date_on_the_command_line_exits_2(run, measures_dir, args):
    result = run(*args, "--dir", measures_dir)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert args[-1] in result.stderr and "Traceback" not in result.stderr


def test_every_date_form_works_on_the_command_line(run, measures_dir):
    outputs = {run("overdue", "--as-of", text, "--dir", measures_dir, "-f", "json").stdout
               for text in ("2022-06-15", "2022/6/15", "2022年6月15日", "15 June 2022")}
    assert len(outputs) == 1
    assert '"days_overdue": 15' in outputs.pop()


# Text an --as-of may be: the ISO form the command line reads without deadline's patterns, and
# its near misses (a day that is none, a year out of range, a digit that is no ASCII one, a slash).
_DATE_LIKE = st.text(st.sampled_from("0123456789-/ ０２９٣"), min_size=8, max_size=12) | st.builds(
    "{:04d}-{:02d}-{:02d}".format, st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99))


@given(_DATE_LIKE)
def test_a_date_option_is_read_as_deadline_reads_it(text):
    """commands.date_option reads 2022-06-15 itself (a query's start-up): for any text, the same day
    or the same refusal as deadline's own reading and range."""
    from portcli.commands import date_option
    from portcli.model import in_range

    try:
        expected = in_range(parse_date(text), text)
    except ValueError as refusal:
        with pytest.raises(ValueError) as refused:
            date_option(text)
        assert str(refused.value) == str(refusal)
    else:
        assert date_option(text) == expected


def test_a_date_option_on_the_edges_of_its_range():
    from portcli.commands import date_option

    assert date_option("1901-01-01") == date(1901, 1, 1) and date_option("2999-12-31") == date(2999, 12, 31)
    for text in ("1900-12-31", "3000-01-01", "0001-01-01"):
        with pytest.raises(ValueError, match="out of range"):
            date_option(text)
    with pytest.raises(ValueError, match="not a real date"):
        date_option("2022-02-29")


@pytest.mark.parametrize("text", ["x", "", "6/1", "5月底前", "2022-W24-3"])
def test_a_date_option_refuses_what_deadline_refuses_short_or_iso_only(text):
    """Short text (shorter than the ISO form the fast path looks at) and forms only ISO 8601 knows
    (a week date, which date.fromisoformat reads as 2022-06-15) are refused in deadline's words."""
    from portcli.commands import date_option

    with pytest.raises(ValueError) as refused:
        date_option(text)
    assert f"'{text}'" in str(refused.value)


def test_iso_dates_in_range_are_read_without_deadlines_parser(monkeypatch):
    """Issue 16: `--as-of 2022-06-15` is read by date.fromisoformat, not by deadline's patterns, on
    the first and last day of the range too; a near miss still goes to deadline's parser."""
    from portcli import deadline
    from portcli.commands import date_option

    def not_here(text):
        raise AssertionError(f"deadline's parser asked about {text!r}")

    monkeypatch.setattr(deadline, "parse_date", not_here)
    assert [date_option(text) for text in ("2022-06-15", "1901-01-01", "2999-12-31", "2024-02-29")] == \
        [date(2022, 6, 15), date(1901, 1, 1), date(2999, 12, 31), date(2024, 2, 29)]
    with pytest.raises(AssertionError, match="2022/06/15"):
        date_option("2022/06/15")
