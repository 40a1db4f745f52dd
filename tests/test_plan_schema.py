"""`portcli schema --plan`: the JSON Schema of _plan.yaml (`lights` included) agrees with the loader,
and the committed copy is current."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from portcli.check import LIGHTS_KEYS, OPTIONAL_PLAN_KEYS, PLAN_KEYS, TASK_KEYS, UNIT_KEYS
from portcli.load import load_plan
from schema_files import as_json, validator_for

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "schema" / "plan.schema.json"
SHIPPED = REPO / "measures" / "_plan.yaml"


@pytest.fixture(scope="module")
def validator():
    return validator_for(COMMITTED)


def test_the_committed_plan_schema_is_what_portcli_schema_plan_prints(run):
    result = run("schema", "--plan")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == COMMITTED.read_text(encoding="utf-8")
    assert result.stdout != run("schema").stdout  # the measure schema is another one
    assert run("schema", "--plan", "--check", COMMITTED).exit_code == 0
    assert run("schema", "--check", COMMITTED).exit_code == 1  # not the measure schema


@pytest.mark.english
def test_a_stale_plan_schema_names_the_command_that_updates_it(run, tmp_path):
    stale = tmp_path / "plan.schema.json"
    stale.write_text(COMMITTED.read_text(encoding="utf-8").replace('"maximum": 365', '"maximum": 366'),
                     encoding="utf-8")
    result = run("schema", "--plan", "--check", stale)
    assert result.exit_code == 1
    assert result.stderr == (f"portcli: {stale} is not the schema this portcli prints; "
                             f"update it with `portcli schema --plan > {stale}`\n")


def test_keys_and_required_keys_are_the_loaders(validator):
    schema = validator.schema
    assert list(schema["properties"]) == [*PLAN_KEYS, *OPTIONAL_PLAN_KEYS]
    assert schema["required"] == list(PLAN_KEYS)
    assert list(schema["properties"]["tasks"]["items"]["properties"]) == list(TASK_KEYS)
    assert list(schema["properties"]["units"]["items"]["properties"]) == list(UNIT_KEYS)
    lights = schema["properties"]["lights"]
    assert list(lights["properties"]) == list(LIGHTS_KEYS) and lights["required"] == []
    assert (lights["properties"]["yellow_days"]["minimum"], lights["properties"]["yellow_days"]["maximum"]) == (0, 365)
    assert all(s["additionalProperties"] is False for s in (schema, lights, schema["properties"]["tasks"]["items"],
                                                           schema["properties"]["units"]["items"]))


def shipped() -> dict:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def loader_accepts(tmp_path: Path, data: dict) -> bool:
    folder = tmp_path / "measures"
    folder.mkdir(exist_ok=True)
    (folder / "_plan.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    plan, problems = load_plan(folder)
    return plan is not None and not problems


def test_the_shipped_plan_is_valid_for_both(validator, tmp_path):
    data = shipped()
    assert list(validator.iter_errors(as_json(data))) == []
    assert loader_accepts(tmp_path, data)


def with_(**changes) -> dict:
    data = shipped()
    for key, value in changes.items():
        if value is ...:
            del data[key]
        else:
            data[key] = value
    return data


# (plan, accepted): each by the schema and the loader alike
CASES = [
    (with_(lights={"yellow_days": 7}, start="2022-03-01"), True),
    (with_(lights={"yellow_days": 0}), True),
    (with_(lights={"yellow_days": 365}), True),
    (with_(lights={}), True),  # no yellow_days: the default of 14
    (with_(lights={"yellow_days": 366}), False),
    (with_(lights={"yellow_days": -1}), False),
    (with_(lights={"yellow_days": "soon"}), False),
    (with_(lights={"yellow_days": 7.5}), False),
    (with_(lights={"yellow_days": None}), False),
    (with_(lights={"yellow": 7}), False),
    (with_(lights=7), False),
    (with_(lights=None), False),
    (with_(colours={"yellow_days": 7}), False),
    (with_(year=1900), False),
    (with_(year=3000), False),
    (with_(tasks=[]), False),
    (with_(units=[]), False),
    (with_(title=" "), False),
    (with_(units=...), False),
]


@pytest.mark.parametrize("data, accepted", CASES)
def test_the_schema_and_the_loader_agree_on_a_plan(validator, tmp_path, data, accepted):
    assert validator.is_valid(as_json(data)) is accepted
    assert loader_accepts(tmp_path, data) is accepted
