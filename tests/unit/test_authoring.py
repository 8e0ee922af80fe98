"""Authoring friction (issue 13, point 7): a distribution given anew replaces the inherited
one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.batch import load_batch
from sim.loading import ScenarioError, deep_merge, load_scenario
from tests.unit.test_loading import BASE, CATALOGUE, write

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
