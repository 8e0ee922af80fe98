"""The JSON Schema of a scenario file, as a user writes it (``run_sim.py schema``).

Built from the pydantic models of ``sim.scenario``, so it never drifts from them, but for the
input format rather than the validated values: durations are strings with a unit, clock
times quoted ``"HH:MM"``, moments durations or ISO dates, distributions a constant or
``{dist: NAME, ...}`` (their ``WithJsonSchema`` and ``__get_pydantic_json_schema__``), and
defaults are shown as a file would give them (``2h``, not 120 minutes).

A file with ``extends`` lists only what differs from its parents, so it is checked against
a *partial* form of every block (no key required; a distribution may change single
parameters without naming its ``dist``); lists replace whole, so their items stay complete.
A file without ``extends`` must also satisfy the complete scenario. Unknown keys are errors
in both. Rules that span fields (shares summing to 1, routes naming defined pools, a
catalogue or a generated one) are left to ``run_sim.py validate``.
"""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import PydanticSerializationError, SchemaSerializer, core_schema

import sim
from sim.scenario import Scenario

DRAFT = "https://json-schema.org/draft/2020-12/schema"
PARTIAL = "Partial"  # suffix of the partial form of a block in $defs
# Keywords whose value is one schema, a list of schemas, or a mapping name -> schema.
_ONE = ("additionalProperties", "if", "then", "else", "contains", "propertyNames")
_MANY = ("anyOf", "oneOf", "allOf")
_MAPS = ("properties", "patternProperties")
EXTENDS = {
    "description": "Start from these files (relative to this one) and list only what differs: "
    "mappings merge key by key, a distribution given with dist, lists and values replace",
    "anyOf": [
        {"type": "string"},
        {"type": "array", "items": {"type": "string"}, "minItems": 1},
    ],
}


class _InputSchema(GenerateJsonSchema):
    """Defaults as a file gives them: through the field's serializer (``120.0`` minutes
    shows as ``"2h"``), which pydantic applies only to serialization-mode schemas."""

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        json_schema = super().default_schema(schema)
        default = schema.get("default")
        if "default" in json_schema and isinstance(default, int | float):
            try:
                shown = SchemaSerializer(schema["schema"]).to_python(default, mode="json")
            except (PydanticSerializationError, TypeError, ValueError, KeyError):
                return json_schema  # a reference to a model: its own serializer was used
            json_schema["default"] = shown
        return json_schema


def _partial(node: Any) -> Any:
    """The partial form of a schema: no ``required`` and references to partial blocks,
    except in array items (lists replace whole, so their items stay complete)."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "required":
            continue
        if key == "$ref":
            out[key] = value + PARTIAL
        elif key in _MAPS:
            out[key] = {name: _partial(s) for name, s in value.items()}
        elif key in _ONE:
            out[key] = _partial(value)
        elif key in _MANY:
            out[key] = [_partial(s) for s in value]
        else:  # items, prefixItems, not, const, enum, ...: as they are
            out[key] = value
    return out


def _partial_distribution(name: str, full: dict[str, Any]) -> dict[str, Any]:
    """A distribution in a file with ``extends``: complete with its ``dist``, or some
    parameters alone, which merge into the inherited distribution."""
    params: dict[str, Any] = {}
    for branch in full["anyOf"]:
        for key, schema in branch.get("properties", {}).items():
            if key != "dist":
                params.setdefault(key, schema)
    alone = {
        "type": "object",
        "title": "parameters",
        "description": "parameters of the inherited distribution to change",
        "properties": params,
        "not": {"required": ["dist"]},
        "minProperties": 1,
        "additionalProperties": False,
    }
    return {
        "title": full.get("title", name),
        "description": full.get("description"),
        "anyOf": [{"$ref": f"#/$defs/{name}"}, alone],
    }


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file, ``extends`` included."""
    full = Scenario.model_json_schema(schema_generator=_InputSchema)
    defs: dict[str, Any] = full.pop("$defs")
    dists = {name for name, d in defs.items() if name.endswith("Dist") and "anyOf" in d}
    partial_defs = {
        name + PARTIAL: _partial_distribution(name, d) if name in dists else _partial(d)
        for name, d in defs.items()
    }
    root = _partial(copy.deepcopy(full))
    root["properties"] = {"extends": EXTENDS, **root["properties"]}
    return {
        "$schema": DRAFT,
        "title": "jit-workshop-sim scenario",
        "description": (
            f"A scenario file of jit-workshop-sim {sim.__version__}: durations carry a unit "
            "('90min', '2h'), clock times are quoted ('08:30'), random quantities are a "
            "constant or {dist: NAME, ...}. A file with extends lists only what differs. "
            "Checks spanning fields are made by: python run_sim.py validate FILE"
        ),
        **{k: v for k, v in root.items() if k not in ("title", "description")},
        "if": {"required": ["extends"]},
        "then": True,
        "else": {"$ref": "#/$defs/Scenario"},
        "$defs": {"Scenario": full, **defs, **partial_defs},
    }


def schema_text() -> str:
    """The schema as indented JSON text, with a final newline."""
    return json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"


def schema_command(out: str | None = None) -> int:
    """``run_sim.py schema [--out FILE]``: print the schema, or write it to FILE."""
    text = schema_text()
    if out is None:
        sys.stdout.write(text)
        return 0
    from pathlib import Path

    from sim.results import write_atomic

    write_atomic(Path(out), text)
    print(f"schema: {out}")
    return 0
