"""`report --format html` in a real browser: headless Chromium (Debian's `chromium` package, which
.ci/run installs) loads the page from disk, and the tests read what it shows: the DOM it built, its
console, and a screenshot."""
from __future__ import annotations

import json
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

import hostile
from portcli.render.html import CSP

AS_OF = hostile.AS_OF
BROWSER = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium binary (chromium, chromium-browser or google-chrome) on PATH; "
                            ".ci/run installs Debian's `chromium` package")


def browse(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Chromium, headless, on `page`; its console goes to stderr (--enable-logging=stderr)."""
    return subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args, page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120)


def console_messages(stderr: str) -> list[str]:
    """Lines Chromium logs for the page's console: errors, CSP violations, blocked loads."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


class DomReader(HTMLParser):
    """The elements and visible text of the DOM Chromium serialised."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.rows: list[dict] = []  # the all-measures table's rows: their class and cell texts
        self._section = ""
        self._skip = 0
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag in ("style", "title"):
            self._skip += 1
        if tag == "h2":
            self._section = attrs.get("id", "")
        if tag == "tr" and self._section == "measures":
            self.rows.append({"class": attrs.get("class") or "", "cells": []})
        if tag == "td" and self._section == "measures":
            self.rows[-1]["cells"].append("")
            self._in_cell = True

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self._skip -= 1
        if tag == "td":
            self._in_cell = False

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._in_cell and self._section == "measures":
            self.rows[-1]["cells"][-1] += data


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
    dom = DomReader()
    dom.feed(shown.stdout)
    text = "".join(dom.text)

    assert "script" not in dom.tags and "img" not in dom.tags  # the hostile texts made no element
    for piece in hostile.PIECES:
        assert piece in text

    expected = json.loads(run("report", "--dir", measures_dir, "--as-of", AS_OF, "--format", "json").stdout)
    assert "天津口岸2022年促进跨境贸易便利化专项行动重点任务措施分工表" in text
    assert f"逾期 (overdue)：{len(expected['overdue'])}" in text
    assert f"全部措施 (all measures)：{expected['total']}" in text

    measures = [r for r in dom.rows if r["cells"]]
    assert [int(r["cells"][1]) for r in measures] == list(range(1, 27))
    lights = {int(r["cells"][1]): r["cells"][0] for r in measures}
    assert {i for i, light in lights.items() if light == "红灯"} == set(expected["overdue"])
    assert {i for i, light in lights.items() if light == "黄灯"} == set(expected["due_soon"])
    assert all(r["class"] == "red" for r in measures if r["cells"][0] == "红灯")
    mine = next(r for r in measures if r["cells"][1] == str(hostile.ID))
    assert mine["cells"][3] == hostile.local_text()
    assert mine["cells"][8] == hostile.LATEST

    # The chart: one bar segment per unit and status it has measures in.
    listed = json.loads(run("list", "--dir", measures_dir, "--format", "json").stdout)
    segments = {(unit, m["status"]) for m in listed for unit in m["units"]}
    assert dom.tags.count("svg") == 1
    assert dom.tags.count("rect") == len(segments) == len(expected["units"]) + 2  # 26 is in progress


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
