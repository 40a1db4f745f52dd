"""What the `list` and `overdue` commands do, and the helpers every command shares, without typer
or click: the typer commands in cli.py call these, and so does the fast path (entry.py), which runs
the everyday command lines without importing the command-line machinery at all.

A command ends by raising `Exit(code)`; typer's path maps it to click's exit (cli.py), the fast path
and `run` to the process's exit code, with the same messages on stderr either way.
"""
from __future__ import annotations

import errno
import os
import stat
import sys

from . import child, files, load, query
from .i18n import _, os_reason
from .files import measure_names
from .load import Loaded, UnknownPlan, load_tree
from .model import STATUSES, in_range, status_key
from .plans import Plans
from .problem import did_you_mean
from .values import date

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import IO, Callable, NoReturn
    from .model import Measure, Plan


class Exit(Exception):
    """End the command with this exit code (what was to say is said already)."""

    def __init__(self, exit_code: int = 0) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


def date_option(value: str) -> date:
    """A date as a command line gives it (--as-of, --due-before…); ValueError, said for the user, when it
    is none or out of range."""
    if value.isascii() and len(value) == 10 and value[4] == value[7] == "-":  # 2022-06-15, as people
        try:  # and scripts mostly write it: read without compiling deadline's patterns (issue 16)
            return in_range(date.fromisoformat(value), value)
        except ValueError:  # 2022-02-30: deadline words why (and the range again, in the same words)
            pass
    from .deadline import parse_date

    return in_range(parse_date(value), value)


def _today(as_of: date | None) -> date:
    return as_of or date.today()


def say(message: str) -> None:
    """A message of portcli's own on stderr, on one line: data in it cannot forge another line."""
    from .render import printable

    _to_stderr(f"portcli: {printable(message, one_line=True)}\n")


def _to_stderr(text: str) -> None:
    """Write to stderr. A stderr that cannot take it (a full disk, closed, a reader gone) cannot be
    told about either, and must not change the exit code: an exception here ended portcli with 1,
    the --fail-on code, where a problem is 2."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()  # now, not at exit, where a failure would make the exit code 120
    except (OSError, AttributeError, ValueError):  # AttributeError: started with stderr closed (None)
        pass


def fail(message: str) -> NoReturn:
    """A wrong command line or an unusable folder: say so on stderr and exit 2."""
    say(message)
    raise Exit(2)


def report_problems(problems) -> None:
    """Each problem on stderr, one line each: data cannot forge a second `FILE:LINE:` line."""
    from .render import printable

    for problem in problems:
        _to_stderr(printable(str(problem), one_line=True) + "\n")


def reason(exc: OSError) -> str:
    """Why an OS call failed, in the language spoken where portcli knows the words."""
    return str(os_reason(exc))


def _directory(directory: str | Path | None) -> str:
    try:
        return files.find_directory(directory)
    except files.DirectoryNotFound as exc:
        fail(str(exc))


def _load(directory: str | Path | None, plans: list[str] | None = None) -> Loaded:
    return _load_folder(_directory(directory), plans)


def _load_folder(folder: str, plans: list[str] | None = None, listed: dict[str, list[str]] | None = None) -> Loaded:
    try:
        return load_tree(folder, plans, listed, kept=True)  # the measures live until the command ends
    except UnknownPlan as exc:
        fail(str(exc))


def _finish(loaded: Loaded, code: int = 0) -> NoReturn:
    """Report every problem on stderr; any problem makes the exit code 2 (SPEC §5)."""
    report_problems(loaded.problems)
    raise Exit(2 if loaded.problems else code)


def _console(file: IO[str] | None = None):
    from rich.console import Console

    class PipeTellingConsole(Console):
        def on_broken_pipe(self) -> None:
            # rich's own answer is exit 1, the --fail-on code; _output tells a closed pipe instead
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    console = PipeTellingConsole(file=file, highlight=False, emoji=False, markup=False)
    # COLUMNS=0 drew nothing at all, and a narrow width squeezes ids and dates to "…": below
    # MIN_WIDTH the table is drawn MIN_WIDTH wide, and the terminal wraps its lines.
    console.width = max(console.width, MIN_WIDTH)
    # Both pinned, rich stops asking the terminal its size: it asked for every table, row of
    # stand-ins and column (14,000 times in 100 plans' reports).
    console.height = console.height
    return console


MIN_WIDTH = 80


def _terminal(file: IO[str] | None = None):
    """The Terminal `_console(file)` would draw on, without importing rich until something needs it."""
    from .render.terminal import detect

    return detect(sys.stdout if file is None else file, MIN_WIDTH, lambda: _console(file))


# The exit status of a program whose reader went away: a shell shows 128 + SIGPIPE (141) for a
# program SIGPIPE ended, as `yes | head -1` ends `yes`. Not 1: a closed pipe is no finding.
READER_GONE = 128 + 13


class _output:
    """Where the output goes: FILE from --output, else stdout. A FILE or a stdout that cannot be
    written (a full disk) is one line and exit 2, saying which file was `written` all the same; a reader that
    went away (a closed pipe, as after `| head -1`) ends portcli quietly with READER_GONE.
    (A class, not @contextmanager: contextlib is 1 ms of an everyday query's start, issue 16.)"""

    def __init__(self, path: Path | None, binary: bool = False, written: str | None = None) -> None:
        self.path, self.binary, self.written = path, binary, written

    def __enter__(self) -> IO:
        if self.path is None:
            if sys.stdout is None:  # started with stdout closed (>&-): Python then has none
                _stdout_failed(OSError(errno.EBADF, _("stdout is closed")), self.written)
            self.stream = sys.stdout.buffer if self.binary else sys.stdout
            return self.stream
        try:
            self.stream = open(self.path, "wb") if self.binary else open(self.path, "w", encoding="utf-8")
        except OSError as exc:
            self._file_failed(exc)
        return self.stream

    def __exit__(self, kind, exc, traceback) -> bool:
        """An OSError met writing is told; any other exception goes on as it came."""
        failure = exc if isinstance(exc, OSError) else None
        if self.path is None:
            if exc is None:
                try:
                    self.stream.flush()  # here, while a failure can still be told, not at exit
                    if _reader_gone(self.stream):
                        failure = BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))
                except OSError as flushing:
                    failure = flushing
            if failure is not None:
                _stdout_failed(failure, self.written)
            return False
        try:
            self.stream.close()
        except OSError as closing:  # the last of the file reaches the disk, or does not
            failure = closing
        if failure is not None:
            self._file_failed(failure)
        return False

    def encoding(self) -> tuple[str, str]:
        """(encoding, errors) of the text the output takes, known before it is opened: a child started
        ahead of it (shared_output.start_ahead) encodes as it will."""
        from .shared_output import encoding_of

        return ("utf-8", "strict") if self.path is not None else encoding_of(sys.stdout)  # as __enter__ opens it

    def _file_failed(self, exc: OSError) -> NoReturn:
        fail(_("cannot write {path}: {reason}").format(path=self.path, reason=reason(exc)))


def _stdout_failed(exc: OSError, written: str | None = None) -> NoReturn:
    # What stdout still buffers must go somewhere quiet: it is flushed once more at exit (by Python,
    # or entry.console), and that failure would be exit status 120 (and Python's "Exception ignored
    # … BrokenPipeError" on stderr).
    _discard_stdout()
    if exc.errno == errno.EPIPE:
        raise Exit(READER_GONE)
    if written:
        fail(_("{file} is written, but cannot write the output: {reason}").format(file=written, reason=reason(exc)))
    fail(_("cannot write the output: {reason}").format(reason=reason(exc)))


def _reader_gone(stream: IO) -> bool:
    """Whether `stream` is a pipe whose reader has closed it. A big write that the reader's going
    cuts short raises nothing: Python returns the bytes written so far, and the text layer drops
    the count. So the pipe is asked."""
    try:
        descriptor = stream.fileno()
        kind = os.fstat(descriptor).st_mode
    except (OSError, ValueError, AttributeError):  # not a file (a test's capture)
        return False
    if not (stat.S_ISFIFO(kind) or stat.S_ISSOCK(kind)):  # a terminal or a file has no reader to lose
        return False
    import select  # here: a run on a terminal or into a file needs none

    if not hasattr(select, "poll"):  # Windows: a closed pipe there raises on the write itself
        return False
    poller = select.poll()
    poller.register(descriptor, 0)  # POLLERR is reported whatever is asked: the reader end is closed
    return any(event & select.POLLERR for _, event in poller.poll(0))


def _discard_stdout() -> None:
    try:
        descriptor = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):  # not a file (a test's capture): nothing to discard
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)

def _resolve_units(loaded: Loaded, names: list[str] | None) -> tuple[str, ...]:
    if not names:
        return ()
    if loaded.several:
        try:
            return _units_in(loaded.plans, names)
        except query.LookupProblem as exc:
            _finish_with_failure(loaded, str(exc))
    if loaded.plan is None:
        _finish_with_failure(loaded, _("cannot look up units: the plan file is broken"))
    try:
        return tuple(dict.fromkeys(query.resolve_unit(loaded.plan, name).name for name in names))
    except query.LookupProblem as exc:
        _finish_with_failure(loaded, str(exc))


def _finish_with_failure(loaded: Loaded, message: str) -> NoReturn:
    report_problems(loaded.problems)
    fail(message)


def _plans_of(loaded: Loaded) -> Plan | Plans | None:
    """What renderers are given: the one plan, or the several plans the measures come from."""
    return loaded.plans if loaded.several else loaded.plan


def _tasks(loaded: Loaded, numbers: list[int] | None) -> tuple[int, ...]:
    known = ({n for p in loaded.plans.values() if p for n in p.tasks} if loaded.several
             else loaded.plan.tasks if loaded.plan else {})
    for number in numbers or ():
        if known and number not in known:
            _finish_with_failure(loaded, _("no key task {number}: the plan has tasks {first}…{last}").format(
                number=number, first=min(known), last=max(known)))
    return tuple(numbers or ())


def _statuses(values: list[str] | None) -> tuple[str, ...]:
    keys = []
    for value in values or ():
        key = status_key(value)
        if key is None:
            hint = did_you_mean(value, [*STATUSES, *STATUSES.values()])
            fail(_("unknown status {value!r}{hint}: use one of {keys} or {labels}").format(
                value=value, hint=hint, keys=", ".join(STATUSES), labels="、".join(STATUSES.values())))
        keys.append(key)
    return tuple(keys)


def _whole_number(arg: str) -> bool:
    # -1 too: it is a wrong value of --due-soon (out of range), not an option of its own
    return arg.removeprefix("-").isdigit()


def _not_an_option(arg: str) -> bool:
    return not arg.startswith("-")


# Options whose value may be left out: the value that then stands for it, and what a value looks
# like. Typer has no optional option values, so the argument list is completed before it reaches Typer.
# What `--due-soon` without DAYS stands for (complete_args puts it in): each measure's plan's window,
# its `lights: {yellow_days}`, else 14 days (query.due_soon_days).
PLAN_DAYS_ARG = "plan"

OPTIONAL_VALUES = {
    "--due-soon": (PLAN_DAYS_ARG, _whole_number),
    "--stale": (str(query.DEFAULT_STALE_DAYS), _whole_number),
    "--show-completion": ("", _not_an_option),
    "--install-completion": ("", _not_an_option),
}


def complete_args(args: list[str]) -> list[str]:
    """`--due-soon` alone means the plan's window (`--due-soon plan`), `--stale` alone `--stale 14`; `--due-soon 30`
    and `--due-soon=30` stay;
    likewise `--show-completion` alone and `--show-completion bash`."""
    out: list[str] = []
    for i, arg in enumerate(args):
        if arg == "--":
            return out + args[i:]
        out.append(arg)
        if arg in OPTIONAL_VALUES:
            default, is_value = OPTIONAL_VALUES[arg]
            if not (i + 1 < len(args) and is_value(args[i + 1])):
                out.append(default)
    return out


def list_measures(*, unit: list[str] | None, lead: bool, status: list[str] | None, task: list[int] | None,
                  due_before: date | None, due_after: date | None, overdue: bool, due_soon: int | None,
                  stale: int | None, search: list[str] | None, as_of: date | None, limit: int,
                  directory: str | Path | None, plan: list[str] | None, format: str) -> NoReturn:
    """`portcli list`: measures, filtered (cli.list_ declares the options and their defaults)."""
    statuses = _statuses(status)
    today = _today(as_of)

    def decide(loaded: Loaded) -> tuple[str, ...]:
        if lead and not unit:
            fail(_("--lead needs --unit: whose lead measures?"))
        units = _resolve_units(loaded, unit)
        _tasks(loaded, task)
        return units

    def pick(loaded: Loaded, units: tuple[str, ...]) -> list[Measure]:
        plans = _plans_of(loaded)
        filters = query.Filters(units=units, lead_only=lead, statuses=statuses, tasks=tuple(task or ()),
                                due_before=due_before, due_after=due_after, overdue=overdue, due_soon=due_soon,
                                plans=plans, search=tuple(search or ()))
        found = query.select(loaded.measures, filters, today)
        if stale is not None:
            found = [m for m in found if query.is_stale(m, today, query.plan_of(plans, m), stale)]
        return found

    if format == "json":
        _json_query(directory, plan, unit, today, decide, pick)
    loaded = _load(directory, plan)
    found = pick(loaded, decide(loaded))
    with _output(None) as out:
        from .render import listing

        listing.measures(found, _plans_of(loaded), today, _terminal(out), limit=limit,
                       due_soon=None if due_soon == query.PLAN_DAYS else due_soon,
                       show_silent_days=stale is not None)
    _finish(loaded)


def overdue_measures(*, unit: list[str] | None, as_of: date | None, limit: int, directory: str | Path | None,
                     plan: list[str] | None, format: str) -> NoReturn:
    """`portcli overdue`: overdue measures as of --as-of, most overdue first."""
    today = _today(as_of)

    def decide(loaded: Loaded) -> tuple[str, ...]:
        return _resolve_units(loaded, unit)

    def pick(loaded: Loaded, units: tuple[str, ...]) -> list[Measure]:
        late = query.overdue(loaded.measures, today)
        return query.select(late, query.Filters(units=units), today) if units else late

    if format == "json":
        _json_query(directory, plan, unit, today, decide, pick, order=query.by_due)
    loaded = _load(directory, plan)
    late = pick(loaded, decide(loaded))
    with _output(None) as out:
        from .render import listing

        listing.measures(late, _plans_of(loaded), today, _terminal(out), limit=limit, show_overdue_days=True)
    _finish(loaded)


# --- a JSON query, shared with a child in a big tree of plans ----------------------------------

# From this many measure files on, in a folder of several plans, a forked child loads, picks and
# writes the last plans (some 45% of the files) while this process does the others (child.py): at
# 100,000 measures in 1,000 plans a JSON query takes about half the time on two CPUs (issue 16).
SHARED_FROM = 5000


def _json_query(directory: str | Path | None, plans: list[str] | None, unit: list[str] | None, today: date,
                decide: Callable[[Loaded], tuple[str, ...]],
                pick: Callable[[Loaded, tuple[str, ...]], list[Measure]], order: Callable | None = None) -> NoReturn:
    """The measures pick(loaded, decide(loaded)) chooses, as a JSON array of lines. `decide` checks the
    command line against the folder (failing as the command fails) and gives the units `unit` means
    there; `order` is the key pick's measures are sorted by, when not the order they are loaded in.

    In a big tree of plans a child does the last plans (_halves). Each half is picked with the units
    its own plans give `unit`; the whole tree's are a superset of them, and a half whose measures
    name none of the extra units is picked the same by both. Any other half is picked again here."""
    from .render import json

    folder = _directory(directory)
    halves = _halves(folder, plans)
    done = halves and halves[1] and _in_two(folder, plans, halves, unit, today, pick, order)
    if not done:  # the plan folders _halves listed are not listed again
        loaded = _load_folder(folder, plans, halves and halves[2])
        lines = json.measure_lines(pick(loaded, decide(loaded)), _plans_of(loaded), today)
    else:
        mine, theirs = done
        loaded = mine.loaded.and_plans(theirs.plans, theirs.problems)
        units = decide(loaded)  # the whole tree's plans and problems, as one process has them
        halves_lines = []
        for half, names in ((mine, halves[0]), (theirs, halves[1])):
            if not half.picks_as(units):
                own = half.loaded if half.loaded is not None else load.load_plans(folder, names, listed=halves[2])
                half = _Half(own, unit, today, pick, order, units)
            halves_lines.append(half.lines)
        if order is None:
            lines = (line for half_lines in halves_lines for line in half_lines)
        else:
            import heapq  # here: only a query a child helps merges

            lines = (line for _key, line in heapq.merge(*halves_lines, key=lambda keyed: keyed[0]))
    with _output(None) as out:
        json.array_of_lines(lines, out)
    _finish(loaded)


def _halves(folder: str, plans: list[str] | None, share: float | None = None,
            shared_from: int | None = None) -> tuple[list[str], list[str], dict[str, list[str]]] | None:
    """The plan folders this process loads, those a child loads (about `share` of the files, child.SHARE;
    none when the tree has fewer than `shared_from` files, SHARED_FROM), and each one's measure files;
    None when there is no tree of plans to share: one plan, or no child to be had."""
    if not child.can_fork():
        return None
    try:
        names = load.chosen_plans(folder, plans)
        if names is None:
            return None
        listed = {name: measure_names(files.join(folder, name)) for name in names}
    except (UnknownPlan, OSError):  # said as the command says it, by the load of one process
        return None
    sizes = [len(listed[name]) for name in names]
    if len(sizes) < 2 or sum(sizes) < (SHARED_FROM if shared_from is None else shared_from):
        return names, [], listed
    at = child.split(sizes, child.SHARE if share is None else share)
    return names[:at], names[at:], listed


def _in_two(folder: str, plans: list[str] | None, halves: tuple, unit: list[str] | None, today: date,
            pick: Callable, order: Callable | None) -> tuple[_Half, _Half] | None:
    """This process's half and the child's, each loaded and picked with its own plans' units; None
    when no child could be started (the child's half is loaded here when it failed)."""
    import pickle  # here: only a query a child helps needs it

    mine_names, their_names, listed = halves

    def theirs(out) -> None:
        half = _Half(load.load_plans(folder, their_names, listed=listed, kept=True), unit, today, pick, order)
        half.loaded = None  # the measures stay in the child: it sends what the parent needs
        pickle.dump(half, out, protocol=pickle.HIGHEST_PROTOCOL)

    def mine() -> _Half:
        return _Half(load.load_plans(folder, mine_names, strays=not plans, listed=listed, kept=True), unit, today, pick, order)

    done = child.shared(theirs, mine, pickle.load)
    if done is None:
        return None
    own, their_half = done  # None when the child failed, or sent no pickle
    if type(their_half) is not _Half:
        their_half = _Half(load.load_plans(folder, their_names, listed=listed), unit, today, pick, order)
    return own, their_half


class _Half:
    """What half the plans of a tree give a JSON query: the loaded half (in this process), its plans
    and problems, its lines (each with its key when the query is ordered), and for checking them
    against the whole tree's units: the units picked with, and every unit its measures name."""

    def __init__(self, loaded: Loaded, unit: list[str] | None, today: date, pick: Callable,
                 order: Callable | None, units: tuple[str, ...] | None = None) -> None:
        from .render import json

        self.loaded, self.plans, self.problems = loaded, loaded.plans, loaded.problems
        self.units = _units_in(loaded.plans, unit, known_only=True) if units is None else units
        self.named = {name for m in loaded.measures for name in m.units} if unit else set()
        # Units asked for that these plans do not know: none of their measures is the unit's (with no units, pick would take all)
        picked = pick(loaded, self.units) if self.units or not unit else []
        lines = json.measure_lines(picked, loaded.plans, today)
        self.lines = list(lines) if order is None else list(zip(map(order, picked), lines))

    def picks_as(self, units: tuple[str, ...]) -> bool:
        """Whether picking with `units` would choose the same measures."""
        return set(units).difference(self.units).isdisjoint(self.named)


def _units_in(plans: Plans, names: list[str] | None, known_only: bool = False) -> tuple[str, ...]:
    """The units `names` mean in any of `plans`, each once, in order (a unit is named the same in every
    plan that has it). A name none of them knows raises query.LookupProblem; with `known_only` it means
    none (half a tree's plans: whether the whole tree knows it is for `decide` to say)."""
    found: list[str] = []
    for name in names or ():
        try:
            found += query.resolve_unit_in(plans.values(), name)
        except query.LookupProblem:
            if not known_only:
                raise
    return tuple(dict.fromkeys(found))


# --- the last guard, around any command --------------------------------------------------------

class guarded:
    """A command's end (Exit) as the process's exit code, and a last guard so that no traceback
    reaches the user."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, traceback) -> bool:
        if isinstance(exc, Exit):
            sys.exit(exc.exit_code)
        if isinstance(exc, OSError):
            if exc.errno not in _NO_ROOM:
                _internal_error(exc)
            # Typer's own output (--help) on a full disk: commands' output is told in _output.
            _discard_stdout()
            say(_("cannot write the output: {reason}").format(reason=reason(exc)))
            sys.exit(2)
        if isinstance(exc, KeyboardInterrupt):
            _to_stderr("portcli: " + _("interrupted") + "\n")
            sys.exit(130)
        if isinstance(exc, Exception):  # a bug in portcli, not in the input: say so plainly
            _internal_error(exc)
        return False  # SystemExit (typer's own ending) goes on


# Write errors that only output can meet (reading never gives them): on stdout they are told
# as what they are, not as a bug of portcli.
_NO_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def _internal_error(exc: Exception) -> NoReturn:
    say(_("internal error: {error}: {message}").format(error=type(exc).__name__, message=exc))
    _to_stderr(_("please report it with the command that caused it") + "\n")
    sys.exit(2)
