"""Line-side stock at time 0: every stocked loop at a random point of its cycle.

A loop that starts full takes months to forget it when the part moves slowly, so a run
without warm-up would report the start-up, not the dealer. Instead each part's state at
time 0 is drawn as if the loop had always been running (one stream, ``stock.start``, in
catalogue order, so the draw never depends on the supply settings):

1. the inventory position just after the last review whose order has already arrived is
   drawn from its stationary law (``Policy.start_position``: uniform on r+1 .. r+Q for
   (R, nQ) and kanban, S up to a container above for (R, S));
2. the working time since then is cut at the call-offs in between: each stretch's demand is
   drawn (Poisson, at the part's expected rate), the review at its end orders as the policy
   would, and that order is still on its truck at time 0 (it arrives at the call-off + the
   mean lead time); with a continuous call-off, orders of the last lead time are on trucks
   arriving at a uniformly drawn moment of the next lead time;
3. what the stretch since the last call-off asked for waits for the next call-off (released
   cards, parts to review); what is left of the position is on the shelf.

This is the textbook (R, nQ) and (R, S) cycle with Poisson demand, so a loop starts close to
its long-run state; ``tests/validation/test_stocking_validation.py`` checks that the
time-average stock of the default dealer with and without a long warm-up agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.calendar import WEEK, Calendar
from sim.model.policies.base import Policy
from sim.model.sizing import call_offs_of_week
from sim.model.stock import PartStock
from sim.scenario import Scenario


@dataclass(frozen=True)
class Stretch:
    """Working hours of demand before time 0; ``arrival``: when the order placed at its end
    arrives (None: the stretch still running at time 0, whose order is not placed yet)."""

    hours: float
    arrival: float | None


def stretches(scenario: Scenario, cal: Calendar) -> list[Stretch]:
    """The stretches between the last arrived order and time 0, oldest first."""
    lead = scenario.supply.lead_time.mean_value()
    week = call_offs_of_week(scenario)
    if not week:  # continuous: the orders of the last lead time are on the road
        return [Stretch(cal.working_between(-lead, 0.0) / 60, lead)]
    past = sorted((t - k * WEEK for k in (1, 2, 3) for t in week), reverse=True)
    out, end = [], 0.0
    for t in past:
        out.append(Stretch(cal.working_between(t, end) / 60, None if end == 0.0 else end + lead))
        if t + lead <= 0:
            break
        end = t
    return out[::-1]


@dataclass
class StartState:
    """Each part's stock at time 0: units on the shelf, trucks on the road, pending orders."""

    on_hand: np.ndarray
    transit: dict[float, list[tuple[int, int]]]  # arrival -> [(part idx, containers)]
    pending: np.ndarray  # containers the ongoing stretch asked for (next call-off)
    position: np.ndarray  # inventory position at time 0, pending orders excluded


def draw_start(
    scenario: Scenario,
    cal: Calendar,
    parts: Sequence[PartStock],
    demand: np.ndarray,
    rng: np.random.Generator,
) -> StartState:
    """Draw every part's state at time 0 from its stationary cycle (see the module text).

    Every part draws (the same number of draws whatever the policy); each part's policy
    turns the draws into its own state.
    """
    n = len(parts)
    u = rng.random(n)
    u_road = rng.random(n)
    parts_by_policy: dict[Policy, list[int]] = defaultdict(list)
    for p in parts:
        parts_by_policy[p.policy].append(p.idx)
    cont = np.array([p.container for p in parts], dtype=np.int64)
    position = np.zeros(n, dtype=np.int64)
    for policy, idx in parts_by_policy.items():
        position[idx] = policy.start_position(u)[idx]
    road = np.zeros(n, dtype=np.int64)  # containers on trucks
    transit: dict[float, list[tuple[int, int]]] = {}
    pending = np.zeros(n, dtype=np.int64)
    steps = stretches(scenario, cal)
    continuous = scenario.supply.call_off.continuous
    for step in steps:
        # A loop starts without backorders: a stretch uses at most what is on the shelf
        # (the position less what is still on the road).
        shelf = np.maximum(0, position - road * cont)
        position = position - np.minimum(rng.poisson(demand * step.hours), shelf)
        ordered = np.zeros(n, dtype=np.int64)
        for policy, idx in parts_by_policy.items():
            ordered[idx] = policy.order_containers(position)[idx]
        if step.arrival is None:
            pending = ordered
            continue
        position = position + ordered * cont
        for i in np.flatnonzero(ordered).tolist():
            when = float(step.arrival * u_road[i]) if continuous else step.arrival
            transit.setdefault(when, []).append((i, int(ordered[i])))
            road[i] += ordered[i]
    on_hand = position - road * cont
    return StartState(on_hand=on_hand, transit=transit, pending=pending, position=position)
