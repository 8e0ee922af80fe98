"""Catalogue-given policy sizes and the catalogue's hash are checked when a scenario loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.loading import ScenarioError, load_scenario

VALID = Path(__file__).resolve().parents[1] / "cli" / "fixtures" / "valid.yaml"


def _scenario_with_catalogue(tmp_path: Path, rows: str) -> Path:
    (tmp_path / "parts.csv").write_text(
        "part_no,unit_cost,unit_price,container_qty,weight,cards,order_up_to\n" + rows
    )
    text = VALID.read_text().replace("generate: {count: 20}", "catalogue: parts.csv")
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return path


def test_catalogue_cards_load_when_every_part_has_them(tmp_path: Path) -> None:
    path = _scenario_with_catalogue(tmp_path, "A,1,2,1,1,3,5\nB,1,2,2,1,1,4\n")
    scn = load_scenario(path, ["supply.kanban.cards=catalogue"])
    assert scn.supply.kanban.cards == "catalogue"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (["supply.kanban.cards=catalogue"], "supply.kanban.cards"),
        (
            ["supply.policy=order_up_to", "supply.order_up_to.level=catalogue"],
            "supply.order_up_to.level",
        ),
        (
            ["supply.policy=reorder_point", "supply.reorder_point.point=catalogue"],
            "supply.reorder_point.point",
        ),
    ],
)
def test_missing_catalogue_size_is_an_input_error(
    tmp_path: Path, overrides: list[str], field: str
) -> None:
    # Part B has no cards and no order_up_to; the file has no reorder_point column at all.
    path = _scenario_with_catalogue(tmp_path, "A,1,2,1,1,3,5\nB,1,2,2,1,,\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path, overrides)
    assert f"s.yaml: {field}" in str(err.value)


def test_zero_cards_in_catalogue_rejected(tmp_path: Path) -> None:
    path = _scenario_with_catalogue(tmp_path, "A,1,2,1,1,0,5\n")
    with pytest.raises(ScenarioError, match="cards must be >= 1"):
        load_scenario(path, ["supply.kanban.cards=catalogue"])


def test_stated_catalogue_hash_must_match_the_file(tmp_path: Path) -> None:
    path = _scenario_with_catalogue(tmp_path, "A,1,2,1,1,3,5\n")
    sha = load_scenario(path).parts.catalogue_sha256
    assert load_scenario(path, [f"parts.catalogue_sha256={sha}"]).parts.catalogue_sha256 == sha
    with pytest.raises(ScenarioError, match=r"parts\.catalogue_sha256.*catalogue changed"):
        load_scenario(path, ["parts.catalogue_sha256=0123abcd"])
