"""Where a table is drawn: what rich's Console makes of a stream, worked out without importing rich.

Importing rich's console and table takes ~50 ms, four times what Python takes to start (issue 16),
and a listing that fits its terminal needs none of it: its width, whether it takes colours and
which, and the codes of a few named styles. `detect` works those out from the stream and the
environment as rich's Console does (COLUMNS, the terminal's size, TTY_COMPATIBLE, FORCE_COLOR,
NO_COLOR, COLORTERM, TERM), and leaves to rich every case it decides by more (Windows, Jupyter,
IDLE, a stream that is not UTF-8): there the Terminal is rich's Console itself (`rich_only`).
tests/test_terminal.py holds each answer against rich's own.
"""
from __future__ import annotations

import builtins
import os
import sys

from .widths import cell_width

# The styles portcli's tables name, as rich's default theme defines them: (attributes, colour).
# SGR attribute codes in rich's order (bold 1, dim 2, italic 3); the colours are the standard
# eight, written the same in every colour system.
_STYLES = {"": ((), None), "none": ((), None), "bold": ((1,), None), "dim": ((2,), None), "italic": ((3,), None),
           "red": ((), 31), "green": ((), 32), "yellow": ((), 33),
           "table.header": ((1,), None), "table.title": ((3,), None)}

# rich's colour system for the last part of TERM (xterm-256color), standard for any other
_TERM_COLOURS = {"kitty": "256", "256color": "256", "16color": "standard"}


class Terminal:
    """A stream to draw on: its `file`, its `width` in cells, its colour system (None, "standard",
    "256" or "truecolor") and whether NO_COLOR holds. `console` is the rich Console drawing on the
    same stream in the same width, made the first time something needs rich."""

    def __init__(self, file, width: int, colours: str | None, no_color: bool, make_console, rich_only: bool = False):
        self.file, self.width, self.colours, self.no_color = file, width, colours, no_color
        self.rich_only = rich_only  # a console rich must draw on itself (recording, Windows, Jupyter, not UTF-8)
        self._make_console, self._console = make_console, None
        self._codes: dict[tuple[str, ...], tuple[str, str]] = {}

    @classmethod
    def of(cls, console) -> Terminal:
        """The Terminal of a rich Console."""
        colours = {1: "standard", 2: "256", 3: "truecolor"}.get(console._color_system and console._color_system.value)
        rich_only = (console.record or console.legacy_windows or console.is_jupyter
                     or not console.encoding.startswith("utf") or console._color_system is not None and colours is None)
        terminal = cls(console.file, console.width, colours, console.no_color, None, rich_only)
        terminal._console = console
        return terminal

    @property
    def console(self):
        if self._console is None:
            self._console = self._make_console()
            self._console.width = self.width
        return self._console

    def codes(self, styles: tuple[str, ...]) -> tuple[str, str]:
        """The SGR codes that start and end text in `styles`, each over the one before, as rich adds
        them up and renders them; ("", "") for none."""
        known = self._codes.get(styles)
        if known is not None:
            return known
        attributes: set[int] = set()
        colour = None
        for style in styles:
            if style not in _STYLES:
                break
            more, its_colour = _STYLES[style]
            attributes.update(more)
            colour = its_colour or colour
        else:
            parts = sorted(attributes) + ([colour] if colour and not self.no_color else [])
            said = (f"\x1b[{';'.join(map(str, parts))}m", "\x1b[0m") if parts and self.colours else ("", "")
            self._codes[styles] = said
            return said
        self._codes[styles] = said = self._rich_codes(styles)  # a style of rich's theme portcli's tables do not name
        return said

    def _rich_codes(self, styles: tuple[str, ...]) -> tuple[str, str]:
        from rich.style import Style

        console = self.console
        said = Style.null()
        for style in styles:
            if style:
                said += console.get_style(style)
        if self.no_color:
            said = said.without_color
        if not console._color_system or not said:
            return "", ""
        before, after = said.render("\0", color_system=console._color_system,
                                    legacy_windows=console.legacy_windows).split("\0")
        return before, after

    def say(self, plain: str, styles: tuple[str, ...] = ()) -> None:
        """One line of text in `styles`: written at once when it is printable and fits, as rich
        prints it (rich prints a line in some 0.3 ms); else printed by rich."""
        if not self._fits(plain):
            from rich.style import Style
            from rich.text import Text

            console = self.console
            console.print(Text(plain), style=Style.combine([console.get_style(s or "none") for s in ("", *styles)]))
            return
        on, off = self.codes(styles) if plain else ("", "")  # rich styles no empty text
        self.file.write(f"{on}{plain}{off}\n")

    def say_pieces(self, pieces: list[tuple[str, str]]) -> None:
        """One line of pieces of text, each in its style: written at once as say() writes one, else
        printed by rich as Text.assemble(*pieces)."""
        if not self._fits("".join(plain for plain, _style in pieces)):
            from rich.text import Text

            self.console.print(Text.assemble(*pieces))
            return
        self.file.write("".join("{1}{0}{2}".format(plain, *self.codes((style,))) for plain, style in pieces if plain)
                        + "\n")

    def _fits(self, plain: str) -> bool:
        """Whether `plain` is written as rich would print it: on one line, no character rich acts on."""
        return not self.rich_only and plain.isprintable() and cell_width(plain) <= self.width


def detect(file, min_width: int, make_console, environ=os.environ) -> Terminal:
    """The Terminal rich's Console(file=file) would be, at least `min_width` wide; rich's Console
    itself wherever rich decides by more than the stream and the environment."""
    if (sys.platform == "win32" or hasattr(builtins, "get_ipython") or hasattr(file, "rich_proxied_file")
            or getattr(sys.stdin, "__module__", "").startswith("idlelib")
            or not (getattr(file, "encoding", "utf-8") or "utf-8").lower().startswith("utf")):
        console = make_console()
        console.width = max(console.width, min_width)
        return Terminal.of(console)
    terminal = _is_terminal(file, environ)
    dumb = terminal and environ.get("TERM", "").lower() in ("dumb", "unknown")
    columns, lines = environ.get("COLUMNS"), environ.get("LINES")
    if columns is not None and columns.isdigit() and (not dumb or lines is not None and lines.isdigit()):
        width = int(columns)  # even 0: the width rich's Console takes from COLUMNS when it makes it
    elif dumb:
        width = 80  # rich's size for a dumb terminal, unless COLUMNS and LINES both give it
    else:
        width = None
        for descriptor in (0, 1, 2):
            try:
                width = os.get_terminal_size(descriptor).columns
                break
            except (AttributeError, ValueError, OSError):
                pass
        width = width or 80
    colours = None
    if terminal and not dumb:
        if environ.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit"):
            colours = "truecolor"
        else:
            colours = _TERM_COLOURS.get(environ.get("TERM", "").strip().lower().rpartition("-")[2], "standard")
    return Terminal(file, max(width, min_width), colours, environ.get("NO_COLOR", "") != "", make_console)


def _is_terminal(file, environ) -> bool:
    """rich's Console.is_terminal."""
    compatible = environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    isatty = getattr(file, "isatty", None)
    try:
        return False if isatty is None else isatty()
    except ValueError:
        return False
