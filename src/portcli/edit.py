"""Surgical edits of a measure file's text: change only the lines a write must change.

A measure file belongs to the people who write it: its comments, blank lines, quoting,
flow or block style and line endings must come back byte for byte. So nothing here dumps
YAML; each edit finds what it touches from PyYAML's node marks (character offsets into the
text) and splices new text in. The rules:

- a scalar (`status:`) is replaced in place, the rest of its line kept (a trailing comment too);
- a new list entry is one flow mapping on its own line, `- {date: …, status: …}`, indented like
  the file's other block lists; a list already written in flow style `[…]` gets `, {…}` instead;
- an empty list (`progress: []`, `progress:` or `null`) becomes a block list, as SPEC shows it;
- a missing key is added after the key that precedes it in SPEC's key order.

Every caller re-reads the result and compares it with what it meant to write (`write` does),
so a case these rules get wrong ends in a refusal, never in a damaged file.
"""
from __future__ import annotations

import re

from .i18n import _
from .render import escape
from .values import date
from .yamlread import pyyaml

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Any, Iterable

# Marks are character offsets into the str parsed, with libyaml (which counts characters, CR LF as
# two, as Python indexes a str) as with the pure-Python loader; libyaml is ten times faster.
yaml, _Loader = pyyaml()
_READERS = tuple(dict.fromkeys((yaml.SafeLoader, _Loader)))
DEFAULT_INDENT = 2

# What YAML does not let stand unescaped in a file (YAML 1.1 §5.1), the line and paragraph
# separators and the BOM, which would silently change the text's meaning or lines, and the bidi
# controls, which make a diff or an editor show the line's characters in another order than they
# are (Trojan Source). Written as the few characters it matches: the complement, as YAML states it,
# takes 5 ms to compile.
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                            "\u2066-\u2069\ud800-\udfff\ufeff\ufffe\uffff]")
_PLAIN_UNSAFE = re.compile(r"^[-?:,\[\]{}#&*!|>'\"%@`\s]|:\s|\s#|:$|\s$|[\r\n\t]")
# Inside `{…}` PyYAML and libyaml disagree about `?` and `:` in plain scalars: quote rather than guess.
_FLOW_UNSAFE = re.compile(r"[,\[\]{}:?#]")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


class EditError(ValueError):
    """The file's shape is not one these edits handle; nothing is changed."""


def newline_of(text: str) -> str:
    """The file's line ending: CRLF when its first line ends so, else LF."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def scalar(value: Any, *, flow: bool = False) -> str:
    """`value` as YAML text that reads back as exactly `value`: plain when that is safe, else double-quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, date)):
        return value.isoformat() if isinstance(value, date) else str(value)
    text = str(value)
    if _plain_is_safe(text, flow):
        return text
    return '"' + "".join(_escape(ch) for ch in text) + '"'


def _plain_is_safe(text: str, flow: bool) -> bool:
    if not text or _PLAIN_UNSAFE.search(text) or _NOT_PRINTABLE.search(text):
        return False
    if flow and _FLOW_UNSAFE.search(text):
        return False
    # The resolver turns 2022-05-20, 12, yes, null, ~ into other types: read it back, in the context it
    # will stand in, with both parsers a reader of the file may use.
    document = f"{{k: {text}}}" if flow else f"k: {text}"
    try:
        return all(yaml.load(document, Loader=loader) == {"k": text} for loader in _READERS)
    except yaml.YAMLError:
        return False


def _escape(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    return escape(ch) if _NOT_PRINTABLE.match(ch) else ch


def flow_mapping(entry: dict[str, Any]) -> str:
    """`{date: 2022-05-20, status: in_progress, …}`, keys in the dict's order."""
    return "{" + ", ".join(f"{key}: {scalar(value, flow=True)}" for key, value in entry.items()) + "}"


def flow_sequence(items: Iterable[Any]) -> str:
    return "[" + ", ".join(scalar(item, flow=True) for item in items) + "]"


class _Document:
    """The text of one YAML mapping document and its top-level keys, located."""

    def __init__(self, text: str):
        self.text = text
        self.newline = newline_of(text)
        try:
            root = yaml.compose(text, Loader=_Loader)
        except yaml.YAMLError as exc:
            raise EditError(_("the file is not valid YAML: {error}").format(error=exc)) from None
        if not isinstance(root, yaml.MappingNode):
            raise EditError(_("the file is not a mapping of keys"))
        self.root = root
        # The last of duplicate keys wins, as it does for the loader.
        self.keys: dict[str, tuple[yaml.Node, yaml.Node]] = {
            str(key.value): (key, value) for key, value in root.value}

    def line_end(self, pos: int) -> int:
        """Where the line holding `pos` ends: at its CR LF or LF, or the end of the text."""
        lf = self.text.find("\n", pos)
        if lf == -1:
            return len(self.text)
        return lf - 1 if lf > 0 and self.text[lf - 1] == "\r" else lf

    def line_start(self, pos: int) -> int:
        return self.text.rfind("\n", 0, pos) + 1

    def content_end(self, node: yaml.Node) -> int:
        """Just after the last character that belongs to `node` (a block node's mark runs on past
        the comments and blank lines after it)."""
        if isinstance(node, yaml.ScalarNode):
            span = self.text[node.start_mark.index:node.end_mark.index]
            return node.start_mark.index + len(span.rstrip())
        if node.flow_style or not node.value:
            return node.end_mark.index
        last = node.value[-1]
        if isinstance(node, yaml.MappingNode):
            key, value = last
            return max(self.content_end(key), self.content_end(value))
        return self.content_end(last)

    def colon_after(self, key: yaml.Node) -> int:
        pos = self.text.find(":", key.end_mark.index)
        if pos == -1:
            raise EditError(_("no `:` after key {key}").format(key=key.value))
        return pos

    def dash_column(self, item: yaml.Node) -> int:
        """The column of the `-` that opens a block list item."""
        dash = self.text.rfind("-", 0, item.start_mark.index)
        return dash - self.line_start(dash)

    def list_indent(self) -> int:
        """The column of `-` in the file's top-level block lists, so new ones look the same."""
        for _, value in self.keys.values():
            if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
                return self.dash_column(value.value[0])
        return DEFAULT_INDENT

    def anchor_for_new_key(self, key: str, order: tuple[str, ...]) -> int:
        """Where a missing key goes: after the value of the nearest key before it in `order`."""
        before = order[:order.index(key)] if key in order else order
        present = [k for k in before if k in self.keys]
        if present:
            return self.content_end(self.keys[present[-1]][1])
        return self.content_end(self.root)

    def splice(self, start: int, end: int, new: str) -> str:
        return self.text[:start] + new + self.text[end:]


def set_value(text: str, key: str, value_text: str, order: tuple[str, ...]) -> str:
    """Give top-level `key` the scalar `value_text`, changing nothing else on its line."""
    doc = _Document(text)
    if key not in doc.keys:
        at = doc.line_end(doc.anchor_for_new_key(key, order))
        return doc.splice(at, at, f"{doc.newline}{key}: {value_text}")
    key_node, value = doc.keys[key]
    if not isinstance(value, yaml.ScalarNode) or value.style in ("|", ">"):
        raise EditError(_("`{key}` is not a one-line value").format(key=key))
    start, end = value.start_mark.index, doc.content_end(value)
    if start == end:  # `key:` with nothing after it
        start = end = doc.colon_after(key_node) + 1
        value_text = " " + value_text
    return doc.splice(start, end, value_text)


def insert_item(text: str, key: str, item_text: str, index: int | None, order: tuple[str, ...]) -> str:
    """Put `item_text` into the list under top-level `key` at `index` (None: at the end).

    The list may be missing, empty (`[]`, null) or written in block or flow style; see the module
    docstring for what each becomes.
    """
    doc = _Document(text)
    nl = doc.newline
    if key not in doc.keys:
        at = doc.line_end(doc.anchor_for_new_key(key, order))
        return doc.splice(at, at, f"{nl}{key}:{nl}{' ' * doc.list_indent()}- {item_text}")
    key_node, value = doc.keys[key]
    empty = (isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:null") or (
        isinstance(value, yaml.SequenceNode) and not value.value)
    if empty:
        # `key: []  # comment` → `key:  # comment` and the item on the next line.
        colon = doc.colon_after(key_node)
        start, end = value.start_mark.index, doc.content_end(value)
        if end <= start:
            start = end = colon + 1
        head = text[:start].rstrip(" \t\r\n")
        if len(head) <= colon:
            raise EditError(_("`{key}` has its value before its colon").format(key=key))
        rest_of_line = text[end:doc.line_end(end)]
        after = doc.line_end(end)
        return head + rest_of_line + f"{nl}{' ' * doc.list_indent()}- {item_text}" + text[after:]
    if not isinstance(value, yaml.SequenceNode):
        raise EditError(_("`{key}` is not a list").format(key=key))
    items = value.value
    index = len(items) if index is None else max(0, min(index, len(items)))
    if value.flow_style:
        if index == 0:
            at = items[0].start_mark.index
            return doc.splice(at, at, f"{item_text}, ")
        at = doc.content_end(items[index - 1])
        return doc.splice(at, at, f", {item_text}")
    column = doc.dash_column(items[0])
    if index == 0:
        at = doc.line_start(items[0].start_mark.index)
        return doc.splice(at, at, f"{' ' * column}- {item_text}{nl}")
    at = doc.line_end(doc.content_end(items[index - 1]))
    return doc.splice(at, at, f"{nl}{' ' * column}- {item_text}")
