"""The terminal report is read in a meeting: its overdue and 催办 lists stop at 50 measures, with the
command that lists them all (SPEC §4, §4d). Markdown and JSON list every one."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from rich.console import Console

from conftest import SHIPPED

AS_OF = "2022-06-15"
COUNT = 60  # measures, each a copy of shipped measure 1: 市商务局 leads, 天津海关 co-operates


@pytest.fixture
def many(tmp_path):
    """60 copies of measure 1 (no progress, not done): on 2022-06-15 every one has been silent since the
    plan's start, 2022-01-01, so all 60 are to be chased: 市商务局 leads them, 天津海关 co-operates."""
    folder = tmp_path / "measures"
    folder.mkdir()
    shutil.copy(SHIPPED / "_plan.yaml", folder)
    text = (SHIPPED / "01.yaml").read_text(encoding="utf-8")
    for i in range(1, COUNT + 1):
        (folder / f"{i:02d}.yaml").write_text(text.replace("id: 1\n", f"id: {i}\n"), encoding="utf-8")
    return folder


def test_the_terminal_chase_list_shows_50_a_cell_and_the_command_for_the_rest(run, many):
    out = run("report", "--dir", many, "--as-of", AS_OF).stdout
    section = out[out.index("To chase: no progress for more than 14 days: 60"):]
    listed = [int(n) for n in re.findall(r"\d+", section.split("\n", 1)[1].split("…")[0])]
    assert listed == list(range(1, 51))  # the lead cell: ids 1 … 50, in id order
    assert section.count(f"… {COUNT - 50} more") == 2  # both cells: led by 市商务局, co-operated on by 天津海关
    assert f"Every measure to chase: `portcli list --stale 14 --as-of {AS_OF}`" in section


def test_a_unit_report_names_the_unit_in_the_command(run, many):
    out = run("report", "--dir", many, "--as-of", AS_OF, "--unit", "天津海关", "--stale", "30").stdout
    assert f"`portcli list --stale 30 --as-of {AS_OF} --unit 天津海关`" in out


def test_markdown_and_json_list_every_measure_to_chase(run, many):
    markdown = run("report", "--dir", many, "--as-of", AS_OF, "--format", "markdown").stdout
    chase = markdown[markdown.index("### To chase"):]
    row = next(line for line in chase.splitlines() if line.startswith("| 市商务局 |"))
    assert row.split("|")[2].strip() == ", ".join(str(i) for i in range(1, COUNT + 1))
    report = json.loads(run("report", "--dir", many, "--as-of", AS_OF, "--format", "json").stdout)
    assert report["stale"] == list(range(1, COUNT + 1))


def test_the_due_soon_hint_names_no_window_when_the_plan_sets_it(run, many):
    # Every copy is due 2022-05-31 (5月底前) — not the shipped 01's phrase: give them a date within 14 days.
    for path in many.glob("[0-9]*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("deadline: 按照海关总署统一部署推动实施",
                                                                  "deadline: 6月20日前"), encoding="utf-8")
    out = run("report", "--dir", many, "--as-of", AS_OF).stdout
    assert "Due soon: 60" in out
    assert f"… 10 more: see `portcli list --due-soon --as-of {AS_OF}`" in out
    assert "None" not in out


def chase_section(out: str) -> list[str]:
    lines = [line.rstrip() for line in out.splitlines()]
    return lines[next(i for i, line in enumerate(lines) if line.startswith("To chase:")):]


def test_the_terminal_chase_table_line_by_line(run, many):
    """82 columns: the lead and co-operating columns may each take (82 - 8 - 4) // 2 = 35 cells (8: the
    widest unit, 4: the space between columns). `1, 2, …` is broken only between ids, each line with its
    comma within 35 cells: 1…11 (33 cells, and the comma and space that would follow make 35), then 8
    two-digit ids a line (8 × 2 + 7 × 2 = 30; a ninth makes 34, 36 with what follows), then `… 10 more`.
    The widest line, 34 cells with its comma, sets both columns' width; the two cells of each row stand
    side by side, 2 cells apart."""
    from rich.text import Text

    result = run("report", "--dir", many, "--as-of", AS_OF,
                 env={"COLUMNS": "82", "NO_COLOR": None, "FORCE_COLOR": "1", "TERM": "xterm-256color"})
    styled = Text.from_ansi(result.stdout)
    ids = ["1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,", "12, 13, 14, 15, 16, 17, 18, 19,", "20, 21, 22, 23, 24, 25, 26, 27,",
           "28, 29, 30, 31, 32, 33, 34, 35,", "36, 37, 38, 39, 40, 41, 42, 43,", "44, 45, 46, 47, 48, 49, 50",
           "… 10 more"]
    footer = f"Every measure to chase: `portcli list --stale 14 --as-of {AS_OF}`"
    assert chase_section(styled.plain) == (
        ["To chase: no progress for more than 14 days: 60", "Unit" + " " * 4 + "  " + "Lead" + " " * 30 + "  Co-operating"]
        + [("市商务局" if i == 0 else " " * 8) + "  " + line for i, line in enumerate(ids)]
        + [("天津海关" if i == 0 else " " * 8) + "  " + " " * 34 + "  " + line for i, line in enumerate(ids)]
        + [footer])
    start = styled.plain.index(footer)
    assert all(styled.get_style_at_offset(Console(), i).dim for i in range(start, start + len(footer)))


def test_one_more_than_fifty_says_one_more(run, many):
    for path in sorted(many.glob("[0-9]*.yaml"))[51:]:
        path.unlink()
    section = chase_section(run("report", "--dir", many, "--as-of", AS_OF).stdout)
    assert section[0] == "To chase: no progress for more than 14 days: 51"
    assert [line.split()[-3:] for line in section[1:] if "more" in line] == [["…", "1", "more"], ["…", "1", "more"]]
    assert section[-1] == f"Every measure to chase: `portcli list --stale 14 --as-of {AS_OF}`"


def test_fifty_are_all_shown_and_no_command_is_needed(run, many):
    for path in sorted(many.glob("[0-9]*.yaml"))[50:]:
        path.unlink()
    section = chase_section(run("report", "--dir", many, "--as-of", AS_OF).stdout)
    assert section[0] == "To chase: no progress for more than 14 days: 50"
    assert section[-1].endswith("49, 50")  # the co-operating cell's last line: nothing after it
    assert not any("more" in line or "Every measure" in line for line in section[1:])


def test_the_chase_columns_share_what_a_short_unit_name_leaves(run, many):
    """Led by 市外办 alone (6 cells; `Unit` 4): in 80 columns the ids may take (80 - 6 - 4) // 2 = 35 cells
    a line, so the first holds 1…11 (33 cells, 35 with the comma and space that would follow), and sets the
    lead column's width, 34 with its comma; the co-operating column is empty but for its header."""
    for path in many.glob("[0-9]*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("units: [市商务局, 天津海关]", "units: [市外办]"),
                        encoding="utf-8")
    section = chase_section(run("report", "--dir", many, "--as-of", AS_OF, env={"COLUMNS": "80"}).stdout)
    assert section[1:3] == ["Unit    Lead" + " " * 30 + "  Co-operating", "市外办  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,"]
