"""How many columns text of the characters measures are written in takes: a module of its own, imported
by what draws tables and workbooks only, because compiling its character class costs every run that
imports it some 2 ms (the JSON queries need none of it)."""
from __future__ import annotations

import re

# Text of these characters only (Latin, punctuation, CJK ideographs and their punctuation, kana, full-width
# forms: what measures are written in; box drawing and block elements: the report's bars) joins no grapheme
# clusters, and each character is one column wide below U+3000 and two from there on, as rich counts them in a
# terminal and as Unicode's East Asian Width (W, F) has them for a spreadsheet (tests/test_fast_tables.py and
# tests/test_export.py check every one). Such text is measured by counting; any other character by rich, or
# unicodedata, one at a time (most of the time of a long table or a big workbook).
_NARROW = "\x20-\x7e\u00a0-\u00ac\u00ae-\u02ff\u2010-\u2027\u2030-\u205e\u2500-\u259f"
_WIDE = "\u3000-\u3029\u3030-\u303e\u3041-\u3096\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff60\uffe0-\uffe6"
_SIMPLE = re.compile(f"[{_NARROW}{_WIDE}]*")
is_simple = _SIMPLE.fullmatch

# In such text every character from U+3000 on is wide and every one before U+25A0 narrow, so the wide
# ones are the characters whose UTF-16 high byte is 0x30 or more: counted by C string operations,
# without a second pattern (whose character class took 1.7 ms to compile, issue 16).
_NARROW_HIGH_BYTES = bytes(range(0x30))


def wide_count(text: str) -> int:
    """How many of the characters of `text` (text is_simple accepts) are wide."""
    if text.isascii():
        return 0
    return len(text.encode("utf-16-be")[::2].translate(None, _NARROW_HIGH_BYTES))


def simple_width(text: str) -> int | None:
    """The columns `text` takes, a wide character two, when it is all of the characters above; else None."""
    if is_simple(text):
        return len(text) + wide_count(text)
    return None


def cell_width(text: str) -> int:
    """The cells `text` takes in a terminal: rich's cell_len."""
    # simple_width's rule written out: this runs for every piece of every line of a long table
    if is_simple(text):
        return len(text) + wide_count(text)
    from rich.cells import cell_len

    return cell_len(text)


def cut_to(text: str, width: int) -> str:
    """`text` cut or padded to `width` cells, a space where half a wide character would go: rich's set_cell_size."""
    if not is_simple(text):
        from rich.cells import set_cell_size

        return set_cell_size(text, width)
    used = 0
    for i, character in enumerate(text):
        step = 2 if character >= "\u3000" else 1
        if used + step > width:
            return text[:i] + " " * (width - used)
        used += step
    return text + " " * (width - used)
