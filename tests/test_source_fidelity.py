"""The shipped data (measures/*.yaml) says exactly what the source document says.

These tests read the YAML files with yaml.safe_load, independently of the portcli package, and
compare them with what tests/source_table.py extracts from tests/data/source_table.txt.
Texts are compared with all whitespace removed: typesetting spaces ("跨境电商 B2B 出口") may be kept
or dropped, but any other character must match.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import source_table  # noqa: E402  (tests/source_table.py)

MEASURES_DIR = HERE.parent / "measures"
PLAN_FILE = MEASURES_DIR / "_plan.yaml"
KEYS = ["id", "task", "national", "local", "units", "units_note", "deadline", "status", "progress"]
IDS = list(range(1, 26))

DOC = source_table.load()
SOURCE = {m.id: m for m in DOC.measures}


def squash(text):
    """Text with all whitespace removed; None stays None."""
    return None if text is None else re.sub(r"\s+", "", text)


def load_measures():
    files = sorted(p for p in MEASURES_DIR.glob("*.yaml") if not p.name.startswith("_"))
    return {path: yaml.safe_load(path.read_text(encoding="utf-8")) for path in files}


MEASURE_FILES = load_measures()
DATA = {data["id"]: data for data in MEASURE_FILES.values()}
PLAN = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))


# --- the measure set -----------------------------------------------------------------------------

def test_source_document_has_25_measures():
    assert [m.id for m in DOC.measures] == IDS


def test_exactly_25_measures_with_ids_1_to_25():
    ids = [data["id"] for data in MEASURE_FILES.values()]
    assert sorted(ids) == IDS
    assert len(ids) == len(set(ids)) == 25


def test_file_names_match_ids():
    for path, data in MEASURE_FILES.items():
        assert path.name == f"{data['id']:02d}.yaml"


def test_keys_in_order():
    for path, data in MEASURE_FILES.items():
        assert list(data) == KEYS, path.name


def test_each_file_opens_with_its_comment():
    numerals = {t.number: t.numeral for t in DOC.tasks}
    for path, data in MEASURE_FILES.items():
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# 措施 {data['id']} · 重点任务{numerals[data['task']]}", path.name


# --- each measure equals the document ------------------------------------------------------------

@pytest.mark.parametrize("mid", IDS)
def test_measure_matches_source(mid):
    data, src = DATA[mid], SOURCE[mid]
    assert data["id"] == src.id
    assert data["task"] == src.task
    assert squash(data["national"]) == squash(src.national)
    assert isinstance(data["local"], list) and data["local"]
    assert [squash(t) for t in data["local"]] == [squash(t) for t in src.local]
    assert data["units"] == src.units
    assert data["units_note"] == src.units_note
    assert data["deadline"] == src.deadline


@pytest.mark.parametrize("mid", IDS)
def test_texts_are_clean_single_line_strings(mid):
    data = DATA[mid]
    texts = [data["national"], *data["local"], *data["units"], data["units_note"], data["deadline"]]
    for text in texts:
        if text is None:
            continue
        assert isinstance(text, str)
        assert text == text.strip() and "\n" not in text
        assert not re.match(r"\d+\.", text), "item numbering must be stripped"
    assert not re.search(r"\s", data["deadline"])


def test_shipped_status_is_not_started_with_empty_progress():
    for data in DATA.values():
        assert data["status"] == "not_started"
        assert data["progress"] == []


# --- the plan ------------------------------------------------------------------------------------

def test_plan_title_and_year():
    assert squash(PLAN["title"]) == squash(DOC.title)
    assert PLAN["year"] == 2022


def test_plan_task_titles_equal_the_document():
    assert [t["id"] for t in PLAN["tasks"]] == list(range(1, 12))
    assert [t["numeral"] for t in PLAN["tasks"]] == [t.numeral for t in DOC.tasks]
    assert [squash(t["title"]) for t in PLAN["tasks"]] == [squash(t.title) for t in DOC.tasks]


def test_every_unit_used_is_registered():
    registered = {u["name"] for u in PLAN["units"]}
    for data in DATA.values():
        assert set(data["units"]) <= registered, data["id"]


def test_unit_registry_lists_the_document_units_in_order_of_first_appearance():
    seen = []
    for m in DOC.measures:
        seen += [u for u in m.units if u not in seen]
    assert [u["name"] for u in PLAN["units"]] == seen
    assert len(seen) == 14


def test_unit_names_are_unambiguous():
    owner = {}
    for unit in PLAN["units"]:
        assert list(unit) == ["name", "full_name", "english", "aliases"]
        assert isinstance(unit["aliases"], list)
        names = [unit["name"], unit["full_name"], unit["english"], *unit["aliases"]]
        assert all(isinstance(n, str) and n.strip() == n and n for n in names), unit["name"]
        assert len({n.casefold() for n in names}) == len(names), f"repeated name in {unit['name']}"
        for name in names:
            key = name.casefold()
            assert owner.setdefault(key, unit["name"]) == unit["name"], f"{name} is ambiguous"


# --- the traps -----------------------------------------------------------------------------------

def test_measure_14_joined_across_the_page_break():
    m = DATA[14]
    assert m["task"] == 5
    assert "“船边直提”" in m["national"] and "“抵港直装”" in m["national"]
    assert len(m["local"]) == 3
    assert "“船边直提”" in m["local"][0] and "“抵港直装”" in m["local"][0]
    assert m["units"] == ["市商务局", "天津海关", "天津海事局", "中铁北京局天津办事处", "天津港集团"]
    assert m["deadline"] == "5月底前"


def test_measure_25_has_no_national_measure():
    m = DATA[25]
    assert m["national"] is None
    assert m["task"] == 11
    assert PLAN["tasks"][10]["title"] == "天津市2022年优化营商环境责任清单涉及提升跨境贸易便利度任务"


def test_unit_qualifiers_go_to_units_note():
    assert DATA[10]["units"] == ["市商务局", "天津海关"]
    assert DATA[10]["units_note"] == "按照职责分工负责"
    assert DATA[17]["units"][-1] == "市市场监管委"
    assert DATA[17]["units_note"] == "按职责分工负责"
    others = [mid for mid, m in DATA.items() if m["units_note"] is not None]
    assert sorted(others) == [10, 17]


def test_missing_full_stops_are_kept_as_in_the_document():
    assert DATA[16]["local"][-1].endswith("提供便利")
    assert not DATA[16]["local"][-1].endswith("。")
    assert not DATA[23]["national"].endswith("。")


def test_typesetting_spaces_removed_from_deadlines():
    assert DATA[6]["deadline"] == "5月底前"  # 5 月底前 in the document
    assert DATA[8]["deadline"] == "5月底前取得阶段性进展，持续推动"


# --- what `list` will see ------------------------------------------------------------------------

def test_list_by_unit_and_may_deadline_counts():
    customs = [mid for mid, m in DATA.items() if "天津海关" in m["units"]]
    assert len(customs) == 21
    may = [mid for mid, m in DATA.items() if m["deadline"].startswith("5月底前")]
    assert len(may) == 20  # due end of May: 13 plain 5月底前 + 7 milestones 5月底前取得阶段性进展…
    assert sum(m["deadline"] == "5月底前" for m in DATA.values()) == 13
