"""Authoring friction (issue 13, point 7): a distribution given anew replaces the inherited
one, and an unknown key names the closest known key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.batch import load_batch
from sim.loading import ScenarioError, deep_merge, load_scenario
from sim.scenario import Scenario
from sim.scorecard import SheetError, load_sheet
from sim.suggest import closest, known_keys
from tests.unit.test_loading import BASE, CATALOGUE, write

SEED_SHEET = Path(__file__).resolve().parents[2] / "scenarios" / "scorecards" / "seed_month.yaml"
CONSTANT = {"dist": "constant", "value": "30min"}


@pytest.fixture
def base(tmp_path: Path) -> Path:
    (tmp_path / "parts.csv").write_text(CATALOGUE, encoding="utf-8")
    return write(tmp_path / "base.yaml", BASE)


def child(tmp_path: Path, data: dict[str, Any], name: str = "child.yaml") -> Path:
    return write(tmp_path / name, {"extends": "base.yaml", **data})


def error_of(path: Path, *overrides: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return info.value


# ------------------------------------------------------------ a distribution given anew


def test_deep_merge_replaces_a_distribution_given_anew() -> None:
    tri = {"dist": "triangular", "low": "1h", "mode": "2h", "high": "3h"}
    merged = deep_merge({"a": {"lead": tri, "keep": 1}}, {"a": {"lead": CONSTANT}})
    assert merged == {"a": {"lead": CONSTANT, "keep": 1}}
    # without a dist name the mapping still merges: one parameter changes
    assert deep_merge({"lead": tri}, {"lead": {"high": "4h"}})["lead"] == {**tri, "high": "4h"}
    # a pool or job type that happens to be called "dist" is no distribution
    pools = deep_merge({"r": {"dist": 1, "qc": 1}}, {"r": {"dist": 2}})
    assert pools == {"r": {"dist": 2, "qc": 1}}


def test_extends_replaces_an_inherited_distribution(tmp_path: Path, base: Path) -> None:
    path = child(tmp_path, {"workshop": {"reception": CONSTANT}})
    scn = load_scenario(path)
    assert scn.workshop.reception.dist == "constant"
    assert scn.workshop.reception.value == 30
    assert scn.workshop.qc.value == 10  # the rest of the block is still inherited


def test_extends_merges_a_partial_distribution(tmp_path: Path, base: Path) -> None:
    path = child(tmp_path, {"workshop": {"reception": {"high": "40min"}}})
    reception = load_scenario(path).workshop.reception
    assert (reception.dist, reception.low, reception.high) == ("triangular", 8, 40)


def test_error_in_a_replaced_distribution_names_the_file_it_came_from(
    tmp_path: Path, base: Path
) -> None:
    bad = {"dist": "exponential", "mean": "0min"}
    child(tmp_path, {"workshop": {"reception": bad}}, "mid.yaml")
    top = write(tmp_path / "top.yaml", {"extends": "mid.yaml", "name": "top"})
    err = error_of(top)
    assert err.field == "workshop.reception"
    assert str(err).startswith(f"{top}: workshop.reception (from mid.yaml): ")


def test_set_gives_a_whole_distribution(base: Path) -> None:
    scn = load_scenario(base, ["workshop.reception={dist: constant, value: 30min}"])
    assert (scn.workshop.reception.dist, scn.workshop.reception.value) == ("constant", 30)


def test_batch_set_gives_a_whole_distribution(tmp_path: Path, base: Path) -> None:
    spec = {
        "base": "base.yaml",
        "variants": {
            "fixed": {"set": {"workshop.reception": CONSTANT}},
            "inherited": {},
        },
    }
    batch = load_batch(write(tmp_path / "batch.yaml", spec))
    fixed, inherited = batch.scenarios
    assert (fixed.workshop.reception.dist, fixed.workshop.reception.value) == ("constant", 30)
    assert inherited.workshop.reception.dist == "triangular"


# ------------------------------------------------------------ did you mean ...?


@pytest.mark.parametrize(
    ("change", "field", "suggestion"),
    [
        ({"extend": "base.yaml"}, "extend", "extends"),
        ({"supply": {"calloff": {"every": "4h"}}}, "supply.calloff", "call_off"),
        ({"supply": {"kanban": {"card": 3}}}, "supply.kanban.card", "cards"),
        ({"run": {"warm_up": "1d"}}, "run.warm_up", "warmup"),
        (
            {"demand": {"appointments": {"per_day": 3, "noshow": 0.1}}},
            "demand.appointments.noshow",
            "no_show",
        ),
    ],
)
def test_unknown_key_suggests_the_closest(
    tmp_path: Path, base: Path, change: dict[str, Any], field: str, suggestion: str
) -> None:
    err = error_of(child(tmp_path, change))
    assert err.field == field
    assert err.message == f"unknown key; did you mean {suggestion!r}?"


def test_unknown_key_in_a_list_item_and_a_mapping_of_models(base: Path) -> None:
    err = error_of(base, "demand.job_types.service.route.0.standard_hour=1h")
    assert err.field == "demand.job_types.service.route.0.standard_hour"
    assert err.message == "unknown key; did you mean 'standard_hours'?"
    assert "(from --set)" in str(err)


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ("demand.job_types.service.colour=red", "demand.job_types.service.colour"),
        ("supply.xyzzy=1", "supply.xyzzy"),
        ("zzz=1", "zzz"),
    ],
)
def test_no_suggestion_when_nothing_is_close(base: Path, item: str, field: str) -> None:
    err = error_of(base, item)
    assert err.field == field
    assert err.message == "unknown key"


def test_distribution_parameters_and_names_suggest_too(base: Path) -> None:
    bad = "workshop.reception={dist: triangular, low: 5min, mode: 10min, hihg: 20min}"
    assert str(error_of(base, bad)).endswith("not 'hihg'; did you mean 'high'?")
    err = error_of(base, "workshop.reception={dist: triangle, low: 5min, mode: 10min, high: 1h}")
    assert str(err).endswith("; did you mean 'triangular'?")
    assert "did you mean" not in str(error_of(base, "workshop.qc={dist: zzz}"))


def test_batch_and_sheet_keys_suggest(tmp_path: Path, base: Path) -> None:
    path = write(tmp_path / "batch.yaml", {"base": "base.yaml", "variant": {}})
    with pytest.raises(ScenarioError) as info:
        load_batch(path)
    assert info.value.field == "variant"
    assert info.value.message == "unknown key; did you mean 'variants'?"
    sheet = yaml.safe_load(SEED_SHEET.read_text(encoding="utf-8"))
    sheet["actual"] = sheet.pop("actuals")
    path = write(tmp_path / "sheet.yaml", sheet)
    with pytest.raises(SheetError, match=r"actual: unknown key; did you mean 'actuals'\?$"):
        load_sheet(path)


def test_known_keys_walks_models_mappings_lists_and_unions() -> None:
    assert "call_off" in known_keys(Scenario, ("supply",))
    assert "standard_hours" in known_keys(Scenario, ("demand", "job_types", "x", "route", "0"))
    assert "by" in known_keys(Scenario, ("supply", "reliability", "late"))  # Optional[model]
    assert known_keys(Scenario, ("resources",)) == []  # a mapping of numbers: any key
    assert known_keys(Scenario, ("nowhere", "at_all")) == []
    assert closest("calloff", ["call_off", "lead_time"]) == "call_off"
    assert closest("colour", ["share", "route", "parts"]) is None


def test_a_misspelt_required_key_is_reported_as_the_typo(tmp_path: Path, base: Path) -> None:
    data = yaml.safe_load(base.read_text(encoding="utf-8"))
    data["run"]["horizn"] = data["run"].pop("horizon")
    err = error_of(write(tmp_path / "typo.yaml", data))
    assert (err.field, err.message) == ("run.horizn", "unknown key; did you mean 'horizon'?")
    del data["run"]["horizn"]
    err = error_of(write(tmp_path / "missing.yaml", data))
    assert (err.field, err.message) == ("run.horizon", "required key is missing")
