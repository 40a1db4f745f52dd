"""A problem with a file, as a value: where it is and what to do about it (beancount's way).

Every reader and checker returns these rather than raising, so one pass collects them all.
"""
from __future__ import annotations

from .i18n import Message
from .values import Frozen, cache

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Any


# Every kind of problem, by its code: stable across versions and languages, for programs (JSON, the
# annotations' titles, GitLab's check_name). SPEC §5 lists them; the JSON Schemas enumerate them.
CODES = (
    # the file as a whole
    "not-utf8", "too-big", "not-a-file", "link-outside", "broken-link", "link-loop", "unreadable",
    "misnamed-file", "missing-plan", "outside-plan",
    # YAML
    "yaml-syntax", "tab-indentation", "too-deep", "control-character", "duplicate-key", "joined-list-item",
    "bad-value", "non-decimal-number", "tag-not-allowed", "alias-not-allowed", "merge-conflict",
    # a measure or the plan
    "empty-file", "not-a-mapping", "missing-key", "unknown-key", "wrong-type", "bad-id", "duplicate-id",
    "bad-task", "unknown-task", "unknown-unit", "duplicate-unit", "unknown-status", "bad-deadline",
    "missing-date", "bad-date", "date-with-time", "date-out-of-range", "missing-reason", "extension-not-later",
    "bad-year", "bad-plan-entry", "duplicate-task", "duplicate-name",
    "bad-yellow-days",
)


class Problem(Frozen):
    """Something wrong with a file, where it is: printed as FILE:LINE: message."""

    __slots__ = ()

    def __new__(cls, file: str, line: int | None, code: str, message: Message):
        # code: what kind of problem, stable across versions and languages (SPEC §5 lists them);
        # message: said in the language of each output
        return tuple.__new__(cls, (file, line, code, message))

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


def did_you_mean(word: str, choices: list[str] | tuple[str, ...], *, already_close: bool = False) -> Message:
    """`; did you mean X or Y?` for the choices closest to `word` (all of them when they were picked
    as close already), or nothing."""
    if already_close:
        close = list(choices)
    else:
        import difflib  # here, not at the top: only a did-you-mean needs it, not every run's start-up

        by_folded = {choice.casefold(): choice for choice in choices}  # DONE is near done
        close = [by_folded[c] for c in difflib.get_close_matches(word.casefold(), list(by_folded), n=3, cutoff=0.5)]
    if not close:
        return Message.verbatim("")
    return Message("; did you mean {choices}?", choices=Message.either(close))


def shown(value: Any) -> str:
    """A value as a message quotes it: repr, but short, and safe for deeply nested lists."""
    return _short_repr().repr(value)


@cache
def _short_repr():
    """Made when a value is first quoted: reprlib is 0.3 ms of a query that quotes none (issue 16)."""
    import reprlib

    short = reprlib.Repr()
    short.maxstring = short.maxother = 60
    short.maxlevel = 3
    return short

