"""portcli.fastyaml reads what it accepts exactly as PyYAML's C safe loader does, and accepts our files.

The property: for any text, fastyaml.load either says UNSURE or returns what yaml.load returns,
value for value and type for type (True is not 1, a date is not a text), keys in the same order.
Hypothesis searches for a counter-example among documents built from the pieces YAML treats
specially, and among the shipped files with random edits.
"""
from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from portcli import fastyaml
from portcli.load import load
from portcli import yamlread
from portcli.fastyaml import UNSURE

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import generate  # noqa: E402  (benchmarks/generate.py)

SHIPPED = sorted((REPO / "measures").glob("*.yaml"))


def typed(value):
    """`value` with every scalar's type made part of it, and mappings as ordered pairs."""
    if isinstance(value, dict):
        return ("map", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [typed(v) for v in value])
    return (type(value).__name__, value)


def pyyaml(text: str):
    """What the loader's PyYAML path gives: ("ok", data) or ("error", exception type)."""
    try:
        return "ok", yaml.load(text, Loader=yamlread.pyyaml()[1])
    except Exception as exc:  # PyYAML raises ValueError for 2022-02-30, not only YAMLError
        return "error", type(exc).__name__


def assert_agrees(text: str) -> None:
    fast = fastyaml.load(text)
    if fast is UNSURE:
        return
    outcome, slow = pyyaml(text)
    assert outcome == "ok", f"fastyaml read a text PyYAML rejects ({slow}): {text!r}"
    assert typed(fast) == typed(slow), text


# --- the fast path is taken for our files --------------------------------------------------

@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_files_are_read_fast_and_the_same(path):
    text = path.read_text(encoding="utf-8")
    fast = fastyaml.load(text)
    assert fast is not UNSURE
    assert typed(fast) == typed(yaml.load(text, Loader=yamlread.pyyaml()[1]))


def test_generated_measures_are_read_fast_and_the_same():
    import random

    corpus, plan = generate.load_corpus()
    rng = random.Random(5)
    for n in range(1, 400):
        text = generate.measure_text(rng, n, corpus, plan)
        fast = fastyaml.load(text)
        assert fast is not UNSURE, text
        assert typed(fast) == typed(yaml.load(text, Loader=yamlread.pyyaml()[1])), text


def test_the_spec_example_with_comments_progress_and_extensions_is_read_fast():
    text = (
        "id: 14\n"
        "task: 5                     # key task number\n"
        "national: 稳步推进试点工作。   # null for measure 25\n"
        "local:                      # one entry per numbered item\n"
        "  - 稳步推进试点工作，支持车船直取。\n"
        "  - 提升天津港环渤海内支线“天天班”服务举措。\n"
        "units: [市商务局, 天津海关, 天津港集团]   # document order\n"
        "units_note: null\n"
        "deadline: 5月底前\n"
        "due: 2022-05-31\n"
        "status: not_started\n"
        "progress:\n"
        "  - {date: 2022-05-20, status: in_progress, by: 天津海关, note: 完成系统对接测试}\n"
        "extensions:\n"
        "  - date: 2022-05-25\n"
        "    from: 2022-05-31\n"
        "    to: 2022-06-30\n"
        "    reason: '等待机场系统升级: 二期'\n"
    )
    fast = fastyaml.load(text)
    assert fast is not UNSURE
    assert typed(fast) == typed(yaml.load(text, Loader=yamlread.pyyaml()[1]))
    assert fast["extensions"][0]["to"] == date(2022, 6, 30)


def test_the_resolver_rules_are_pyyamls():
    """The copied implicit resolvers are PyYAML's own, in the same order for every first character."""
    theirs = yaml.resolver.Resolver.yaml_implicit_resolvers
    ours = fastyaml.RESOLVERS
    assert set(ours) == set(theirs)
    for first in theirs:
        assert [(tag, p.pattern, p.flags) for tag, p in ours[first]] == \
               [(tag, p.pattern, p.flags) for tag, p in theirs[first]], first


def test_the_unusual_characters_are_what_pyyaml_refuses_and_what_we_leave_to_it():
    accepted = yaml.reader.Reader.NON_PRINTABLE
    left_to_pyyaml = set("\t\r\x85\u2028\u2029\ufeff")
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    ours = {m.group() for m in fastyaml._UNUSUAL_CHAR.finditer(everything)}
    refused = {m.group() for m in accepted.finditer(everything)}
    assert ours == refused | left_to_pyyaml


# --- what PyYAML must decide ---------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "a: !!python/object/apply:os.system [echo hi]\n",  # a tag
    "a: &x 1\nb: *x\n",  # an anchor and an alias
    "a: |\n  block\n",  # a block scalar
    "a: one\n  two\n",  # a text continued on the next line
    "a:\n  b: 1\n",  # a nested mapping
    "a:\tb\n",  # a tab
    "a: 0x1F\n", "a: 017\n", "a: 1_000\n", "a: 1:30\n", "a: 1.5\n", "a: .inf\n", "a: +1\n",  # number forms
    "a: 2022-05-31 10:00:00\n", "a: 2022-02-30\n",  # a timestamp, an impossible date
    "a: b: c\n", "a: b:\n", "- a\n", "a\n", "", "# only a comment\n",  # not a flat mapping
    "a: [b, [c]]\n", "a: [b,]\n", "a: {b}\n", "a: {b: }\n", "a: [b\n",  # unusual flow collections
    '"a": 1\n', "a: 'x\n", 'a: "x\\ty"\n',  # a quoted key, an open quote, an escape
    "---\na: 1\n", "%YAML 1.1\n---\na: 1\n", "a: 1\n...\n",  # document markers
    "<<: {a: 1}\n", "a: =\n",  # merge and value keys
    "a: x\x85y\n", "a: x\u2028y\n", "a: \ufeffx\n", "a: x\x07\n",  # unusual line breaks and characters
    "a:\n- x\n  y\n",  # a list item continued
    "a:\n  - x\n - y\n",  # items out of line
    "a:\n  -\n  - y\n",  # an empty item
    "a: [x] y\n", "a: 'x' y\n", "a: 'x'#c\n",  # something after a value
])
def test_unusual_documents_are_left_to_pyyaml(text):
    assert fastyaml.load(text) is UNSURE


@pytest.mark.parametrize("text", ["a: 1\na: 2\n", "on: 1\nyes: 3\n", "p:\n  - {k: 1, k: 2}\n",
                                  "p:\n  - k: 1\n    k: 2\n", "a: [1]\nb: {x: 1, x: 2}\n"])
def test_a_key_given_twice_is_left_to_the_strict_loader(text):
    # PyYAML silently keeps the last value; the strict loader reports the key with its line.
    assert fastyaml.load(text) is UNSURE


@pytest.mark.parametrize("text", [
    "a: yes\nb: No\nc: on\nd: OFF\ne: ~\nf: null\ng: Null\nh:\n",  # booleans and nulls as YAML 1.1 has them
    "on: 1\nnull: 3\n",  # keys typed too
    "a: 08\nb: 0\nc: 2022-5-31\nd: 2022-05-31\n",  # a text, zero, a text, a date
    "a: x #comment\nb: x#notcomment\nc: 'it''s'\nd: \"q\"\ne: http://example.com\n",
    "a: [x, 'y, z', \"w\"]\nb: {k: 'v: w', n: 1}\nc: []\nd: {}\ne: [ ]\n",
    "a: 见[附件]{1}\nb: ~x\nc: n\n",  # brackets inside a block text; ~ and n as ordinary texts
    "a:\n- x\n- y\nb: z\n",  # a list at the key's own indentation
    "a:\n  # a comment among items\n  - x\n\n  - y\n",
    "a: 1\r\nb: [x, y]\r\n",  # CRLF
])
def test_documents_read_fast_agree_with_pyyaml(text):
    fast = fastyaml.load(text)
    assert fast is not UNSURE
    assert typed(fast) == typed(yaml.load(text, Loader=yamlread.pyyaml()[1]))


# --- the property --------------------------------------------------------------------------

SPECIAL = list(":#-[]{},?&*!|>'\"%@`~ \t\\=<.+_") + ["\r", "\x85", "\u2028", "\ufeff", "\x00", "：", "，"]
WORDS = ["yes", "No", "on", "OFF", "null", "Null", "~", "true", "0", "14", "08", "017", "0x1F", "1_0", "1:30",
         "1.5", ".5", "-1", "+1", ".inf", ".NaN", "2022-05-31", "2022-5-31", "2022-02-30", "2022-05-31 10:00:00",
         "2022-05-31T10:00:00Z", "<<", "=", "天津海关", "5月底前", "持续推动", "in_progress", "not_started", "x", "a b"]
scalars = st.one_of(
    st.sampled_from(WORDS),
    st.text(alphabet=st.sampled_from(SPECIAL + list("abyn01天津")), max_size=8),
    st.sampled_from(WORDS).map(lambda w: f"'{w}'") | st.sampled_from(WORDS).map(lambda w: f'"{w}"'),
)
flows = st.one_of(
    st.lists(scalars, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.lists(st.tuples(scalars, scalars), max_size=3).map(lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"),
)
values = st.one_of(scalars, flows, st.just(""))
keys = st.sampled_from(["id", "task", "local", "units", "on", "yes", "null", "Null", "a_b", "K9", "<<", "=", "a b",
                        "天津", "-", "?", "date", "by", "x:y"])
separators = st.sampled_from([": ", ":", " : ", ":  ", ":\t"])
comments = st.sampled_from(["", "", " # note", "#x", "  # ：", "\t# x"])
indents = st.sampled_from(["", "", "  ", "    ", " ", "\t"])


@st.composite
def lines(draw):
    kind = draw(st.sampled_from(["key", "key", "item", "item_key", "comment", "blank", "raw"]))
    if kind == "key":
        return draw(indents.filter(lambda i: i == "" or draw(st.booleans()))) + draw(keys) + draw(separators) + \
            draw(values) + draw(comments)
    if kind == "item":
        return draw(indents) + "-" + draw(st.sampled_from([" ", "", "  "])) + draw(values) + draw(comments)
    if kind == "item_key":
        return draw(indents) + draw(st.sampled_from(["- ", ""])) + draw(keys) + draw(separators) + draw(values)
    if kind == "comment":
        return draw(indents) + "# " + draw(scalars)
    if kind == "blank":
        return draw(st.sampled_from(["", " ", "  "]))
    return draw(st.text(alphabet=st.sampled_from(SPECIAL + list("ab1天")), max_size=12))


documents = st.lists(lines(), min_size=1, max_size=10).map("\n".join) | \
    st.lists(lines(), min_size=1, max_size=10).map(lambda ls: "\r\n".join(ls) + "\r\n")


plain_keys = st.sampled_from(["id", "task", "local", "units", "progress", "on", "yes", "null", "a_b", "K9", "date", "by"])


@st.composite
def shaped_documents(draw):
    """Documents of our files' shape, with any scalar in any place: mostly readable by the fast path."""
    out = []
    for _ in range(draw(st.integers(1, 6))):
        key = draw(plain_keys)
        if draw(st.booleans()):
            out.append(f"{key}: {draw(values.filter(bool))}{draw(comments)}")
            continue
        out.append(f"{key}:{draw(comments)}")
        indent = draw(st.sampled_from(["", "  ", "    "]))
        for _ in range(draw(st.integers(0, 3))):
            if draw(st.booleans()):
                out.append(f"{indent}- {draw(values.filter(bool))}{draw(comments)}")
            else:
                pairs = draw(st.lists(st.tuples(plain_keys, values.filter(bool)), min_size=1, max_size=3))
                out.append(f"{indent}- {pairs[0][0]}: {pairs[0][1]}")
                out += [f"{indent}  {k}: {v}" for k, v in pairs[1:]]
    return "\n".join(out) + draw(st.sampled_from(["\n", ""]))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shaped_documents())
def test_any_document_of_our_shape_is_read_as_pyyaml_reads_it_or_left_to_it(text):
    assert_agrees(text)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
@example("a: b\n  - c\n")
@example("a:\n  - b\n    c: d\n")
@example("- a: b\n")
@example("a:\n- b: 1\n  c: 2\n- d\n")
def test_any_document_is_read_as_pyyaml_reads_it_or_left_to_it(text):
    assert_agrees(text)


@st.composite
def edited_shipped_files(draw):
    """A shipped file with a few characters inserted, replaced or deleted: near-misses of our shape."""
    text = draw(st.sampled_from(SHIPPED)).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "replace", "delete"]))
        piece = draw(st.sampled_from(SPECIAL + WORDS + ["\n", "\r\n", "\n  ", "\n- ", "  "]))
        if action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "replace":
            text = text[:at] + piece + text[at + 1:]
        else:
            text = text[:at] + text[at + 1:]
    return text


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_shipped_files())
def test_edited_measure_files_are_read_as_pyyaml_reads_them_or_left_to_it(text):
    assert_agrees(text)


# --- the loader gives the same result either way -------------------------------------------

def test_the_loader_gives_the_same_measures_and_problems_with_and_without_the_fast_path(measures_dir, monkeypatch):
    (measures_dir / "03.yaml").write_text(
        (measures_dir / "03.yaml").read_text(encoding="utf-8").replace("status: not_started", "status: finished"),
        encoding="utf-8")
    (measures_dir / "04.yaml").write_text(
        (measures_dir / "04.yaml").read_text(encoding="utf-8").replace("units: [", "units: [无此单位, "),
        encoding="utf-8")
    (measures_dir / "05.yaml").write_text("id: 5\ntask: [1\n", encoding="utf-8")
    monkeypatch.setenv("PORTCLI_NO_CACHE", "1")
    fast = load(measures_dir)
    monkeypatch.setattr(fastyaml, "load", lambda text: UNSURE)
    slow = load(measures_dir)
    assert fast.measures == slow.measures
    assert fast.problems == slow.problems
    assert len(fast.measures) == 22 and len(fast.problems) == 3


def test_a_file_with_an_unusual_shape_still_loads_through_pyyaml(measures_dir, monkeypatch):
    monkeypatch.setenv("PORTCLI_NO_CACHE", "1")
    path = measures_dir / "02.yaml"
    text = path.read_text(encoding="utf-8")
    block = text.replace("deadline: 5月底前", "deadline: >-\n  5月底前")  # a folded block scalar
    path.write_text(block, encoding="utf-8")
    assert fastyaml.load(block) is UNSURE
    loaded = load(measures_dir)
    assert not loaded.problems
    assert next(m for m in loaded.measures if m.id == 2).deadline.phrase == "5月底前"


def test_dates_and_datetimes_stay_apart():
    assert typed(fastyaml.load("a: 2022-05-31\n")) == typed({"a": date(2022, 5, 31)})
    assert fastyaml.load("a: 2022-05-31 10:00:00\n") is UNSURE
    assert typed(yaml.load("a: 2022-05-31 10:00:00\n", Loader=yamlread.pyyaml()[1]))[1][0][1][0] == datetime.__name__
