"""Reports and exports written as they are made (issue 16: peak memory at 100,000 measures in 1,000 plans):
the bytes must be those of the document made whole, as json.dumps, icalendar or one join would write it.

The folder holds three plans built from tests/varied.py, so their reports differ:
- 2022-甲: the eleven varied measures as they are. As of 2022-06-15: overdue 4 (46 days), 1 (15), 10 (5);
  due soon within 14 days 6 (06-17), 2 (06-20), 11 (06-25).
- 2022-乙 with U+202E (a bidi override, which JSON output writes as \\u202e) in its folder's name: measure 1
  done, with a progress entry on 2022-06-10; so overdue 4, 10 only, and in the period after 2022-06-01 it is
  done and has progress.
- 2023-丙: the plan's lights say yellow_days 3, so only measure 6 (due in 2 days) is due soon.
Each plan has its own title. In every plan measure 10 (extended to 2022-06-10) fell overdue in the period.
"""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

import varied
import week_data

AS_OF = "2022-06-15"
SINCE = "2022-06-01"
JIA, YI, BING = "2022-甲", "2022-乙\u202e", "2023-丙"
TITLES = {JIA: "甲计划", YI: "乙计划", BING: "丙计划"}
# What portcli's JSON writes as \uXXXX though ensure_ascii=False would leave it raw (SPEC §4).
RAW_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def escaped(text: str) -> str:
    return RAW_UNSAFE.sub(lambda c: f"\\u{ord(c.group()):04x}", text)


def as_json_dumps_writes(text: str) -> str:
    """The document `text` holds, as json.dumps writes it made whole: indent 2, UTF-8 unescaped but for
    the characters above, and a newline."""
    return escaped(json.dumps(json.loads(text), ensure_ascii=False, indent=2)) + "\n"


@pytest.fixture
def plans(tmp_path) -> Path:
    root = tmp_path / "measures"
    for name in (JIA, YI, BING):
        folder = varied.write(root / name)
        plan = folder / "_plan.yaml"
        text = re.sub(r"(?m)^title: .*$", f"title: {TITLES[name]}", plan.read_text(encoding="utf-8"))
        if name == BING:
            text += "lights: {yellow_days: 3}\n"
        plan.write_text(text, encoding="utf-8")
    week_data.rewrite(root / YI, 1, deadline="5月底前", status="done",
                      progress=[week_data.entry("2022-06-10", "done", "市商务局", "已完成")])
    return root


def keys(plan: str, *ids: int) -> list[str]:
    return [f"{plan}:{i}" for i in ids]


@pytest.mark.parametrize("pieces", [None, 1, 7])
def test_the_json_report_of_several_plans_is_the_document_json_dumps_writes(run, plans, monkeypatch, pieces):
    """Written a plan at a time and, here, one or seven of json's pieces at a time: the same bytes."""
    if pieces:
        monkeypatch.setattr("portcli.render.json._PIECES", pieces)
    result = run("report", "-f", "json", "--as-of", AS_OF, "--since", SINCE, "--rank", "--dir", plans)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == as_json_dumps_writes(result.stdout)
    assert "\u202e" not in result.stdout and f'"{JIA}:4"' in result.stdout and '"2022-乙\\u202e:4"' in result.stdout
    doc = json.loads(result.stdout)
    assert list(doc) == ["plans", "total"] and list(doc["plans"]) == [YI, JIA, BING]  # by name: 乙 U+4E59 < 甲 U+7532
    jia, yi, bing, total = doc["plans"][JIA], doc["plans"][YI], doc["plans"][BING], doc["total"]
    assert (jia["total"], yi["total"], bing["total"], total["total"]) == (11, 11, 11, 33)
    assert jia["overdue"] == keys(JIA, 4, 1, 10) and yi["overdue"] == keys(YI, 4, 10)
    assert jia["due_soon"] == keys(JIA, 6, 2, 11) and bing["due_soon"] == keys(BING, 6)
    assert sorted(total["overdue"]) == sorted(keys(JIA, 4, 1, 10) + keys(YI, 4, 10) + keys(BING, 4, 1, 10))
    assert yi["changes"]["done"] == keys(YI, 1) and yi["changes"]["progress"] == keys(YI, 1)
    assert jia["changes"]["done"] == [] and bing["changes"]["progress"] == []
    assert [doc["plans"][p]["changes"]["newly_overdue"] for p in (YI, JIA, BING)] == [keys(p, 10) for p in (YI, JIA, BING)]


def test_plans_report_with_no_plan_and_dump_items_write_what_json_dumps_does(monkeypatch):
    from io import StringIO

    from portcli import query
    from portcli.render import json as render_json

    monkeypatch.setattr("portcli.render.json._PIECES", 2)
    total = query.report([], None, date(2022, 6, 15))
    out = StringIO()
    render_json.plans_report(iter(()), total, out)
    assert out.getvalue() == as_json_dumps_writes(out.getvalue())
    assert json.loads(out.getvalue())["plans"] == {} and '"plans": {},' in out.getvalue()
    items = [{"a": [1, {"b": "x\u2028y"}], "c": None}, [], "\u202e", 2.5]
    for value in (items, []):
        out = StringIO()
        render_json.dump_items(iter(value), out)
        assert out.getvalue() == escaped(json.dumps(value, ensure_ascii=False, indent=2)) + "\n"


def test_each_plans_report_is_made_when_it_is_written_and_dropped_after(run, plans, monkeypatch):
    """At most the total and one plan's report are alive when the next plan's is made (all three were, once)."""
    import gc
    import weakref

    from portcli import query

    made, alive_before = [], []
    report = query.report

    def counting(*args, **kwargs):
        gc.collect()
        alive_before.append(sum(ref() is not None for ref in made))
        r = report(*args, **kwargs)
        made.append(weakref.ref(r))
        return r

    monkeypatch.setattr(query, "report", counting)
    for format in ("json", "markdown", "table"):
        made.clear(), alive_before.clear()
        result = run("report", "-f", format, "--as-of", AS_OF, "--dir", plans)
        assert result.exit_code == 0, result.stderr
        assert len(made) == 4 and max(alive_before) == 2, (format, alive_before)  # the total, then each plan's


def test_the_markdown_report_and_the_step_summary_make_the_same_sections(run, plans, tmp_path):
    """The sections are made again for the step summary, with the period's changes: the same text."""
    summary = tmp_path / "summary.md"
    result = run("report", "-f", "markdown", "--as-of", AS_OF, "--since", SINCE, "--dir", plans,
                 env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 0, result.stderr
    assert summary.read_text(encoding="utf-8") == result.stdout
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("## ")] == [
        "## 乙计划", "## 甲计划", "## 丙计划", "## All plans"]
    assert lines.count(f"### Changes after {SINCE} up to {AS_OF}") == 4
    sections = result.stdout.split("\n## ")
    # 乙:1 done in the period, in 乙's section and the total's; the bidi override said, as ever, never raw
    assert result.stdout.count("| Done | 1 | 2022-乙\\\\u202e:1 |") == 2 and "\u202e" not in result.stdout
    assert [("| Done | 1 |" in section) for section in sections] == [True, False, False, True]


@pytest.mark.parametrize("setting", ["portcli.render.markdown.LINES_AT_A_TIME", "portcli.render.csv.ROWS_AT_A_TIME"])
def test_written_a_line_at_a_time_or_in_one_piece_the_same(run, plans, monkeypatch, setting):
    command = (["report", "-f", "markdown", "--since", SINCE] if "markdown" in setting
               else ["export", "-f", "csv"])
    whole = run(*command, "--as-of", AS_OF, "--dir", plans, env={"PORTCLI_LANG": "zh"})
    monkeypatch.setattr(setting, 1)
    piecemeal = run(*command, "--as-of", AS_OF, "--dir", plans, env={"PORTCLI_LANG": "zh"})
    assert whole.exit_code == piecemeal.exit_code == 0, whole.stderr
    assert piecemeal.stdout_bytes == whole.stdout_bytes
    assert len(whole.stdout_bytes.splitlines()) > 33  # a line for each of the 33 measures at least


def test_the_gitlab_report_is_the_list_json_dumps_writes(run, plans, monkeypatch):
    monkeypatch.setattr("portcli.render.json._PIECES", 1)
    result = run("report", "-f", "gitlab", "--as-of", AS_OF, "--dir", plans)
    assert result.stdout == as_json_dumps_writes(result.stdout)
    found = json.loads(result.stdout)
    assert len(found) == 8 and {f["check_name"] for f in found} == {"overdue"}  # 3 + 2 + 3 overdue, no problem
    nothing = run("report", "-f", "gitlab", "--as-of", "2022-01-01", "--dir", plans)  # before every due date
    assert nothing.stdout == "[]\n"


def test_the_calendar_is_the_one_icalendar_writes_made_whole(run, plans):
    from portcli.load import load_tree
    from portcli.render import ics

    result = run("export", "-f", "ics", "--as-of", AS_OF, "--dir", plans)
    assert result.exit_code == 0, result.stderr
    loaded = load_tree(plans, None)
    whole = ics.calendar(loaded.measures, loaded.plans, date.fromisoformat(AS_OF), "、".join(loaded.plans)).to_ical()
    assert result.stdout_bytes == whole
    # 33 measures, 3 without a date (measure 9 of each plan): 30 events, each with its alarm
    assert whole.count(b"BEGIN:VEVENT") == 30 and whole.count(b"BEGIN:VALARM") == 30
