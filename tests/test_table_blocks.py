"""A long table is drawn in blocks with pinned columns: one header, every row, columns aligned."""
from __future__ import annotations

import re

import pytest

from rich.cells import cell_len

from portcli.render import grid


@pytest.fixture
def run(run_in_chinese):
    """These tests read the reports' Chinese words: the commands speak Chinese."""
    return run_in_chinese


def test_a_listing_longer_than_a_block_reads_as_one_table(measures_dir, run, monkeypatch):
    whole = run("list", "--dir", measures_dir, "--as-of", "2022-06-15", "--limit", "0")
    monkeypatch.setattr(grid, "ROWS_PER_BLOCK", 4)
    blocks = run("list", "--dir", measures_dir, "--as-of", "2022-06-15", "--limit", "0")
    assert blocks.exit_code == whole.exit_code == 0
    lines = blocks.stdout.splitlines()
    assert sum("编号" in line for line in lines) == 1  # the header once, not once a block
    rows = [line for line in lines if re.match(r"\s*\d+\s+\d+\s", line)]
    assert [int(line.split()[0]) for line in rows] == list(range(1, 26))
    # every row's due date starts in the same terminal column
    starts = {cell_len(line[:m.start()]) for line in rows if (m := re.search(r"2022-\d\d-\d\d|—", line))}
    assert len(starts) == 1
    assert lines[-1] == whole.stdout.splitlines()[-1] == "共 25 项措施，截至 2022-06-15"


def test_the_default_limit_says_how_many_more(tmp_path, run):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import generate

    from portcli.cli import DEFAULT_LIMIT

    folder = generate.generate(DEFAULT_LIMIT + 30, tmp_path / "m")
    result = run("list", "--dir", folder, "--as-of", "2022-06-15")
    assert result.exit_code == 0
    assert "… 另有 30 项，用 --limit 0 显示全部" in result.stdout
    assert len([line for line in result.stdout.splitlines() if re.match(r"\s*\d+\s+\d+\s", line)]) == DEFAULT_LIMIT
