"""JSON Schemas for measure files and for _plan.yaml, for editors (the YAML language server).

It is made from the loader's own rules — the keys, which of them are required, the entry keys
and the statuses come from `check` and `model` — so the two cannot drift apart. What only the
loader can check (units registered in _plan.yaml, deadline phrases, that an extension moves the
date later) the schema describes but does not enforce.
"""
from __future__ import annotations

import json

from .model import FIRST_YEAR, LAST_YEAR, STATUSES
from .check import (EXTENSION_KEYS, LIGHTS_KEYS, MAX_YELLOW_DAYS, MEASURE_KEYS, OPTIONAL_PLAN_KEYS, PLAN_KEYS,
                    PROGRESS_KEYS, REQUIRED_KEYS, TASK_KEYS, UNIT_KEYS)
from .files import PLAN_FILE

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Any

_TEXT = {"type": "string"}
_NONBLANK = {"type": "string", "pattern": r"\S"}
_DATE = {"type": "string", "description": "a date: 2022-05-31 (also 2022/5/31 or 2022年5月31日)"}
_STATUS = {"enum": [*STATUSES, *STATUSES.values()],
           "description": "; ".join(f"{key} = {label}" for key, label in STATUSES.items())}
_UNIT = {**_NONBLANK, "description": f"a unit's short name, full name or alias, as registered in {PLAN_FILE}"}


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "type": [schema["type"], "null"]}


def _object(keys: tuple[str, ...], required: tuple[str, ...], properties: dict[str, Any],
            description: str) -> dict[str, Any]:
    # Built from the loader's key tuples: a key added there without a schema here is a KeyError.
    return {"type": "object", "description": description, "additionalProperties": False,
            "required": list(required), "properties": {key: properties[key] for key in keys}}


PROGRESS = _object(PROGRESS_KEYS, ("date", "status"), {
    "date": _DATE,
    "status": _STATUS,
    "by": _or_null({**_UNIT, "description": "the unit that reported it (填报单位)"}),
    "note": _or_null({**_TEXT, "description": "what was done (说明)"}),
}, "a progress entry (进度填报), oldest first")

EXTENSION = _object(EXTENSION_KEYS, ("date", "to", "reason"), {
    "date": {**_DATE, "description": "when the extension was approved (批准日期)"},
    "from": _or_null({**_DATE, "description": "the due date before it; null when there was none"}),
    "to": {**_DATE, "description": "the new due date (延至), later than `from`"},
    "by": _or_null({**_UNIT, "description": "the unit that asked for it"}),
    "reason": {"type": "string", "minLength": 1, "description": "why (理由)"},
}, "an approved extension (延期), newest last; the latest `to` is the due date")

MEASURE_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer", "minimum": 1, "description": "the measure's number (编号); authoritative, not the file name"},
    "task": {"type": "integer", "minimum": 1, "description": f"key task number (重点任务), 1…11, titles in {PLAN_FILE}"},
    "national": _or_null({**_TEXT, "description": "the 海关总署 measure (具体举措); null for Tianjin's own task"}),
    "local": {"type": "array", "items": _NONBLANK,
              "description": "天津市细化落实措施, one entry per numbered item, numbering stripped"},
    "units": {"type": "array", "minItems": 1, "uniqueItems": True, "items": _UNIT,
              "description": "responsible units (责任单位), lead unit (牵头) first"},
    "units_note": _or_null({**_TEXT, "description": "e.g. 按照职责分工负责"}),
    "deadline": {"type": "string", "description": "完成时限 as the document words it: 5月底前, 2022年6月30日前, 年底前, "
                 "5月底前取得阶段性进展，持续推动, 持续推动, 按照海关总署统一部署推动实施 …"},
    "due": _or_null({**_DATE, "description": "optional explicit due date; overrides the deadline phrase's"}),
    "status": _STATUS,
    "progress": _or_null({"type": "array", "items": PROGRESS}),
    "extensions": _or_null({"type": "array", "items": EXTENSION}),
}


def measure_schema() -> dict[str, Any]:
    schema = _object(MEASURE_KEYS, REQUIRED_KEYS, MEASURE_PROPERTIES,
                     "A portcli measure file (measures/NN.yaml): one measure of the plan.")
    return {"$schema": "http://json-schema.org/draft-07/schema#", "title": "portcli measure", **schema}


TASK = _object(TASK_KEYS, ("id", "title"), {
    "id": {"type": "integer", "minimum": 1, "description": "the key task's number, as measures give it in `task`"},
    "numeral": _or_null({**_NONBLANK, "description": "the number as the document writes it (五); default: the id"}),
    "title": {**_NONBLANK, "description": "the key task (重点任务)"},
}, "a key task (重点任务), each id once")

UNIT = _object(UNIT_KEYS, ("name", "full_name", "english"), {
    "name": {**_NONBLANK, "description": "the short name the document uses (市商务局); what measures name"},
    "full_name": {**_NONBLANK, "description": "the full name (天津市商务局)"},
    "english": {**_NONBLANK, "description": "the English name"},
    "aliases": _or_null({"type": "array", "items": _NONBLANK, "description": "other names --unit accepts"}),
}, "a unit of the registry; every name (short, full, English, alias) points to one unit")

LIGHTS = _object(LIGHTS_KEYS, (), {
    "yellow_days": {"type": "integer", "minimum": 0, "maximum": MAX_YELLOW_DAYS,
                    "description": "how many days before its due date an unfinished measure's light turns yellow "
                                   "(黄灯), and the default of --due-soon; default 14"},
}, "the traffic lights (红黄绿灯) of the reports, list and exports")

PLAN_PROPERTIES: dict[str, Any] = {
    "title": {**_NONBLANK, "description": "the plan's title, as the document words it"},
    "year": {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR,
             "description": "the plan's year: deadline phrases without a year (5月底前) fall in it"},
    "tasks": {"type": "array", "minItems": 1, "items": TASK},
    "units": {"type": "array", "minItems": 1, "items": UNIT, "description": "the unit registry (责任单位)"},
    "start": {**_DATE, "description": "the day the plan began: a measure with no progress entry was last heard "
                                      "of then; default 1 January of `year`"},
    "lights": LIGHTS,
}


def plan_schema() -> dict[str, Any]:
    schema = _object(PLAN_KEYS + OPTIONAL_PLAN_KEYS, PLAN_KEYS, PLAN_PROPERTIES,
                     f"A portcli plan file ({PLAN_FILE}): the plan's title, year, key tasks and unit registry.")
    return {"$schema": "http://json-schema.org/draft-07/schema#", "title": "portcli plan", **schema}


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
