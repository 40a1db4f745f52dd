"""A strict reader for the regular shape of measure files, many times faster than PyYAML.

Measure files are a flat mapping of keys to one-line values (plain or quoted texts, numbers,
dates, `[a, b]` lists, `{k: v}` entries) and lists of such values under a key, one item a line.
For that shape, `load(text)` returns exactly what `yaml.load(text, Loader=CSafeLoader)` returns,
built straight from the lines. Anything else - a tag, an anchor, a block scalar, a multi-line
text, a tab, an unusual number or date form, an odd indentation, a syntax error - is not guessed
at: `load` returns UNSURE and the caller asks PyYAML, which also gives errors their messages.
Scalars are typed by the same implicit rules (the YAML 1.1 resolvers of PyYAML, copied below and
held equal to PyYAML's by a test), so `yes` is True, `0x1F` is not a text, `2022-05-31` is a date.
"""
from __future__ import annotations

import functools
import re

from .values import date

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Any

UNSURE: Any = type("Unsure", (), {"__repr__": lambda self: "UNSURE", "__slots__": ()})()

# Larger files are left to PyYAML, so any size limit the loader enforces applies unchanged.
MAX_CHARS = 64 * 1024

# What PyYAML's reader refuses (NON_PRINTABLE) and what this reader leaves to PyYAML: tab, CR
# (CRLF is turned into LF first), the YAML 1.1 line breaks NEL, LS and PS, a byte-order mark.
# Written as the few characters it matches, which compiles in a fraction of a millisecond; the
# complement, as PyYAML writes it, takes 6 ms (a test holds the two equal).
_UNUSUAL_CHAR = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")

# PyYAML's implicit resolvers (yaml/resolver.py): tag and pattern, by the scalar's first character.
_BOOL = re.compile(r'''^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$''', re.X)
_FLOAT = re.compile(r'''^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$''', re.X)
_INT = re.compile(r'''^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$''', re.X)
_MERGE = re.compile(r'^(?:<<)$')
_NULL = re.compile(r'''^(?: ~
                    |null|Null|NULL
                    | )$''', re.X)
_TIMESTAMP = re.compile(r'''^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$''', re.X)
_VALUE = re.compile(r'^(?:=)$')
_YAML = re.compile(r'^(?:!|&|\*)$')

_TAG = "tag:yaml.org,2002:"
RESOLVERS: dict[str, list[tuple[str, re.Pattern]]] = {}
for _tag, _pattern, _first in (
        ("bool", _BOOL, "yYnNtTfFoO"), ("float", _FLOAT, "-+0123456789."), ("int", _INT, "-+0123456789"),
        ("merge", _MERGE, "<"), ("null", _NULL, ["~", "n", "N", ""]), ("timestamp", _TIMESTAMP, "0123456789"),
        ("value", _VALUE, "="), ("yaml", _YAML, "!&*")):
    for _ch in _first:
        RESOLVERS.setdefault(_ch, []).append((_TAG + _tag, _pattern))

_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
_RESOLVED_FIRST = frozenset(RESOLVERS)
_PLAIN_INT = re.compile(r"0|[1-9][0-9]*")
_PLAIN_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")

# Characters that may not start a plain scalar (or that this reader does not take there).
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
# A plain scalar inside [ ] or { } is a run of anything but these.
_FLOW_PLAIN = re.compile(r"[^,:?\[\]{}#'\"]*")
_SPACES = re.compile(r" *")
# What _simple_flow leaves to _flow: quotes, nesting, comments, `?`.
_FLOW_SPECIAL = re.compile(r"['\"\[\]{}#?]")


class _Unsure(Exception):
    """The text leaves the regular shape: PyYAML must read it."""


def load(text: str) -> Any:
    """The text read as PyYAML's safe loader reads it, or UNSURE when it is not of the regular shape."""
    if len(text) > MAX_CHARS:
        return UNSURE
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if _UNUSUAL_CHAR.search(text):
        return UNSURE
    try:
        return _document(text.split("\n"))
    except _Unsure:
        return UNSURE


@functools.lru_cache(maxsize=4096)  # keys, statuses, dates and numbers repeat from file to file
def _scalar(plain: str) -> Any:
    """A plain scalar typed as PyYAML types it; only the forms whose value is certain."""
    for tag, pattern in RESOLVERS.get(plain[0] if plain else "", ()):
        if pattern.match(plain):
            break
    else:
        return plain
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return _BOOLS[plain.lower()]
    if tag.endswith(":int") and _PLAIN_INT.fullmatch(plain) and len(plain) < 4000:
        return int(plain)  # longer ones exceed Python's digit limit: the strict loader words that
    if tag.endswith(":timestamp") and (m := _PLAIN_DATE.fullmatch(plain)):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise _Unsure


def _block_value(rest: str) -> Any:
    """A whole value on one line in block context (not empty, no leading space), comment allowed after it."""
    first = rest[0]
    if first == "[" or first == "{":
        value = _simple_flow(rest)
        if value is UNSURE:
            value, end = _flow(rest, 0)
            _end_of_line(rest, end)
        return value
    if first == "'" or first == '"':
        value, end = _quoted(rest, 0)
        _end_of_line(rest, end)
        return value
    if first in _NOT_PLAIN_START:
        raise _Unsure
    cut = rest.find(" #")
    if cut >= 0:
        rest = rest[:cut]
    rest = rest.rstrip(" ")
    if ": " in rest or rest[-1] == ":":
        raise _Unsure
    return _scalar(rest) if first in _RESOLVED_FIRST else rest


def _simple_flow(rest: str) -> Any:
    """[a, b] or {k: v, k: v} of plain scalars, alone on its line: the common case, split in C."""
    close = "}" if rest[0] == "{" else "]"
    if rest[-1] != close:
        return UNSURE
    inner = rest[1:-1]
    if _FLOW_SPECIAL.search(inner):
        return UNSURE
    if close == "]":
        if not inner.strip(" "):
            return []
        out = []
        for item in inner.split(","):
            item = item.strip(" ")
            if not item or item[0] in _NOT_PLAIN_START or ":" in item:
                return UNSURE
            out.append(_scalar(item) if item[0] in _RESOLVED_FIRST else item)
        return out
    mapping: dict = {}
    if not inner.strip(" "):
        return mapping
    for item in inner.split(","):
        name, sep, value = item.partition(": ")
        name, value = name.strip(" "), value.strip(" ")
        if not sep or not name or not value or name[0] in _NOT_PLAIN_START or value[0] in _NOT_PLAIN_START \
                or ":" in name or ":" in value:
            return UNSURE
        name = _scalar(name) if name[0] in _RESOLVED_FIRST else name
        if name in mapping:
            return UNSURE  # a key given twice: the strict loader names it
        mapping[name] = _scalar(value) if value[0] in _RESOLVED_FIRST else value
    return mapping


def _end_of_line(line: str, pos: int) -> None:
    """After a value only spaces may follow, then a comment."""
    rest = line[pos:]
    if rest and not (rest.lstrip(" ") == "" or (rest[0] == " " and rest.lstrip(" ")[0] == "#")):
        raise _Unsure


def _quoted(line: str, pos: int) -> tuple[str, int]:
    """A one-line quoted scalar starting at `pos`: its value and where it ends."""
    quote = line[pos]
    if quote == '"':
        end = line.find('"', pos + 1)
        if end < 0 or "\\" in line[pos + 1:end]:
            raise _Unsure
        return line[pos + 1:end], end + 1
    parts, start = [], pos + 1
    while True:
        end = line.find("'", start)
        if end < 0:
            raise _Unsure
        parts.append(line[start:end])
        if line.startswith("'", end + 1):  # '' is one quote
            parts.append("'")
            start = end + 2
        else:
            return "".join(parts), end + 1


def _flow_scalar(line: str, pos: int) -> tuple[Any, int]:
    ch = line[pos:pos + 1]
    if ch == "'" or ch == '"':
        return _quoted(line, pos)
    if not ch or ch in _NOT_PLAIN_START:
        raise _Unsure
    end = _FLOW_PLAIN.match(line, pos).end()
    return _scalar(line[pos:end].rstrip(" ")), end


def _flow(line: str, pos: int) -> tuple[Any, int]:
    """A one-line [a, b] or {k: v, …} of scalars starting at `pos`: its value and where it ends."""
    is_map = line[pos] == "{"
    close = "}" if is_map else "]"
    out: Any = {} if is_map else []
    pos = _SPACES.match(line, pos + 1).end()
    if line.startswith(close, pos):
        return out, pos + 1
    while True:
        item, pos = _flow_scalar(line, pos)
        pos = _SPACES.match(line, pos).end()
        if is_map:
            if not line.startswith(": ", pos):
                raise _Unsure
            pos = _SPACES.match(line, pos + 1).end()
            value, pos = _flow_scalar(line, pos)
            pos = _SPACES.match(line, pos).end()
            if item in out:
                raise _Unsure  # a key given twice: PyYAML keeps the last; the strict loader says so
            out[item] = value
        else:
            out.append(item)
        if line.startswith(close, pos):
            return out, pos + 1
        if not line.startswith(", ", pos) and not line.startswith(",", pos):
            raise _Unsure
        pos = _SPACES.match(line, pos + 1).end()
        if line.startswith(close, pos):  # a trailing comma
            raise _Unsure


def _document(lines: list[str]) -> dict:
    """A mapping at column 0 whose values are on their key's line, or a list under the key.

    One loop over the lines, with the common cases inline: this runs 10,000 times per command.
    """
    out: dict = {}
    key: Any = None  # the key whose list is being read
    items: list | None = None
    indent = -1  # the list items' indentation, once known
    column = -1  # in a `- key: value` item, the column of its keys
    entry: dict | None = None
    for line in lines:
        if not line or line[0] == "#":
            continue
        if line[0] == " ":
            text = line.lstrip(" ")
            if not text or text[0] == "#":
                continue
            depth = len(line) - len(text)
        else:
            text, depth = line, 0
        if items is not None:
            if depth == column and entry is not None:  # the next `key: value` of a `- key: value` item
                name, sep, rest = text.partition(": ")
                if not sep or not (name.isidentifier() and name.isascii()):
                    raise _Unsure
                rest = rest.lstrip(" ")
                if not rest or rest[0] == "#":
                    raise _Unsure
                name = _scalar(name) if name[0] in _RESOLVED_FIRST else name
                if name in entry:
                    raise _Unsure
                entry[name] = _block_value(rest)
                continue
            if text[0] == "-" and (depth == indent or indent < 0) and (len(text) == 1 or text[1] == " "):
                indent, entry, column = depth, None, -1
                rest = text[1:].lstrip(" ")
                if not rest or rest[0] == "#":
                    raise _Unsure  # an empty item, or one whose value is on the next lines
                name, sep, value = rest.partition(": ")
                if sep and name.isidentifier() and name.isascii():
                    value = value.lstrip(" ")
                    if not value or value[0] == "#":
                        raise _Unsure
                    entry = {(_scalar(name) if name[0] in _RESOLVED_FIRST else name): _block_value(value)}
                    column = len(line) - len(rest)
                    items.append(entry)
                else:
                    items.append(_block_value(rest))
                continue
            if key in out:
                raise _Unsure
            out[key] = items if indent >= 0 else None
            items = None
        if depth:
            raise _Unsure  # a nested block, or a text continued on the next line
        name, sep, rest = text.partition(":")
        if not sep or not (name.isidentifier() and name.isascii()) or (rest and rest[0] != " "):
            raise _Unsure
        rest = rest.lstrip(" ")
        if rest and rest[0] != "#":
            name = _scalar(name) if name[0] in _RESOLVED_FIRST else name
            if name in out:
                raise _Unsure
            out[name] = _block_value(rest)
        else:  # a list may follow, else the value is null
            key, items, indent, entry, column = (_scalar(name) if name[0] in _RESOLVED_FIRST else name), [], -1, None, -1
    if items is not None:
        if key in out:
            raise _Unsure
        out[key] = items if indent >= 0 else None
    if not out:
        raise _Unsure  # an empty document is None; leave such oddities to PyYAML
    return out
