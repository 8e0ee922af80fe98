"""The parts centre against inventory theory: (R, S) with Poisson orders of one unit.

The centre is driven directly by Poisson dealer orders (one unit each, a test stand-in for
the dealers), reviewed every R, replenished after a constant plant lead time L. Fill rate,
time-average units on hand and units owed must each lie within 3 standard errors (plus a
small floor) of ``sim.theory.order_up_to`` over replications.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import pytest
import simpy

from sim.model.centre import Centre
from sim.model.stock import QueuedOrder
from sim.theory import order_up_to

HOUR = 60.0


class Dealer:
    """Stands in for a dealer's supply: counts the times the centre says orders wait."""

    def __init__(self) -> None:
        self.told = 0

    def centre_served(self) -> None:
        self.told += 1


def orders(
    env: simpy.Environment, centre: Centre, owner: Dealer, rate: float, rng: np.random.Generator
) -> Generator[simpy.Event, None, None]:
    """Poisson orders of one unit of part 0 at ``rate`` per minute."""
    while True:
        yield env.timeout(rng.exponential(1 / rate))
        centre.request(QueuedOrder(0, 1, unit=1, owner=owner), 0)


def run_centre(
    level: int, rate: float, review: float, lead: float, warmup: float, horizon: float, rep: int
) -> dict[str, float]:
    env = simpy.Environment()
    window = (warmup, warmup + horizon)
    centre = Centre(env, ["P1"], [10.0], [level], review, lambda: lead, window)
    rng = np.random.default_rng([20261202, rep])
    env.process(orders(env, centre, Dealer(), rate, rng))
    env.process(centre.reviews(window[1]))
    env.run(until=window[1])
    centre.close(window[1])
    assert centre.check_flow() is None
    rows = centre.part_rows()
    return {
        "fill": float(rows["fill_rate"][0]),
        "on_hand": float(rows["avg_on_hand"][0]),
        "owed": float(rows["avg_backorders"][0]),
    }


@pytest.mark.parametrize(
    ("level", "per_day", "review_h", "lead_h"),
    [
        (12, 3.0, 24.0, 72.0),  # a fast mover, daily review, three-day plant lead time
        (4, 0.8, 24.0, 72.0),  # a slow mover with shortages
        (9, 6.0, 12.0, 24.0),  # tight: fill well below 1
    ],
)
def test_centre_order_up_to_matches_theory(
    level: int, per_day: float, review_h: float, lead_h: float
) -> None:
    rate = per_day / (24 * HOUR)
    review, lead = review_h * HOUR, lead_h * HOUR
    reps = [run_centre(level, rate, review, lead, 20 * 1440.0, 400 * 1440.0, r) for r in range(12)]
    theory = order_up_to(rate, review, lead, level)
    expect = {"fill": theory.fill_rate, "on_hand": theory.on_hand, "owed": theory.backorders}
    for key, want in expect.items():
        values = np.array([r[key] for r in reps])
        se = values.std(ddof=1) / np.sqrt(len(values))
        tol = 3 * se + 0.01 * max(abs(want), 0.05)
        assert abs(values.mean() - want) <= tol, (key, values.mean(), want, tol)


def test_an_overstocked_centre_never_owes() -> None:
    got = run_centre(200, 3.0 / 1440, 1440.0, 3 * 1440.0, 7 * 1440.0, 60 * 1440.0, 0)
    assert got["fill"] == 1.0 and got["owed"] == 0.0


def test_backorders_are_served_oldest_first_across_dealers() -> None:
    """Two dealers short of one part: the plant's units go to the older order first, in
    whole containers of the dealer who ordered, and each dealer is told once."""
    env = simpy.Environment()
    centre = Centre(env, ["P1"], [1.0], [0], 1440.0, lambda: 600.0, (0.0, 1e9))
    a, b = Dealer(), Dealer()
    first = QueuedOrder(0, 2, unit=5, owner=a)  # 10 units, in containers of 5
    second = QueuedOrder(0, 1, unit=3, owner=b)
    centre.request(first, 0)
    centre.request(second, 0)
    assert (first.ready, first.short, second.ready, second.short) == (0, 2, 0, 1)
    assert centre.owed == [13]
    env.process(centre.reviews(2000.0))  # review at 0 orders 13 units, here at 600
    env.run(until=700.0)
    assert (first.ready, first.short, second.ready, second.short) == (2, 0, 1, 0)
    assert (a.told, b.told) == (1, 1)
    assert centre.on_hand == [0] and centre.owed == [0]


def test_the_oldest_waits_for_its_whole_order_before_a_younger_is_served() -> None:
    env = simpy.Environment()
    centre = Centre(env, ["P1"], [1.0], [4], 1440.0, lambda: 600.0, (0.0, 1e9))
    big = QueuedOrder(0, 2, unit=4, owner=Dealer())  # 8 units: 4 at once, 4 owed
    small = QueuedOrder(0, 1, unit=1, owner=Dealer())
    centre.request(big, 0)
    centre.request(small, 0)
    assert (big.ready, big.short, small.ready, small.short) == (1, 1, 0, 1)
    assert centre.take(0, 1, whole=False) == 0  # an emergency order gets nothing either


def test_a_cancelled_order_gives_its_units_back() -> None:
    env = simpy.Environment()
    centre = Centre(env, ["P1"], [1.0], [3], 1440.0, lambda: 600.0, (0.0, 1e9))
    order = QueuedOrder(0, 1, unit=3, owner=Dealer())
    waiting = QueuedOrder(0, 1, unit=2, owner=Dealer())
    centre.request(order, 0)
    centre.request(waiting, 0)
    assert centre.on_hand == [0] and waiting.short == 1
    centre.cancel(order, 0)
    assert waiting.ready == 1 and centre.on_hand == [1] and centre.owed == [0]
    assert centre.check_flow() is None
