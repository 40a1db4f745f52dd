"""The JSON Schema for editors agrees with the loader, and the committed copy is current."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from portcli.model import STATUSES
from portcli.check import EXTENSION_KEYS, MEASURE_KEYS, PROGRESS_KEYS, REQUIRED_KEYS, build_measure
from portcli.load import load_plan
from schema_files import as_json, validator_for

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "schema" / "measure.schema.json"
PLAN, _ = load_plan(REPO / "measures")


@pytest.fixture(scope="module")
def validator():
    return validator_for(COMMITTED)


def test_the_committed_schema_is_what_portcli_schema_prints(run):
    result = run("schema")
    assert result.exit_code == 0
    assert result.stdout == COMMITTED.read_text(encoding="utf-8")


def test_vscode_maps_the_schema_to_the_measure_files():
    settings_file = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings_file["yaml.schemas"] == {"./schema/measure.schema.json": ["measures/[0-9]*.yaml"],
                                             "./schema/plan.schema.json": ["measures/_plan.yaml",
                                                                           "measures/*/_plan.yaml"]}
    assert (REPO / "schema/measure.schema.json").is_file()
    assert sorted(p.name for p in (REPO / "measures").glob("[0-9]*.yaml")) == sorted(
        p.name for p in (REPO / "measures").glob("*.yaml") if not p.name.startswith("_"))


def test_keys_required_keys_and_statuses_are_the_loaders(validator):
    schema = validator.schema
    assert list(schema["properties"]) == list(MEASURE_KEYS)
    assert schema["required"] == list(REQUIRED_KEYS)
    assert schema["additionalProperties"] is False
    assert schema["properties"]["status"]["enum"] == [*STATUSES, *STATUSES.values()]


def test_every_shipped_measure_is_valid_for_both(validator):
    for path in sorted((REPO / "measures").glob("[0-9]*.yaml")):
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        assert list(validator.iter_errors(as_json(data))) == [], path
        assert build_measure(data, PLAN, str(path), text)[1] == [], path


# Valid documents, then up to three mutations of their structure. What only the loader can know is kept
# valid throughout (registered units, known deadline phrases, task numbers in the plan, dates that parse,
# extensions that move the date later): the schema describes those but cannot check them.
UNITS = [u.name for u in PLAN.units]
WRONG = st.sampled_from([None, 1, 2.5, True, "x", [], {}, ["x"], {"a": 1}])
DATES = st.dates(min_value=date(2022, 1, 1), max_value=date(2022, 12, 31))
TEXTS = st.text(max_size=6)
STATUSES_ALL = st.sampled_from([*STATUSES, *STATUSES.values()])


def _optional(draw, entry, keys):
    return {k: v for k, v in entry.items() if k not in keys or draw(st.booleans())}


@st.composite
def progress_entry(draw):
    entry = {"date": draw(DATES), "status": draw(STATUSES_ALL), "by": draw(st.sampled_from(UNITS) | st.none()),
             "note": draw(TEXTS | st.none())}
    return _optional(draw, entry, ("by", "note"))


@st.composite
def extension(draw):
    entry = {"date": draw(DATES), "from": draw(DATES | st.none()), "to": date(2023, 1, 31),
             "by": draw(st.sampled_from(UNITS) | st.none()), "reason": draw(st.text(min_size=1, max_size=6))}
    return _optional(draw, entry, ("from", "by"))


VALID = {
    "id": st.integers(1, 30),
    "task": st.sampled_from(sorted(PLAN.tasks)),
    "national": TEXTS | st.none(),
    "local": st.lists(st.sampled_from(["措施", "a b", " 前后 "]), max_size=3),
    "units": st.lists(st.sampled_from(UNITS), min_size=1, max_size=3, unique=True),
    "units_note": TEXTS | st.none(),
    "deadline": st.sampled_from(["5月底前", "年底前", "持续推动", "按照海关总署统一部署推动实施"]),
    "due": DATES | st.none(),
    "status": STATUSES_ALL,
    "progress": st.lists(progress_entry(), max_size=2) | st.none(),
    "extensions": st.lists(extension(), max_size=2) | st.none(),
}
BAD = {  # wrong values of the right type
    "id": [0, -1], "task": [0, -3], "local": [[" "], [""]], "units": [[], [UNITS[0], UNITS[0]], [""]],
    "status": ["started", "完成", ""], "by": [""], "reason": [""],
}


def only_the_loader_sees(key: str, value) -> bool:
    """A string where a date, phrase or unit goes is fine for the schema; only the loader can tell that
    "x" is no date, no deadline phrase and no registered unit."""
    if key in ("deadline", "due", "date", "from", "to", "by"):
        return value == "x"
    return key == "units" and value == ["x"]


@st.composite
def mutated(draw, data, keys):
    """`data` with one thing wrong with it: a key gone, a wrong value, an unknown key."""
    data = dict(data)
    kind = draw(st.sampled_from(["drop", "wrong", "bad", "unknown"]))
    key = draw(st.sampled_from(sorted(keys)))
    if kind == "drop":
        data.pop(key, None)
    elif kind == "unknown":
        data[draw(st.sampled_from(["owner", "Status", "extra"]))] = 1
    else:
        value = draw(WRONG) if kind == "wrong" else draw(st.sampled_from(BAD.get(key, [None])))
        if not only_the_loader_sees(key, value):
            data[key] = value
    return data


@st.composite
def measure_document(draw):
    data = {key: draw(values) for key, values in VALID.items()
            if key in REQUIRED_KEYS or draw(st.booleans())}
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.sampled_from(["measure", "progress", "extensions"]))
        entries = data.get(where) if where != "measure" else None
        if where == "measure":
            data = draw(mutated(data, MEASURE_KEYS))
        elif isinstance(entries, list) and entries:
            i = draw(st.integers(0, len(entries) - 1))
            keys = PROGRESS_KEYS if where == "progress" else EXTENSION_KEYS
            entry = entries[i] if isinstance(entries[i], dict) else {}
            entries = list(entries)
            entries[i] = draw(mutated(entry, keys) | WRONG)
            data[where] = entries
    return data


def single_mutations(base: dict):
    """Every one-step mutation of `base`: each key dropped, given each wrong value and each bad value, an
    unknown key added; the same for the keys of its first progress entry and first extension."""
    def variants(data: dict, keys):
        for key in keys:
            yield {k: v for k, v in data.items() if k != key}
            for value in [None, 1, 2.5, True, "x", [], {}, ["x"], {"a": 1}, *BAD.get(key, [])]:
                if not only_the_loader_sees(key, value):
                    yield {**data, key: value}
        yield {**data, "extra": 1}

    yield from variants(base, MEASURE_KEYS)
    for where, keys in (("progress", PROGRESS_KEYS), ("extensions", EXTENSION_KEYS)):
        for entry in [*variants(base[where][0], keys), "x", None, 1, []]:
            yield {**base, where: [entry, *base[where][1:]]}


def test_every_single_mutation_is_accepted_or_refused_by_both(validator):
    base = yaml.safe_load((REPO / "measures" / "14.yaml").read_text(encoding="utf-8"))
    base |= {"due": date(2022, 5, 31), "units_note": "按照职责分工负责",
             "progress": [{"date": date(2022, 5, 20), "status": "in_progress", "by": "天津海关", "note": "n"}],
             "extensions": [{"date": date(2022, 5, 25), "from": date(2022, 5, 31), "to": date(2022, 6, 30),
                             "by": "市商务局", "reason": "r"}]}
    count = 0
    for data in single_mutations(base):
        schema_errors = [e.message for e in validator.iter_errors(as_json(data))]
        _, problems = build_measure(data, PLAN, "m.yaml", "")
        assert (schema_errors == []) == (problems == []), (data, schema_errors, [p.message for p in problems])
        count += 1
    assert count > 200


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(measure_document())
def test_the_schema_and_the_loader_accept_and_refuse_the_same_documents(validator, data):
    schema_errors = [e.message for e in validator.iter_errors(as_json(data))]
    _, problems = build_measure(data, PLAN, "m.yaml", "")
    assert (schema_errors == []) == (problems == []), (schema_errors, [p.message for p in problems])
