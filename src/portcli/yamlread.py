"""Parsing YAML strictly: what PyYAML's safe loader reads, less what hides a mistake or does harm.

A key given twice, a list item that YAML silently joins to the text above it, a value that cannot
be built, a number that is not decimal as written (YAML 1.1 reads 0011 as 9), a tag, an anchor or
alias (a few lines can expand into gigabytes), a merge conflict left in: each is a Problem at its
line, worded to say what to do. Regular files are read by `fastyaml`, exactly as this would.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

from .i18n import N_, Message
from .problem import Problem, shown

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Any

    KeyPath = tuple[Any, ...]  # the keys and indices down to a node


def pyyaml():
    """PyYAML and its safe loader (libyaml's when present), imported only when a file needs them: a
    cached run reads the plan with fastyaml and needs no PyYAML, whose import costs 13-17 ms."""
    import yaml

    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose(text: str) -> yaml.Node | None:
    yaml, Loader = pyyaml()
    try:
        return yaml.compose(text, Loader=Loader)
    except yaml.YAMLError:
        return None


def line_of(node: yaml.Node | None, path: KeyPath) -> int:
    """The line of the key (or item) at `path`, or of the deepest part of it that exists."""
    yaml, _ = pyyaml()
    line = node.start_mark.line + 1 if node is not None else 1
    for step in path:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(step):
                    line, node = key.start_mark.line + 1, value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            return line
    return line


_CORE_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq",
                                                       "timestamp")}


class _Refused(Exception):
    """Input that parses but that portcli will not take; `line` is 1-based."""

    def __init__(self, line: int, code: str, message: Message):
        super().__init__(message)
        self.line, self.code, self.message = line, code, message


@functools.cache
def _strict_loader():
    """The loader class, made on first use: PyYAML is imported only when a file needs it."""
    yaml, Loader = pyyaml()

    class _StrictLoader(Loader):
        """The safe loader, strict where YAML's leniency hides a mistake.

        A key given twice is an error (PyYAML silently keeps the last value); so is a list item
        indented too deep, which YAML silently joins to the text above it; a value that cannot
        be built (2022-02-30, a 5000-digit number) is an error at its line, not a crash.
        """

        def __init__(self, text: str):
            super().__init__(text)
            self.lines = text.splitlines()

        def construct_scalar(self, node):
            if not node.style:  # plain, unquoted: the only kind that runs on silently
                for n in range(node.start_mark.line + 1, min(node.end_mark.line + 1, len(self.lines))):
                    if self.lines[n].lstrip().startswith("- "):
                        raise _Refused(n + 1, "joined-list-item", Message(
                            "this line starts like a list item (`- `), but YAML reads it as more of the text that "
                            "starts on line {line}: if it is a new item, indent it like the items before it; if the "
                            "dash belongs to the text, put the text in quotes", line=node.start_mark.line + 1))
            return super().construct_scalar(node)

        def construct_object(self, node, deep=False):
            try:
                return super().construct_object(node, deep)
            except (ValueError, OverflowError) as exc:
                if node.tag == "tag:yaml.org,2002:timestamp":
                    message = Message("{value} is not a real date ({reason}); write a date such as 2022-05-31",
                                      value=node.value, reason=str(exc))
                elif node.tag == "tag:yaml.org,2002:int":
                    message = Message("the number {value} is too long; quote it if it is meant as text",
                                      value=shown(node.value))
                else:
                    message = Message("cannot read the value {value}: {reason}", value=shown(node.value),
                                      reason=str(exc))
                raise _Refused(node.start_mark.line + 1, "bad-value", message) from None

        def construct_mapping(self, node, deep=False):
            if isinstance(node, yaml.MappingNode):
                first_line: dict[Any, int] = {}
                for key_node, _ in node.value:
                    if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    key, line = self.construct_object(key_node), key_node.start_mark.line + 1
                    if key in first_line:
                        raise _Refused(line, "duplicate-key", Message(
                            "the key `{key}` is given twice (also on line {line}); YAML would silently keep only "
                            "the last one: remove one of them", key=key_node.value, line=first_line[key]))
                    first_line[key] = line
            return super().construct_mapping(node, deep)

        def construct_decimal_int(self, node):
            # YAML 1.1 reads 0011 as octal 9, 0x0C and 0b101 as 12 and 5, 1_0 as 10 and 1:30 as 90: an id
            # or a year would silently be another number than the one written. Digits are decimal here.
            written = self.construct_scalar(node)
            if _DECIMAL.fullmatch(written):
                return int(written, 10)
            raise _Refused(node.start_mark.line + 1, "non-decimal-number", Message(
                "the number {value} is not written in decimal digits, and YAML would read it as another number; "
                "write it in digits 0-9 (such as 12), or quote it if it is text", value=shown(written)))

    _StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_decimal_int)
    return _StrictLoader


_DECIMAL = re.compile(r"[-+]?[0-9]+")


def _refuse_tags_and_aliases(text: str) -> None:
    """Refuse explicit non-core tags (!!python/…, !!binary, !!set, !foo) and anchors/aliases.

    Measure files hold text, numbers, dates, lists and mappings; a tag asks for anything else,
    and an alias lets a few lines expand into gigabytes ("billion laughs"). Checked on the event
    stream, before anything is built, and only when the text has the characters they need.
    """
    if "!" not in text and "&" not in text and "*" not in text:
        return
    yaml, Loader = pyyaml()
    for event in yaml.parse(text, Loader=Loader):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(line, "alias-not-allowed", Message("anchors (&name) and aliases (*name) are not allowed in portcli files; "
                                         "write the value out in full"))
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _CORE_TAGS:
            raise _Refused(line, "tag-not-allowed", Message("the tag {tag} is not allowed: portcli files hold only text, numbers, "
                                         "dates, lists and mappings; remove the tag (quote the value if it is text)",
                                         tag=tag.replace("tag:yaml.org,2002:", "!!")))


_CONFLICT_MARKER = re.compile(r"^(?:<{7}|={7}|>{7})(?: |$)", re.MULTILINE)


def _refuse_merge_conflicts(text: str) -> None:
    """Files are merged in pull requests: name a conflict left in, rather than the YAML error it causes."""
    if "<<<<<<<" in text and (marker := _CONFLICT_MARKER.search(text)):
        raise _Refused(text.count("\n", 0, marker.start()) + 1, "merge-conflict",
                       Message("an unresolved merge conflict (<<<<<<< … ======= … >>>>>>>): keep the right "
                               "lines and delete the marker lines"))


def parse_yaml(path: Path, text: str) -> tuple[Any, Problem | None]:
    yaml, Loader = pyyaml()
    try:
        _refuse_merge_conflicts(text)
        _refuse_tags_and_aliases(text)
        loader = _strict_loader()(text)
        try:
            return loader.get_single_data(), None
        finally:
            loader.dispose()
    except _Refused as exc:
        return None, Problem(str(path), exc.line, exc.code, exc.message)
    except yaml.MarkedYAMLError as exc:
        return None, Problem(str(path), *_syntax_problem(exc, text))
    except yaml.reader.ReaderError as exc:
        if Loader is yaml.SafeLoader:
            line = text[: exc.position].count("\n") + 1
        else:  # libyaml counts the position in UTF-8 bytes
            line = text.encode("utf-8")[: exc.position].count(b"\n") + 1
        return None, Problem(str(path), line, "control-character", Message(
            "the character {code} is not allowed in YAML (a control character); delete it, or write it as an "
            "escape such as \\x1b inside a double-quoted string", code=f"U+{exc.character:04X}"))
    except yaml.YAMLError as exc:
        return None, Problem(str(path), 1, "yaml-syntax", Message("YAML error: {error}", error=str(exc)))
    except RecursionError:  # the pure-Python loader, without libyaml's own depth limit
        return None, Problem(str(path), 1, "too-deep", Message("nested too deeply; a measure file needs only a few levels"))


# libyaml's words for the mistakes hands make most, and ours: what to do about them. The flag says
# whether the line to name is where the construct began (an unclosed quote, a key with no colon)
# rather than where libyaml gave up.
_SYNTAX_ADVICE = (
    ("could not find expected ':'", True,
     N_("this line is neither `key: value` nor a list item `- …`: a key needs a colon and a space after it "
        "(`task: 5`; a full-width colon does not count), a list item a dash and a space")),
    ("found unexpected end of stream", True, N_("a quote opened on this line is never closed: close it")),
    ("found unknown escape character", False,
     N_("inside double quotes a backslash starts an escape: write \\\\ for a backslash, or use single quotes")),
    ("did not find expected ',' or", True,
     N_("a [ or { opened on this line is not closed, or two of its items lack a comma between them")),
    ("mapping values are not allowed", False,
     N_("a colon and a space (`: `) inside a value, or a key indented deeper than the keys above it: "
        "put the value in quotes ('…'), use a full-width colon, or fix the indentation")),
    ("cannot start any token", False, N_("a value cannot start with {char} in YAML: put the value in quotes ('…')")),
    ("did not find expected key", False,
     N_("this line does not line up with the keys above it: check its indentation; if a value starts with "
     "a quote or a bracket and goes on after it, put the whole value in quotes ('…')")),
    ("but found another document", False,
     N_("a second YAML document (after a `---` line): a measure file holds one measure; remove the `---` "
     "or move what follows it to its own file")),
    ("did not find expected '-' indicator", False,
     N_("this line does not line up with the list items above it: check its indentation")),
)


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str, Message]:
    """The line and message for a YAML error, in words that say what to do where we can."""
    lines = text.splitlines()

    def line_of(mark) -> int:  # at the end of the file libyaml marks the line after the last
        return min(mark.line + 1, len(lines) or 1) if mark else 1

    line = line_of(exc.problem_mark or exc.context_mark)
    for number in (line, line - 1):  # libyaml may stop at the token after the tab
        if 0 < number <= len(lines) and "\t" in _indentation(lines[number - 1]):
            return number, "tab-indentation", Message("tabs are not allowed for indentation in YAML; indent with spaces")
    problem = exc.problem or ""
    if "maximum nesting depth" in problem:
        return line, "too-deep", Message("nested more than 1000 levels deep; a measure file needs only a few levels")
    said = " ".join(part for part in (exc.context, exc.problem) if part)
    for words, at_start, advice in _SYNTAX_ADVICE:
        if words in problem:
            if at_start and exc.context_mark:
                line = line_of(exc.context_mark)
            values = {}
            if "{char}" in advice:
                mark = exc.problem_mark
                row = lines[mark.line] if mark and mark.line < len(lines) else ""
                values["char"] = (Message.verbatim(f"`{row[mark.column]}`") if mark and mark.column < len(row)
                                  else Message("this"))
            return line, "yaml-syntax", Message("{advice} (YAML: {said})", advice=Message(advice, **values), said=said)
    return line, "yaml-syntax", Message("YAML syntax error: {said}; check this line and the one above it", said=said)


_INDENTATION = re.compile(r"[ \t]*(?:-[ \t]+)*")  # leading blanks, and the dashes of nested list items


def _indentation(line: str) -> str:
    return _INDENTATION.match(line).group()


def read_yaml(path: Path, text: str) -> tuple[Any, Problem | None]:
    """The document, read by fastyaml when it has the regular shape (exactly as PyYAML would,
    in a fraction of the time), else by parse_yaml."""
    from . import fastyaml  # only when a file must be read: a cached run reads just the plan

    data = fastyaml.load(text)
    return parse_yaml(path, text) if data is fastyaml.UNSURE else (data, None)
