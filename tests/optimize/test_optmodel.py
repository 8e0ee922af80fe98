"""The optimiser's pieces without the search: the theory curves against ``sim.theory``, the
greedy sequences on a model whose answer is known, the catalogue copy it simulates, and
the targets it accepts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.catalogue import read_catalogue
from sim.clierror import CliError
from sim.loading import load_scenario
from sim.opteval import CatalogueTable
from sim.optimize import parse_targets
from sim.optmodel import (
    RULES,
    Costs,
    Curves,
    Estimates,
    PointStats,
    add_sequence,
    prefix_reaching,
    remove_sequence,
)
from sim.theory import kanban_loop, order_up_to
from tests.optimize.helpers import TINY


def test_the_curves_are_the_theorys_fill_rates() -> None:
    d, review, lead = np.array([0.8, 0.1]), 2.0, 1.0
    kanban = Curves(RULES["kanban"], d, review, lead, np.array([3, 1]), np.array([3, 1]))
    for i, c in enumerate((3, 1)):
        for cards in (1, 2, 4):
            expected = kanban_loop(float(d[i]), review, lead, cards, c).fill_rate
            assert kanban.fill(i, cards) == pytest.approx(expected, abs=1e-9)
    out = Curves(RULES["order_up_to"], d, review, lead, np.array([3, 1]), np.array([3, 1]))
    assert out.fill(0, 0) == 0.0
    assert out.fill(0, 6) == pytest.approx(order_up_to(0.8, review, lead, 6).fill_rate, abs=1e-9)
    fills = [kanban.fill(0, n) for n in range(1, 8)]
    assert fills == sorted(fills) and fills[-1] > 0.999


def _model(cost: list[float], demand: list[float]) -> Estimates:
    n = len(cost)
    curves = Curves(RULES["kanban"], np.array(demand), 2.0, 1.0, np.ones(n, int), np.ones(n, int))
    units = np.array(demand) * 100
    sizes = np.ones(n, dtype=np.int64)
    short = np.array([units[i] * (1 - curves.fill(i, 1)) for i in range(n)])
    stats = PointStats(units, short, units, short, np.zeros(n), {})
    costs = Costs(np.array(cost), 1.0, 0.0)
    slope = {"stocked_fill_rate": 1.0 / units.sum()}
    return Estimates(curves, np.ones(n, bool), sizes, stats, units, 4, slope, costs)


def test_the_greedy_adds_where_service_is_cheapest_and_takes_where_it_costs_least() -> None:
    # two parts with the same demand: the cheap one gets the cards first
    est = _model([1.0, 100.0], [0.5, 0.5])
    steps = add_sequence(est, np.ones(2, np.int64), ["stocked_fill_rate"], np.array([0.05]))
    assert steps[0].part == 0
    n = prefix_reaching(steps, np.array([0.05]))
    assert steps[n - 1].gains[0] >= 0.05 and (n == 1 or steps[n - 2].gains[0] < 0.05)
    # from plenty, the dear part gives its cards back first
    top = np.array([5, 5], dtype=np.int64)
    down = remove_sequence(est, top, ["stocked_fill_rate"], np.array([0.02]))
    assert down and down[0].part == 1
    assert all(-s.gains[0] <= 0.02 + 1e-12 for s in down)


def test_the_catalogue_copy_keeps_every_column_and_sets_the_sizes(tmp_path: Path) -> None:
    table = CatalogueTable.of(load_scenario(TINY))
    text = table.text({"cards": [2, 3, 1]})
    assert text.splitlines()[0] == (
        "part_no,category,unit_cost,unit_price,container_qty,weight,job_types,cards"
    )
    path = tmp_path / "sizes.csv"
    path.write_text(text)
    cat = read_catalogue(path)
    assert cat.sizes["cards"].tolist() == [2, 3, 1]
    assert cat.unit_cost.tolist() == [8.0, 60.0, 400.0]


def test_a_generated_catalogue_is_written_out_exactly(tmp_path: Path) -> None:
    valid = Path(__file__).resolve().parents[1] / "cli" / "fixtures" / "valid.yaml"
    scn = load_scenario(valid)
    from sim.catalogue import catalogue_of

    cat = catalogue_of(None, None, scn.parts.generate, scn.run.seed)
    path = tmp_path / "c.csv"
    path.write_text(CatalogueTable.of(scn).text({"cards": [1] * len(cat)}))
    again = read_catalogue(path)
    assert again.part_no == cat.part_no
    for name in ("unit_cost", "unit_price", "weight", "container_qty"):
        assert getattr(again, name).tolist() == getattr(cat, name).tolist(), name


def test_targets() -> None:
    got = parse_targets(["fill_rate=0.98", "on_time_rate=0.9"])
    assert [(t.kpi, t.value) for t in got] == [("fill_rate", 0.98), ("on_time_rate", 0.9)]
    for bad in (["x=0.9"], ["fill_rate=0"], ["fill_rate=1"], ["fill_rate=0.9", "fill_rate=0.8"]):
        with pytest.raises(CliError):
            parse_targets(bad)
