"""A report written by two processes (issue 16): on a machine of two CPUs or more, a forked child
renders the last part of a big report into its channel (child.shared) while this process writes
the first part straight to the output; then its bytes are copied after this process's part, and
this process writes the rest.

The work is split only where the output is a concatenation, and each part is rendered by the code
one process runs, on the same data: the plans' sections of a report in the terminal (drawn on the
same rich console, bound to the child's channel), in Markdown or JSON, the rows of HTML's table of
every measure (a tree's last plans' rows, or from a boundary of its pieces on), and the xlsx export's
data rows (render/xlsx.py, into the file that holds them, by key tasks). What this process renders
while the child renders something that comes before it (the total, after the plans' sections; in
HTML, its own rows, before the page above them is known) waits in a Spool. So the output is one
process's, byte for byte; and whatever the child fails to do, this process renders itself, so the
output never depends on it. Where the child loads its plans itself (start_ahead), what the part
this process writes needs of them (a total's tally, HTML's charts and lists) is what it sends: the
parts of a tree's figures add up (query.Tally, html_charts.Digest) to the figures of the whole.
"""
from __future__ import annotations

import codecs
import io
import os
from collections import namedtuple

from . import child

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (as commands.py)
if TYPE_CHECKING:
    from typing import IO, Callable, Sequence, TypeVar

    from .load import Loaded

    T = TypeVar("T")


# From this many measures on, a report is written by two processes. Below it the fork, the child's
# copy-on-write faults and the copying of its bytes cost what the child saves (measured, cached,
# medians of 5 on two shared CPUs: 1,000 measures in 10 plans 0.13-0.16 s either way; 3,000 in 10,
# 0.00-0.03 s less with a child; 10,000 in 50, 0.0-0.09 s less; 100,000 in 1,000, about 1 s less):
# the report of an everyday plan, of 25 to 1,000 measures, never starts one.
SHARED_FROM = 3000

# The part of the plans' sections the child renders, by their measures: this process also works
# out and renders the total over all plans (at 100,000 measures in 1,000 plans about 0.8 of the
# sections' time in Markdown and JSON alike) and copies the child's bytes, so the child takes most
# of them (measured there: with 0.9 both are done within 0.1-0.3 s of each other).
SECTIONS_SHARE = 0.9
# In the terminal the total's lists show their first 50 measures: the sections are nearly all the work.
TERMINAL_SHARE = 0.55


def worth_it(measures: Sequence) -> bool:
    """Whether a child should write part of a report of `measures`: enough of them, and a child to be had."""
    return len(measures) >= SHARED_FROM and child.can_fork()


def covered(measures: Sequence, unit: str | None) -> Sequence:
    """The measures a report covers, to tell how big it is: with a unit, those naming it (as
    query.report picks them)."""
    return measures if unit is None else [m for m in measures if unit in m.units]


def plan_halves(names: Sequence[str], measures: Sequence, share: float | None = None) -> tuple[list[str], list[str]] | None:
    """The plans (of `names`, in order) whose sections this process renders and those the child
    renders: the last, about `share` (SECTIONS_SHARE) of the `measures` the report covers (in plan
    order); None when there is nothing to share: one plan, or too few measures."""
    names = list(names)
    if len(names) < 2 or not worth_it(measures):
        return None
    sizes = dict.fromkeys(names, 0)
    for m in measures:
        sizes[m.plan] += 1
    at = child.split(list(sizes.values()), SECTIONS_SHARE if share is None else share)
    return names[:at], names[at:]


class Spool:
    """Text written now (`text`) and copied into an output later (`copy_to`): what this process
    renders while the child writes the part that comes before it. It waits in a file in memory (a
    memfd, else a temporary file), in the output's encoding, not held as text."""

    def __init__(self, out: IO[str]) -> None:
        self.encoding, self.errors = encoding_of(out)
        try:
            self.raw: IO[bytes] = open(os.memfd_create("portcli-spool", os.MFD_CLOEXEC), "w+b")
        except (AttributeError, OSError):
            import tempfile  # here: only where there is no memfd

            self.raw = tempfile.TemporaryFile()
        self.text = io.TextIOWrapper(self.raw, encoding=self.encoding, errors=self.errors)

    def copy_to(self, out: IO[str]) -> None:
        self.text.flush()
        self.raw.seek(0)
        _copy(self.raw, out, "", self.encoding, self.errors)
        self.text.close()


def encoding_of(out: IO[str]) -> tuple[str, str]:
    """How `out` encodes text: what the child writes for it is encoded the same way."""
    return getattr(out, "encoding", None) or "utf-8", getattr(out, "errors", None) or "strict"


def in_two(out: IO[str], mine: Callable[[IO[str]], T], theirs: Callable[[IO[str]], object],
           joint: Callable[[T], str] = lambda _mine: "", ahead: child.Started | None = None) -> tuple[T, bool]:
    """mine(out), then what theirs(out) writes, as if both wrote to `out` one after the other; but
    theirs runs in a forked child, into its channel, while mine writes here, and its bytes follow.
    `joint(what mine gave)` is written between them when theirs writes anything (a JSON object's
    separator, which depends on whether mine wrote members). (what mine gave, whether theirs wrote
    anything). Without a child, or when it fails, theirs runs here after mine. `ahead`: the child,
    started already (start_ahead) to write what theirs(out) writes, from data it loaded itself."""
    encoding, errors = encoding_of(out)
    failed: list[OSError] = []
    copied: list[bool] = []
    given: list = []

    def first() -> T:
        given.append(mine(out))
        return given[0]

    def take(channel: IO[bytes]) -> object:
        if not channel.seekable():  # a pipe, read while the child may still fail: held until it is known
            return channel.read()
        # A memfd, read once the child has ended well: straight to the output, never held whole.
        try:
            copied.append(_copy(channel, out, joint(given[0]), encoding, errors))
        except OSError as exc:  # the output failed, not the child: said as one process says it
            failed.append(exc)
        return True

    done = child.alongside(child.start(_as_text(theirs, encoding, errors)) if ahead is None else ahead, first, take)
    if failed:
        raise failed[0]
    if done is not None:
        mine_gave, sent = done
        if sent is True:
            return mine_gave, copied[0]
        if isinstance(sent, bytes):
            return mine_gave, _copy(io.BytesIO(sent), out, joint(mine_gave), encoding, errors)
    else:
        mine_gave = mine(out)
    after = _After(out, joint(mine_gave))
    theirs(after)
    return mine_gave, after.wrote


def _as_text(theirs: Callable[..., object], encoding: str, errors: str) -> Callable[..., None]:
    """theirs(text) for a child's channel: the text as the output would have it, in the same
    encoding, with the same errors; for a child started with child.start's `early`, theirs(text, send)."""

    def in_child(channel: IO[bytes], send: Callable[[bytes], None] | None = None) -> None:
        text = io.TextIOWrapper(channel, encoding=encoding, errors=errors)
        if send is None:
            theirs(text)
        else:
            theirs(text, send)
        text.flush()
        text.detach()

    return in_child


def _copy(channel: IO[bytes], out: IO[str], joint: str, encoding: str, errors: str) -> bool:
    """The child's bytes after what `out` holds, `joint` before them; whether there were any."""
    wrote = False
    decoder = None
    while chunk := channel.read(1 << 20):
        if not wrote:
            out.write(joint)
            wrote = True
            out.flush()  # what the text layer holds goes first
        buffer = getattr(out, "buffer", None)
        if buffer is not None:
            buffer.write(chunk)
        else:  # a stream of text alone (io.StringIO)
            decoder = decoder or codecs.getincrementaldecoder(encoding)(errors)
            out.write(decoder.decode(chunk))
    return wrote


class _After:
    """`out`, with `joint` written before the first text that is written to it."""

    def __init__(self, out: IO[str], joint: str) -> None:
        self.out, self.joint, self.wrote = out, joint, False

    def write(self, text: str) -> int:
        if text and not self.wrote:
            self.out.write(self.joint)
            self.wrote = True
        return self.out.write(text)

    def __getattr__(self, name: str):
        return getattr(self.out, name)


class Ahead:
    """A child started before this process loads a big tree of plans (start_ahead): it loads the last
    plans itself and writes their part of the report. `halves`: the plans whose part this process
    writes, and the child's; `listed`: each plan folder's measure files, for this process's load not
    to list them again; `started`: the child, None when the tree is too small to share or it could not
    be started (this process then writes it all: no second fork is tried); `part(out, send)`: what the
    child does (loads its plans; when `send` is given, sends what the total needs of them with it;
    writes their part into `out`, when there is one), which this process does itself for what the
    child fails to do; `sends`: whether the child was started to send."""

    def __init__(self, halves: tuple[list[str], list[str]], listed: dict[str, list[str]],
                 started: child.Started | None,
                 part: Callable[[IO[str] | None, Callable[[object], None] | None], None] | None = None,
                 sends: bool = False) -> None:
        self.halves, self.listed, self.started, self.part, self.sends = halves, listed, started, part, sends
        self.received: list = []  # the child's messages, as sent
        self.worked_out: list | None = None  # every message, worked out here once the child failed to send one

    def sent(self, which: int = 0) -> object:
        """What the child sends (`sends`) of its plans before it writes their part, message `which` of
        them (0: the first; HTML's child sends a second, its lists' rows): once it has sent it
        (waiting for it); when it could not, worked out here from its plans, loaded here (every
        message, at most once). None when it sends nothing (this process loaded every plan)."""
        if not self.sends:
            return None
        while len(self.received) <= which and self.worked_out is None:
            data = self.started.early(len(self.received)) if self.started is not None else None
            if data is None:
                break
            import pickle  # here: only a child that sends needs it

            try:
                self.received.append(pickle.loads(data))
            except Exception:  # cut short, or not a pickle: as if nothing came
                break
        if which < len(self.received):
            return self.received[which]
        if self.worked_out is None:
            self.worked_out = []
            self.part(None, self.worked_out.append)
        return self.worked_out[which]

    def written(self, out: IO[str]) -> None:
        """The child's part, written here into `out` when the child failed to (what it sends is had
        already: sent()), from its plans, loaded here (at most once)."""
        self.part(out, None)

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *exc) -> None:
        if self.started is not None:
            self.started.stop()  # never left running, whatever ends this process's part


# The share of a tree's measure files whose plans the child started ahead loads and writes, when this
# process loads them all and works out the total besides (with a step summary to write, on GitHub: the
# Markdown report of the tree loaded whole): the child takes most of the sections (at 100,000 measures
# in 1,000 plans, in JSON, with 0.7 this process was last by 0.5 s; with 0.9 and 0.97 both end within
# 0.1-0.3 s of each other, 0.9 first more often).
AHEAD_SHARE = 0.9
# In the terminal the sections are nearly all the work (the total's lists show 50 measures each).
TERMINAL_AHEAD_SHARE = 0.6
# When the child sends what the total needs of its plans (`sends`: without a step summary), this process
# loads only its own plans, and adds up the total and writes it besides their sections. In JSON the
# total is a third of the output, so the child takes more of the plans (measured at 100,000 measures
# in 1,000 plans, timestamps in both processes: with 0.5 this process ended 0.8-1.0 s after the child,
# with 0.7 it waited 0.4-0.5 s for the child's tally, with 0.6 both ended together, at 1.9-2.3 s);
# in the terminal it shows 50 measures a list, and 0.5 ends both together (with 0.6 the child is last
# by 1.0-1.3 s).
SENDING_SHARE = 0.6
TERMINAL_SENDING_SHARE = 0.5
# In HTML, this process writes its own plans' rows of the table while the child loads and tallies its
# plans, then the page above the table (the charts and lists of every measure) while the child writes
# its rows. (Measured when the child sent its lists' rows with its tally; since it sends them after,
# 0.55, 0.6 and 0.65 gave medians within the machine's noise, ±0.3 s: kept.)
HTML_SENDING_SHARE = 0.55
# In Markdown the total lists every overdue measure whole: this process renders its own plans' rows of
# those lists, and the child its own, between its tally and its sections. (At 100,000 measures in
# 1,000 plans, medians of 7 alternating: 0.8 3.29 s, 0.7 2.86 s, 0.6 2.64 s, 0.5 2.33 s; again,
# 0.5 2.57 s, 0.45 2.66 s, 0.4 2.72 s, 0.35 2.83 s, `task summary` 3.0-3.1 s.)
MARKDOWN_SENDING_SHARE = 0.5


def start_ahead(folder: str, halves: tuple[list[str], list[str], dict[str, list[str]]] | None,
                encoding: tuple[str, str],
                theirs: Callable[[Loaded, IO[str] | None, Callable[[object], None] | None], None],
                sends: bool = False) -> Ahead | None:
    """A child that loads the child's plans of `halves` (commands._halves: this process's plans, the
    child's, each one's measure files) in the tree `folder` and does theirs(what it loaded, out, send)
    into its channel, as text in `encoding` (the output's encoding and errors), started now, before
    this process loads the tree: theirs writes their part into `out` (None: nothing to write), and
    when given a `send` (the child `sends`), calls send(what the total needs of those plans) first,
    before it writes (Ahead.sent). None when there is no tree to share; without plans for a child (too
    few files: counted before any is read, broken ones too) none is started."""
    from .load import load_plans

    if halves is None:
        return None
    mine, their_names, listed = halves
    if not their_names:
        return Ahead((mine, their_names), listed, None)

    loaded: list[Loaded] = []  # loaded once: when the child fails, this process may need them twice (Ahead)

    def part(out: IO[str] | None, send: Callable[[object], None] | None) -> None:
        if not loaded:
            loaded.append(load_plans(folder, their_names, listed=listed, kept=True))
        theirs(loaded[0], out, send)

    def in_child(out: IO[str], send: Callable[[bytes], None] | None = None) -> None:
        def sending(value: object) -> None:
            import pickle

            send(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

        part(out, None if send is None else sending)

    return Ahead((mine, their_names), listed, child.start(_as_text(in_child, *encoding), early=sends), part, sends)


class Brief:
    """One of the child's measures in the lists of a total added up from two processes' tallies, past
    the first few of its overdue and due-soon lists (sent whole): what the total's report in JSON or
    on the terminal reads of such a measure, its plan, id, due date and units; and in HTML and Markdown,
    for a measure of the overdue and due-soon lists, how they show it (`shown`: html.listed or
    markdown.listed, or the number of its row in the rows the child sends next, sent_with_rows; else None).
    (Pickling the 40,000 overdue measures of 100,000 whole took longer than loading them.)"""

    __slots__ = ("plan", "id", "due", "units", "shown")
    # What html.listed reads of a measure besides: a Brief whose row could not be had is listed without them
    local: tuple[str, ...] = ()
    national = None
    progress: tuple = ()

    def __init__(self, plan: str | None, id: int, due, units: tuple[str, ...], shown: object = None) -> None:
        self.plan, self.id, self.due, self.units, self.shown = plan, id, due, units, shown

    @property
    def lead(self) -> str:
        return self.units[0]


# What the child started ahead sends first of its plans (Ahead.sent(0)): their registries (Plans),
# problems, tally (a SentTally) and, in HTML, charts (html_charts.Digest).
Sent = namedtuple("Sent", "plans problems tally charts", defaults=(None,))
# A query.Tally as a child sends it (sent_tally): `table` holds each measure of its lists once, `lists`
# their places in it, `whole_ones` the measures sent whole.
SentTally = namedtuple("SentTally", "total by_status counts table lists whole_ones")


def sent_tally(counted, whole: int, shown: Callable[[object, bool], object] | None = None) -> SentTally:
    """query.Tally `counted` as a child sends it: each measure of its lists once, as a Brief's fields,
    except the first `whole` of the overdue and due-soon lists, whole (received_tally); with `shown`,
    each measure of those two lists with what shown(measure, whether it is overdue) gives as its `shown`
    (html_shown, markdown_shown; or a number, sent_with_rows)."""
    table: list[tuple] = []
    at: dict[int, int] = {}
    lists = []
    for listed, ms in enumerate((counted.late, counted.soon, counted.silent, counted.extended)):
        positions = []
        for m in ms:
            i = at.get(id(m))
            if i is None:
                i = at[id(m)] = len(table)
                table.append((m.plan, m.id, None if m.due is None else m.due.toordinal(), m.units, None))
            if shown is not None and listed < 2 and table[i][4] is None:
                table[i] = (*table[i][:4], shown(m, listed == 0))
            positions.append(i)
        lists.append(positions)
    whole_ones = {i: m for ms, positions in zip((counted.late, counted.soon), lists) for m, i in zip(ms[:whole], positions)}
    return SentTally(counted.total, counted.by_status, counted.counts, table, lists, whole_ones)


def received_tally(sent: SentTally):
    """The query.Tally sent_tally sent."""
    from .query import Tally
    from .values import date

    total, by_status, counts, table, lists, whole_ones = sent
    ms: list = [Brief(plan, id_, None if due is None else date.fromordinal(due), units, shown)
                for plan, id_, due, units, shown in table]
    for i, m in whole_ones.items():
        ms[i] = m
    late, soon, silent, extended = ([ms[i] for i in positions] for positions in lists)
    return Tally(total, by_status, counts, late, soon, silent, extended)


# --- the reports' parts ------------------------------------------------------------------------

def json_report(sections: Callable, halves: Sequence[list[str]], total: Callable, out: IO[str],
                ahead: Ahead | None = None):
    """json.plans_report of the plans' sections and the total, the second half's plans written by a
    child; this process writes the first half's, and meanwhile works out the total (`total(sent)`,
    given what the child started `ahead` sent of its plans when it sends, else None) and writes it
    into a Spool; the total, which it gives. `sections(names)` gives (name, report, plan) of those
    plans that have a section."""
    from .render import json

    spool = Spool(out)

    def plans(out: IO[str], level: int) -> None:
        def mine(out: IO[str]) -> bool:
            wrote = json.plan_members(((name, r) for name, r, _plan in sections(halves[0])), out, level, "{")
            given.append(total(ahead.sent() if ahead else None))
            json.report_object(given[0], spool.text, level)  # "total" is as deep as "plans"
            return wrote

        theirs = ahead.written if ahead else lambda out: json_sections(sections, halves[1], out, level)
        # the child's first member comes after "," when this process wrote any, else it opens the object
        wrote, more = in_two(out, mine, theirs, lambda wrote: "," if wrote else "{", ahead and ahead.started)
        json.end_object(wrote or more, out, level)

    given: list = []
    json.plans_report((), None, out, plans, lambda out, _level: spool.copy_to(out))
    return given[0]


# The "plans" object's members are a level deep in the report's object.
PLANS_LEVEL = 1


def json_sections(sections: Callable, names: list[str], out: IO[str], level: int = PLANS_LEVEL) -> None:
    """What json_report's child writes: the members of the "plans" object (`level` deep) of the plans
    `names`, the first after nothing (this process writes what comes before it)."""
    from .render import json

    json.plan_members(((name, r) for name, r, _plan in sections(names)), out, level, "")


def markdown_sections(sections: Callable, names: list[str] | None, out: IO[str]) -> None:
    """The Markdown report's sections of the plans `names` (all: None), each followed by a blank line."""
    from .render import markdown

    for _name, r, one in sections(names):
        markdown.report(r, one, out)
        out.write("\n")


def terminal_sections(sections: Callable, names: list[str] | None, console, terminal: bool, file: IO[str]) -> None:
    """The terminal report's sections of the plans `names` (all: None), each followed by a blank line,
    drawn on `console` bound to `file` instead of the output: as wide, in the same colours and as much a
    terminal (`terminal`: what rich made of the output) as the output is."""
    from .render import table

    def draw() -> None:
        for _name, r, one in sections(names):
            table.report(r, one, console)
            console.print()

    _drawn_on(console, file, terminal, draw)


def _drawn_on(console, file: IO[str], terminal: bool, what: Callable[[], T]) -> T:
    """what(), drawing on `console` bound to `file`, `terminal` or not, as the output is."""
    saved = console.file, console._force_terminal
    console.file, console._force_terminal = file, terminal
    try:
        return what()
    finally:
        console.file, console._force_terminal = saved


def terminal_report(sections: Callable, halves: Sequence[list[str]], total: Callable, console,
                    ahead: Ahead | None = None):
    """The report drawn on `console` (rich's, bound to the output): the second half's sections drawn
    by a child on the same console bound to its channel instead, as wide, in the same colours and as
    much a terminal as the output is; this process draws the first half's, and meanwhile works out the
    total (`total(sent)`, as for json_report) and draws it on the console bound to a Spool. The total,
    which it gives. `ahead`: the child, started before the load (terminal_sections)."""
    from .render import table

    terminal = console.is_terminal  # what rich makes of the output: the same wherever the console draws
    spool = Spool(console.file)

    def mine(out: IO[str]) -> object:
        terminal_sections(sections, halves[0], console, terminal, out)
        result = total(ahead.sent() if ahead else None)
        _drawn_on(console, spool.text, terminal, lambda: table.report(result, result.plan, console))
        return result

    theirs = ahead.written if ahead else lambda file: terminal_sections(sections, halves[1], console, terminal, file)
    result, _more = in_two(console.file, mine, theirs, ahead=ahead and ahead.started)
    spool.copy_to(console.file)
    return result


def html_report(r, plan, out: IO[str], problems: Sequence = ()) -> None:
    """html.report(r, plan, out, problems), the last rows of the table of every measure written by a
    child: this process writes the page up to them (its charts and lists, the table's first rows)."""
    from .render import html

    start = html_split(r)

    def mine(out: IO[str]) -> None:
        for piece in html.top(r, plan, problems):
            out.write(piece)
        for piece in html.all_measures(r, plan, 0, start):
            out.write(piece)

    def theirs(out: IO[str]) -> None:
        for piece in html.all_measures(r, plan, start):
            out.write(piece)

    in_two(out, mine, theirs)
    for piece in html.bottom(r):
        out.write(piece)


def html_split(r) -> int:
    """The first row of the table of every measure that the child writes: where this process, which
    writes the page up to the table first, is done about when the child is. Measured at 100,000
    measures, the page above the table takes as long as half as many table rows, plus some 0.6 of a
    row for each measure in the overdue and due-soon lists. At the start of a piece of the table
    (html.ROWS_A_PIECE rows), so that both parts come in the pieces of the whole."""
    from .render import html

    rows = len(r.measures)
    above = rows / 2 + 0.6 * (len(r.overdue) + len(r.due_soon))
    start = int(rows - above) // 2
    # never the first row: the table's opening goes with the rows from the first, the first part's
    return max(html.ROWS_A_PIECE, start - start % html.ROWS_A_PIECE)


def html_rows(loaded: Loaded, as_of, days: int | None, out: IO[str], first: bool) -> None:
    """The rows of `loaded`'s measures in the HTML report's table of every measure, with the table's
    opening (the `first` plans) or its closing (the last): a run of a tree's plans, as of a date;
    `days`: --due-soon (None: each plan's window)."""
    from .render import html

    for piece in html.measure_rows(loaded.measures, as_of, _days_for(loaded, days), loaded.plans, starts=first,
                                   ends=not first):
        out.write(piece)


def html_charts(loaded: Loaded, as_of, days: int | None):
    """What the HTML report's charts read of `loaded`'s measures (html_charts.Digest)."""
    from .render.html_charts import digest

    return digest(loaded.measures, as_of, _days_for(loaded, days))


def _days_for(loaded: Loaded, days: int | None) -> Callable:
    from .query import days_for

    return lambda m: days_for(m, loaded.plans, days)


def html_shown(as_of) -> Callable[[object, bool], tuple[str, str]]:
    """How the HTML report's overdue and due-soon lists show a measure (html.listed), as of a date: what
    a measure of a total's lists carries (Brief.shown), rendered by the process that loaded it."""
    from .render import html

    return lambda m, late: html.listed(m, as_of, late)


def markdown_shown(as_of) -> Callable[[object, bool], str]:
    """How the Markdown report's overdue and due-soon lists show a measure (markdown.listed), as of a date."""
    from .render import markdown

    return lambda m, late: markdown.listed(m, as_of, late)


def sent_with_rows(loaded: Loaded, counted, shown: Callable[[object, bool], object], send: Callable[[object], None],
                   *more: object) -> None:
    """What the child started ahead sends of its plans (`counted`: their tally) for a report whose total
    lists every overdue and due-soon measure whole (HTML, Markdown): their registries, problems, tally
    and `more` (in HTML, their charts); then those lists' rows (shown(measure, whether it is overdue):
    html_shown, markdown_shown), in a message of their own, the tally numbering them (Brief.shown: the
    row's place there). The rows take a third of a second at 100,000 measures: this process works out
    what comes before the lists meanwhile (rows_sent)."""
    later: list[tuple] = []

    def numbered(m, late: bool) -> int:
        later.append((m, late))
        return len(later) - 1

    send(Sent(loaded.plans, loaded.problems, sent_tally(counted, 0, numbered), *more))
    send([shown(m, late) for m, late in later])


def rows_sent(r, ahead: Ahead, shown: Callable[[object, bool], object]) -> None:
    """Each of the child's measures in the total's overdue and due-soon lists (a Brief whose `shown` is
    a number, sent_with_rows) given its row, from the rows the child sent after its tally. When the
    child failed in between, those rows are made here (`shown`, as the child makes them) from its plans,
    loaded again; if those no longer tally as the child's did (a file changed meanwhile), a row is made
    of what the Brief knows."""
    rows = ahead.sent(1)
    as_sent = (ahead.worked_out is None or not ahead.received
               or ahead.worked_out[0].tally.table == ahead.received[0].tally.table)

    for late, ms in ((True, r.overdue), (False, r.due_soon)):
        for m in ms:
            if type(getattr(m, "shown", None)) is int:
                m.shown = rows[m.shown] if as_sent else shown(m, late)


def html_report_ahead(own: Loaded, known: list[tuple], ahead: Ahead, total: Callable, problems: Callable[[], Sequence],
                      as_of, days: int | None, out: IO[str]):
    """html.report of a tree whose last plans the child started `ahead` loads itself: it sends what
    the total and the charts need of them (their registries, problems, tally and html_charts), then
    the rows of their overdue and due-soon lists (sent_with_rows), then writes their rows of the table of
    every measure. This process has loaded its own plans (`own`; `known`: their facts): it writes their
    rows into a Spool, works out their charts and renders their lists' rows meanwhile; then, with what
    the child sent, the page up to the table (`total(sent, this process's tally)`: the total's report;
    `problems()`: the whole tree's, once it is had): the charts while the child renders its lists'
    rows, then the lists; then its own rows, the child's, and the page's end. The total, which it gives."""
    from .query import tally
    from .render import html

    spool = Spool(out)
    html_rows(own, as_of, days, spool.text, first=True)
    charts = html_charts(own, as_of, days)
    counted = received_tally(sent_tally(tally(own.measures, known), 0, html_shown(as_of)))

    def mine(out: IO[str]):
        sent = ahead.sent()
        result = total(sent, counted)
        for piece in html.above_lists(result, result.plan, problems(), charts + sent.charts):
            out.write(piece)
        rows_sent(result, ahead, html_shown(as_of))
        for piece in html.lists(result):
            out.write(piece)
        spool.copy_to(out)
        return result

    result, _more = in_two(out, mine, ahead.written, ahead=ahead.started)
    for piece in html.bottom(result):
        out.write(piece)
    return result
