"""The 通报's per-unit figures and `report --rank` (SPEC §4d), on eleven measures worked out by hand.

As of 2022-06-15; the plan starts 2022-05-01; stale means silent for more than 14 days.
Units: A 市商务局, B 天津海关, C 空港经济区管委会, D 天津滨海国际机场, E 天津港集团, F 市金融工作局,
G 市外办 — the registry's order.

id units  deadline → due     status       progress                                         on time?
 1 A, B   5月底前 05-31       done         05-20 in_progress, 05-30 done                     yes (05-30)
 2 A, C   5月底前 05-31       done         06-05 done                                        no (06-05)
 3 A      6月底前 06-30       in_progress  06-10 in_progress                                 not due
 4 B, A   5月底前 05-31       not_started  —                                                 no; overdue, stale
 5 B      6月10日前 06-10     done         —                                                 yes (no entry dates it)
 6 C, B   5月底前 05-31       done         05-10 ip, 05-20 done, 05-25 ip, 06-01 done        no (06-01: after the
                                                                                             last in_progress)
 7 D, E   6月15日前 06-15     in_progress  06-14 in_progress                                 no (due today)
 8 E      milestone 05-31    ongoing      05-28 ongoing                                      yes (met 05-28); stale
 9 C      按照海关总署…       not_started  —                                                 not due; stale
10 G      6月底前 06-30       not_started  —                                                 not due; stale
11 F      6月底前 06-30       not_started  —                                                 not due; stale

As lead:  A due 2 on time 1 (50%), overdue 0/3, stale 0 · B 2, 1 (50%), 1/2 (50%), 1 · C 1, 0 (0%), 0/2, 1 ·
          D 1, 0 (0%), 0/1, 0 · E 1, 1 (100%), 0/1, 1 · F and G nothing due (—), 0/1, 1.
As co-op: A (4) 1 due, 0 on time (0%), 1/1 overdue (100%), 1 stale · B (1, 6) 2, 1 (50%), 0%, 0 ·
          C (2) 1, 0 (0%), 0%, 0 · D none (—, —, 0) · E (7) 1, 0 (0%), 0%, 0 · F, G none.

Worst first: the lowest lead on-time rate: C and D (0%) — equal overdue share (0%), C has a stale
measure → C, D; then A and B (50%): B's overdue share is higher → B, A; then E (100%); then F and G,
nothing due, everything else equal too: the registry's order, F before G (though G's measure has the
lower id).
"""
from __future__ import annotations

import json

import pytest

from week_data import SHIPPED, entry, rewrite, start_plan

AS_OF = "2022-06-15"
A, B, C, D, E, F, G = "市商务局", "天津海关", "空港经济区管委会", "天津滨海国际机场", "天津港集团", "市金融工作局", "市外办"
REGISTRY = [A, B, C, D, E, F, G]
RANKED = [C, D, B, A, E, F, G]


@pytest.fixture
def folder(tmp_path):
    import shutil

    target = tmp_path / "measures"
    target.mkdir()
    shutil.copy(SHIPPED / "_plan.yaml", target / "_plan.yaml")
    start_plan(target, "2022-05-01")
    ip = "in_progress"
    rewrite(target, 1, units=[A, B], deadline="5月底前", status="done",
            progress=[entry("2022-05-20", ip), entry("2022-05-30", "done")])
    rewrite(target, 2, units=[A, C], deadline="5月底前", status="done", progress=[entry("2022-06-05", "done")])
    rewrite(target, 3, units=[A], deadline="6月底前", status=ip, progress=[entry("2022-06-10", ip)])
    rewrite(target, 4, units=[B, A], deadline="5月底前", status="not_started")
    rewrite(target, 5, units=[B], deadline="6月10日前", status="done")
    rewrite(target, 6, units=[C, B], deadline="5月底前", status="done",
            progress=[entry("2022-05-10", ip), entry("2022-05-20", "done"), entry("2022-05-25", ip),
                      entry("2022-06-01", "done")])
    rewrite(target, 7, units=[D, E], deadline="6月15日前", status=ip, progress=[entry("2022-06-14", ip)])
    rewrite(target, 8, units=[E], deadline="5月底前取得阶段性进展，持续推动", status="ongoing",
            progress=[entry("2022-05-28", "ongoing")])
    rewrite(target, 9, units=[C], deadline="按照海关总署统一部署推动实施", status="not_started")
    rewrite(target, 10, units=[G], deadline="6月底前", status="not_started")
    rewrite(target, 11, units=[F], deadline="6月底前", status="not_started")
    return target


def figures(measures, due, on_time, rate, overdue, share, stale):
    return {"measures": measures, "due": due, "on_time": on_time, "on_time_rate": rate, "overdue": overdue,
            "overdue_share": share, "stale": stale}


NONE = figures(0, 0, 0, None, 0, None, 0)
EXPECTED = {
    A: (figures(3, 2, 1, 0.5, 0, 0.0, 0), figures(1, 1, 0, 0.0, 1, 1.0, 1)),
    B: (figures(2, 2, 1, 0.5, 1, 0.5, 1), figures(2, 2, 1, 0.5, 0, 0.0, 0)),
    C: (figures(2, 1, 0, 0.0, 0, 0.0, 1), figures(1, 1, 0, 0.0, 0, 0.0, 0)),
    D: (figures(1, 1, 0, 0.0, 0, 0.0, 0), NONE),
    E: (figures(1, 1, 1, 1.0, 0, 0.0, 1), figures(1, 1, 0, 0.0, 0, 0.0, 0)),
    F: (figures(1, 0, 0, None, 0, 0.0, 1), NONE),
    G: (figures(1, 0, 0, None, 0, 0.0, 1), NONE),
}


def report(run, folder, *args, env=None):
    result = run("report", "--dir", folder, "--as-of", AS_OF, *args, env=env)
    assert result.exit_code == 0, result.stderr
    return result


def test_each_units_figures_as_lead_and_as_co_operating_unit(run, folder):
    units = json.loads(report(run, folder, "--format", "json", "--stale", "14").stdout)["units"]
    assert [u["unit"] for u in units] == REGISTRY
    assert {u["unit"]: (u["as_lead"], u["as_co_operating"]) for u in units} == EXPECTED


def test_rank_puts_the_worst_first_and_breaks_ties_by_the_registry(run, folder):
    found = json.loads(report(run, folder, "--format", "json", "--rank").stdout)
    assert [u["unit"] for u in found["units"]] == RANKED
    assert found["ranked"] is True
    assert {u["unit"]: (u["as_lead"], u["as_co_operating"]) for u in found["units"]} == EXPECTED


def test_without_rank_the_registry_order_stays(run, folder):
    found = json.loads(report(run, folder, "--format", "json", "--since", "2022-06-08").stdout)
    assert [u["unit"] for u in found["units"]] == REGISTRY and found["ranked"] is False


def test_the_stale_measures(run, folder):
    found = json.loads(report(run, folder, "--format", "json", "--rank").stdout)
    assert found["stale"] == [4, 8, 9, 10, 11]
    # 催办 keeps the registry's order whatever --rank does
    assert found["stale_by_unit"] == [
        {"unit": A, "lead": [], "co_operating": [4]}, {"unit": B, "lead": [4], "co_operating": []},
        {"unit": C, "lead": [9], "co_operating": []}, {"unit": E, "lead": [8], "co_operating": []},
        {"unit": F, "lead": [11], "co_operating": []}, {"unit": G, "lead": [10], "co_operating": []}]


def terminal_figures(out: str, title: str) -> list[list[str]]:
    lines = [line.rstrip() for line in out.splitlines()]
    at = lines.index(title)
    rows = []
    rule = next(i for i in range(at, len(lines)) if lines[i].startswith("─"))  # the header (two lines) above it
    for line in lines[rule + 1:]:
        words = line.split()
        if not words or words[0] not in REGISTRY:
            break
        rows.append(words)
    return rows


def test_the_terminal_table_ranked(run, folder):
    out = report(run, folder, "--rank", env={"PORTCLI_LANG": "zh"}).stdout
    rows = terminal_figures(out, "各单位按期完成、逾期与催办情况（由差到好）")
    assert rows == [
        [C, "0%", "0%", "1", "0%", "0%", "0"], [D, "0%", "0%", "0", "—", "—", "0"],
        [B, "50%", "50%", "1", "50%", "0%", "0"], [A, "50%", "0%", "0", "0%", "100%", "1"],
        [E, "100%", "0%", "1", "0%", "0%", "0"], [F, "—", "0%", "1", "—", "—", "0"], [G, "—", "0%", "1", "—", "—", "0"]]


def test_the_terminal_report_fits_100_columns(run, folder):
    from rich.cells import cell_len

    for lang in ("zh", "en"):
        out = report(run, folder, "--rank", "--since", "2022-06-01", env={"PORTCLI_LANG": lang, "COLUMNS": "100"}).stdout
        assert max(cell_len(line.rstrip()) for line in out.splitlines()) <= 100, lang
        assert len(terminal_figures(out, "各单位按期完成、逾期与催办情况（由差到好）" if lang == "zh" else
                                    "Per unit: on time, overdue, stale (worst first)")) == 7, lang


def test_the_markdown_table_ranked(run, folder):
    out = report(run, folder, "--rank", "--format", "markdown").stdout
    section = out[out.index("### Per unit: on time, overdue, stale (worst first)\n"):]
    lines = section.splitlines()
    assert lines[2] == ("| Unit | Lead: on time % | Lead: overdue % | Lead: stale | Co-operating: on time % | "
                        "Co-operating: overdue % | Co-operating: stale |")
    rows = lines[4:4 + len(REGISTRY)]
    assert rows == ["| 空港经济区管委会 | 0% | 0% | 1 | 0% | 0% | 0 |", "| 天津滨海国际机场 | 0% | 0% | 0 | — | — | 0 |",
                    "| 天津海关 | 50% | 50% | 1 | 50% | 0% | 0 |", "| 市商务局 | 50% | 0% | 0 | 0% | 100% | 1 |",
                    "| 天津港集团 | 100% | 0% | 1 | 0% | 0% | 0 |", "| 市金融工作局 | — | 0% | 1 | — | — | 0 |",
                    "| 市外办 | — | 0% | 1 | — | — | 0 |"]


H, M, N = "自贸区管委会", "市市场监管委", "市财政局"


@pytest.fixture
def keys_folder(tmp_path):
    """Each key of the ranking decides between two units that every later key would order the other way
    (the later unit of each pair in the registry is the worse one), as of 2022-06-15, plan start 05-01:

    id lead co  deadline → due      status       progress              lead/co figures it adds
     1  B       5月底前 05-31        in_progress  06-10 in_progress     due, overdue, not stale
     2  A       5月底前 05-31        done         06-05 done            due, done late
     3  A       6月底前 06-30        not_started  —                     stale (45 days)
     4  N   D   5月底前 05-31        done         06-05 done            due, done late
     5  N   C   5月底前 05-31        done         05-31 done            due, on time (done on its due date)
     6  N   C   6月底前 06-30        not_started  —                     stale
     7  N   F   5月底前 05-31        in_progress  06-10 in_progress     due, overdue
     8  N   E   5月底前 05-31        done         06-05 done            due, done late
     9  N   E   6月底前 06-30        not_started  —                     stale
    10  N   H   6月底前 06-30        not_started  —                     stale
    11  N   G   6月底前 06-30        in_progress  06-10 in_progress     nothing
    12  M       milestone 05-31     done         05-28 done            due, on time (a milestone done)
    13  M       5月底前 05-31        ongoing      —                     due, overdue (not a milestone: ongoing is
                                                                        not finished), stale
    """
    import shutil

    target = tmp_path / "measures"
    target.mkdir()
    shutil.copy(SHIPPED / "_plan.yaml", target / "_plan.yaml")
    start_plan(target, "2022-05-01")
    ip, done, end_may, end_june = "in_progress", "done", "5月底前", "6月底前"
    rewrite(target, 1, units=[B], deadline=end_may, status=ip, progress=[entry("2022-06-10", ip)])
    rewrite(target, 2, units=[A], deadline=end_may, status=done, progress=[entry("2022-06-05", done)])
    rewrite(target, 3, units=[A], deadline=end_june, status="not_started")
    rewrite(target, 4, units=[N, D], deadline=end_may, status=done, progress=[entry("2022-06-05", done)])
    rewrite(target, 5, units=[N, C], deadline=end_may, status=done, progress=[entry("2022-05-31", done)])
    rewrite(target, 6, units=[N, C], deadline=end_june, status="not_started")
    rewrite(target, 7, units=[N, F], deadline=end_may, status=ip, progress=[entry("2022-06-10", ip)])
    rewrite(target, 8, units=[N, E], deadline=end_may, status=done, progress=[entry("2022-06-05", done)])
    rewrite(target, 9, units=[N, E], deadline=end_june, status="not_started")
    rewrite(target, 10, units=[N, H], deadline=end_june, status="not_started")
    rewrite(target, 11, units=[N, G], deadline=end_june, status=ip, progress=[entry("2022-06-10", ip)])
    rewrite(target, 12, units=[M], deadline="5月底前取得阶段性进展，持续推动", status=done,
            progress=[entry("2022-05-28", done)])
    rewrite(target, 13, units=[M], deadline=end_may, status="ongoing")
    return target


def test_every_key_of_the_ranking_decides_in_its_turn(run, keys_folder):
    found = json.loads(report(run, keys_folder, "--format", "json", "--rank").stdout)
    assert {u["unit"]: (u["as_lead"], u["as_co_operating"]) for u in found["units"]} == {
        A: (figures(2, 1, 0, 0.0, 0, 0.0, 1), NONE),
        B: (figures(1, 1, 0, 0.0, 1, 1.0, 0), NONE),
        C: (NONE, figures(2, 1, 1, 1.0, 0, 0.0, 1)),
        D: (NONE, figures(1, 1, 0, 0.0, 0, 0.0, 0)),
        E: (NONE, figures(2, 1, 0, 0.0, 0, 0.0, 1)),
        F: (NONE, figures(1, 1, 0, 0.0, 1, 1.0, 0)),
        G: (NONE, figures(1, 0, 0, None, 0, 0.0, 0)),
        H: (NONE, figures(1, 0, 0, None, 0, 0.0, 1)),
        M: (figures(2, 2, 1, 0.5, 1, 0.5, 1), NONE),
        N: (figures(8, 4, 1, 0.25, 1, 0.125, 3), NONE),
    }
    # Lead on-time rate: A and B (0%), then N (25%), M (50%), then the units leading nothing. A and B:
    # B's lead overdue share (100%) is higher than A's (0%), though A has more stale measures → B, A.
    # Those leading nothing, by their co-operating figures: on-time rate F, E, D (0%) before C (100%) before
    # G and H (none due), though C has a stale one and D none; among F, E, D the overdue share, F (100%)
    # first, though E has a stale one; then E (1 stale) before D (0), though D comes first in the registry;
    # H (1 stale) before G (0), though G comes first in the registry.
    assert [u["unit"] for u in found["units"]] == [B, A, N, M, F, E, D, C, H, G]


# The terminal's tables, drawn line by line (render.table.write_rows): laid out here by hand.
COLOUR = {"COLUMNS": "100", "NO_COLOR": None, "FORCE_COLOR": "1", "TERM": "xterm-256color"}
FIGURES = {C: ["0%", "0%", "1", "0%", "0%", "0"], D: ["0%", "0%", "0", "—", "—", "0"],
           B: ["50%", "50%", "1", "50%", "0%", "0"], A: ["50%", "0%", "0", "0%", "100%", "1"],
           E: ["100%", "0%", "1", "0%", "0%", "0"], F: ["—", "0%", "1", "—", "—", "0"], G: ["—", "0%", "1", "—", "—", "0"]}


def section(out: str, title: str, lines: int) -> tuple[list[str], "Text"]:
    """The `lines` lines from `title` on, without trailing spaces, and the same as styled text."""
    from rich.text import Text

    styled = Text.from_ansi(out)
    plain = styled.plain.splitlines()
    at = [line.rstrip() for line in plain].index(title)
    offset = sum(len(line) + 1 for line in plain[:at])
    return [line.rstrip() for line in plain[at:at + lines]], styled[offset:]


def is_bold(styled, part: str) -> bool:
    """Whether every character of the first `part` in `styled` is bold."""
    start = styled.plain.index(part)
    return all(styled.get_style_at_offset(_console(), i).bold for i in range(start, start + len(part)))


def _console():
    from rich.console import Console

    return Console()


def test_the_terminal_ranking_drawn_column_by_column(run, folder):
    """The unit's column is as wide as 空港经济区管委会 (8 characters, 16 cells) and left-justified; each
    figure's column as wide as its header's wider line (`on time %` 9, `overdue %` 9, `stale` 5,
    `Co-operating` 12: no figure is wider), right-justified; columns 3 cells apart (padding, the box's
    space, padding), 16 + 9 + 9 + 5 + 12 × 3 + 6 × 3 = 93 cells in all. The headers are on two lines,
    bold, standing on the rule: the unit's `Unit` on the second line."""
    out = report(run, folder, "--rank", env=COLOUR).stdout
    lines, styled = section(out, "Per unit: on time, overdue, stale (worst first)", 3 + 1 + len(RANKED))

    def row(unit: str, cells: list[str]) -> str:
        widths = [9, 9, 5, 12, 12, 12]
        return (unit + " " * (16 - 2 * len(unit) if unit != "Unit" else 12) + "".join(
            "   " + " " * (w - len(cell)) + cell for cell, w in zip(cells, widths))).rstrip()

    assert lines == [
        "Per unit: on time, overdue, stale (worst first)",
        " " * 16 + "   " + "     Lead" + "   " + "     Lead" + "   " + " Lead" + ("   " + "Co-operating") * 3,
        "Unit" + " " * 12 + "   on time %   overdue %   stale" + "      on time %      overdue %          stale",
        "─" * 93,
    ] + [row(unit, FIGURES[unit]) for unit in RANKED]
    assert row("Unit", ["on time %", "overdue %", "stale", "on time %", "overdue %", "stale"]) == lines[2]
    assert is_bold(styled, "Co-operating") and is_bold(styled, "Unit") and is_bold(styled, "overdue %")
    assert not is_bold(styled, C) and not is_bold(styled, "100%")


def test_the_terminal_stale_table_drawn_column_by_column(run, folder):
    """催办 as of 2022-06-15: measure 4 (lead B, co-operating A), 8 (E), 9 (C), 10 (G), 11 (F), per unit in the
    registry's order. No box: columns 2 cells apart; `Unit` as wide as 空港经济区管委会 (16 cells),
    `Lead` as its header (no number is wider), `Co-operating` likewise; the heading bold, the header not."""
    out = report(run, folder, env=COLOUR).stdout
    title = "To chase: no progress for more than 14 days: 5"
    lines, styled = section(out, title, 100)  # to the end: nothing follows the table (no command to see the rest)

    def row(unit: str, lead: str, co: str) -> str:
        return (unit + " " * (16 - 2 * len(unit)) + "  " + lead.ljust(4) + "  " + co).rstrip()

    assert lines == [title, "Unit" + " " * 12 + "  Lead  Co-operating",
                     row(A, "", "4"), row(B, "4", ""), row(C, "9", ""), row(E, "8", ""), row(F, "11", ""),
                     row(G, "10", "")]
    assert is_bold(styled, title)
    assert not is_bold(styled, "Unit") and not is_bold(styled, "Co-operating") and not is_bold(styled, "11")


def test_a_ranking_of_no_unit_is_its_header(run, folder):
    """自贸区管委会 has no measure here: its report ranks no unit, and the table is its headers and rule,
    4 + 9 + 9 + 5 + 12 × 3 + 6 × 3 = 81 cells wide (`Unit` is the widest text of its column now)."""
    out = report(run, folder, "--rank", "--unit", H, env=COLOUR).stdout
    lines, _styled = section(out, "Per unit: on time, overdue, stale (worst first)", 5)
    assert lines[1:] == [
        " " * 4 + "   " + "     Lead" + "   " + "     Lead" + "   " + " Lead" + ("   " + "Co-operating") * 3,
        "Unit   on time %   overdue %   stale      on time %      overdue %          stale",
        "─" * 81,
        "Overdue: 0",
    ]


def test_the_terminal_ranking_squeezed_into_80_columns_keeps_every_cell_on_its_line(run, folder):
    """In English the table is 93 cells wide (above), so an 80-column terminal squeezes it. Every cell
    stays on one line, cut with `…`: what rich draws for a table whose columns are all `no_wrap`, the unit's
    left-justified and the figures right-justified under their two-line headers."""
    import io

    from rich import box
    from rich.console import Console
    from rich.table import Table

    out = report(run, folder, "--rank", env={"COLUMNS": "80"}).stdout
    lines, _styled = section(out, "Per unit: on time, overdue, stale (worst first)", 4 + len(RANKED))
    t = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
              title="Per unit: on time, overdue, stale (worst first)", title_justify="left")
    t.add_column("Unit", no_wrap=True)
    for group in ("Lead", "Co-operating"):
        for figure in ("on time %", "overdue %", "stale"):
            t.add_column(f"{group}\n{figure}", justify="right", no_wrap=True)
    for unit in RANKED:
        t.add_row(unit, *FIGURES[unit])
    expected = Console(file=io.StringIO(), width=80, color_system=None, highlight=False, markup=False, emoji=False)
    expected.print(t)
    assert lines == [line.rstrip() for line in expected.file.getvalue().splitlines()]
    assert len(lines) == 4 + len(RANKED)  # no cell took a second line
