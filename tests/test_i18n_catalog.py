"""No mixing, message by message: every Chinese translation holds no English word, and every English
message no Chinese character, outside placeholders, keys, option names, paths and technical names.
Checked on the catalogs themselves, so every message counts, not only those a test happens to reach."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from test_i18n_cli import CJK, command_names, english_words

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))


def catalog(language: str):
    import catalog as tool

    return [m for m in tool.read(language) if m.id]


def texts(message) -> list[str]:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return [re.sub(r"\{[a-z_]*(?:![rs])?\}", " ", s) for s in strings if s]


def ours(message) -> bool:
    """portcli's own messages; click's and typer's are checked by the help and error tests."""
    return any(not str(where).startswith(("click/", "typer/")) and "site-packages" not in str(where)
               for where, _ in message.locations)


@pytest.mark.parametrize("language", ["zh_CN"])
def test_chinese_messages_hold_no_english_word(language):
    mixed = {m.id if isinstance(m.id, str) else m.id[0]: words
             for m in catalog(language) if ours(m)
             for words in [[w for t in texts(m) for w in english_words(t, command_names())]] if words}
    assert mixed == {}


def test_english_messages_hold_no_chinese_character():
    mixed = [m.id for m in catalog("en") if ours(m) and any(CJK.findall(t) for t in texts(m))]
    assert mixed == []
