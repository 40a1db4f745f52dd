"""`report` at a terminal: per-unit bars and the report of one unit (`--unit`). Expected values come
from the measure files themselves, read with yaml, never from the renderer."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from measure_files import measure_files
from portcli.render.table import bar_cells


@pytest.fixture
def run(run_in_chinese):
    """These tests read the reports' Chinese words: the commands speak Chinese."""
    return run_in_chinese


AS_OF = "2022-06-15"


def set_status(path: Path, status: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^status: .*$", f"status: {status}", text, flags=re.M), encoding="utf-8")


# --- the terminal -------------------------------------------------------------------------------

def unit_line(stdout: str, unit: str) -> str:
    return next(line for line in stdout.splitlines() if line.startswith(unit + " "))


def test_unit_bar_shows_done_and_overdue_in_proportion(run, measures_dir):
    files = measure_files(measures_dir)
    port = sorted(i for i, (_, data) in files.items() if "天津港集团" in data["units"])
    assert len(port) == 10  # the document gives 天津港集团 ten measures, all due 5月底前
    for i in port[:3]:
        set_status(files[i][0], "done")
    result = run("report", "--dir", measures_dir, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    line = unit_line(result.stdout, "天津港集团")
    # 3 of 10 done and 7 of 10 overdue on a 20-cell bar: 6 and 14 cells, nothing left over.
    assert "█" * 6 + "▓" * 14 in line
    assert "░" not in line
    assert re.search(r"\b30%", line)
    assert "█ 已完成" in result.stdout and "▓ 逾期" in result.stdout


def test_one_overdue_measure_of_many_still_shows(run, measures_dir):
    files = measure_files(measures_dir)
    commerce = [i for i, (_, data) in files.items() if "市商务局" in data["units"]]
    left_open = next(i for i in commerce if files[i][1]["deadline"] == "5月底前")
    for i in commerce:
        if i != left_open:
            set_status(files[i][0], "done")
    result = run("report", "--dir", measures_dir, "--as-of", AS_OF)
    line = unit_line(result.stdout, "市商务局")
    # 1 overdue of 21 is under one cell of 20 (0.95): it still gets one, taken from the done part.
    assert "█" * 19 + "▓" in line
    assert "95%" in line


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=4), st.integers(min_value=4, max_value=40))
def test_bar_cells_fill_the_width_and_never_hide_a_count(counts, width):
    cells = bar_cells(counts, width)
    if sum(counts) == 0:
        assert cells == [0] * len(counts)
        return
    assert sum(cells) == width
    for count, n in zip(counts, cells):
        assert (n > 0) == (count > 0)
        assert abs(n - count * width / sum(counts)) < len(counts)


def test_report_of_one_unit(run, measures_dir):
    files = measure_files(measures_dir)
    mine = {i for i, (_, data) in files.items() if "天津港集团" in data["units"]}
    result = run("report", "--dir", measures_dir, "--as-of", AS_OF, "--unit", "天津港")  # an alias
    assert result.exit_code == 0, result.stderr
    assert f"共 {len(mine)} 项" in result.stdout
    per_unit = result.stdout[result.stdout.index("\n各单位"):result.stdout.index("\n进度：")]  # its table only
    unit_rows = [line for line in per_unit.splitlines()
                 if any(line.startswith(u + " ") for u in ("市商务局", "天津海关", "天津港集团"))]
    assert [row.split()[0] for row in unit_rows] == ["天津港集团"]
    listed = {int(m.group(1)) for m in re.finditer(r"^\s*(\d+)\s+\S+\s+2022-\d\d-\d\d\s+逾期", result.stdout, re.M)}
    assert listed == mine  # all ten are due 2022-05-31 and not done
    by_english = run("report", "--dir", measures_dir, "--as-of", AS_OF, "--format", "json",
                     "--unit", "Tianjin Port (Group) Co., Ltd.")
    assert json.loads(by_english.stdout)["total"] == len(mine)


def test_report_of_an_unknown_unit_is_a_command_line_error(run, measures_dir):
    result = run("report", "--dir", measures_dir, "--unit", "天津港务局X", env={"PORTCLI_LANG": "en"})
    assert result.exit_code == 2
    assert "unknown unit" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("columns", ["200", "80"])
def test_overdue_listing_keeps_id_unit_and_days_on_narrow_terminals(run, measures_dir, columns):
    result = run("report", "--dir", measures_dir, "--as-of", AS_OF, env={"COLUMNS": columns})
    assert re.search(r"^\s*2\s+市商务局\s+2022-05-31\s+逾期 15 天", result.stdout, re.M), result.stdout
