"""Properties over generated input: whatever a measure file holds, the CLI ends in output or a
clear problem, never a Python exception; valid measures come back out unchanged.

Every property runs the real CLI (the `run` fixture) or the real parser functions. The number
of examples per property is set here, in EXAMPLES, and recorded in docs/RELIABILITY.md; set
PORTCLI_PROPERTY_SCALE=20 for a longer hunt on a workstation. Hypothesis keeps the failing
examples it finds in .hypothesis/ and replays them first on the next run.
"""
from __future__ import annotations

import calendar
import json
import os
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from portcli.deadline import DeadlineError, parse_date, parse_deadline

SHIPPED = Path(__file__).resolve().parents[1] / "measures"
PLAN = yaml.safe_load((SHIPPED / "_plan.yaml").read_text(encoding="utf-8"))
UNIT_NAMES = [u["name"] for u in PLAN["units"]]

# Examples per property in CI (the `ci` numbers in docs/RELIABILITY.md).
EXAMPLES = {
    "arbitrary_text": 150,
    "arbitrary_bytes": 100,
    "yaml_documents": 150,
    "broken_measures": 200,
    "plan_documents": 50,
    "control_character_lines": 100,
    "deadline_phrases": 1000,
    "command_line_dates": 1000,
    "written_dates": 300,
    "every_format": 200,
    "round_trip": 150,
}
SCALE = int(os.environ.get("PORTCLI_PROPERTY_SCALE", "1"))

# The CLI's run time varies (the first call imports rich), so no per-example deadline; the
# fixtures only wrap the CLI and a folder that every example rewrites, so sharing them is safe.
settings.register_profile("ci", deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                 HealthCheck.data_too_large])


def examples(name: str) -> settings:
    return settings(settings.get_profile("ci"), max_examples=EXAMPLES[name] * SCALE)


# --- what every run must look like -----------------------------------------------------------

# A terminal acts on these; no byte of data may reach it as one (render.printable escapes them).
TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def assert_ended_cleanly(result) -> None:
    """No Python exception escaped, the exit code is 0 or 2, and nothing looks like a traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr


def assert_problems_named(result, folder: Path) -> None:
    """Every line on stderr is FILE:LINE: message, FILE inside the folder; exit 2 iff there is one."""
    lines = result.stderr.splitlines()
    for line in lines:
        assert re.match(re.escape(str(folder)) + r"/[^:]+\.ya?ml:[1-9][0-9]*: \S", line), line
        assert not TERMINAL_CONTROLS.search(line), line
    assert (result.exit_code == 2) == bool(lines), (result.exit_code, lines)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The plan and measure 2 as shipped; each example writes its own 90.yaml next to them."""
    target = tmp_path_factory.mktemp("props") / "measures"
    target.mkdir()
    for name in ("_plan.yaml", "02.yaml"):
        shutil.copy(SHIPPED / name, target / name)
    return target


@pytest.fixture(scope="module")
def plan_only(tmp_path_factory) -> Path:
    """The shipped plan alone; each example writes its own 90.yaml next to it."""
    target = tmp_path_factory.mktemp("trip") / "measures"
    target.mkdir()
    shutil.copy(SHIPPED / "_plan.yaml", target / "_plan.yaml")
    return target


def check_measure_file(run, folder: Path, content: bytes) -> None:
    """`content` as 90.yaml: validate names every problem; list still shows measure 2."""
    (folder / "90.yaml").write_bytes(content)
    result = run("validate", "--dir", folder)
    assert_ended_cleanly(result)
    assert_problems_named(result, folder)
    if result.exit_code == 2:
        assert str(folder / "90.yaml") in result.stderr  # the broken file is the one blamed
    listed = run("list", "--format", "json", "--as-of", "2022-06-01", "--dir", folder)
    assert_ended_cleanly(listed)
    assert 2 in [m["id"] for m in json.loads(listed.stdout)]  # one bad file hides no other


# --- strategies ------------------------------------------------------------------------------

MEASURE_KEYS = ["id", "task", "national", "local", "units", "units_note", "deadline", "due", "status",
                "progress", "extensions"]
scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
           | st.dates() | st.datetimes() | st.sampled_from(UNIT_NAMES + ["done", "推进中", "5月底前"]))
keys = st.sampled_from(MEASURE_KEYS + ["date", "by", "note", "to", "from", "reason"]) | st.text(max_size=8) \
    | st.integers()


def containers(inner):
    return st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5)


documents = st.recursive(scalars, containers, max_leaves=25)
measure_shaped = st.fixed_dictionaries({}, optional={key: documents for key in MEASURE_KEYS})

# Deadline phrases and the due date each gives in plan year 2022, read off SPEC §3 by hand.
PHRASES = {
    "5月底前": date(2022, 5, 31), "6月30日前": date(2022, 6, 30), "2022年6月30日前": date(2022, 6, 30),
    "2022-06-30": date(2022, 6, 30), "年底前": date(2022, 12, 31), "年内": date(2022, 12, 31),
    "上半年": date(2022, 6, 30), "一季度末": date(2022, 3, 31), "三季度": date(2022, 9, 30),
    "5月底前取得阶段性进展，持续推动": date(2022, 5, 31), "持续推动": None, "长期坚持": None,
    "按照海关总署统一部署推动实施": None, "按照交通运输部等国家部委统一部署推动实施": None,
}
# The statuses of SPEC §2: key and Chinese label.
STATUS_LABELS = {"not_started": "未启动", "in_progress": "推进中", "blocked": "受阻", "ongoing": "持续推进",
                 "done": "已完成"}
STATUS_WORDS = {**{k: k for k in STATUS_LABELS}, **{v: k for k, v in STATUS_LABELS.items()}}

texts = st.text()  # every code point but surrogates: controls, bidi, markup, emoji, CJK
some_text = st.text(min_size=1).filter(str.strip)  # fields that must say something
dates_2022 = st.dates(min_value=date(2021, 1, 1), max_value=date(2024, 12, 31))


@st.composite
def valid_measures(draw, id_=st.integers(1, 10**6)) -> dict:
    units = draw(st.lists(st.sampled_from(UNIT_NAMES), min_size=1, max_size=4, unique=True))
    unit_or_none = st.none() | st.sampled_from(UNIT_NAMES)
    data = {
        "id": draw(id_),
        "task": draw(st.integers(1, 11)),
        "national": draw(st.none() | texts),
        "local": draw(st.lists(some_text, min_size=1, max_size=3)),
        "units": units,
        "units_note": draw(st.none() | texts),
        "deadline": draw(st.sampled_from(sorted(PHRASES))),
    }
    if draw(st.booleans()):
        data["due"] = draw(dates_2022)
    data["status"] = draw(st.sampled_from(sorted(STATUS_WORDS)))
    data["progress"] = draw(st.lists(st.fixed_dictionaries({
        "date": dates_2022, "status": st.sampled_from(sorted(STATUS_WORDS)), "by": unit_or_none,
        "note": st.none() | texts}), max_size=3))
    extensions = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(dates_2022)
        extensions.append({"date": draw(dates_2022), "from": start,
                           "to": start + timedelta(days=draw(st.integers(1, 400))),
                           "by": draw(unit_or_none), "reason": draw(some_text)})
    if extensions or draw(st.booleans()):
        data["extensions"] = extensions
    return data


def same(a, b) -> bool:
    """Equal, counting a NaN as equal to itself."""
    return a == b or repr(a) == repr(b)


@st.composite
def measure_text(draw, data: dict, exact: bool = True) -> bytes:
    """`data` as a person or a tool might save it: any flow style, LF or CRLF, with or without BOM.

    PyYAML's emitter writes U+0085 and U+2028/9 raw in quoted scalars when allowed unicode,
    where YAML reads them as line breaks; such texts are written \\-escaped, as YAML must.
    """
    style = {"sort_keys": False, "default_flow_style": draw(st.sampled_from([False, None])),
             "line_break": draw(st.sampled_from(["\n", "\r\n"]))}
    text = yaml.safe_dump(data, allow_unicode=draw(st.booleans()), **style)
    if exact and not same(yaml.safe_load(text), data):
        text = yaml.safe_dump(data, allow_unicode=False, **style)
        assert same(yaml.safe_load(text), data)  # the reference reader agrees: the file says what `data` says
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode("utf-8")


@st.composite
def broken_measures(draw) -> bytes:
    """A valid measure, broken the way hands and tools break files."""
    data = draw(valid_measures(id_=st.integers(3, 10**6)))
    how = draw(st.sampled_from(["drop keys", "wrong types", "unknown key", "splice text", "splice bytes",
                                "cut", "duplicate line", "tab indent", "full-width"]))
    if how == "drop keys":
        for key in draw(st.sets(st.sampled_from(sorted(data)), min_size=1)):
            del data[key]
    elif how == "wrong types":
        for key in draw(st.sets(st.sampled_from(sorted(data)), min_size=1, max_size=3)):
            data[key] = draw(documents)
    elif how == "unknown key":
        data[draw(st.text(min_size=1, max_size=10))] = draw(scalars)
    raw = draw(measure_text(data, exact=False))  # broken anyway: no need to say exactly what `data` says
    at = draw(st.integers(0, len(raw)))
    if how == "splice text":
        raw = raw[:at] + draw(st.text(max_size=20)).encode("utf-8") + raw[at:]
    elif how == "splice bytes":
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    elif how == "cut":
        raw = raw[:at]
    elif how in ("duplicate line", "tab indent"):
        lines = raw.split(b"\n")
        i = draw(st.integers(0, len(lines) - 1))
        lines[i:i + 1] = [lines[i], lines[i]] if how == "duplicate line" else [b"\t" + lines[i].lstrip(b" ")]
        raw = b"\n".join(lines)
    elif how == "full-width":
        raw = raw.decode("utf-8").translate(str.maketrans("0123456789- ", "０１２３４５６７８９－　")).encode("utf-8")
    return raw


# --- the loader: never an exception, always FILE:LINE --------------------------------------


@examples("arbitrary_text")
@given(content=st.text())
def test_any_text_as_a_measure_file(run, folder, content):
    check_measure_file(run, folder, content.encode("utf-8"))


@examples("arbitrary_bytes")
@given(content=st.binary())
def test_any_bytes_as_a_measure_file(run, folder, content):
    check_measure_file(run, folder, content)


@examples("yaml_documents")
@given(document=documents | measure_shaped)
def test_any_yaml_document_as_a_measure_file(run, folder, document):
    check_measure_file(run, folder, yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))


@examples("broken_measures")
@given(content=broken_measures())
def test_a_broken_measure_file(run, folder, content):
    check_measure_file(run, folder, content)


NOT_IN_YAML = [chr(c) for c in [*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20), *range(0x7f, 0x85),
                                  *range(0x86, 0xa0), 0xfffe, 0xffff]]


@examples("control_character_lines")
@given(data=valid_measures(id_=st.integers(3, 10**6)), char=st.sampled_from(NOT_IN_YAML), st_data=st.data())
def test_a_raw_control_character_is_blamed_on_its_line(run, folder, data, char, st_data):
    """The line named is the line that holds it, whatever comes before (BOM, CRLF, CJK in UTF-8)."""
    lines = st_data.draw(measure_text(data)).decode("utf-8").split("\n")
    number = st_data.draw(st.integers(1, len(lines) - 1))  # the last "line" is what follows the final break
    at = st_data.draw(st.integers(0, len(lines[number - 1].rstrip("\r"))))
    lines[number - 1] = lines[number - 1][:at] + char + lines[number - 1][at:]
    (folder / "90.yaml").write_text("\n".join(lines), encoding="utf-8")
    result = run("validate", "--dir", folder)
    assert_ended_cleanly(result)
    assert f"{folder / '90.yaml'}:{number}: the character U+{ord(char):04X} is not allowed" in result.stderr


@examples("plan_documents")
@given(document=documents | st.fixed_dictionaries({}, optional={k: documents for k in ("title", "year", "tasks",
                                                                                       "units")}))
def test_any_yaml_document_as_the_plan(run, tmp_path_factory, document):
    target = tmp_path_factory.mktemp("plan")
    shutil.copy(SHIPPED / "02.yaml", target / "02.yaml")
    (target / "_plan.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    result = run("validate", "--dir", target)
    assert_ended_cleanly(result)
    assert_problems_named(result, target)


# --- the deadline and date parsers: only their documented errors ---------------------------

phrase_parts = st.sampled_from(["年", "月", "日", "底", "前", "末", "内", "上半年", "下半年", "季度", "第", "一", "三",
                                "四", "五", "取得阶段性进展", "，", "持续推动", "长期坚持", "按照", "海关总署", "统一",
                                "部署", "推动实施", "-", "/", ".", "2022", "０", "１２", "13", "31", "30", "29",
                                "2", "0", "00", "9999", "0000", " ", "\u3000", "\t"])
phrases = st.text() | st.lists(phrase_parts, max_size=8).map("".join)


@examples("deadline_phrases")
@given(phrase=phrases, year=st.integers(1901, 2999))
def test_deadline_parser_raises_only_deadline_error(phrase, year):
    try:
        deadline = parse_deadline(phrase, year)
    except DeadlineError as exc:
        assert str(exc)
        return
    assert deadline.kind in ("date", "milestone", "ongoing", "external")
    assert (deadline.due is not None) == (deadline.kind in ("date", "milestone"))
    assert not re.search(r"\s", deadline.phrase)  # stored without whitespace (SPEC §1)


@examples("command_line_dates")
@given(text=phrases)
def test_parse_date_raises_only_value_error(text):
    try:
        assert isinstance(parse_date(text), date)
    except ValueError as exc:
        assert str(exc)


FULL_WIDTH = str.maketrans("0123456789-/", "０１２３４５６７８９－／")


@examples("written_dates")
@given(day=st.dates(min_value=date(1901, 1, 1), max_value=date(2100, 12, 31)),  # a plan's years start at 1901
       form=st.sampled_from(["{y}-{m:02}-{d:02}", "{y}/{m}/{d}", "{y}年{m}月{d}日", " {y} 年 {m} 月 {d} 日 "]),
       full_width=st.booleans())
def test_dates_as_people_write_them(day, form, full_width):
    text = form.format(y=day.year, m=day.month, d=day.day)
    assert parse_date(text.translate(FULL_WIDTH) if full_width else text) == day
    last = calendar.monthrange(day.year, day.month)[1]
    month_end = (day.replace(day=1) + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    assert last == month_end.day  # the month-end phrase below, checked independently of the parser
    phrase = f"{day.month}月底前".translate(FULL_WIDTH) if full_width else f"{day.month}月底前"
    assert parse_deadline(phrase, day.year).due == month_end


# --- valid measures: every format survives any text; JSON gives back what was written ------

COMMANDS = [("list", "--as-of", "{as_of}"), ("show", "{id}", "--as-of", "{as_of}"), ("overdue", "--as-of", "{as_of}"),
            ("report", "--as-of", "{as_of}"), ("units",), ("validate",)]


@examples("every_format")
@given(data=valid_measures(id_=st.integers(3, 10**6)), command=st.sampled_from(COMMANDS),
       fmt=st.sampled_from(["table", "json"]), as_of=dates_2022, st_data=st.data())
def test_every_format_survives_any_text(run, folder, data, command, fmt, as_of, st_data):
    (folder / "90.yaml").write_bytes(st_data.draw(measure_text(data)))
    args = [part.format(id=data["id"], as_of=as_of.isoformat()) for part in command]
    result = run(*args, "--format", fmt, "--dir", folder)
    assert_ended_cleanly(result)
    assert (result.exit_code, result.stderr) == (0, "")
    if fmt == "json":
        parsed = json.loads(result.stdout)
        if command[0] == "show":
            assert [p["note"] for p in parsed["progress"]] == [p["note"] for p in data["progress"]]
    else:
        assert not TERMINAL_CONTROLS.search(result.stdout), result.stdout


def expected_json(data: dict) -> dict:
    """The file's keys as SPEC §4 gives them in JSON, worked out from what was written."""
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    extensions = data.get("extensions", [])
    due = extensions[-1]["to"] if extensions else data.get("due", PHRASES[data["deadline"]])
    return {
        "id": data["id"], "task": data["task"], "national": data["national"], "local": data["local"],
        "units": data["units"], "units_note": data["units_note"], "deadline": data["deadline"], "due": iso(due),
        "status": STATUS_WORDS[data["status"]],
        "progress": [{"date": iso(p["date"]), "status": STATUS_WORDS[p["status"]], "by": p["by"], "note": p["note"]}
                     for p in data["progress"]],
        "extensions": [{"date": iso(e["date"]), "from": iso(e["from"]), "to": iso(e["to"]), "by": e["by"],
                        "reason": e["reason"]} for e in extensions],
    }


@examples("round_trip")
@given(data=valid_measures(), st_data=st.data())
def test_valid_measures_round_trip_through_json(run, plan_only, data, st_data):
    """What a file says comes back out of `export --format json` unchanged, and `list` agrees."""
    (plan_only / "90.yaml").write_bytes(st_data.draw(measure_text(data)))
    result = run("export", "--format", "json", "--as-of", "2022-06-01", "--dir", plan_only)
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    [got] = json.loads(result.stdout)
    assert {key: got[key] for key in expected_json(data)} == expected_json(data)
    listed = run("list", "--format", "json", "--as-of", "2022-06-01", "--dir", plan_only)
    assert json.loads(listed.stdout) == [got]
