"""Finding, reading and checking the measure files.

Loading never raises for bad input: it returns what is valid together with every
problem found, each a value naming its file and line (as beancount's loader does).
Line numbers cost a second parse, so they are looked up only for files that have a problem.
"""
from __future__ import annotations

import codecs
import difflib
import errno
import gc
import functools
import operator
import os
import re
import reprlib
import stat
import time
import unicodedata
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from . import cache
from .deadline import DeadlineError, parse_date, parse_deadline
from .model import fold, STATUSES, Deadline, Extension, Measure, Plan, Progress, Task, Unit, status_key



def pyyaml():
    """PyYAML and its safe loader (libyaml's when present), imported only when a file needs them: a
    cached run reads the plan with fastyaml and needs no PyYAML, whose import costs 13-17 ms."""
    import yaml

    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PLAN_FILE = "_plan.yaml"
MEASURE_KEYS = ("id", "task", "national", "local", "units", "units_note", "deadline", "due",
                "status", "progress", "extensions")
REQUIRED_KEYS = ("id", "task", "national", "local", "units", "deadline", "status")
PROGRESS_KEYS = ("date", "status", "by", "note")
EXTENSION_KEYS = ("date", "from", "to", "by", "reason")
UNIT_KEYS = ("name", "full_name", "english", "aliases")
TASK_KEYS = ("id", "numeral", "title")

KeyPath = tuple[Any, ...]


@dataclass(frozen=True)
class Problem:
    """Something wrong with a file, where it is: printed as FILE:LINE: message."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclass
class Loaded:
    """What loading a measures folder gave: the plan, the valid measures, the problems."""

    plan: Plan | None
    measures: list[Measure] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    directory: Path = Path("measures")
    duplicates: dict[int, list[str]] = field(default_factory=dict)  # an id in several files: the files


class DirectoryNotFound(Exception):
    pass


def find_directory(explicit: Path | None = None, start: Path | None = None) -> Path:
    """--dir, else $PORTCLI_DIR, else measures/ in the current folder or its nearest parent."""
    if explicit is None and os.environ.get("PORTCLI_DIR"):
        explicit = Path(os.environ["PORTCLI_DIR"])
    if explicit is not None:
        if not explicit.is_dir():
            raise DirectoryNotFound(f"{explicit}: no such measures folder")
        return explicit
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "measures").is_dir():
            found = folder / "measures"
            try:
                return found.relative_to(Path.cwd())
            except ValueError:
                return found
    raise DirectoryNotFound(
        "no measures/ folder here or in any parent folder; pass --dir PATH or set PORTCLI_DIR"
    )


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    by_folded = {choice.casefold(): choice for choice in choices}  # DONE is near done
    close = difflib.get_close_matches(word.casefold(), list(by_folded), n=3, cutoff=0.5)
    return f"; did you mean {' or '.join(by_folded[c] for c in close)}?" if close else ""


class _Checker:
    """Collects the problems of one file as key paths; lines are resolved once, at the end."""

    def __init__(self, file: str, text: str):
        self.file, self.text = file, text
        self.found: list[tuple[KeyPath, str]] = []

    def add(self, path: KeyPath, message: str) -> None:
        self.found.append((path, message))

    def problems(self) -> list[Problem]:
        if not self.found:
            return []
        root = _compose(self.text)
        return [Problem(self.file, _line_of(root, path), message) for path, message in self.found]


def _compose(text: str) -> yaml.Node | None:
    yaml, Loader = pyyaml()
    try:
        return yaml.compose(text, Loader=Loader)
    except yaml.YAMLError:
        return None


def _line_of(node: yaml.Node | None, path: KeyPath) -> int:
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


MAX_FILE_BYTES = 1 << 20  # a measure is a few KB: a bigger file is not a measure, and is not read whole


def read_text(path: Path) -> tuple[str | None, Problem | None]:
    """The file's text, or the problem that stops it being read.

    Only an ordinary file is read (a FIFO named x.yaml must not hang the run), only up to
    MAX_FILE_BYTES, and a symbolic link only when it stays inside the file's own folder: a
    pull request must not make CI print /etc/passwd or a secret through our messages.
    """
    message = _link_problem(path)
    if message is None:
        raw, message = _read_ordinary_file(path)
    if message is not None:  # about the file as a whole: line 1 is where an editor opens it
        return None, Problem(str(path), 1, message)
    return _decode(path, raw)


def _read_ordinary_file(path: Path) -> tuple[bytes, str | None]:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        return b"", _os_problem(path, exc)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            return b"", _FOLDER
        if not stat.S_ISREG(info.st_mode):
            return b"", ("is not an ordinary file (a pipe, socket or device); "
                         "remove it and save the measure as an ordinary file")
        if info.st_size > MAX_FILE_BYTES:
            return b"", _too_big(info.st_size)
        raw = _read_at_most(fd, MAX_FILE_BYTES + 1)  # it may have grown since fstat
    except OSError as exc:
        return b"", _os_problem(path, exc)
    finally:
        os.close(fd)
    return (b"", _too_big(len(raw))) if len(raw) > MAX_FILE_BYTES else (raw, None)


_FOLDER = ("is a folder, not a file; only measure files may be named *.yaml in the measures folder: "
           "rename the folder or move it out")


def _too_big(size: int) -> str:
    return (f"is {size / (1 << 20):.1f} MiB; a measure file holds one measure (a few KB) and may be at most "
            "1 MiB: is this the right file?")


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks, size = [], 0
    while size < limit and (chunk := os.read(fd, limit - size)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _link_problem(path: Path) -> str | None:
    if not path.is_symlink():
        return None
    try:
        os.stat(path)
    except OSError as exc:
        return _os_problem(path, exc)
    target = Path(os.path.realpath(path))
    if not target.is_relative_to(Path(os.path.realpath(path.parent))):
        return (f"is a symbolic link to {target}, outside its folder {path.parent}; portcli reads only files "
                "inside the measures folder: replace the link with the file itself")
    return None


def _os_problem(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "is a symbolic link that loops (it leads back to itself); remove it"
    if exc.errno == errno.ENOENT and path.is_symlink():
        return f"is a symbolic link to {os.readlink(path)}, which does not exist; remove the link or restore its target"
    if exc.errno == errno.EISDIR or path.is_dir():  # Windows cannot open a folder: it says EACCES
        return _FOLDER
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "cannot read: permission denied; make the file readable (chmod a+r)"
    return f"cannot read: {exc.strerror or exc}"


def _decode(path: Path, raw: bytes) -> tuple[str | None, Problem | None]:
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, Problem(str(path), line, f"not UTF-8 (byte {raw[exc.start]:#04x}); {_encoding_hint(path, raw)}")


def _encoding_hint(path: Path, raw: bytes) -> str:
    """What the file probably is, and the command that makes it UTF-8."""
    import shlex  # here, not at the top: a read-only command on good files never needs it

    name = shlex.quote(str(path))
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        found = "UTF-16 (what Windows Notepad calls \"Unicode\")"
        source = "UTF-16"
    else:
        for source in ("GBK", "GB18030"):  # GBK first: it is what Chinese Windows saves, and iconv knows both
            try:
                decoded = raw.decode(source)
            except UnicodeDecodeError:
                continue
            # GB18030 decodes nearly any bytes: believe it only for Chinese text. (The pattern is
            # compiled here, on this rare path: compiling it takes 2 ms, on every run if done at import.)
            if re.search(r"[\u4e00-\u9fff]", decoded):
                found = f"{source}-encoded"
                break
        else:
            return "save it as UTF-8 (in your editor: Save As, encoding UTF-8)"
    return (f"the file looks {found}; convert it with `iconv -f {source} -t UTF-8 {name} > {name}.tmp && "
            f"mv {name}.tmp {name}`, or save it as UTF-8 in your editor")


_CORE_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq",
                                                       "timestamp")}


class _Refused(Exception):
    """Input that parses but that portcli will not take; `line` is 1-based."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


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
                        raise _Refused(n + 1, f"this line starts like a list item (`- `), but YAML reads it as more "
                                              f"of the text that starts on line {node.start_mark.line + 1}: if it is "
                                              f"a new item, indent it like the items before it; if the dash belongs "
                                              f"to the text, put the text in quotes")
            return super().construct_scalar(node)

        def construct_object(self, node, deep=False):
            try:
                return super().construct_object(node, deep)
            except (ValueError, OverflowError) as exc:
                if node.tag == "tag:yaml.org,2002:timestamp":
                    message = f"{node.value} is not a real date ({exc}); write a date such as 2022-05-31"
                elif node.tag == "tag:yaml.org,2002:int":
                    message = f"the number {_shown(node.value)} is too long; quote it if it is meant as text"
                else:
                    message = f"cannot read the value {_shown(node.value)}: {exc}"
                raise _Refused(node.start_mark.line + 1, message) from None

        def construct_mapping(self, node, deep=False):
            if isinstance(node, yaml.MappingNode):
                first_line: dict[Any, int] = {}
                for key_node, _ in node.value:
                    if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    key, line = self.construct_object(key_node), key_node.start_mark.line + 1
                    if key in first_line:
                        raise _Refused(line, f"the key `{key_node.value}` is given twice (also on line "
                                             f"{first_line[key]}); YAML would silently keep only the last one: "
                                             f"remove one of them")
                    first_line[key] = line
            return super().construct_mapping(node, deep)

    return _StrictLoader


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
            raise _Refused(line, "anchors (&name) and aliases (*name) are not allowed in portcli files; "
                                 "write the value out in full")
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _CORE_TAGS:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise _Refused(line, f"the tag {shown} is not allowed: portcli files hold only text, numbers, dates, "
                                 "lists and mappings; remove the tag (quote the value if it is text)")


_CONFLICT_MARKER = re.compile(r"^(?:<{7}|={7}|>{7})(?: |$)", re.MULTILINE)


def _refuse_merge_conflicts(text: str) -> None:
    """Files are merged in pull requests: name a conflict left in, rather than the YAML error it causes."""
    if "<<<<<<<" in text and (marker := _CONFLICT_MARKER.search(text)):
        raise _Refused(text.count("\n", 0, marker.start()) + 1,
                       "an unresolved merge conflict (<<<<<<< … ======= … >>>>>>>): keep the right lines and "
                       "delete the marker lines")


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
        return None, Problem(str(path), exc.line, exc.message)
    except yaml.MarkedYAMLError as exc:
        return None, Problem(str(path), *_syntax_problem(exc, text))
    except yaml.reader.ReaderError as exc:
        if Loader is yaml.SafeLoader:
            line = text[: exc.position].count("\n") + 1
        else:  # libyaml counts the position in UTF-8 bytes
            line = text.encode("utf-8")[: exc.position].count(b"\n") + 1
        return None, Problem(str(path), line, f"the character U+{exc.character:04X} is not allowed in YAML "
                                              "(a control character); delete it, or write it as an escape "
                                              "such as \\x1b inside a double-quoted string")
    except yaml.YAMLError as exc:
        return None, Problem(str(path), 1, f"YAML error: {exc}")
    except RecursionError:  # the pure-Python loader, without libyaml's own depth limit
        return None, Problem(str(path), 1, "nested too deeply; a measure file needs only a few levels")


# libyaml's words for the mistakes hands make most, and ours: what to do about them. The flag says
# whether the line to name is where the construct began (an unclosed quote, a key with no colon)
# rather than where libyaml gave up.
_SYNTAX_ADVICE = (
    ("could not find expected ':'", True,
     "this line is neither `key: value` nor a list item `- …`: a key needs a colon and a space after it "
     "(`task: 5`; the full-width ： does not count), a list item a dash and a space"),
    ("found unexpected end of stream", True, "a quote opened on this line is never closed: close it"),
    ("found unknown escape character", False,
     "inside double quotes a backslash starts an escape: write \\\\ for a backslash, or use single quotes"),
    ("did not find expected ',' or", True,
     "a [ or { opened on this line is not closed, or two of its items lack a comma between them"),
    ("mapping values are not allowed", False,
     "a colon and a space (`: `) inside a value, or a key indented deeper than the keys above it: "
     "put the value in quotes ('…'), use the full-width ：, or fix the indentation"),
    ("cannot start any token", False, "a value cannot start with {char} in YAML: put the value in quotes ('…')"),
    ("did not find expected key", False,
     "this line does not line up with the keys above it: check its indentation; if a value starts with "
     "a quote or a bracket and goes on after it, put the whole value in quotes ('…')"),
    ("but found another document", False,
     "a second YAML document (after a `---` line): a measure file holds one measure; remove the `---` "
     "or move what follows it to its own file"),
    ("did not find expected '-' indicator", False,
     "this line does not line up with the list items above it: check its indentation"),
)


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """The line and message for a YAML error, in words that say what to do where we can."""
    lines = text.splitlines()

    def line_of(mark) -> int:  # at the end of the file libyaml marks the line after the last
        return min(mark.line + 1, len(lines) or 1) if mark else 1

    line = line_of(exc.problem_mark or exc.context_mark)
    for number in (line, line - 1):  # libyaml may stop at the token after the tab
        if 0 < number <= len(lines) and "\t" in _indentation(lines[number - 1]):
            return number, "tabs are not allowed for indentation in YAML; indent with spaces"
    problem = exc.problem or ""
    if "maximum nesting depth" in problem:
        return line, "nested more than 1000 levels deep; a measure file needs only a few levels"
    said = " ".join(part for part in (exc.context, exc.problem) if part)
    for words, at_start, advice in _SYNTAX_ADVICE:
        if words in problem:
            if at_start and exc.context_mark:
                line = line_of(exc.context_mark)
            if "{char}" in advice:
                mark = exc.problem_mark
                row = lines[mark.line] if mark and mark.line < len(lines) else ""
                advice = advice.format(char=f"`{row[mark.column]}`" if mark and mark.column < len(row) else "this")
            return line, f"{advice} (YAML: {said})"
    return line, f"YAML syntax error: {said}; check this line and the one above it"


_INDENTATION = re.compile(r"[ \t]*(?:-[ \t]+)*")  # leading blanks, and the dashes of nested list items


def _indentation(line: str) -> str:
    return _INDENTATION.match(line).group()


def _shown(value: Any) -> str:
    """A value as a message quotes it: repr, but short, and safe for deeply nested lists."""
    return _SHORT_REPR.repr(value)


_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxstring = _SHORT_REPR.maxother = 60
_SHORT_REPR.maxlevel = 3


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _whole_number(value: Any) -> Any:
    """Digits typed with a Chinese input method (id: １４) count as the number they show."""
    if isinstance(value, str):
        digits = unicodedata.normalize("NFKC", value).strip()
        if digits.isascii() and digits.isdigit():
            return int(digits)
    return value


def _text(check: _Checker, data: dict, key: str, path: KeyPath = (), *, optional: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if not optional and key in data:
            check.add(path + (key,), f"`{key}` must be text, not empty")
        return None
    if not isinstance(value, str):
        check.add(path + (key,), f"`{key}` must be text, not {_type_name(value)}")
        return None
    return value


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false", int: "a number", float: "a number",
            date: "a date", type(None): "empty"}.get(type(value), type(value).__name__)


def _date(check: _Checker, value: Any, path: KeyPath, *, required: bool = True) -> date | None:
    if value is None:
        if required:
            check.add(path, f"`{path[-1]}` is missing; give a date such as 2022-05-31")
        return None
    if isinstance(value, datetime):  # a time would be lost on the next write: refuse it rather
        check.add(path, f"`{path[-1]}` must be a date such as 2022-05-31, without a time")
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError as exc:
            check.add(path, f"`{path[-1]}`: {exc}")
            return None
    check.add(path, f"`{path[-1]}` must be a date such as 2022-05-31, not {_type_name(value)}")
    return None


def _unknown_keys(check: _Checker, data: dict, allowed: tuple[str, ...], path: KeyPath, what: str) -> None:
    for key in data:
        if key not in allowed:
            check.add(path + (key,), f"unknown key `{key}` in {what}{did_you_mean(str(key), allowed)}")


def _status(check: _Checker, value: Any, path: KeyPath) -> str | None:
    if value is None:
        check.add(path, f"`status` is empty: write one of {', '.join(STATUSES)} or {'、'.join(STATUSES.values())}")
        return None
    if not isinstance(value, str) or status_key(value) is None:
        choices = [*STATUSES, *STATUSES.values()]
        hint = did_you_mean(value, choices) if isinstance(value, str) else ""
        check.add(path, f"unknown status {_shown(value)}{hint} "
                        f"(one of {', '.join(STATUSES)} or {'、'.join(STATUSES.values())})")
        return None
    return status_key(value)


def _unit(check: _Checker, plan: Plan | None, value: Any, path: KeyPath) -> str | None:
    if not isinstance(value, str) or not value.strip():
        check.add(path, f"a unit must be a name, not {_type_name(value)}")
        return None
    if plan is None or not plan.units:  # the plan is broken; its own problem says so
        return value.strip()
    unit = plan.unit(value)
    if unit is None:
        close = plan.close_units(value)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        check.add(path, f"unknown unit {_shown(value)}{hint} (units are registered in {PLAN_FILE})")
        return None
    return unit.name


def _entries(check: _Checker, data: dict, key: str, keys: tuple[str, ...], what: str):
    """(key path, entry) for each mapping in the list under `key`; the list's and the entries' own
    shape problems, and unknown keys, are noted on the way."""
    raw = [] if data.get(key) is None else data[key]
    shape = "{" + ", ".join(keys) + "}"
    if not isinstance(raw, list):
        check.add((key,), f"`{key}` must be a list of entries {shape}")
        return
    for i, entry in enumerate(raw):
        path = (key, i)
        if not isinstance(entry, dict):
            check.add(path, f"{what} must be a mapping {shape}")
            continue
        _unknown_keys(check, entry, keys, path, what)
        yield path, entry


def build_measure(data: Any, plan: Plan | None, file: str, text: str) -> tuple[Measure | None, list[Problem]]:
    """Check one parsed measure file; the Measure when it is valid, and its problems."""
    check = _Checker(file, text)
    if not isinstance(data, dict):
        if data is None:
            return None, [Problem(file, 1, "the file is empty (or holds only comments): write the measure's keys "
                                           "(id, task, national, …) or delete the file")]
        return None, [Problem(file, 1, f"a measure file must be a mapping of keys (id, task, …), not {_type_name(data)}")]
    _unknown_keys(check, data, MEASURE_KEYS, (), "a measure")
    for key in REQUIRED_KEYS:
        if key not in data:
            check.add((), f"missing key `{key}`: add a line `{key}: …` (docs/SPEC.md §2 lists the keys)")

    measure_id = _whole_number(data.get("id"))
    if "id" in data and not (_is_int(measure_id) and measure_id > 0):
        check.add(("id",), f"`id` must be a whole number above 0, not {_shown(measure_id)}")
    task = _whole_number(data.get("task"))
    if "task" in data:
        if not _is_int(task):
            check.add(("task",), f"`task` must be a key-task number, not {_shown(task)}")
        elif plan is not None and plan.tasks and task not in plan.tasks:
            check.add(("task",), f"no key task {task} in {PLAN_FILE} (1…{max(plan.tasks)})")
    national = _text(check, data, "national", optional=True)

    local = data.get("local")
    if "local" in data:
        if not isinstance(local, list) or not all(isinstance(x, str) and x.strip() for x in local):
            check.add(("local",), "`local` must be a list of texts (天津市细化落实措施), one per item")
            local = []
    else:
        local = []

    units: list[str] = []
    raw_units = data.get("units")
    if "units" in data:
        if not isinstance(raw_units, list) or not raw_units:
            check.add(("units",), "`units` must be a non-empty list of unit names, lead unit first, such as [市商务局, 天津海关]")
        else:
            for i, raw in enumerate(raw_units):
                name = _unit(check, plan, raw, ("units", i))
                if name is not None:
                    if name in units:
                        check.add(("units", i), f"unit {name} is listed twice")
                    units.append(name)
    units_note = _text(check, data, "units_note", optional=True)

    deadline = None
    due_override = _date(check, data.get("due"), ("due",), required=False)
    phrase = data.get("deadline")
    if "deadline" in data:
        if not isinstance(phrase, str) and not isinstance(phrase, date):
            check.add(("deadline",), f"`deadline` must be a phrase such as 5月底前, not {_type_name(phrase)}")
        else:
            phrase = phrase.isoformat() if isinstance(phrase, date) else phrase
            try:
                deadline = parse_deadline(phrase, plan.year if plan else date.today().year)
            except DeadlineError as exc:
                if due_override is None:
                    check.add(("deadline",), str(exc))
                else:  # an explicit due date makes any phrase acceptable
                    deadline = Deadline(phrase, "date")

    status = _status(check, data.get("status"), ("status",)) if "status" in data else None

    progress: list[Progress] = []
    for path, entry in _entries(check, data, "progress", PROGRESS_KEYS, "a progress entry"):
        when = _date(check, entry.get("date"), path + ("date",))
        entry_status = _status(check, entry.get("status"), path + ("status",))
        by = _unit(check, plan, entry["by"], path + ("by",)) if entry.get("by") is not None else None
        note = _text(check, entry, "note", path, optional=True)
        if when and entry_status:
            progress.append(Progress(when, entry_status, by, note))

    extensions: list[Extension] = []
    for path, entry in _entries(check, data, "extensions", EXTENSION_KEYS, "an extension"):
        when = _date(check, entry.get("date"), path + ("date",))
        to = _date(check, entry.get("to"), path + ("to",))
        from_ = _date(check, entry.get("from"), path + ("from",), required=False)
        by = _unit(check, plan, entry["by"], path + ("by",)) if entry.get("by") is not None else None
        reason = _text(check, entry, "reason", path, optional=True)
        if not reason:
            check.add(path + ("reason",), "an extension needs a `reason`")
        if to and from_ and to <= from_:
            check.add(path + ("to",), f"an extension must move the due date later ({from_} → {to})")
        if when and to and reason:
            extensions.append(Extension(when, to, reason, from_, by))

    problems = check.problems()
    if problems:
        return None, problems
    return Measure(
        id=measure_id, task=task, national=national, local=tuple(local), units=tuple(units),
        units_note=units_note, deadline=deadline, status=status, due_override=due_override,
        progress=tuple(progress), extensions=tuple(extensions), file=file,
    ), []


def build_plan(data: Any, file: str, text: str) -> tuple[Plan | None, list[Problem]]:
    check = _Checker(file, text)
    if not isinstance(data, dict):
        return None, [Problem(file, 1, "the plan must be a mapping with title, year, tasks and units")]
    _unknown_keys(check, data, ("title", "year", "tasks", "units"), (), "the plan")
    title = _text(check, data, "title") or ""
    year = data.get("year")
    if not _is_int(year) or not 1900 < year < 3000:
        check.add(("year",), f"`year` must be the plan's year, such as 2022, not {_shown(year)}")
    tasks: dict[int, Task] = {}
    raw_tasks = data.get("tasks")
    if not isinstance(raw_tasks, list):
        check.add(("tasks",), "`tasks` must be a list of {id, numeral, title}")
        raw_tasks = []
    for i, entry in enumerate(raw_tasks):
        if not isinstance(entry, dict) or not _is_int(entry.get("id")) or not isinstance(entry.get("title"), str):
            check.add(("tasks", i), "a key task needs a whole-number `id` and a `title`")
            continue
        _unknown_keys(check, entry, TASK_KEYS, ("tasks", i), "a key task")
        tasks[entry["id"]] = Task(entry["id"], str(entry.get("numeral") or entry["id"]), entry["title"])
    units: list[Unit] = []
    seen: dict[str, int] = {}  # folded name -> index of the unit that has it
    raw_units = data.get("units")
    if not isinstance(raw_units, list):
        check.add(("units",), "`units` must be a list of {name, full_name, english, aliases}")
        raw_units = []
    for i, entry in enumerate(raw_units):
        path = ("units", i)
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in UNIT_KEYS[:3]):
            check.add(path, "a unit needs `name`, `full_name` and `english` texts")
            continue
        _unknown_keys(check, entry, UNIT_KEYS, path, "a unit")
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            check.add(path + ("aliases",), "`aliases` must be a list of names")
            aliases = []
        unit = Unit(entry["name"], entry["full_name"], entry["english"], tuple(aliases))
        for name in dict.fromkeys(fold(n) for n in unit.names):
            other = seen.setdefault(name, i)
            if other != i:
                owner = raw_units[other]["name"]
                check.add(path, f"the name {name!r} is registered twice (also by the unit {owner}, "
                                f"entry {other + 1} of `units`): every name must point to one unit")
        units.append(unit)
    problems = check.problems()
    if problems:
        return None, problems
    return Plan(title, year, tasks, tuple(units)), []


def measure_names(directory: Path) -> list[str]:
    """The names of the measure files, and of the files meant as one but misnamed (26.yml,
    26.YAML), so that they are reported, not silently skipped; sorted as text. Hidden files
    (.#26.yaml, an Emacs lock; ._26.yaml, macOS metadata) are editors' and systems' own, not
    measures. Names, not paths: 10,000 Path objects cost more than the cache's whole lookup."""
    names = os.listdir(directory)
    names.sort()
    return [name for name in names if not name.startswith(("_", "."))
            and (name.endswith(".yaml") or name[-5:].lower() == ".yaml" or name[-4:].lower() == ".yml")]


def read_yaml(path: Path, text: str) -> tuple[Any, Problem | None]:
    """The document, read by fastyaml when it has the regular shape (exactly as PyYAML would,
    in a fraction of the time), else by parse_yaml."""
    from . import fastyaml  # only when a file must be read: a cached run reads just the plan

    data = fastyaml.load(text)
    return parse_yaml(path, text) if data is fastyaml.UNSURE else (data, None)


def read_document(path: Path) -> tuple[Any, str | None, Problem | None]:
    """The file's YAML document and text, or the problem that stops it being read."""
    text, problem = read_text(path)
    if problem:
        return None, None, problem
    data, problem = read_yaml(path, text)
    return data, text, problem


def load_plan(directory: Path) -> tuple[Plan | None, list[Problem]]:
    path = directory / PLAN_FILE
    if not path.exists() and not path.is_symlink():  # a broken link is reported by read_text
        inner = directory / "measures"
        hint = f"; is the measures folder {inner}? (--dir {inner})" if (inner / PLAN_FILE).is_file() else ""
        return None, [Problem(str(path), None, f"missing: every measures folder needs a {PLAN_FILE}{hint}")]
    data, text, problem = read_document(path)
    if problem:
        return None, [problem]
    return build_plan(data, str(path), text)


def load_measure_file(path: Path, plan: Plan | None) -> tuple[Measure | None, list[Problem]]:
    if path.suffix != ".yaml":
        return None, [Problem(str(path), 1, f"not read: measure files end in .yaml; rename it to "
                                            f"{path.with_suffix('.yaml').name}")]
    data, text, problem = read_document(path)
    if problem:
        return None, [problem]
    return build_measure(data, plan, str(path), text)


def load(directory: Path) -> Loaded:
    """Every valid measure in `directory`, sorted by id, and every problem found on the way."""
    # 10,000 measures are some 100,000 objects without reference cycles: the cyclic garbage
    # collector, run every 700 allocations, would walk them again and again while they are built.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load(directory)
    finally:
        if collecting:
            gc.enable()


def _load(directory: Path) -> Loaded:
    plan, problems = load_plan(directory)
    names = measure_names(directory)
    if plan is None:  # nothing to key a cache on: the plan is what every file is checked against
        context = _year_of_broken_plan(directory)
        results = [load_measure_file(directory / name, context) for name in names]
    else:
        results = cache.check_files(directory, plan, names, load_measure_file)
    in_file_order: list[Measure] = []
    for measure, found in results:
        if found:
            problems.extend(found)
        if measure is not None:
            in_file_order.append(measure)
    measures = sorted(in_file_order, key=_by_id)
    shared = {a.id for a, b in zip(measures, measures[1:]) if a.id == b.id}
    if shared:
        # Neither file is the measure until one of them changes its id: which one is right is
        # for a person to say, and taking the first by name would be a silent guess.
        groups: dict[int, list[Measure]] = {}
        for m in in_file_order:
            if m.id in shared:
                groups.setdefault(m.id, []).append(m)
        for group in groups.values():  # in the order of the files, as every other problem
            same = [(m, id_line(Path(m.file))) for m in group]
            advice = ("has it too; give one of them another id" if len(same) == 2
                      else "have it too; give all but one of them another id")
            for m, line in same:
                # Three names at most: 10,000 copies of a file must not make 10,000 lines of 10,000 names.
                named = [f"{o.file}:{at}" for o, at in same[:4] if o is not m][:3]
                rest = len(same) - 1 - len(named)
                others = ", ".join(named) + (f" and {rest} other file{'s' if rest > 1 else ''}" if rest else "")
                problems.append(Problem(m.file, line, f"duplicate id {m.id}: {others} {advice}"))
        measures = [m for m in measures if m.id not in shared]
        return Loaded(plan, measures, problems, directory,
                      {measure_id: [m.file for m in group] for measure_id, group in groups.items()})
    return Loaded(plan, measures, problems, directory)


_by_id = operator.attrgetter("id")


def _year_of_broken_plan(directory: Path) -> Plan | None:
    """A plan with only the year a broken _plan.yaml still states, or None.

    Measures are read against it so that their phrases' due dates fall in the plan's year,
    not in today's; its empty units and tasks leave those unchecked (the plan's own problem
    is the one message about them).
    """
    path = directory / PLAN_FILE
    data = read_document(path)[0] if path.is_file() else None
    year = data.get("year") if isinstance(data, dict) else None
    return Plan("", year) if _is_int(year) and 1900 < year < 3000 else None


def id_line(path: Path) -> int:
    text, _ = read_text(path)
    return _line_of(_compose(text or ""), ("id",))


# Writing. Every write holds the folder's lock from the read to the rename, writes a complete
# new file beside the old one and renames it over the old one: a writer that fails or is killed
# at any point leaves the old file whole. The text edits themselves live in `edit`.

LOCK_FILE = ".portcli.lock"  # in the measures folder: every process writing the folder sees it
TEMP_SUFFIX = ".portcli-tmp"  # not .yaml, so a temp file is never read as a measure
PAUSE_BEFORE_RENAME = "PORTCLI_TEST_PAUSE_BEFORE_RENAME"  # seconds; lets a test kill a writer mid-write


class WriteError(Exception):
    """A write that could not be done; the file on disk is as it was."""


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold the folder's write lock (flock on measures/.portcli.lock) across a read-modify-write.

    One lock for the folder rather than one per file: writes are short, and `new` must pick a
    free id and file name without another writer doing the same. The kernel releases the lock
    when its holder dies, so a killed writer never blocks the next one.
    """
    try:
        import fcntl
    except ImportError:  # not a POSIX system: writing without a lock could lose updates
        raise WriteError("writing needs file locking (fcntl), which this system lacks; nothing was written") from None
    path = directory / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        try:  # a lock file we may not write still locks (another user created it)
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            raise WriteError(f"cannot write in {directory}: {exc.strerror or exc}; nothing was written") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _remove_stale_temp_files(directory)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _remove_stale_temp_files(directory: Path) -> None:
    # Under the lock no other writer is mid-write, so a temp file here is a killed writer's.
    for stale in directory.glob(f".*{TEMP_SUFFIX}"):
        with suppress(OSError):
            stale.unlink()


def atomic_write(path: Path, data: bytes) -> None:
    """Replace (or create) `path` with `data` all at once: temp file in the same folder, flush,
    fsync, rename. Keeps the old file's permissions and, where allowed, its owner."""
    try:
        old = path.stat()
        mode, owner = stat.S_IMODE(old.st_mode), (old.st_uid, old.st_gid)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode, owner = 0o666 & ~umask, None
    import tempfile  # here, not at the top: only write commands need it (and random, which it imports)

    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}; the file is unchanged") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fchmod(out.fileno(), mode)
            if owner is not None and owner != (os.getuid(), os.getgid()):
                with suppress(PermissionError):
                    os.fchown(out.fileno(), *owner)
            os.fsync(out.fileno())
        if pause := os.environ.get(PAUSE_BEFORE_RENAME):
            time.sleep(float(pause))
        os.replace(temp, path)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise WriteError(f"cannot write {path}: {exc.strerror or exc}; the file is unchanged") from None
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; some file systems cannot, and the write is done anyway.
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass(frozen=True)
class Source:
    """A measure file as read for editing: its text (without a BOM), parsed data, and whether it had a BOM."""
    path: Path
    text: str
    data: Any
    bom: bool


def read_source(path: Path) -> Source:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise WriteError(f"cannot read {path}: {exc.strerror or exc}") from None
    bom = raw.startswith(codecs.BOM_UTF8)
    text = raw.decode("utf-8-sig")
    yaml, Loader = pyyaml()
    return Source(path, text, yaml.load(text, Loader=Loader), bom)


def write_measure(path: Path, text: str, plan: Plan, expected: Any, *, bom: bool = False) -> Measure:
    """Check the new text and put it in place: it must read back as exactly `expected` and be a valid
    measure, else nothing is written."""
    data, problem = parse_yaml(path, text)
    if problem is not None or data != expected:
        raise WriteError(f"portcli could not edit {path} safely (its result did not read back as intended); "
                         "nothing was written — please report this with the file")
    measure, problems = build_measure(data, plan, str(path), text)
    if measure is None:
        raise WriteError("the result would be invalid, nothing was written: "
                         + "; ".join(p.message for p in problems))
    atomic_write(path, (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"))
    return measure
