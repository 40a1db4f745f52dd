"""Rich tables for people at a terminal.

Every piece of data goes in as a `Text`, never as a markup string, so a note holding
`[red]` or `[/]` prints as written. Rows are red when overdue and yellow when due soon,
the traffic lights (红黄绿灯) supervision offices use.
"""
from __future__ import annotations

import copy
import functools

from rich import box
from rich.console import Console
from rich.style import Style
from rich.table import Table
from rich.cells import cell_len
from rich.text import Text

from ..i18n import N_, _, ngettext, status_word
from ..model import STATUSES, Measure, Plan
from ..plans import label, plan_of
from ..query import Report, days_for, days_overdue, days_since_progress, is_due_soon
from ..values import date
from . import (LIGHT_WORDS, as_of as as_of_line, changes_heading, changes_rows, joined, overdue_by, labelled, light,
               printable, progress_line, ranking_cells, ranking_header_parts, ranking_heading, stale_heading,
               summary, summary_line)
from .widths import is_simple, wide_count

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Iterable

# The kind's words differ from every status label: 持续推进 is a status, 长期任务 a kind of deadline.
KIND_LABELS = {"date": N_("fixed date"), "milestone": N_("milestone"), "ongoing": N_("long-term task"),
               "external": N_("as a higher authority directs")}


def due_in(due: date, as_of: date) -> str:
    days = (due - as_of).days
    return _("due today") if days == 0 else ngettext("due in {count} day", "due in {count} days", days).format(count=days)


def text(value: object, style: str = "") -> Text:
    return Text(printable("" if value is None else str(value)), style=style)


def say(console: Console, line: Text, style: str = "") -> None:
    """console.print(line, style=style), written at once when it is one plain line that fits: rich
    prints a line in some 0.3 ms, and a report of 1,000 plans prints 8 of them a plan."""
    plain = line.plain
    if (line._spans or line.end != "\n" or line.justify not in (None, "default") or not plain.isprintable()
            or cell_width(plain) > console.width or console.record or console.legacy_windows or console.is_jupyter):
        console.print(line, style=style)
        return
    said = Style.combine([console.get_style(style or "none"), console.get_style(line.style or "none")])
    if console.no_color:
        said = said.without_color
    color_system = console._color_system
    console.file.write((said.render(plain, color_system=color_system) if color_system and said else plain) + "\n")


def row_style(colour: str) -> str:
    return colour if colour in ("red", "yellow") else ""  # the terminal colours only what needs action


def units_text(m: Measure) -> Text:
    """The lead unit, and how many co-operate: a row stays one line; `show` lists them all."""
    out = Text(printable(m.lead), style="bold")
    if len(m.units) > 1:
        out.append(f" +{len(m.units) - 1}")
    return out


def gist(m: Measure) -> Text:
    """The measure's summary on one line, cut with … to fit.

    The cell, not its column, refuses to wrap: rich may then narrow the column to fit the
    terminal, instead of squeezing every other column (ids, dates) down to "…".
    """
    line = text(summary(m))
    line.no_wrap, line.overflow = True, "ellipsis"
    return line


# The listing is written a block of this many rows at a time: the output starts at once and memory
# stays flat.
ROWS_PER_BLOCK = 1000


def measures(ms: list[Measure], plan: Plan | None, as_of: date, console: Console,
             limit: int = 0, show_overdue_days: bool = False, due_soon: int | None = None,
             show_silent_days: bool = False) -> None:
    """The listing, each row's light (红灯 黄灯 绿灯 待定) after its status: yellow within `due_soon` days when
    given, else within the measure's own plan's `lights: {yellow_days}` (query.days_for). With
    `show_overdue_days` (every row red) the days overdue take the light's place."""
    def colour(m: Measure) -> str:
        return light(m, as_of, days_for(m, plan, due_soon))

    shown = ms[:limit] if limit else ms
    summary_width = max(20, console.width // 3)
    silent = (lambda m: days_since_progress(m, as_of, plan_of(plan, m))) if show_silent_days else None
    table = _measures_table(show_overdue_days, summary_width, show_silent_days)
    if shown:
        rows = []
        for m in shown:
            lit = colour(m)
            rows.append((_plains(m, as_of, show_overdue_days, lit, silent), row_style(lit)))
        write_rows(table, rows, _cell_kinds(show_silent_days), console)
    else:
        console.print(table)
    if len(shown) < len(ms):
        more = len(ms) - len(shown)
        say(console, text(ngettext("… {count} more, use --limit 0 to show all",
                                   "… {count} more, use --limit 0 to show all", more).format(count=more)), "dim")
    say(console, text(ngettext("{count} measure, as of {date}", "{count} measures, as of {date}", len(ms))
                      .format(count=len(ms), date=as_of.isoformat())), "dim")


_HEADERS = (N_("ID"), N_("Task"), N_("Lead unit"), N_("Deadline"), N_("Due"), N_("Status"), N_("Light"), N_("Measure"))
# (the light's column holds the days overdue in the overdue listing)


def _plains(m: Measure, as_of: date, show_overdue_days: bool, colour: str, silent=None) -> list[str]:
    """A listing row's cells as the words they show (text(), units_text() and gist() without the Text)."""
    lead = printable(m.lead) + (f" +{len(m.units) - 1}" if len(m.units) > 1 else "")
    cells = [printable(label(m)), str(m.task), lead, printable(m.deadline.phrase), str(m.due or "—"),
             status_word(m.status)]
    if show_overdue_days:
        late = days_overdue(m, as_of)
        cells.append("" if late is None else str(late))
    else:
        cells.append(_(LIGHT_WORDS[colour]))
    if silent is not None:
        days = silent(m)
        cells.append("—" if days is None else str(days))
    cells.append(printable(summary(m)))
    return cells


def _cell_kinds(show_silent_days: bool = False) -> list[dict]:
    """How each column's cells are made as Text (see units_text and gist): the light's column (or the
    days overdue in its place) and the days silent are plain."""
    plain: dict = {}
    return [plain, plain, {"style": "bold"}, plain, plain, plain, plain] + [plain] * show_silent_days + [
        {"no_wrap": True, "overflow": "ellipsis"}]


def _measures_table(show_overdue_days: bool, summary_width: int, show_silent_days: bool = False) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    columns = [(_("ID"), dict(justify="right", no_wrap=True)), (_("Task"), dict(justify="right", no_wrap=True)),
               (_("Lead unit"), dict(no_wrap=True)), (_("Deadline"), dict(min_width=8, overflow="fold")),
               (_("Due"), dict(no_wrap=True)), (_("Status"), dict(no_wrap=True)),
               (_("Days overdue"), dict(justify="right", no_wrap=True)) if show_overdue_days
               else (_("Light"), dict(no_wrap=True))]
    if show_silent_days:
        columns.append((_("Days silent"), dict(justify="right", no_wrap=True)))
    columns.append((_("Measure"), dict(overflow="ellipsis", max_width=summary_width)))
    for name, options in columns:
        table.add_column(name, **options)
    return table


Cell = "str | list[tuple[str, str]]"  # a cell's words, or its pieces, each with a style of its own

def cell_width(text: str) -> int:
    """The cells `text` takes in a terminal: rich's cell_len."""
    # simple_width's rule written out: this runs for every piece of every line of a long table
    return len(text) + wide_count(text) if is_simple(text) else cell_len(text)


def cut_to(text: str, width: int) -> str:
    """`text` cut or padded to `width` cells, a space where half a wide character would go: rich's set_cell_size."""
    if not is_simple(text):
        from rich.cells import set_cell_size

        return set_cell_size(text, width)
    used = 0
    for i, character in enumerate(text):
        step = 2 if character >= "\u3000" else 1
        if used + step > width:
            return text[:i] + " " * (width - used)
        used += step
    return text + " " * (width - used)




# rich's column widths by all they depend on (the terminal's width, the box and padding, each column's
# header, wrapping and bounds, and the stand-ins' measures; not justify or overflow): a report of 1,000
# plans lays out the same few tables, with the same longest words, again and again (0.7 ms each time).
_LAYOUTS: dict[tuple, list[int]] = {}


def write_rows(table: Table, rows: list[tuple[list[Cell], str]], kinds: list[dict], console: Console) -> None:
    """`rows` (each its cells and the row's style) in `table` (its columns and title, no rows), drawn as
    rich draws them, line for line and colour for colour, without rich's layout of every cell of every
    row (~0.7 ms and 4,000 calls a row: 27 s for a report at 100,000 measures). `kinds` says how each
    column's cells are made as Text (style, no_wrap, overflow).

    rich lays out the columns from each column's widest cell and its longest word, so a table of
    those few cells gets the same widths as the whole; a cell that fits its width on one line is
    then padded here, and any other is wrapped by rich's own Text.wrap in that width."""
    cell_len, set_cell_size = cell_width, cut_to
    columns = table.columns
    count = len(columns)
    caps = [(column.max_width or console.width) + 2 for column in columns]
    plains = [[cell if isinstance(cell, str) else "".join(piece for piece, _style in cell) for cell in cells]
              for cells, _style in rows]

    def as_text(cell: Cell, kind: dict) -> Text:
        return Text(cell, **kind) if isinstance(cell, str) else Text.assemble(*cell, **kind)

    known_len = functools.lru_cache(maxsize=4096)(cell_len)  # units, deadlines, statuses, dates: the same words

    def measured(plain: str, cap: int) -> int:
        # Enough of the text to tell its width up to the column's cap (a character is at least one
        # cell wide, and rich never makes a column wider than its max_width).
        return known_len(plain) if len(plain) <= 64 else cell_len(plain[:2 * cap])

    def measurement(plain: str, cap: int) -> tuple[int, int]:
        """rich's measurement of a Text of `plain` (Text.__rich_measure__): its longest word and its
        widest line, each exact up to `cap`."""
        widest = max((measured(piece, cap) for piece in plain.splitlines()), default=0)
        return max((measured(word, cap) for word in plain.split()), default=widest), widest

    short_measurement = functools.lru_cache(maxsize=4096)(measurement)  # units, dates, statuses: the same words

    # rich lays out a column from the longest word and the widest line of its cells, so one row of
    # stand-ins with each column's longest word and widest line gets the widths of the whole table,
    # without rich measuring every long text character by character.
    least, most = [0] * count, [0] * count
    for cells in plains:
        for c, plain in enumerate(cells):
            # A cell no wider than the column's longest word so far (a character is at most two cells),
            # or a column already at its cap, changes nothing: a long measure text is measured once.
            if least[c] >= min(len(plain) if plain.isascii() else 2 * len(plain), caps[c]):
                continue
            word, widest = (short_measurement if len(plain) <= 64 else measurement)(plain, caps[c])
            least[c], most[c] = max(least[c], word), max(most[c], widest)
    options = console.options  # as Table.__rich_console__ takes them: the width less the borders between columns
    layout = (options.max_width, table.box, table.show_edge, table.pad_edge, table.show_header, tuple(least), tuple(most),
              *((column.header, column.no_wrap, column.min_width, column.max_width) for column in columns))
    kept = all(isinstance(column.header, str) for column in columns)  # a Text header is not a key
    widths = _LAYOUTS.get(layout) if kept else None
    if widths is None:
        sample = _copy_columns(table, show_header=table.show_header)
        sample.add_row(*(Text(_stand_in(word, widest)) for word, widest in zip(least, most)))
        widths = sample._calculate_column_widths(console, options.update_width(options.max_width - sample._extra_width))
        if kept:
            if len(_LAYOUTS) >= 4096:
                _LAYOUTS.clear()
            _LAYOUTS[layout] = widths
    # Each column's padding (pad_edge=False: none outside the first and last), and the text between.
    inner = [w - (0 if c == 0 else 1) - (0 if c == count - 1 else 1) for c, w in enumerate(widths)]
    color_system = console._color_system
    no_color = console.no_color

    @functools.cache
    def codes(styles: tuple[str, ...]) -> tuple[str, str]:
        said = Style.null()
        for style in styles:  # each over the one before, as rich adds them up
            if style:
                said += console.get_style(style)
        if no_color:
            said = said.without_color
        if not color_system or not said:
            return "", ""
        before, after = said.render("\0", color_system=color_system, legacy_windows=console.legacy_windows).split("\0")
        return before, after

    divider = " " if table.box else ""  # SIMPLE_HEAD's line between columns is a space; no box, none
    full_width = sum(widths) + len(divider) * (count - 1)
    # A table wider than the terminal (columns that cannot narrow further) is cut at its edge, as rich cuts it.
    crop = options.max_width if full_width > options.max_width else None

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
    heads = [str(column.header).split("\n") for column in columns]
    title = str(table.title) if table.title else ""
    folds = (table.show_header and any(cell_len(h) > w for head, w in zip(heads, inner) for h in head)
             or cell_len(title) > min(full_width, options.max_width) or "\n" in title)
    squeezed = any(most[c] > inner[c] and any(not isinstance(cells[c], str) for cells, _ in rows) for c in range(count))
    # A last column squeezed to nothing (a narrow terminal, long ids) shows nothing of it but the line before it.
    gone = int(count > 1 and widths[-1] == 0)
    if (folds and min(inner[:count - gone], default=0) < 0 or gone and not folds or squeezed
            or console.legacy_windows or console.record or console.is_jupyter):
        # a console that is not a stream of text, a header to fold in columns squeezed to nothing, or a
        # cell of styled pieces to wrap (a bar): rich draws it all
        for cells, style in rows:
            table.add_row(*(as_text(cell, kind) for cell, kind in zip(cells, kinds)), style=style)
        console.print(table)
        return
    lines = []
    if folds:  # a header or title cut or folded to the columns (a narrow terminal): rich draws it in these widths
        heading = copy.copy(table)
        heading._calculate_column_widths = lambda *_: widths
        console.print(heading)
    elif title:  # above the table, as wide as it
        lines.append(line([[(_fit(title, min(full_width, options.max_width), table.title_justify), ("table.title",))]], ()))
    if table.show_header and not folds:  # a header of several lines stands on the rule, as rich aligns it
        height = max(len(head) for head in heads)
        for i in range(height):
            lines.append(line([[(_fit(head[i - height + len(head)] if i >= height - len(head) else "", w, j), header_style)]
                               for head, w, j in zip(heads, inner, justify)], header_style))
        if table.box:
            rule = "─" * full_width  # SIMPLE_HEAD's rule under the header, no edges
            lines.append(rule if crop is None else set_cell_size(rule, crop))
    file = console.file
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
        if all(piece.isprintable() and cell_len(piece) <= width for piece in pieces):  # lines that fit, as they are
            return [_fit(piece, width, column.justify) for piece in pieces]
        return [_fit(piece.plain, width, "left") for piece in as_text(cell, kind).wrap(
            console, width, justify=column.justify, overflow=kind.get("overflow") or column.overflow,
            no_wrap=kind.get("no_wrap", column.no_wrap))]

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
                length = cell_len(plain[:2 * width + 2])
                if "\n" in plain or "\t" in plain or (length > width and not (ellipsis[c] and isinstance(cell, str))):
                    said.append(None)
                    wrapped = True
                    continue
                if length > width:
                    said.append([(set_cell_size(plain[:2 * width + 2], width - 1) + "…", cell_style)])
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


def _stand_in(word: int, widest: int) -> str:
    """A text rich measures as `word` cells for its longest word and `widest` for its widest line."""
    out, left = "x" * word, widest - word
    while left > 0:
        piece = min(left - 1, word)
        out += " " + "x" * piece if piece > 0 else " " * left
        left -= piece + 1 if piece > 0 else left
    return out


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


def _fit(plain: str, width: int, justify: str, length: int | None = None) -> str:
    if justify == "right":
        stripped = plain.rstrip()
        if length is None or len(stripped) != len(plain):
            length = cell_width(stripped)
        return " " * (width - length) + stripped
    return plain + " " * (width - (cell_width(plain) if length is None else length))


def _copy_columns(table: Table, show_header: bool) -> Table:
    """A table with `table`'s columns and no rows."""
    copy = Table(box=table.box, show_edge=table.show_edge, pad_edge=table.pad_edge, show_header=show_header)
    for column in table.columns:
        copy.add_column(column.header, justify=column.justify, no_wrap=column.no_wrap, overflow=column.overflow,
                        min_width=column.min_width, max_width=column.max_width)
    return copy


def measure(m: Measure, plan: Plan | None, as_of: date, console: Console) -> None:
    plan = plan_of(plan, m)
    task = plan.tasks.get(m.task) if plan else None
    key_task = task.numeral if task else m.task
    head = Text(_("Measure {id} · key task {task}").format(id=label(m), task=key_task), style="bold")
    if task:
        head.append(" " + printable(task.title))
    console.print(head)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(_("Status"), text(status_word(m.status)))
    kind = _(KIND_LABELS[m.deadline.kind])
    if m.deadline.authority:
        when = _("{phrase} ({kind}: {authority})").format(phrase=m.deadline.phrase, kind=kind,
                                                          authority=m.deadline.authority)
    else:
        when = _("{phrase} ({kind})").format(phrase=m.deadline.phrase, kind=kind)
    grid.add_row(_("Deadline"), text(when))
    if m.due is None:
        due = text(_("none (no date set)"))
    elif m.due_source == "due":
        due = text(_("{due} (set by `due` in the file)").format(due=m.due.isoformat()))
    elif m.due_source == "extension":
        was = m.extensions[0].from_ or m.deadline.due or "—"
        n = len(m.extensions)
        due = text(ngettext("{due} (extended {count} time, originally {was})",
                            "{due} (extended {count} times, originally {was})", n)
                   .format(due=m.due.isoformat(), count=n, was=was))
    else:
        due = text(m.due.isoformat())
    late = days_overdue(m, as_of)
    if late is not None:
        due.append(f"  {overdue_by(late)}", style="bold red")
    elif is_due_soon(m, as_of, days_for(m, plan)):
        due.append(f"  {due_in(m.due, as_of)}", style="bold yellow")
    grid.add_row(_("Due"), due)
    names = [_("{unit} (lead)").format(unit=name) if i == 0 else name for i, name in enumerate(m.units)]
    grid.add_row(_("Units"), text(joined(names)))
    if m.units_note:
        grid.add_row(_("Division of work"), text(m.units_note))
    grid.add_row(_("National measure"), text(m.national or _("— (Tianjin's own task)")))
    for i, item in enumerate(m.local, 1):
        grid.add_row(_("Tianjin's measures") if i == 1 else "", text(f"{i}.{item}" if len(m.local) > 1 else item))
    grid.add_row(_("File"), text(m.file))
    console.print(grid)
    if m.progress:
        console.print(Text(_("Progress"), style="bold"))
        log = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for name in (_("Date"), _("Status"), _("Reported by"), _("Note")):
            log.add_column(name)
        for p in m.progress:
            log.add_row(text(p.date), text(status_word(p.status)), text(p.by or "—"), text(p.note or ""))
        console.print(log)
    if m.extensions:
        console.print(Text(_("Extensions"), style="bold"))
        log = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for name in (_("Approved on"), _("Was due"), _("Extended to"), _("Unit"), _("Reason")):
            log.add_column(name)
        for e in m.extensions:
            log.add_row(text(e.date), text(e.from_ or "—"), text(e.to), text(e.by or "—"), text(e.reason))
        console.print(log)


BAR_PARTS = (("█", "green", N_("done")), ("▓", "red", N_("overdue")), ("░", "dim", N_("other")))


def bar_cells(counts: list[int], width: int) -> list[int]:
    """How many of `width` cells each count gets: proportional, largest remainder first, and at
    least one for any count above zero, so one late measure out of 21 never disappears."""
    total = sum(counts)
    if not total:
        return [0] * len(counts)
    exact = [c * width / total for c in counts]
    cells = [max(int(e), 1 if c else 0) for e, c in zip(exact, counts)]
    while sum(cells) < width:
        cells[max(range(len(cells)), key=lambda i: exact[i] - cells[i])] += 1
    while sum(cells) > width:
        cells[max((i for i in range(len(cells)) if cells[i] > 1), key=lambda i: cells[i] - exact[i])] -= 1
    return cells


def bar(done: int, overdue: int, involved: int, width: int = 20) -> Text:
    """A unit's measures as one bar: done, overdue, the rest; the characters differ, so it reads without colour."""
    out = Text()
    for (char, style, _), n in zip(BAR_PARTS, bar_cells([done, overdue, involved - done - overdue], width)):
        out.append(char * n, style=style)
    return out


def bar_pieces(done: int, overdue: int, involved: int, width: int = 20) -> list[tuple[str, str]]:
    """bar() as styled pieces (see write_rows)."""
    return [(char * n, style) for (char, style, _), n in
            zip(BAR_PARTS, bar_cells([done, overdue, involved - done - overdue], width)) if n]


def report(r: Report, plan: Plan | None, console: Console) -> None:
    title = printable(plan.title) if plan else "portcli"
    head = Text(title, style="bold")
    scope = as_of_line(r.as_of) + (f" · {printable(r.unit)}" if r.unit else "")
    head.append(f"  {scope}")
    say(console, head)
    say(console, text(summary_line(r)))
    say(console, text("  ".join(f"{status_word(k)} {n}" for k, n in r.by_status.items())))
    if r.changes is not None:
        _changes(console, r.changes)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title=_("Per unit"),
                  title_justify="left")
    columns = ((_("Unit"), "left"), (_("Lead"), "right"), (_("Involved"), "right"), (_("Done"), "right"),
               (_("Overdue"), "right"), (_("Extended"), "right"), (_("Completion"), "right"),
               (_("Progress"), "left"))
    for name, justify in columns:
        table.add_column(name, justify=justify, no_wrap=True)
    # The bar takes what the other columns leave (they are never cut): 20 cells at most, 4 at least.
    unit_width = max((cell_len(row.unit) for row in r.units), default=4)
    number_width = max((len(str(row.involved)) for row in r.units), default=1)
    headers = [cell_len(name) for name, _ in columns[1:-1]]  # the number columns' names, in cells
    others = unit_width + sum(max(h, number_width) for h in headers) + 3 * (len(headers) + 1)
    width = max(4, min(20, console.width - others - 1))
    if r.units:
        plain: dict = {}
        write_rows(table, [([printable(row.unit), str(row.lead), str(row.involved), str(row.done),
                             [(str(row.overdue), "red" if row.overdue else "")], str(row.extended),
                             f"{row.completion:.0%}", bar_pieces(row.done, row.overdue, row.involved, width)], "")
                            for row in r.units], [plain] * len(columns), console)
    else:
        console.print(table)
    legend = Text(labelled(_("Progress"), ""))
    for char, style, label in BAR_PARTS:
        legend.append(char, style=style).append(" " + _(label) + "  ")
    legend.rstrip()
    console.print(legend)
    _ranking(console, r)
    scope = f" --as-of {r.as_of.isoformat()}" + (f" --unit {printable(r.unit)}" if r.unit else "")
    _listing(console, _("Overdue"), r.overdue, r.as_of, "red", lambda m: overdue_by((r.as_of - m.due).days),
             f"portcli overdue{scope}")
    _listing(console, _("Due soon"), r.due_soon, r.as_of, "yellow", lambda m: due_in(m.due, r.as_of),
             f"portcli list --due-soon{'' if r.due_soon_days is None else f' {r.due_soon_days}'}{scope}")
    _stale(console, r, f"portcli list --stale {r.stale_days}{scope}")


def _changes(console: Console, changes) -> None:
    """本期变化: what changed in the period, a line each: how many, and which."""
    say(console, Text(changes_heading(changes), style="bold"))
    rows = changes_rows(changes)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(no_wrap=True)
    used = max(cell_len(name) for name, _ms in rows) + max(len(str(len(ms))) for _name, ms in rows) + 4
    for name, ms in rows:
        grid.add_row(text(name), text(len(ms)), text(wrapped_ids(ms, console.width - used)))
    console.print(grid)


def _ranking(console: Console, r: Report) -> None:
    """Per unit: on-time rate, overdue share and stale count, as lead and as co-operating unit."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title=ranking_heading(r),
                  title_justify="left")
    table.add_column(_("Unit"), no_wrap=True)
    for group, figure in ranking_header_parts():  # on two lines: the table stays within 100 columns
        table.add_column(f"{group}\n{figure}", justify="right", no_wrap=True)
    if not r.units:
        console.print(table)
        return
    plain: dict = {}
    write_rows(table, [([printable(str(cell)) for cell in ranking_cells(row)], "") for row in r.units],
               [plain] * len(table.columns), console)


def _stale(console: Console, r: Report, command: str) -> None:
    """催办: per unit, the stale measures it leads, then those it co-operates on; as the overdue list,
    at most REPORT_LISTING_LIMIT of each, the rest a command away."""
    say(console, Text(stale_heading(r), style="bold"))
    if not r.stale_units:
        return
    table = Table(box=None, pad_edge=False, show_header=True, header_style="")
    unit_width = max(cell_len(_("Unit")), *(cell_len(unit) for unit, _led, _co in r.stale_units))
    width = max(8, (console.width - unit_width - 4) // 2)  # the lead and co-operating columns share the rest
    table.add_column(_("Unit"), no_wrap=True)
    table.add_column(_("Lead"), no_wrap=True, max_width=width)
    table.add_column(_("Co-operating"), no_wrap=True, max_width=width)
    cut = False
    rows = []
    for unit, led, co in r.stale_units:
        cells = [printable(unit)]
        for ms in (led, co):
            cell = wrapped_ids(ms[:REPORT_LISTING_LIMIT], width)
            if len(ms) > REPORT_LISTING_LIMIT:
                more = len(ms) - REPORT_LISTING_LIMIT
                cell += "\n" + ngettext("… {count} more", "… {count} more", more).format(count=more)
                cut = True
            cells.append(printable(cell))
        rows.append((cells, ""))
    plain: dict = {}
    write_rows(table, rows, [plain] * 3, console)
    if cut:
        command = _in_plan(command, [m for _unit, led, co in r.stale_units for m in (*led, *co)])
        say(console, text(_("Every measure to chase: `{command}`").format(command=command)), "dim")


def wrapped_ids(ms: list[Measure], width: int) -> str:
    """Measures named as a list (14、17、23), in lines of at most `width` cells broken only between
    names: a Chinese list has no space for rich to break at, and would be cut inside a number."""
    separator = joined(["", ""])
    lines, line = [], ""
    for name in (label(m) for m in ms):
        candidate = f"{line}{separator}{name}" if line else name
        if line and cell_width(candidate + separator) > width:
            lines.append(line + separator.rstrip())
            line = name
        else:
            line = candidate
    return "\n".join([*lines, line]) if line else ""


def _in_plan(command: str, ms: list[Measure]) -> str:
    """`command` as a plan's section of the report names it: with `--plan NAME` when `ms` are all of one plan."""
    plans = {m.plan for m in ms}
    return command + f" --plan {printable(plans.pop())}" if len(plans) == 1 and None not in plans else command


# The report's overdue and due-soon lists show this many measures: a report is read in a meeting,
# and the rest are a command away (at 100,000 measures the overdue list alone ran to 40,000 lines).
REPORT_LISTING_LIMIT = 50


def _listing(console: Console, title: str, ms: list[Measure], as_of: date, style: str, when,
             command: str = "") -> None:
    say(console, Text(labelled(title, len(ms)), style="bold"))
    if not ms:
        return
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(overflow="ellipsis")
    plain: dict = {}
    rows = [([printable(label(m)), printable(m.lead), str(m.due), printable(when(m)), printable(summary(m))], style)
            for m in ms[:REPORT_LISTING_LIMIT]]
    write_rows(table, rows, [plain, plain, plain, plain, {"no_wrap": True, "overflow": "ellipsis"}], console)
    if len(ms) > REPORT_LISTING_LIMIT:
        more = len(ms) - REPORT_LISTING_LIMIT
        command = _in_plan(command, ms)
        say(console, text(ngettext("… {count} more: see `{command}`", "… {count} more: see `{command}`", more)
                          .format(count=more, command=command)), "dim")


def units(rows: Iterable[dict], console: Console) -> None:
    # The short name is what people type after --unit: never split it. One alias per line, so a
    # narrow terminal folds none of them in the middle ("Tianji" / "n MSA").
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column(_("Short name"), no_wrap=True)
    table.add_column(_("Full name"), overflow="fold")
    table.add_column(_("English name"), overflow="fold")
    table.add_column(_("Aliases"), overflow="fold")
    table.add_column(_("Lead"), justify="right", no_wrap=True)
    table.add_column(_("Involved"), justify="right", no_wrap=True)
    for row in rows:
        table.add_row(text(row["name"]), text(row["full_name"]), text(row["english"]),
                      text("\n".join(row["aliases"])), text(row["lead"]), text(row["involved"]))
    console.print(table)


def history(changes: list, m: Measure, console: Console) -> None:
    """A measure's commits, oldest first: when, who, status before → after, what was recorded."""
    console.print(text(_("History of measure {id} ({file})").format(id=label(m), file=m.file), "bold"))
    if not changes:
        console.print(text(_("no commits of this file yet")), style="dim")
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column(_("Date"), no_wrap=True)
    table.add_column(_("Author"), no_wrap=True)
    table.add_column(_("Status"), no_wrap=True)
    table.add_column(_("Recorded"), overflow="fold")
    table.add_column(_("Commit"), no_wrap=True)
    for c in changes:
        after = _status_or_unknown(c.status_after)
        if c.created:
            status = _("created · {status}").format(status=after)
        elif c.status_before != c.status_after:
            status = f"{_status_or_unknown(c.status_before)} → {after}"
        else:
            status = after
        lines = [progress_line(e.get("date"), e.get("by"), e.get("note"), e.get("status")) for e in c.progress]
        lines += [_("extended {was} → {to}: {reason}").format(was=e.get("from") or "—", to=e.get("to"),
                                                             reason=e.get("reason") or "") for e in c.extensions]
        if not c.readable:
            lines.append(_("the file as this commit left it does not read as a measure file"))
        table.add_row(text(c.when.strftime("%Y-%m-%d %H:%M")), text(c.author), text(status),
                      text("\n".join(lines)), text(c.commit[:8]))
    console.print(table)


def _status_or_unknown(key: str | None) -> str:
    return status_word(key) if key in STATUSES else "?"
