"""`portcli export --per-unit DIR` (issue 11, item 6): one file per unit, its lead and co-operating
measures, the unit named in the file name and (xlsx) the title. On tests/varied.py's folder, by its
table (units as the plan names them):

市商务局 1, 2, 6, 10 · 天津海关 1, 2, 4, 5, 7, 8, 9, 11 · 市交通运输委 3 · 天津海事局 4 · 市发展改革委 8 ·
天津港集团 10; the registry's other units have no measure, and no file.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

import varied

AS_OF = "2022-06-15"
SHARES = {"市商务局": [1, 2, 6, 10], "天津海关": [1, 2, 4, 5, 7, 8, 9, 11], "市交通运输委": [3], "天津海事局": [4],
          "市发展改革委": [8], "天津港集团": [10]}


@pytest.fixture
def folder(tmp_path) -> Path:
    return varied.write(tmp_path / "measures")


def registry_order(folder: Path) -> list[str]:
    units = [u["name"] for u in yaml.safe_load((folder / "_plan.yaml").read_text(encoding="utf-8"))["units"]]
    return [name for name in units if name in SHARES]


def plan_title(folder: Path) -> str:
    return yaml.safe_load((folder / "_plan.yaml").read_text(encoding="utf-8"))["title"]


def test_one_workbook_per_unit_named_in_its_title(run, folder, tmp_path):
    target = tmp_path / "分发"
    result = run("export", "--dir", folder, "--per-unit", target, "--as-of", AS_OF)  # xlsx by default
    assert result.exit_code == 0, result.stderr
    order = registry_order(folder)
    assert result.stdout.splitlines() == [f"wrote {target / name}.xlsx" for name in order]
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{name}.xlsx" for name in SHARES)
    for name, ids in SHARES.items():
        ws = load_workbook(target / f"{name}.xlsx").active
        assert ws["A1"].value == f"{plan_title(folder)} ({name}, as of {AS_OF})"
        assert [row[2].value for row in ws.iter_rows(min_row=3)] == ids


def test_the_chinese_title_and_an_import_of_it_gives_the_plans_title(run, measures_dir, tmp_path):
    target = tmp_path / "分发"
    zh = {"PORTCLI_LANG": "zh"}
    assert run("export", "--dir", measures_dir, "--per-unit", target, "--as-of", AS_OF, "--unit", "天津海事局",
               env=zh).exit_code == 0
    ws = load_workbook(target / "天津海事局.xlsx").active
    assert ws["A1"].value == f"{plan_title(measures_dir)}（天津海事局，截至 {AS_OF}）"
    assert [row[2].value for row in ws.iter_rows(min_row=3)] == [14, 17, 18, 23, 24]  # README's listing of it
    # One unit's share skips measure numbers, a problem to the importer: --force-partial writes it anyway.
    run("import", target / "天津海事局.xlsx", "--dir", tmp_path / "back", "--force-partial", env=zh)
    back = yaml.safe_load((tmp_path / "back" / "_plan.yaml").read_text(encoding="utf-8"))
    assert back["title"] == plan_title(measures_dir)


def test_csv_per_unit_for_the_units_asked(run, folder, tmp_path):
    target = tmp_path / "csv"
    result = run("export", "--dir", folder, "--per-unit", target, "--format", "csv", "--unit", "天津港集团",
                 "--unit", "商务局")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [f"wrote {target / '天津港集团'}.csv", f"wrote {target / '市商务局'}.csv"]
    for name in ("天津港集团", "市商务局"):
        rows = list(csv.reader(io.StringIO((target / f"{name}.csv").read_bytes().decode("utf-8-sig"))))
        assert [int(row[2]) for row in rows[1:]] == SHARES[name]


def test_ics_per_unit_is_each_units_calendar(run, folder, tmp_path):
    from icalendar import Calendar

    target = tmp_path / "ics"
    result = run("export", "--dir", folder, "--per-unit", target, "--format", "ics", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "portcli: 1 measure has no due date and is left out of the calendar\n"  # 9
    cal = Calendar.from_ical((target / "天津海关.ics").read_bytes())
    summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
    assert summaries == [f"措施 {i}：{varied.local(i)}" for i in SHARES["天津海关"] if i != 9]


@pytest.mark.parametrize("args, words", [
    (("--output", "x.xlsx"), "leave out --output"),
])
def test_per_unit_with_output_is_refused(run, folder, tmp_path, args, words):
    result = run("export", "--dir", folder, "--per-unit", tmp_path / "d", *args)
    assert result.exit_code == 2 and words in result.stderr
    assert not (tmp_path / "d").exists()


def test_a_per_unit_folder_that_is_a_file_is_refused(run, folder, tmp_path):
    (tmp_path / "taken").write_bytes(b"keep")
    result = run("export", "--dir", folder, "--per-unit", tmp_path / "taken")
    assert result.exit_code == 2
    assert result.stderr == f"portcli: {tmp_path / 'taken'} exists and is not a folder: give a folder for the files\n"
    assert (tmp_path / "taken").read_bytes() == b"keep" and sorted(p.name for p in tmp_path.iterdir()) == [
        "measures", "taken"]
