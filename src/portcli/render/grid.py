"""A table drawn line by line in the widths rich lays out, as rich draws it, colour for colour.

rich lays out every cell of every row (~0.7 ms and 4,000 calls a row: 27 s for a report at
100,000 measures), and importing it takes ~50 ms of a listing on 25 measures. A table here is a
`Grid` (its columns, no rows) and rows of plain cells, laid out and wrapped by rich's rules carried
over (_widths, wrap: tests/test_fast_tables.py holds them against rich's own); rich is imported only
to draw what those do not cover (a header folded in a narrow terminal, a bar cut to its column, text
of characters outside widths.is_simple) or on a stream rich must draw on itself (Terminal.rich_only).
"""
from __future__ import annotations

import functools
import re

from .terminal import Terminal
from .widths import cell_width, cut_to, is_simple

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (test_fast_path)
if TYPE_CHECKING:
    from rich.table import Table


class Column:
    """A column as rich's Column takes it (its defaults rich's)."""
    __slots__ = ("header", "justify", "no_wrap", "overflow", "min_width", "max_width")

    def __init__(self, header: str = "", justify: str = "left", no_wrap: bool = False, overflow: str = "ellipsis",
                 min_width: int | None = None, max_width: int | None = None) -> None:
        self.header, self.justify, self.no_wrap, self.overflow = header, justify, no_wrap, overflow
        self.min_width, self.max_width = min_width, max_width


class Grid:
    """A table's columns, without rows: with `box`, rich's SIMPLE_HEAD without its edges (a rule
    under the header, a space between columns); without, nothing between the columns' padding.
    No padding outside the first and last column (rich's pad_edge=False)."""

    def __init__(self, columns: list[Column], box: bool = True, show_header: bool = True, title: str = "",
                 title_justify: str = "center", header_style: str = "table.header") -> None:
        self.columns, self.box, self.show_header = columns, box, show_header
        self.title, self.title_justify, self.header_style = title, title_justify, header_style

    def rich(self) -> Table:
        """The rich Table of these columns, no rows."""
        from rich import box
        from rich.table import Table

        table = Table(box=box.SIMPLE_HEAD if self.box else None, show_edge=False, pad_edge=False,
                      show_header=self.show_header, header_style=self.header_style, title=self.title or None, title_justify=self.title_justify)
        for column in self.columns:
            table.add_column(column.header, justify=column.justify, no_wrap=column.no_wrap, overflow=column.overflow,
                             min_width=column.min_width, max_width=column.max_width)
        return table


# A long table is written a block of this many rows at a time: the output starts at once and memory
# stays flat.
ROWS_PER_BLOCK = 1000

# Text up to this long is measured once a table, through its cache: units, dates, statuses and the
# lines of a list of measures recur (in the column's widths, then in its lines). Longer text, a
# measure's, is measured where it is met, and only as far as its column needs.
SHORT_TEXT = 64

Cell = "str | list[tuple[str, str]]"  # a cell's words, or its pieces, each with a style of its own


def write_rows(table: Grid, rows: list[tuple[list[Cell], str]], kinds: list[dict], terminal: Terminal) -> None:
    """`rows` (each its cells and the row's style) in `table`, drawn on `terminal` as rich draws them,
    line for line and colour for colour, without rich's layout of every cell of every row. `kinds`
    says how each column's cells are made as Text (style, no_wrap, overflow).

    rich lays out the columns from the widest line of each column's cells (_widths); a cell that fits
    its width on one line is then padded here, and any other is wrapped by rich's own Text.wrap in
    that width."""
    cell_len, set_cell_size = cell_width, cut_to
    columns = table.columns
    count = len(columns)
    caps = [(column.max_width or terminal.width) + 2 for column in columns]
    plains = [[cell if isinstance(cell, str) else "".join(piece for piece, _style in cell) for cell in cells]
              for cells, _style in rows]

    def as_text(cell: Cell, kind: dict):
        from rich.text import Text

        return Text(cell, **kind) if isinstance(cell, str) else Text.assemble(*cell, **kind)

    known_len = functools.lru_cache(maxsize=4096)(cell_len)  # units, deadlines, statuses, dates: the same words

    def measured(plain: str, cap: int) -> int:
        """The cells of `plain`, exact up to `cap` (rich never makes a column wider than its max_width)."""
        return known_len(plain) if len(plain) <= SHORT_TEXT else cell_len(_enough(plain, cap))

    def widest_line(plain: str, cap: int) -> int:
        """The cells of the widest line of `plain` (as Text.__rich_measure__ splits it), exact up to `cap`."""
        return max((measured(piece, cap) for piece in plain.splitlines()), default=0)

    short_widest_line = functools.lru_cache(maxsize=4096)(widest_line)  # units, dates, statuses: the same words

    most = [0] * count
    for cells in plains:
        for c, plain in enumerate(cells):
            # A cell no wider than the column's widest so far (a character is at most two cells), or a
            # column already at its cap, changes nothing: a long measure text is measured once.
            if most[c] >= min(len(plain) if plain.isascii() else 2 * len(plain), caps[c]):
                continue
            most[c] = max(most[c], (short_widest_line if len(plain) <= SHORT_TEXT else widest_line)(plain, caps[c]))
    max_width = terminal.width
    headers = [short_widest_line(column.header, max_width) if table.show_header else 0 for column in columns]
    widths = _widths(table, [max(cells, header) for cells, header in zip(most, headers)], max_width)
    # Each column's padding (pad_edge=False: none outside the first and last), and the text between.
    inner = [w - (0 if c == 0 else 1) - (0 if c == count - 1 else 1) for c, w in enumerate(widths)]
    color_system = terminal.colours
    codes = terminal.codes

    divider = " " if table.box else ""  # SIMPLE_HEAD's line between columns is a space; no box, none
    full_width = sum(widths) + len(divider) * (count - 1)
    # A table wider than the terminal (columns that cannot narrow further) is cut at its edge, as rich cuts it.
    crop = max_width if full_width > max_width else None

    def line(cells: list[list[tuple[str, tuple]]], pad_style: tuple) -> str:
        pieces = []
        for c, cell in enumerate(cells):
            if c:
                pieces += [(" ", pad_style), (divider, ()), (" ", pad_style)]
            pieces += cell
        if gone:
            pieces += [(" ", pad_style), (divider, ())]
        if crop is not None:
            pieces = _cropped(pieces, crop)
        return "".join("{1}{0}{2}".format(plain, *codes(style)) if plain else "" for plain, style in pieces)

    header_style = (table.header_style,)
    justify = [column.justify for column in columns]
    heads = [column.header.split("\n") for column in columns]
    title = table.title
    folds = (table.show_header and any(cell_len(h) > w for head, w in zip(heads, inner) for h in head)
             or cell_len(title) > min(full_width, max_width) or "\n" in title)
    squeezed = any(most[c] > inner[c] and any(not isinstance(cells[c], str) for cells, _ in rows) for c in range(count))
    # A last column squeezed to nothing (a narrow terminal, long ids) shows nothing of it but the line before it.
    gone = int(count > 1 and widths[-1] == 0)
    if folds and min(inner[:count - gone], default=0) < 0 or gone and not folds or squeezed or terminal.rich_only:
        # a console that is not a stream of text, a header to fold in columns squeezed to nothing, or a
        # cell of styled pieces to wrap (a bar): rich draws it all
        drawn = table.rich()
        for cells, style in rows:
            drawn.add_row(*(as_text(cell, kind) for cell, kind in zip(cells, kinds)), style=style)
        terminal.console.print(drawn)
        return
    lines = []
    if folds:  # a header or title cut or folded to the columns (a narrow terminal): rich draws it in these widths
        heading = table.rich()
        heading._calculate_column_widths = lambda *_: widths
        terminal.console.print(heading)
    elif title:  # above the table, as wide as it
        lines.append(line([[(_fit(title, min(full_width, max_width), table.title_justify), ("table.title",))]], ()))
    if table.show_header and not folds:  # a header of several lines stands on the rule, as rich aligns it
        height = max(len(head) for head in heads)
        for i in range(height):
            lines.append(line([[(_fit(head[i - height + len(head)] if i >= height - len(head) else "", w, j), header_style)]
                               for head, w, j in zip(heads, inner, justify)], header_style))
        if table.box:
            # SIMPLE_HEAD's rule under the header, no edges, cut at the terminal's edge (a ─ is one cell)
            lines.append("─" * (full_width if crop is None else crop))
    file = terminal.file
    styles = [kind.get("style", "") for kind in kinds]
    ellipsis = [kind.get("no_wrap") and kind.get("overflow") == "ellipsis" for kind in kinds]

    def flush() -> None:
        if lines:
            file.write("\n".join(lines) + "\n")
            lines.clear()

    @functools.lru_cache(maxsize=1024)
    def wrapped_lines(cell: str, c: int) -> list[str]:
        """A cell on several lines, wrapped as rich wraps it."""
        kind, width, column = kinds[c], inner[c], columns[c]
        pieces = cell.split("\n")
        lengths = [measured(piece, width + 1) if piece.isprintable() else None for piece in pieces]
        if all(length is not None and length <= width for length in lengths):  # lines that fit, as they are
            return [_fit(piece, width, column.justify, length) for piece, length in zip(pieces, lengths)]
        overflow, no_wrap = kind.get("overflow") or column.overflow, kind.get("no_wrap", column.no_wrap)
        if not no_wrap:
            folded = wrap(cell, width, column.justify, overflow)
            if folded is not None:
                return [_fit(piece, width, "left") for piece in folded]
        return [_fit(piece.plain, width, "left") for piece in as_text(cell, kind).wrap(
            terminal.console, width, justify=column.justify, overflow=overflow, no_wrap=no_wrap)]

    # In a table wider than the terminal, every line of one-piece cells has its pieces (cells, the
    # padding and line between them) at the same places, so the edge falls in the same piece of each.
    edge = 0, 0  # that piece's index in `placed`, and how many cells of it show
    placed: list[tuple[int | str, int]] = []  # each piece: its column (or "pad", "divider") and width
    if crop is not None:
        for c in range(count - gone):
            placed += [("pad", 1), ("divider", len(divider)), ("pad", 1)] if c else []
            placed.append((c, inner[c]))
        placed += [("pad", 1), ("divider", len(divider))] if gone else []
        used = 0
        for k, (_what, length) in enumerate(placed):
            if used + length >= crop:  # as _cropped: the piece that reaches the edge is cut to it
                edge = k, crop - used
                break
            used += length

    def cut_line(cells: list[tuple[str, tuple[str, str]]], style: str) -> str:
        """A line of one-piece cells (each its text and codes) cut at the terminal's edge, as line() cuts it."""
        on, off = codes((style,))
        last, room = edge
        out = []
        for k, (what, _length) in enumerate(placed[:last + 1]):
            plain, (before, after) = (" ", (on, off)) if what == "pad" else (divider, ("", "")) if what == "divider" \
                else cells[what]
            if k == last:
                plain = set_cell_size(plain, room)
            out.append(f"{before}{plain}{after}" if plain else "")
        return "".join(out)

    @functools.cache
    def row_codes(style: str) -> tuple[list[tuple[str, str]], str, str]:
        on, off = codes((style,))
        return [codes((style, s)) for s in styles], f"{on} {off}{divider}{on} {off}", f"{on} {off}{divider}" * gone

    for (cells, style), plain_cells in zip(rows, plains):
        said = []
        wrapped = False
        text_only = True  # every cell one piece in its column's style: joined straight away
        for c, (cell, plain) in enumerate(zip(cells[:count - gone], plain_cells)):
            width = inner[c]
            cell_style = (style, styles[c])
            if not width:  # a column squeezed to its padding shows nothing of its cells
                said.append([("", cell_style)])
                continue
            if plain.isascii() and plain.isprintable() and len(plain) <= width:  # one cell a character
                length = len(plain)
            elif len(plain) * 2 <= width and plain.isprintable():  # it fits, whatever its characters
                length = known_len(plain)
            else:
                several = "\n" in plain or "\t" in plain  # wrapped, whatever its width: not measured here
                length = 0 if several else measured(plain, width + 1)
                if several or (length > width and not (ellipsis[c] and isinstance(cell, str))):
                    said.append(None)
                    wrapped = True
                    continue
                if length > width:
                    said.append([(set_cell_size(_enough(plain, width + 1), width - 1) + "…", cell_style)])
                    continue
            if isinstance(cell, str):
                said.append([(_fit(cell, width, justify[c], length), cell_style)])
            else:
                text_only = False
                pad = [(" " * (width - length), cell_style)] if width > length else []
                pieces = [(piece, (*cell_style, piece_style)) for piece, piece_style in cell]
                said.append(pad + pieces if justify[c] == "right" else pieces + pad)
        if not wrapped and text_only and crop is None:
            column_codes, between_cells, tail = row_codes(style)
            if color_system:
                lines.append(between_cells.join([f"{on}{one[0][0]}{off}" for (on, off), one in zip(column_codes, said)]) + tail)
            else:
                lines.append(between_cells.join([one[0][0] for one in said]) + tail)
        elif not wrapped and crop is None:  # cells of styled pieces (a bar) too: each piece in its own style
            column_codes, between_cells, tail = row_codes(style)
            lines.append(between_cells.join([
                "{1}{0}{2}".format(one[0][0], *cell_codes) if isinstance(cell, str)
                else "".join(["{1}{0}{2}".format(plain, *codes(piece_style)) for plain, piece_style in one if plain])
                for one, cell, cell_codes in zip(said, cells, column_codes)]) + tail)
        elif not wrapped and text_only:
            lines.append(cut_line([(one[0][0], cell_codes) for one, cell_codes in zip(said, row_codes(style)[0])], style))
        elif not wrapped:
            lines.append(line(said, (style,)))
        else:  # a cell on several lines: the lines of each cell side by side
            if any(not isinstance(cell, str) for cell, one in zip(cells, said) if one is None):
                raise ValueError("a cell of styled pieces must fit on one line")
            if text_only:  # each line of each cell one piece in its column's style, as in a row of one line
                column_codes, between_cells, tail = row_codes(style)
                on, off = codes((style,))
                stacks = [[one[0][0]] if one is not None else wrapped_lines(cell, c)
                          for c, (one, cell) in enumerate(zip(said, cells))]
                for i in range(max(len(stack) for stack in stacks)):
                    if crop is None:
                        lines.append(between_cells.join([
                            "{1}{0}{2}".format(stack[i], *cell_codes) if i < len(stack) else f"{on}{' ' * width}{off}"
                            for stack, width, cell_codes in zip(stacks, inner, column_codes)]) + tail)
                    else:
                        lines.append(cut_line([(stack[i], cell_codes) if i < len(stack) else (" " * width, (on, off))
                                               for stack, width, cell_codes in zip(stacks, inner, column_codes)], style))
            else:
                stacks = [[one] if one is not None else [[(piece, (style, styles[c]))] for piece in wrapped_lines(cell, c)]
                          for c, (one, cell) in enumerate(zip(said, cells))]
                for i in range(max(len(stack) for stack in stacks)):
                    lines.append(line([stack[i] if i < len(stack) else [(" " * width, (style,))]
                                       for stack, width in zip(stacks, inner)], (style,)))
        if len(lines) >= ROWS_PER_BLOCK:
            flush()
    flush()


_WORD = re.compile(r"\s*\S+\s*")  # rich's word: the word and the spaces around it


def wrap(text: str, width: int, justify: str, overflow: str) -> list[str] | None:
    """The lines rich's Text(text).wrap(console, width, justify=justify, overflow=overflow) gives, for
    text of one style whose characters is_simple counts (and no tab); None for any other, left to rich."""
    if not is_simple(text.replace("\n", "")) or justify not in ("default", "left", "right") \
            or overflow not in ("fold", "crop", "ellipsis"):
        return None

    def truncated(line: str) -> str:  # Text.truncate
        if cell_width(line) <= width:
            return line
        return cut_to(line, width - 1) + "…" if overflow == "ellipsis" else cut_to(line, width)

    lines = []
    for line in text.split("\n"):
        breaks = _divide_line(line, width, fold=overflow == "fold")
        for start, end in zip([0, *breaks], [*breaks, len(line)]):
            piece = line[start:end]
            if len(piece) > width:  # Text.rstrip_end: the spaces at its end beyond `width` characters go
                spaces = len(piece) - len(piece.rstrip())
                piece = piece[:len(piece) - min(spaces, len(piece) - width)]
            if justify == "left":
                length = cell_width(piece)
                piece = truncated(piece) + " " * (width - length if length < width else 0)
            elif justify == "right":
                piece = truncated(piece.rstrip())
                piece = " " * (width - cell_width(piece)) + piece
            lines.append(truncated(piece))
    return lines


def _divide_line(text: str, width: int, fold: bool) -> list[int]:
    """rich's _wrap.divide_line for text is_simple accepts: where to break `text` into lines of `width`
    cells, between words, and inside a word longer than a line when `fold`."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = cell_width(word.rstrip())
        if width - offset >= length:
            offset += cell_width(word)
        elif length > width:
            if fold:
                folded = _chop(word, width)
                for i, line in enumerate(folded):
                    if start:
                        breaks.append(start)
                    if i == len(folded) - 1:
                        offset = cell_width(line)
                    else:
                        start += len(line)
            else:
                if start:
                    breaks.append(start)
                offset = cell_width(word)
        elif offset and start:
            breaks.append(start)
            offset = cell_width(word)
    return breaks


def _chop(text: str, width: int) -> list[str]:
    """rich's cells.chop_cells for text is_simple accepts: lines of at most `width` cells."""
    lines, start, used = [], 0, 0
    for i, character in enumerate(text):
        size = 2 if character >= "\u3000" else 1
        if used + size > width:
            lines.append(text[start:i])
            start, used = i, 0
        used += size
    if used:
        lines.append(text[start:])
    return lines


def _cropped(pieces: list[tuple[str, str]], width: int) -> list[tuple[str, str]]:
    """The pieces of a line that fit in `width` cells, the last one cut (rich's Segment.adjust_line_length)."""
    out, used = [], 0
    for plain, style in pieces:
        length = cell_width(plain)
        if used + length < width:
            out.append((plain, style))
            used += length
        else:
            out.append((cut_to(plain, width - used), style))
            break
    return out


def _enough(plain: str, cap: int) -> str:
    """As much of `plain` as its width up to `cap` cells, and its first `cap` cells, depend on: 2 * cap
    characters of text is_simple accepts (each at least one cell); any other text whole (it may start
    with characters of no width, combining marks)."""
    head = plain[:2 * cap]
    return head if is_simple(head) else plain


def _fit(plain: str, width: int, justify: str, length: int | None = None) -> str:
    if justify == "right":
        stripped = plain.rstrip()
        if length is None or len(stripped) != len(plain):
            length = cell_width(stripped)
        return " " * (width - length) + stripped
    return plain + " " * (width - (cell_width(plain) if length is None else length))


def _widths(table: Grid, widest: list[int], max_width: int) -> list[int]:
    """rich's column widths (Table._calculate_column_widths, rich 13-15) for columns whose widest line
    of any cell (the header's too) is `widest`, in a terminal `max_width` wide: each column as wide as
    its widest cell; if the table is then too wide, the widest columns that may wrap narrowed in turn,
    else every column evenly; each measured again in its width. Only the widest lines count: rich
    takes a column's width from the maximum of its measure, never its minimum (the longest word),
    unless a table expands to fill the terminal, which a Grid never does."""
    count = len(table.columns)
    room = max_width - (count - 1 if table.box else 0)  # less the lines between columns

    def measured(c: int, width: int) -> int:
        """The width rich measures column `c` in when `width` is what it has (Table._measure_column)."""
        if width < 1:
            return 0
        column = table.columns[c]
        padding = (c > 0) + (c < count - 1)  # rich's pad_edge=False: none outside the first and last
        # each cell (Padding.__rich_measure__) no wider than `width`, or all of it where its padding leaves no room
        fits = width if width - padding < 1 else min(widest[c] + padding, width)
        if column.min_width is not None:
            fits = max(fits, column.min_width + padding)
        if column.max_width is not None:
            fits = min(fits, column.max_width + padding)
        return fits

    widths = [measured(c, room) or 1 for c in range(count)]
    if sum(widths) > room:
        widths = _collapsed(widths, [not column.no_wrap for column in table.columns], room)
        if sum(widths) > room:  # rich's last resort: every column narrowed evenly
            widths = _ratio_reduce(sum(widths) - room, [1] * count, widths, widths)
        widths = [measured(c, width) for c, width in enumerate(widths)]
    return widths


def _collapsed(widths: list[int], wrapable: list[bool], max_width: int) -> list[int]:
    """rich's Table._collapse_widths: the widest columns that may wrap narrowed, down to the next widest,
    until the table fits or none is wider than another."""
    total = sum(widths)
    excess = total - max_width
    if any(wrapable):
        while total and excess > 0:
            widest = max(width for width, wraps in zip(widths, wrapable) if wraps)
            next_widest = max(width if wraps and width != widest else 0 for width, wraps in zip(widths, wrapable))
            difference = widest - next_widest
            ratios = [1 if width == widest and wraps else 0 for width, wraps in zip(widths, wrapable)]
            if not any(ratios) or not difference:
                break
            widths = _ratio_reduce(excess, ratios, [min(excess, difference)] * len(widths), widths)
            total = sum(widths)
            excess = total - max_width
    return widths


def _ratio_reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    """rich's _ratio.ratio_reduce: `total` taken from `values` in proportion to `ratios`, at most
    `maximums` from each."""
    ratios = [ratio if most else 0 for ratio, most in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining = total
    result = []
    for ratio, most, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            taken = min(most, round(ratio * remaining / total_ratio))
            result.append(value - taken)
            remaining -= taken
            total_ratio -= ratio
        else:
            result.append(value)
    return result


