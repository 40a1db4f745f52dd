"""What the schema tests share: data as an editor's YAML language server sees it, and a validator of
a committed schema file."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema


def as_json(data):
    """What the YAML language server sees: dates are strings to it."""
    return json.loads(json.dumps(data, default=lambda value: value.isoformat()))


def validator_for(path: Path) -> jsonschema.Draft7Validator:
    """A draft-07 validator of the schema in `path`, which must itself be a valid schema."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)
