"""Listings and the report's tables are written line by line (render.table.write_rows) in the widths
rich lays out, not through rich's layout of every cell: what a terminal shows must be what rich
itself draws for the same table, character for character and colour for colour."""
from __future__ import annotations

import io
import re
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import example, given, settings, strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

import hostile
import varied
from portcli import query
from portcli.i18n import _, status_word
from portcli.load import load
from portcli.plans import label
from portcli.render import grid, listing, table, widths
from portcli.render.grid import Column, Grid
from portcli.render.terminal import Terminal

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import generate  # noqa: E402

WIDTHS = (40, 60, 80, 120, 200)
DAYS = (date(2022, 5, 25), date(2022, 6, 15))


def shown(output: str) -> list[tuple[str, str]]:
    """Each character a terminal shows, with the SGR codes in force on it (a space's colour shows
    nothing, so spaces count without it): two outputs alike here look alike."""
    out, codes = [], ""
    for part in re.split(r"(\x1b\[[0-9;]*m)", output):
        if part.startswith("\x1b["):
            codes = "" if part == "\x1b[0m" else codes + part
        else:
            out += [(ch, codes if ch.strip() else "") for ch in part]
    return out


def console(width: int, terminal: bool) -> Console:
    return Console(file=io.StringIO(), width=width, force_terminal=terminal,
                   color_system="standard" if terminal else None, highlight=False, markup=False, emoji=False)


def listing_columns(overdue_days: bool, width: int) -> Table:
    """The listing's columns written out here, not taken from portcli (render.listing.measures_table),
    so that a wrong justification, wrapping or bound of one of them shows against rich: ids, tasks and
    days right-justified; the deadline at least 8 cells, folded; the summary at most a third of the
    terminal (20 at least); every other column on one line."""
    from rich import box

    t = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    t.add_column("ID", justify="right", no_wrap=True)
    t.add_column("Task", justify="right", no_wrap=True)
    t.add_column("Lead unit", no_wrap=True)
    t.add_column("Deadline", min_width=8, overflow="fold")
    t.add_column("Due", no_wrap=True)
    t.add_column("Status", no_wrap=True)
    if overdue_days:
        t.add_column("Days overdue", justify="right", no_wrap=True)
    else:
        t.add_column("Light", no_wrap=True)
    t.add_column("Measure", overflow="ellipsis", max_width=max(20, width // 3))
    return t


def rich_listing(ms, plan, as_of, out: Console, overdue_days: bool) -> None:
    """The listing as rich draws it: every cell a Text in one rich Table, the light's word (or the
    days overdue in its place) after the status; the lead unit bold, with how many co-operate; the
    summary on one line, cut with … to fit."""
    from portcli.render import LIGHT_WORDS, light, summary

    t = listing_columns(overdue_days, out.width)
    for m in ms:
        colour = light(m, as_of, query.days_for(m, plan))
        lead = Text(table.printable(m.lead), style="bold")
        if len(m.units) > 1:
            lead.append(f" +{len(m.units) - 1}")
        gist = table.text(summary(m))
        gist.no_wrap, gist.overflow = True, "ellipsis"
        cells = [table.text(label(m)), table.text(m.task), lead, table.text(m.deadline.phrase),
                 table.text(m.due or "—"), table.text(status_word(m.status)),
                 table.text(query.days_overdue(m, as_of)) if overdue_days else table.text(_(LIGHT_WORDS[colour])),
                 gist]
        t.add_row(*cells, style=colour if colour in ("red", "yellow") else "")
    out.print(t)


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """Varied deadlines and statuses; a measure whose texts hold line breaks, markup and controls;
    300 generated measures with long summaries and units."""
    base = tmp_path_factory.mktemp("folders")
    hostile_dir = base / "hostile"
    import shutil

    shutil.copytree(REPO / "measures", hostile_dir)
    hostile.write(hostile_dir)
    return {"varied": varied.write(base / "varied"), "hostile": hostile_dir,
            "generated": generate.generate(300, base / "generated")}


@pytest.mark.parametrize("name", ["varied", "hostile", "generated"])
@pytest.mark.parametrize("overdue_days", [False, True])
def test_a_listing_looks_as_rich_draws_it(folders, name, overdue_days):
    loaded = load(folders[name])
    assert not loaded.problems
    for as_of in DAYS:
        for width in WIDTHS:
            for terminal in (False, True):
                expected, written = console(width, terminal), console(width, terminal)
                rich_listing(loaded.measures, loaded.plan, as_of, expected, overdue_days)
                listing.measures(loaded.measures, loaded.plan, as_of, Terminal.of(written), show_overdue_days=overdue_days)
                drawn = written.file.getvalue()
                body = drawn[:drawn.rindex("\n", 0, len(drawn) - 1) + 1]  # less the "N measures" line
                assert shown(body) == shown(expected.file.getvalue()), (name, as_of, width, terminal)


def rich_rows(grid: Grid, rows, kinds, out: Console) -> None:
    """What write_rows draws, drawn by rich: every cell a Text in the table."""
    t = grid.rich()
    for cells, style in rows:
        t.add_row(*(Text(cell, **kind) if isinstance(cell, str) else Text.assemble(*cell, **kind)
                    for cell, kind in zip(cells, kinds)), style=style)
    out.print(t)


@pytest.mark.parametrize("name", ["varied", "hostile", "generated"])
def test_the_report_looks_as_rich_draws_it(folders, name, monkeypatch):
    """The per-unit table (its bar in three colours) and the overdue and due-soon lists."""
    loaded = load(folders[name])
    for as_of in DAYS:
        for unit in (None, "天津海关"):
            r = query.report(loaded.measures, loaded.plan, as_of, 14, unit)
            for width in (60, 80, 120):
                for terminal in (False, True):
                    written, expected = console(width, terminal), console(width, terminal)
                    table.report(r, loaded.plan, written)
                    with monkeypatch.context() as patched:
                        patched.setattr(table, "write_rows",
                                        lambda grid, rows, kinds, terminal: rich_rows(grid, rows, kinds, terminal.console))
                        table.report(r, loaded.plan, expected)
                    assert shown(written.file.getvalue()) == shown(expected.file.getvalue()), (name, width, terminal)


def test_double_width_text_lines_up_by_hand():
    """Two rows, worked out by hand: 天津海关 takes 8 cells, "ab" 2; the number column is right-justified
    to its widest cell ("123"); columns are three cells apart (padding, the box's space, padding)."""
    t = Grid([])
    t.columns.append(Column("N", justify="right", no_wrap=True))
    t.columns.append(Column("Unit", no_wrap=True))
    t.columns.append(Column("Text", overflow="ellipsis", max_width=6))
    out = console(80, False)
    plain: dict = {}
    table.write_rows(t, [(["1", "天津海关", "长长长长长"], ""), (["123", "ab", "xy"], "")],
                     [plain, plain, {"no_wrap": True, "overflow": "ellipsis"}], Terminal.of(out))
    assert out.file.getvalue().splitlines() == [
        "  N   Unit       Text  ",
        "─" * (3 + 3 + 8 + 3 + 6),  # as wide as the rows: cells and the three between each two
        "  1   天津海关   长长 …",  # 长长 (4 cells) and a space where half a 长 will not go, then …
        "123   ab         xy    ",
    ]


def test_the_report_lists_fifty_overdue_and_says_where_the_rest_are(tmp_path, run):
    folder = generate.generate(200, tmp_path / "m")
    overdue = run("overdue", "--dir", folder, "--as-of", "2022-06-15", "--format", "json")
    late = len(__import__("json").loads(overdue.stdout))
    assert late > table.REPORT_LISTING_LIMIT
    for lang, more in (("en", f"… {late - 50} more: see `portcli overdue --as-of 2022-06-15`"),
                       ("zh", f"… 另有 {late - 50} 项，全部见 `portcli overdue --as-of 2022-06-15`")):
        result = run("report", "--dir", folder, "--as-of", "2022-06-15", env={"PORTCLI_LANG": lang})
        lines = result.stdout.splitlines()
        assert more in lines
        start = next(i for i, line in enumerate(lines) if re.match(r"(Overdue|逾期)[:：] ?\d+$", line))
        rows = lines[start + 1:lines.index(more)]
        assert len(rows) == 50
        assert all(re.match(r"\s*\d+\s", row) for row in rows)


def test_the_widths_of_the_characters_measured_without_rich_are_richs():
    """cell_width and cut_to count the characters measures are written in themselves: every one of
    them as rich counts it, alone and in text, and cut where rich cuts it."""
    import random

    from rich.cells import set_cell_size

    characters = [chr(code) for low, high in re.findall(r"(.)-(.)", widths._NARROW + widths._WIDE)
                  for code in range(ord(low), ord(high) + 1)]
    for character in characters:
        assert widths.cell_width(character) == cell_len(character), hex(ord(character))
    rng = random.Random(16)
    samples = ["天津海关 +2", "按照海关总署统一部署推动实施", "a—b…c", "ＡＢ（全角）", "かなカナ", ""]
    samples += ["\u3000\u3000推动实施", "a\u3000b\u3000c"]  # the ideographic space opens a paragraph: 2 cells
    samples += ["".join(rng.choice(characters) for _ in range(rng.randint(1, 40))) for _ in range(300)]
    samples += ["e\u0301", "👍🏽", "\u200d", "\u2028", "表\ufe0f"]  # graphemes: rich measures these
    for sample in samples:
        assert widths.cell_width(sample) == cell_len(sample), sample
        for width in range(0, 12):
            assert widths.cut_to(sample, width) == set_cell_size(sample, width), (sample, width)


@pytest.mark.parametrize("terminal", [False, True])
def test_cells_and_headers_of_several_lines_look_as_rich_draws_them(terminal):
    """A header on two lines stands on the rule (rich aligns a header to the bottom); a cell's lines
    stack; the column is as wide as the widest line of any cell, here that of the second row, although
    the first row's cell holds more characters in all."""
    rows = [(["天津海关", "1、2、3、4、5、\n6、7\n… 9 more"], ""), (["海事局", "100、200、300、 4000"], "red")]
    kinds: list[dict] = [{}, {}]
    for width in WIDTHS:
        drawn, expected = console(width, terminal), console(width, terminal)
        for out, draw in ((drawn, lambda *a: table.write_rows(*a[:3], Terminal.of(a[3]))), (expected, rich_rows)):
            t = Grid([])
            t.columns.append(Column("Unit\nname", no_wrap=True))
            t.columns.append(Column("Lead", justify="right", no_wrap=True))
            draw(t, rows, kinds, out)
        assert shown(drawn.file.getvalue()) == shown(expected.file.getvalue()), width
    lines = re.sub(r"\x1b\[[0-9;]*m", "", drawn.file.getvalue()).splitlines()
    assert lines[0].split() == ["Unit"] and lines[1].split() == ["name", "Lead"]


_words = st.text(alphabet="ab 天津\n", max_size=14)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_words, st.booleans(), st.none() | st.integers(0, 14), st.none() | st.integers(1, 24),
                          st.lists(_words, min_size=1, max_size=3)), min_size=1, max_size=6),
       st.booleans(), st.booleans(), st.integers(1, 90))
def test_columns_are_as_wide_as_rich_lays_them_out(columns, box, show_header, width):
    """grid._widths, from each column's widest line alone, gives the widths rich's own layout gives the
    table of all those cells: columns that fit as they are, the widest columns that may wrap narrowed
    in turn, every column narrowed evenly, each held to its min_width and max_width."""
    grid_ = Grid([Column(header, no_wrap=no_wrap, min_width=low, max_width=high)
                  for header, no_wrap, low, high, _cells in columns], box=box, show_header=show_header)
    t = grid_.rich()
    for r in range(max(len(cells) for *_, cells in columns)):
        t.add_row(*(Text(cells[r] if r < len(cells) else "") for *_, cells in columns))
    out = console(width, False)
    expected = t._calculate_column_widths(out, out.options.update_width(width - t._extra_width))
    widest = [max(cell_len(line) for text in (cells + [header] * show_header) for line in text.splitlines() or [""])
              for header, _no_wrap, _low, _high, cells in columns]
    assert grid._widths(grid_, widest, width) == expected


@pytest.mark.parametrize("width", [70, 80])
def test_a_folded_header_leaves_the_rows_to_us(folders, width, monkeypatch):
    """In a narrow terminal some of the listing's headers are cut or folded to their columns: rich draws
    the header in the widths it laid out, and the rows are still written line by line, not handed to
    rich one Text at a time (at 100,000 measures, minutes instead of seconds)."""
    loaded = load(folders["generated"])
    for terminal in (False, True):
        expected, written = console(width, terminal), console(width, terminal)
        rich_listing(loaded.measures, loaded.plan, DAYS[1], expected, False)
        with monkeypatch.context() as patched:
            added = counting_rows(patched)
            listing.measures(loaded.measures, loaded.plan, DAYS[1], Terminal.of(written))
        drawn = written.file.getvalue()
        header = drawn.split("─")[0].splitlines()
        assert "Measure" not in header[-1]  # its header does not fit its column
        assert len(added) <= 1  # at most the row of stand-ins the layout is measured from
        assert shown(drawn[:drawn.rindex("\n", 0, len(drawn) - 1) + 1]) == shown(expected.file.getvalue())


def counting_rows(monkeypatch) -> list:
    """The rows rich is handed from here on (Table.add_row), each as its table."""
    added, original = [], Table.add_row
    monkeypatch.setattr(Table, "add_row", lambda t, *cells, **kw: (added.append(t), original(t, *cells, **kw))[1])
    return added


def drawings(columns, rows, kinds, width: int, terminal: bool, monkeypatch) -> tuple[str, str, int]:
    """`rows` in a table from `columns()` in a terminal `width` wide: as rich draws them, as write_rows
    draws them, and how many rows write_rows handed to rich (the row of stand-ins, or all of them)."""
    expected, written = console(width, terminal), console(width, terminal)
    rich_rows(columns(), rows, kinds, expected)
    with monkeypatch.context() as patched:
        added = counting_rows(patched)
        table.write_rows(columns(), rows, kinds, Terminal.of(written))
    return expected.file.getvalue(), written.file.getvalue(), len(added)


@pytest.mark.parametrize("width", [21, 22, 24])
def test_a_column_squeezed_to_nothing_is_drawn_as_rich_draws_it(width, monkeypatch):
    """Long plan-qualified ids in a narrow terminal leave the last column no width at all (21: rich
    draws the line before it and nothing of it), or its padding alone (22), or two cells (24)."""
    def columns() -> Grid:
        t = Grid([])
        t.columns.append(Column("编号", justify="right", no_wrap=True))
        t.columns.append(Column("完成时限", min_width=8, overflow="fold"))
        t.columns.append(Column("措施", overflow="ellipsis", max_width=20))
        return t

    kinds = [{}, {}, {"no_wrap": True, "overflow": "ellipsis"}]
    rows = [(["2031-上海1000:100", "2022年6月底前完成并长期坚持", "在某某地方做某事情，持续推进"], "red"),
            (["2031-上海1000:99", "5月底前", "a b"], "")]
    for terminal in (False, True):
        expected, written, handed = drawings(columns, rows, kinds, width, terminal, monkeypatch)
        assert handed <= 1  # the stand-ins at most: the rows were written here
        assert shown(written) == shown(expected), (width, terminal)


def test_the_same_cells_in_columns_of_other_bounds_are_laid_out_as_rich_lays_them_out(monkeypatch):
    """The same cells in a column of other bounds or wrapping, or on a narrower terminal, each laid
    out as rich lays them out."""
    rows = [(["市交通运输委", "2022年6月底前完成并长期坚持", "在某某地方做某事情，持续推进"], "")]
    kinds = [{}, {}, {}]
    variants = [{}, {"max_width": 12}, {"no_wrap": True}, {"overflow": "ellipsis"}, {"min_width": 30},
                {"justify": "right"}, {}]
    for width in (60, 40, 60):
        for variant in variants:
            def columns() -> Grid:
                t = Grid([])
                t.columns.append(Column("单位", no_wrap=True))
                t.columns.append(Column("完成时限", **variant))
                t.columns.append(Column("措施"))
                return t

            expected, written, _handed = drawings(columns, rows, kinds, width, False, monkeypatch)
            assert written == expected, (width, variant)


@pytest.mark.parametrize("system", [None, "standard", "256", "truecolor"])
def test_a_line_is_said_as_rich_prints_it(system, monkeypatch):
    """table.say writes a line of one style itself: byte for byte what console.print writes, with the
    print's style under the line's own, without colour when NO_COLOR asks; a line that wraps, or with
    spans of several styles, goes to rich."""
    lines = [(Text("督查通报  截至 2022-06-15", style="bold"), ""), (Text("… 另有 3 项"), "dim"),
             (Text("逾期 3", style="red"), "bold"), (Text(""), ""), (Text("x" * 39 + "中"), "dim"),
             (Text("x" * 40 + "中"), "dim"), (Text.assemble(("红", "red"), " 黄"), ""),
             (Text("on yellow", style="black on yellow"), "italic"), (Text("逾期", style="red not bold"), "green bold")]
    for no_color in (False, True):
        for line, style in lines:
            printed, said = (Console(file=io.StringIO(), width=41, force_terminal=system is not None,
                                     color_system=system, no_color=no_color, highlight=False, markup=False,
                                     emoji=False) for _ in range(2))
            printed.print(line, style=style)
            with monkeypatch.context() as patched:
                handed = []
                patched.setattr(Console, "print", lambda console, *a, **kw: handed.append(a))
                table.say(said, line, style)
            if handed:  # rich's to print: the line wraps or has spans
                assert line.spans or len(line.plain) > 40, line
                table.say(said, line, style)
            assert said.file.getvalue() == printed.file.getvalue(), (system, no_color, line, style)


def test_tables_that_differ_only_in_their_box_or_header_are_laid_out_as_rich_lays_them_out(monkeypatch):
    """The same cells in tables that differ only in their box, in showing their header, or in a
    header's words, each laid out as rich lays it out. In 40 columns, a box takes a cell
    between columns from the text; in 80, a shown header wider than its cells widens its column."""
    long_rows = [(["市交通运输委", "2022年6月底前完成并长期坚持", "在某某地方做某事情，持续推进"], "")]
    short_rows = [(["市交通运输委", "5月底前", "在某某地方"], "")]
    kinds: list[dict] = [{}, {}, {}]
    base = {"box": True, "show_header": True, "header": "完成时限"}
    for width, rows, other in ((40, long_rows, {"box": False}), (80, short_rows, {"show_header": False}),
                               (80, short_rows, {"header": "完成时限完成时限"})):
        drawn = []
        for variant in (base, {**base, **other}):
            def columns() -> Grid:
                t = Grid([], box=variant["box"], show_header=variant["show_header"])
                t.columns.append(Column("单位", no_wrap=True))
                t.columns.append(Column(variant["header"]))
                t.columns.append(Column("措施"))
                return t

            expected, written, _handed = drawings(columns, rows, kinds, width, False, monkeypatch)
            assert written == expected, (width, variant)
            drawn.append(expected.splitlines()[-1])
        assert drawn[0] != drawn[1], (width, other)  # rich lays the row itself out otherwise


@pytest.mark.parametrize("width", [18, 19, 20])
def test_a_row_of_styled_pieces_beside_a_column_squeezed_to_nothing(width, monkeypatch):
    """An id of 17 cells and the text after it: in 19 columns the text's column has no width at all.
    A row whose id is styled pieces is joined piece by piece and still ends with the padding before
    the squeezed column, as rich draws it (in 18 the id itself is cut: rich draws it all)."""
    def columns() -> Grid:
        t = Grid([])
        t.columns.append(Column("编号", justify="right", no_wrap=True))
        t.columns.append(Column("措施", overflow="ellipsis", max_width=20))
        return t

    kinds = [{}, {"no_wrap": True, "overflow": "ellipsis"}]
    rows = [([[("2031-上海", "bold"), ("1000:100", "green")], "在某某地方做某事情"], "red"),
            (["2031-上海1000:99", "a b"], "")]
    for terminal in (False, True):
        expected, written, handed = drawings(columns, rows, kinds, width, terminal, monkeypatch)
        assert handed <= (1 if width > 18 else 3)  # the stand-ins at most, unless rich draws it all
        assert shown(written) == shown(expected), (width, terminal)


@pytest.mark.parametrize("terminal", [False, True])
def test_a_title_of_two_lines_is_drawn_as_rich_draws_it(terminal, monkeypatch):
    """A title holding a line break, though it fits the table's width, is laid out by rich (above the
    header, each line centred), the rows still line by line."""
    def columns() -> Grid:
        t = Grid([], title="各单位\n完成情况")
        for header in ("单位", "完成时限", "措施"):
            t.columns.append(Column(header))
        return t

    rows = [(["市交通运输委", "5月底前", "在某某地方做某事情"], "")]
    for width in (40, 80):
        expected, written, _handed = drawings(columns, rows, [{}, {}, {}], width, terminal, monkeypatch)
        assert shown(written) == shown(expected), width


def test_a_bar_in_a_column_too_narrow_for_it_is_cut_as_rich_cuts_it(monkeypatch):
    """A cell of styled pieces (the report's bar) wider than its column is not written line by line:
    rich draws the table and cuts the bar to its column, rather than write_rows refusing the cell."""
    rows = [(["天津海关", [("██████", "green"), ("████", "red"), ("░░░░░░", "dim")], "16"], ""),
            (["海事局", [("██", "green"), ("░░", "dim")], "4"], "")]
    kinds: list[dict] = [{"no_wrap": True}, {}, {}]

    def columns() -> Grid:
        t = Grid([])
        t.columns.append(Column("单位", no_wrap=True))
        t.columns.append(Column("进度"))
        t.columns.append(Column("项", justify="right"))
        return t

    for width in (20, 24):
        for terminal in (False, True):
            expected, written, _handed = drawings(columns, rows, kinds, width, terminal, monkeypatch)
            assert shown(written) == shown(expected), (width, terminal)
            assert "█…" in expected  # the bar does not fit: rich cuts it


def test_a_table_without_a_header_whose_last_column_has_no_room(monkeypatch):
    """Two columns, no header, in terminals about as wide as the first column's id (17 cells): rich
    leaves the second column nothing (19), or its padding alone (20), drawn as rich draws it; a row
    whose id is on two lines stacks them beside a cell with no room."""
    rows = [(["2031-上海1000:100", "在某某地方做某事情"], ""), (["9\n10", "ab"], "red"), (["11", "甲乙丙 丁"], "")]
    def columns() -> Grid:
        t = Grid([], box=False, show_header=False)
        t.columns.append(Column(justify="right", no_wrap=True))
        t.columns.append(Column(overflow="ellipsis"))
        return t

    for width in (10, 17, 18, 19, 20, 21):
        for terminal in (False, True):
            expected, written, _handed = drawings(columns, rows, [{}, {"no_wrap": True, "overflow": "ellipsis"}],
                                                  width, terminal, monkeypatch)
            assert shown(written) == shown(expected), (width, terminal)


def test_a_right_justified_cell_with_spaces_around_it_is_aligned_as_rich_aligns_it(monkeypatch):
    """rich right-justifies a cell without its trailing spaces: "12  " stands at the column's right
    edge, as "7" does, whatever its length was counted with."""
    rows = [(["  7", "天津海关  "], ""), (["12  ", " 海事局 "], "red"), (["3", "ab"], "")]
    def columns() -> Grid:
        t = Grid([])
        t.columns.append(Column("N", justify="right", no_wrap=True))
        t.columns.append(Column("Unit", justify="right"))
        return t

    for terminal in (False, True):
        expected, written, _handed = drawings(columns, rows, [{}, {}], 40, terminal, monkeypatch)
        assert shown(written) == shown(expected), terminal
    lines = re.sub(r"\x1b\[[0-9;]*m", "", expected).splitlines()
    assert [line[:4] for line in lines[2:]] == ["   7", "  12", "   3"]  # 4 cells: "12  " with its spaces


@settings(max_examples=1200, deadline=None)
@given(st.text(alphabet="ab 天津\u3000\n—", max_size=30), st.integers(1, 12),
       st.sampled_from(["default", "left", "right", "center", "full"]), st.sampled_from(["fold", "crop", "ellipsis", "ignore"]))
@example("a ", 1, "default", "ellipsis")  # the space after the word goes, not the word for a …
@example("天津 ab", 1, "left", "fold")  # a wide character where one cell is left: a line of nothing first
def test_a_cell_is_wrapped_as_rich_wraps_it(text, width, justify, overflow):
    """grid.wrap breaks a cell into lines where rich's Text.wrap does: between words, inside a word
    longer than a line when folding, cut (with … or without) otherwise, justified in the width. A cell
    centred or justified in full, or let overflow, is left to rich (None): wrap never answers for it."""
    expected = [line.plain for line in Text(text).wrap(console(80, False), width, justify=justify, overflow=overflow)]
    if justify in ("center", "full") or overflow == "ignore":
        assert grid.wrap(text, width, justify, overflow) is None
    else:
        assert grid.wrap(text, width, justify, overflow) == expected


@pytest.mark.parametrize("terminal", [False, True])
def test_a_table_without_rows_looks_as_rich_draws_it(terminal):
    """No rows (nothing listed, a report of no unit): the title and header alone, in the widths the
    headers give, as rich draws an empty table."""
    grids = [Grid([Column("ID", justify="right", no_wrap=True), Column("完成时限", min_width=8, overflow="fold"),
                   Column("Measure", overflow="ellipsis", max_width=26)]),
             Grid([Column("单位", no_wrap=True), Column("牵头\n按时率", justify="right", no_wrap=True)],
                  title="各单位", title_justify="left"),
             Grid([Column("单位", no_wrap=True), Column("Lead", max_width=8)], box=False, header_style="")]
    for width in (20, 80):
        for g in grids:
            written, expected = console(width, terminal), console(width, terminal)
            table.write_rows(g, [], [{}] * len(g.columns), Terminal.of(written))
            expected.print(g.rich())
            assert shown(written.file.getvalue()) == shown(expected.file.getvalue()), (width, g.title)


@pytest.mark.parametrize("width", [40, 80, 120])
def test_cells_longer_than_sixty_four_characters_are_cut_or_wrapped_as_rich_does_it(width, monkeypatch):
    """A measure's text of more than 64 characters (short words are measured once a table, longer text
    afresh): cut with … in the report's lists, wrapped in a column that wraps; wider or narrower than
    its column, in Latin or Chinese."""
    texts = ["a" * 70, "推动港口与船公司对接" * 7 + "。", "ab 天津 " * 12, "x" * 65 + "天津", "天" * 30]
    rows = [([str(i), text, text], "red" if i % 2 else "") for i, text in enumerate(texts)]

    def columns() -> Grid:
        t = Grid([], box=False, show_header=False)
        t.columns.append(Column(justify="right", no_wrap=True))
        t.columns.append(Column(overflow="ellipsis"))
        t.columns.append(Column(max_width=width // 3))
        return t

    kinds = [{}, {"no_wrap": True, "overflow": "ellipsis"}, {}]
    for terminal in (False, True):
        expected, written, _handed = drawings(columns, rows, kinds, width, terminal, monkeypatch)
        assert shown(written) == shown(expected), terminal


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("terminal", [False, True])
def test_the_reports_legend_is_printed_as_rich_prints_it(folders, language, terminal):
    """The legend under the per-unit table (written by Terminal.say_pieces) is, byte for byte, what rich
    printed for it: the label, each bar character in its colour and its name plain, the spaces after the
    last name stripped. (test_the_report_looks_as_rich_draws_it prints the legend the same way on both sides.)"""
    from portcli import i18n

    i18n.use(language)
    loaded = load(folders["varied"])
    r = query.report(loaded.measures, loaded.plan, DAYS[1], 14, None)
    written, expected = console(80, terminal), console(80, terminal)
    table.report(r, loaded.plan, written)
    legend = Text(_("{label}: {value}").format(label=_("Progress"), value=""))
    for char, style, name in table.BAR_PARTS:
        legend.append(char, style=style).append(" " + _(name) + "  ")
    legend.rstrip()
    expected.print(legend)
    said = expected.file.getvalue()
    assert said in written.file.getvalue().splitlines(keepends=True), (said, written.file.getvalue())


@pytest.mark.parametrize("rows, measure_width, width", [
    # 64 Latin letters and two Chinese characters take 68 cells, more than a column 66 wide: a line longer
    # than 64 characters is measured in full when it decides whether the line fits as it is
    pytest.param([([f"{'x' * 64}天津\nab", "1"], "")], 66, 120, id="a line over 64 characters"),
    # rich expands a tab to the next stop of 8 cells, a line of a cell of several lines as any other
    pytest.param([(["a\tb\nc", "1"], ""), (["天\t津", "22"], "red")], 20, 40, id="a tab"),
])
@pytest.mark.parametrize("terminal", [False, True])
def test_a_line_of_a_cell_of_several_lines_not_to_be_written_as_it_is_is_wrapped_as_rich_wraps_it(
        rows, measure_width, width, terminal, monkeypatch):
    """A line that looks short but is not (over 64 characters, or holding a tab) is wrapped or expanded
    as rich does it, not written as it is."""
    def columns() -> Grid:
        t = Grid([])
        t.columns.append(Column("Measure", max_width=measure_width))
        t.columns.append(Column("N", justify="right", no_wrap=True))
        return t

    expected, written, _handed = drawings(columns, rows, [{}, {}], width, terminal, monkeypatch)
    assert shown(written) == shown(expected)


@pytest.mark.parametrize("kinds", [
    [{}, {}],
    [{"no_wrap": True, "overflow": "ellipsis"}] * 2,
])
@pytest.mark.parametrize("terminal", [False, True])
def test_zero_width_characters_in_a_narrow_column_are_measured_whole(terminal, kinds, monkeypatch):
    """A cell whose first characters take no cells (combining accents, zero-width spaces) is measured in
    full: "\u0301" * 12 + "abcdefgh" is 20 characters but 8 cells, too wide for a column of 5, and is
    wrapped (or cut with …) as rich does it, not padded as if it were 0 cells wide."""
    rows = [(["\u0301" * 12 + "abcdefgh", "\u200b" * 12 + "abcdefgh"], ""),
            (["\u0301" * 70 + "abcdefgh", "\u200b" * 70 + "abcdefgh"], "")]  # and past the cache's short text

    def columns() -> Grid:
        t = Grid([], show_header=False)
        t.columns.append(Column(max_width=5, overflow="ellipsis"))
        t.columns.append(Column(max_width=5))
        return t

    expected, written, _handed = drawings(columns, rows, kinds, 40, terminal, monkeypatch)
    assert shown(written) == shown(expected)
