"""Deadline phrases (完成时限) and command-line dates.

A phrase such as 5月底前 means the last day of May of the plan year;
5月底前取得阶段性进展，持续推动 is a milestone after which the work goes on;
按照海关总署统一部署推动实施 follows another authority's schedule and has no date of its own.
"""
from __future__ import annotations

import functools
import re

from .i18n import Message
from .model import FIRST_YEAR, LAST_YEAR, Deadline
from .patterns import Lazy
from .values import date

_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")
_WHITESPACE = re.compile(r"\s+")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


_YEAR = r"(?:(?P<year>\d{4})年)?"
_MONTH_END = Lazy(_YEAR + r"(?P<month>\d{1,2})月(?:底|末)前?")
_DAY = re.compile(_YEAR + r"(?P<month>\d{1,2})月(?P<day>\d{1,2})日(?:前|之前)?")
_NUMERIC = re.compile(r"(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?:前|之前)?")
_YEAR_END = Lazy(r"(?:(?P<year>\d{4})年?)?(?:年底前?|年末前?|年内|全年)")  # 2022年底前 has one 年
_HALF = Lazy(_YEAR + r"(?P<half>[上下])半年(?:底前|末前|前|内|底|末)?")
_QUARTER = Lazy(_YEAR + r"(?:第)?(?P<q>[一二三四1-4])季度(?:末前|底前|末|底|前|内)?")

_ONGOING = Lazy(r"(?:持续推动|长期坚持|持续推进|常态化推进)")
_MILESTONE = Lazy(r"(?P<when>.+?)(?:前)?取得阶段性(?:进展|成效|成果)[，,；;]?(?:并)?(?:持续推动|长期坚持|持续推进)?")
_EXTERNAL = Lazy(r"(?:按照|按|根据)(?P<authority>.+?)(?:统一)?部署(?:要求)?(?:推动实施|推进实施|实施|推动|执行)?")


class DeadlineError(ValueError):
    """A phrase that says no deadline portcli understands. Its one argument, like the ValueErrors
    raised here, is a `Message`: check.py keeps it untranslated in a problem, str() says it."""


# The phrases an unrecognised deadline is told to look like: data in the plan's language, never translated.
EXAMPLES = ("5月底前", "2022年6月30日前", "年底前", "三季度末", "5月底前取得阶段性进展，持续推动", "持续推动",
            "按照海关总署统一部署推动实施")


def normalize(text: str) -> str:
    return _WHITESPACE.sub("", text).translate(_FULLWIDTH)


def _month_end(year: int, month: int) -> date:
    import calendar  # only when a phrase is read, as the patterns above

    return date(year, month, calendar.monthrange(year, month)[1])


def _period_end(phrase: str, year: int) -> date | None:
    """The date a 'by when' phrase names, or None when it names none."""
    if m := _NUMERIC.fullmatch(phrase):
        return date(int(m["year"]), int(m["month"]), int(m["day"]))
    if m := _DAY.fullmatch(phrase):
        return date(int(m["year"] or year), int(m["month"]), int(m["day"]))
    if m := _MONTH_END.fullmatch(phrase):
        return _month_end(int(m["year"] or year), int(m["month"]))
    if m := _YEAR_END.fullmatch(phrase):
        return date(int(m["year"] or year), 12, 31)
    if m := _HALF.fullmatch(phrase):
        return _month_end(int(m["year"] or year), 6 if m["half"] == "上" else 12)
    if m := _QUARTER.fullmatch(phrase):
        return _month_end(int(m["year"] or year), 3 * _CN_DIGITS[m["q"]])
    return None


def _read_deadline(phrase: str, year: int) -> Deadline:
    """Read a 完成时限 phrase; `year` is the plan's year, for phrases that name none.

    Raises DeadlineError for a phrase that fits no known form (or names an impossible date).
    """
    text = normalize(phrase)
    try:
        if (due := _period_end(text, year)) is not None:
            return Deadline(text, "date", _in_plan_years(due, phrase))
        if m := _MILESTONE.fullmatch(text):
            if (due := _period_end(m["when"], year)) is not None:
                return Deadline(text, "milestone", _in_plan_years(due, phrase))
        if _ONGOING.fullmatch(text):
            return Deadline(text, "ongoing")
        if m := _EXTERNAL.fullmatch(text):
            return Deadline(text, "external", authority=m["authority"])
    except DeadlineError:
        raise
    except ValueError as exc:  # 2月30日, 13月底前
        raise DeadlineError(Message("deadline {phrase} names no real date ({reason})", phrase=repr(phrase),
                                    reason=Message.verbatim(str(exc)))) from None
    raise DeadlineError(Message("unrecognised deadline {phrase}; write e.g. {examples}, or give an explicit "
                                "`due:` date", phrase=repr(phrase), examples=", ".join(EXAMPLES)))


def _in_plan_years(due: date, phrase: str) -> date:
    if not FIRST_YEAR <= due.year <= LAST_YEAR:
        raise DeadlineError(Message("deadline {phrase} names the year {year}; deadlines fall in the years "
                                    "{first}…{last}", phrase=repr(phrase), year=due.year, first=FIRST_YEAR,
                                    last=LAST_YEAR))
    return due


# Thousands of files share a handful of phrases, and a Deadline is immutable: each is read once.
# (Wrapped here rather than decorated, so that a mutation tool can reach the function's body.)
parse_deadline = functools.lru_cache(maxsize=1024)(_read_deadline)


def parse_date(text: str) -> date:
    """A date as people type it: 2022-05-31, 2022/5/31, 2022年5月31日, or what dateutil reads.

    Raises ValueError with a readable message.
    """
    cleaned = normalize(text)
    if m := _NUMERIC.fullmatch(cleaned) or _DAY.fullmatch(cleaned):
        if m["year"]:
            try:
                return date(int(m["year"]), int(m["month"]), int(m["day"]))
            except ValueError as exc:
                raise ValueError(Message("{text} is not a real date ({reason})", text=repr(text),
                                         reason=Message.verbatim(str(exc)))) from None
    from datetime import datetime

    from dateutil import parser  # only for the unusual forms: it costs start-up time

    # dateutil fills what the text leaves out from today, and reads 3/6/2022 month first: a date
    # that "today" or a guess could change is refused, so that no run depends on the day it runs.
    readings = set()
    try:
        for default in (datetime(2000, 1, 1), datetime(2001, 2, 2)):
            for dayfirst in (False, True):
                readings.add(parser.parse(text.strip(), default=default, dayfirst=dayfirst).date())
    except (ValueError, OverflowError):  # dateutil's ParserError is a ValueError
        raise ValueError(Message("{text} is not a date; write it as {examples}", text=repr(text),
                                 examples=Message.either(["2022-05-31", "2022/5/31", "2022年5月31日"]))) from None
    if len(readings) > 1:
        raise ValueError(Message("{text} is not one date (it leaves out the year, month or day, or could be read "
                                 "day-first or month-first); write it as 2022-05-31", text=repr(text)))
    return readings.pop()
