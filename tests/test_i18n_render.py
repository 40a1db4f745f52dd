"""Every report format in Chinese and in English (issue 13): the section titles, headers and summary
lines each language must show, worked out by hand from a folder built here, and no word of the other
language outside the data. JSON does not change with the language.

The folder, as of 2022-06-15: measure 1 overdue (due 2022-05-31, not started), 2 due soon (2022-06-20,
in progress), 3 done, 4 extended from 2022-05-31 to 2022-09-30 (in progress, so neither late nor soon).
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

AS_OF = "2022-06-15"
ZH = {"PORTCLI_LANG": "zh"}
EN = {"PORTCLI_LANG": "en"}
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
WORD = re.compile(r"[A-Za-z]{2,}")

PLAN = {
    "title": "测试口岸督办计划",
    "year": 2022,
    "tasks": [{"id": 1, "numeral": "一", "title": "单一窗口建设。"}, {"id": 2, "numeral": "二", "title": "单证电子化。"}],
    "units": [{"name": "市商务局", "full_name": "天津市商务局", "english": "Commerce", "aliases": ["商务局"]},
              {"name": "天津海关", "full_name": "中华人民共和国天津海关", "english": "Customs", "aliases": ["海关"]}],
}
MEASURES = {
    1: {"task": 1, "local": ["建设物流信息平台。"], "units": ["市商务局", "天津海关"], "deadline": "5月底前"},
    2: {"task": 1, "local": ["推广评估系统。"], "units": ["天津海关"], "deadline": "6月20日前"},
    3: {"task": 2, "local": ["优化金融服务功能。"], "units": ["市商务局"], "deadline": "5月底前"},
    4: {"task": 2, "local": ["深化三智合作。"], "units": ["天津海关", "市商务局"], "deadline": "5月底前"},
}
CHANGES = [
    ("update", "2", "--status", "in_progress", "--note", "联调测试", "--date", "2022-06-01"),
    ("update", "3", "--status", "done", "--note", "已上线", "--date", "2022-05-20"),
    ("update", "4", "--status", "in_progress", "--note", "协调中", "--date", "2022-05-20"),
    ("extend", "4", "--to", "2022-09-30", "--reason", "跨部门协调", "--date", "2022-05-25"),
]
# What the files say, which no language changes: removed from an output before its words are checked.
# A key task's number is written as the document numbers it (一、), in either language.
DATA = ([PLAN["title"]] + [t["title"] for t in PLAN["tasks"]] + [t["numeral"] + "、" for t in PLAN["tasks"]]
        + [t["numeral"] for t in PLAN["tasks"]]
        + [n for u in PLAN["units"] for n in (u["name"], u["full_name"], u["english"], *u["aliases"])]
        + [text for m in MEASURES.values() for text in (*m["local"], m["deadline"])]
        + ["联调测试", "已上线", "协调中", "跨部门协调"])


@pytest.fixture
def folder(run, tmp_path) -> Path:
    target = tmp_path / "measures"
    target.mkdir()
    (target / "_plan.yaml").write_text(yaml.safe_dump(PLAN, allow_unicode=True), encoding="utf-8")
    for id_, m in MEASURES.items():
        data = {"id": id_, "national": None, **m, "units_note": None, "status": "not_started", "progress": []}
        (target / f"{id_:02d}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                                encoding="utf-8")
    for change in CHANGES:
        result = run(*change, "--dir", target, "--as-of", AS_OF)
        assert result.exit_code == 0, result.stderr
    return target


def without_data(text: str, *more: str) -> str:
    for datum in sorted([*DATA, *more], key=len, reverse=True):
        text = text.replace(datum, " ")
    return text


def assert_all_chinese(text: str, *allowed: str) -> None:
    """No English word outside the data (and the named program, option and format names)."""
    words = set(WORD.findall(without_data(text))) - set(allowed)
    assert not words, words


def assert_all_english(text: str) -> None:
    assert not CJK.findall(without_data(text)), CJK.findall(without_data(text))


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def report(run, folder, env, *args):
    result = run("report", "--dir", folder, "--as-of", AS_OF, *args, env=env)
    assert result.exit_code == 1 or result.exit_code == 0, result.stderr
    return result.stdout


# The figures by hand: 4 measures, 1 done (25.0 %), 1 overdue (1), 1 due soon (2), 1 extended (4).

def test_terminal_report_in_chinese(run, folder):
    out = report(run, folder, ZH)
    assert lines(out)[0] == "测试口岸督办计划  截至 2022-06-15"
    assert "共 4 项 · 已完成 1 项（25.0%）· 逾期 1 项 · 即将到期 1 项 · 延期 1 项" in lines(out)
    assert "未启动 1  推进中 2  受阻 0  持续推进 0  已完成 1" in lines(out)
    assert "各单位" in lines(out) and "逾期：1" in lines(out) and "即将到期：1" in lines(out)
    assert "进度：█ 已完成  ▓ 逾期  ░ 其他" in lines(out)
    header = next(line for line in lines(out) if line.startswith("单位"))
    assert header.split() == ["单位", "牵头", "参与", "已完成", "逾期", "延期", "完成率", "进度"]
    assert re.search(r"^1\s+市商务局\s+2022-05-31\s+逾期 15 天\s+建设物流信息平台。$", out, re.M)
    assert re.search(r"^2\s+天津海关\s+2022-06-20\s+5 天后到期\s+推广评估系统。$", out, re.M)
    assert_all_chinese(out)


def test_terminal_report_in_english(run, folder):
    out = report(run, folder, EN)
    assert lines(out)[0] == "测试口岸督办计划  as of 2022-06-15"
    assert "4 measures · 1 done (25.0%) · 1 overdue · 1 due soon · 1 extended" in lines(out)
    assert "not_started 1  in_progress 2  blocked 0  ongoing 0  done 1" in lines(out)
    assert "Per unit" in lines(out) and "Overdue: 1" in lines(out) and "Due soon: 1" in lines(out)
    assert "Progress: █ done  ▓ overdue  ░ other" in lines(out)
    header = next(line for line in lines(out) if line.startswith("Unit"))
    assert header.split() == ["Unit", "Lead", "Involved", "Done", "Overdue", "Extended", "Completion", "Progress"]
    assert re.search(r"^1\s+市商务局\s+2022-05-31\s+15 days overdue\s+建设物流信息平台。$", out, re.M)
    assert re.search(r"^2\s+天津海关\s+2022-06-20\s+due in 5 days\s+推广评估系统。$", out, re.M)
    assert_all_english(out)


def test_one_measure_and_one_day_take_the_singular_in_english(run, folder):
    out = report(run, folder, EN, "--as-of", "2022-06-01", "--unit", "市商务局")
    # As of 2022-06-01, 市商务局 takes part in 1, 3 and 4; measure 1 is one day late.
    assert "3 measures · 1 done (33.3%) · 1 overdue · 0 due soon · 1 extended" in lines(out)
    assert re.search(r"^1\s+市商务局\s+2022-05-31\s+1 day overdue\s", out, re.M)


def test_listing_footer_in_both_languages(run, folder):
    zh = run("list", "--dir", folder, "--as-of", AS_OF, env=ZH).stdout
    en = run("list", "--dir", folder, "--as-of", AS_OF, env=EN).stdout
    assert lines(zh)[-1] == "共 4 项措施，截至 2022-06-15"
    assert lines(en)[-1] == "4 measures, as of 2022-06-15"
    assert lines(zh)[0].split() == ["编号", "任务", "牵头单位", "完成时限", "到期日", "状态", "灯", "措施"]
    assert lines(en)[0].split() == ["ID", "Task", "Lead", "unit", "Deadline", "Due", "Status", "Light", "Measure"]
    assert_all_chinese(zh)
    assert_all_english(en)


def test_markdown_report_in_both_languages(run, folder):
    zh = report(run, folder, ZH, "--format", "markdown")
    en = report(run, folder, EN, "--format", "markdown")
    assert zh.splitlines()[:5] == ["## 测试口岸督办计划", "", "截至 2022-06-15", "",
                                   "**共 4 项 · 已完成 1 项（25.0%）· 逾期 1 项 · 即将到期 1 项 · 延期 1 项**"]
    assert en.splitlines()[:5] == ["## 测试口岸督办计划", "", "as of 2022-06-15", "",
                                   "**4 measures · 1 done (25.0%) · 1 overdue · 1 due soon · 1 extended**"]
    assert "| 未启动 | 推进中 | 受阻 | 持续推进 | 已完成 |" in zh.splitlines()
    assert r"| not\_started | in\_progress | blocked | ongoing | done |" in en.splitlines()
    for section in ("### 各单位", "### 逾期：1", "### 即将到期：1",
                    "| 单位 | 牵头 | 参与 | 已完成 | 逾期 | 延期 | 完成率 |",
                    "| 编号 | 牵头单位 | 到期日 | 逾期天数 | 措施 | 最新进展 |",
                    "| 编号 | 牵头单位 | 到期日 | 剩余天数 | 措施 | 最新进展 |",
                    "| 2 | 天津海关 | 2022-06-20 | 5 | 推广评估系统。 | 2022-06-01：联调测试 |"):
        assert section in zh.splitlines(), section
    for section in ("### Per unit", "### Overdue: 1", "### Due soon: 1",
                    "| Unit | Lead | Involved | Done | Overdue | Extended | Completion |",
                    "| ID | Lead unit | Due | Days overdue | Measure | Latest progress |",
                    "| ID | Lead unit | Due | Days left | Measure | Latest progress |",
                    "| 2 | 天津海关 | 2022-06-20 | 5 | 推广评估系统。 | 2022-06-01: 联调测试 |"):
        assert section in en.splitlines(), section
    assert_all_chinese(zh.replace(r"\_", "_"))
    assert_all_english(en)


class Text(HTMLParser):
    """The words a reader sees (and hears: titles, labels), not the stylesheet."""

    def __init__(self):
        super().__init__()
        self.words, self.lang, self._style = [], None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._style = tag == "style"
        if tag == "html":
            self.lang = attrs.get("lang")
        self.words += [attrs[key] for key in ("title", "data-label") if attrs.get(key)]

    def handle_endtag(self, tag):
        self._style = False

    def handle_data(self, data):
        if not self._style:
            self.words.append(data)


def html_words(page: str) -> Text:
    reader = Text()
    reader.feed(page)
    return reader


def test_html_report_in_both_languages(run, folder):
    zh = report(run, folder, ZH, "--format", "html")
    en = report(run, folder, EN, "--format", "html")
    zh_text, en_text = html_words(zh), html_words(en)
    assert (zh_text.lang, en_text.lang) == ("zh-CN", "en")
    for heading in ('<h2 id="units">各单位</h2>', '<h2 id="tasks">各重点任务</h2>', '<h3 id="timeline">到期时间线</h3>',
                    '<h2 id="overdue">逾期：1</h2>', '<h2 id="due-soon">即将到期：1</h2>',
                    '<h2 id="measures">全部措施：4</h2>', '<dt>措施总数</dt><dd>4</dd>', '<dt>完成率</dt><dd>25.0%</dd>',
                    '<p class="short">措施 1（15 天）</p>', '<p class="short">措施 2（5 天后）</p>',
                    '@bottom-center { content: "第 " counter(page) " 页，共 " counter(pages) " 页";',
                    'content: attr(data-label) "："', "延至 2022-09-30", "原定 2022-05-31", "逾期 15 天"):
        assert heading in zh, heading
    for heading in ('<h2 id="units">Per unit</h2>', '<h2 id="tasks">Per key task</h2>', '<h3 id="timeline">Due dates</h3>',
                    '<h2 id="overdue">Overdue: 1</h2>', '<h2 id="due-soon">Due soon: 1</h2>',
                    '<h2 id="measures">All measures: 4</h2>', '<dt>Measures</dt><dd>4</dd>',
                    '<dt>Completion</dt><dd>25.0%</dd>',
                    '<p class="short">Measures 1 (15 days)</p>', '<p class="short">Measures 2 (in 5 days)</p>',
                    '@bottom-center { content: "Page " counter(page) " of " counter(pages);',
                    r'content: attr(data-label) "\3a  "', "extended to 2022-09-30", "originally 2022-05-31",
                    "15 days overdue"):
        assert heading in en, heading
    # Text nodes joined as the browser shows them: 一<span>、单一窗口建设。</span> reads 一、单一窗口建设。
    assert_all_chinese("".join(zh_text.words), "portcli")
    assert_all_english("".join(en_text.words))


def sheet_of(run, folder, env, tmp_path):
    target = tmp_path / f"export-{env['PORTCLI_LANG']}.xlsx"
    result = run("export", "--dir", folder, "--as-of", AS_OF, "--format", "xlsx", "-o", target, env=env)
    assert result.exit_code == 0, result.stderr
    return load_workbook(target).active


def test_xlsx_in_both_languages(run, folder, tmp_path):
    zh, en = sheet_of(run, folder, ZH, tmp_path), sheet_of(run, folder, EN, tmp_path)
    assert (zh.title, en.title) == ("任务分工表", "Division of tasks")
    assert zh["A1"].value == "测试口岸督办计划（截至 2022-06-15）"
    assert en["A1"].value == "测试口岸督办计划 (as of 2022-06-15)"
    assert [c.value for c in zh[2]] == ["序号", "重点任务", "编号", "具体举措", "天津市细化落实措施", "责任单位",
                                        "完成时限", "状态", "到期日", "逾期天数", "最新进展"]
    assert [c.value for c in en[2]] == ["No.", "Key task", "ID", "Specific measure", "Tianjin's detailed measures",
                                        "Units", "Deadline", "Status", "Due", "Days overdue", "Latest progress"]
    assert (zh.oddFooter.center.text, en.oddFooter.center.text) == ("第 &P 页，共 &N 页", "Page &P of &N")
    assert (zh.oddFooter.right.text, en.oddFooter.right.text) == ("截至 2022-06-15", "as of 2022-06-15")
    # Measure 4 (row 6, document order) is in progress, extended; its units as each language lists them.
    assert [zh.cell(6, c).value for c in (3, 6, 8)] == [4, "天津海关、市商务局", "推进中"]
    assert [en.cell(6, c).value for c in (3, 6, 8)] == [4, "天津海关, 市商务局", "in_progress"]
    cells = lambda ws: " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert_all_chinese(cells(zh))
    assert_all_english(cells(en))


def test_csv_headers_in_both_languages(run, folder):
    def rows(env):
        result = run("export", "--dir", folder, "--as-of", AS_OF, "--format", "csv", env=env)
        assert result.exit_code == 0, result.stderr
        return list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))

    zh, en = rows(ZH), rows(EN)
    assert zh[0][:4] == ["序号", "重点任务", "编号", "具体举措"] and en[0][:4] == ["No.", "Key task", "ID", "Specific measure"]
    assert zh[1][9] == en[1][9] == "15"  # measure 1, days overdue: the same number in both


def test_show_in_both_languages(run, folder):
    zh = run("show", "4", "--dir", folder, "--as-of", AS_OF, env=ZH).stdout
    en = run("show", "4", "--dir", folder, "--as-of", AS_OF, env=EN).stdout
    assert lines(zh)[0] == "措施 4 · 重点任务二 单证电子化。"
    assert lines(en)[0] == "Measure 4 · key task 二 单证电子化。"
    for row in (["状态", "推进中"], ["完成时限", "5月底前（限期）"], ["到期日", "2022-09-30（已延期", "1", "次，原定", "2022-05-31）"],
                ["责任单位", "天津海关（牵头）、市商务局"], ["海关总署措施", "—（天津市自定任务）"]):
        assert row in [line.split() for line in lines(zh)], row
    for row in (["Status", "in_progress"], ["Deadline", "5月底前", "(fixed", "date)"],
                ["Due", "2022-09-30", "(extended", "1", "time,", "originally", "2022-05-31)"],
                ["Units", "天津海关", "(lead),", "市商务局"], ["National", "measure", "—", "(Tianjin's", "own", "task)"]):
        assert row in [line.split() for line in lines(en)], row
    assert "进度" in lines(zh) and "延期" in lines(zh) and "Progress" in lines(en) and "Extensions" in lines(en)
    assert ["批准日期", "原到期日", "延至", "单位", "理由"] in [line.split() for line in lines(zh)]
    assert ["Approved", "on", "Was", "due", "Extended", "to", "Unit", "Reason"] in [line.split() for line in lines(en)]
    path = str(folder / "04.yaml")
    assert_all_chinese(without_data(zh, path, "measures/04.yaml"))
    assert_all_english(without_data(en, path))


def test_github_annotations_in_both_languages(run, folder):
    zh = report(run, folder, ZH, "--format", "github")
    en = report(run, folder, EN, "--format", "github")
    assert "title=措施 1 逾期 15 天::措施 1 逾期 15 天（到期日 2022-05-31，牵头单位 市商务局）：建设物流信息平台。" in zh
    assert ("title=Measure 1 is 15 days overdue::Measure 1 is 15 days overdue (due 2022-05-31, lead unit 市商务局): "
            "建设物流信息平台。") in en


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_history_in_both_languages(run, folder):
    top = folder.parent
    env = {"GIT_AUTHOR_DATE": "2022-06-01T10:00:00", "GIT_COMMITTER_DATE": "2022-06-01T10:00:00"}
    for args in (("init", "-q"), ("config", "user.name", "王工"), ("config", "user.email", "w@example.com"),
                 ("add", "measures"), ("commit", "-qm", "x")):
        subprocess.run(["git", *args], cwd=top, check=True, capture_output=True, env={**env, "PATH": "/usr/bin:/bin"})
    zh = run("history", "4", "--dir", folder, env=ZH).stdout
    en = run("history", "4", "--dir", folder, env=EN).stdout
    assert lines(zh)[0] == f"措施 4 的变更记录（{folder / '04.yaml'}）"
    assert lines(en)[0] == f"History of measure 4 ({folder / '04.yaml'})"
    assert lines(zh)[1].split() == ["日期", "作者", "状态", "记录", "提交"]
    assert lines(en)[1].split() == ["Date", "Author", "Status", "Recorded", "Commit"]
    assert "新建 · 推进中" in zh and "延期 2022-05-31 → 2022-09-30：跨部门协调" in zh
    assert "created · in_progress" in en and "extended 2022-05-31 → 2022-09-30: 跨部门协调" in en


@pytest.mark.parametrize("args", [("report", "--format", "json"), ("list", "--format", "json"),
                                  ("export", "--format", "json"), ("validate", "--format", "json"),
                                  ("units", "--format", "json"), ("show", "4", "--format", "json")])
def test_json_is_the_same_in_both_languages(run, folder, args):
    zh = run(*args, "--dir", folder, "--as-of", AS_OF, env=ZH) if args[0] not in ("validate", "units") \
        else run(*args, "--dir", folder, env=ZH)
    en = run(*args, "--dir", folder, "--as-of", AS_OF, env=EN) if args[0] not in ("validate", "units") \
        else run(*args, "--dir", folder, env=EN)
    assert zh.exit_code == en.exit_code
    assert zh.stdout_bytes == en.stdout_bytes and zh.stdout_bytes.strip()


@pytest.mark.parametrize("env, expected", [
    (ZH, "portcli: 未知单位 '天津海光'；是否指 天津海关或市商务局？（参见 `portcli units`）"),
    (EN, "portcli: unknown unit '天津海光'; did you mean 天津海关 or 市商务局? (see `portcli units`)"),
])
def test_an_unknown_unit_in_both_languages(run, folder, env, expected):
    result = run("report", "--dir", folder, "--as-of", AS_OF, "--unit", "天津海光", env=env)
    assert result.exit_code == 2 and result.stderr.strip() == expected
