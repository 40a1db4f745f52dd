"""`portcli.render.terminal` held against rich's own Console, the independent oracle.

`detect` works out without rich what `Console(file=file, highlight=False, emoji=False, markup=False)`
makes of a stream: its width (at least portcli's 80), its colour system, NO_COLOR and the codes of
styles. Every expected value here is asked of a real rich Console built on the same stream with the
same environment (`_environ`); none comes from portcli's code. The environments are an explicit
product of the variables rich reads, so a wrong answer for any one of them fails a test.

rich's size also asks fds 0, 1 and 2 (`os.get_terminal_size`), whatever the stream: each test patches
`os.get_terminal_size` once, for rich and detect alike, with the answers of one of `SIZES`.
"""
from __future__ import annotations

import fcntl
import io
import itertools
import os
import select
import struct
import termios

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text

from portcli.render.terminal import Terminal, detect

MIN_WIDTH = 80  # what portcli's commands pass, and the least width they give rich's Console

TERMS = (None, "", "xterm", "xterm-256color", "screen-16color", "xterm-kitty", "dumb", "DUMB", "unknown",
         " XTERM-256COLOR ")
COLORTERMS = (None, "truecolor", "24bit", " TrueColor ", "no")
NO_COLORS = (None, "", "1")
FORCE_COLORS = (None, "", "1", "0")
TTY_COMPATIBLES = (None, "0", "1", "2")
COLUMNS = (None, "100", "0", "abc", "79", "200")
LINES = (None, "30")

# The styles portcli's tables name, and two rich's theme resolves that the tables do not name.
STYLES = ("", "none", "bold", "dim", "italic", "red", "green", "yellow", "table.header", "table.title",
          "magenta", "bold underline")
SEQUENCES = [seq for n in range(4) for seq in itertools.product(STYLES, repeat=n)]
# asked of every Terminal; SEQUENCES in full of the first of each colour system and NO_COLOR
SAMPLE = [(), ("red",), ("bold", "green"), ("dim", "italic", "yellow"), ("table.title", "none", "red")]

_real_terminal_size = os.get_terminal_size
PTY_ROWS, PTY_COLUMNS = 43, 132


def environ(**values: str | None) -> dict[str, str]:
    return {name: value for name, value in values.items() if value is not None}


def rich_console(file, env, **options) -> Console:
    return Console(file=file, _environ=env, highlight=False, emoji=False, markup=False, **options)


def maker(file, env):
    """make_console as portcli's commands make it: rich's Console, at least MIN_WIDTH wide."""
    def make() -> Console:
        console = rich_console(file, env)
        console.width = max(console.width, MIN_WIDTH)
        return console
    return make


def rich_answers(console: Console, min_width: int = MIN_WIDTH) -> tuple:
    return max(console.width, min_width), console.color_system, console.no_color


def answers(terminal: Terminal) -> tuple:
    return terminal.width, terminal.colours, terminal.no_color


def rich_decides_by_more(console: Console) -> bool:
    """rich draws by more than the width and the colours: recording, Windows, Jupyter, not UTF-8."""
    return (console.record or console.legacy_windows or console.is_jupyter or not console.encoding.startswith("utf")
            or console.color_system == "windows")


def rich_codes(console: Console, styles: tuple[str, ...]) -> tuple[str, str]:
    """The codes rich puts around text in `styles` added up in order."""
    style = Style.null()
    for name in styles:
        style += console.get_style(name)
    if console.no_color:
        style = style.without_color
    if not console._color_system or not style:
        return "", ""
    before, after = style.render("\0", color_system=console._color_system).split("\0")
    return before, after


# --- streams and terminal sizes --------------------------------------------------------------------

class Bare:
    """A stream with nothing but write: no isatty, no encoding."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def open_pty(encoding: str = "utf-8"):
    """A real pseudo-terminal PTY_ROWS x PTY_COLUMNS: (master fd, the slave end as a text file)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", PTY_ROWS, PTY_COLUMNS, 0, 0))
    return master, open(slave, "w", encoding=encoding)


@pytest.fixture
def ptys():
    opened = []

    def make(encoding: str = "utf-8"):
        master, file = open_pty(encoding)
        opened.append((master, file))
        return master, file
    yield make
    for master, file in opened:
        file.close()
        os.close(master)


@pytest.fixture
def files(ptys) -> dict[str, object]:
    closed = io.StringIO()
    closed.close()  # isatty raises ValueError
    return {"StringIO": io.StringIO(), "pty": ptys()[1], "latin-1": io.TextIOWrapper(io.BytesIO(), encoding="latin-1"),
            "latin-1 pty": ptys("latin-1")[1], "closed StringIO": closed, "bare writer": Bare()}


def _no_terminal(fd):
    raise OSError(25, "Inappropriate ioctl for device")


def _sizes(pty_fd: int) -> dict[str, object]:
    """What os.get_terminal_size answers for fds 0, 1, 2: a size, or the exception it raises."""
    def answering(**by_fd):
        def size(fd):
            answer = by_fd.get(f"fd{fd}", OSError(25, "Inappropriate ioctl for device"))
            if isinstance(answer, BaseException):
                raise answer
            return _real_terminal_size(pty_fd) if answer == "pty" else os.terminal_size(answer)
        return size
    return {
        "no terminal": _no_terminal,
        "fd 0 a terminal": answering(fd0=(120, 40)),
        "fd 2 the first terminal": answering(fd2=(100, 30)),
        "fd 0 ValueError, 1 AttributeError, 2 a terminal": answering(fd0=ValueError("closed"), fd1=AttributeError(),
                                                                    fd2=(110, 50)),
        "fd 1 reports 0x0 (rich stops there)": answering(fd1=(0, 0), fd2=(150, 50)),
        "fd 0 narrower than 80": answering(fd0=(60, 20)),
        "fd 1 the real pty": answering(fd1="pty"),
    }


@pytest.fixture
def sizes(monkeypatch, ptys):
    """Set os.get_terminal_size (for rich and detect alike) to one of the named answers."""
    master, pty = ptys()
    table = _sizes(pty.fileno())
    current = [_no_terminal]
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=1: current[0](fd))

    def use(name: str) -> None:
        current[0] = table[name]
    use.names = list(table)
    return use


def test_the_real_pty_answers_its_size(ptys):
    master, pty = ptys()
    assert pty.isatty() and tuple(_real_terminal_size(pty.fileno())) == (PTY_COLUMNS, PTY_ROWS)


# --- detect against rich ---------------------------------------------------------------------------

ALL_CHECKED = frozenset((colours, no_color) for colours in (None, "standard", "256", "truecolor")
                        for no_color in (False, True))


def _mismatches(cases, codes_checked: set | frozenset, min_width: int = MIN_WIDTH, sample=SAMPLE) -> list[str]:
    """Each case (description, file, env): detect's answers against rich's, and its codes of `sample`
    (of all SEQUENCES the first time a colour system and NO_COLOR are met); [] when all agree."""
    wrong = []
    said_by_rich: dict = {}  # rich's codes for its colour system, NO_COLOR and the styles
    for description, file, env in cases:
        console = rich_console(file, env)
        terminal = detect(file, min_width, maker(file, env), env)
        expected, got = rich_answers(console, min_width), answers(terminal)
        if got != expected:
            wrong.append(f"{description} env={env}: (width, colours, no_color) rich {expected}, detect {got}")
            continue
        if terminal.file is not file or terminal.rich_only != rich_decides_by_more(console):
            wrong.append(f"{description} env={env}: rich_only {terminal.rich_only}, file {terminal.file!r}")
            continue
        if terminal.rich_only and not (isinstance(terminal.console, Console) and terminal.console.file is file):
            wrong.append(f"{description} env={env}: rich_only, but its console {terminal.console!r} is not rich's")
            continue
        key = (console.color_system, console.no_color)
        sequences = sample if key in codes_checked else SEQUENCES
        if key not in codes_checked:
            codes_checked.add(key)
        for styles in sequences:
            expected = said_by_rich.get((key, styles))
            if expected is None:
                expected = said_by_rich[key, styles] = rich_codes(console, styles)
            if terminal.codes(styles) != expected:
                wrong.append(f"{description} env={env}: codes{styles} rich {expected!r}, "
                             f"detect {terminal.codes(styles)!r}")
    return wrong


def _report(wrong: list[str]) -> str:
    return f"{len(wrong)} disagreements with rich, among them:\n" + "\n".join(wrong[:8])


def test_colours_and_no_color_match_rich_for_every_environment_and_stream(files, sizes):
    """TERM x COLORTERM x NO_COLOR x FORCE_COLOR x TTY_COMPATIBLE, on every kind of stream; every
    style sequence for each colour system and NO_COLOR met, a sample for the rest."""
    sizes("no terminal")
    codes_checked: set = set()
    cases = ((f"{name}", file, environ(TERM=term, COLORTERM=colorterm, NO_COLOR=no_color, FORCE_COLOR=force,
                                       TTY_COMPATIBLE=compatible))
             for name, file in files.items()
             for term, colorterm, no_color, force, compatible
             in itertools.product(TERMS, COLORTERMS, NO_COLORS, FORCE_COLORS, TTY_COMPATIBLES))
    wrong = _mismatches(cases, codes_checked)
    assert not wrong, _report(wrong)
    # each colour system met with and without NO_COLOR, and each checked in full
    assert codes_checked == ALL_CHECKED


def test_width_matches_rich_for_every_size_and_environment(files, sizes):
    """TERM x FORCE_COLOR x TTY_COMPATIBLE x COLUMNS x LINES under each answer of the fds' size (the
    TERMs that are no dumb terminal all alike here: the test above tells them apart)."""
    terms = (None, "", "xterm", "dumb", "DUMB", "unknown", " dumb")
    wrong: list[str] = []
    for size in sizes.names:
        sizes(size)
        streams = ("StringIO", "pty") if size != "no terminal" else ("StringIO", "pty", "latin-1", "latin-1 pty")
        cases = ((f"{name}, {size}", files[name], environ(TERM=term, FORCE_COLOR=force, TTY_COMPATIBLE=compatible,
                                                          COLUMNS=columns, LINES=lines))
                 for name in streams
                 for term, force, compatible, columns, lines
                 in itertools.product(terms, FORCE_COLORS, TTY_COMPATIBLES, COLUMNS, LINES))
        wrong += _mismatches(cases, ALL_CHECKED, sample=[("bold", "red")])
    assert not wrong, _report(wrong)


def test_width_is_not_always_80(sizes):
    """The size tests above would pass a detect answering 80 only if rich did: it does not; and
    rich's own width for COLUMNS=0 is 0 (the test below)."""
    sizes("no terminal")
    widths = {columns: rich_console(io.StringIO(), environ(COLUMNS=columns)).width for columns in COLUMNS}
    assert widths == {None: 80, "100": 100, "0": 0, "abc": 80, "79": 79, "200": 200}


@pytest.mark.parametrize("min_width", [1, 40, 120])
def test_width_is_rich_width_but_at_least_min_width(min_width, files, sizes):
    """Other least widths than portcli's 80; COLUMNS=0 (rich's width 0) is the test below."""
    wrong: list[str] = []
    for size in sizes.names:
        sizes(size)
        cases = ((f"{name}, {size}, min_width={min_width}", file,
                  environ(TERM=term, FORCE_COLOR=force, COLUMNS=columns, LINES=lines))
                 for name, file in files.items() if name in ("StringIO", "pty")
                 for term, force, columns, lines
                 in itertools.product((None, "dumb", "xterm"), (None, "1"), [c for c in COLUMNS if c != "0"], LINES))
        wrong += _mismatches(cases, ALL_CHECKED, min_width, sample=[("bold", "red")])
    assert not wrong, _report(wrong)


@pytest.mark.parametrize("env", [{"COLUMNS": "0"}, {"COLUMNS": "0", "LINES": "30"},
                                 {"COLUMNS": "0", "LINES": "30", "TERM": "dumb", "FORCE_COLOR": "1"}])
def test_columns_0_below_80(env, sizes):
    sizes("no terminal")
    file = io.StringIO()
    console = rich_console(file, env)
    assert detect(file, 1, maker(file, env), env).width == max(console.width, 1)


def fails_alike(file, env) -> None:
    """rich reads COLUMNS and LINES with int() once isdigit() holds, and fails on "²". detect reads
    COLUMNS alike and must fail alike; LINES (rich's height) it reads only with isdigit(): where
    LINES alone fails rich, rich has no answer to hold detect to."""
    try:
        rich_console(file, {name: value for name, value in env.items() if name != "LINES"})
    except ValueError:
        with pytest.raises(ValueError):
            detect(file, MIN_WIDTH, maker(file, env), env)


@pytest.mark.parametrize("env", [{"COLUMNS": "²"}, {"COLUMNS": "²", "LINES": "30"}, {"COLUMNS": "²", "TERM": "dumb"}])
def test_a_digit_int_does_not_read_fails_detect_as_it_fails_rich(env, sizes):
    sizes("no terminal")
    with pytest.raises(ValueError):
        rich_console(io.StringIO(), env)
    fails_alike(io.StringIO(), env)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_detect_matches_rich_for_any_values(data, files, sizes):
    """Values beyond the lists above: any text where rich reads a variable."""
    def value(known):
        return data.draw(st.one_of(st.sampled_from(known), st.text(max_size=12),
                                   st.text("0123456789 -", max_size=5)))
    env = environ(TERM=value(TERMS), COLORTERM=value(COLORTERMS), NO_COLOR=value(NO_COLORS),
                  FORCE_COLOR=value(FORCE_COLORS), TTY_COMPATIBLE=value(TTY_COMPATIBLES),
                  COLUMNS=value(COLUMNS), LINES=value(LINES))
    size = data.draw(st.sampled_from(sizes.names))
    sizes(size)
    name = data.draw(st.sampled_from(sorted(files)))
    file = files[name]
    try:
        rich_console(file, env)
    except ValueError:  # "²" is a digit that int() does not read
        fails_alike(file, env)
        return
    wrong = _mismatches([(f"{name}, {size}", file, env)], ALL_CHECKED)
    assert not wrong, _report(wrong)


@pytest.mark.parametrize("columns", ["79", "0", "50"])
def test_the_console_rich_draws_on_is_as_wide_as_the_terminal(columns, sizes):
    """A make_console that leaves rich's width below 80: the console say falls back on is drawn at
    the Terminal's width all the same, as rich's print at that width."""
    sizes("no terminal")
    env = {"COLUMNS": columns}
    said, printed = io.StringIO(), io.StringIO()
    terminal = detect(said, MIN_WIDTH, lambda: rich_console(said, env), env)
    assert terminal.console.width == max(rich_console(printed, env).width, MIN_WIDTH)
    terminal.say("y" * 85, ("bold",))
    rich_prints(maker(printed, env)(), "y" * 85, ("bold",))
    assert said.getvalue() == printed.getvalue()


def test_the_width_of_a_stream_rich_draws_on_is_at_least_min_width(sizes):
    sizes("no terminal")
    env = {"COLUMNS": "79"}
    file = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    console = rich_console(file, env)
    assert detect(file, MIN_WIDTH, lambda: rich_console(file, env), env).width == max(console.width, MIN_WIDTH)


# --- say against rich's print ----------------------------------------------------------------------

SAY_ENVIRONMENTS = {
    "not a tty": {},
    "not a tty, COLUMNS=100": {"COLUMNS": "100"},
    "tty-like, standard": {"TTY_COMPATIBLE": "1", "TERM": "xterm"},
    "tty-like, 256": {"FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "90"},
    "tty-like, truecolor": {"TTY_COMPATIBLE": "1", "COLORTERM": "truecolor"},
    "tty-like, NO_COLOR": {"TTY_COMPATIBLE": "1", "TERM": "xterm-256color", "NO_COLOR": "1"},
    "tty-like, dumb": {"TTY_COMPATIBLE": "1", "TERM": "dumb"},
}
LINES_SAID = {"short": "hello, 天津港", "wider than the width": "x" * 200,
              "wide characters over the width": "中文" * 20 + "a", "wide characters filling the width": "中文" * 20, "exactly the width": "a" * 80,
              "one over the width": "a" * 81, "a control character": "a\x07b", "a tab": "a\tb",
              "spaces around": "  a  b  "}
STYLES_SAID = [("",), ("none",), ("bold",), ("red",), ("bold", "red"), ("dim", "yellow", "italic"),
               ("table.header",), ("table.title", "green"), ("magenta",), ("bold underline", "green")]


def rich_prints(console: Console, plain: str, styles: tuple[str, ...]) -> None:
    style = Style.null()
    for name in styles:
        style += console.get_style(name)
    console.print(Text(plain), style=style)


@pytest.mark.parametrize("where", list(SAY_ENVIRONMENTS))
def test_say_writes_what_rich_prints(where, sizes):
    sizes("no terminal")
    env = SAY_ENVIRONMENTS[where]
    wrong = []
    for (line, plain), styles in itertools.product(LINES_SAID.items(), STYLES_SAID):
        said, printed = io.StringIO(), io.StringIO()
        detect(said, MIN_WIDTH, maker(said, env), env).say(plain, styles)
        rich_prints(maker(printed, env)(), plain, styles)
        if said.getvalue() != printed.getvalue():
            wrong.append(f"{line} in {styles}: rich {printed.getvalue()!r}, say {said.getvalue()!r}")
    assert not wrong, _report(wrong)


PIECES_SAID = {
    "the report's legend": [("进度：", ""), ("█", "green"), (" 已完成  ", ""), ("▓", "red"), (" 逾期  ", ""),
                            ("░", "dim"), (" 其他", "")],
    "styled at both ends": [("a", "bold"), (" b ", ""), ("c", "yellow")],
    "an empty piece in a style": [("a", ""), ("", "red"), ("b", "italic")],
    "all empty": [("", ""), ("", "bold")],
    "a style portcli does not name": [("a", "magenta"), ("b", "bold underline")],
    "wider than the width": [("x" * 50, "red"), ("y" * 50, "")],
    "wide characters one over the width": [("中文" * 20, "green"), ("a", "")],
    "exactly the width": [("中文" * 19, "green"), ("aa", "dim")],
    "a control character": [("a", ""), ("\x1b[2J", "red")],
    "spaces around": [("  a ", "bold"), ("  ", "")],
}


@pytest.mark.parametrize("where", list(SAY_ENVIRONMENTS))
def test_say_pieces_writes_what_rich_prints(where, sizes):
    sizes("no terminal")
    env = SAY_ENVIRONMENTS[where]
    wrong = []
    for line, pieces in PIECES_SAID.items():
        said, printed = io.StringIO(), io.StringIO()
        detect(said, MIN_WIDTH, maker(said, env), env).say_pieces(pieces)
        maker(printed, env)().print(Text.assemble(*pieces))
        if said.getvalue() != printed.getvalue():
            wrong.append(f"{line}: rich {printed.getvalue()!r}, say_pieces {said.getvalue()!r}")
    assert not wrong, _report(wrong)


@pytest.mark.parametrize("kind", ["record=True", "legacy_windows=True", "a terminal", "no_color", "standard colours"])
def test_say_pieces_on_the_terminal_of_a_console(kind):
    made = {**RICH_ONLY, **DRAWN_BY_PORTCLI}[kind]
    for pieces in PIECES_SAID.values():
        said, printed = made(), made()
        Terminal.of(said).say_pieces(pieces)
        printed.print(Text.assemble(*pieces))
        assert said.file.getvalue() == printed.file.getvalue(), pieces
        if said.record:
            assert said.export_text(styles=True) == printed.export_text(styles=True, clear=False), pieces


def test_say_to_a_real_pty_writes_what_rich_prints(ptys, sizes):
    sizes("fd 1 the real pty")
    master, pty = ptys()

    def written(write) -> bytes:
        write()
        pty.write("\x00end\n")
        pty.flush()
        out = b""
        while not out.endswith(b"\x00end\r\n"):
            assert select.select([master], [], [], 2)[0], f"the pty gave {out!r}"
            out += os.read(master, 65536)
        return out
    env = {"TERM": "xterm-256color"}
    for plain, styles in itertools.product(["hello", "x" * 200, "a\x07b"], [("none",), ("bold", "red"), ("magenta",)]):
        said = written(lambda: detect(pty, MIN_WIDTH, maker(pty, env), env).say(plain, styles))
        printed = written(lambda: rich_prints(maker(pty, env)(), plain, styles))
        assert said == printed, (plain, styles)
        assert (b"\x1b[" in printed) == (styles != ("none",))  # a terminal: rich coloured it


@pytest.mark.parametrize("where", list(SAY_ENVIRONMENTS))
def test_say_in_no_style_a_line_that_fits(where, sizes):
    """say's default, no styles, for a line portcli writes itself."""
    sizes("no terminal")
    env = SAY_ENVIRONMENTS[where]
    for plain in ("hello, 天津港", "a" * 80, "  a  b  "):
        said, printed = io.StringIO(), io.StringIO()
        detect(said, MIN_WIDTH, maker(said, env), env).say(plain)
        printed_by = maker(printed, env)()
        printed_by.print(Text(plain))
        assert said.getvalue() == printed.getvalue(), plain


@pytest.mark.parametrize("line", ["wider than the width", "a control character", "short, recorded"])
def test_say_in_no_style_a_line_rich_prints(line, sizes):
    sizes("no terminal")
    plain = {"wider than the width": "x" * 200, "a control character": "a\x07b", "short, recorded": "hello"}[line]
    said, printed = io.StringIO(), io.StringIO()
    if line == "short, recorded":
        terminal, console = Terminal.of(Console(file=said, record=True)), Console(file=printed, record=True)
    else:
        terminal, console = detect(said, MIN_WIDTH, maker(said, {}), {}), maker(printed, {})()
    console.print(Text(plain))
    terminal.say(plain)
    assert said.getvalue() == printed.getvalue()


@pytest.mark.parametrize("where", list(SAY_ENVIRONMENTS))
def test_a_line_that_fits_needs_no_console(where, sizes):
    """What rich prints on one line, in the styles portcli's tables name, say writes without making
    rich's Console (importing rich is what terminal.py saves)."""
    sizes("no terminal")
    env = SAY_ENVIRONMENTS[where]
    width = maker(io.StringIO(), env)().width
    fitting = [plain for plain in LINES_SAID.values() if plain.isprintable() and cell_len(plain) <= width]
    assert "a" * 80 in fitting and "中文" * 20 in fitting and cell_len("中文" * 20) == 80

    def no_console():
        raise AssertionError("say made rich's Console for a line that fits")
    for plain, styles in itertools.product(fitting, [("",), ("bold", "red"), ("table.header",), ("dim", "yellow")]):
        said = io.StringIO()
        detect(said, MIN_WIDTH, no_console, env).say(plain, styles)
        assert said.getvalue().count("\n") == 1


@pytest.mark.parametrize("where", ["not a tty", "tty-like, standard"])
def test_say_an_empty_line_without_styles(where, sizes):
    sizes("no terminal")
    env = SAY_ENVIRONMENTS[where]
    said, printed = io.StringIO(), io.StringIO()
    detect(said, MIN_WIDTH, maker(said, env), env).say("", ())
    rich_prints(maker(printed, env)(), "", ())
    assert said.getvalue() == printed.getvalue()


@pytest.mark.parametrize("styles", [("bold",), ("red",), ("table.header", "yellow")])
def test_say_an_empty_line_in_a_style_on_a_colour_terminal(styles, sizes):
    sizes("no terminal")
    env = SAY_ENVIRONMENTS["tty-like, standard"]
    said, printed = io.StringIO(), io.StringIO()
    detect(said, MIN_WIDTH, maker(said, env), env).say("", styles)
    rich_prints(maker(printed, env)(), "", styles)
    assert said.getvalue() == printed.getvalue()


# --- Terminal.of -----------------------------------------------------------------------------------

RICH_ONLY = {
    "record=True": lambda: Console(file=io.StringIO(), record=True),
    "a latin-1 file": lambda: Console(file=io.TextIOWrapper(io.BytesIO(), encoding="latin-1")),
    'color_system="windows"': lambda: Console(file=io.StringIO(), color_system="windows", force_terminal=True),
    "legacy_windows=True": lambda: Console(file=io.StringIO(), legacy_windows=True),
    "force_jupyter=True": lambda: Console(file=io.StringIO(), force_jupyter=True),
}
DRAWN_BY_PORTCLI = {
    "plain": lambda: Console(file=io.StringIO()),
    "a terminal": lambda: Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=90),
    "no_color": lambda: Console(file=io.StringIO(), force_terminal=True, no_color=True),
    "standard colours": lambda: Console(file=io.StringIO(), force_terminal=True, color_system="standard"),
    "256 colours": lambda: Console(file=io.StringIO(), force_terminal=True, color_system="256"),
}


@pytest.mark.parametrize("kind", list(RICH_ONLY))
def test_of_leaves_to_rich_what_rich_decides_by_more(kind):
    console = RICH_ONLY[kind]()
    terminal = Terminal.of(console)
    assert terminal.rich_only is True
    assert (terminal.width, terminal.no_color, terminal.console) == (console.width, console.no_color, console)


@pytest.mark.parametrize("kind", list(DRAWN_BY_PORTCLI))
def test_of_a_plain_console(kind):
    console = DRAWN_BY_PORTCLI[kind]()
    terminal = Terminal.of(console)
    assert terminal.rich_only is False
    assert answers(terminal) == (console.width, console.color_system, console.no_color)
    assert terminal.file is console.file and terminal.console is console
    for styles in SAMPLE:
        assert terminal.codes(styles) == rich_codes(console, styles), styles


@pytest.mark.parametrize("kind", list(RICH_ONLY) + list(DRAWN_BY_PORTCLI))
def test_say_on_the_terminal_of_a_console(kind):
    """What say writes on Terminal.of(console) is what the console prints, recorded when it records."""
    made = {**RICH_ONLY, **DRAWN_BY_PORTCLI}[kind]
    for plain, styles in itertools.product(["hello", "x" * 200, "a\x07b"], [("",), ("bold", "red"), ("magenta",)]):
        said, printed = made(), made()
        Terminal.of(said).say(plain, styles)
        rich_prints(printed, plain, styles)
        if isinstance(said.file, io.StringIO):
            assert said.file.getvalue() == printed.file.getvalue(), (plain, styles)
        if said.record:
            assert said.export_text(styles=True) == printed.export_text(styles=True, clear=False)
            assert plain.replace("\x07", "")[:10] in printed.export_text()
