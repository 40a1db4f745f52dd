"""Where rich decides how to draw by more than the stream and the environment (Windows, Jupyter, IDLE,
a stream rich itself proxies, a stream that is not UTF-8), render.terminal.detect does not guess: the
Terminal it gives is rich's Console itself, made there and then (render/terminal.py's promise).

Each case is set up as rich sees it: sys.platform, a `get_ipython` in builtins, rich's own FileProxy,
an IDLE stdin (a stream class of idlelib's), a latin-1 stream. The expected answer is the one Console
the caller's make_console makes, with its own width (tests/test_terminal.py holds the other answers
of detect against rich's Console).
"""
from __future__ import annotations

import builtins
import io
import sys

import pytest
from rich.console import Console
from rich.file_proxy import FileProxy

from portcli.render.terminal import detect


class IdleInput(io.StringIO):
    """What IDLE puts in sys.stdin: a stream class of idlelib's."""


IdleInput.__module__ = "idlelib.run"


def maker(file):
    made = []

    def make() -> Console:
        console = Console(file=file, width=123, highlight=False, emoji=False, markup=False)
        made.append(console)
        return console
    return made, make


@pytest.mark.parametrize("case", ["windows", "jupyter", "rich's proxy", "idle", "latin-1"])
def test_where_rich_decides_by_more_the_terminal_is_richs_console(case, monkeypatch):
    file = io.StringIO()
    if case == "windows":
        monkeypatch.setattr(sys, "platform", "win32")
    elif case == "jupyter":
        monkeypatch.setattr(builtins, "get_ipython", lambda: None, raising=False)
    elif case == "rich's proxy":
        file = FileProxy(Console(file=io.StringIO()), io.StringIO())
    elif case == "idle":
        monkeypatch.setattr(sys, "stdin", IdleInput())
    else:
        file = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    made, make = maker(file)
    terminal = detect(file, 80, make, environ={"COLUMNS": "100"})
    assert len(made) == 1, case  # made by detect, not when something first needs it
    assert terminal.console is made[0] and terminal.width == 123, case


def test_a_plain_stream_makes_no_console():
    """The counterpart: a UTF-8 stream that is no terminal, on Linux, outside Jupyter and IDLE, is
    worked out without rich, COLUMNS wide."""
    made, make = maker(io.StringIO())
    terminal = detect(io.StringIO(), 80, make, environ={"COLUMNS": "100"})
    assert made == [] and terminal.width == 100 and terminal.colours is None


@pytest.mark.parametrize("term", ["rxvt-unicode-256color", "screen-xterm-16color", "xterm-256color-bce"])
def test_a_terminal_named_with_several_dashes_has_richs_colours(term):
    """rich takes a terminal's colours from what follows TERM's last dash (rxvt-unicode-256color: 256);
    tests/test_terminal.py's names have one dash at most. rich's Console on the same stream and
    environment is the oracle."""
    environ = {"TERM": term, "TTY_COMPATIBLE": "1", "COLUMNS": "100"}
    rich = Console(file=io.StringIO(), _environ=environ, highlight=False, emoji=False, markup=False)
    made, make = maker(io.StringIO())
    terminal = detect(io.StringIO(), 80, make, environ=environ)
    assert made == [] and terminal.colours == rich.color_system, term
