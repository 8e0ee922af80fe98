"""``run_sim.py schema``: the JSON Schema of a scenario file accepts what the loader accepts
(the shipped scenarios, ``extends`` files, resolved scenarios) and rejects unknown keys."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from sim.loading import is_batch_file, load_scenario
from sim.schema import scenario_schema
from tests.cli.helpers import run_sim

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p for p in (REPO / "scenarios").glob("*.yaml") if not is_batch_file(p))
# Other files the loader accepts: the validation scenarios (several use extends) and a fixture.
OTHERS = [*sorted((REPO / "tests" / "validation" / "scenarios").glob("*.yaml"))]
OTHERS.append(REPO / "tests" / "cli" / "fixtures" / "valid.yaml")
DEFAULT = REPO / "scenarios" / "default.yaml"


def plain(node: Any) -> Any:
    """Loaded YAML as an editor's YAML 1.2 parser sees it: an unquoted date is a string."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, datetime.date):
        return node.isoformat()
    return node


def read(path: Path) -> Any:
    return plain(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = scenario_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def errors(validator: jsonschema.Draft202012Validator, data: Any) -> list[str]:
    found = validator.iter_errors(data)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


def test_schema_command_prints_valid_json(tmp_path: Path) -> None:
    done = run_sim("schema")
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == json.loads(json.dumps(scenario_schema()))
    assert "scenario" in schema["title"] and "extends" in schema["properties"]
    out = tmp_path / "scenario.schema.json"
    written = run_sim("schema", "--out", out)
    assert written.returncode == 0, written.stderr
    assert out.read_text(encoding="utf-8") == done.stdout
    bad = run_sim("schema", "--out", tmp_path / "no" / "such" / "x.json")
    assert bad.returncode == 2 and bad.stderr.startswith("error: --out ")


def test_there_are_shipped_scenarios() -> None:
    assert {p.name for p in SHIPPED} >= {"default.yaml", "small_dealer.yaml", "dealer_daily.yaml"}
    assert any("extends" in read(p) for p in SHIPPED + OTHERS)


@pytest.mark.parametrize("path", SHIPPED + OTHERS, ids=lambda p: p.name)
def test_files_the_loader_accepts_validate(validator, path: Path) -> None:
    scn = load_scenario(path)
    assert errors(validator, read(path)) == []
    # the resolved scenario a results folder keeps validates too
    assert errors(validator, plain(scn.dump())) == []


def test_unknown_keys_are_rejected_at_any_depth(validator) -> None:
    base = read(DEFAULT)
    for where, key in [((), "colour"), (("supply",), "calloff"), (("run",), "warm_up")]:
        data = copy.deepcopy(base)
        node = data
        for part in where:
            node = node[part]
        node[key] = 1
        found = errors(validator, data)
        assert found and any(repr(key) in e and "nexpected" in e for e in found), found
    child = {"extends": "default.yaml", "supply": {"calloff": {"every": "4h"}}}
    assert errors(validator, child)


@pytest.mark.parametrize(
    ("change", "what"),
    [
        ({"supply": {"lead_time": 45}}, "a bare number where a duration belongs"),
        ({"supply": {"lead_time": "45 minutes"}}, "an unknown unit"),
        ({"calendar": {"open": 630}}, "an unquoted clock time"),
        ({"supply": {"lead_time": {"dist": "triangle", "low": "1h"}}}, "an unknown dist"),
        (
            {"supply": {"lead_time": {"dist": "constant", "value": "30min", "low": "1h"}}},
            "a parameter the dist does not take",
        ),
        ({"supply": {"lead_time": {"dist": "normal", "mean": "1h"}}}, "a missing parameter"),
        ({"demand": {"job_types": {"maintenance": {"parts": {"lines": 1.5}}}}}, "a fraction"),
        ({"supply": {"policy": "fifo"}}, "a value not in the choices"),
        ({"run": {"start": "2027-13-01"}}, "a bad date"),
    ],
)
def test_bad_values_are_rejected(validator, change: dict[str, Any], what: str) -> None:
    assert errors(validator, {"extends": "default.yaml", **change}), what
    full = read(DEFAULT)
    for block, values in change.items():
        full[block] = _merged(full[block], values)
    assert errors(validator, full), what


def _merged(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict) and "dist" not in over:
        return {**base, **{k: _merged(base.get(k), v) for k, v in over.items()}}
    return over


def test_a_file_with_extends_lists_only_what_differs(validator) -> None:
    child = {
        "extends": ["default.yaml"],
        "name": "child",
        "supply": {
            "lead_time": {"high": "3h"},  # one parameter of the inherited distribution
            "call_off": {"every": "continuous"},
        },
        "workshop": {"qc": {"dist": "constant", "value": "30min"}},  # a new one, complete
    }
    assert errors(validator, child) == []
    # without extends the same keys are an incomplete scenario
    alone = {k: v for k, v in child.items() if k != "extends"}
    assert any("required" in e for e in errors(validator, alone))
    # lists replace whole: a route operation must be complete even in a child
    op = {"demand": {"job_types": {"campaign": {"route": [{"op": "recall"}]}}}}
    assert any("'uses' is a required property" in e for e in errors(validator, op))


def test_defaults_are_shown_as_a_file_gives_them() -> None:
    defs = scenario_schema()["$defs"]
    every = defs["CallOff"]["properties"]["every"]
    assert every["default"] == "2h"
    assert defs["CallOff"]["properties"]["first"]["default"] == "08:00"
    assert defs["Emergency"]["properties"]["lead_time"]["default"] == "4h"
    assert defs["Kanban"]["properties"]["cards"]["default"] == "auto"
    assert defs["Appointments"]["properties"]["lateness"]["default"] == "0d"
    assert defs["CallOff"]["description"].startswith("When released orders are sent")
