"""A problem with a file, as a value: where it is and what to do about it (beancount's way).

Every reader and checker returns these rather than raising, so one pass collects them all.
"""
from __future__ import annotations

import difflib
import reprlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """Something wrong with a file, where it is: printed as FILE:LINE: message."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    by_folded = {choice.casefold(): choice for choice in choices}  # DONE is near done
    close = difflib.get_close_matches(word.casefold(), list(by_folded), n=3, cutoff=0.5)
    return f"; did you mean {' or '.join(by_folded[c] for c in close)}?" if close else ""


def shown(value: Any) -> str:
    """A value as a message quotes it: repr, but short, and safe for deeply nested lists."""
    return _SHORT_REPR.repr(value)


_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxstring = _SHORT_REPR.maxother = 60
_SHORT_REPR.maxlevel = 3

