"""A region: dealers on one parts centre, built by the same code as a single dealer."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from sim.loading import ScenarioError, load_scenario
from sim.model.world import CENTRE_PARTS_KEY, DEALERS_KEY, World, simulate
from sim.region import load_region

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "default.yaml"
SMALL = ROOT / "scenarios" / "small_dealer.yaml"
RUN = {"horizon": "20d", "warmup": "5d", "replications": 2, "seed": 11}


def write_region(tmp_path: Path, centre: dict, dealers: list[dict], name: str = "r") -> Path:
    path = tmp_path / f"{name}.yaml"
    data = {"name": name, "run": RUN, "centre": centre, "dealers": dealers}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def same(a: float | None, b: float | None) -> bool:
    return a == b or (a is not None and b is not None and math.isnan(a) and math.isnan(b))


def test_a_region_of_one_on_an_infinite_centre_is_the_single_run(tmp_path: Path) -> None:
    region = load_region(
        write_region(tmp_path, {"infinite": True}, [{"name": "a", "scenario": str(DEFAULT)}])
    )
    single = load_scenario(DEFAULT, [f"run.{k}={v}" for k, v in RUN.items()])
    for rep in (0, 1):
        got = simulate(region, rep).extra[DEALERS_KEY]["a"]
        want = simulate(single, rep)
        assert got.kpis.keys() == want.kpis.keys()
        assert all(same(got.kpis[k], want.kpis[k]) for k in want.kpis), rep
        assert got.flow == want.flow
        assert got.extra["months"] == want.extra["months"]
        assert got.extra["parts"] == want.extra["parts"]


def test_a_centre_that_never_runs_short_changes_nothing(tmp_path: Path) -> None:
    """A finite centre far above any order: every order is set aside at once, so the
    dealers see exactly what an infinite centre gives (the region code path throughout)."""
    dealers = [{"name": "a", "scenario": str(DEFAULT)}, {"name": "b", "scenario": str(SMALL)}]
    lead = {"dist": "constant", "value": "3d"}
    ample = {"stock": {"level": 100000, "review": "1d"}, "supply_lead_time": lead}
    finite = simulate(load_region(write_region(tmp_path, ample, dealers, "f")), 0)
    infinite = simulate(load_region(write_region(tmp_path, {"infinite": True}, dealers, "i")), 0)
    assert finite.kpis["centre_fill_rate"] == 1.0
    assert finite.kpis["centre_backorders"] == 0.0
    for name in ("a", "b"):
        got, want = finite.extra[DEALERS_KEY][name], infinite.extra[DEALERS_KEY][name]
        assert all(same(got.kpis[k], want.kpis[k]) for k in want.kpis), name


def test_dealers_draw_their_own_customers(tmp_path: Path) -> None:
    dealers = [{"name": "a", "scenario": str(DEFAULT)}, {"name": "b", "scenario": str(DEFAULT)}]
    res = simulate(load_region(write_region(tmp_path, {"infinite": True}, dealers)), 0)
    a, b = res.extra[DEALERS_KEY]["a"], res.extra[DEALERS_KEY]["b"]
    assert a.flow["jobs_arrived"] != b.flow["jobs_arrived"]
    assert a.kpis["on_time_rate"] != b.kpis["on_time_rate"]


def test_a_short_centre_shows_in_the_workshops(tmp_path: Path) -> None:
    """A centre holding a tenth of what it needs: it owes units, the dealers' shelves fill
    fewer lines and fewer cars leave on time; every unit is still accounted for."""
    dealers = [{"name": "a", "scenario": str(DEFAULT)}, {"name": "b", "scenario": str(SMALL)}]
    lead = {"dist": "triangular", "low": "2d", "mode": "3d", "high": "6d"}
    good = {"stock": {"target_fill": 0.98}, "supply_lead_time": lead}
    poor = {"stock": {"level": 1}, "supply_lead_time": lead}
    ok = simulate(load_region(write_region(tmp_path, good, dealers, "good")), 0)
    bad = simulate(load_region(write_region(tmp_path, poor, dealers, "poor")), 0)
    assert bad.kpis["centre_fill_rate"] < ok.kpis["centre_fill_rate"] - 0.2
    assert bad.kpis["centre_backorders"] > ok.kpis["centre_backorders"]
    for name in ("a", "b"):
        k_ok, k_bad = ok.extra[DEALERS_KEY][name].kpis, bad.extra[DEALERS_KEY][name].kpis
        assert k_bad["fill_rate"] < k_ok["fill_rate"], name
        assert k_bad["on_time_rate"] < k_ok["on_time_rate"], name
    rows = bad.extra[CENTRE_PARTS_KEY]
    assert len(rows["part_no"]) == len(set(rows["part_no"]))
    assert bad.flow["centre_owed"] > 0


def test_dealer_streams_are_named_per_dealer(tmp_path: Path) -> None:
    dealers = [{"name": "a", "scenario": str(DEFAULT)}, {"name": "b", "scenario": str(SMALL)}]
    world = World(load_region(write_region(tmp_path, {"infinite": True}, dealers)), 0)
    assert [d.streams.prefix for d in world.dealers] == ["", "b/"]
    with pytest.raises(AttributeError):
        _ = world.parts  # a region has several dealers


def test_set_reaches_a_dealer_and_the_centre(tmp_path: Path) -> None:
    lead = {"dist": "constant", "value": "2d"}
    path = write_region(
        tmp_path,
        {"stock": {"review": "1d"}, "supply_lead_time": lead},
        [{"name": "a", "scenario": str(DEFAULT), "set": {"resources.bays": 3}}],
    )
    region = load_region(
        path,
        ["dealers.a.supply.call_off.every=4h", "centre.stock.review=12h", "run.seed=5"],
    )
    scn = region.dealers[0].scenario
    assert scn.supply.call_off.every == 240.0
    assert scn.resources["bays"] == 3
    assert scn.run.seed == 5 and scn.name == "a"
    assert region.centre.stock is not None and region.centre.stock.review == 720.0


@pytest.mark.parametrize(
    ("centre", "dealers", "sets", "where"),
    [
        ({"infinite": True}, [], [], "dealers"),
        ({"stock": {"review": "1d"}}, [{"name": "a", "scenario": "x"}], [], "dealers.0.scenario"),
        ({}, [{"name": "a", "scenario": str(DEFAULT)}], [], "centre"),
        ({"infinite": True}, [{"name": "a", "scenario": str(DEFAULT), "sett": {}}], [], "sett"),
        ({"infinite": True}, [{"name": "a", "scenario": str(DEFAULT)}], ["dealers.b.x=1"], "--set"),
        (
            {"infinite": True},
            [{"name": "a", "scenario": str(DEFAULT), "set": {"resources.bays": -1}}],
            [],
            "resources.bays",
        ),
        (
            {"infinite": True},
            [{"name": "a", "scenario": str(DEFAULT)}, {"name": "a", "scenario": str(SMALL)}],
            [],
            "repeat",
        ),
        (
            {"infinite": True, "express": {"lead_time": "0d"}},
            [{"name": "a", "scenario": str(DEFAULT)}],
            [],
            "centre.express.lead_time",
        ),
    ],
)
def test_bad_regions_are_one_line_naming_the_field(
    tmp_path: Path, centre: dict, dealers: list[dict], sets: list[str], where: str
) -> None:
    path = write_region(tmp_path, centre, dealers)
    with pytest.raises(ScenarioError) as err:
        load_region(path, sets)
    text = str(err.value)
    assert "\n" not in text and str(path) in text and where in text, text


def test_too_many_dealers_are_refused_before_any_is_read(tmp_path: Path) -> None:
    dealers = [{"name": f"d{k}", "scenario": "missing.yaml"} for k in range(1001)]
    path = write_region(tmp_path, {"infinite": True}, dealers)
    with pytest.raises(ScenarioError, match="dealers: at most 1000 dealers"):
        load_region(path)


def test_a_region_dump_reads_back_as_the_same_region(tmp_path: Path) -> None:
    lead = {"dist": "constant", "value": "2d"}
    dealers = [{"name": "a", "scenario": str(DEFAULT)}, {"name": "b", "scenario": str(SMALL)}]
    region = load_region(
        write_region(tmp_path, {"stock": {"review": "1d"}, "supply_lead_time": lead}, dealers)
    )
    again = tmp_path / "again.yaml"
    again.write_text(yaml.safe_dump(region.dump()), encoding="utf-8")
    assert load_region(again).digest() == region.digest()
