"""`report --format html` in a real browser: headless Chromium (Debian's `chromium` package, which
.ci/run installs) loads the page from disk, and the tests read what it shows: the DOM it built, its
console and screenshots; what it prints to PDF with its default settings (pages, paper, text, read
with poppler); and, over the DevTools protocol, how the page lays out on a 390 px phone and a desktop.
With PORTCLI_SAVE_SHOTS=docs the runs write the README's pictures."""
from __future__ import annotations

import json
import re
import os
import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

import hostile
from measure_files import measure_data, plan_data
from portcli.render.html import CSP
from programs import (A4_LANDSCAPE, DevTools, browse, needs_browser, needs_poppler, page_count, page_size,
                      pdf_pages, png, print_to_pdf, squashed)


@pytest.fixture
def run(run_in_chinese):
    """These tests read the reports' Chinese words: the commands speak Chinese."""
    return run_in_chinese


AS_OF = hostile.AS_OF
pytestmark = needs_browser
# Set to a folder (e.g. docs) to keep the screenshots these runs take: the README's pictures.
SHOTS = os.environ.get("PORTCLI_SAVE_SHOTS")


def console_messages(stderr: str) -> list[str]:
    """Lines Chromium logs for the page's console: errors, CSP violations, blocked loads."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


class DomReader(HTMLParser):
    """The elements and visible text of the DOM Chromium serialised: the all-measures table's rows,
    the chart rows, the timeline rows and the figures."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.rows: list[dict] = []  # the all-measures table's rows: their class and cell texts
        self.bars: list[dict] = []  # chart rows: kind (unit, task), label, segments [(category, text)]
        self.timeline: list[dict] = []  # timeline rows: kind (due, extension, undated), text
        self.figures: dict[str, tuple[str, str]] = {}  # label -> (colour class, value)
        self._section = ""
        self._skip = 0
        self._open: list[tuple[str, list[str]]] = []  # elements open now: tag, classes
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag not in ("br", "meta", "link"):
            self._open.append((tag, classes))
        if tag in ("style", "title"):
            self._skip += 1
        if tag == "h2":
            self._section = attrs.get("id", "")
        if tag == "tr" and self._section == "measures":
            self.rows.append({"class": attrs.get("class") or "", "cells": []})
        if tag == "td" and self._section == "measures":
            self.rows[-1]["cells"].append("")
            self._in_cell = True
        if "bar-row" in classes:
            self.bars.append({"kind": classes[1], "label": "", "segments": []})
        if "seg" in classes:
            self.bars[-1]["segments"].append([classes[1], ""])
        if "tl-row" in classes:
            self.timeline.append({"kind": classes[1], "text": ""})
        if "figure" in classes:
            self.figures["pending"] = (classes[1] if len(classes) > 1 else "", "")

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self._skip -= 1
        if tag == "td":
            self._in_cell = False
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._in_cell and self._section == "measures":
            self.rows[-1]["cells"][-1] += data
        classes = {c for _, cs in self._open for c in cs}
        innermost = self._open[-1][1] if self._open else []
        if "bar-label" in innermost:
            self.bars[-1]["label"] += data
        if "seg" in innermost:
            self.bars[-1]["segments"][-1][1] += data
        if "tl-row" in classes:
            self.timeline[-1]["text"] += data
        if "figure" in classes and self._open[-1][0] == "dt":
            self.figures[data] = self.figures.pop("pending")
            self._figure = data
        elif "figure" in classes and self._open[-1][0] == "dd":
            self.figures[self._figure] = (self.figures[self._figure][0], data)


def read_dom(html: str) -> DomReader:
    dom = DomReader()
    dom.feed(html)
    return dom


@pytest.fixture
def page(run, measures_dir, tmp_path) -> Path:
    hostile.write(measures_dir)
    target = tmp_path / "report.html"
    result = run("report", "--dir", measures_dir, "--as-of", AS_OF, "--format", "html", "--output", target)
    assert result.exit_code == 0, result.stderr
    return target


def test_the_browser_shows_the_report_and_every_text_inert(run, measures_dir, page, tmp_path):
    shown = browse(page, tmp_path / "profile", "--dump-dom")
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert console_messages(shown.stderr) == []  # no error, no blocked fetch, no script
    dom = read_dom(shown.stdout)
    text = "".join(dom.text)

    assert "script" not in dom.tags and "img" not in dom.tags  # the hostile texts made no element
    for piece in hostile.PIECES:
        assert piece in text

    expected = json.loads(run("report", "--dir", measures_dir, "--as-of", AS_OF, "--format", "json").stdout)
    assert "天津口岸2022年促进跨境贸易便利化专项行动重点任务措施分工表" in text
    assert f"逾期：{len(expected['overdue'])}" in text
    assert f"全部措施：{expected['total']}" in text

    measures = [r for r in dom.rows if r["cells"]]
    assert [int(r["cells"][1]) for r in measures] == list(range(1, 27))
    lights = {int(r["cells"][1]): r["cells"][0] for r in measures}
    assert {i for i, light in lights.items() if light == "红灯"} == set(expected["overdue"])
    assert {i for i, light in lights.items() if light == "黄灯"} == set(expected["due_soon"])
    assert all(r["class"] == "red" for r in measures if r["cells"][0] == "红灯")
    mine = next(r for r in measures if r["cells"][1] == str(hostile.ID))
    assert mine["cells"][3] == hostile.local_text()
    assert mine["cells"][8] == hostile.LATEST


def test_the_screenshot_is_a_full_page(page, tmp_path):
    shot = tmp_path / "report.png"
    result = browse(page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,1600")
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_messages(result.stderr) == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (1280, 1600)
    assert len(data) > 40_000  # a blank page of that size is under 10 kB


def test_the_console_check_would_see_a_blocked_fetch(tmp_path):
    """The check above is only worth something if a page that fetches or scripts shows up in it."""
    bad = tmp_path / "bad.html"
    bad.write_text(f'<!DOCTYPE html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" '
                   f'content="{CSP}"><p>x</p><img src="https://example.invalid/x.png"><script>alert(1)</script>',
                   encoding="utf-8")
    result = browse(bad, tmp_path / "profile", "--dump-dom")
    messages = console_messages(result.stderr)
    assert any("example.invalid" in m for m in messages), result.stderr[-2000:]
    assert any("inline script" in m for m in messages)


# A copy of the shipped measures that can tell the charts' categories apart, as of AS_OF (2022-06-15):
# done, overdue, in progress (on time and due soon), not started on time, and no date; two extended.
VARIED = [
    ("update", "2", "--status", "done", "--note", "上线", "--date", "2022-05-20"),
    ("update", "3", "--status", "in_progress", "--note", "联调", "--date", "2022-05-20"),
    ("extend", "3", "--to", "2022-06-25", "--reason", "等待系统升级", "--date", "2022-05-25"),
    ("extend", "4", "--to", "2022-08-31", "--reason", "跨部门协调", "--date", "2022-05-25"),
    ("update", "5", "--status", "blocked", "--note", "缺少数据接口", "--date", "2022-05-20"),
    ("update", "1", "--status", "in_progress", "--note", "对接总署", "--date", "2022-05-20"),
    ("update", "6", "--status", "in_progress", "--note", "试点", "--date", "2022-05-20"),
    ("extend", "6", "--to", "2022-07-31", "--reason", "试点延长", "--date", "2022-05-26"),
    ("extend", "10", "--to", "2022-09-30", "--reason", "总署公布时间表", "--date", "2022-05-26"),  # had no date
]


def varied(run, folder: Path) -> Path:
    for command in VARIED:
        result = run(*command, "--dir", folder, "--as-of", "2022-05-26")
        assert result.exit_code == 0, result.stderr
    return folder


def expected_category(m: dict) -> str:
    """Worked out from `list --format json`, in the order the issue gives: done, overdue, no date, status."""
    if m["status"] == "done":
        return "done"
    if m["overdue"]:
        return "overdue"
    if m["due"] is None:
        return "no_date"
    return "in_progress" if m["status"] in ("in_progress", "blocked", "ongoing") else "not_started"


def test_the_chart_tells_the_story(run, measures_dir, tmp_path):
    varied(run, measures_dir)
    target = tmp_path / "report.html"
    assert run("report", "--dir", measures_dir, "--as-of", AS_OF, "-o", target).exit_code == 0
    shown = browse(target, tmp_path / "profile", "--dump-dom")
    assert shown.returncode == 0 and console_messages(shown.stderr) == []
    dom = read_dom(shown.stdout)
    listed = json.loads(run("list", "--dir", measures_dir, "--as-of", AS_OF, "--format", "json").stdout)
    categories = {m["id"]: expected_category(m) for m in listed}
    assert categories[2] == "done" and categories[3] == "in_progress" and categories[1] == "no_date"
    assert categories[4] == "not_started" and categories[5] == "overdue" and categories[6] == "in_progress"
    assert categories[10] == "not_started"
    order = ["done", "overdue", "in_progress", "not_started", "no_date"]

    def counts(ms):
        return [[c, str(n)] for c in order if (n := sum(categories[m["id"]] == c for m in ms))]

    def worst_first(item):
        ms = item[1]
        done = sum(categories[m["id"]] == "done" for m in ms)
        return -sum(categories[m["id"]] == "overdue" for m in ms), done / len(ms), -len(ms)

    # Per unit: the segments say how many of its measures are in each category, worst unit first
    # (most overdue, then least done, then most measures; the registry's order among equals).
    registry = [u["name"] for u in json.loads(run("units", "--dir", measures_dir, "--format", "json").stdout)]
    by_unit = {u: [m for m in listed if u in m["units"]] for u in registry}
    units = sorted(((u, ms) for u, ms in by_unit.items() if ms), key=worst_first)
    shown_units = [b for b in dom.bars if b["kind"] == "unit"]
    assert [b["label"] for b in shown_units] == [u for u, _ in units]
    assert [b["segments"] for b in shown_units] == [counts(ms) for _, ms in units]
    assert shown_units[0]["label"] == "市商务局"  # 18 overdue on the shipped data, 17 here

    # Per key task, the same, labelled 一…十一 with the task's title.
    tasks = {t["id"]: t for t in plan_data(measures_dir)["tasks"]}
    by_task = sorted(((t, [m for m in listed if m["task"] == t]) for t in tasks), key=worst_first)
    shown_tasks = [b for b in dom.bars if b["kind"] == "task"]
    assert [b["label"] for b in shown_tasks] == [f"{tasks[t]['numeral']}、{tasks[t]['title']}" for t, _ in by_task]
    assert [b["segments"] for b in shown_tasks] == [counts(ms) for _, ms in by_task]

    # The timeline: one row per due date with its measures, one per extension (原定 → 延至), the undated.
    rows = {(r["kind"], r["text"]) for r in dom.timeline}
    dues = sorted({m["due"] for m in listed if m["due"]})
    assert [r["text"] for r in dom.timeline if r["kind"] == "due"] == [
        f"{d}{sum(m['due'] == d for m in listed)} 项：措施 {'、'.join(str(m['id']) for m in listed if m['due'] == d)}"
        for d in dues]
    assert ("extension", "措施 3 延期原定 2022-05-31 → 延至 2022-06-25：等待系统升级") in rows
    assert ("extension", "措施 6 延期原定 2022-05-31 → 延至 2022-07-31：试点延长") in rows
    assert ("extension", "措施 10 延期延至 2022-09-30：总署公布时间表") in rows
    undated = [m["id"] for m in listed if m["due"] is None]
    assert ("undated", f"待定{len(undated)} 项未定日期：措施 {'、'.join(map(str, undated))}") in rows
    assert f"今天 {AS_OF}" in "".join(r["text"] for r in dom.timeline if r["kind"] == "axis")

    # Lights as the terminal colours rows (red overdue, yellow due soon), 待定 for no date, green the rest.
    report = json.loads(run("report", "--dir", measures_dir, "--as-of", AS_OF, "--format", "json").stdout)
    lights = {int(r["cells"][1]): r["cells"][0] for r in dom.rows if r["cells"]}
    assert {i for i, x in lights.items() if x == "红灯"} == set(report["overdue"])
    assert {i for i, x in lights.items() if x == "黄灯"} == set(report["due_soon"]) == {3}
    assert {i for i, x in lights.items() if x == "待定"} == set(undated)
    assert {i for i, x in lights.items() if x == "绿灯"} == {2, 4, 6, 10}
    due_cells = {int(r["cells"][1]): r["cells"][6] for r in dom.rows if r["cells"]}
    assert due_cells[6] == "延至 2022-07-31原定 2022-05-31"
    assert due_cells[5] == "2022-05-31逾期 15 天"
    # Green only for what is good: one of 25 done is not.
    assert dom.figures["已完成"] == ("", "1") and dom.figures["完成率"] == ("", "4.0%")
    assert dom.figures["逾期"] == ("red", str(len(report["overdue"])))
    assert dom.figures["即将到期"] == ("yellow", "1")


@pytest.fixture
def shipped_page(run, measures_dir, tmp_path) -> Path:
    """The report of the shipped measures, as the README shows it."""
    target = tmp_path / "report.html"
    result = run("report", "--dir", measures_dir, "--as-of", AS_OF, "--output", target)
    assert result.exit_code == 0, result.stderr
    return target


def measure_texts(folder: Path) -> dict[int, str]:
    """What the report shows of each measure: its local items (numbered when several), else the national one."""
    out = {}
    for id_, m in measure_data(folder).items():
        local = m["local"]
        out[id_] = ("\n".join(f"{i}.{t}" for i, t in enumerate(local, 1)) if len(local) > 1
                    else local[0] if local else m["national"])
    return out


@needs_poppler
def test_the_report_prints_on_four_a4_landscape_pages(measures_dir, shipped_page, tmp_path):
    pdf = print_to_pdf(shipped_page, tmp_path / "profile", tmp_path / "report.pdf")
    # Three pages held the figures, charts, lists and the 25 measures' table; the 通报's per-unit figures
    # and 催办 tables (14 units each) add one.
    assert page_count(pdf) <= 4
    assert page_size(pdf) == A4_LANDSCAPE
    pages = [squashed(p) for p in pdf_pages(pdf)]
    texts = measure_texts(measures_dir)
    assert len(texts) == 25
    for id_, text in texts.items():  # every measure whole, on one page: no row is split
        assert sum(squashed(text) in p for p in pages) == 1, id_
    title = "天津口岸2022年促进跨境贸易便利化专项行动重点任务措施分工表"
    for number, page in enumerate(pages, 1):  # the margin boxes, not the browser's URL and date
        assert page.startswith(title) and f"截至{AS_OF}" in page, number
        assert f"第{number}页，共{len(pages)}页" in page
        assert "file:" not in page and "report.html" not in page
    # The all-measures table's header on every page it runs over.
    first_row = pages.index(next(p for p in pages if squashed(texts[1]) in p))
    for page in pages[first_row:]:
        assert "灯编号重点任务措施责任单位完成时限到期日状态最新进展" in page
    if SHOTS:
        png(pdf, Path(SHOTS) / "report-print.png", resolution=60)


def page_metrics(devtools: DevTools) -> dict:
    """Measured in the page: widths, and the smallest font of any element that shows text."""
    return devtools.evaluate("""(() => {
        const shown = [...document.querySelectorAll('body *')].filter(e =>
            [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) && e.getClientRects().length);
        const sizes = shown.map(e => parseFloat(getComputedStyle(e).fontSize));
        const labels = [...document.querySelectorAll('.bar-label')].map(e => e.getBoundingClientRect());
        const bars = [...document.querySelectorAll('.bars.unit .bar')].map(e => e.getBoundingClientRect().width);
        return {scrollWidth: document.documentElement.scrollWidth, viewport: innerWidth,
                bodyScrollWidth: document.body.scrollWidth, smallestFont: Math.min(...sizes),
                texts: shown.length, labelsInside: labels.every(r => r.left >= 0 && r.right <= innerWidth),
                widestBar: Math.max(...bars), height: document.documentElement.scrollHeight};
    })()""")


@pytest.mark.parametrize("data", ["shipped", "varied and hostile"])
def test_the_report_fits_a_phone(run, measures_dir, tmp_path, data):
    if data != "shipped":
        hostile.write(varied(run, measures_dir))
    page = tmp_path / "report.html"
    assert run("report", "--dir", measures_dir, "--as-of", AS_OF, "--output", page).exit_code == 0
    with DevTools(tmp_path / "profile") as devtools:
        devtools.open(page, 390, 844, mobile=True)
        metrics = page_metrics(devtools)
        if SHOTS and data == "shipped":
            Path(SHOTS, "report-phone.png").write_bytes(devtools.screenshot(390, 1300, scale=0.75))
    assert metrics["viewport"] == 390
    assert metrics["scrollWidth"] == metrics["bodyScrollWidth"] == 390, metrics  # nothing runs off the right
    assert metrics["texts"] > 200 and metrics["smallestFont"] >= 12, metrics
    assert metrics["labelsInside"] and metrics["widestBar"] > 0.6 * 390, metrics  # the bars get most of the width


def test_the_report_on_a_desktop(shipped_page, tmp_path):
    with DevTools(tmp_path / "profile") as devtools:
        devtools.open(shipped_page, 1280, 900, mobile=False)
        metrics = page_metrics(devtools)
        shot = devtools.screenshot(1280, 1000, scale=0.75)  # small enough for the README
    assert metrics["scrollWidth"] == 1280 and metrics["smallestFont"] >= 12, metrics
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", shot[16:24]) == (960, 750)
    if SHOTS:
        Path(SHOTS, "report.png").write_bytes(shot)


@needs_poppler
def test_a_hostile_plan_title_stays_text_in_the_print_margins(run, measures_dir, tmp_path):
    """The title goes into the page margins as a CSS string: it can neither end that string nor the
    <style> element, and prints as written."""
    title = '天津"} body { display: none } </style><script>alert(1)</script>\\"\'@page{}'
    plan = plan_data(measures_dir)
    plan["title"] = title
    (measures_dir / "_plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False),
                                             encoding="utf-8")
    page = tmp_path / "report.html"
    assert run("report", "--dir", measures_dir, "--as-of", AS_OF, "--output", page).exit_code == 0
    shown = browse(page, tmp_path / "profile", "--dump-dom")
    assert console_messages(shown.stderr) == []
    dom = read_dom(shown.stdout)
    assert "script" not in dom.tags and title in "".join(dom.text)
    pdf = print_to_pdf(page, tmp_path / "profile", tmp_path / "report.pdf")
    pages = pdf_pages(pdf)
    assert all(squashed(p).startswith(squashed(title)) for p in pages)  # top left of every page: the margin box
    assert squashed(measure_texts(measures_dir)[25]) in squashed("".join(pages))  # the body still prints


def test_each_character_html_escapes_is_escaped_even_alone_in_a_cell():
    """A cell with nothing to escape is written at once; one with a single & < > " or ' is still
    escaped, and reads back as the text; HTML portcli wrote itself (Safe) goes in as it is."""
    from html import unescape

    from portcli.render.html import Safe, _table

    texts = ["R&D", "a<b", "a>b", 'say "so"', "it's", "天津海关", "14"]
    written = _table(["H&1"], [[(text, "text")] for text in texts] + [[(Safe("<b>safe</b>"), "text")], [(14, "num")]])
    cells = re.findall(r'<td class="(\w+)" data-label="H&amp;1">(.*?)</td>', written)
    assert [unescape(cell) for _class, cell in cells] == [*texts, "<b>safe</b>", "14"]
    assert [cell for _class, cell in cells[:5]] == ["R&amp;D", "a&lt;b", "a&gt;b", "say &quot;so&quot;", "it&#x27;s"]
    assert cells[7][1] == "<b>safe</b>"  # as it is, not escaped (which would read back the same)
    assert [cls for cls, _cell in cells] == ["text"] * 8 + ["num"]
