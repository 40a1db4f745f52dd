"""list/overdue JSON: one measure a line, valid as a whole, and a JSON run never loads the table machinery."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from portcli.load import load
from portcli.render.json import measure_dict


def test_list_json_is_an_array_with_one_measure_a_line(measures_dir, run):
    result = run("list", "--dir", measures_dir, "--format", "json", "--as-of", "2022-06-15")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 25 + 2
    loaded = load(measures_dir)
    from datetime import date

    for line, m in zip(lines[1:-1], loaded.measures):
        expected = json.dumps(measure_dict(m, loaded.plan, date(2022, 6, 15)), ensure_ascii=False)
        assert line.rstrip(",") == expected
    assert [m["id"] for m in json.loads(result.stdout)] == list(range(1, 26))


def test_an_empty_selection_is_an_empty_array(measures_dir, run):
    result = run("overdue", "--dir", measures_dir, "--format", "json", "--as-of", "2022-01-01")
    assert result.exit_code == 0 and result.stdout == "[]\n"


def imported(*args: str) -> set[str]:
    """The modules a real `portcli ARGS` process imports, as -X importtime lists them."""
    code = "import sys; from portcli.cli import run; sys.argv = ['portcli', *sys.argv[1:]]; run()"
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args], capture_output=True, text=True)
    return set(re.findall(r"^import time:.*\|\s+(\S+)$", done.stderr, flags=re.M))


def test_json_commands_import_neither_rich_nor_dateutil(measures_dir):
    for command in (["list"], ["overdue", "--as-of", "2022-06-15"], ["report", "--as-of", "2022-06-15"]):
        modules = imported(*command, "--dir", str(measures_dir), "--format", "json")
        assert "portcli.render.json" in modules and "portcli.fastyaml" in modules
        # files of the regular shape are read without PyYAML, and JSON is written without rich
        assert not {m for m in modules if m.split(".")[0] in ("rich", "dateutil", "yaml")}


def test_an_unusual_file_is_read_with_pyyaml(measures_dir):
    path = measures_dir / "02.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("deadline: 5月底前", "deadline: >-\n  5月底前"),
                    encoding="utf-8")
    assert "yaml" in imported("list", "--dir", str(measures_dir), "--format", "json")


def test_a_table_imports_rich_but_not_dateutil(measures_dir):
    modules = imported("list", "--dir", str(measures_dir), "--as-of", "2022-06-15")
    assert "rich.table" in modules
    assert not {m for m in modules if m.split(".")[0] == "dateutil"}


def test_json_without_the_c_encoder_writes_the_same_bytes(tmp_path, run, monkeypatch):
    """render/json takes json's C encoder from _json, not through `import json`; a Python without it
    falls back to json.JSONEncoder, and the output must not change. The varied plan has progress,
    extensions, several units and a missing deadline: every kind of field is written."""
    import varied
    from portcli.render import json as render_json

    folder = str(varied.write(tmp_path / "varied"))
    args = ("list", "--dir", folder, "--format", "json", "--as-of", varied.AS_OF)
    with_c = run(*args)
    assert with_c.exit_code == 0 and len(json.loads(with_c.stdout)) > 5
    render_json._one_line_encoder.cache_clear()
    try:
        with monkeypatch.context() as without_c:
            without_c.setattr(render_json, "make_encoder", None)
            assert hasattr(render_json._one_line_encoder(), "__self__")  # json.JSONEncoder(...).encode
            without = run(*args)
            with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
                render_json._one_line_encoder()({"a": object()})
    finally:
        render_json._one_line_encoder.cache_clear()
    assert without.stdout == with_c.stdout
    # with the C encoder again, what is no JSON is refused in the same words
    assert not hasattr(render_json._one_line_encoder(), "__self__")
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
        render_json._one_line_encoder()({"a": object()})


_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\u2028\u2029]")


@given(st.text(st.sampled_from("a 1\"\\中文，\u3000\u00a0\u200b\ufeff\x7f\x85\x9f\xa0\u2028\u2029\u202a\u202e\u2066\u2069"
                               "\ud800\udc80\udfff\U0001f600")))
def test_a_json_line_escapes_exactly_the_unsafe_characters(text):
    """render/json's _safe skips the search on a printable line: for any text (full-width and
    no-break spaces, a zero-width space and a BOM, which are not printable but safe, among the
    unsafe ones), the same as escaping each unsafe character, and nothing else."""
    from portcli.render.json import _safe

    assert _safe(text) == _UNSAFE_IN_JSON.sub(lambda found: "\\u%04x" % ord(found.group()), text)


def test_no_character_render_json_escapes_is_printable():
    """What lets _safe skip a printable line: every character its own pattern escapes (whatever is
    added to it later) is one str.isprintable() refuses, checked over all of Unicode; and each is
    escaped when it stands alone."""
    from portcli.render import UNSAFE_ABOVE_C0
    from portcli.render.json import _safe

    escaped = re.compile(f"[{UNSAFE_ABOVE_C0}\u2028\u2029]")
    found = [chr(code) for code in range(0x110000) if escaped.match(chr(code))]
    assert len(found) == 33 + 5 + 4 + 2048 + 2  # C1 and DEL, the embeddings, the isolates, surrogates, U+2028/9
    assert not [char for char in found if char.isprintable()]
    assert all(_safe(char) == "\\u%04x" % ord(char) for char in found)


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                     st.text(st.sampled_from("a \"\\\n\t中文\x7f\u2028\u202e\udc80\U0001f600")))
_KEYS = st.one_of(st.text(st.sampled_from("ab\"中\n")), st.integers(), st.booleans(), st.none(),
                  st.floats(allow_nan=False))
_NAMES = st.text(st.sampled_from("ab\"中\n"))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(inner, max_size=3).map(tuple), st.dictionaries(_KEYS, inner, max_size=4),
    st.dictionaries(_NAMES, inner, max_size=4), st.lists(st.text(max_size=3), max_size=9)), max_leaves=25)
# the shapes of a report: ids, rows of numbers and names, a row holding rows
_REPORT_LIKE = {"overdue": ["甲:1", "乙\u202e:2"], "ids": [3, 14], "rows": [
    {"id": "甲:1", "lead": "天津海关", "due": None, "days_overdue": 3, "rate": 0.5, "done": True,
     "as_lead": {"measures": 2, "on_time_rate": None}}], "empty": {}, "none": []}


@given(_VALUES, st.integers(0, 3), st.integers(1, 5))
@example(_REPORT_LIKE, 0, 4096)
@example(_REPORT_LIKE, 2, 1)
@example([float("nan"), float("inf"), -float("inf"), 0.5], 1, 2)  # a list of floats: NaN, not nan
@example({"rate": float("nan"), "top": float("inf")}, 0, 3)
def test_the_indented_writer_writes_what_json_dumps_does(value, level, pieces):
    """render/json writes indented JSON itself (json's indented encoder is pure Python, 60% of a report
    at 100,000 measures): for any JSON value (dict keys of every kind json takes, tuples, NaN and the
    infinities, line breaks and characters written as \\uXXXX), what json.dumps(ensure_ascii=False,
    indent=2) writes, level levels deep, with the unsafe characters escaped, whatever the batches."""
    import io

    from portcli.render import json as render_json

    expected = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)
    expected = _UNSAFE_IN_JSON.sub(lambda found: "\\u%04x" % ord(found.group()), expected)
    out = io.StringIO()
    original = render_json._PIECES
    render_json._PIECES = pieces
    try:
        render_json._write(value, out, level)
    finally:
        render_json._PIECES = original
    assert out.getvalue() == expected


def test_the_indented_writer_refuses_what_json_refuses():
    import io

    from portcli.render import json as render_json

    for value, message in (({"a": {1, 2}}, "Object of type set is not JSON serializable"),
                           ({(1, 2): 0}, "keys must be str, int, float, bool or None, not tuple")):
        with pytest.raises(TypeError) as refused:
            json.dumps(value, ensure_ascii=False, indent=2)
        assert str(refused.value) == message
        with pytest.raises(TypeError, match=re.escape(message)):
            render_json._write(value, io.StringIO())


def test_dump_writes_a_document_from_the_margin():
    """dump (show, units, validate, history in JSON) starts the document at no indent: each level two
    spaces deeper, the closing bracket back at the margin, then a newline. Written out by hand."""
    import io

    from portcli.render import json as render_json

    out = io.StringIO()
    render_json.dump({"ids": [1, 2], "row": {"a": None}, "mixed": ["x", 3]}, out)
    assert out.getvalue() == ('{\n  "ids": [\n    1,\n    2\n  ],\n  "row": {\n    "a": null\n  },\n'
                              '  "mixed": [\n    "x",\n    3\n  ]\n}\n')


@pytest.mark.parametrize("count", [0, 1, 2, 999, 1000, 1001, 2000, 2001])
def test_an_array_of_lines_is_one_item_a_line_across_its_batches(count):
    """json.measures writes its lines a thousand at a time: the array reads the same on either side of
    a batch's end, and parses as the items it was given."""
    from portcli.render.json import array_of_lines

    items = [f'{{"n": {n}}}' for n in range(count)]
    out = io.StringIO()
    array_of_lines(iter(items), out)
    lines = out.getvalue().split("\n")
    assert json.loads(out.getvalue()) == [{"n": n} for n in range(count)]
    if count:
        assert lines == ["["] + [f'{{"n": {n}}},' for n in range(count - 1)] + [f'{{"n": {count - 1}}}', "]", ""]
    else:
        assert lines == ["[]", ""]
