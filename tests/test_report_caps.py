"""The terminal report is read in a meeting: its overdue and 催办 lists stop at 50 measures, with the
command that lists them all (SPEC §4, §4d). Markdown and JSON list every one."""
from __future__ import annotations

import json
import re
import shutil

import pytest

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
